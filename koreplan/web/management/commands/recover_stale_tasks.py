"""``manage.py recover_stale_tasks``: mark failed the tasks whose worker died while running them.

A worker claims a task by setting its row (django-tasks-db's ``DBTaskResult``) to RUNNING and
records the outcome when the task ends. A worker that is killed (SIGKILL, the OOM killer, a
machine lost) records nothing, and the row stays RUNNING for ever: django-tasks-db 0.13 has no
heartbeat, lease or command of its own that notices (its only housekeeping command,
``prune_db_task_results``, deletes *finished* rows). Nothing retries such a task, and
``schedule_nightly``, which enqueues no task that is waiting or running, would take the dead
run for one under way and never enqueue that task again.

This command takes a row that has been RUNNING for longer than ``TASK_RUNNING_LIMIT_MINUTES``
(default 60; the longest task, the nightly recalculation, takes some 5 minutes, the
dashboards' precomputation some 4) to have lost its worker, and marks it FAILED, with
``WorkerLost`` as its exception and a text saying when and on which worker it was started.
``schedule_nightly`` runs it before it enqueues anything; it can also be run by hand or from
cron (``--dry-run`` lists without changing).

Why FAILED and not back to READY, although the nightly tasks are idempotent:

- a retry is still what follows: ``schedule_nightly`` does not count a run that failed, so the
  same invocation that recovers a nightly task enqueues a fresh run of it; the outbox's
  deliveries are retried by its own lease and sweep (``schedule_outbox``);
- a task that kills its worker (memory, a segfault in a C library) would, put back to READY,
  kill the next worker and the next, all night; marked FAILED it is retried once a night and
  the failure stays visible in the admin (the task results) with its explanation;
- it holds for any task, not only for those known to be idempotent.

A limit too short would mark failed a task that is still running; when that task ends its
worker records the outcome over ours, and a run enqueued meanwhile does the (idempotent) work
a second time. Hence a limit well above the longest task.

Exit status 0 whether or not anything was recovered; an invalid ``--older-than`` or
``TASK_RUNNING_LIMIT_MINUTES`` is an error that names it.
"""

from __future__ import annotations

import logging
from argparse import ArgumentParser, ArgumentTypeError
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("koreplan.tasks")


class WorkerLost(Exception):
    """The exception recorded on a task whose worker died while it ran (it was never raised)."""


WORKER_LOST = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"


def _minutes(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise ArgumentTypeError(f"must be a whole number of minutes above 0, not {value!r}")
    return number


def running_limit() -> timedelta:
    """``TASK_RUNNING_LIMIT_MINUTES`` as a duration; CommandError if it is not a positive number."""
    minutes = getattr(settings, "TASK_RUNNING_LIMIT_MINUTES", 60)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
        raise CommandError(f"TASK_RUNNING_LIMIT_MINUTES must be a whole number of minutes above 0, not {minutes!r}.")
    return timedelta(minutes=minutes)


def stale_running_tasks(limit: timedelta):
    """The rows RUNNING since longer ago than `limit`, the oldest first."""
    return DBTaskResult.objects.running().filter(started_at__lt=timezone.now() - limit).order_by("started_at")


def recover_stale_tasks(limit: timedelta, *, dry_run: bool = False) -> list[DBTaskResult]:
    """Mark failed (``WorkerLost``) every task RUNNING for longer than `limit`; return them.

    Each row is changed only if it is still RUNNING from the same start, so a worker that
    finishes the task meanwhile keeps its outcome."""
    now = timezone.now()
    recovered = []
    for row in stale_running_tasks(limit):
        if dry_run:
            recovered.append(row)
            continue
        worker = row.worker_ids[-1] if row.worker_ids else "unknown"
        explanation = (
            f"{WORKER_LOST}: the task had been running since {row.started_at.isoformat()} on worker "
            f"{worker} without an outcome for longer than {limit}; its worker is taken to have died "
            f"(killed or its machine lost). Marked failed by manage.py recover_stale_tasks at "
            f"{now.isoformat()}.\n"
        )
        changed = DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
        ).update(
            status=TaskResultStatus.FAILED, finished_at=now, return_value=None,
            exception_class_path=WORKER_LOST, traceback=explanation,
        )
        if changed:
            logger.warning(
                "Task %s (%s), running since %s on worker %s, marked failed: its worker is taken to have died.",
                row.task_name, row.id, row.started_at.isoformat(), worker,
            )
            recovered.append(row)
    return recovered


class Command(BaseCommand):
    help = (
        "Mark failed the background tasks still 'running' longer than TASK_RUNNING_LIMIT_MINUTES "
        "after their worker started them (the worker died), so that they are retried."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--older-than", type=_minutes, metavar="MINUTES", default=None,
            help="The limit in minutes (default: TASK_RUNNING_LIMIT_MINUTES, %s)."
            % getattr(settings, "TASK_RUNNING_LIMIT_MINUTES", 60),
        )
        parser.add_argument("--dry-run", action="store_true", help="List the tasks; change nothing.")

    def handle(self, *, older_than: int | None, dry_run: bool, **options) -> None:
        limit = timedelta(minutes=older_than) if older_than is not None else running_limit()
        minutes = int(limit.total_seconds() // 60)
        recovered = recover_stale_tasks(limit, dry_run=dry_run)
        verb = "Would mark failed" if dry_run else "Marked failed"
        for row in recovered:
            worker = row.worker_ids[-1] if row.worker_ids else "unknown"
            self.stdout.write(
                f"{verb}: {row.task_name} ({row.id}), running since "
                f"{timezone.localtime(row.started_at):%Y-%m-%d %H:%M} on worker {worker}."
            )
        if not recovered:
            self.stdout.write(f"No task has been running for longer than {minutes} minutes.")
        elif dry_run:
            self.stdout.write(f"{len(recovered)} task(s) running for longer than {minutes} minutes; nothing changed.")
        else:
            self.stdout.write(self.style.WARNING(
                f"Marked {len(recovered)} task(s) failed that had been running for longer than {minutes} "
                "minutes: their worker is taken to have died."
            ))
