"""The nightly recalculation: the task, the scheduler that enqueues it once a day, what it
enqueues when it ends (the notification digests and the dashboards' precomputation), and
the database worker that runs them."""

import signal
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django_tasks import TaskResultStatus, default_task_backend
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from koreplan.cases import services
from koreplan.cases.tasks import FOLLOW_UPS, recalculate_open_cases
from koreplan.dashboards.models import StoredFigures
from koreplan.dashboards.tasks import precompute_dashboard_figures
from koreplan.notifications.models import Kind, Notification, OutboxMessage
from koreplan.notifications.tasks import send_daily_digests

from .factories import open_case

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
TODAY = date(2026, 11, 24)


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=COPENHAGEN)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(at(TODAY, 2), tick=False):
        yield


@pytest.fixture
def sag(socialraadgiver, guldborgsund):
    return open_case(actor=socialraadgiver, municipality=guldborgsund)


def open_tasks(case) -> set[tuple[str, int, date]]:
    return set(case.tasks.filter(completed_on__isnull=True).values_list("obligation_id", "occurrence", "due_on"))


def recalculations():
    # The scheduler enqueues the notification digests and the outbox delivery as well.
    return DBTaskResult.objects.filter(task_path=recalculate_open_cases.module_path)


def runs(task):
    return DBTaskResult.objects.filter(task_path=task.module_path)


def precomputations():
    return runs(precompute_dashboard_figures)


def digest_runs():
    return runs(send_daily_digests)


def schedule() -> str:
    out = StringIO()
    call_command("schedule_nightly", stdout=out)
    return out.getvalue()


# --- the task -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_recalculation_puts_back_tasks_that_were_tampered_with(sag, socialraadgiver):
    expected = open_tasks(sag)
    assert expected
    closed = open_case(actor=socialraadgiver, municipality=sag.client.acting_municipality)
    services.case_close(actor=socialraadgiver, case=closed)
    # Someone deletes the open tasks behind the application's back, and moves a deadline.
    sag.tasks.filter(completed_on__isnull=True, obligation_id="first_plan").update(due_on=date(2030, 1, 1))
    sag.tasks.filter(completed_on__isnull=True).exclude(obligation_id="first_plan").delete()

    assert recalculate_open_cases.call() == 1  # the closed case is left alone

    assert open_tasks(sag) == expected


@pytest.mark.django_db
def test_the_recalculation_keeps_what_was_done(sag, socialraadgiver):
    intake = sag.tasks.get(obligation_id="intake_interview")
    services.task_complete(actor=socialraadgiver, task=intake, completed_on=TODAY, evidence="Holdt.")
    before = set(sag.tasks.values_list("obligation_id", "occurrence", "due_on", "completed_on"))

    assert recalculate_open_cases.call() == 1

    assert set(sag.tasks.values_list("obligation_id", "occurrence", "due_on", "completed_on")) == before


@pytest.mark.django_db
def test_enqueued_on_the_immediate_backend_the_task_runs_and_returns_the_count(sag, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    sag.tasks.filter(completed_on__isnull=True).delete()

    result = recalculate_open_cases.enqueue()

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 1
    assert sag.tasks.filter(completed_on__isnull=True).exists()
    # ... and what it enqueued ran on the spot, after it.
    assert StoredFigures.objects.filter(as_of=TODAY).exists()
    assert Notification.objects.filter(kind=Kind.DIGEST).exists()


# --- what follows the recalculation (the digests, the precomputation) --------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("follow_up", FOLLOW_UPS, ids=lambda follow_up: follow_up.task.name)
def test_the_recalculation_enqueues_what_follows_it_when_it_ends(sag, follow_up):
    assert not runs(follow_up.task).exists()

    recalculate_open_cases.call()

    assert runs(follow_up.task).get().status == TaskResultStatus.READY


@pytest.mark.django_db
@pytest.mark.parametrize("follow_up", FOLLOW_UPS, ids=lambda follow_up: follow_up.task.name)
def test_a_failed_recalculation_still_enqueues_what_follows_it_and_fails(sag, monkeypatch, follow_up):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "case_recalculate_open", broken)

    with pytest.raises(RuntimeError, match="went away"):
        recalculate_open_cases.call()

    # A digest of the tasks as they stand beats none (people rely on their morning digest);
    # figures a night stale beat the first manager computing them on the page.
    assert runs(follow_up.task).get().status == TaskResultStatus.READY


