"""The nightly retention of closed cases, enqueued by `manage.py schedule_nightly`."""

import logging

from django_tasks import task

from koreplan.privacy import services

logger = logging.getLogger(__name__)


@task()
def apply_closed_case_retention() -> dict[str, int]:
    counts = services.case_retention_apply()
    logger.info("Closed-case retention: %(anonymised)d anonymised, %(deleted)d deleted.", counts)
    return counts
