from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from koreplan.audit.models import GENESIS_HASH, AuditEntry, AuditEntryImmutable
from koreplan.audit.selectors import audit_chain_verify
from koreplan.audit.services import audit_record
from koreplan.audit.tests.helpers import behind_the_applications_back

pytestmark = pytest.mark.django_db


def test_an_entry_records_who_from_where_and_why(socialraadgiver, guldborgsund):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.7", HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 1000
    )
    request.user = socialraadgiver

    entry = audit_record(
        action="koreplan.case.viewed",
        request=request,
        case_id=42,
        client_id=7,
        obj=guldborgsund,
        purpose="Forberedelse af løsladelsesmøde",
        data={"section": "beskrivelse"},
    )

    entry.refresh_from_db()
    assert entry.actor == socialraadgiver
    assert entry.actor_organisation == socialraadgiver.organisation
    assert entry.ip_address == "10.0.0.7"
    assert len(entry.user_agent) == 300
    assert (entry.case_id, entry.client_id) == (42, 7)
    assert (entry.object_type, entry.object_id) == (
        "organisations.organisation",
        str(guldborgsund.pk),
    )
    assert entry.purpose == "Forberedelse af løsladelsesmøde"
    assert entry.data == {"section": "beskrivelse"}


def test_entries_form_a_chain():
    first = audit_record(action="koreplan.test.first")
    second = audit_record(action="koreplan.test.second")
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert audit_chain_verify() is None


def test_each_entry_has_its_own_secret_salt_so_equal_personal_data_gives_different_digests():
    first = audit_record(action="koreplan.case.viewed", client_id=7)
    second = audit_record(action="koreplan.case.viewed", client_id=7)
    assert len(first.personal_salt) == 32
    assert first.personal_salt != second.personal_salt
    assert first.personal_digest != second.personal_digest


def test_an_intact_chain_verifies_after_a_round_trip_through_the_database(admin):
    for n in range(5):
        audit_record(
            action="koreplan.test.done", actor=admin, data={"n": n, "on": date(2027, 1, 1)}
        )
    assert audit_chain_verify() is None
    assert audit_chain_verify(chunk_size=2) is None


def test_verify_finds_personal_data_changed_behind_the_applications_back():
    audit_record(action="koreplan.test.first")
    tampered = audit_record(action="koreplan.consent.given", client_id=7, data={"scope": "plan"})
    audit_record(action="koreplan.test.third")

    with behind_the_applications_back():
        AuditEntry.objects.filter(pk=tampered.pk).update(data={"scope": "everything"})

    broken = audit_chain_verify(chunk_size=2)
    assert broken.entry == tampered
    assert "personal data" in broken.reason


def test_verify_finds_the_content_changed_behind_the_applications_back():
    tampered = audit_record(action="koreplan.consent.given")
    audit_record(action="koreplan.test.second")

    with behind_the_applications_back():
        AuditEntry.objects.filter(pk=tampered.pk).update(action="koreplan.consent.withdrawn")

    broken = audit_chain_verify()
    assert broken.entry == tampered
    assert "differs from its hash" in broken.reason


def test_erasing_the_salt_to_hide_a_change_is_found():
    tampered = audit_record(action="koreplan.case.viewed", client_id=7)

    with behind_the_applications_back():
        AuditEntry.objects.filter(pk=tampered.pk).update(client_id=8, personal_salt="")

    assert audit_chain_verify().reason == "the personal data salt is missing but the entry is not marked pseudonymised"


def test_verify_finds_the_gap_where_an_entry_was_removed():
    audit_record(action="koreplan.test.first")
    removed = audit_record(action="koreplan.test.second")
    after = audit_record(action="koreplan.test.third")

    with behind_the_applications_back():
        AuditEntry.objects.filter(pk=removed.pk)._raw_delete(using="default")

    broken = audit_chain_verify(chunk_size=1)
    assert broken.entry == after
    assert "removed or changed" in broken.reason


