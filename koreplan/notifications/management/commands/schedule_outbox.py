"""`manage.py schedule_outbox`: enqueue a delivery of the e-mail outbox, unless one is
already waiting.

`notify` wakes a worker itself when it writes an e-mail, and a delivery reschedules itself
for retries, so this is the safety net: it catches the messages of a worker that died
holding them (their lease runs out, and someone must look). Run it every few minutes from
cron, next to the resident worker(s):

    */5 * * * *  cd /srv/koreplan && .venv/bin/python manage.py schedule_outbox
"""

from django.core.management.base import BaseCommand

from koreplan.notifications.tasks import deliver_outbox_soon


class Command(BaseCommand):
    help = "Enqueue a delivery of the e-mail outbox unless one is already waiting. Run it every few minutes."

    def handle(self, *args, **options) -> None:
        deliver_outbox_soon()
        self.stdout.write("The outbox delivery is queued.")
