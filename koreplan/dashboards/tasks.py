"""The nightly precomputation of the dashboards' figures, run by the django-tasks worker
and enqueued by `manage.py schedule_nightly`."""

import logging

from django_tasks import task

from koreplan.dashboards import precomputed

logger = logging.getLogger(__name__)


# The lowest priority of the nightly tasks: a single worker runs it after the nightly
# recalculation of the open cases, so that the figures count the tasks as recalculated.
@task(priority=-30)
def precompute_dashboard_figures() -> int:
    """Compute the default period's figures of the whole country, every region and every
    organisation for today, so that the first manager in the morning finds them ready.
    Returns the number of units."""
    return precomputed.figures_precompute(log=logger.info)
