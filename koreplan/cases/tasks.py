"""Background work on cases, run by the django-tasks worker (`manage.py task_worker`).

The tasks are thin: each calls one service, which holds the logic and the transactions,
so that a task can also be run directly (`recalculate_open_cases.call()`) and tested
without a worker.
"""

import logging
from typing import NamedTuple

from django_tasks import task
from django_tasks.base import Task

from koreplan.cases import services
from koreplan.dashboards.tasks import precompute_dashboard_figures
from koreplan.notifications.tasks import send_daily_digests

logger = logging.getLogger(__name__)


class FollowUp(NamedTuple):
    task: Task
    name: str  # for the log and `schedule_nightly`'s output: "the daily digests"


#: What the nightly recalculation enqueues when it ends, failed or not: the tasks that read
#: the recalculated tasks. Enqueued only then, no worker can start one before the
#: recalculation is done, however many workers there are — a priority orders only what
#: waits together. `schedule_nightly` enqueues none of them beside the recalculation; it
#: repairs one that is missing after a recalculation done today.
FOLLOW_UPS = (
    # The digests first: people rely on their morning digest (and a free worker takes them
    # first anyway, by their priority).
    FollowUp(send_daily_digests, "the daily digests"),
    FollowUp(precompute_dashboard_figures, "the precomputation of the dashboards' figures"),
)


@task()
def recalculate_open_cases() -> int:
    """The nightly sweep: recompute every open case's tasks from its facts and today's date.

    The facts change the tasks in the same transaction whenever they are edited; this
    catches what changes with time alone — the rule parameters in force on a new date, a
    recurring obligation projected past its last completion — and repairs any drift. It is
    idempotent, so a second run on the same day changes nothing. `manage.py
    schedule_nightly` enqueues it. Returns the number of cases recomputed.

    When it ends it enqueues its FOLLOW_UPS, which read these tasks. It does so when the
    recalculation fails too: a digest of the tasks as they stand beats none (people rely on
    their morning digest), and figures a night stale beat the first manager waiting for the
    national figures to be computed on the page. A failure still fails this task (and
    shows), and the next `schedule_nightly` enqueues it again, which enqueues its follow-ups
    again: the precomputation replaces the day's figures, and the digests send nothing to
    whoever has had today's (`notifications.services.digest_send`).
    """
    try:
        count = services.case_recalculate_open()
    finally:
        # Also on BaseException: a worker stopped mid-task (a second SIGTERM) fails it too.
        _enqueue_follow_ups()
    logger.info("Recalculated the tasks of %d open cases.", count)
    return count


def _enqueue_follow_ups() -> None:
    for follow_up in FOLLOW_UPS:
        try:
            result = follow_up.task.enqueue()
        except Exception:
            # Logged, not raised: raised here it would replace the recalculation's own
            # error, or fail a recalculation that succeeded, and hold back the next
            # follow-up. `schedule_nightly` enqueues a follow-up that is missing after a
            # recalculation done today.
            logger.exception("Could not enqueue %s after the recalculation.", follow_up.name)
        else:
            logger.info("Enqueued %s (%s).", follow_up.name, result.id)
