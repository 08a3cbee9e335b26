"""Writes of the privacy app: the audit entries of its own reads and exports, and the
retention of closed cases."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.http import HttpRequest
from django.utils import timezone

from koreplan.audit.dates import years_before
from koreplan.audit.services import audit_record
from koreplan.cases.models import Case, Client
from koreplan.privacy.models import CaseRetention
from koreplan.privacy.selectors import related_tree

logger = logging.getLogger(__name__)


# -- the audit entries of the person pages ---------------------------------------------------


def person_searched_record(*, request: HttpRequest, query: str, results: int, purpose: str) -> None:
    audit_record(
        action="koreplan.privacy.person_searched", request=request, purpose=purpose,
        data={"query": query, "results": results},
    )


def person_log_read_record(
    *, request: HttpRequest, client: Client, what: str, filters: dict, entries: int, purpose: str
) -> None:
    """`what`: viewed, csv or pdf. A view and an export are separate actions, so a report
    can tell who took a person's log out of the system."""
    action = "koreplan.privacy.person_log_viewed" if what == "viewed" else "koreplan.privacy.person_log_exported"
    audit_record(
        action=action, request=request, client_id=client.pk, obj=client, purpose=purpose,
        data={"format": what, "entries": entries, **{k: v for k, v in filters.items() if v}},
    )


def subject_access_exported_record(*, request: HttpRequest, client: Client, fmt: str, rows: int, purpose: str) -> None:
    audit_record(
        action="koreplan.privacy.subject_access_exported", request=request, client_id=client.pk, obj=client,
        purpose=purpose, data={"format": fmt, "rows": rows},
    )


# -- retention of closed cases ----------------------------------------------------------------

ANONYMOUS_NAME = "Anonymiseret"
#: What personal text is replaced by: not blank, so that a rule such as "a returned
#: hand-over gives its reason" still holds, and a reader sees that text was removed.
ANONYMISED_TEXT = "[anonymiseret]"
#: Short text (CharField without choices) that is a code, a key or the system's own words,
#: never a person's: kept, so that statistics and links still work. Every other short text
#: in a case's rows (a meeting's place, a participant's name, phone and e-mail, a note) is
#: personal data and is replaced; a new field is replaced until it is listed here.
KEPT_SHORT_TEXT = frozenset({
    "cases.Case.sentence",
    "cases.Task.obligation_id",
    "cases.Task.step",
    "cases.Task.title_da",
    "cases.Task.title_en",
    "plans.AreaChange.area_key",
    "release.AgendaItem.plan_area_key",
    "dashboards.ChecklistAnswer.item",
    "consent.Consent.signed_copy_type",
    "consent.Consent.signed_copy_sha256",
    "coordination.MunicipalRequest.step",
    "coordination.MunicipalRequest.digest",
    "notifications.Notification.url",
    "notifications.Notification.dedupe_key",
    "notifications.OutboxMessage.dedupe_key",
    "notifications.OutboxMessage.claimed_by",
})


def retention_cutoff(*, now: datetime | None = None) -> datetime:
    return years_before(now or timezone.now(), settings.CLOSED_CASE_RETENTION_YEARS)


def cases_due_for_retention(*, now: datetime | None = None) -> models.QuerySet[Case]:
    done = CaseRetention.objects.values("case_id")
    return (
        Case.objects.filter(status=Case.Status.CLOSED, closed_at__lt=retention_cutoff(now=now))
        .exclude(pk__in=done)
        .order_by("closed_at", "pk")
    )


def case_retention_apply(*, now: datetime | None = None, mode: str | None = None) -> dict[str, int]:
    """Anonymise or delete (CLOSED_CASE_RETENTION_MODE) the personal data of every case
    closed longer than CLOSED_CASE_RETENTION_YEARS ago; one transaction per case, so an
    interrupted run leaves every case either done (with its audit entry) or untouched.
    Returns how many cases were anonymised and deleted."""
    mode = mode or settings.CLOSED_CASE_RETENTION_MODE
    if mode not in ("anonymise", "delete"):
        raise ValueError(f"mode must be 'anonymise' or 'delete', not {mode!r}")
    counts = {"anonymised": 0, "deleted": 0}
    for case_id in list(cases_due_for_retention(now=now).values_list("pk", flat=True)):
        if mode == "delete":
            case_delete_personal_data(case_id=case_id)
            counts["deleted"] += 1
        else:
            case_anonymise(case_id=case_id)
            counts["anonymised"] += 1
    return counts


