"""Pseudonymisation of old entries, and the re-sealing of the chain in migration 0002."""

import importlib
from datetime import UTC, datetime

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.test import RequestFactory

from koreplan.audit.models import GENESIS_HASH, AuditEntry
from koreplan.audit.pseudonyms import pseudonym
from koreplan.audit.selectors import audit_chain_verify
from koreplan.audit.services import audit_pseudonymise, audit_record, audit_retention_cutoff
from koreplan.audit.tasks import pseudonymise_old_audit_entries
from koreplan.audit.tests.helpers import behind_the_applications_back

pytestmark = pytest.mark.django_db


def _old_and_new(socialraadgiver):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.7", HTTP_USER_AGENT="Firefox")
    request.user = socialraadgiver
    with time_machine.travel(datetime(2020, 3, 1, 10, tzinfo=UTC), tick=False):
        old = audit_record(
            action="koreplan.case.searched", request=request, case_id=4, client_id=7,
            purpose="Klage fra borgeren", data={"query": "Hansen", "case_ids": [4, 5], "results": 2, "all": True},
        )
    with time_machine.travel(datetime(2026, 3, 1, 10, tzinfo=UTC), tick=False):
        new = audit_record(action="koreplan.case.viewed", request=request, case_id=4, client_id=7)
    return old, new


def test_old_entries_are_pseudonymised_and_the_chain_still_verifies(socialraadgiver, settings):
    settings.AUDIT_RETENTION_YEARS = 5
    old, new = _old_and_new(socialraadgiver)

    with time_machine.travel(datetime(2026, 6, 1, tzinfo=UTC), tick=False):
        count = audit_pseudonymise(before=audit_retention_cutoff())

    assert count == 1
    old.refresh_from_db()
    new.refresh_from_db()
    # Pseudonymised, not deleted: the pseudonyms are the keyed ones of the same values.
    assert (old.client_id, old.case_id, old.ip_address) == (None, None, None)
    assert old.client_pseudonym == pseudonym("client", 7)
    assert old.case_pseudonym == pseudonym("case", 4)
    assert old.purpose == pseudonym("purpose", "Klage fra borgeren")
    assert old.user_agent == pseudonym("user_agent", "Firefox")
    assert set(old.data) == {"query", "case_ids", "results", "all"}
    assert old.data["query"] == pseudonym("data.query", "Hansen")
    assert old.data["case_ids"] == [pseudonym("data.case_ids", 4), pseudonym("data.case_ids", 5)]
    assert old.data["all"] is True
    assert old.personal_salt == ""
    assert old.pseudonymised_at is not None
    # Who did it stays: that is the log's point.
    assert (old.actor, old.action) == (socialraadgiver, "koreplan.case.searched")
    # The newer entry is untouched.
    assert (new.client_id, new.case_id, new.ip_address, new.pseudonymised_at) == (7, 4, "10.0.0.7", None)
    assert audit_chain_verify(chunk_size=1) is None
    run = AuditEntry.objects.get(action="koreplan.audit.pseudonymised")
    assert run.data["entries"] == 1


def test_pseudonymisation_runs_in_chunks_and_once(socialraadgiver):
    with time_machine.travel(datetime(2019, 1, 1, tzinfo=UTC), tick=False):
        for n in range(5):
            audit_record(action="koreplan.case.viewed", case_id=n, client_id=n)

    assert audit_pseudonymise(before=datetime(2020, 1, 1, tzinfo=UTC), chunk_size=2) == 5
    assert audit_pseudonymise(before=datetime(2020, 1, 1, tzinfo=UTC), chunk_size=2) == 0
    assert AuditEntry.objects.filter(action="koreplan.audit.pseudonymised").count() == 1
    assert audit_chain_verify() is None


def test_a_pseudonymised_entry_whose_pseudonym_is_changed_keeps_the_chain_but_not_a_new_salt(socialraadgiver):
    old, _new = _old_and_new(socialraadgiver)
    audit_pseudonymise(before=datetime(2021, 1, 1, tzinfo=UTC))
    with behind_the_applications_back():
        AuditEntry.objects.filter(pk=old.pk).update(personal_salt="0" * 32)
    assert audit_chain_verify().reason == "the entry is marked pseudonymised but still has its salt"


def test_the_nightly_task_and_the_command_use_the_retention_setting(socialraadgiver, settings):
    old, new = _old_and_new(socialraadgiver)
    settings.AUDIT_RETENTION_YEARS = 10
    with time_machine.travel(datetime(2026, 6, 1, tzinfo=UTC), tick=False):
        assert pseudonymise_old_audit_entries.call() == 0
        settings.AUDIT_RETENTION_YEARS = 5
        call_command("audit", "pseudonymise")
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.pseudonymised_at is not None
    assert new.pseudonymised_at is None


def test_retention_cutoff_handles_29_february(settings):
    settings.AUDIT_RETENTION_YEARS = 5
    assert audit_retention_cutoff(now=datetime(2028, 2, 29, 12, tzinfo=UTC)) == datetime(2023, 2, 28, 12, tzinfo=UTC)


# -- migration 0002: re-sealing the chain made with the old formula ---------------------------

_migration = importlib.import_module("koreplan.audit.migrations.0002_personal_digest")


def _old_formula_entries(n: int) -> list[AuditEntry]:
    prev = GENESIS_HASH
    entries = []
    for i in range(n):
        entry = AuditEntry(
            created_at=datetime(2026, 1, 1, 9, i, tzinfo=UTC), action="koreplan.case.viewed", case_id=i,
            client_id=i, data={"n": i}, prev_hash=prev, personal_digest="",
        )
        entry.hash = _migration._old_hash(entry)
        entry.save()
        prev = entry.hash
        entries.append(entry)
    return entries


def test_the_migration_reseals_an_intact_old_chain():
    _old_formula_entries(5)
    assert audit_chain_verify() is not None  # the old formula does not verify as the new one

    with behind_the_applications_back():
        _migration.reseal(apps, None)

    assert audit_chain_verify() is None


def test_the_migration_refuses_to_reseal_a_broken_old_chain():
    entries = _old_formula_entries(3)
    with behind_the_applications_back():
        AuditEntry.objects.filter(pk=entries[1].pk).update(client_id=99)
        with pytest.raises(RuntimeError, match=f"broken at entry {entries[1].pk}"):
            _migration.reseal(apps, None)

