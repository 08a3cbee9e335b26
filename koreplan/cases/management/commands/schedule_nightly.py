"""`manage.py schedule_nightly`: enqueue the nightly recalculation of open cases.

cron (or a systemd timer) runs it once a night and a worker (`manage.py task_worker`) picks
the task up. For example, in the crontab of the user the application runs as:

    15 2 * * *  cd /srv/koreplan && .venv/bin/python manage.py schedule_nightly

Idempotent per day: if a recalculation is already waiting or running, or one enqueued
today has succeeded, nothing is enqueued — so a retried cron job, or a second machine
with the same crontab, does not queue the sweep twice. One that failed today does not
count, so running the command again retries it.

A run whose worker died stays "running" for ever (django-tasks-db cannot tell), which would
block its task for good; so the command first runs `manage.py recover_stale_tasks`, which marks
failed whatever has been running longer than TASK_RUNNING_LIMIT_MINUTES (default 60) — and a
run that failed does not count, so the same invocation enqueues a fresh one.

It enqueues a delivery of the e-mail outbox as a nightly sweep too (see `manage.py
schedule_outbox` for the frequent one).

Not what reads the recalculated tasks — the day's notification digests and the
precomputation of the dashboards' figures (`koreplan.cases.tasks.FOLLOW_UPS`): the
recalculation enqueues them when it ends, failed or not. A priority would order them for a
single worker only; with two, a digest or the figures would start beside the recalculation
and read the tasks as they stood the day before. The one exception is a repair: if today's
recalculation is done but no run of a follow-up is waiting, running or done today (it
failed, or its worker died, or it could not be enqueued), the command enqueues one, once,
as it retries any nightly task that failed. A digest run again sends nothing to whoever has
had today's.
"""

import datetime

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from koreplan.audit.tasks import pseudonymise_old_audit_entries
from koreplan.cases.tasks import FOLLOW_UPS, recalculate_open_cases
from koreplan.coordination.tasks import remind_unanswered_requests
from koreplan.privacy.tasks import apply_closed_case_retention
from koreplan.notifications.tasks import deliver_outbox_soon

# Any fixed 64-bit number: the PostgreSQL advisory lock that lets one scheduler at a time
# check and enqueue ("nightly").
_SCHEDULE_LOCK_KEY = 0x6E696768746C79

_STATUS_WORDS = {
    TaskResultStatus.READY: "waiting for a worker",
    TaskResultStatus.RUNNING: "running",
    TaskResultStatus.SUCCESSFUL: "done",
}


def nightly_already_scheduled(task=recalculate_open_cases) -> DBTaskResult | None:
    """The run of `task` that makes a new one unnecessary today, if there is one."""
    start_of_today = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
    mine = DBTaskResult.objects.filter(task_path=task.module_path).order_by("-enqueued_at")
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
        "Enqueue the nightly recalculation of every open case's tasks (which enqueues the daily "
        "notification digests and the dashboards' precomputation when it ends), the reminders, "
        "the pseudonymisation and the retention, each unless already waiting, running or done "
        "today, and a delivery of the e-mail outbox. Run it daily from cron; `manage.py "
        "task_worker` runs them."
    )

    def handle(self, *args, **options) -> None:
        # First: a run whose worker died would otherwise count as running for ever.
        call_command("recover_stale_tasks", stdout=self.stdout, stderr=self.stderr)
        recalculation = self.schedule(recalculate_open_cases, "the nightly recalculation")
        self.schedule(remind_unanswered_requests, "the reminders of unanswered municipal requests")
        self.schedule(pseudonymise_old_audit_entries, "the pseudonymisation of old audit entries")
        self.schedule(apply_closed_case_retention, "the retention of closed cases")
        recalculated_today = recalculation is not None and recalculation.status == TaskResultStatus.SUCCESSFUL
        for follow_up in FOLLOW_UPS:
            if recalculated_today:
                # What it enqueued when it ended may have failed since, or not been enqueued.
                self.schedule(follow_up.task, follow_up.name)
            else:
                self.stdout.write(f"The recalculation enqueues {follow_up.name} when it ends.")
        # Not once a day but whenever none is waiting: it only sends what is due.
        deliver_outbox_soon()
        self.stdout.write("A delivery of the e-mail outbox is queued.")

    def schedule(self, task, name: str) -> DBTaskResult | None:
        """Enqueue `task` unless a run of it makes that unnecessary today; return that run."""
        if not isinstance(task_backends[task.backend], DatabaseBackend):
            # Another backend keeps no table to check (the immediate one runs it now).
            result = task.enqueue()
            self.stdout.write(f"Enqueued {name} ({result.id}).")
            return None
        with transaction.atomic():
            _lock()
            existing = nightly_already_scheduled(task)
            result = task.enqueue() if existing is None else None
        if existing is not None:
            self.stdout.write(
                f"{name[0].upper()}{name[1:]} enqueued {timezone.localtime(existing.enqueued_at):%Y-%m-%d %H:%M} "
                f"is {_STATUS_WORDS[existing.status]} ({existing.id}); nothing enqueued."
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Enqueued {name} ({result.id})."))
        return existing
