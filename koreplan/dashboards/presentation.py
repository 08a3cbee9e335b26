"""The dashboard as sections: each a heading, its tables, and a chart drawn from the same
figures. The page, the exports and the API all take their tables from here, so that a
number reads the same wherever it is read — and from the same stored figures
(``precomputed``), so that it reads the same until they are computed again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from koreplan.dashboards import charts, precomputed, selectors, tables
from koreplan.dashboards.scopes import Scope
from koreplan.dashboards.tables import Table


@dataclass
class Section:
    id: str
    title: str
    tables: list[Table]
    chart: SafeString | None = None
    legend: SafeString | None = None


def figures(scope: Scope, obligation: str) -> dict[str, Any]:
    """Every figure of the dashboard; those of an app not installed are None. As stored
    for the scope today if computed already (``precomputed``), else computed now."""
    return precomputed.figures_get(scope, obligation).figures


def sections(figures: dict[str, Any], obligation: str) -> list[Section]:
    obligations: selectors.ObligationFigures = figures["obligations"]
    survey: selectors.SurveyFigures = figures["survey"]
    handovers: selectors.HandoverFigures = figures["handovers"]
    evaluation: selectors.EvaluationFigures = figures["evaluation"]

    status_legend = [
        ("dashboard-on-time", _("Done on time")),
        ("dashboard-late", _("Done late")),
        ("dashboard-overdue", _("Open past its date")),
    ]
    survey_table = tables.survey_table(survey)
    obligations_table = tables.obligations_table(obligations)
    trend_table = tables.trend_table(obligations, obligation)
    handovers_table = tables.handovers_table(handovers)
    months = list(obligations.by_month)
    month_labels = [tables.month_short(m) for m in months]

    sections = [
        Section(
            "maalepunkter",
            _("Målepunkter"),
            [survey_table],
            charts.stacked_bars(
                "chart-maalepunkter",
                _("Målepunkter: share met where the point has come up"),
                _("One bar per measurement point; the table below gives the numbers."),
                [
                    (tables.survey_point_label(row.point.id), [charts.Segment(row.share or 0, "dashboard-on-time", _("Met"))])
                    for row in survey.rows
                    if row.applicable
                ],
            ),
        ),
        Section(
            "forpligtelser",
            _("Obligations"),
            [obligations_table],
            charts.stacked_bars(
                "chart-forpligtelser",
                _("Obligations: done on time, late, or open past their date"),
                _("One bar per obligation, divided into the shares done on time, done late and still open past their date."),
                [
                    (
                        tables.obligation_title(obligation_id),
                        [
                            charts.Segment(counts.share("on_time") or 0, "dashboard-on-time", _("Done on time")),
                            charts.Segment(counts.share("late") or 0, "dashboard-late", _("Done late")),
                            charts.Segment(counts.share("overdue") or 0, "dashboard-overdue", _("Open past its date")),
                        ],
                    )
                    for obligation_id, counts in obligations.by_obligation.items()
                    if counts.past
                ],
            ),
            charts.legend(status_legend),
        ),
        Section(
            "udvikling",
            _("Month by month"),
            [trend_table],
            charts.line_chart(
                "chart-udvikling",
                trend_table.title,
                _("The share done on time and the share still open past their date, month by month."),
                month_labels,
                [
                    ("dashboard-on-time", _("Done on time"), [obligations.by_month[m].share("on_time") for m in months]),
                    ("dashboard-overdue", _("Open past its date"), [obligations.by_month[m].share("overdue") for m in months]),
                ],
            ),
            charts.legend([status_legend[0], status_legend[2]]),
        ),
        *_partner_sections(figures, month_labels),
        Section(
            "overdragelser",
            _("Hand-overs"),
            [handovers_table],
            charts.column_chart(
                "chart-overdragelser",
                _("Hand-overs requested, month by month"),
                _("The number of hand-overs requested each month; the table gives how they were answered and how long they waited."),
                [tables.month_short(m) for m in handovers.by_month],
                [h.requested for h in handovers.by_month.values()],
                "dashboard-neutral",
            ),
        ),
        *_release_sections(figures),
        Section(
            "evaluering",
            _("Evaluation after release"),
            [tables.evaluation_table(evaluation), tables.evaluation_where_table(evaluation)],
            charts.stacked_bars(
                "chart-evaluering",
                _("The ten steps and prerequisites most often not met"),
                _("The share of answers “no” (whole bar) or “partly” among the relevant answers, for the ten items that fail most."),
                [
                    (
                        tables.evaluation_item_label(item.item),
                        [
                            charts.Segment(_ratio(item.count("no"), item), "dashboard-overdue", _("No")),
                            charts.Segment(_ratio(item.count("partly"), item), "dashboard-late", _("Partly")),
                        ],
                    )
                    for item in evaluation.items[:10]
                    if item.failing
                ],
            ),
            charts.legend([("dashboard-overdue", _("No")), ("dashboard-late", _("Partly"))]),
        ),
    ]
    return sections


def _partner_sections(figures: dict[str, Any], month_labels: list[str]) -> list[Section]:
    """Consent and the municipalities' answers, when their apps are installed."""
    sections = []
    consent: selectors.ConsentFigures | None = figures["consent"]
    if consent is not None:
        months = list(consent.by_month)
        sections.append(
            Section(
                "samtykke",
                _("Consent"),
                [tables.consent_table(consent)],
                charts.line_chart(
                    "chart-samtykke",
                    _("Share of consents given, month by month"),
                    _("Of the consents asked for each month, the share the client gave."),
                    [tables.month_short(m) for m in months],
                    [("dashboard-on-time", _("Given"), [consent.by_month[m].share_given for m in months])],
                ),
            )
        )
    requests: selectors.RequestFigures | None = figures["requests"]
    if requests is not None:
        request_tables = [tables.requests_table(requests)]
        if requests.by_municipality:
            request_tables.append(tables.requests_by_municipality_table(requests))
        sections.append(
            Section(
                "kommuner",
                _("Municipalities"),
                request_tables,
                charts.stacked_bars(
                    "chart-kommuner",
                    _("Requests to municipalities: taken hold of, returned, unanswered"),
                    _("One bar per kind of request, divided into the shares taken hold of, returned and still unanswered."),
                    [
                        (
                            tables.REQUEST_KIND_LABELS[kind](),
                            [
                                charts.Segment(counts.accepted / counts.sent, "dashboard-on-time", _("Took hold")),
                                charts.Segment(counts.returned / counts.sent, "dashboard-late", _("Returned")),
                                charts.Segment(counts.open / counts.sent, "dashboard-overdue", _("Unanswered")),
                            ],
                        )
                        for kind, counts in requests.by_kind.items()
                        if counts.sent and kind in tables.REQUEST_KIND_LABELS
                    ],
                ),
                charts.legend(
                    [("dashboard-on-time", _("Took hold")), ("dashboard-late", _("Returned")), ("dashboard-overdue", _("Unanswered"))]
                ),
            )
        )
    return sections


