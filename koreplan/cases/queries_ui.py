"""Reads the web pages need that ``selectors`` does not (yet) offer.

Kept apart from ``selectors`` because that module is owned elsewhere; each function here
is a small, fixed-cost query, and every one that touches a case takes a case the caller
already got through :func:`koreplan.cases.selectors.case_get` — access is decided there,
never here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, QuerySet, Window

from koreplan.accounts.models import PLAN_HOLDING_ROLES, User
from koreplan.audit.models import AuditEntry
from koreplan.cases.models import (
    Case,
    CaseParticipation,
    Client,
    JournalEntry,
    Stay,
    Task,
)
from koreplan.cases.selectors import cases_visible_to
from koreplan.domain.cpr import parse_cpr
from koreplan.organisations.models import Organisation

#: How many entries of a case's access log the case page shows.
ACCESS_LOG_LIMIT = 25


def case_page_tasks(*, case: Case) -> list[Task]:
    """The case's tasks with everything the Køreplan shows about each, in one query."""
    return list(
        case.tasks.select_related("completed_by", "responsible_organisation", "assignee").order_by(
            "due_on", "obligation_id", "occurrence"
        )
    )


def case_stays(*, case: Case) -> list[Stay]:
    return list(case.stays.select_related("organisation").order_by("started_on", "id"))


def case_journal(*, case: Case) -> list[JournalEntry]:
    return list(case.journal.select_related("author").order_by("-occurred_on", "-id"))


def case_participations(*, case: Case) -> list[CaseParticipation]:
    """The organisations with an active part in the case: who can see it now."""
    return list(
        case.participations.filter(ended_at__isnull=True).select_related("organisation").order_by("started_at", "id")
    )


@dataclass(frozen=True)
class AccessLogRow:
    """One line of the case page's access log: when, who, from where, what."""

    created_at: datetime
    action: str
    actor: str
    actor_organisation: str


def case_access_log(*, case: Case, limit: int = ACCESS_LOG_LIMIT) -> tuple[list[AccessLogRow], int]:
    """The newest audit entries about the case, and how many there are in all.

    One query of the columns shown, the total counted alongside: built as model instances
    with their actor and organisation (two wide rows each), the 25 lines cost the ORM
    several times what the database spends on them (docs/performance.md)."""
    rows = list(
        AuditEntry.objects.filter(case_id=case.pk)
        .annotate(total=Window(Count("id")))
        .values_list(
            "created_at", "action", "actor__first_name", "actor__last_name", "actor__username",
            "actor_organisation__name", "total",
        )
        .order_by("-id")[:limit]
    )
    newest = [
        AccessLogRow(created_at, action, User.name_from(first, last, username), organisation or "")
        for created_at, action, first, last, username, organisation, _total in rows
    ]
    return newest, rows[0][-1] if rows else 0


def client_by_cpr(*, cpr: str, today) -> Client | None:
    """The client with this CPR number, whatever its formatting; None if none or invalid."""
    try:
        number, _birth = parse_cpr(cpr, today=today)
    except ValueError:
        return None
    return Client.objects.filter(cpr=number).first()


def client_open_case_visible_to(*, user: User, client: Client) -> Case | None:
    """An open case of the client that the user may see, if there is one."""
    return (
        cases_visible_to(user=user)
        .filter(client=client, status=Case.Status.OPEN)
        .order_by("-opened_at")
        .first()
    )


def worklist_organisations(*, organisation_ids) -> list[tuple[int, str]]:
    """The ids and names of the organisations of the worklist's tasks
    (``WorklistKey.organisation_id``), by name: the choices of its organisation filter."""
    return list(Organisation.objects.filter(pk__in=set(organisation_ids)).order_by("name").values_list("pk", "name"))


def municipalities() -> QuerySet[Organisation]:
    """The 98 municipalities, by name: the choices of acting municipality."""
    return Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).order_by("name")


def municipality_in_query(request) -> int | None:
    """The municipality named in ``?kommune=`` (a form's preselection, such as a returned
    request's suggestion), if it names one."""
    value = request.GET.get("kommune", "")
    return int(value) if value.isdigit() and municipalities().filter(pk=value).exists() else None


def holding_organisations() -> QuerySet[Organisation]:
    """Organisations that can hold a case: institutions and KIF departments."""
    return Organisation.objects.filter(
        kind__in=[Organisation.Kind.INSTITUTION, Organisation.Kind.KIF]
    ).order_by("kind", "name")


def plan_holders_by_organisation(*, organisation_ids) -> dict[int, list[User]]:
    """Like ``selectors.plan_holders_at`` for several organisations in one query."""
    holders: dict[int, list[User]] = defaultdict(list)
    users = User.objects.filter(
        organisation_id__in=set(organisation_ids), role__in=PLAN_HOLDING_ROLES, is_active=True
    ).order_by("first_name", "last_name")
    for user in users:
        holders[user.organisation_id].append(user)
    return holders
