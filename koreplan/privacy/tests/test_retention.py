"""Retention of closed cases: anonymised or deleted a configurable time after closing."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command

from koreplan.audit.models import AuditEntry
from koreplan.audit.selectors import audit_chain_verify
from koreplan.cases import services as case_services
from koreplan.cases.models import Case, Client, Handover, JournalEntry, Stay, Task
from koreplan.cases.tests.factories import open_case
from koreplan.consent.models import Consent
from koreplan.plans.models import PlanVersion
from koreplan.privacy.models import CaseRetention
from koreplan.privacy.selectors import related_tree
from koreplan.privacy.services import _is_personal_text, case_retention_apply
from koreplan.privacy.tasks import apply_closed_case_retention

pytestmark = pytest.mark.django_db

CLOSED = datetime(2020, 6, 1, 10, tzinfo=UTC)
SIX_YEARS_LATER = datetime(2026, 6, 2, 10, tzinfo=UTC)


@pytest.fixture
def closed_case(socialraadgiver, guldborgsund, request):
    with time_machine.travel(CLOSED, tick=False):
        case = request.getfixturevalue("sag")
        case_services.case_close(actor=socialraadgiver, case=case)
    return case


@pytest.fixture(autouse=True)
def _five_years(settings):
    settings.CLOSED_CASE_RETENTION_YEARS = 5
    settings.CLOSED_CASE_RETENTION_MODE = "anonymise"


def test_a_case_closed_less_than_the_retention_period_ago_is_left_alone(closed_case):
    with time_machine.travel(datetime(2025, 5, 31, tzinfo=UTC), tick=False):
        assert case_retention_apply() == {"anonymised": 0, "deleted": 0}
    closed_case.client.refresh_from_db()
    assert closed_case.client.first_name == "Jens"


def test_an_old_closed_case_is_anonymised_with_its_client_and_audited(closed_case, client, admin):
    cpr = closed_case.client.cpr
    with time_machine.travel(SIX_YEARS_LATER, tick=False):
        assert case_retention_apply() == {"anonymised": 1, "deleted": 0}

    person = Client.objects.get(pk=closed_case.client_id)
    assert (person.first_name, person.last_name) == ("Anonymiseret", "")
    assert person.cpr != cpr and not person.cpr.isdigit()
    assert (person.birth_date.month, person.birth_date.day) == (1, 1)
    assert JournalEntry.objects.get(case=closed_case).text == "[anonymiseret]"
    assert Consent.objects.get(client=person).note == "[anonymiseret]"
    # Codes, dates and statuses stay: the case still counts in statistics.
    case = Case.objects.get(pk=closed_case.pk)
    assert (case.status, case.closed_at) == (Case.Status.CLOSED, closed_case.closed_at)
    record = CaseRetention.objects.get(case_id=case.pk)
    assert record.mode == CaseRetention.Mode.ANONYMISED
    entry = AuditEntry.objects.get(action="koreplan.privacy.case_anonymised")
    assert (entry.case_id, entry.client_id, entry.data["client_anonymised"]) == (case.pk, person.pk, True)
    assert audit_chain_verify() is None
    # Once only.
    with time_machine.travel(SIX_YEARS_LATER, tick=False):
        assert case_retention_apply() == {"anonymised": 0, "deleted": 0}
    # The administrators' pages still show the anonymised case.
    client.force_login(admin)
    assert client.get(f"/sager/{case.pk}/").status_code == 200
    assert client.get(f"/persondata/{person.pk}/indsigt.json").status_code == 200


def test_the_client_keeps_their_name_while_another_case_is_open(closed_case, socialraadgiver, guldborgsund):
    with time_machine.travel(SIX_YEARS_LATER, tick=False):
        open_case(actor=socialraadgiver, municipality=guldborgsund, client=closed_case.client)
        case_retention_apply()
    person = Client.objects.get(pk=closed_case.client_id)
    assert person.first_name == "Jens"
    assert JournalEntry.objects.get(case=closed_case).text == "[anonymiseret]"
    assert AuditEntry.objects.get(action="koreplan.privacy.case_anonymised").data["client_anonymised"] is False


def test_anonymising_replaces_every_personal_text_and_keeps_the_rules_of_the_rows(
    socialraadgiver, fremmed, andet_faengsel, guldborgsund, request
):
    """Short text too (a stay's note), and a returned hand-over still has a reason (the
    database insists), so the nightly run does not stop at it."""
    with time_machine.travel(CLOSED, tick=False):
        case = request.getfixturevalue("sag")
        handover = case_services.handover_request(
            actor=socialraadgiver, case=case, kind="institution", to_organisation=andet_faengsel,
            message="Jens ønsker at komme tæt på sin søster.",
        )
        case_services.handover_return(actor=fremmed, handover=handover, reason="Ingen plads til Jens Hansen.")
        Stay.objects.filter(case=case).update(note="Bor hos Karin Hansen, Storegade 1")
        case_services.case_close(actor=socialraadgiver, case=case)
    with time_machine.travel(SIX_YEARS_LATER, tick=False):
        assert case_retention_apply() == {"anonymised": 1, "deleted": 0}

    handover = Handover.objects.get(pk=handover.pk)
    assert (handover.status, handover.answer_reason, handover.message) == ("returned", "[anonymiseret]", "[anonymiseret]")
    assert set(Stay.objects.filter(case=case).values_list("note", flat=True)) == {"[anonymiseret]"}
    for obj in related_tree(Case.objects.get(pk=case.pk)):
        for field in obj._meta.concrete_fields:
            value = getattr(obj, field.attname)
            if _is_personal_text(obj, field):
                assert value in ("", "[anonymiseret]"), f"{obj._meta.label}.{field.name} = {value!r}"
            elif isinstance(value, str):
                assert "Jens" not in value and "Karin" not in value, f"{obj._meta.label}.{field.name} = {value!r}"
    # Codes are kept: the tasks still say what they were.
    assert Task.objects.filter(case=case, obligation_id="first_plan").exists()


def test_in_delete_mode_the_case_and_client_are_deleted_and_the_log_stays(closed_case, settings):
    settings.CLOSED_CASE_RETENTION_MODE = "delete"
    entries_before = AuditEntry.objects.filter(case_id=closed_case.pk).count()
    with time_machine.travel(SIX_YEARS_LATER, tick=False):
        assert apply_closed_case_retention.call() == {"anonymised": 0, "deleted": 1}

    assert not Case.objects.filter(pk=closed_case.pk).exists()
    assert not Client.objects.filter(pk=closed_case.client_id).exists()
    assert not PlanVersion.objects.filter(plan__case_id=closed_case.pk).exists()
    assert not Consent.objects.filter(client_id=closed_case.client_id).exists()
    assert AuditEntry.objects.filter(case_id=closed_case.pk).count() == entries_before + 1
    deleted = AuditEntry.objects.get(action="koreplan.privacy.case_deleted")
    assert deleted.data["client_deleted"] is True
    assert CaseRetention.objects.get(case_id=closed_case.pk).mode == CaseRetention.Mode.DELETED
    assert audit_chain_verify() is None


def test_the_command_reports_and_can_choose_the_mode(closed_case, capsys):
    with time_machine.travel(SIX_YEARS_LATER, tick=False):
        call_command("case_retention", "--dry-run")
        assert "1 closed cases are due" in capsys.readouterr().out
        call_command("case_retention", "--mode", "delete")
    assert "deleted 1" in capsys.readouterr().out
    assert not Case.objects.filter(pk=closed_case.pk).exists()


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode"):
        case_retention_apply(mode="shred")