@transaction.atomic
def case_anonymise(*, case_id: int) -> None:
    """Blank the free text, structured content and files of the case and everything that
    refers to it; anonymise the client too once none of their cases is open or still
    within the retention period. Codes, dates and statuses stay, so statistics still count
    the case."""
    case = Case.objects.select_for_update().get(pk=case_id)
    client = case.client
    rows = related_tree(case)
    changed = 0
    for obj in rows:
        changed += _blank_personal_fields(obj)
    client_anonymised = False
    if not _client_still_needed(client, besides=case):
        _anonymise_client(client)
        for obj in related_tree(client):
            if not isinstance(obj, (Client, Case)):
                changed += _blank_personal_fields(obj)
        client_anonymised = True
    CaseRetention.objects.create(
        case_id=case.pk, client_id=client.pk, mode=CaseRetention.Mode.ANONYMISED,
        closed_at=case.closed_at, applied_at=timezone.now(),
    )
    audit_record(
        action="koreplan.privacy.case_anonymised", case_id=case.pk, client_id=client.pk,
        data={"rows": len(rows), "fields": changed, "client_anonymised": client_anonymised, "closed_at": case.closed_at},
    )


@transaction.atomic
def case_delete_personal_data(*, case_id: int) -> None:
    """Delete the case and every row that refers to it; the client too once they have no
    other case. The audit log keeps its entries (their personal data is pseudonymised on
    its own schedule) and records this one."""
    case = Case.objects.select_for_update().get(pk=case_id)
    client = case.client
    rows = related_tree(case)
    _delete_rows(rows)
    client_deleted = False
    if not Case.objects.filter(client=client).exists():
        _delete_rows(related_tree(client))
        client_deleted = True
    CaseRetention.objects.create(
        case_id=case_id, client_id=client.pk, mode=CaseRetention.Mode.DELETED,
        closed_at=case.closed_at, applied_at=timezone.now(),
    )
    audit_record(
        action="koreplan.privacy.case_deleted", case_id=case_id, client_id=client.pk,
        data={"rows": len(rows), "client_deleted": client_deleted, "closed_at": case.closed_at},
    )


def _client_still_needed(client: Client, *, besides: Case) -> bool:
    cutoff = retention_cutoff()
    others = Case.objects.filter(client=client).exclude(pk=besides.pk)
    return others.exclude(status=Case.Status.CLOSED).exists() or others.filter(closed_at__gte=cutoff).exists()


def _anonymise_client(client: Client) -> None:
    # Not a valid CPR number (a letter), unique by the client's id, so the unique
    # constraint holds and nothing can mistake it for a person's number.
    client.cpr = f"A{client.pk:09d}"[-10:]
    client.first_name = ANONYMOUS_NAME
    client.last_name = ""
    # The year stays (ages in statistics); the day does not.
    client.birth_date = client.birth_date.replace(month=1, day=1)
    client.save(update_fields=["cpr", "first_name", "last_name", "birth_date"])


def _is_personal_text(obj: models.Model, field: models.Field) -> bool:
    """Free text (TextField) and short text that is not a code (``KEPT_SHORT_TEXT``):
    where the people in a case are described, named and reached."""
    if field.choices:
        return False
    if isinstance(field, models.TextField):
        return True
    return isinstance(field, models.CharField) and f"{obj._meta.label}.{field.name}" not in KEPT_SHORT_TEXT


def _blank_personal_fields(obj: models.Model) -> int:
    """Replace the personal text, structured content (JSONField) and files of one row. The
    client's own name and CPR number live on the client (``_anonymise_client``)."""
    changed = []
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if isinstance(field, models.FileField):
            if value:
                getattr(obj, field.name).delete(save=False)
                setattr(obj, field.attname, "")
                changed.append(field.attname)
        elif isinstance(field, models.JSONField):
            empty = field.get_default()
            if value != empty:
                setattr(obj, field.attname, empty)
                changed.append(field.attname)
        elif _is_personal_text(obj, field) and value and value != ANONYMISED_TEXT:
            setattr(obj, field.attname, ANONYMISED_TEXT[: field.max_length])
            changed.append(field.attname)
    if changed:
        type(obj)._base_manager.filter(pk=obj.pk).update(**{name: getattr(obj, name) for name in changed})
    return len(changed)


def _delete_rows(rows: list[models.Model]) -> None:
    """Delete rows that refer to one another, some with PROTECT: the most distant first,
    and what is still protected by a row not yet deleted again in the next round."""
    pending = list(reversed(rows))
    while pending:
        blocked = []
        for obj in pending:
            for field in obj._meta.concrete_fields:
                if isinstance(field, models.FileField) and getattr(obj, field.attname):
                    getattr(obj, field.name).delete(save=False)
            try:
                type(obj)._base_manager.filter(pk=obj.pk).delete()
            except (ProtectedError, RestrictedError):
                blocked.append(obj)
        if len(blocked) == len(pending):
            raise RuntimeError(f"Cannot delete {blocked[0]._meta.label} {blocked[0].pk}: still referred to")
        pending = blocked
