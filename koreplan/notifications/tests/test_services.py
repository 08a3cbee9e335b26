"""notify(): in the caller's transaction, once per event, as the recipient prefers; the
hand-over services that call it; and the daily digest."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy, override
from django_tasks_db.models import DBTaskResult

from koreplan.cases import services as case_services
from koreplan.cases.models import Handover
from koreplan.cases.tests.factories import open_case
from koreplan.notifications import services
from koreplan.notifications.models import (
    Kind,
    Notification,
    NotificationPreference,
    OutboxMessage,
)
from koreplan.notifications.selectors import email_preferences

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
TODAY = date(2026, 11, 24)


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=COPENHAGEN)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(at(TODAY), tick=False):
        yield


def tell(*users, kind=Kind.REQUEST_RECEIVED, key="", **kwargs):
    return services.notify(
        recipients=users, kind=kind, subject="Ny anmodning", body="Om Jens Hansen", url="/sager/1/", dedupe_key=key,
        **kwargs,
    )


# --- notify ---------------------------------------------------------------------------------


def test_a_notification_and_an_email_for_each_recipient(socialraadgiver, kollega):
    made = tell(socialraadgiver, kollega, socialraadgiver, key="request:1:received")

    assert [n.recipient for n in made] == [socialraadgiver, kollega]  # the repeat counted once
    assert Notification.objects.count() == 2
    messages = OutboxMessage.objects.order_by("id")
    assert [m.to_address for m in messages] == [socialraadgiver.email, kollega.email]
    assert [m.dedupe_key for m in messages] == [
        f"request:1:received#{socialraadgiver.pk}",
        f"request:1:received#{kollega.pk}",
    ]
    assert {m.status for m in messages} == {OutboxMessage.Status.PENDING}


def test_the_email_carries_the_subject_and_a_link_never_the_body(socialraadgiver, settings):
    settings.SITE_URL = "https://koreplan.example.dk"
    (notification,) = tell(socialraadgiver)

    message = OutboxMessage.objects.get()
    assert message.subject == "Køreplan: Ny anmodning"
    assert f"https://koreplan.example.dk/meddelelser/{notification.pk}/" in message.body
    assert "Jens Hansen" not in message.body  # the client is named in the application only
    assert notification.body == "Om Jens Hansen"


def test_in_a_transaction_that_rolls_back_nothing_is_recorded_or_sent(socialraadgiver, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        tell(socialraadgiver, key="request:1:received")
        raise RuntimeError("the caller fails after notifying")

    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert callbacks == []  # and no worker was woken
    assert not DBTaskResult.objects.exists()


def test_once_committed_a_worker_is_woken_once(socialraadgiver, kollega, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tell(socialraadgiver, kollega)
    with django_capture_on_commit_callbacks(execute=True):
        tell(socialraadgiver)

    assert DBTaskResult.objects.filter(task_path="koreplan.notifications.tasks.deliver_outbox").count() == 1


def test_the_same_event_twice_gives_one_message(socialraadgiver):
    assert len(tell(socialraadgiver, key="handover:7:requested")) == 1
    assert tell(socialraadgiver, key="handover:7:requested") == []

    assert Notification.objects.count() == 1
    assert OutboxMessage.objects.count() == 1


def test_a_race_lost_on_the_unique_key_leaves_the_callers_transaction_usable(socialraadgiver, monkeypatch):
    tell(socialraadgiver, key="handover:7:requested")
    # As if a concurrent transaction committed the same event between check and insert.
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    with transaction.atomic():
        assert tell(socialraadgiver, key="handover:7:requested") == []
        tell(socialraadgiver, key="handover:8:requested")  # the caller carries on
    assert Notification.objects.count() == 2
    assert OutboxMessage.objects.count() == 2


def test_without_a_key_every_call_is_an_event(socialraadgiver):
    tell(socialraadgiver)
    tell(socialraadgiver)
    assert OutboxMessage.objects.count() == 2


def test_lazy_texts_are_rendered_in_danish_whoever_asks(socialraadgiver):
    with override("en"):
        services.notify(
            recipients=[socialraadgiver],
            kind=Kind.HANDOVER_ACCEPTED,
            subject=format_lazy(gettext_lazy("Your hand-over was accepted by {receiver}"), receiver="KiF"),
            body="",
        )
    assert Notification.objects.get().subject == "Din overdragelse er accepteret af KiF"


def test_an_unknown_kind_is_refused(socialraadgiver):
    with pytest.raises(ValueError):
        tell(socialraadgiver, kind="gossip")


# --- preferences -----------------------------------------------------------------------------


def test_every_kind_is_emailed_by_default(socialraadgiver):
    assert all(email_preferences(user=socialraadgiver).values())


def test_a_kind_turned_off_is_shown_in_the_application_only(socialraadgiver, kollega):
    services.notification_preferences_set(user=socialraadgiver, email_kinds=[Kind.DIGEST])

    tell(socialraadgiver, kollega, kind=Kind.REQUEST_RECEIVED)
    tell(socialraadgiver, kind=Kind.DIGEST)

    assert Notification.objects.filter(recipient=socialraadgiver).count() == 2
    assert list(OutboxMessage.objects.values_list("to_address", "kind").order_by("id")) == [
        (kollega.email, Kind.REQUEST_RECEIVED),
        (socialraadgiver.email, Kind.DIGEST),
    ]
    assert NotificationPreference.objects.filter(user=socialraadgiver).count() == len(Kind)


def test_no_email_without_an_address_or_for_a_deactivated_user(socialraadgiver, kollega):
    socialraadgiver.email = ""
    socialraadgiver.save()
    kollega.is_active = False
    kollega.save()

    tell(socialraadgiver, kollega)

    assert Notification.objects.count() == 2
    assert not OutboxMessage.objects.exists()


def test_a_change_of_preferences_is_audited(socialraadgiver):
    from koreplan.audit.models import AuditEntry

    services.notification_preferences_set(user=socialraadgiver, email_kinds=[])
    entry = AuditEntry.objects.get(action="koreplan.notification_preferences.changed")
    assert entry.actor == socialraadgiver
    assert entry.data["email"][Kind.DIGEST] is False


# --- the hand-overs ---------------------------------------------------------------------------


@pytest.fixture
def sag(socialraadgiver, guldborgsund):
    return open_case(actor=socialraadgiver, municipality=guldborgsund)


def test_a_handover_to_another_institution_tells_its_plan_holders(sag, socialraadgiver, fremmed, kollega):
    handover = case_services.handover_request(
        actor=socialraadgiver, case=sag, kind=Handover.Kind.INSTITUTION, to_organisation=fremmed.organisation,
        message="Overførsel til åben afdeling",
    )

    (notification,) = Notification.objects.all()
    assert notification.recipient == fremmed
    assert notification.kind == Kind.HANDOVER_REQUESTED
    assert notification.case_id == sag.pk
    assert notification.url == "/overdragelser/"
    assert "Jens Hansen" in notification.body and "Overførsel til åben afdeling" in notification.body
    assert "Jens Hansen" not in notification.subject  # the subject is e-mailed
    assert OutboxMessage.objects.get().dedupe_key == f"handover:{handover.pk}:requested#{fremmed.pk}"


def test_a_handover_to_a_named_colleague_tells_only_them(sag, socialraadgiver, kollega, leder):
    case_services.handover_request(
        actor=socialraadgiver, case=sag, kind=Handover.Kind.PERSON, to_organisation=sag.holding_organisation,
        to_user=kollega,
    )
    assert list(Notification.objects.values_list("recipient", flat=True)) == [kollega.pk]


def test_the_sender_hears_that_the_handover_was_accepted(sag, socialraadgiver, fremmed):
    handover = case_services.handover_request(
        actor=socialraadgiver, case=sag, kind=Handover.Kind.INSTITUTION, to_organisation=fremmed.organisation
    )
    case_services.handover_accept(actor=fremmed, handover=handover)

    notification = Notification.objects.get(recipient=socialraadgiver)
    assert notification.kind == Kind.HANDOVER_ACCEPTED
    assert notification.url == f"/sager/{sag.pk}/"


def test_the_sender_hears_that_the_handover_was_returned_and_why(sag, socialraadgiver, fremmed):
    handover = case_services.handover_request(
        actor=socialraadgiver, case=sag, kind=Handover.Kind.INSTITUTION, to_organisation=fremmed.organisation
    )
    case_services.handover_return(actor=fremmed, handover=handover, reason="Ingen plads før januar")

    notification = Notification.objects.get(recipient=socialraadgiver)
    assert notification.kind == Kind.HANDOVER_RETURNED
    assert "Ingen plads før januar" in notification.body


def test_a_handover_request_that_fails_tells_no_one(sag, socialraadgiver, fremmed):
    case_services.handover_request(
        actor=socialraadgiver, case=sag, kind=Handover.Kind.INSTITUTION, to_organisation=fremmed.organisation
    )
    with pytest.raises(Exception):  # noqa: B017 - one pending at a time
        case_services.handover_request(
            actor=socialraadgiver, case=sag, kind=Handover.Kind.INSTITUTION, to_organisation=fremmed.organisation
        )
    assert Notification.objects.count() == 1


# --- the daily digest ------------------------------------------------------------------------


def test_the_digest_lists_tasks_overdue_and_due_within_14_days(sag, socialraadgiver):
    notification = services.digest_send(user=socialraadgiver)

    assert notification.kind == Kind.DIGEST
    assert notification.url == "/opgaver/"
    overdue = sag.tasks.filter(completed_on__isnull=True, due_on__lt=TODAY)
    soon = sag.tasks.filter(completed_on__isnull=True, due_on__gte=TODAY, due_on__lte=TODAY + timedelta(days=14))
    later = sag.tasks.filter(completed_on__isnull=True, due_on__gt=TODAY + timedelta(days=14))
    assert overdue.exists() or soon.exists()
    for task in [*overdue, *soon]:
        assert task.title_da in notification.body
    for task in later:
        assert task.title_da not in notification.body
    assert "Jens Hansen" in notification.body
    message = OutboxMessage.objects.get()
    assert message.dedupe_key == f"digest:{socialraadgiver.pk}:{TODAY.isoformat()}#{socialraadgiver.pk}"
    assert "Jens Hansen" not in message.body + message.subject


def test_one_digest_a_day(sag, socialraadgiver, kollega):
    assert services.digests_send() == 1  # Kasper has no tasks: no digest
    with time_machine.travel(at(TODAY, 17), tick=False):
        assert services.digests_send() == 0
    assert Notification.objects.filter(kind=Kind.DIGEST).count() == 1

    with time_machine.travel(at(TODAY + timedelta(days=1), 6), tick=False):
        assert services.digests_send() == 1
    assert OutboxMessage.objects.filter(kind=Kind.DIGEST).count() == 2


def test_no_digest_without_tasks(socialraadgiver):
    assert services.digest_send(user=socialraadgiver) is None
    assert not Notification.objects.exists()
