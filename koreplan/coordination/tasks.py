"""Background work on requests to municipalities, run by the django-tasks worker.

``remind_unanswered_requests`` is the nightly sweep of unanswered requests: it sends each
reminder and escalation that has fallen due (``selectors.requests_due_for_reminder``) and
records it, so a second run the same night sends nothing twice. Enqueue it once a night
next to the recalculation of open cases — ``manage.py schedule_nightly`` is the place
(``remind_unanswered_requests.enqueue()``), or cron:

    20 2 * * *  cd /srv/koreplan && .venv/bin/python manage.py remind_municipal_requests --enqueue
"""

import logging

from django_tasks import task

from koreplan.coordination import services

logger = logging.getLogger(__name__)


@task()
def remind_unanswered_requests() -> int:
    """Remind and escalate the requests to municipalities that are unanswered; returns how many."""
    count = services.requests_remind()
    logger.info("Sent %d reminders and escalations of unanswered requests to municipalities.", count)
    return count
