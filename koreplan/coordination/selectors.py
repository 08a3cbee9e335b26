"""Every read of notices and requests to municipalities — and who may see which.

Two sides, two rules:

- **Kriminalforsorgen's side** reads a case's requests only through the case:
  callers first get it with ``koreplan.cases.selectors.case_get`` (404 unless the user's
  organisation has a part in it).
- **The municipality's side** never sees a case. :func:`inbox_for` is its one rule: the
  entrance staff (and managers) of a municipality see what was sent to *their*
  municipality; a caseworker sees a request once it is routed to them or their
  department. Anyone else — another municipality, Kriminalforsorgen's staff, an
  administrator — sees nothing here and gets 404. Requests awaiting a second person's
  approval, or cancelled, never reached the municipality and are not in any inbox.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from koreplan.accounts.models import Role, User
from koreplan.cases.models import Case
from koreplan.coordination.models import (
    DEFAULT_ESCALATE_AFTER_DAYS,
    DEFAULT_REMIND_AFTER_DAYS,
    CollaborationAgreement,
    MunicipalRequest,
    RequestReminder,
)
from koreplan.organisations.models import MunicipalDepartment, Organisation

_SELECT = (
    "case__client", "municipality", "sending_organisation", "created_by", "received_by", "routed_department",
    "routed_caseworker", "accepted_by", "returned_by", "suggested_municipality", "disclosure", "disclosure__approved_by",
)

#: What reached the municipality.
DELIVERED = (
    MunicipalRequest.Status.SENT,
    MunicipalRequest.Status.RECEIVED,
    MunicipalRequest.Status.ACCEPTED,
    MunicipalRequest.Status.RETURNED,
)


# -- Kriminalforsorgen's side ------------------------------------------------------------------


def may_send(user: User, case: Case) -> bool:
    """Staff of the organisation holding the case, or of its KIF department, write to the municipality."""
    if case.status != Case.Status.OPEN or not user.is_authenticated:
        return False
    if user.is_superuser and user.organisation_id is None:
        return True
    organisation = user.organisation
    return (
        organisation is not None
        and organisation.kind in (Organisation.Kind.INSTITUTION, Organisation.Kind.KIF)
        and organisation.pk in (case.holding_organisation_id, case.kif_id)
    )


def may_approve(user: User, request: MunicipalRequest) -> bool:
    return (
        request.status == MunicipalRequest.Status.AWAITING_APPROVAL
        and user.is_authenticated
        and user.pk != request.created_by_id
        and user.organisation_id == request.sending_organisation_id
    )


def requests_of(*, case: Case) -> QuerySet[MunicipalRequest]:
    return case.municipal_requests.select_related(*_SELECT).prefetch_related("reminders")


#: What the case page's panel shows of each request (``includes/status.html``): the people
#: by their names only — six joined users in full were most of the panel's time.
_PANEL_SELECT = (
    "municipality", "created_by", "received_by", "routed_department__municipality", "routed_caseworker",
    "accepted_by", "returned_by", "suggested_municipality", "disclosure", "disclosure__approved_by",
)
_PANEL_PEOPLE = ("created_by", "received_by", "routed_caseworker", "accepted_by", "returned_by", "disclosure__approved_by")
_PANEL_ONLY = (
    *(f.name for f in MunicipalRequest._meta.concrete_fields),
    *(f"{person}__{name}" for person in _PANEL_PEOPLE for name in ("first_name", "last_name", "username")),
    "municipality__name", "suggested_municipality__name", "routed_department__name",
    "routed_department__municipality__name", "disclosure__rejection_reason",
)


def requests_for_case_panel(*, case: Case) -> list[MunicipalRequest]:
    """The case's requests as the case page's panel shows them, newest first.

    Sorted here, not in SQL: over the joined tables Django's ORDER BY cost a millisecond
    per case view (docs/performance.md). Each request's ``case`` is the one given."""
    requests = list(
        case.municipal_requests.select_related(*_PANEL_SELECT).only(*_PANEL_ONLY).prefetch_related("reminders").order_by()
    )
    for request in requests:
        request.case = case
    return sorted(requests, key=lambda r: (r.created_at, r.pk), reverse=True)