@pytest.mark.django_db
def test_when_a_follow_up_cannot_be_enqueued_the_recalculations_error_is_the_one_raised(sag, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the recalculation's own error")

    def unqueueable(*args, **kwargs):
        raise ConnectionError("the queue too")

    monkeypatch.setattr(services, "case_recalculate_open", broken)
    monkeypatch.setattr(DatabaseBackend, "enqueue", unqueueable)

    with pytest.raises(RuntimeError, match="own error"):
        recalculate_open_cases.call()


@pytest.mark.django_db
@pytest.mark.parametrize("refused", FOLLOW_UPS, ids=lambda follow_up: follow_up.task.name)
def test_a_follow_up_that_cannot_be_enqueued_holds_back_neither_the_others_nor_the_recalculation(
    sag, monkeypatch, refused
):
    enqueue = DatabaseBackend.enqueue

    def refusing(self, task, args, kwargs):
        if task.module_path == refused.task.module_path:
            raise ConnectionError("the queue refused")
        return enqueue(self, task, args, kwargs)

    monkeypatch.setattr(DatabaseBackend, "enqueue", refusing)

    # Done, so it counts as done: the scheduler repairs the missing follow-up (below).
    assert recalculate_open_cases.call() == 1

    enqueued = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert enqueued == {f.task.module_path for f in FOLLOW_UPS} - {refused.task.module_path}


# --- the scheduler: one a day ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_scheduler_enqueues_one_recalculation_a_day():
    assert "Enqueued" in schedule()
    assert "nothing enqueued" in schedule()  # cron retried, or a second machine
    assert recalculations().count() == 1
    queued = recalculations().get()
    assert queued.task_path == "koreplan.cases.tasks.recalculate_open_cases"
    assert queued.status == TaskResultStatus.READY

    # A worker runs it; later the same day the scheduler still adds nothing.
    queued.status = TaskResultStatus.SUCCESSFUL
    queued.save()
    with time_machine.travel(at(TODAY, 23), tick=False):
        assert "is done" in schedule()
    assert recalculations().count() == 1

    # The next night gets its own.
    with time_machine.travel(at(TODAY + timedelta(days=1), 2), tick=False):
        assert "Enqueued" in schedule()
        assert "nothing enqueued" in schedule()
    assert recalculations().count() == 2


@pytest.mark.django_db
def test_the_scheduler_leaves_the_precomputation_to_the_recalculation():
    # Enqueued beside the recalculation, a second worker would start it at once.
    assert "The recalculation enqueues the precomputation of the dashboards' figures when it ends" in schedule()
    assert recalculations().count() == 1
    assert not precomputations().exists()


@pytest.mark.django_db
def test_the_scheduler_leaves_the_digests_to_the_recalculation():
    # Enqueued beside it, a second worker would list the tasks as they stood yesterday.
    assert "The recalculation enqueues the daily digests when it ends" in schedule()
    assert "nothing enqueued" in schedule()  # cron retried: still none
    assert recalculations().count() == 1
    assert not digest_runs().exists()


@pytest.mark.django_db
def test_the_scheduler_repairs_a_failed_precomputation_after_a_recalculation_done_today():
    schedule()
    recalculations().update(status=TaskResultStatus.SUCCESSFUL)
    # The precomputation the recalculation enqueued when it ended failed.
    precompute_dashboard_figures.enqueue()
    precomputations().update(status=TaskResultStatus.FAILED)

    assert "Enqueued the precomputation of the dashboards' figures" in schedule()
    assert "The precomputation of the dashboards' figures enqueued 2026-11-24 02:00 is waiting" in schedule()
    assert recalculations().count() == 1
    assert precomputations().filter(status=TaskResultStatus.READY).count() == 1


@pytest.mark.django_db
def test_the_scheduler_repairs_failed_digests_after_a_recalculation_done_today():
    schedule()
    # Both failed: the recalculation enqueued again brings digests of its own, so none beside it.
    send_daily_digests.enqueue()
    DBTaskResult.objects.update(status=TaskResultStatus.FAILED)
    assert "The recalculation enqueues the daily digests when it ends" in schedule()
    assert not digest_runs().exclude(status=TaskResultStatus.FAILED).exists()

    # That one succeeded, but the digests it enqueued when it ended failed (or their worker died).
    recalculations().filter(status=TaskResultStatus.READY).update(status=TaskResultStatus.SUCCESSFUL)
    assert "Enqueued the daily digests" in schedule()
    assert "The daily digests enqueued 2026-11-24 02:00 is waiting" in schedule()
    assert recalculations().count() == 2
    assert digest_runs().filter(status=TaskResultStatus.READY).count() == 1


@pytest.mark.django_db
def test_the_scheduler_enqueues_no_digests_beside_yesterdays_done_ones_before_todays_recalculation():
    schedule()
    send_daily_digests.enqueue()
    DBTaskResult.objects.update(status=TaskResultStatus.SUCCESSFUL)

    with time_machine.travel(at(TODAY + timedelta(days=1), 2), tick=False):
        assert "The recalculation enqueues the daily digests when it ends" in schedule()
    assert digest_runs().count() == 1


@pytest.mark.django_db
def test_a_recalculation_still_waiting_from_yesterday_is_not_doubled():
    schedule()
    with time_machine.travel(at(TODAY + timedelta(days=1), 2), tick=False):
        assert "waiting for a worker" in schedule()
    assert recalculations().count() == 1


@pytest.mark.django_db
def test_a_recalculation_that_failed_today_is_enqueued_again():
    schedule()
    DBTaskResult.objects.update(status=TaskResultStatus.FAILED)
    assert "Enqueued" in schedule()
    assert recalculations().filter(status=TaskResultStatus.READY).count() == 1


@pytest.mark.django_db
def test_on_a_backend_without_a_table_the_scheduler_just_enqueues(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    schedule()
    assert [r.task.name for r in default_task_backend.results][0] == "recalculate_open_cases"
    assert not DBTaskResult.objects.exists()


# --- the real thing: the database backend and its worker --------------------------------------


@pytest.fixture
def _restore_signals():
    # The worker installs its own SIGINT/SIGTERM handlers for a graceful shutdown.
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


# Committed for real: the worker claims the task in its own transaction, as in production.
@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_the_scheduled_recalculation(sag, _restore_signals):
    expected = open_tasks(sag)
    sag.tasks.filter(completed_on__isnull=True).delete()
    schedule()

    # --batch: run what is queued, then exit (the command returns).
    call_command("task_worker", "--batch", "--no-startup-delay", "--interval=0")

    result = recalculations().get()
    assert result.status == TaskResultStatus.SUCCESSFUL, result.traceback
    assert result.return_value == 1
    assert open_tasks(sag) == expected
    # The same batch ran what the recalculation enqueued, from the repaired tasks.
    precomputation = precomputations().get()
    assert precomputation.status == TaskResultStatus.SUCCESSFUL, precomputation.traceback
    assert StoredFigures.objects.filter(as_of=TODAY).count() == precomputation.return_value > 0
    digests = digest_runs().get()
    assert digests.status == TaskResultStatus.SUCCESSFUL, digests.traceback
    (digest,) = Notification.objects.filter(kind=Kind.DIGEST)  # none before: no tasks were open
    due_soon = sag.tasks.filter(completed_on__isnull=True, due_on__lte=TODAY + timedelta(days=14))
    assert due_soon.exists()
    for task in due_soon:
        assert task.title_da in digest.body


@pytest.mark.django_db(transaction=True)
def test_no_worker_can_start_a_follow_up_while_the_recalculation_runs(sag, monkeypatch, _restore_signals):
    seen_while_running = []
    recalculate = services.case_recalculate_open

    def watched(**kwargs):
        # What a second worker polling now would find ready.
        seen_while_running.extend(DBTaskResult.objects.ready().values_list("task_path", flat=True))
        return recalculate(**kwargs)

    monkeypatch.setattr(services, "case_recalculate_open", watched)
    schedule()
    call_command("task_worker", "--batch", "--no-startup-delay", "--interval=0")

    assert seen_while_running  # the reminders and the like do wait beside it
    for follow_up in FOLLOW_UPS:
        assert follow_up.task.module_path not in seen_while_running, follow_up.name
    assert precomputations().get().status == TaskResultStatus.SUCCESSFUL
    assert digest_runs().get().status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db(transaction=True)
def test_after_a_failed_recalculation_the_worker_still_sends_the_digests_and_precomputes(sag, monkeypatch, _restore_signals):
    def broken(**kwargs):
        raise RuntimeError("the recalculation broke")

    monkeypatch.setattr(services, "case_recalculate_open", broken)
    schedule()
    call_command("task_worker", "--batch", "--no-startup-delay", "--interval=0")

    failed = recalculations().get()
    assert failed.status == TaskResultStatus.FAILED
    assert "the recalculation broke" in failed.traceback
    assert precomputations().get().status == TaskResultStatus.SUCCESSFUL
    assert StoredFigures.objects.filter(as_of=TODAY).exists()
    assert digest_runs().get().status == TaskResultStatus.SUCCESSFUL
    assert Notification.objects.filter(kind=Kind.DIGEST).count() == 1
    # The next run of the scheduler retries the recalculation, which precomputes again.
    assert "Enqueued the nightly recalculation" in schedule()


@pytest.mark.django_db(transaction=True)
def test_a_second_recalculation_the_same_day_sends_no_second_digest(sag, socialraadgiver, _restore_signals):
    schedule()
    call_command("task_worker", "--batch", "--no-startup-delay", "--interval=0")
    # Marked failed while still running (recover_stale_tasks), or failed and retried: the
    # scheduler enqueues it again the same day, and it enqueues the digests again.
    recalculations().update(status=TaskResultStatus.FAILED)
    with time_machine.travel(at(TODAY, 9), tick=False):
        schedule()
        call_command("task_worker", "--batch", "--no-startup-delay", "--interval=0")

    assert list(digest_runs().order_by("enqueued_at").values_list("status", "return_value")) == [
        (TaskResultStatus.SUCCESSFUL, 1),
        (TaskResultStatus.SUCCESSFUL, 0),
    ]
    assert Notification.objects.filter(kind=Kind.DIGEST, recipient=socialraadgiver).count() == 1
    assert OutboxMessage.objects.filter(kind=Kind.DIGEST, recipient=socialraadgiver).count() == 1
