"""Every read of clients, cases and tasks — and the one rule of who may see a case.

:func:`cases_visible_to` decides access for every view, export and API endpoint: a case
is visible to staff of an organisation with an active part in it (the holder, KIF once
involved, the receiver of a pending hand-over) and to administrators. Municipal staff
never see the case itself — only what was disclosed to their municipality.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple
from datetime import UTC, date, datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from koreplan.accounts.models import Role, User
from koreplan.cases.models import Case, CaseParticipation, Client, Handover, Task
from koreplan.domain.release import Signal
from koreplan.organisations.models import Organisation
from koreplan.release.selectors import release_signals

CASE_PARTS = (
    CaseParticipation.Part.HOLDER,
    CaseParticipation.Part.HANDOVER_RECEIVER,
    CaseParticipation.Part.PREVIOUS_HOLDER,
    CaseParticipation.Part.KIF,
)


def is_administrator(user: User) -> bool:
    return user.is_superuser or user.role == Role.ADMINISTRATOR


def cases_visible_to(*, user: User) -> QuerySet[Case]:
    if not user.is_authenticated:
        return Case.objects.none()
    if is_administrator(user):
        return Case.objects.all()
    if user.organisation_id is None or user.organisation.kind == Organisation.Kind.MUNICIPALITY:
        return Case.objects.none()
    part = CaseParticipation.objects.filter(
        case=OuterRef("pk"), organisation_id=user.organisation_id, ended_at__isnull=True, part__in=CASE_PARTS
    )
    return Case.objects.filter(Exists(part))


#: What every case view shows of the case's people and places, read with it.
CASE_RELATED = (
    "client__acting_municipality", "holding_organisation", "plan_responsible", "substitute", "kif", "kif_officer"
)
#: The case page also names the acting municipality's entrance (the municipality panel):
#: two more joined tables cost less than a query of their own.
CASE_PAGE_RELATED = (*CASE_RELATED, "client__acting_municipality__entrance__department")


def case_get(*, user: User, case_id: int, related: tuple[str, ...] = CASE_RELATED) -> Case:
    """The case if the user may see it, else 404 — its existence is not revealed."""
    try:
        return cases_visible_to(user=user).select_related(*related).get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("No such case") from None


def may_edit(user: User, case: Case) -> bool:
    """Staff of the holding organisation change a case (services._require_holder_staff)."""
    return user.is_superuser or (user.organisation_id is not None and user.organisation_id == case.holding_organisation_id)


def may_edit_open(user: User, case: Case) -> bool:
    """``may_edit``, on a case still open: who holds it, its hand-over, the acting municipality."""
    return case.status == Case.Status.OPEN and may_edit(user, case)


#: A case with no plan-responsible who can act: none is named, or the one named has left
#: (their account is deactivated). Its holder-side tasks are then on nobody's worklist.
WITHOUT_PLAN_RESPONSIBLE = Q(plan_responsible__isnull=True) | Q(plan_responsible__is_active=False)


def case_list(
    *, user: User, query: str = "", status: str = Case.Status.OPEN, without_plan_responsible: bool = False
) -> QuerySet[Case]:
    cases = cases_visible_to(user=user).select_related("client", "holding_organisation", "plan_responsible")
    if status:
        cases = cases.filter(status=status)
    if without_plan_responsible:
        cases = cases.filter(WITHOUT_PLAN_RESPONSIBLE)
    query = query.strip()
    if query:
        digits = query.replace("-", "")
        cases = cases.filter(
            Q(client__first_name__icontains=query)
            | Q(client__last_name__icontains=query)
            | (Q(client__cpr__startswith=digits) if digits.isdigit() else Q(pk__in=[]))
        )
    return cases.order_by("client__last_name", "client__first_name", "pk")


def clients_visible_to(*, user: User) -> QuerySet[Client]:
    return Client.objects.filter(pk__in=cases_visible_to(user=user).values("client_id"))


def case_tasks(*, case: Case) -> list[Task]:
    return list(case.tasks.select_related("completed_by", "responsible_organisation", "assignee").order_by("due_on", "obligation_id", "occurrence"))


def case_handovers(*, case: Case) -> QuerySet[Handover]:
    return case.handovers.select_related("from_organisation", "from_user", "to_organisation", "to_user", "answered_by")


def handover_pending(*, case: Case) -> Handover | None:
    return case_handovers(case=case).filter(status=Handover.Status.REQUESTED).first()


#: The people and places of a hand-over, read with it where it is shown in full.
HANDOVER_PARTIES = ("case__client", "from_organisation", "from_user", "to_organisation", "to_user")


def handovers_incoming(*, user: User) -> QuerySet[Handover]:
    """Hand-overs waiting for the user's organisation (or the user in person) to answer.

    Without related rows: each caller reads what it shows (``HANDOVER_PARTIES`` for a
    hand-over in full), since every joined table costs even when none wait."""
    pending = Handover.objects.filter(status=Handover.Status.REQUESTED)
    if is_administrator(user):
        return pending
    return pending.filter(to_organisation_id=user.organisation_id).filter(Q(to_user__isnull=True) | Q(to_user=user))


def handover_get_for_receiver(*, user: User, handover_id: int) -> Handover:
    try:
        return handovers_incoming(user=user).select_related(*HANDOVER_PARTIES).get(pk=handover_id)
    except (Handover.DoesNotExist, ValueError, TypeError):
        raise Http404("No such hand-over") from None


def tasks_visible_to(*, user: User) -> QuerySet[Task]:
    return Task.objects.filter(case__in=cases_visible_to(user=user))


def task_get(*, user: User, task_id: int) -> Task:
    try:
        return tasks_visible_to(user=user).select_related("case__client", "case__holding_organisation").get(pk=task_id)
    except (Task.DoesNotExist, ValueError, TypeError):
        raise Http404("No such task") from None


def my_tasks_q(user: User) -> Q:
    """Open tasks that are mine: as plan-responsible, as covering substitute, or as KIF officer."""
    holder_side = Q(responsible_organisation=F("case__holding_organisation")) & (
        (Q(case__plan_responsible=user) & Q(case__substitute_covering=False))
        | (Q(case__substitute=user) & Q(case__substitute_covering=True))
    )
    kif_side = Q(responsible_organisation=F("case__kif")) & Q(case__kif_officer=user) & ~Q(
        case__holding_organisation=F("case__kif")
    )
    return Q(assignee=user) | (Q(assignee__isnull=True) & (holder_side | kif_side))


#: How far ahead the worklist looks.
WORKLIST_HORIZON_DAYS = 90
#: The worklist's three sections, in order.
WORKLIST_SECTIONS = ("overdue", "this_week", "later")


@dataclass(frozen=True)
class Worklist:
    overdue: list[Task]
    this_week: list[Task]
    later: list[Task]

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.this_week) + len(self.later)


@dataclass(frozen=True)
class WorklistPage:
    """One page of the worklist, from the keys alone: which tasks, and every section's size."""

    #: the page of the worklist's keys, in the worklist's order
    page: Page
    #: how many tasks each section holds in all
    counts: dict[str, int]
    #: the page each section begins on (sections with no tasks are left out)
    first_pages: dict[str, int]

    @property
    def keys(self) -> list[WorklistKey]:
        """The keys of the tasks on this page."""
        return self.page.object_list

    @property
    def count(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class WorklistRows:
    """The tasks of a page of the worklist, read in full."""

    #: the tasks on the page, by section (``WORKLIST_SECTIONS``)
    sections: dict[str, list[Task]]
    #: the release-readiness signal of each case on the page, by the case's id
    signals: dict[int, Signal]


def _worklist_section(due_on: date, *, today: date) -> str:
    end_of_week = today + timedelta(days=6 - today.weekday())
    if due_on < today:
        return "overdue"
    return "this_week" if due_on <= end_of_week else "later"


class WorklistKey(NamedTuple):
    """What a worklist is ordered and filtered by, for one task: read for all the user's
    tasks, while only a page of them is read in full."""

    due_on: date
    obligation_id: str
    occurrence: int
    task_id: int
    case_type: str
    step: str
    organisation_id: int
    case_id: int
    client_id: int


def _my_organisations(user_id: int, *, holding: int, kif: int | None, plan_responsible: int | None,
                      substitute: int | None, covering: bool, kif_officer: int | None) -> set[int]:
    """The organisations whose unassigned tasks on one case are the user's: ``my_tasks_q``
    for a single case, read from its person columns."""
    mine = set()
    if (plan_responsible == user_id and not covering) or (substitute == user_id and covering):
        mine.add(holding)
    if kif_officer == user_id and kif is not None and kif != holding:
        mine.add(kif)
    return mine


_KEY_COLUMNS = """t.due_on, t.obligation_id, t.occurrence, t.id, t.step, t.responsible_organisation_id, t.assignee_id,
    c.case_type, c.holding_organisation_id, c.kif_id, c.plan_responsible_id, c.substitute_id, c.substitute_covering,
    c.kif_officer_id, c.id, c.client_id"""
#: The open tasks due by a day on the open cases where the user is named on the case, and
#: those named to the user on any open case; each side by its own indexes.
_KEYS_SQL = f"""
SELECT {_KEY_COLUMNS} FROM {Case._meta.db_table} c JOIN {Task._meta.db_table} t ON t.case_id = c.id
WHERE c.status = %(open)s AND (c.plan_responsible_id = %(user)s OR c.substitute_id = %(user)s OR c.kif_officer_id = %(user)s)
  AND t.completed_on IS NULL AND t.due_on <= %(due_by)s
UNION ALL
SELECT {_KEY_COLUMNS} FROM {Task._meta.db_table} t JOIN {Case._meta.db_table} c ON c.id = t.case_id
WHERE t.assignee_id = %(user)s AND t.completed_on IS NULL AND t.due_on <= %(due_by)s AND c.status = %(open)s
"""


def worklist_keys(*, user: User, today: date, horizon_days: int = WORKLIST_HORIZON_DAYS) -> list[WorklistKey]:
    """The keys of the user's open tasks due within the horizon (``my_tasks_q``), in the
    worklist's order.

    One query in SQL: the open tasks of the open cases on which the user is named, with
    the columns that say whose they are, and the open tasks named to the user. Which are
    the user's is then decided per case in Python (``_my_organisations``; a test holds it
    to ``my_tasks_q``). SQL rather than the ORM: on every worklist, the ORM took five times
    longer to write the three queries this replaces than the database took to answer them
    (docs/performance.md). Asked as one ORM query — an OR across people and the case's
    columns — no index serves it, and SQLite's planner once read every task without an
    assignee. The order and the filters (``worklist_filter``) are applied here, not in
    SQL, for the same reason: an ORDER BY on due_on lets the planner walk the whole
    due_on index.
    """
    params = {"open": Case.Status.OPEN, "user": user.pk, "due_by": today + timedelta(days=horizon_days)}
    with connection.cursor() as cursor:
        cursor.execute(_KEYS_SQL, params)
        rows = cursor.fetchall()
    keys: dict[int, WorklistKey] = {}
    for (due_on, obligation, occurrence, pk, step, organisation, assignee, case_type,
         holding, kif, responsible, substitute, covering, officer, case_id, client_id) in rows:
        if pk in keys:  # named to the user on a case that is theirs anyway
            continue
        if assignee == user.pk or (assignee is None and organisation in _my_organisations(
            user.pk, holding=holding, kif=kif, plan_responsible=responsible, substitute=substitute,
            covering=bool(covering), kif_officer=officer,
        )):
            keys[pk] = WorklistKey(
                _date(due_on), obligation, occurrence, pk, case_type, step, organisation, case_id, client_id
            )
    return sorted(keys.values())


def worklist_filter(
    keys: list[WorklistKey], *, case_type: str = "", step: str = "", organisation_id: int | None = None
) -> list[WorklistKey]:
    return [
        key for key in keys
        if (not case_type or key.case_type == case_type)
        and (not step or key.step == step)
        and (not organisation_id or key.organisation_id == organisation_id)
    ]


#: What a worklist row reads of its task, case, client and organisations — the row itself
#: (cases.worklist_rows), who may complete it and where (cases.task_links) and the release
#: signal (release.selectors) — and nothing more: a case has dozens of columns of facts, and
#: building them is a real part of a row's time. A page's query count is tested, so a field
#: read here and not listed shows up as a query per row.
WORKLIST_ROW_FIELDS = (
    "case_id", "obligation_id", "title_da", "title_en", "due_on", "asap", "assumed", "non_working_day",
    "legal_basis", "step", "responsible_organisation__name", "assignee_id", "completed_on",
    "case__client__first_name", "case__client__last_name", "case__case_type", "case__status",
    "case__holding_organisation__kind", "case__holding_organisation__name", "case__kif_id",
    "case__plan_responsible_id", "case__substitute_id", "case__substitute_covering", "case__kif_officer_id",
    "case__expected_release_on",
)


def _worklist_sections(task_ids: list[int], *, today: date, only: tuple[str, ...] = ()) -> dict[str, list[Task]]:
    """The tasks, in the order given and by section, with their cases, clients and
    organisations (``only`` the fields named, if any)."""
    # No ORDER BY: the order is the keys'; and the ORM's cost of one grows with the columns.
    tasks = Task.objects.select_related("case__client", "case__holding_organisation", "responsible_organisation")
    by_id = (tasks.only(*only) if only else tasks).order_by().in_bulk(task_ids)
    tasks = [by_id[pk] for pk in task_ids if pk in by_id]
    sections: dict[str, list[Task]] = {section: [] for section in WORKLIST_SECTIONS}
    for task in tasks:
        sections[_worklist_section(task.due_on, today=today)].append(task)
    return sections


def worklist(
    *,
    user: User,
    today: date | None = None,
    case_type: str = "",
    step: str = "",
    organisation_id: int | None = None,
    horizon_days: int = WORKLIST_HORIZON_DAYS,
) -> Worklist:
    """Mine opgaver, all of it: overdue, this week, later (within the horizon)."""
    today = today or timezone.localdate()
    keys = worklist_filter(
        worklist_keys(user=user, today=today, horizon_days=horizon_days),
        case_type=case_type, step=step, organisation_id=organisation_id,
    )
    return Worklist(**_worklist_sections([key.task_id for key in keys], today=today))


def worklist_page(
    keys: list[WorklistKey], *, today: date, number: int | str | None, per_page: int, containing_task: int | None = None
) -> WorklistPage:
    """One page of Mine opgaver (page ``number``, or the page ``containing_task``), from
    ``worklist_keys``, without a query: only the page's tasks are then read in full
    (``worklist_rows``), so a worker with hundreds of tasks gets a page as fast as one with
    twenty."""
    key_sections = [_worklist_section(key.due_on, today=today) for key in keys]
    paginator = Paginator(keys, per_page)
    if containing_task is not None:
        number = next((i // per_page + 1 for i, key in enumerate(keys) if key.task_id == containing_task), number)
    page = paginator.get_page(number)
    counts = {section: key_sections.count(section) for section in WORKLIST_SECTIONS}
    first_pages = {
        section: key_sections.index(section) // per_page + 1 for section in WORKLIST_SECTIONS if counts[section]
    }
    return WorklistPage(page=page, counts=counts, first_pages=first_pages)


def worklist_rows(work: WorklistPage, *, today: date) -> WorklistRows:
    """The page's tasks in full, with their cases, clients and organisations, and their
    cases' release signals: two queries."""
    sections = _worklist_sections([key.task_id for key in work.keys], today=today, only=WORKLIST_ROW_FIELDS)
    cases = {task.case_id: task.case for tasks in sections.values() for task in tasks}
    return WorklistRows(sections=sections, signals=release_signals(cases.values(), today))


#: Who is told on their worklist of the organisation's cases without a plan-responsible:
#: those who do the plan work and share it out (a social worker, at KIF a probation officer)
#: and their manager. Not a prison officer (contact person), who may hold a plan but does
#: not decide who holds one.
UNHELD_NOTICE_ROLES = frozenset({Role.SOCIAL_WORKER, Role.KIF_OFFICER, Role.MANAGER})
#: How many of those cases the worklist names; the case list has them all.
UNHELD_NOTICE_LIMIT = 10


@dataclass(frozen=True)
class UnheldCase:
    """A case without a plan-responsible, as the worklist's notice names it."""

    pk: int
    client: str
    case_type: str
    intake_on: date | None
    opened_at: datetime
    #: the plan-responsible named on the case who has left, if any
    former_plan_responsible: str
    #: the earliest deadline of its open tasks that has passed
    oldest_overdue_on: date | None


@dataclass(frozen=True)
class UnheldCases:
    """The first ``UNHELD_NOTICE_LIMIT`` open cases the user's organisation holds without a
    plan-responsible, most urgent first, and how many there are in all."""

    cases: list[UnheldCase]
    count: int


def unheld_notice_for(user: User) -> bool:
    return user.is_active and user.role in UNHELD_NOTICE_ROLES and user.may_hold_plan


#: ``WITHOUT_PLAN_RESPONSIBLE`` at one organisation, the oldest overdue first; the total
#: rides on every row as a window count, so a short list still says how many there are.
#: The clients are joined to the page of them only: joined to the organisation's open cases,
#: the planner read every one's client before it knew which had nobody (2.3 times as long).
_UNHELD_SQL = f"""
WITH unheld AS (
    SELECT c.id, c.client_id, c.case_type, c.intake_on, c.opened_at, u.first_name, u.last_name, u.username,
           (SELECT MIN(t.due_on) FROM {Task._meta.db_table} t
            WHERE t.case_id = c.id AND t.completed_on IS NULL AND t.due_on < %(today)s) AS oldest_overdue_on
    FROM {Case._meta.db_table} c
    LEFT JOIN {User._meta.db_table} u ON u.id = c.plan_responsible_id
    WHERE c.holding_organisation_id = %(organisation)s AND c.status = %(open)s
      AND (c.plan_responsible_id IS NULL OR NOT u.is_active)
), shown AS (
    SELECT unheld.*, COUNT(*) OVER () AS total FROM unheld
    ORDER BY oldest_overdue_on ASC NULLS LAST, opened_at, id
    LIMIT %(limit)s
)
SELECT s.id, cl.first_name, cl.last_name, s.case_type, s.intake_on, s.opened_at, s.first_name, s.last_name, s.username,
       s.oldest_overdue_on, s.total
FROM shown s JOIN {Client._meta.db_table} cl ON cl.id = s.client_id
ORDER BY s.oldest_overdue_on ASC NULLS LAST, s.opened_at, s.id
"""


def worklist_unheld(*, user: User, today: date, limit: int = UNHELD_NOTICE_LIMIT) -> UnheldCases | None:
    """The cases that fall between chairs at the user's organisation (``WITHOUT_PLAN_RESPONSIBLE``),
    for those who may appoint someone (``unheld_notice_for``); None, without a query, for others.

    One query, in SQL: on every worklist of those told, the ORM took several times longer
    to write it than the database to answer (docs/performance.md). A test holds it to
    ``WITHOUT_PLAN_RESPONSIBLE``.
    """
    if not unheld_notice_for(user):
        return None
    params = {"today": today, "organisation": user.organisation_id, "open": Case.Status.OPEN, "limit": limit}
    with connection.cursor() as cursor:
        cursor.execute(_UNHELD_SQL, params)
        rows = cursor.fetchall()
    cases = [
        UnheldCase(
            pk=pk, client=f"{first} {last}", case_type=case_type, intake_on=_date(intake_on),
            opened_at=_datetime(opened_at),
            former_plan_responsible=User.name_from(left_first, left_last, left_username),
            oldest_overdue_on=_date(oldest),
        )
        for pk, first, last, case_type, intake_on, opened_at, left_first, left_last, left_username, oldest, _total in rows
    ]
    return UnheldCases(cases=cases, count=rows[0][-1] if rows else 0)


def _date(value) -> date | None:
    """A date column as SQL gave it: SQLite hands dates over as text."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _datetime(value) -> datetime:
    """A time stamp as SQL gave it: SQLite hands it over without its time zone (UTC)."""
    value = datetime.fromisoformat(value) if isinstance(value, str) else value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def plan_holders_at(*, organisation: Organisation) -> QuerySet[User]:
    """Staff of the organisation who may hold a plan (for choosing a plan-responsible)."""
    from koreplan.accounts.models import PLAN_HOLDING_ROLES

    return User.objects.filter(organisation=organisation, role__in=PLAN_HOLDING_ROLES, is_active=True).order_by(
        "first_name", "last_name"
    )
