from datetime import date

import pytest
from django.test import RequestFactory

from koreplan.audit.models import GENESIS_HASH, AuditEntry, AuditEntryImmutable
from koreplan.audit.selectors import audit_chain_verify
from koreplan.audit.services import audit_record

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


def test_an_intact_chain_verifies_after_a_round_trip_through_the_database(admin):
    for n in range(5):
        audit_record(
            action="koreplan.test.done", actor=admin, data={"n": n, "on": date(2027, 1, 1)}
        )
    assert audit_chain_verify() is None


def test_verify_finds_an_entry_changed_behind_the_applications_back():
    audit_record(action="koreplan.test.first")
    tampered = audit_record(action="koreplan.consent.given", data={"scope": "plan"})
    audit_record(action="koreplan.test.third")

    AuditEntry.objects.filter(pk=tampered.pk).update(data={"scope": "everything"})

    assert audit_chain_verify() == tampered


def test_verify_finds_the_gap_where_an_entry_was_removed():
    audit_record(action="koreplan.test.first")
    removed = audit_record(action="koreplan.test.second")
    after = audit_record(action="koreplan.test.third")

    AuditEntry.objects.filter(pk=removed.pk)._raw_delete(using="default")

    assert audit_chain_verify() == after


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