def request_of_case(*, case: Case, request_id: int) -> MunicipalRequest:
    try:
        return requests_of(case=case).get(pk=request_id)
    except (MunicipalRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such request") from None


# -- the municipality's side ---------------------------------------------------------------------


def is_municipal(user: User) -> bool:
    return (
        user.is_authenticated
        and user.organisation_id is not None
        and user.organisation.kind == Organisation.Kind.MUNICIPALITY
    )


def is_entrance(user: User, municipality_id: int | None = None) -> bool:
    """Staff of a municipality's entrance (of this municipality, if given)."""
    return (
        is_municipal(user)
        and user.role == Role.MUNICIPAL_ENTRANCE
        and (municipality_id is None or user.organisation_id == municipality_id)
    )


def inbox_for(*, user: User) -> QuerySet[MunicipalRequest]:
    """The requests the user may see in the inbox (see the module's docstring)."""
    if not is_municipal(user) or not user.is_active:
        return MunicipalRequest.objects.none()
    delivered = MunicipalRequest.objects.filter(status__in=DELIVERED, municipality_id=user.organisation_id)
    if user.role in (Role.MUNICIPAL_ENTRANCE, Role.MANAGER):
        return delivered
    if user.role == Role.MUNICIPAL_CASEWORKER:
        mine = Q(routed_caseworker=user)
        if user.department_id:
            mine |= Q(routed_department_id=user.department_id)
        return delivered.filter(mine, status=MunicipalRequest.Status.ACCEPTED)
    return MunicipalRequest.objects.none()


def inbox_list(*, user: User, status: str = "") -> QuerySet[MunicipalRequest]:
    requests = inbox_for(user=user).select_related(*_SELECT).prefetch_related("reminders")
    if status:
        requests = requests.filter(status=status)
    return requests.order_by("-sent_at", "-id")


def inbox_get(*, user: User, request_id: int) -> MunicipalRequest:
    """A request in the user's inbox, else 404 — whether or not it exists."""
    try:
        return inbox_for(user=user).select_related(*_SELECT).prefetch_related("reminders").get(pk=request_id)
    except (MunicipalRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such request") from None


def routing_choices(*, municipality: Organisation) -> tuple[QuerySet[MunicipalDepartment], QuerySet[User]]:
    """The departments of the municipality, and its staff who can take a case."""
    departments = MunicipalDepartment.objects.filter(municipality=municipality).order_by("kind")
    people = (
        User.objects.filter(
            organisation=municipality, is_active=True,
            role__in=[Role.MUNICIPAL_CASEWORKER, Role.MUNICIPAL_ENTRANCE],
        )
        .select_related("department")
        .order_by("department__kind", "first_name", "last_name")
    )
    return departments, people


# -- reminders and escalation ----------------------------------------------------------------------


def agreement_days(*, institution_id: int, municipality_id: int) -> tuple[int, int]:
    """(remind after, escalate after) in days: the local agreement's, or the defaults."""
    agreement = CollaborationAgreement.objects.filter(institution_id=institution_id, municipality_id=municipality_id).first()
    if agreement is None:
        return DEFAULT_REMIND_AFTER_DAYS, DEFAULT_ESCALATE_AFTER_DAYS
    return agreement.remind_after_days, agreement.escalate_after_days


def requests_due_for_reminder(today: date | None = None) -> list[tuple[MunicipalRequest, str, date]]:
    """Unanswered requests whose reminder or escalation is due and not yet sent.

    A request is unanswered while it is sent or received but neither accepted nor
    returned. Its reminder is due ``remind_after_days`` calendar days after it was sent,
    its escalation ``escalate_after_days`` after — the local collaboration agreement's
    numbers for the sending organisation and the municipality, or the defaults (7 and 14).
    Each goes once (:class:`~koreplan.coordination.models.RequestReminder`); one that is
    overdue is still due, so a night the sweep did not run is caught up the next.
    Returns (request, kind, due date), oldest first.
    """
    today = today or timezone.localdate()
    agreements = {
        (a.institution_id, a.municipality_id): (a.remind_after_days, a.escalate_after_days)
        for a in CollaborationAgreement.objects.all()
    }
    due: list[tuple[MunicipalRequest, str, date]] = []
    requests = (
        MunicipalRequest.objects.filter(status__in=MunicipalRequest.OPEN, sent_at__isnull=False)
        .select_related("case__client", "municipality", "sending_organisation", "created_by")
        .prefetch_related("reminders")
        .order_by("sent_at", "id")
    )
    for request in requests:
        remind, escalate = agreements.get(
            (request.sending_organisation_id, request.municipality_id), (DEFAULT_REMIND_AFTER_DAYS, DEFAULT_ESCALATE_AFTER_DAYS)
        )
        sent_on = timezone.localdate(request.sent_at)
        done = {r.kind for r in request.reminders.all()}
        for kind, days in ((RequestReminder.Kind.REMINDER, remind), (RequestReminder.Kind.ESCALATION, escalate)):
            due_on = sent_on + timedelta(days=days)
            if kind not in done and today >= due_on:
                due.append((request, kind.value, due_on))
    return due
