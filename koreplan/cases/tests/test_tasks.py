"""The nightly recalculation: the task, the scheduler that enqueues it once a day, and the
database worker that runs it."""

import signal
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django_tasks import TaskResultStatus, default_task_backend
from django_tasks_db.models import DBTaskResult

from koreplan.cases import services
from koreplan.cases.tasks import recalculate_open_cases

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
