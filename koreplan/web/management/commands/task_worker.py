"""``manage.py task_worker``: django-tasks-db's ``db_worker`` that outlives the database going away.

The upstream worker lets an ``OperationalError`` out of its loop when PostgreSQL restarts or
fails over, and the process exits: recovery would then depend on a process supervisor.
This worker logs it, waits (1 s doubling to 30 s) and carries on with fresh connections. A
task interrupted by the outage is not lost: its row stays claimed and the outbox's lease
(koreplan/notifications/delivery.py) or the nightly run picks its work up again.

Same options as ``db_worker``; no autoreload (this is the production worker).
"""

from __future__ import annotations

import logging
import time

from django.core.management.base import CommandError
from django.db import connections
from django.db.utils import OperationalError
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("koreplan.tasks")

MAX_WAIT = 30.0


class ResilientWorker(db_worker.Worker):
    def run(self) -> None:
        wait = 1.0
        while True:
            try:
                return super().run()
            except OperationalError as error:
                if self.batch or not self.running:
                    raise
                logger.warning("Database unavailable (%s); the worker tries again in %.0f s.", error, wait)
                connections.close_all()
                time.sleep(wait)
                wait = min(wait * 2, MAX_WAIT)


class Command(db_worker.Command):
    help = "Run background tasks; survives a database restart (django-tasks-db's db_worker otherwise)."

    def handle(self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay, max_tasks,
               worker_id, exclude_queues, **options) -> None:
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names, interval=interval, batch=batch, backend_name=backend_name,
            startup_delay=startup_delay, max_tasks=max_tasks, worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        worker.run()
