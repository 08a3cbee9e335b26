"""Every read the dashboards make: aggregate figures, the cases behind a figure, evaluations.

**Aggregates, never per-case Python.** Each figure is one ``GROUP BY`` query with
``Count(..., filter=Q(...))`` columns, grouped by obligation and month (or by status,
waiting days, checklist item), so a page costs the same handful of queries for one case or
for the whole country. Python only adds up the grouped rows (tens to a few thousand).

**One definition per figure.** The ``Q`` that counts a figure is the ``Q`` that lists the
cases behind it (:func:`figure_cases`), so a drill-down always lists exactly the cases
its number counted — of which the viewer is shown those ``cases_visible_to`` lets them
see (:func:`figure_drilldown`) — and counts the records behind it (tasks, hand-overs, …:
:func:`figure_records`) to the number the dashboard shows.

**Replicas.** Every read goes through ``scope.alias`` (``settings.DASHBOARD_DB_ALIAS``).

**Tasks.** A task is counted in the month of its due date, once it belongs to the period:

- *on time*: done on or before its date;
- *late*: done after its date;
- *open past its date*: not done, the date has passed, and the case is open — or the case
  was closed after the date (the obligation fell due while the case ran and was not met);
- *not yet due*: not done, the date is today or later, the case open.

A task of a closed case that fell due only after the case was closed is in none of them:
the obligation lapsed with the case (a transfer abroad, a pardon), it was not missed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.apps import apps as django_apps
from django.core.paginator import Page, Paginator
from django.db import connections, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.http import Http404

from koreplan.accounts.models import User
from koreplan.cases.models import Case, CaseParticipation, Handover, Task
from koreplan.cases.selectors import cases_visible_to, is_administrator
from koreplan.dashboards.models import (
    ChecklistAnswer,
    EvaluationAnswer,
    ReleaseEvaluation,
)
from koreplan.dashboards.scopes import Scope
from koreplan.domain import method
from koreplan.domain.calendar import add_months
from koreplan.domain.rules.obligations import OBLIGATIONS

# -- a reporting session --------------------------------------------------------------------------------

#: On PostgreSQL, for the dashboards' few large aggregates only: no JIT compilation (it
#: costs more than it saves on queries of a second or less) and room to hash-aggregate in
#: memory instead of sorting on disk. Transaction-local: nothing else sees them.
REPORTING_SETTINGS = {"jit": "off", "work_mem": "64MB"}


@contextmanager
def reporting(alias: str) -> Iterator[None]:
    """Run the figures of one page in one read transaction with the reporting settings."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in REPORTING_SETTINGS),
            [value for item in REPORTING_SETTINGS.items() for value in item],
        )
        yield


# -- tasks by obligation and month ----------------------------------------------------------------

TASK_STATUSES = ("on_time", "late", "overdue", "pending")


def task_status_q(today: date) -> dict[str, Q]:
    """The four states a task in the period can be in (see the module's docstring)."""
    running = Q(case__status=Case.Status.OPEN) | Q(due_on__lt=TruncDate("case__closed_at"))
    return {
        "on_time": Q(completed_on__isnull=False, completed_on__lte=F("due_on")),
        "late": Q(completed_on__isnull=False, completed_on__gt=F("due_on")),
        "overdue": Q(completed_on__isnull=True, due_on__lt=today) & running,
        "pending": Q(completed_on__isnull=True, due_on__gte=today, case__status=Case.Status.OPEN),
    }


def _task_status_q(today: date, status: str) -> Q:
    statuses = task_status_q(today)
    if status == "due":  # every task the period counts: the four together
        return statuses["on_time"] | statuses["late"] | statuses["overdue"] | statuses["pending"]
    if status == "past":  # done, or its date has passed: what a share is taken of
        return statuses["on_time"] | statuses["late"] | statuses["overdue"]
    if status == "missed":
        return statuses["late"] | statuses["overdue"]
    return statuses[status]


@dataclass
class Counts:
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    pending: int = 0

    def add(self, row: dict) -> None:
        for status in TASK_STATUSES:
            setattr(self, status, getattr(self, status) + row[status])

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.overdue + self.pending

    @property
    def past(self) -> int:
        """Done or past their date: the tasks a share on time is taken of."""
        return self.on_time + self.late + self.overdue

    def share(self, status: str) -> float | None:
        return getattr(self, status) / self.past if self.past else None


@dataclass
class ObligationFigures:
    #: obligation id → its counts over the period
    by_obligation: dict[str, Counts]
    #: month (first day) → counts over every obligation, or over the one filtered on
    by_month: dict[date, Counts]
    total: Counts


def _obligation_order(obligation_id: str) -> tuple[int, str]:
    ids = list(OBLIGATIONS)
    return (ids.index(obligation_id) if obligation_id in ids else len(ids), obligation_id)


def tasks_in_period(scope: Scope) -> QuerySet[Task]:
    return Task.objects.using(scope.alias).filter(scope.task_q(), due_on__gte=scope.start, due_on__lte=scope.end)