def test_an_entry_cannot_be_changed_or_deleted_through_the_orm():
    entry = audit_record(action="koreplan.test.done")
    entry.action = "koreplan.test.undone"
    with pytest.raises(AuditEntryImmutable):
        entry.save()
    with pytest.raises(AuditEntryImmutable):
        entry.delete()
    with pytest.raises(AuditEntryImmutable):
        AuditEntry.objects.all().delete()


def test_the_admin_shows_the_log_read_only(client, admin):
    entry = audit_record(action="koreplan.test.done")
    client.force_login(admin)
    assert client.get("/admin/audit/auditentry/").status_code == 200
    assert client.get(f"/admin/audit/auditentry/{entry.pk}/change/").status_code == 200
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    assert (
        client.post(
            f"/admin/audit/auditentry/{entry.pk}/change/", {"action": "koreplan.test.undone"}
        ).status_code
        == 403
    )


# -- koreplan audit verify ------------------------------------------------------------------


def test_audit_verify_says_the_chain_is_intact_and_prints_the_newest_hash(capsys):
    audit_record(action="koreplan.test.first")
    newest = audit_record(action="koreplan.test.second")

    call_command("audit", "verify")

    out = capsys.readouterr().out
    assert "intact: 2 entries" in out
    assert newest.hash in out


def test_audit_verify_on_an_empty_log():
    assert AuditEntry.objects.count() == 0
    call_command("audit", "verify")


def test_audit_verify_exits_1_naming_the_first_broken_link():
    audit_record(action="koreplan.test.first")
    first_tampered = audit_record(action="koreplan.case.viewed", case_id=1)
    second_tampered = audit_record(action="koreplan.case.viewed", case_id=2)
    with behind_the_applications_back():
        AuditEntry.objects.filter(pk__in=[first_tampered.pk, second_tampered.pk]).update(case_id=3)

    with pytest.raises(CommandError) as error:
        call_command("audit", "verify", "--chunk-size", "1")

    assert error.value.returncode == 1
    message = str(error.value)
    assert f"entry {first_tampered.pk} (" in message
    assert f"{timezone.localtime(first_tampered.created_at):%Y-%m-%d %H:%M:%S}" in message
    assert "personal data" in message


def test_audit_verify_refuses_a_chunk_size_below_one():
    with pytest.raises(CommandError, match="--chunk-size"):
        call_command("audit", "verify", "--chunk-size", "0")


# -- PostgreSQL: the database itself refuses ---------------------------------------------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)


@postgresql_only
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditentry SET action = 'koreplan.test.undone' WHERE id = %s",
        "UPDATE audit_auditentry SET client_id = 8 WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ],
)
def test_postgresql_refuses_to_change_or_delete_an_entry_for_any_role(statement):
    from django.db import DatabaseError, transaction

    entry = audit_record(action="koreplan.test.done", client_id=7)
    with pytest.raises(DatabaseError, match="never"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [entry.pk])
    entry.refresh_from_db()
    assert (entry.action, entry.client_id) == ("koreplan.test.done", 7)


@postgresql_only
@pytest.mark.parametrize(
    "assignment",
    [
        "hash = repeat('0', 64)",
        "personal_digest = repeat('0', 64)",
        "action = 'koreplan.test.undone'",
        "client_id = NULL",  # personal, but without marking the entry pseudonymised
    ],
)
def test_postgresql_maintenance_mode_allows_only_pseudonymisation(assignment):
    from django.db import DatabaseError, transaction

    entry = audit_record(action="koreplan.test.done", client_id=7)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('koreplan.audit_maintenance', 'on', true)")
        cursor.execute(f"UPDATE audit_auditentry SET {assignment} WHERE id = %s", [entry.pk])
    assert audit_chain_verify() is None


@postgresql_only
@pytest.mark.django_db(transaction=True)  # SET LOCAL ends with the real transaction, not a savepoint
def test_postgresql_maintenance_setting_ends_with_its_transaction():
    from django.db import DatabaseError, transaction

    entry = audit_record(action="koreplan.test.done", client_id=7)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('koreplan.audit_maintenance', 'on', true)")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET client_id = NULL, personal_salt = '', pseudonymised_at = now() WHERE id = %s",
            [entry.pk],
        )
