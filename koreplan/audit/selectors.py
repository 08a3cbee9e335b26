"""Reads of the audit log."""

from dataclasses import dataclass

from koreplan.audit.models import GENESIS_HASH, AuditEntry

VERIFY_CHUNK = 5000


@dataclass(frozen=True)
class ChainBreak:
    """The first broken link: the entry, and what about it differs."""

    entry: AuditEntry
    reason: str

    def __str__(self) -> str:
        return f"entry {self.entry.pk} ({self.entry.created_at:%Y-%m-%d %H:%M:%S%z}, {self.entry.action}): {self.reason}"


def audit_chain_verify(*, chunk_size: int = VERIFY_CHUNK) -> ChainBreak | None:
    """Walk the chain from the first entry and return the first link that is broken — an
    entry changed, or whose predecessor was removed; None when the whole log is intact.

    Reads by primary key in chunks (keyset pagination, constant memory, no server-side
    cursor to keep open), so it runs on millions of rows.

    Removing the newest entries leaves no trace in the chain itself; compare the newest
    hash with one kept elsewhere to catch that (`manage.py audit verify` prints it).
    """
    expected_prev = GENESIS_HASH
    last_id = 0
    while True:
        chunk = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:chunk_size])
        if not chunk:
            return None
        for entry in chunk:
            reason = _broken(entry, expected_prev)
            if reason:
                return ChainBreak(entry=entry, reason=reason)
            expected_prev = entry.hash
        last_id = chunk[-1].id


def _broken(entry: AuditEntry, expected_prev: str) -> str:
    if entry.prev_hash != expected_prev:
        return (
            f"prev_hash {entry.prev_hash[:12]}… is not the hash of the entry before it ({expected_prev[:12]}…): "
            "an entry before it was removed or changed"
        )
    if entry.pseudonymised_at is None:
        if not entry.personal_salt:
            return "the personal data salt is missing but the entry is not marked pseudonymised"
        if entry.personal_digest != entry.compute_personal_digest():
            return "the personal data (case, client, IP address, user agent, purpose or data) differs from its digest"
    elif entry.personal_salt:
        return "the entry is marked pseudonymised but still has its salt"
    if entry.hash != entry.compute_hash():
        return "the content (time, action, actor, organisation, object or personal digest) differs from its hash"
    return ""


def audit_chain_head() -> AuditEntry | None:
    """The newest entry: its hash, kept elsewhere, lets a later check catch removed tail entries."""
    return AuditEntry.objects.order_by("-id").first()
