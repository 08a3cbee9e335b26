"""Delivering the outbox: each message exactly once across workers, a dead worker's
messages taken over after the lease and not before, retries with backoff, and the real
database worker."""

from __future__ import annotations

import signal
import smtplib
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from koreplan.cases.tasks import recalculate_open_cases
from koreplan.notifications import delivery, services
from koreplan.notifications.models import Kind, OutboxMessage
from koreplan.notifications.tasks import deliver_outbox, send_daily_digests

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=COPENHAGEN)
Status = OutboxMessage.Status


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def later(traveller, **delta) -> None:
    traveller.move_to(NOW + timedelta(**delta))


def queue(*users, key="event:1") -> list[OutboxMessage]:
    services.notify(recipients=users, kind=Kind.REQUEST_RECEIVED, subject="Ny anmodning", body="", dedupe_key=key)
    return list(OutboxMessage.objects.order_by("id"))


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that is down (or, with `permanent`, refuses the address for good)."""

    permanent = False

    def send_messages(self, messages):
        if self.permanent:
            raise smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"No such user") for m in messages})
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class PermanentlyRefusingBackend(RefusingBackend):
    permanent = True


# --- exactly once ---------------------------------------------------------------------------


def test_each_message_is_sent_once_with_a_stable_message_id(socialraadgiver, kollega):
    queue(socialraadgiver, kollega)

    first = delivery.outbox_deliver(worker="worker-a")
    second = delivery.outbox_deliver(worker="worker-b")

    assert (first.sent, second.sent) == (2, 0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([socialraadgiver.email, kollega.email])
    for message in OutboxMessage.objects.all():
        assert message.status == Status.SENT
        assert message.sent_at == NOW
        assert (message.attempts, message.claimed_by, message.claimed_at) == (1, "", None)
    sent = {m.to[0]: m for m in mail.outbox}
    message = OutboxMessage.objects.get(to_address=socialraadgiver.email)
    assert sent[socialraadgiver.email].extra_headers["Message-ID"] == delivery.message_id(message)
    assert delivery.message_id(message) == f"<koreplan.outbox.{message.pk}.20261124080000@localhost>"


def test_a_message_claimed_by_one_worker_is_not_taken_by_another(socialraadgiver):
    queue(socialraadgiver)

    claimed = delivery.outbox_claim(worker="worker-a")
    assert [m.claimed_by for m in claimed] == ["worker-a"]
    assert delivery.outbox_claim(worker="worker-b") == []


def test_a_worker_that_died_after_claiming_leaves_the_message_to_the_next_after_the_lease(_now, socialraadgiver):
    (message,) = queue(socialraadgiver)
    delivery.outbox_claim(worker="dies-now")  # …and never sends

    # A fresh lease is respected: the next run leaves the message alone.
    later(_now, minutes=1)
    assert deliver_outbox.call()["sent"] == 0
    message.refresh_from_db()
    assert (message.status, message.claimed_by) == (Status.SENDING, "dies-now")
    assert mail.outbox == []

    # Once the lease has run out the next run takes it over and sends it — once.
    later(_now, minutes=1 + delivery.LEASE.total_seconds() / 60)
    assert deliver_outbox.call()["sent"] == 1
    assert deliver_outbox.call()["sent"] == 0
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts == 2  # the dead worker's claim counted
    assert len(mail.outbox) == 1


def test_a_worker_that_wakes_after_its_lease_ran_out_sends_nothing(_now, socialraadgiver):
    queue(socialraadgiver)
    (stalled,) = delivery.outbox_claim(worker="stalled")
    later(_now, minutes=delivery.LEASE.total_seconds() / 60 + 1)
    assert delivery.outbox_deliver(worker="next").sent == 1

    report = delivery.DeliveryReport()
    delivery._send_batch([stalled], report)  # the stalled worker resumes its batch

    assert (report.sent, report.lost) == (0, 0)
    assert len(mail.outbox) == 1
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == (Status.SENT, 2)  # its hand-back touched nothing


def test_a_slow_batch_hands_back_what_it_has_not_begun(_now, socialraadgiver, kollega):
    queue(socialraadgiver, kollega)
    claimed = delivery.outbox_claim(worker="slow")
    later(_now, minutes=delivery.LEASE.total_seconds() / 60 / 2 + 1)

    report = delivery.DeliveryReport()
    delivery._send_batch(claimed, report)

    assert report.sent == 0 and mail.outbox == []
    for message in OutboxMessage.objects.all():
        assert (message.status, message.attempts, message.claimed_by) == (Status.PENDING, 0, "")


# --- failures ----------------------------------------------------------------------------------


def test_a_failed_send_is_retried_with_backoff_then_given_up(_now, socialraadgiver, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    (message,) = queue(socialraadgiver)

    elapsed = timedelta()
    for attempt in range(1, delivery.MAX_ATTEMPTS):
        assert delivery.outbox_deliver().retrying == 1
        message.refresh_from_db()
        assert (message.status, message.attempts) == (Status.PENDING, attempt)
        assert message.next_attempt_at == NOW + elapsed + delivery.backoff(attempt)
        assert "SMTPServerDisconnected" in message.last_error
        assert delivery.outbox_deliver().retrying == 0  # not before its time
        elapsed += delivery.backoff(attempt)
        _now.move_to(NOW + elapsed)

    assert delivery.outbox_deliver().failed == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, delivery.MAX_ATTEMPTS)
    _now.move_to(NOW + elapsed + timedelta(days=30))
    assert delivery.outbox_deliver().failed == 0  # failed stays failed


def test_the_backoff_doubles_and_is_capped():
    assert [delivery.backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert delivery.backoff(30) == timedelta(hours=12)


def test_an_address_refused_for_good_fails_at_once(socialraadgiver, settings):
    settings.EMAIL_BACKEND = f"{__name__}.PermanentlyRefusingBackend"
    (message,) = queue(socialraadgiver)

    assert delivery.outbox_deliver().failed == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 1)


def test_the_admin_retry_sends_a_failed_message_again(socialraadgiver, admin, settings):
    settings.EMAIL_BACKEND = f"{__name__}.PermanentlyRefusingBackend"
    (message,) = queue(socialraadgiver)
    delivery.outbox_deliver()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    services.outbox_retry(actor=admin, message=message)
    assert delivery.outbox_deliver().sent == 1
    assert len(mail.outbox) == 1


def test_a_retry_reschedules_the_task_for_when_it_is_due(socialraadgiver, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    queue(socialraadgiver)

    result = deliver_outbox.call()

    assert result["retrying"] == 1
    (scheduled,) = DBTaskResult.objects.filter(task_path=deliver_outbox.module_path)
    assert scheduled.status == TaskResultStatus.READY
    assert scheduled.run_after == NOW + delivery.backoff(1)
    deliver_outbox.call()  # nothing due: no second one
    assert DBTaskResult.objects.filter(task_path=deliver_outbox.module_path).count() == 1


# --- scheduling and the real worker --------------------------------------------------------------


def test_schedule_outbox_enqueues_one_delivery_at_a_time():
    for _ in range(2):
        call_command("schedule_outbox", stdout=StringIO())
    assert DBTaskResult.objects.filter(task_path=deliver_outbox.module_path).count() == 1


def test_the_nightly_schedule_enqueues_a_delivery_and_leaves_the_digests_to_the_recalculation():
    for _ in range(2):
        call_command("schedule_nightly", stdout=StringIO())

    queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert not queued.filter(task_path=send_daily_digests.module_path).exists()
    assert queued.filter(task_path=deliver_outbox.module_path).count() == 1
    # Enqueued when the recalculation ends, the digests list the tasks as recalculated.
    recalculate_open_cases.call()
    assert queued.filter(task_path=send_daily_digests.module_path).count() == 1


def test_the_administrator_sees_the_outbox_and_retries_a_failed_message(client, admin, socialraadgiver, settings):
    settings.EMAIL_BACKEND = f"{__name__}.PermanentlyRefusingBackend"
    (message,) = queue(socialraadgiver)
    delivery.outbox_deliver()
    client.force_login(admin)

    assert client.get("/admin/notifications/outboxmessage/").status_code == 200
    assert client.get(f"/admin/notifications/outboxmessage/{message.pk}/change/").status_code == 200
    response = client.post(
        "/admin/notifications/outboxmessage/", {"action": "retry", "_selected_action": [message.pk]}
    )

    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 0)


def test_staff_without_the_admin_do_not_see_the_outbox(client, socialraadgiver):
    client.force_login(socialraadgiver)
    assert client.get("/admin/notifications/outboxmessage/").status_code == 302  # to the admin login


@pytest.fixture
def _restore_signals():
    # The worker installs its own SIGINT/SIGTERM handlers for a graceful shutdown.
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


# Committed for real: the worker claims its task and the messages in its own transactions.
@pytest.mark.django_db(transaction=True)
def test_the_database_worker_delivers_each_message_once(socialraadgiver, kollega, _restore_signals):
    queue(socialraadgiver, kollega)  # committed: notify's on-commit hook enqueued a delivery
    deliver_outbox.enqueue()  # and a sweep on top

    call_command("task_worker", "--batch", "--no-startup-delay", "--interval=0", verbosity=0)

    runs = DBTaskResult.objects.filter(task_path=deliver_outbox.module_path)
    assert runs.count() == 2
    assert all(run.status == TaskResultStatus.SUCCESSFUL for run in runs), [r.traceback for r in runs]
    assert sorted(run.return_value["sent"] for run in runs) == [0, 2]
    assert len(mail.outbox) == 2
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}


# Two workers at once, for real: PostgreSQL's row locks (SKIP LOCKED) keep their batches
# apart. SQLite has one writer at a time, which the tests above already cover.
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_workers_send_each_message_once(socialraadgiver, kollega, leder):
    from threading import Barrier, Thread

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED are PostgreSQL's")
    for event in range(10):
        queue(socialraadgiver, kollega, leder, key=f"event:{event}")
    start = Barrier(2)
    reports = {}

    def work(name: str) -> None:
        try:
            start.wait()
            reports[name] = delivery.outbox_deliver(worker=name, batch_size=2)
        finally:
            connections.close_all()

    threads = [Thread(target=work, args=(name,)) for name in ("worker-a", "worker-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(report.sent for report in reports.values()) == 30
    assert len(mail.outbox) == 30
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 30
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}