def obligation_figures(scope: Scope, *, obligation: str = "") -> ObligationFigures:
    """Per obligation and per month: done on time, late, open past its date, not yet due.

    Two queries. The first reads the tasks alone, grouped by obligation and due date, and
    counts every task not done as "open" (past its date or not yet due). The second reads
    only the tasks not done of closed cases that fell due on or after the day the case
    closed — the lapsed ones — and takes them back out. Grouping by the date itself rather
    than by its month keeps the database's estimate of the groups honest (a hash
    aggregate, not a sort), and Python adds the days up into months; neither query joins
    the tasks of the whole country to their cases.
    """
    today = scope.today
    done = Q(completed_on__isnull=False)
    rows = (
        tasks_in_period(scope)
        .values("obligation_id", "due_on")
        .annotate(
            on_time=Count("pk", filter=done & Q(completed_on__lte=F("due_on"))),
            late=Count("pk", filter=done & Q(completed_on__gt=F("due_on"))),
            overdue=Count("pk", filter=Q(completed_on__isnull=True, due_on__lt=today)),
            pending=Count("pk", filter=Q(completed_on__isnull=True, due_on__gte=today)),
        )
        .order_by()
    )
    lapsed = (
        tasks_in_period(scope)
        .filter(completed_on__isnull=True, case__status=Case.Status.CLOSED, due_on__gte=TruncDate("case__closed_at"))
        .values("obligation_id", "due_on")
        .annotate(
            overdue=Count("pk", filter=Q(due_on__lt=today)),
            pending=Count("pk", filter=Q(due_on__gte=today)),
        )
        .order_by()
    )
    by_obligation: dict[str, Counts] = defaultdict(Counts)
    by_month: dict[date, Counts] = {month: Counts() for month in scope.months}
    total = Counts()

    def add(row: dict, sign: int) -> None:
        signed = {status: sign * row.get(status, 0) for status in TASK_STATUSES}
        by_obligation[row["obligation_id"]].add(signed)
        total.add(signed)
        if not obligation or row["obligation_id"] == obligation:
            by_month.setdefault(row["due_on"].replace(day=1), Counts()).add(signed)

    for row in rows:
        add(row, 1)
    for row in lapsed:
        add(row, -1)
    ordered = {
        obligation_id: counts
        for obligation_id, counts in sorted(by_obligation.items(), key=lambda item: _obligation_order(item[0]))
        if counts.due
    }
    return ObligationFigures(by_obligation=ordered, by_month=dict(sorted(by_month.items())), total=total)


# -- hand-overs ---------------------------------------------------------------------------------------


