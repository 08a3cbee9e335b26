"""Background work for notifications, run by the django-tasks worker (`manage.py task_worker`).

Thin, as in `koreplan.cases.tasks`: each task calls one service, so it can be run directly
(`deliver_outbox.call()`) and tested without a worker.

Who enqueues `deliver_outbox`:

- `notify`, once the transaction that wrote an e-mail commits (`deliver_outbox_soon`), so
  e-mail goes out within a worker's polling interval;
- the task itself, when a message waits for a retry or for a lease to expire;
- `manage.py schedule_nightly` and `manage.py schedule_outbox` (cron), the sweep that
  catches whatever a worker that died left behind.

Extra runs are harmless: a run with nothing due sends nothing, and no two runs send the
same message (`delivery.py`).
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus, task, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from koreplan.notifications import delivery, services

logger = logging.getLogger(__name__)


@task(priority=-20)
def deliver_outbox() -> dict:
    """Send the e-mail waiting in the outbox, each message once. Returns the counts."""
    report = delivery.outbox_deliver()
    logger.info(
        "Outbox: %d sent, %d to retry, %d failed, %d lost to an expired claim.",
        report.sent, report.retrying, report.failed, report.lost,
    )
    if report.next_due is not None:
        deliver_outbox_soon(run_after=report.next_due)
    result = asdict(report)
    result["next_due"] = report.next_due.isoformat() if report.next_due else None
    return result


# Enqueued by the nightly recalculation of the open cases when it ends
# (`koreplan.cases.tasks.FOLLOW_UPS`), so that a digest lists the tasks as recalculated
# whichever worker runs what; a priority alone would order them for a single worker only.
# Above the dashboards' precomputation, enqueued with it: a free worker sends the digests first.
@task(priority=-10)
def send_daily_digests() -> int:
    """Today's digest to everyone with tasks overdue or due within 14 days; once a day
    per person however often it runs (a recalculation retried the same day enqueues it
    again). Returns how many were sent."""
    count = services.digests_send()
    logger.info("Sent %d daily digests.", count)
    return count


def deliver_outbox_soon(*, run_after: datetime | None = None) -> None:
    """Enqueue `deliver_outbox` (at `run_after`, or now) unless a run that starts by
    then is already waiting, so that a burst of notifications wakes one worker, not one
    per message."""
    backend = task_backends[deliver_outbox.backend]
    if not isinstance(backend, DatabaseBackend):
        # A backend without a table to check: only a run now (the immediate backend in a
        # test runs it on the spot; a retry waits for the next notification or sweep).
        if run_after is None:
            deliver_outbox.enqueue()
        return
    by = run_after or timezone.now()
    waiting = DBTaskResult.objects.filter(task_path=deliver_outbox.module_path, status=TaskResultStatus.READY).filter(
        Q(run_after=get_date_max()) | Q(run_after__lte=by)  # the date max means "now"
    )
    if waiting.exists():
        return
    (deliver_outbox if run_after is None else deliver_outbox.using(run_after=run_after)).enqueue()
