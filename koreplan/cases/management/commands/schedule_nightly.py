"""`manage.py schedule_nightly`: enqueue the nightly recalculation of open cases.

cron (or a systemd timer) runs it once a night and a worker (`manage.py db_worker`) picks
the task up. For example, in the crontab of the user the application runs as:

    15 2 * * *  cd /srv/koreplan && .venv/bin/python manage.py schedule_nightly

Idempotent per day: if a recalculation is already waiting or running, or one enqueued
today has succeeded, nothing is enqueued — so a retried cron job, or a second machine
with the same crontab, does not queue the sweep twice. One that failed today does not
count, so running the command again retries it.
"""

import datetime

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from koreplan.cases.tasks import recalculate_open_cases

# Any fixed 64-bit number: the PostgreSQL advisory lock that lets one scheduler at a time
# check and enqueue ("nightly").
_SCHEDULE_LOCK_KEY = 0x6E696768746C79

_STATUS_WORDS = {
    TaskResultStatus.READY: "waiting for a worker",
    TaskResultStatus.RUNNING: "running",
    TaskResultStatus.SUCCESSFUL: "done",
}


def nightly_already_scheduled() -> DBTaskResult | None:
    """The recalculation that makes a new one unnecessary today, if there is one."""
    start_of_today = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
    mine = DBTaskResult.objects.filter(task_path=recalculate_open_cases.module_path).order_by("-enqueued_at")
    return (
        mine.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).first()
        or mine.filter(status=TaskResultStatus.SUCCESSFUL, enqueued_at__gte=start_of_today).first()
    )


def _lock() -> None:
    """Serialise check-then-enqueue. SQLite needs nothing: the settings open every
    transaction IMMEDIATE, which takes the database's write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SCHEDULE_LOCK_KEY])


class Command(BaseCommand):
    help = (
        "Enqueue the nightly recalculation of every open case's tasks, unless one is already "
        "waiting, running or done today. Run it daily from cron; `manage.py db_worker` runs it."
    )

    def handle(self, *args, **options) -> None:
        if not isinstance(task_backends[recalculate_open_cases.backend], DatabaseBackend):
            # Another backend keeps no table to check (the immediate one runs it now).
            result = recalculate_open_cases.enqueue()
            self.stdout.write(f"Enqueued the nightly recalculation ({result.id}).")
            return
        with transaction.atomic():
            _lock()
            existing = nightly_already_scheduled()
            result = recalculate_open_cases.enqueue() if existing is None else None
        if existing is not None:
            self.stdout.write(
                f"The nightly recalculation enqueued {timezone.localtime(existing.enqueued_at):%Y-%m-%d %H:%M} "
                f"is {_STATUS_WORDS[existing.status]} ({existing.id}); nothing enqueued."
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Enqueued the nightly recalculation ({result.id})."))
