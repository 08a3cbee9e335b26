"""Unanswered requests are reminded and escalated after the days a local collaboration
agreement sets (or 7 and 14), once each — and not once the municipality has answered."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from koreplan.audit.models import AuditEntry
from koreplan.coordination import selectors, services
from koreplan.coordination.models import CollaborationAgreement, RequestReminder
from koreplan.coordination.tasks import remind_unanswered_requests
from koreplan.notifications.models import Notification

from .conftest import COPENHAGEN, coordination_input

pytestmark = pytest.mark.django_db

SENT = date(2026, 11, 24)


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=COPENHAGEN)


@pytest.fixture
def anmodning(sag, plan, samtykke, indgang, socialraadgiver, guldborgsund):
    with time_machine.travel(at(SENT), tick=False):
        inp = coordination_input(guldborgsund)
        draft = services.request_preview(actor=socialraadgiver, case=sag, inp=inp)
        return services.request_send(actor=socialraadgiver, case=sag, inp=inp, digest=draft.digest)


def due(day: date) -> list[tuple[int, str]]:
    return [(r.pk, kind) for r, kind, _ in selectors.requests_due_for_reminder(day)]


def test_by_default_a_reminder_after_7_days_and_an_escalation_after_14(anmodning, kommune, socialraadgiver):
    assert due(SENT + timedelta(days=6)) == []
    assert due(SENT + timedelta(days=7)) == [(anmodning.pk, "reminder")]
    with time_machine.travel(at(SENT + timedelta(days=7), 2), tick=False):
        assert services.requests_remind() == 1
        assert services.requests_remind() == 0  # once
    assert Notification.objects.filter(recipient=kommune, kind="reminder").count() == 1
    assert due(SENT + timedelta(days=13)) == []
    assert due(SENT + timedelta(days=14)) == [(anmodning.pk, "escalation")]
    with time_machine.travel(at(SENT + timedelta(days=14), 2), tick=False):
        assert remind_unanswered_requests.call() == 1
    assert Notification.objects.filter(recipient=kommune, kind="escalation").count() == 1
    assert Notification.objects.filter(recipient=socialraadgiver, kind="escalation").count() == 1
    assert set(anmodning.reminders.values_list("kind", flat=True)) == {"reminder", "escalation"}
    actions = set(AuditEntry.objects.filter(object_id=str(anmodning.pk)).values_list("action", flat=True))
    assert {"koreplan.coordination.request.reminded", "koreplan.coordination.request.escalated"} <= actions


def test_the_local_agreement_sets_the_days(anmodning, faengsel, guldborgsund):
    CollaborationAgreement.objects.create(institution=faengsel, municipality=guldborgsund, remind_after_days=3, escalate_after_days=5)
    assert due(SENT + timedelta(days=2)) == []
    assert due(SENT + timedelta(days=3)) == [(anmodning.pk, "reminder")]
    assert due(SENT + timedelta(days=5)) == [(anmodning.pk, "reminder"), (anmodning.pk, "escalation")]
    assert selectors.agreement_days(institution_id=faengsel.pk, municipality_id=guldborgsund.pk) == (3, 5)


def test_a_night_missed_is_caught_up(anmodning):
    with time_machine.travel(at(SENT + timedelta(days=20), 2), tick=False):
        assert services.requests_remind() == 2
    assert [r.due_on for r in anmodning.reminders.order_by("kind")] == [SENT + timedelta(days=14), SENT + timedelta(days=7)]


def test_an_answered_request_is_not_reminded(anmodning, kommune, sagsbehandler):
    services.request_open(actor=kommune, req=anmodning)
    assert due(SENT + timedelta(days=7)) == [(anmodning.pk, "reminder")]  # received is not answered
    services.request_route(actor=kommune, req=anmodning, department=sagsbehandler.department, caseworker=sagsbehandler)
    assert due(SENT + timedelta(days=30)) == []


def test_a_request_awaiting_approval_is_not_reminded(sag, plan, indgang, socialraadgiver, guldborgsund):
    with time_machine.travel(at(SENT), tick=False):
        inp = coordination_input(guldborgsund, legal_basis="dbl_8_2_3", justification="x")
        draft = services.request_preview(actor=socialraadgiver, case=sag, inp=inp)
        services.request_send(actor=socialraadgiver, case=sag, inp=inp, digest=draft.digest)
    assert due(SENT + timedelta(days=30)) == []


def test_the_command_runs_or_enqueues_it(anmodning):
    out = StringIO()
    with time_machine.travel(at(SENT + timedelta(days=8), 2), tick=False):
        call_command("remind_municipal_requests", stdout=out)
    assert "Sent 1" in out.getvalue()
    assert RequestReminder.objects.count() == 1
