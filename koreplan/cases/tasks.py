"""Background work on cases, run by the django-tasks worker (`manage.py task_worker`).

The tasks are thin: each calls one service, which holds the logic and the transactions,
so that a task can also be run directly (`recalculate_open_cases.call()`) and tested
without a worker.
"""

import logging

from django_tasks import task

from koreplan.cases import services
from koreplan.dashboards.tasks import precompute_dashboard_figures

logger = logging.getLogger(__name__)


@task()
def recalculate_open_cases() -> int:
    """The nightly sweep: recompute every open case's tasks from its facts and today's date.

    The facts change the tasks in the same transaction whenever they are edited; this
    catches what changes with time alone — the rule parameters in force on a new date, a
    recurring obligation projected past its last completion — and repairs any drift. It is
    idempotent, so a second run on the same day changes nothing. `manage.py
    schedule_nightly` enqueues it. Returns the number of cases recomputed.

    When it ends it enqueues the precomputation of the dashboards' figures, which count
    these tasks: enqueued only now, no worker can start it before the recalculation is
    done, however many workers there are (a priority orders only what waits together).
    It does so when the recalculation fails too: the figures are then a night stale, which
    beats none at all — the first manager would otherwise wait for the national figures to
    be computed on the page. A failure still fails this task (and shows), and the next
    `schedule_nightly` enqueues it again, which precomputes again after it.
    """
    try:
        count = services.case_recalculate_open()
    except BaseException:
        # BaseException: a worker stopped mid-task (a second SIGTERM) fails the task too.
        try:
            result = precompute_dashboard_figures.enqueue()
        except Exception:
            # Not in place of the recalculation's own error, which is the one to record.
            logger.exception("The recalculation failed and the precomputation could not be enqueued either.")
        else:
            logger.warning(
                "The recalculation failed; the dashboards' figures are precomputed anyway (%s), from the tasks as they were.",
                result.id,
            )
        raise
    logger.info("Recalculated the tasks of %d open cases.", count)
    result = precompute_dashboard_figures.enqueue()
    logger.info("Enqueued the precomputation of the dashboards' figures (%s).", result.id)
    return count
