"""Reads of the audit log."""

from collections.abc import Collection
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from koreplan.audit.models import GENESIS_HASH, AuditEntry, LastChange

VERIFY_CHUNK = 5000


@dataclass(frozen=True)
class ChainBreak:
    """The first broken link: the entry, and what about it differs."""

    entry: AuditEntry
    reason: str

    def __str__(self) -> str:
        at = timezone.localtime(self.entry.created_at)
        return f"entry {self.entry.pk} ({at:%Y-%m-%d %H:%M:%S%z}, {self.entry.action}): {self.reason}"


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
    row = _Row()
    while True:
        # Tuples, not model instances: building instances is most of the cost at millions of rows.
        chunk = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id").values_list(*_Row.__slots__)[:chunk_size])
        if not chunk:
            return None
        for values in chunk:
            for name, value in zip(_Row.__slots__, values, strict=True):
                setattr(row, name, value)
            reason = _broken(row, expected_prev)
            if reason:
                return ChainBreak(entry=AuditEntry.objects.get(pk=row.id), reason=reason)
            expected_prev = row.hash
        last_id = chunk[-1][0]


class _Row:
    """The columns the checks read; AuditEntry's hash methods read them from any object."""

    __slots__ = (
        "id", "created_at", "action", "actor_id", "actor_organisation_id", "object_type", "object_id",
        "case_id", "client_id", "ip_address", "user_agent", "purpose", "data",
        "personal_salt", "personal_digest", "pseudonymised_at", "prev_hash", "hash",
    )


def _broken(entry, expected_prev: str) -> str:
    if entry.prev_hash != expected_prev:
        return (
            f"prev_hash {entry.prev_hash[:12]}… is not the hash of the entry before it ({expected_prev[:12]}…): "
            "an entry before it was removed or changed"
        )
    if entry.pseudonymised_at is None:
        if not entry.personal_salt:
            return "the personal data salt is missing but the entry is not marked pseudonymised"
        if entry.personal_digest != AuditEntry.compute_personal_digest(entry):
            return "the personal data (case, client, IP address, user agent, purpose or data) differs from its digest"
    elif entry.personal_salt:
        return "the entry is marked pseudonymised but still has its salt"
    if entry.hash != AuditEntry.compute_hash(entry):
        return "the content (time, action, actor, organisation, object or personal digest) differs from its hash"
    return ""


def audit_chain_head() -> AuditEntry | None:
    """The newest entry: its hash, kept elsewhere, lets a later check catch removed tail entries."""
    return AuditEntry.objects.order_by("-id").first()


def last_changes(*, case_ids: Collection[int], client_ids: Collection[int]) -> list[tuple[str, int, int]]:
    """The newest change recorded for each of the cases and clients that have one, as
    (subject, its id, the entry's id), in a fixed order: what a page showing them is kept
    under (koreplan.web.page_cache).

    In SQL: it is read on every case page and worklist."""
    conditions, params = [], []
    for subject, ids in ((LastChange.Subject.CASE, case_ids), (LastChange.Subject.CLIENT, client_ids)):
        if ids:
            conditions.append(f"(subject = %s AND subject_id IN ({', '.join(['%s'] * len(ids))}))")
            params += [subject, *ids]
    if not conditions:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT subject, subject_id, entry_id FROM {LastChange._meta.db_table} WHERE {' OR '.join(conditions)}",
            params,
        )
        return sorted(cursor.fetchall())
