"""`koreplan case_retention`: anonymise or delete closed cases past the retention period now.

The nightly task does the same; CLOSED_CASE_RETENTION_YEARS and CLOSED_CASE_RETENTION_MODE
configure it (docs/privacy.md).
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from koreplan.privacy.services import case_retention_apply, cases_due_for_retention


class Command(BaseCommand):
    help = "Anonymise or delete the personal data of cases closed longer ago than the retention period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--mode", choices=("anonymise", "delete"),
            help=f"override CLOSED_CASE_RETENTION_MODE (now {settings.CLOSED_CASE_RETENTION_MODE})",
        )
        parser.add_argument("--dry-run", action="store_true", help="only say how many cases are due")

    def handle(self, *args, mode=None, dry_run=False, **options):
        if dry_run:
            self.stdout.write(f"{cases_due_for_retention().count():,} closed cases are due.")
            return
        counts = case_retention_apply(mode=mode)
        self.stdout.write(
            self.style.SUCCESS(f"Anonymised {counts['anonymised']:,} and deleted {counts['deleted']:,} closed cases.")
        )
