"""Background work on cases, run by the django-tasks worker (`manage.py task_worker`).

The tasks are thin: each calls one service, which holds the logic and the transactions,
so that a task can also be run directly (`recalculate_open_cases.call()`) and tested
without a worker.
"""

import logging

from django_tasks import task

from koreplan.cases import services

logger = logging.getLogger(__name__)


@task()
def recalculate_open_cases() -> int:
    """The nightly sweep: recompute every open case's tasks from its facts and today's date.

    The facts change the tasks in the same transaction whenever they are edited; this
    catches what changes with time alone — the rule parameters in force on a new date, a
    recurring obligation projected past its last completion — and repairs any drift. It is
    idempotent, so a second run on the same day changes nothing. `manage.py
    schedule_nightly` enqueues it. Returns the number of cases recomputed.
    """
    count = services.case_recalculate_open()
    logger.info("Recalculated the tasks of %d open cases.", count)
    return count
