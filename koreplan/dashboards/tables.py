"""The dashboard's figures as tables: what the page shows, the exports write and the API returns.

A table is columns and rows of cells; a cell has a value and, when it is a count of cases,
the figure string (``selectors.figure_cases``) that lists the cases behind it. The page
turns that into a link, CSV and Excel write the value, the API returns both. Labels are
translated when the table is built, in the language of the request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import formats
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from koreplan.dashboards import selectors
from koreplan.dashboards.models import EvaluationAnswer
from koreplan.domain import method
from koreplan.domain.rules.obligations import OBLIGATIONS

TEXT, COUNT, SHARE, DAYS = "text", "count", "share", "days"


@dataclass
class Column:
    key: str
    label: str
    kind: str = COUNT


@dataclass
class Cell:
    value: Any
    #: the figure behind a count, for the list of its cases
    figure: str = ""
    #: a header cell (the row's label)
    header: bool = False

    @property
    def is_empty(self) -> bool:
        return self.value is None


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Cell]]
    description: str = ""
    #: notes shown under the table and written under it in exports
    notes: list[str] = field(default_factory=list)

    @property
    def body(self) -> list[list[tuple[Cell, Column]]]:
        """The rows with each cell beside its column, for templates."""
        return [list(zip(row, self.columns, strict=True)) for row in self.rows]

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "description": self.description,
            "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in self.columns],
            "rows": [
                {column.key: cell.value for column, cell in zip(self.columns, row, strict=True)} for row in self.rows
            ],
            "figures": [
                {column.key: cell.figure for column, cell in zip(self.columns, row, strict=True) if cell.figure}
                for row in self.rows
            ],
            "notes": self.notes,
        }


def _english() -> bool:
    return (get_language() or "da").startswith("en")


def obligation_title(obligation_id: str) -> str:
    rule = OBLIGATIONS.get(obligation_id)
    if rule is None:
        return obligation_id
    return rule.title_en if _english() else rule.title_da


def obligation_step(obligation_id: str) -> str:
    rule = OBLIGATIONS.get(obligation_id)
    return (rule.step or "") if rule else ""


def month_label(month: date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def month_short(month: date) -> str:
    """"jan. 26": for a chart's axis."""
    return formats.date_format(month, "M y")


def month_key(month: date) -> str:
    return f"{month:%Y-%m}"


