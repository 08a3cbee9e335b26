"""The nightly pseudonymisation of old audit entries, run by the django-tasks worker and
enqueued by `manage.py schedule_nightly`."""

import logging

from django_tasks import task

from koreplan.audit import services

logger = logging.getLogger(__name__)


@task()
def pseudonymise_old_audit_entries() -> int:
    """Pseudonymise personal data in entries older than AUDIT_RETENTION_YEARS; idempotent."""
    count = services.audit_pseudonymise(before=services.audit_retention_cutoff())
    logger.info("Pseudonymised %d audit entries.", count)
    return count
