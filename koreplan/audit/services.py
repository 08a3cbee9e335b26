"""Writing the audit log. Services call `audit_record` inside their own transaction, so
that the change and its audit entry are saved together or not at all."""

import ipaddress
import json
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from koreplan.audit.models import GENESIS_HASH, AuditEntry, LastChange

if TYPE_CHECKING:
    from koreplan.accounts.models import User

USER_AGENT_MAX_LENGTH = AuditEntry._meta.get_field("user_agent").max_length

# Any fixed 64-bit number: the key of the PostgreSQL advisory lock that serialises writers.
_CHAIN_LOCK_KEY = 0x6B6F7265706C616E  # "koreplan"


def audit_record(
    *,
    action: str,
    actor: "User | None" = None,
    request: HttpRequest | None = None,
    case_id: int | None = None,
    client_id: int | None = None,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
    purpose: str = "",
) -> AuditEntry:
    """Append one entry to the audit log and return it.

    `actor` defaults to the request's authenticated user; their organisation is copied
    onto the entry, so that it still says where they worked when they have moved on.
    `purpose` defaults to the one the request gives (`request_purpose`), so that every
    read — a page, a search, an export, an API call — records it where the user gave one.

    The chain admits one writer at a time until the surrounding transaction commits, so
    a service records its audit entry as the last step of a short transaction.

    An entry that changes something (``is_read`` says which do not) about a case or a
    client also becomes their last change (``LastChange``), in the same transaction.
    """
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    if not purpose and request is not None:
        purpose = request_purpose(request)
    with transaction.atomic():
        _chain_lock()
        head = _chain_head()
        entry = AuditEntry(
            created_at=timezone.now(),
            action=action,
            actor=actor,
            actor_organisation_id=getattr(actor, "organisation_id", None),
            case_id=case_id,
            client_id=client_id,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            ip_address=_ip_address(request),
            user_agent=(
                request.headers.get("user-agent", "")[:USER_AGENT_MAX_LENGTH] if request else ""
            ),
            purpose=purpose,
            # Stored exactly as it will be read back, so the hash verifies later.
            data=json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder)),
            prev_hash=head if head is not None else GENESIS_HASH,
        )
        entry.seal()
        entry.save()
        if not is_read(action):
            _last_change_move(entry)
    return entry


#: The last word of an action code that reads rather than changes: ``koreplan.case.viewed``,
#: ``koreplan.api.case_read``, ``koreplan.dashboard.cases_listed``.
READ_VERBS = frozenset({"viewed", "searched", "listed", "read", "exported", "printed", "downloaded"})


def is_read(action: str) -> bool:
    """Whether an action only reads. An action code not known as a read counts as a
    change: at worst a page kept for the case is rendered again."""
    return action.rsplit(".", 1)[-1].rsplit("_", 1)[-1] in READ_VERBS


def _last_change_move(entry: AuditEntry) -> None:
    subjects = [(LastChange.Subject.CASE, entry.case_id), (LastChange.Subject.CLIENT, entry.client_id)]
    LastChange.objects.bulk_create(
        [LastChange(subject=subject, subject_id=pk, entry_id=entry.pk) for subject, pk in subjects if pk is not None],
        update_conflicts=True, unique_fields=["subject", "subject_id"], update_fields=["entry_id"],
    )


PURPOSE_PARAMETER = "purpose"
PURPOSE_HEADER = "X-Purpose"
PURPOSE_MAX_LENGTH = 300


def request_purpose(request: HttpRequest) -> str:
    """The purpose the user gave for a read: the `purpose` query parameter (the "Formål"
    field of the search and export forms, or an API call's) or the X-Purpose header.

    Only the query string and the header: a form field named purpose in a POST body means
    something else (a release appointment's purpose). A header is read as UTF-8 if it is
    (HTTP hands it over as Latin-1). Whitespace is collapsed and the text cut to 300
    characters so that a caller cannot flood the log.
    """
    value = request.GET.get(PURPOSE_PARAMETER, "") if hasattr(request, "GET") else ""
    if not value.strip():
        value = request.headers.get(PURPOSE_HEADER, "")
        try:
            value = value.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return " ".join(value.split())[:PURPOSE_MAX_LENGTH]


