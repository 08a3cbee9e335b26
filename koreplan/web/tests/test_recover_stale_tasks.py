"""A task whose worker died while running it is marked failed after TASK_RUNNING_LIMIT_MINUTES,
and schedule_nightly then enqueues a fresh run of it instead of waiting for ever."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from koreplan.cases.tasks import recalculate_open_cases
from koreplan.dashboards.tasks import precompute_dashboard_figures

NOW = datetime(2026, 11, 24, 2, 15, tzinfo=ZoneInfo("Europe/Copenhagen"))


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def running(task, *, started: timedelta, worker: str = "dead-worker") -> DBTaskResult:
    """A row as a worker leaves it when it is killed mid-task: claimed, RUNNING, no outcome."""
    row = DBTaskResult.objects.get(id=task.enqueue().id)
    row.claim(worker)
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=NOW - started)
    row.refresh_from_db()
    return row


def recover(*args: str) -> str:
    out = StringIO()
    call_command("recover_stale_tasks", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_task_running_longer_than_the_limit_is_marked_failed_and_a_recent_one_is_left(settings):
    settings.TASK_RUNNING_LIMIT_MINUTES = 60
    dead = running(recalculate_open_cases, started=timedelta(hours=3), worker="node-7")
    alive = running(precompute_dashboard_figures, started=timedelta(minutes=4))

    out = recover()

    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == TaskResultStatus.FAILED
    assert dead.finished_at == NOW
    assert dead.exception_class_path.endswith("recover_stale_tasks.WorkerLost")
    assert "node-7" in dead.traceback
    assert dead.task_result.errors[0].exception_class.__name__ == "WorkerLost"
    assert alive.status == TaskResultStatus.RUNNING
    assert alive.finished_at is None

    assert f"Marked failed: recalculate_open_cases ({dead.id}), running since 2026-11-23 23:15 on worker node-7." in out
    assert "Marked 1 task(s) failed that had been running for longer than 60 minutes" in out
    assert "precompute_dashboard_figures" not in out

    # Run again: nothing left to do, and it says so.
    assert recover() == "No task has been running for longer than 60 minutes.\n"


@pytest.mark.django_db
def test_the_limit_comes_from_the_setting_or_the_option(settings):
    row = running(recalculate_open_cases, started=timedelta(minutes=30))
    settings.TASK_RUNNING_LIMIT_MINUTES = 45
    assert "No task has been running for longer than 45 minutes." in recover()
    settings.TASK_RUNNING_LIMIT_MINUTES = 20
    out = recover("--dry-run")
    assert "Would mark failed: recalculate_open_cases" in out
    assert "1 task(s) running for longer than 20 minutes; nothing changed." in out
    row.refresh_from_db()
    assert row.status == TaskResultStatus.RUNNING  # a dry run changes nothing
    assert "Marked 1 task(s) failed" in recover("--older-than", "25")
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0", "-5", "soon"])
def test_a_bad_limit_option_is_an_error_that_names_it(value):
    with pytest.raises(CommandError, match=r"--older-than.*whole number of minutes"):
        recover("--older-than", value)


@pytest.mark.django_db
def test_a_bad_limit_setting_is_an_error_that_names_it(settings):
    settings.TASK_RUNNING_LIMIT_MINUTES = 0
    with pytest.raises(CommandError, match="TASK_RUNNING_LIMIT_MINUTES"):
        recover()


@pytest.mark.django_db
def test_the_scheduler_recovers_a_dead_nightly_run_and_enqueues_a_fresh_one(settings):
    settings.TASK_RUNNING_LIMIT_MINUTES = 60
    dead = running(recalculate_open_cases, started=timedelta(hours=24))

    out = StringIO()
    call_command("schedule_nightly", stdout=out)

    dead.refresh_from_db()
    assert dead.status == TaskResultStatus.FAILED
    assert "Marked failed: recalculate_open_cases" in out.getvalue()
    assert "Enqueued the nightly recalculation" in out.getvalue()
    fresh = DBTaskResult.objects.filter(task_path=recalculate_open_cases.module_path, status=TaskResultStatus.READY)
    assert fresh.count() == 1


@pytest.mark.django_db
def test_the_scheduler_still_leaves_a_run_under_way_alone(settings):
    settings.TASK_RUNNING_LIMIT_MINUTES = 60
    running(recalculate_open_cases, started=timedelta(minutes=3))

    out = StringIO()
    call_command("schedule_nightly", stdout=out)

    assert "The nightly recalculation enqueued 2026-11-24 02:15 is running" in out.getvalue()
    assert DBTaskResult.objects.filter(task_path=recalculate_open_cases.module_path).count() == 1
