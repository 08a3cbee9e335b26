"""The newest change of each case and client (``LastChange``), which keys the pages kept
for them (koreplan.web.page_cache)."""

import pytest
from django.db import transaction

from koreplan.audit.models import LastChange
from koreplan.audit.selectors import last_changes
from koreplan.audit.services import audit_record, is_read

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("action", [
    "koreplan.case.viewed", "koreplan.case.searched", "koreplan.api.case_read", "koreplan.dashboard.cases_listed",
    "koreplan.privacy.person_log_exported", "koreplan.consent.form_printed", "koreplan.release.invitation_downloaded",
])
def test_reads_are_told_by_their_last_word(action):
    assert is_read(action)


@pytest.mark.parametrize("action", [
    "koreplan.task.completed", "koreplan.journal.entry_added", "koreplan.consent.given", "koreplan.case.facts_updated",
    "koreplan.plan_version.pdf_made", "koreplan.something.new",
])
def test_anything_else_is_a_change(action):
    assert not is_read(action)


def test_a_change_becomes_the_last_change_of_its_case_and_client(socialraadgiver):
    assert last_changes(case_ids=[42], client_ids=[7]) == []
    first = audit_record(action="koreplan.task.completed", actor=socialraadgiver, case_id=42, client_id=7)
    assert last_changes(case_ids=[42], client_ids=[7]) == [("case", 42, first.pk), ("client", 7, first.pk)]
    second = audit_record(action="koreplan.consent.given", actor=socialraadgiver, client_id=7)
    assert last_changes(case_ids=[42], client_ids=[7]) == [("case", 42, first.pk), ("client", 7, second.pk)]
    assert LastChange.objects.count() == 2


def test_the_changes_of_many_are_read_at_once(socialraadgiver):
    entries = [
        audit_record(action="koreplan.task.completed", actor=socialraadgiver, case_id=case_id, client_id=case_id + 100)
        for case_id in (1, 2, 3)
    ]
    assert last_changes(case_ids=[3, 1], client_ids=[102]) == [
        ("case", 1, entries[0].pk), ("case", 3, entries[2].pk), ("client", 102, entries[1].pk),
    ]
    assert last_changes(case_ids=[], client_ids=[]) == []


def test_a_read_leaves_the_last_change_where_it_was(socialraadgiver):
    change = audit_record(action="koreplan.task.completed", actor=socialraadgiver, case_id=42, client_id=7)
    audit_record(action="koreplan.case.viewed", actor=socialraadgiver, case_id=42, client_id=7)
    assert last_changes(case_ids=[42], client_ids=[7]) == [("case", 42, change.pk), ("client", 7, change.pk)]


def test_another_case_has_its_own(socialraadgiver):
    audit_record(action="koreplan.task.completed", actor=socialraadgiver, case_id=42, client_id=7)
    assert last_changes(case_ids=[43], client_ids=[8]) == []


def test_a_change_rolled_back_moves_nothing(socialraadgiver):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="koreplan.task.completed", actor=socialraadgiver, case_id=42, client_id=7)
        raise RuntimeError("the service failed after recording")
    assert last_changes(case_ids=[42], client_ids=[7]) == []


def test_pseudonymising_an_entry_removes_it_as_anyone_s_last_change(socialraadgiver):
    """Else the link from the case to its newest entry would undo the entry's pseudonyms."""
    from datetime import timedelta

    from koreplan.audit.services import audit_pseudonymise

    old = audit_record(action="koreplan.task.completed", actor=socialraadgiver, case_id=42, client_id=7)
    new = audit_record(action="koreplan.task.completed", actor=socialraadgiver, case_id=43, client_id=8)
    assert audit_pseudonymise(before=old.created_at + timedelta(microseconds=1)) == 1
    assert last_changes(case_ids=[42, 43], client_ids=[7, 8]) == [("case", 43, new.pk), ("client", 8, new.pk)]
