"""`manage.py remind_municipal_requests`: remind and escalate unanswered requests to municipalities.

Run it once a night (it is idempotent: what was sent is recorded and never sent again).
With ``--enqueue`` it only puts the task on the queue for `manage.py task_worker`.
"""

from django.core.management.base import BaseCommand

from koreplan.coordination import services
from koreplan.coordination.tasks import remind_unanswered_requests


class Command(BaseCommand):
    help = "Send the reminders and escalations of unanswered requests to municipalities that are due today."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Enqueue the task for the worker instead of running it here.")

    def handle(self, *args, enqueue: bool = False, **options) -> None:
        if enqueue:
            result = remind_unanswered_requests.enqueue()
            self.stdout.write(f"Enqueued the reminders of unanswered requests ({result.id}).")
            return
        count = services.requests_remind()
        self.stdout.write(self.style.SUCCESS(f"Sent {count} reminders and escalations."))
