"""The nightly precomputation of the dashboards' figures, run by the django-tasks worker
and enqueued by the nightly recalculation of the open cases when it ends
(`koreplan.cases.tasks.recalculate_open_cases`), so that the figures count the tasks as
recalculated whichever worker runs what."""

import logging

from django_tasks import task

from koreplan.dashboards import precomputed

logger = logging.getLogger(__name__)


# The order after the recalculation is kept by who enqueues it, not by the priority: a
# priority only decides which waiting task a free worker takes next, and a second worker
# takes this one while the first still runs the recalculation. The lowest priority of the
# night only lets it yield to whatever else waits (the digests, the e-mail).
@task(priority=-30)
def precompute_dashboard_figures() -> int:
    """Compute the default period's figures of the whole country, every region and every
    organisation for today, so that the first manager in the morning finds them ready.
    Returns the number of units."""
    return precomputed.figures_precompute(log=logger.info)