def _release_sections(figures: dict[str, Any]) -> list[Section]:
    """Release meetings and the outcome, when the release app is installed."""
    sections = []
    meetings: selectors.MeetingFigures | None = figures["meetings"]
    if meetings is not None:
        sections.append(
            Section(
                "moeder",
                _("Release meetings"),
                [tables.meetings_table(meetings)],
                charts.column_chart(
                    "chart-moeder",
                    _("Release meetings held, month by month"),
                    _("The number of release meetings held each month."),
                    [tables.month_short(m) for m in meetings.held_by_month],
                    list(meetings.held_by_month.values()),
                    "dashboard-neutral",
                ),
            )
        )
    outcomes: selectors.OutcomeFigures | None = figures["outcomes"]
    if outcomes is not None:
        months = list(outcomes.street_by_month)
        sections.append(
            Section(
                "udfald",
                _("Outcome: nobody is released to the street"),
                [tables.outcomes_table(outcomes), tables.street_trend_table(outcomes)],
                charts.line_chart(
                    "chart-udfald",
                    _("Released to the street, month by month"),
                    _("The share of releases recorded each month with no housing or no income."),
                    [tables.month_short(m) for m in months],
                    [
                        (
                            "dashboard-overdue",
                            _("Released to the street"),
                            [(street / recorded if recorded else None) for recorded, street in outcomes.street_by_month.values()],
                        )
                    ],
                ),
            )
        )
    return sections


def _ratio(n: int, item: selectors.ItemSummary) -> float:
    relevant = item.answered - item.count("not_relevant")
    return n / relevant if relevant else 0


def key_figures(figures: dict[str, Any]) -> list[dict[str, Any]]:
    obligations: selectors.ObligationFigures = figures["obligations"]
    survey: selectors.SurveyFigures = figures["survey"]
    handovers: selectors.HandoverFigures = figures["handovers"]
    first_plan = survey.row("first_plan")
    items = [
        {"label": _("Cases that began in the period"), "value": survey.population, "kind": tables.COUNT, "figure": "survey:population"},
        {"label": _("First plan within four weeks"), "value": first_plan.share, "kind": tables.SHARE, "figure": "survey:first_plan:yes"},
        {"label": _("Tasks done on time"), "value": obligations.total.share("on_time"), "kind": tables.SHARE, "figure": "task:*:on_time"},
        {"label": _("Tasks open past their date"), "value": obligations.total.overdue, "kind": tables.COUNT, "figure": "task:*:overdue"},
        {"label": _("Hand-overs still waiting"), "value": handovers.total.pending, "kind": tables.COUNT, "figure": "handover:pending"},
    ]
    outcomes: selectors.OutcomeFigures | None = figures["outcomes"]
    if outcomes is not None:
        items.append(
            {
                "label": _("Released to the street"),
                "value": outcomes.share("at_release", "street"),
                "kind": tables.SHARE,
                "figure": "outcome:at_release:street",
            }
        )
    return items


def all_tables(scope: Scope, obligation: str = "") -> list[Table]:
    """Every table of the dashboard, in the page's order (for exports and the API)."""
    return [table for section in sections(figures(scope, obligation), obligation) for table in section.tables]