def _chain_lock() -> None:
    """Let one writer at a time read the chain's head and append to it.

    On PostgreSQL a transaction-scoped advisory lock does it, also when the log is empty
    (when there is no row for SELECT ... FOR UPDATE to lock). SQLite needs nothing: the
    settings open every transaction IMMEDIATE, which takes the database's write lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def _chain_head() -> str | None:
    """The newest entry's hash. In SQL: every page records its read, and the ORM takes
    longer to write this query than the database takes to answer it."""
    with connection.cursor() as cursor:
        cursor.execute(_CHAIN_HEAD_SQL)
        row = cursor.fetchone()
    return row[0] if row else None


_CHAIN_HEAD_SQL = f"SELECT hash FROM {AuditEntry._meta.db_table} ORDER BY id DESC LIMIT 1"


def _ip_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    try:
        # Normalised, so the value hashed now is the value the database gives back.
        return str(ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")))
    except ValueError:
        return None


# The session setting the PostgreSQL trigger (migration 0003) checks before it lets an
# UPDATE of an audit row through; SET LOCAL, so it ends with the transaction.
MAINTENANCE_SETTING = "koreplan.audit_maintenance"
PSEUDONYMISE_CHUNK = 1000


def audit_pseudonymise(*, before, actor: "User | None" = None, chunk_size: int = PSEUDONYMISE_CHUNK) -> int:
    """Pseudonymise the personal data of every entry created before `before`; return how many.

    Never deletes: the case and client ids become keyed pseudonyms (koreplan/audit/pseudonyms.py),
    the purpose, user agent and every value in `data` too; only the IP address is dropped
    (its column holds addresses, and a staff member's address says nothing about the case).
    The salt is erased with them, so the stored personal digest — which the chain hash
    covers, and which therefore stays — can no longer be linked to anyone. The chain still
    verifies. One transaction per chunk, so a long run holds no lock for long and an
    interrupted one resumes where it stopped; the run records its own entry at the end.
    """
    from koreplan.audit.pseudonyms import pseudonym, pseudonymise_data

    total = 0
    while True:
        with transaction.atomic():
            _maintenance_on()
            chunk = list(
                AuditEntry.objects.select_for_update()
                .filter(created_at__lt=before, pseudonymised_at__isnull=True)
                .order_by("id")[:chunk_size]
            )
            if not chunk:
                break
            now = timezone.now()
            for entry in chunk:
                if entry.client_id is not None:
                    entry.client_pseudonym = pseudonym("client", entry.client_id)
                if entry.case_id is not None:
                    entry.case_pseudonym = pseudonym("case", entry.case_id)
                entry.client_id = entry.case_id = entry.ip_address = None
                entry.user_agent = pseudonym("user_agent", entry.user_agent) if entry.user_agent else ""
                entry.purpose = pseudonym("purpose", entry.purpose) if entry.purpose else ""
                entry.data = pseudonymise_data(entry.data)
                entry.personal_salt = ""
                entry.pseudonymised_at = now
            AuditEntry.objects.bulk_update(
                chunk,
                [
                    "client_id", "case_id", "ip_address", "user_agent", "purpose", "data", "personal_salt",
                    "pseudonymised_at", "client_pseudonym", "case_pseudonym",
                ],
            )
            # The newest change of a case or client must not name a pseudonymised entry.
            LastChange.objects.filter(entry_id__in=[entry.pk for entry in chunk]).delete()
            total += len(chunk)
    if total:
        audit_record(action="koreplan.audit.pseudonymised", actor=actor, data={"before": before, "entries": total})
    return total


def _maintenance_on() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', true)", [MAINTENANCE_SETTING])


def audit_retention_cutoff(*, now=None):
    """Entries created before this keep no personal data (AUDIT_RETENTION_YEARS)."""
    from django.conf import settings

    from koreplan.audit.dates import years_before

    return years_before(now or timezone.now(), settings.AUDIT_RETENTION_YEARS)
