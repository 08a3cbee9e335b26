"""`koreplan audit verify` and `koreplan audit pseudonymise`.

verify walks the whole hash chain in chunks and exits 1 naming the first broken link
(entry id, time, what differs), 0 when intact; it prints the newest hash, to be kept
elsewhere, since removing the newest entries leaves no trace in the chain itself.

pseudonymise pseudonymises the personal data of entries older than the retention period
(AUDIT_RETENTION_YEARS) now; the nightly task does the same.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from koreplan.audit.models import AuditEntry
from koreplan.audit.selectors import audit_chain_head, audit_chain_verify
from koreplan.audit.services import audit_pseudonymise, audit_retention_cutoff


class Command(BaseCommand):
    help = "The audit log: verify its hash chain, or pseudonymise personal data past retention."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="check the whole chain; exit 1 at the first broken link")
        verify.add_argument("--chunk-size", type=int, default=5000, help="entries read per query (default 5000)")
        sub.add_parser(
            "pseudonymise", help="pseudonymise personal data in entries older than AUDIT_RETENTION_YEARS"
        )

    def handle(self, *args, subcommand: str, **options):
        if subcommand == "verify":
            return self.verify(options["chunk_size"])
        return self.pseudonymise()

    def verify(self, chunk_size: int) -> None:
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.", returncode=2)
        broken = audit_chain_verify(chunk_size=chunk_size)
        if broken is not None:
            raise CommandError(f"The audit chain is broken at {broken}.", returncode=1)
        head = audit_chain_head()
        if head is None:
            self.stdout.write(self.style.SUCCESS("The audit log is empty."))
            return
        count = AuditEntry.objects.count()
        self.stdout.write(self.style.SUCCESS(f"The audit chain is intact: {count:,} entries."))
        self.stdout.write(
            f"Newest entry {head.pk} at {timezone.localtime(head.created_at):%Y-%m-%d %H:%M:%S}, hash {head.hash}"
        )

    def pseudonymise(self) -> None:
        before = audit_retention_cutoff()
        count = audit_pseudonymise(before=before)
        self.stdout.write(
            self.style.SUCCESS(f"Pseudonymised {count:,} audit entries older than {timezone.localtime(before):%Y-%m-%d}.")
        )