@dataclass
class HandoverMonth:
    requested: int = 0
    accepted: int = 0
    returned: int = 0
    withdrawn: int = 0
    pending: int = 0
    #: days from request to answer → how many, for the answered ones (accepted or returned)
    waits: dict[int, int] = field(default_factory=dict)
    #: days waited so far → how many, for those still waiting
    pending_waits: dict[int, int] = field(default_factory=dict)

    @property
    def answered(self) -> int:
        return self.accepted + self.returned

    @property
    def median_wait(self) -> float | None:
        return median_of_histogram(self.waits)

    @property
    def median_pending_wait(self) -> float | None:
        return median_of_histogram(self.pending_waits)

    def merge(self, other: HandoverMonth) -> None:
        for name in ("requested", "accepted", "returned", "withdrawn", "pending"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for mine, theirs in ((self.waits, other.waits), (self.pending_waits, other.pending_waits)):
            for days, n in theirs.items():
                mine[days] = mine.get(days, 0) + n


def median_of_histogram(histogram: dict[int, int]) -> float | None:
    """The median of values given as value → count (the lower and upper middle averaged)."""
    n = sum(histogram.values())
    if not n:
        return None
    lower, upper = (n - 1) // 2, n // 2
    seen, low_value = 0, None
    for value in sorted(histogram):
        seen += histogram[value]
        if low_value is None and seen > lower:
            low_value = value
        if seen > upper:
            return (low_value + value) / 2
    raise AssertionError("unreachable")


@dataclass
class HandoverFigures:
    by_month: dict[date, HandoverMonth]
    total: HandoverMonth


HANDOVER_STATUS_Q = {
    "requested": Q(),
    "accepted": Q(status=Handover.Status.ACCEPTED),
    "returned": Q(status=Handover.Status.RETURNED),
    "withdrawn": Q(status=Handover.Status.WITHDRAWN),
    "pending": Q(status=Handover.Status.REQUESTED),
    "answered": Q(status__in=[Handover.Status.ACCEPTED, Handover.Status.RETURNED]),
}


def handovers_in_period(scope: Scope) -> QuerySet[Handover]:
    return Handover.objects.using(scope.alias).filter(
        scope.handover_q(), requested_at__gte=scope.start_at, requested_at__lt=scope.end_before
    )


def handover_figures(scope: Scope) -> HandoverFigures:
    """Hand-overs requested in the period, by month: how they were answered, and how many
    days they waited — to the answer, or until today for those still waiting.

    One query, grouped by month, status and whole days waited; the medians come from that
    histogram, so they are exact (to the day) on any database.
    """
    waited = Coalesce(TruncDate("answered_at"), Value(scope.today)) - TruncDate("requested_at")
    rows = (
        handovers_in_period(scope)
        .annotate(month=TruncMonth("requested_at"), waited=waited)
        .values("month", "status", "waited")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_month: dict[date, HandoverMonth] = {month: HandoverMonth() for month in scope.months}
    for row in rows:
        figures = by_month.setdefault(_as_date(row["month"]), HandoverMonth())
        n, status = row["n"], row["status"]
        days = _days(row["waited"])
        figures.requested += n
        if status == Handover.Status.REQUESTED:
            figures.pending += n
            figures.pending_waits[days] = figures.pending_waits.get(days, 0) + n
        else:
            setattr(figures, status, getattr(figures, status) + n)
            if status in (Handover.Status.ACCEPTED, Handover.Status.RETURNED):
                figures.waits[days] = figures.waits.get(days, 0) + n
    total = HandoverMonth()
    for figures in by_month.values():
        total.merge(figures)
    return HandoverFigures(by_month=dict(sorted(by_month.items())), total=total)


def _days(value) -> int:
    """Whole days from a database's date difference (a timedelta, or a number of days)."""
    if value is None:
        return 0
    if hasattr(value, "days"):
        return value.days
    return int(value)


# -- Målepunkter: the survey of GL p. 42 for a population of cases ----------------------------------


@dataclass(frozen=True)
class SurveyPoint:
    """One measurement point: in how many cases of the population was it met.

    A point on a task (``obligation``) is met when the task is done — by its date when
    ``on_time`` (the survey's "inden for to uger") — and has come up once the task is done
    or its date has passed. A point on another app's records (``app``) is a question about
    each case, answered by :func:`_case_point_q`.
    """

    id: str
    step: str
    obligation: str = ""
    on_time: bool = False
    app: str = ""

    @property
    def available(self) -> bool:
        return not self.app or django_apps.is_installed(f"koreplan.{self.app}")


#: The survey's rows in GL's order (p. 42), then the later steps GL Bilag 2 asks to measure
#: and the outcome. Points on the consent, coordination and release apps show when those
#: apps are installed.
SURVEY_POINTS: tuple[SurveyPoint, ...] = (
    SurveyPoint("intake_interview", "3", obligation="intake_interview", on_time=True),
    SurveyPoint("first_plan", "5", obligation="first_plan", on_time=True),
    SurveyPoint("consent_asked", "3", app="consent"),
    SurveyPoint("consent_given", "3", app="consent"),
    SurveyPoint("files_requested", "4", app="coordination"),
    SurveyPoint("case_files", "4", obligation="obtain_case_files"),
    SurveyPoint("municipality_contacted", "6", obligation="municipality_coordination", on_time=True),
    SurveyPoint("municipality_answered", "6", app="coordination"),
    SurveyPoint("municipality_hold", "6", app="coordination"),
    SurveyPoint("involve_kif", "9", obligation="involve_kif", on_time=True),
    SurveyPoint("release_meeting", "8", obligation="release_meeting"),
    SurveyPoint("release_day_appointments", "9A", obligation="municipal_appointments_on_release_day", on_time=True),
    SurveyPoint("housed_with_income", "8", app="release"),
    SurveyPoint("kif_first_meeting", "10", obligation="supervision_first_meeting", on_time=True),
    SurveyPoint("kif_contacted_municipality", "11", obligation="kif_municipality_coordination", on_time=True),
)
SURVEY_POINT_BY_ID = {point.id: point for point in SURVEY_POINTS}


def survey_points() -> list[SurveyPoint]:
    return [point for point in SURVEY_POINTS if point.available]


def survey_population(scope: Scope) -> QuerySet[Case]:
    """The population: the unit's cases that began in the period — admitted (intake), or
    for a case that began outside prison, put under supervision.

    Written as two plain ranges rather than one on ``COALESCE(…)``, so that the database
    can estimate how many cases they hold and join their tasks by hash."""
    began = Q(intake_on__gte=scope.start, intake_on__lte=scope.end) | Q(
        intake_on__isnull=True, supervision_started_on__gte=scope.start, supervision_started_on__lte=scope.end
    )
    return (
        Case.objects.using(scope.alias)
        .annotate(began_on=Coalesce("intake_on", "supervision_started_on"))
        .filter(began)
        .filter(scope.case_q(region_date="began_on"))
    )


def _survey_yes_q(point: SurveyPoint, today: date) -> Q:
    statuses = task_status_q(today)
    return statuses["on_time"] if point.on_time else (statuses["on_time"] | statuses["late"])


def _case_point_q(point_id: str) -> tuple[Q, Q]:
    """(has come up, met) for a point on another app's records, as conditions on Case."""

    def exists(app_label: str, model_name: str, **conditions) -> Q:
        model = partner_model(app_label, model_name)
        return Q(Exists(model.objects.filter(case=OuterRef("pk"), **conditions)))

    everyone = Q()
    if point_id == "consent_asked":
        return everyone, exists("consent", "Consent", purposes__icontains="case_files")
    if point_id == "consent_given":
        return everyone, exists("consent", "Consent", purposes__icontains="case_files", decision="given")
    if point_id == "files_requested":
        return everyone, exists("coordination", "MunicipalRequest", kind="case_files", sent_at__isnull=False)
    if point_id in ("municipality_answered", "municipality_hold"):
        asked = exists("coordination", "MunicipalRequest", kind="coordination", sent_at__isnull=False)
        statuses = REQUEST_ANSWERED if point_id == "municipality_answered" else ("accepted",)
        return asked, exists("coordination", "MunicipalRequest", kind="coordination", status__in=statuses)
    if point_id == "housed_with_income":
        recorded = exists("release", "ReleaseOutcome", moment="at_release")
        return recorded, exists("release", "ReleaseOutcome", moment="at_release", released_to_street=False)
    raise KeyError(point_id)


@dataclass
class SurveyRow:
    point: SurveyPoint
    #: cases where the point has come up: the task is done or its date has passed; for a
    #: point on another app's records, the cases the question applies to
    applicable: int
    yes: int

    @property
    def no(self) -> int:
        return self.applicable - self.yes

    @property
    def share(self) -> float | None:
        return self.yes / self.applicable if self.applicable else None


@dataclass
class SurveyFigures:
    population: int
    rows: list[SurveyRow]

    def row(self, point_id: str) -> SurveyRow | None:
        return next((row for row in self.rows if row.point.id == point_id), None)


def _survey_tasks(scope: Scope) -> QuerySet[Task]:
    return Task.objects.using(scope.alias).filter(
        case__in=survey_population(scope).values("pk"),
        obligation_id__in=[point.obligation for point in SURVEY_POINTS if point.obligation],
        occurrence=1,
    )


def survey_figures(scope: Scope) -> SurveyFigures:
    """GL's survey layout for the population: of N cases, in how many was each point met.

    Three queries: the population's tasks by obligation, read without their cases; the
    few tasks of its closed cases that lapsed with the case, to take back out (as in
    :func:`obligation_figures`); and the population's size with the points on other
    apps' records as conditional counts.
    """
    today = scope.today
    done = Q(completed_on__isnull=False)
    task_rows = {
        row["obligation_id"]: row
        for row in _survey_tasks(scope)
        .values("obligation_id")
        .annotate(
            applicable=Count("pk", filter=done | Q(due_on__lt=today)),
            on_time=Count("pk", filter=done & Q(completed_on__lte=F("due_on"))),
            done=Count("pk", filter=done),
        )
        .order_by()
    }
    closed = survey_population(scope).filter(status=Case.Status.CLOSED).values("pk")
    for row in (
        _survey_tasks(scope)
        .filter(case__in=closed, completed_on__isnull=True, due_on__lt=today, due_on__gte=TruncDate("case__closed_at"))
        .values("obligation_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        task_rows[row["obligation_id"]]["applicable"] -= row["n"]
    points = survey_points()
    columns = {"population": Count("pk")}
    for point in points:
        if point.app:
            applicable, yes = _case_point_q(point.id)
            columns[f"{point.id}__applicable"] = Count("pk", filter=applicable)
            columns[f"{point.id}__yes"] = Count("pk", filter=applicable & yes)
    counts = survey_population(scope).aggregate(**columns)
    rows = []
    for point in points:
        if point.app:
            rows.append(SurveyRow(point, counts[f"{point.id}__applicable"], counts[f"{point.id}__yes"]))
        else:
            row = task_rows.get(point.obligation, {"applicable": 0, "on_time": 0, "done": 0})
            rows.append(SurveyRow(point, row["applicable"], row["on_time"] if point.on_time else row["done"]))
    return SurveyFigures(population=counts["population"], rows=rows)


# -- the evaluation after release --------------------------------------------------------------------


@dataclass
class ItemSummary:
    item: str
    counts: dict[str, int] = field(default_factory=dict)
    #: organisation id → number of "no" and "partly" answers
    failing_at: dict[int, int] = field(default_factory=dict)

    @property
    def answered(self) -> int:
        return sum(self.counts.values())

    def count(self, answer: str) -> int:
        return self.counts.get(answer, 0)

    @property
    def score(self) -> float:
        return method.failure_score({method.Answer(a): n for a, n in self.counts.items()})

    @property
    def failing(self) -> int:
        return self.count(EvaluationAnswer.NO) + self.count(EvaluationAnswer.PARTLY)

    @property
    def failing_share(self) -> float | None:
        relevant = self.answered - self.count(EvaluationAnswer.NOT_RELEVANT)
        return self.failing / relevant if relevant else None


@dataclass
class EvaluationFigures:
    evaluations: int
    cases: int
    #: checklist items with at least one answer, the most failing first
    items: list[ItemSummary]
    organisations: dict[int, str]

    def where(self, limit: int = 15) -> list[tuple[ItemSummary, int, int]]:
        """(item, organisation id, failing answers), the most failing first."""
        pairs = [(item, org, n) for item in self.items for org, n in item.failing_at.items() if n]
        pairs.sort(key=lambda p: (-p[2], method.CHECKLIST_ITEM_IDS.index(p[0].item), self.organisations.get(p[1], "")))
        return pairs[:limit]


def evaluation_answers_in_scope(scope: Scope) -> QuerySet[ChecklistAnswer]:
    return ChecklistAnswer.objects.using(scope.alias).filter(
        scope.case_q("evaluation__case__", region_date="evaluation__updated_at__date"),
        evaluation__updated_at__gte=scope.start_at,
        evaluation__updated_at__lt=scope.end_before,
    )


def evaluation_figures(scope: Scope) -> EvaluationFigures:
    """Which checklist items fail most, and at which answering organisations.

    Two queries: answers grouped by item, organisation and answer; and the totals.
    """
    rows = (
        evaluation_answers_in_scope(scope)
        .values("item", "answer", "evaluation__organisation_id", "evaluation__organisation__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    items: dict[str, ItemSummary] = {}
    organisations: dict[int, str] = {}
    for row in rows:
        summary = items.setdefault(row["item"], ItemSummary(row["item"]))
        summary.counts[row["answer"]] = summary.counts.get(row["answer"], 0) + row["n"]
        org = row["evaluation__organisation_id"]
        organisations[org] = row["evaluation__organisation__name"]
        if row["answer"] in (EvaluationAnswer.NO, EvaluationAnswer.PARTLY):
            summary.failing_at[org] = summary.failing_at.get(org, 0) + row["n"]
    totals = evaluation_answers_in_scope(scope).aggregate(
        evaluations=Count("evaluation", distinct=True), cases=Count("evaluation__case", distinct=True)
    )
    order = {item: i for i, item in enumerate(method.CHECKLIST_ITEM_IDS)}
    ranked = sorted(items.values(), key=lambda s: (-s.score, -(s.failing_share or 0), order.get(s.item, 999)))
    return EvaluationFigures(
        evaluations=totals["evaluations"] or 0,
        cases=totals["cases"] or 0,
        items=ranked,
        organisations=organisations,
    )


# -- the cases behind a figure ---------------------------------------------------------------------------


class UnknownFigure(ValueError):
    pass


def _month(value: str) -> tuple[date, date] | None:
    """"2026-03" → the first and last day of that month; "" → None."""
    if not value:
        return None
    year, month = (int(part) for part in value.split("-"))
    first = date(year, month, 1)
    return first, add_months(first, 1) - timedelta(days=1)


#: What the number of each kind of figure counts. Most count records, of which a case can
#: have several (two late tasks, two organisations' answers): the list of cases behind the
#: number says how many records it counts on how many cases. The survey counts cases.
FIGURE_UNITS = {
    "task": "tasks",
    "handover": "handovers",
    "survey": "cases",
    "evaluation": "answers",
    "consent": "consents",
    "request": "requests",
    "meeting": "meetings",
    "outcome": "outcomes",
}


class FigureRecords(NamedTuple):
    """The records a figure counts: one per unit of its number."""

    records: QuerySet
    #: the field of a record that names its case (``pk`` when the records are cases)
    case_field: str
    #: what the records are (a value of ``FIGURE_UNITS``)
    unit: str


def figure_records(scope: Scope, figure: str) -> FigureRecords:
    """The records a figure counts, by the same ``Q`` that counted it.

    A figure is written ``kind:part:part…`` — the same string the page puts on the number:

    - ``task:<obligation or *>:<on_time|late|overdue|pending|due|past|missed>[:<YYYY-MM>]``
    - ``handover:<requested|accepted|returned|withdrawn|pending|answered>[:<YYYY-MM>]``
    - ``survey:population`` and ``survey:<point>:<yes|no|applicable>``
    - ``evaluation:<item>:<yes|partly|no|not_relevant|failing>[:<organisation id>]``
    - ``consent:<purpose or *>:<asked|given|refused|withdrawn>[:<YYYY-MM>]``
    - ``request:<kind or *>:<sent|received|accepted|returned|answered|cancelled|open>[:<municipality id>]``
    - ``meeting:<kind>:<planned|held|cancelled>[:<YYYY-MM>]``
    - ``outcome:<moment>:<measure>[:<YYYY-MM>]``
    """
    kind, *parts = figure.split(":")
    unit = FIGURE_UNITS.get(kind, "")
    try:
        if kind == "task":
            obligation, status, *rest = parts
            tasks = tasks_in_period(scope).filter(_task_status_q(scope.today, status))
            if obligation != "*":
                tasks = tasks.filter(obligation_id=obligation)
            month = _month(rest[0]) if rest else None
            if month:
                tasks = tasks.filter(due_on__gte=month[0], due_on__lte=month[1])
            return FigureRecords(tasks, "case_id", unit)
        if kind == "handover":
            status, *rest = parts
            handovers = handovers_in_period(scope).filter(HANDOVER_STATUS_Q[status])
            month = _month(rest[0]) if rest else None
            if month:
                handovers = handovers.filter(requested_at__date__gte=month[0], requested_at__date__lte=month[1])
            return FigureRecords(handovers, "case_id", unit)
        if kind == "survey":
            if parts == ["population"]:
                return FigureRecords(survey_population(scope), "pk", unit)
            point_id, answer = parts
            point = SURVEY_POINT_BY_ID[point_id]
            if point.app:
                if not point.available:
                    raise UnknownFigure(figure)
                applicable, yes = _case_point_q(point.id)
                q = {"applicable": applicable, "yes": applicable & yes, "no": applicable & ~yes}[answer]
                return FigureRecords(survey_population(scope).filter(q), "pk", unit)
            statuses = task_status_q(scope.today)
            past = statuses["on_time"] | statuses["late"] | statuses["overdue"]
            yes = _survey_yes_q(point, scope.today)
            q = {"applicable": past, "yes": yes, "no": past & ~yes}[answer]
            return FigureRecords(_survey_tasks(scope).filter(q, obligation_id=point.obligation), "case_id", unit)
        if kind == "consent" and partner_model("consent", "Consent"):
            purpose, decision, *rest = parts
            if purpose != "*" and purpose not in CONSENT_PURPOSES:
                raise UnknownFigure(figure)
            consents = consents_in_period(scope).filter(_consent_purpose_q(purpose) & _consent_decision_q(decision))
            month = _month(rest[0]) if rest else None
            if month:
                consents = consents.filter(given_on__gte=month[0], given_on__lte=month[1])
            return FigureRecords(consents, "case_id", unit)
        if kind == "request" and partner_model("coordination", "MunicipalRequest"):
            request_kind, status, *rest = parts
            requests = requests_in_period(scope).filter(_request_status_q(status))
            if request_kind == "*":
                requests = requests.exclude(kind="intake_notice") if rest else requests
            else:
                requests = requests.filter(kind=request_kind)
            if rest:
                requests = requests.filter(municipality_id=int(rest[0]))
            return FigureRecords(requests, "case_id", unit)
        if kind == "meeting" and partner_model("release", "Meeting"):
            meeting_kind, status, *rest = parts
            meetings = meetings_in_period(scope).filter(kind=meeting_kind, status=status)
            month = _month(rest[0]) if rest else None
            if month:
                meetings = meetings.filter(starts_at__date__gte=month[0], starts_at__date__lte=month[1])
            return FigureRecords(meetings, "case_id", unit)
        if kind == "outcome" and partner_model("release", "ReleaseOutcome"):
            moment, measure, *rest = parts
            outcomes = outcomes_in_period(scope).filter(OUTCOME_MEASURES[measure], moment=moment)
            month = _month(rest[0]) if rest else None
            if month:
                outcomes = outcomes.filter(recorded_on__gte=month[0], recorded_on__lte=month[1])
            return FigureRecords(outcomes, "case_id", unit)
        if kind == "evaluation":
            item, answer, *rest = parts
            answers = evaluation_answers_in_scope(scope).filter(item=item)
            if answer == "failing":
                answers = answers.filter(answer__in=[EvaluationAnswer.NO, EvaluationAnswer.PARTLY])
            else:
                answers = answers.filter(answer=EvaluationAnswer(answer))
            if rest:
                answers = answers.filter(evaluation__organisation_id=int(rest[0]))
            return FigureRecords(answers, "evaluation__case_id", unit)
    except (KeyError, ValueError, TypeError) as error:
        raise UnknownFigure(figure) from error
    raise UnknownFigure(figure)


def figure_cases(scope: Scope, figure: str) -> QuerySet:
    """The ids of the cases a figure counts (``values("case_id")``-like, distinct)."""
    records, case_field, _unit = figure_records(scope, figure)
    if case_field == "pk":
        return records.values_list("pk", flat=True)
    # A consent can outlive its case (the case is set to null): counted, but behind no case.
    return records.filter(**{f"{case_field}__isnull": False}).values_list(case_field, flat=True).distinct()


@dataclass
class Drilldown:
    page: Page
    #: the cases the figure counts
    total: int
    #: of those, the ones the viewer may not see: counted, never listed
    hidden: int
    #: the records the figure counts — its number on the dashboard, of which a case can
    #: have several; equal to ``total`` when the figure counts cases
    records: int = 0
    #: what the records are (``FIGURE_UNITS``): "tasks", "handovers", …, "cases"
    unit: str = "cases"

    @property
    def counts_records(self) -> bool:
        """Whether the figure's number counts other things than cases, and a different
        number of them: the list then says both."""
        return self.unit != "cases" and self.records != self.total


def figure_drilldown(*, user: User, scope: Scope, figure: str, page: int = 1, per_page: int = 50) -> Drilldown:
    """The cases behind a figure that the viewer may see, how many more it counts, and how
    many records (tasks, hand-overs, …) it counts on them — the number the dashboard shows.

    The figure is counted for the whole unit (a manager's or the Directorate's right), but a
    person is shown only through ``cases_visible_to``: an organisation with a part in the
    case. Three queries and the page, whatever the number of cases: the records and their
    cases are counted in one aggregate.
    """
    records, case_field, unit = figure_records(scope, figure)
    counted = records.aggregate(records=Count("pk"), cases=Count(case_field, distinct=True))
    total = counted["cases"]
    visible = (
        cases_visible_to(user=user)
        .using(scope.alias)
        .filter(pk__in=figure_cases(scope, figure))
        .select_related("client", "holding_organisation", "plan_responsible")
        .order_by("client__last_name", "client__first_name", "pk")
    )
    paginator = Paginator(visible, per_page)
    page_obj = paginator.get_page(page)
    return Drilldown(
        page=page_obj, total=total, hidden=total - paginator.count, records=counted["records"], unit=unit
    )


# -- the evaluation form's reads (from the default database: the form writes there) -----------------


def evaluation_case_get(*, user: User, case_id: int) -> Case:
    """The case, if the user's organisation has had a part in it (or they administer the
    system) — else 404, whether or not it exists. Municipal staff reach it too: their
    municipality took part, though they never see the case itself."""
    cases = Case.objects.select_related("client", "holding_organisation")
    if not is_administrator(user):
        if user.organisation_id is None:
            raise Http404("No such case")
        cases = cases.filter(
            pk__in=CaseParticipation.objects.filter(organisation_id=user.organisation_id).values("case_id")
        )
    try:
        return cases.get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("No such case") from None


def case_evaluations(*, case: Case) -> list[ReleaseEvaluation]:
    return list(
        ReleaseEvaluation.objects.filter(case=case)
        .select_related("organisation", "updated_by")
        .prefetch_related("answers")
        .order_by("organisation__name")
    )


#: How long after the release a case stays on the list of evaluations to make.
EVALUATION_WINDOW_DAYS = 183


def evaluations_waiting(*, user: User, today: date) -> QuerySet[Case]:
    """Released cases the user's organisation took part in and has not evaluated yet."""
    if user.organisation_id is None:
        return Case.objects.none()
    since = today - timedelta(days=EVALUATION_WINDOW_DAYS)
    released = (
        Q(expected_release_on__gte=since, expected_release_on__lte=today)
        | Q(intake_on__isnull=True, supervision_started_on__gte=since, supervision_started_on__lte=today)
        | Q(status=Case.Status.CLOSED, closed_at__date__gte=since)
    )
    return (
        Case.objects.filter(released)
        .filter(pk__in=CaseParticipation.objects.filter(organisation_id=user.organisation_id).values("case_id"))
        .exclude(pk__in=ReleaseEvaluation.objects.filter(organisation_id=user.organisation_id).values("case_id"))
        .select_related("client", "holding_organisation")
        .order_by(Coalesce("expected_release_on", "supervision_started_on").desc(nulls_last=True), "pk")
    )


# -- the partners' apps: consent, coordination, release ------------------------------------------------
#
# Read-only queries over models other teams own. Each figure is there only when its app is
# installed (``partner_model``), so that the dashboard shows what exists and nothing else.


def partner_model(app_label: str, model_name: str):
    """The model if its app is installed, else None."""
    if not django_apps.is_installed(f"koreplan.{app_label}"):
        return None
    try:
        return django_apps.get_model(app_label, model_name)
    except LookupError:
        return None


def _histogram_add(histogram: dict[int, int], days, n: int) -> None:
    key = _days(days)
    histogram[key] = histogram.get(key, 0) + n


# Consent ----------------------------------------------------------------------------------------------

CONSENT_PURPOSES = ("case_files", "intake_notice", "coordination", "release_planning")


@dataclass
class ConsentCounts:
    given: int = 0
    refused: int = 0
    withdrawn: int = 0

    @property
    def asked(self) -> int:
        return self.given + self.refused

    @property
    def share_given(self) -> float | None:
        return self.given / self.asked if self.asked else None


@dataclass
class ConsentFigures:
    #: purpose → counts ("*": every consent, whatever its purposes)
    by_purpose: dict[str, ConsentCounts]
    by_month: dict[date, ConsentCounts]


def _consent_purpose_q(purpose: str) -> Q:
    # A consent names its purposes as a JSON list; this matches on its text, which works on
    # SQLite and PostgreSQL alike (no purpose's value is part of another's).
    return Q() if purpose == "*" else Q(purposes__icontains=purpose)


def consents_in_period(scope: Scope) -> QuerySet:
    Consent = partner_model("consent", "Consent")
    return Consent.objects.using(scope.alias).filter(
        scope.unit_q(
            own=("recorded_organisation_id",),
            municipality="client__acting_municipality_id",
            region_date="given_on",
        ),
        given_on__gte=scope.start,
        given_on__lte=scope.end,
    )


def _consent_decision_q(decision: str) -> Q:
    if decision == "asked":
        return Q()
    if decision == "withdrawn":
        return Q(withdrawn_on__isnull=False)
    return Q(decision=decision)


def consent_figures(scope: Scope) -> ConsentFigures | None:
    """Consents asked (given or refused) in the period, by purpose and by month.

    Two queries: conditional counts per purpose, and per month.
    """
    if partner_model("consent", "Consent") is None:
        return None
    columns = {}
    for purpose in ("*", *CONSENT_PURPOSES):
        for decision in ("given", "refused", "withdrawn"):
            columns[f"{decision}__{purpose}"] = Count("pk", filter=_consent_purpose_q(purpose) & _consent_decision_q(decision))
    totals = consents_in_period(scope).aggregate(**columns)
    by_purpose = {
        purpose: ConsentCounts(
            given=totals[f"given__{purpose}"] or 0,
            refused=totals[f"refused__{purpose}"] or 0,
            withdrawn=totals[f"withdrawn__{purpose}"] or 0,
        )
        for purpose in ("*", *CONSENT_PURPOSES)
    }
    by_month: dict[date, ConsentCounts] = {month: ConsentCounts() for month in scope.months}
    rows = (
        consents_in_period(scope)
        .annotate(month=TruncMonth("given_on"))
        .values("month")
        .annotate(
            given=Count("pk", filter=Q(decision="given")),
            refused=Count("pk", filter=Q(decision="refused")),
            withdrawn=Count("pk", filter=Q(withdrawn_on__isnull=False)),
        )
        .order_by()
    )
    for row in rows:
        month = _as_date(row["month"])
        by_month[month] = ConsentCounts(row["given"], row["refused"], row["withdrawn"])
    return ConsentFigures(by_purpose=by_purpose, by_month=dict(sorted(by_month.items())))


def _as_date(value) -> date:
    """A month from TruncMonth: a date, or a datetime on a DateTimeField."""
    return value.date() if isinstance(value, datetime) else value


# Requests to municipalities ----------------------------------------------------------------------------

REQUEST_KINDS = ("intake_notice", "case_files", "coordination")
REQUEST_ANSWERED = ("accepted", "returned")
REQUEST_OPEN = ("sent", "received")


@dataclass
class RequestCounts:
    sent: int = 0
    received: int = 0
    accepted: int = 0
    returned: int = 0
    cancelled: int = 0
    open: int = 0
    #: days from sending to being opened by the entrance
    to_receive: dict[int, int] = field(default_factory=dict)
    #: days from sending to the answer (accepted or returned)
    to_answer: dict[int, int] = field(default_factory=dict)
    #: days from sending to the municipality taking hold (accepted: a named caseworker)
    to_hold: dict[int, int] = field(default_factory=dict)
    #: days waited so far by the unanswered ones
    open_waits: dict[int, int] = field(default_factory=dict)

    @property
    def answered(self) -> int:
        return self.accepted + self.returned

    def merge(self, other: RequestCounts) -> None:
        for name in ("sent", "received", "accepted", "returned", "cancelled", "open"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("to_receive", "to_answer", "to_hold", "open_waits"):
            mine = getattr(self, name)
            for days, n in getattr(other, name).items():
                mine[days] = mine.get(days, 0) + n


@dataclass
class RequestFigures:
    by_kind: dict[str, RequestCounts]
    total: RequestCounts
    #: municipality name → counts (coordination and case-file requests); empty for one municipality
    by_municipality: dict[tuple[int, str], RequestCounts]


def requests_in_period(scope: Scope) -> QuerySet:
    MunicipalRequest = partner_model("coordination", "MunicipalRequest")
    return MunicipalRequest.objects.using(scope.alias).filter(
        scope.unit_q(own=("sending_organisation_id",), municipality="municipality_id", region_date="sent_at__date"),
        sent_at__gte=scope.start_at,
        sent_at__lt=scope.end_before,
    )


def _request_status_q(status: str) -> Q:
    return {
        "sent": Q(),
        "received": Q(received_at__isnull=False),
        "accepted": Q(status="accepted"),
        "returned": Q(status="returned"),
        "answered": Q(status__in=REQUEST_ANSWERED),
        "cancelled": Q(status="cancelled"),
        "open": Q(status__in=REQUEST_OPEN),
    }[status]


def request_figures(scope: Scope) -> RequestFigures | None:
    """Notices and requests sent to municipalities in the period: how many were opened,
    answered, taken hold of, and how many days each took — by kind, and by municipality.

    Four grouped queries; the medians come from their day histograms.
    """
    if partner_model("coordination", "MunicipalRequest") is None:
        return None
    sent = TruncDate("sent_at")
    by_kind = {kind: RequestCounts() for kind in REQUEST_KINDS}
    requests = requests_in_period(scope)
    for row in requests.values("kind", "status").annotate(
        n=Count("pk"), received=Count("pk", filter=Q(received_at__isnull=False))
    ).order_by():
        counts = by_kind.setdefault(row["kind"], RequestCounts())
        counts.sent += row["n"]
        counts.received += row["received"]
        if row["status"] in ("accepted", "returned", "cancelled"):
            setattr(counts, row["status"], getattr(counts, row["status"]) + row["n"])
        elif row["status"] in REQUEST_OPEN:
            counts.open += row["n"]
    answered_at = Coalesce(TruncDate("accepted_at"), TruncDate("returned_at"), Value(scope.today))
    histograms = (
        requests.filter(received_at__isnull=False)
        .annotate(days=TruncDate("received_at") - sent)
        .values("kind", "days")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in histograms:
        _histogram_add(by_kind.setdefault(row["kind"], RequestCounts()).to_receive, row["days"], row["n"])
    for row in (
        requests.filter(status__in=REQUEST_ANSWERED + REQUEST_OPEN)
        .annotate(days=answered_at - sent)
        .values("kind", "status", "days")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts = by_kind.setdefault(row["kind"], RequestCounts())
        if row["status"] in REQUEST_OPEN:
            _histogram_add(counts.open_waits, row["days"], row["n"])
        else:
            _histogram_add(counts.to_answer, row["days"], row["n"])
            if row["status"] == "accepted":
                _histogram_add(counts.to_hold, row["days"], row["n"])
    total = RequestCounts()
    for counts in by_kind.values():
        total.merge(counts)

    by_municipality: dict[tuple[int, str], RequestCounts] = {}
    if scope.kind.value != "municipality":
        for row in (
            requests.exclude(kind="intake_notice")
            .annotate(days=answered_at - sent)
            .values("municipality_id", "municipality__name", "status", "days")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            counts = by_municipality.setdefault((row["municipality_id"], row["municipality__name"]), RequestCounts())
            n, status = row["n"], row["status"]
            counts.sent += n
            if status in ("accepted", "returned", "cancelled"):
                setattr(counts, status, getattr(counts, status) + n)
            if status in REQUEST_OPEN:
                counts.open += n
                _histogram_add(counts.open_waits, row["days"], n)
            elif status in REQUEST_ANSWERED:
                _histogram_add(counts.to_answer, row["days"], n)
                if status == "accepted":
                    _histogram_add(counts.to_hold, row["days"], n)
    return RequestFigures(
        by_kind=by_kind, total=total, by_municipality=dict(sorted(by_municipality.items(), key=lambda i: i[0][1]))
    )


# Release meetings -----------------------------------------------------------------------------------------

MEETING_KINDS = ("release_meeting", "release_day", "follow_up")


@dataclass
class MeetingCounts:
    planned: int = 0
    held: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        return self.planned + self.held + self.cancelled


@dataclass
class MeetingFigures:
    by_kind: dict[str, MeetingCounts]
    #: month → release meetings held that month
    held_by_month: dict[date, int]


def meetings_in_period(scope: Scope) -> QuerySet:
    Meeting = partner_model("release", "Meeting")
    return Meeting.objects.using(scope.alias).filter(
        scope.case_q("case__", region_date="starts_at__date"),
        starts_at__gte=scope.start_at,
        starts_at__lt=scope.end_before,
    )


def meeting_figures(scope: Scope) -> MeetingFigures | None:
    """Release meetings, appointments on release day and follow-up meetings in the period
    (by the time they were set for): planned, held, cancelled. One query."""
    if partner_model("release", "Meeting") is None:
        return None
    by_kind = {kind: MeetingCounts() for kind in MEETING_KINDS}
    held_by_month = {month: 0 for month in scope.months}
    for row in (
        meetings_in_period(scope)
        .annotate(month=TruncMonth("starts_at"))
        .values("kind", "status", "month")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts = by_kind.setdefault(row["kind"], MeetingCounts())
        if row["status"] in ("planned", "held", "cancelled"):
            setattr(counts, row["status"], getattr(counts, row["status"]) + row["n"])
        if row["kind"] == "release_meeting" and row["status"] == "held":
            month = _as_date(row["month"])
            held_by_month[month] = held_by_month.get(month, 0) + row["n"]
    return MeetingFigures(by_kind=by_kind, held_by_month=dict(sorted(held_by_month.items())))


# The outcome at release and after four weeks ----------------------------------------------------------------

OUTCOME_MOMENTS = ("at_release", "after_four_weeks")
OUTCOME_MEASURES: dict[str, Q] = {
    "recorded": Q(),
    "housing_own": Q(housing="own"),
    "housing_temporary": Q(housing="temporary"),
    "housing_shelter": Q(housing="shelter"),
    "housing_none": Q(housing="none"),
    "income": Q(income_from_day_one=True),
    "employment": Q(employment_or_education=True),
    "treatment_started": Q(treatment="started"),
    "treatment_not_started": Q(treatment="not_started"),
    "treatment_not_needed": Q(treatment="not_needed"),
    "street": Q(released_to_street=True),
}


@dataclass
class OutcomeFigures:
    #: moment → measure → count
    by_moment: dict[str, dict[str, int]]
    #: month → (recorded at release, released to the street)
    street_by_month: dict[date, tuple[int, int]]

    def share(self, moment: str, measure: str) -> float | None:
        counts = self.by_moment.get(moment, {})
        return counts.get(measure, 0) / counts["recorded"] if counts.get("recorded") else None


def outcomes_in_period(scope: Scope) -> QuerySet:
    ReleaseOutcome = partner_model("release", "ReleaseOutcome")
    return ReleaseOutcome.objects.using(scope.alias).filter(
        scope.case_q("case__", region_date="recorded_on"),
        recorded_on__gte=scope.start,
        recorded_on__lte=scope.end,
    )


def outcome_figures(scope: Scope) -> OutcomeFigures | None:
    """The outcome recorded in the period, at release and four weeks after: housing, income
    from day one, employment or education, treatment — and released to the street (no
    housing or no income, as the release app derives and stores it). One query."""
    if partner_model("release", "ReleaseOutcome") is None:
        return None
    by_moment = {moment: {measure: 0 for measure in OUTCOME_MEASURES} for moment in OUTCOME_MOMENTS}
    street_by_month = {month: (0, 0) for month in scope.months}
    for row in (
        outcomes_in_period(scope)
        .annotate(month=TruncMonth("recorded_on"))
        .values("moment", "month")
        .annotate(**{measure: Count("pk", filter=q) for measure, q in OUTCOME_MEASURES.items()})
        .order_by()
    ):
        counts = by_moment.setdefault(row["moment"], {measure: 0 for measure in OUTCOME_MEASURES})
        for measure in OUTCOME_MEASURES:
            counts[measure] += row[measure]
        if row["moment"] == "at_release":
            month = _as_date(row["month"])
            recorded, street = street_by_month.get(month, (0, 0))
            street_by_month[month] = (recorded + row["recorded"], street + row["street"])
    return OutcomeFigures(by_moment=by_moment, street_by_month=dict(sorted(street_by_month.items())))