def _share(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


# -- obligations ------------------------------------------------------------------------------------

STATUS_LABELS = {
    "on_time": lambda: _("Done on time"),
    "late": lambda: _("Done late"),
    "overdue": lambda: _("Open past its date"),
    "pending": lambda: _("Not yet due"),
}


def _status_columns() -> list[Column]:
    return [
        Column("due", _("Due")),
        Column("on_time", _("On time")),
        Column("late", _("Late")),
        Column("overdue", _("Open, overdue")),
        Column("pending", _("Not yet due")),
        Column("share_on_time", _("% on time"), SHARE),
        Column("share_late", _("% late"), SHARE),
        Column("share_overdue", _("% open, overdue"), SHARE),
    ]


def _status_cells(counts: selectors.Counts, figure_prefix: str, figure_suffix: str = "") -> list[Cell]:
    def figure(status: str) -> str:
        return f"{figure_prefix}:{status}{figure_suffix}"

    return [
        Cell(counts.due, figure("due") if counts.due else ""),
        Cell(counts.on_time, figure("on_time") if counts.on_time else ""),
        Cell(counts.late, figure("late") if counts.late else ""),
        Cell(counts.overdue, figure("overdue") if counts.overdue else ""),
        Cell(counts.pending, figure("pending") if counts.pending else ""),
        # A share opens the cases of its numerator.
        Cell(counts.share("on_time"), figure("on_time") if counts.on_time else ""),
        Cell(counts.share("late"), figure("late") if counts.late else ""),
        Cell(counts.share("overdue"), figure("overdue") if counts.overdue else ""),
    ]


def obligations_table(figures: selectors.ObligationFigures) -> Table:
    rows = []
    for obligation_id, counts in figures.by_obligation.items():
        step = obligation_step(obligation_id)
        rows.append(
            [Cell(obligation_title(obligation_id), header=True), Cell(step or "–")]
            + _status_cells(counts, f"task:{obligation_id}")
        )
    if rows:
        rows.append([Cell(_("All obligations"), header=True), Cell("")] + _status_cells(figures.total, "task:*"))
    return Table(
        key="forpligtelser",
        title=_("Obligations: done on time, late, or still open past their date"),
        description=_(
            "Every task of the unit whose date falls in the period, by obligation. Shares are of the tasks "
            "that are done or past their date."
        ),
        columns=[Column("obligation", _("Obligation"), TEXT), Column("step", _("Step"), TEXT)] + _status_columns(),
        rows=rows,
    )


def trend_table(figures: selectors.ObligationFigures, obligation: str = "") -> Table:
    prefix = f"task:{obligation or '*'}"
    rows = [
        [Cell(month_label(month), header=True)] + _status_cells(counts, prefix, f":{month_key(month)}")
        for month, counts in figures.by_month.items()
    ]
    title = _("Month by month: %(what)s") % {
        "what": obligation_title(obligation) if obligation else _("all obligations")
    }
    return Table(
        key="maaneder",
        title=title,
        description=_("The same counts by the month the tasks fell due."),
        columns=[Column("month", _("Month"), TEXT)] + _status_columns(),
        rows=rows,
    )


# -- hand-overs ---------------------------------------------------------------------------------------


def handovers_table(figures: selectors.HandoverFigures) -> Table:
    def cells(month: selectors.HandoverMonth, suffix: str) -> list[Cell]:
        def figure(status: str, n: int) -> str:
            return f"handover:{status}{suffix}" if n else ""

        return [
            Cell(month.requested, figure("requested", month.requested)),
            Cell(month.accepted, figure("accepted", month.accepted)),
            Cell(month.returned, figure("returned", month.returned)),
            Cell(month.withdrawn, figure("withdrawn", month.withdrawn)),
            Cell(month.pending, figure("pending", month.pending)),
            Cell(month.median_wait, figure("answered", month.answered) if month.median_wait is not None else ""),
            Cell(month.median_pending_wait, figure("pending", month.pending) if month.median_pending_wait is not None else ""),
        ]

    rows = [
        [Cell(month_label(month), header=True)] + cells(figures, f":{month_key(month)}")
        for month, figures in figures.by_month.items()
    ]
    rows.append([Cell(_("The whole period"), header=True)] + cells(figures.total, ""))
    return Table(
        key="overdragelser",
        title=_("Hand-overs and how long they wait"),
        description=_(
            "Hand-overs requested in the period, by the month they were requested: how they were answered, "
            "the median number of days to the answer, and for those still waiting the median number of days "
            "they have waited so far."
        ),
        columns=[
            Column("month", _("Month requested"), TEXT),
            Column("requested", _("Requested")),
            Column("accepted", _("Accepted")),
            Column("returned", _("Returned")),
            Column("withdrawn", _("Withdrawn")),
            Column("pending", _("Still waiting")),
            Column("median_wait", _("Median days to the answer"), DAYS),
            Column("median_pending_wait", _("Median days waited so far"), DAYS),
        ],
        rows=rows,
    )


# -- Målepunkter ---------------------------------------------------------------------------------------


def survey_point_label(point_id: str) -> str:
    return {
        "intake_interview": _("Intake interview within two weeks of the intake"),
        "consent_asked": _("Consent to obtain case files asked for"),
        "consent_given": _("Consent to obtain case files given"),
        "files_requested": _("Case files requested from the municipality"),
        "municipality_answered": _("The municipality answered the request for coordination"),
        "municipality_hold": _("The municipality took hold (a named caseworker)"),
        "housed_with_income": _("Housing and income in place at release (not released to the street)"),
        "first_plan": _("First action plan within four weeks of the intake"),
        "case_files": _("Case files obtained from other authorities"),
        "municipality_contacted": _("Municipality contacted on time to coordinate"),
        "involve_kif": _("Probation (KIF) involved at the latest eight weeks before parole"),
        "release_meeting": _("Release meeting held"),
        "release_day_appointments": _("Appointments at the municipality on release day, four weeks ahead"),
        "kif_first_meeting": _("First meeting with probation (KIF) within a week of parole"),
        "kif_contacted_municipality": _("Probation (KIF) contacted the municipality within four weeks of parole"),
    }[point_id]


def survey_table(figures: selectors.SurveyFigures) -> Table:
    """The survey of GL p. 42. Shares are of the cases where the point has come up; the
    share of the whole population is GL's own measure (36 of 39)."""
    rows = []
    for row in figures.rows:
        point = row.point
        rows.append(
            [
                Cell(survey_point_label(point.id), header=True),
                Cell(point.step),
                Cell(row.applicable, f"survey:{point.id}:applicable" if row.applicable else ""),
                Cell(row.yes, f"survey:{point.id}:yes" if row.yes else ""),
                Cell(row.no, f"survey:{point.id}:no" if row.no else ""),
                Cell(row.share, f"survey:{point.id}:yes" if row.yes else ""),
                Cell(_share(row.yes, figures.population), f"survey:{point.id}:yes" if row.yes else ""),
                Cell(gl_reference(point.id)),
            ]
        )
    return Table(
        key="maalepunkter",
        title=_("Målepunkter"),
        description=_(
            "Laid out like the survey of GL p. 42: of the cases that began in the period (the population), in "
            "how many was each point met. A point counts in a case once it has come up there: done, or its "
            "date passed."
        ),
        columns=[
            Column("point", _("Measurement point"), TEXT),
            Column("step", _("Step"), TEXT),
            Column("applicable", _("Has come up")),
            Column("yes", pgettext("survey", "Met")),
            Column("no", pgettext("survey", "Not met")),
            Column("share", _("% met"), SHARE),
            Column("share_population", _("% of the population"), SHARE),
            Column("gl", _("GL's survey 2006–08"), TEXT),
        ],
        rows=rows,
        notes=[
            _("Population: %(n)s cases that began in the period.") % {"n": figures.population},
            _("GL's survey: 39 cases in the project's prisons, 2006–2008 (GL p. 42)."),
        ],
    )


# -- the evaluation after release -------------------------------------------------------------------------


def evaluation_item_label(item_id: str) -> str:
    language = get_language() or "da"
    step_id = item_id.split(".", 1)[0]
    text = method.item_text(item_id, language)
    if method.is_step_item(item_id):
        return _("Step %(step)s followed: %(text)s") % {"step": item_id, "text": text}
    if step_id == "G":
        return text
    return _("Step %(step)s, prerequisite: %(text)s") % {"step": step_id, "text": text}


def evaluation_table(figures: selectors.EvaluationFigures) -> Table:
    answers = [choice for choice in EvaluationAnswer]
    rows = []
    for summary in figures.items:
        row = [Cell(evaluation_item_label(summary.item), header=True), Cell(summary.item)]
        for answer in answers:
            n = summary.count(answer.value)
            row.append(Cell(n, f"evaluation:{summary.item}:{answer.value}" if n else ""))
        row.append(Cell(summary.failing_share, f"evaluation:{summary.item}:failing" if summary.failing else ""))
        rows.append(row)
    return Table(
        key="evaluering",
        title=_("Evaluation after release: which steps and prerequisites fail most"),
        description=_(
            "The organisations that took part in a case answer the method's checklist after the release (GL "
            "Bilag 1). Items are ordered by how often they were not met (“no” counts whole, “partly” half)."
        ),
        columns=[Column("item", _("Step or prerequisite"), TEXT), Column("id", _("No."), TEXT)]
        + [Column(answer.value, str(answer.label)) for answer in answers]
        + [Column("failing_share", _("Share not or partly met"), SHARE)],
        rows=rows,
        notes=[
            _("%(evaluations)s evaluations of %(cases)s cases made in the period.")
            % {"evaluations": figures.evaluations, "cases": figures.cases}
        ],
    )


def evaluation_where_table(figures: selectors.EvaluationFigures) -> Table:
    rows = [
        [
            Cell(figures.organisations.get(org, "?"), header=True),
            Cell(evaluation_item_label(summary.item)),
            Cell(n, f"evaluation:{summary.item}:failing:{org}"),
        ]
        for summary, org, n in figures.where()
    ]
    return Table(
        key="evaluering-hvor",
        title=_("Where the method breaks"),
        description=_("The organisations that answered “no” or “partly” most often, and to what."),
        columns=[
            Column("organisation", _("Answered by"), TEXT),
            Column("item", _("Step or prerequisite"), TEXT),
            Column("failing", _("Not or partly met")),
        ],
        rows=rows,
    )


# -- what a figure is, in words -------------------------------------------------------------------------

#: The survey of GL p. 42 (39 cases, 2006–2008), for comparison in the report: point → cases.
GL_SURVEY_CASES = 39
GL_SURVEY: dict[str, int] = {"intake_interview": 36, "first_plan": 17, "consent_given": 12, "case_files": 5}


def gl_reference(point_id: str) -> str:
    n = GL_SURVEY.get(point_id)
    if n is None:
        return ""
    return _("%(n)s of %(total)s (%(share)s %%)") % {
        "n": n,
        "total": GL_SURVEY_CASES,
        "share": formats.number_format(n / GL_SURVEY_CASES * 100, decimal_pos=1),
    }


HANDOVER_STATUS_LABELS = {
    "requested": lambda: _("Requested"),
    "accepted": lambda: _("Accepted"),
    "returned": lambda: _("Returned"),
    "withdrawn": lambda: _("Withdrawn"),
    "pending": lambda: _("Still waiting"),
    "answered": lambda: _("Answered"),
}

TASK_FIGURE_LABELS = {
    **STATUS_LABELS,
    "due": lambda: _("Due in the period"),
    "past": lambda: _("Done or past their date"),
    "missed": lambda: _("Done late or open past its date"),
}


def _month_words(value: str) -> str:
    year, month = (int(part) for part in value.split("-"))
    return month_label(date(year, month, 1))


def figure_label(figure: str) -> str:
    """A figure string in words, for the heading of the list of its cases."""
    kind, *parts = figure.split(":")
    words: list[str] = []
    try:
        if kind == "task":
            obligation, status, *rest = parts
            words = [obligation_title(obligation) if obligation != "*" else _("All obligations"), TASK_FIGURE_LABELS[status]()]
        elif kind == "handover":
            status, *rest = parts
            words = [_("Hand-overs"), HANDOVER_STATUS_LABELS[status]()]
        elif kind == "survey":
            if parts == ["population"]:
                return _("Målepunkter: the cases that began in the period")
            point_id, answer, *rest = parts
            words = [
                survey_point_label(point_id),
                {"applicable": _("has come up"), "yes": pgettext("survey", "Met"), "no": pgettext("survey", "Not met")}[answer],
            ]
            rest = []
        elif kind == "consent":
            purpose, decision, *rest = parts
            decisions = {"asked": _("Asked"), "given": _("Given"), "refused": _("Refused"), "withdrawn": _("Since withdrawn")}
            words = [_("Consent"), CONSENT_PURPOSE_LABELS[purpose](), decisions[decision]]
        elif kind == "request":
            request_kind, status, *rest = parts
            statuses = {
                "sent": _("Sent"), "received": _("Opened"), "accepted": _("Took hold"), "returned": _("Returned"),
                "answered": _("Answered"), "cancelled": _("Cancelled"), "open": _("Unanswered"),
            }
            words = [REQUEST_KIND_LABELS[request_kind]() if request_kind != "*" else _("Requests to municipalities"), statuses[status]]
            rest = []
        elif kind == "meeting":
            meeting_kind, status, *rest = parts
            statuses = {"held": _("Held"), "planned": _("Planned, not yet held"), "cancelled": _("Cancelled")}
            words = [MEETING_KIND_LABELS[meeting_kind](), statuses[status]]
        elif kind == "outcome":
            moment, measure, *rest = parts
            labels = {column.key: column.label for column in _outcome_columns()}
            words = [OUTCOME_MOMENT_LABELS[moment](), labels[measure]]
        elif kind == "evaluation":
            item, answer, *rest = parts
            answer_label = _("No or partly") if answer == "failing" else str(EvaluationAnswer(answer).label)
            words = [evaluation_item_label(item), answer_label]
            rest = []
        else:
            return figure
        if rest:
            words.append(_month_words(rest[0]))
    except (KeyError, ValueError):
        return figure
    return " – ".join(str(w) for w in words)


# -- consent, requests to municipalities, release meetings, outcomes ---------------------------------------

CONSENT_PURPOSE_LABELS = {
    "*": lambda: _("All consents"),
    "case_files": lambda: _("To obtain case files (steps 3–4)"),
    "intake_notice": lambda: _("To notify the municipality of the intake (step 1)"),
    "coordination": lambda: _("To coordinate the action plan (steps 6 and 11)"),
    "release_planning": lambda: _("To plan the release (steps 8–9A)"),
}


def consent_table(figures: selectors.ConsentFigures) -> Table:
    rows = []
    for purpose in (*selectors.CONSENT_PURPOSES, "*"):
        counts = figures.by_purpose[purpose]

        def figure(decision: str, n: int, purpose=purpose) -> str:
            return f"consent:{purpose}:{decision}" if n else ""

        rows.append(
            [
                Cell(CONSENT_PURPOSE_LABELS[purpose](), header=True),
                Cell(counts.asked, figure("asked", counts.asked)),
                Cell(counts.given, figure("given", counts.given)),
                Cell(counts.refused, figure("refused", counts.refused)),
                Cell(counts.share_given, figure("given", counts.given)),
                Cell(counts.withdrawn, figure("withdrawn", counts.withdrawn)),
            ]
        )
    return Table(
        key="samtykke",
        title=_("Consent asked, given and refused"),
        description=_(
            "Consents and refusals recorded in the period by the unit (for a municipality: of its clients), by "
            "purpose. A consent can name several purposes, so the purposes add up to more than all consents."
        ),
        columns=[
            Column("purpose", _("Purpose"), TEXT),
            Column("asked", _("Asked")),
            Column("given", _("Given")),
            Column("refused", _("Refused")),
            Column("share_given", _("% given"), SHARE),
            Column("withdrawn", _("Since withdrawn")),
        ],
        rows=rows,
    )


REQUEST_KIND_LABELS = {
    "intake_notice": lambda: _("Notices of intake (step 1)"),
    "case_files": lambda: _("Requests for case files (step 4)"),
    "coordination": lambda: _("Requests for coordination (steps 6 and 11)"),
}


def _request_cells(counts: selectors.RequestCounts, kind: str, suffix: str = "") -> list[Cell]:
    def figure(status: str, n: int) -> str:
        return f"request:{kind}:{status}{suffix}" if n else ""

    return [
        Cell(counts.sent, figure("sent", counts.sent)),
        Cell(counts.accepted, figure("accepted", counts.accepted)),
        Cell(counts.returned, figure("returned", counts.returned)),
        Cell(counts.open, figure("open", counts.open)),
        Cell(selectors.median_of_histogram(counts.to_answer), figure("answered", counts.answered)),
        Cell(selectors.median_of_histogram(counts.to_hold), figure("accepted", counts.accepted)),
        Cell(selectors.median_of_histogram(counts.open_waits), figure("open", counts.open)),
    ]


def _request_columns(first: Column) -> list[Column]:
    return [
        first,
        Column("sent", _("Sent")),
        Column("accepted", _("Took hold")),
        Column("returned", _("Returned")),
        Column("open", _("Unanswered")),
        Column("median_answer", _("Median days to the answer"), DAYS),
        Column("median_hold", _("Median days to take hold"), DAYS),
        Column("median_open", _("Median days unanswered so far"), DAYS),
    ]


def requests_table(figures: selectors.RequestFigures) -> Table:
    rows = [
        [Cell(REQUEST_KIND_LABELS.get(kind, lambda k=kind: k)(), header=True)] + _request_cells(counts, kind)
        for kind, counts in figures.by_kind.items()
    ]
    rows.append([Cell(_("All"), header=True)] + _request_cells(figures.total, "*"))
    return Table(
        key="kommuner",
        title=_("How long municipalities take to answer and to take hold"),
        description=_(
            "Notices and requests sent to municipalities in the period. A municipality takes hold when its entrance "
            "routes the request to a department and a named caseworker; it may also return it with a reason."
        ),
        columns=_request_columns(Column("kind", _("Kind"), TEXT)),
        rows=rows,
    )


def requests_by_municipality_table(figures: selectors.RequestFigures) -> Table:
    rows = [
        [Cell(name, header=True)] + _request_cells(counts, "*", f":{municipality_id}")
        for (municipality_id, name), counts in figures.by_municipality.items()
    ]
    return Table(
        key="kommuner-hver",
        title=_("Each municipality: requests for case files and coordination"),
        description=_("The same, municipality by municipality (notices of intake are left out: they need no answer)."),
        columns=_request_columns(Column("municipality", _("Municipality"), TEXT)),
        rows=rows,
    )


MEETING_KIND_LABELS = {
    "release_meeting": lambda: _("Release meetings (step 8)"),
    "release_day": lambda: _("Appointments at the municipality on release day (step 9A)"),
    "follow_up": lambda: _("Follow-up meetings within four weeks of release (step 8)"),
}


def meetings_table(figures: selectors.MeetingFigures) -> Table:
    rows = []
    for kind, counts in figures.by_kind.items():

        def figure(status: str, n: int, kind=kind) -> str:
            return f"meeting:{kind}:{status}" if n else ""

        rows.append(
            [
                Cell(MEETING_KIND_LABELS.get(kind, lambda k=kind: k)(), header=True),
                Cell(counts.held, figure("held", counts.held)),
                Cell(counts.planned, figure("planned", counts.planned)),
                Cell(counts.cancelled, figure("cancelled", counts.cancelled)),
            ]
        )
    return Table(
        key="moeder",
        title=_("Release meetings held"),
        description=_("Meetings set for a day in the period, by what became of them."),
        columns=[
            Column("kind", _("Meeting"), TEXT),
            Column("held", _("Held")),
            Column("planned", _("Planned, not yet held")),
            Column("cancelled", _("Cancelled")),
        ],
        rows=rows,
    )


OUTCOME_MOMENT_LABELS = {
    "at_release": lambda: _("At release"),
    "after_four_weeks": lambda: _("Four weeks after release"),
}


def _outcome_columns() -> list[Column]:
    return [
        Column("recorded", _("Recorded")),
        Column("street", _("Released to the street")),
        Column("share_street", _("% to the street"), SHARE),
        Column("housing_own", _("Own home")),
        Column("housing_temporary", _("Temporary housing")),
        Column("housing_shelter", _("Shelter")),
        Column("housing_none", _("No housing")),
        Column("income", _("Income from day one")),
        Column("share_income", _("% income from day one"), SHARE),
        Column("employment", _("Employment or education")),
        Column("share_employment", _("% employment or education"), SHARE),
        Column("treatment_started", _("Treatment started")),
        Column("treatment_not_started", _("Treatment needed, not started")),
    ]


def outcomes_table(figures: selectors.OutcomeFigures) -> Table:
    rows = []
    for moment in selectors.OUTCOME_MOMENTS:
        counts = figures.by_moment.get(moment, {})

        def cell(measure: str, moment=moment, counts=counts) -> Cell:
            n = counts.get(measure, 0)
            return Cell(n, f"outcome:{moment}:{measure}" if n else "")

        def share(measure: str, moment=moment, counts=counts) -> Cell:
            n = counts.get(measure, 0)
            return Cell(figures.share(moment, measure), f"outcome:{moment}:{measure}" if n else "")

        rows.append(
            [
                Cell(OUTCOME_MOMENT_LABELS[moment](), header=True),
                cell("recorded"),
                cell("street"),
                share("street"),
                cell("housing_own"),
                cell("housing_temporary"),
                cell("housing_shelter"),
                cell("housing_none"),
                cell("income"),
                share("income"),
                cell("employment"),
                share("employment"),
                cell("treatment_started"),
                cell("treatment_not_started"),
            ]
        )
    return Table(
        key="udfald",
        title=_("The outcome at release and after four weeks"),
        description=_(
            "What was in place, recorded in the period. Released to the street: no housing or no income at "
            "release (a shelter counts as housing, and is shown apart)."
        ),
        columns=[Column("moment", _("When"), TEXT)] + _outcome_columns(),
        rows=rows,
    )


def street_trend_table(figures: selectors.OutcomeFigures) -> Table:
    rows = []
    for month, (recorded, street) in figures.street_by_month.items():
        suffix = f":{month_key(month)}"
        rows.append(
            [
                Cell(month_label(month), header=True),
                Cell(recorded, f"outcome:at_release:recorded{suffix}" if recorded else ""),
                Cell(street, f"outcome:at_release:street{suffix}" if street else ""),
                Cell(_share(street, recorded), f"outcome:at_release:street{suffix}" if street else ""),
            ]
        )
    return Table(
        key="gaden",
        title=_("Released to the street, month by month"),
        description=_("The share of releases recorded each month where there was no housing or no income."),
        columns=[
            Column("month", _("Month"), TEXT),
            Column("recorded", _("Releases recorded")),
            Column("street", _("Released to the street")),
            Column("share_street", _("% to the street"), SHARE),
        ],
        rows=rows,
    )
