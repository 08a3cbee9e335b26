"""/dashboards…: the managers' figures over the JSON API.

A django-ninja router, to be mounted by the API app (``api.add_router("/", router)``); it
handles its own errors, so it behaves the same on any NinjaAPI:

- access is the pages' (``scopes``): managers their own organisation, the Directorate and
  administrators any unit and the whole country; anyone else 403, and so is a unit the
  caller may not see; a unit that does not exist is 404;
- ``GET /dashboards/units`` — the units the caller may ask for;
- ``GET /dashboards/figures`` — every table of the dashboard for a unit and period, each
  with its columns, its rows, and for each count the *figure* string that lists its cases;
- ``GET /dashboards/cases?figure=…`` — the cases behind a figure that the caller may see
  (``cases_visible_to``), how many more it counts (``hidden``), and how many records
  (tasks, hand-overs, …) it counts on them (``records``: the figure's value);
- every call is audited as the pages are (``koreplan.dashboard.viewed``,
  ``koreplan.dashboard.cases_listed``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from koreplan.dashboards import presentation, selectors, services, tables
from koreplan.dashboards.scopes import (
    MAX_MONTHS,
    Scope,
    dashboard_access_check,
    scope_resolve,
    units_for,
)
from koreplan.domain.calendar import add_months


class ErrorOut(Schema):
    detail: str


class UnitOut(Schema):
    unit: str = Field(description="`land`, `org-<id>` or `region-<id>`")
    label: str
    group: str


class ScopeIn(Schema):
    unit: str | None = Field(None, description="`land`, `org-<id>` or `region-<id>`; your own organisation if left out")
    date_from: date | None = Field(None, alias="from", description="First day of the period (default: 11 months before this month)")
    date_to: date | None = Field(None, alias="to", description="Last day of the period (default: today)")
    case_type: str = ""


class FiguresIn(ScopeIn):
    obligation: str = Field("", description="The obligation the monthly trend is about (default: all)")


class CasesIn(ScopeIn):
    figure: str = Field(description="A figure string from a table's `figures`, e.g. `task:first_plan:late`")
    page: int = Field(1, ge=1)


class ColumnOut(Schema):
    key: str
    label: str
    kind: str = Field(description="text, count, share (0–1) or days")


class TableOut(Schema):
    key: str
    title: str
    description: str
    columns: list[ColumnOut]
    rows: list[dict[str, Any]]
    figures: list[dict[str, str]] = Field(description="Per row: column → the figure string listing its cases")
    notes: list[str]


class ScopeOut(Schema):
    unit: str
    label: str
    date_from: date = Field(alias="from")
    date_to: date = Field(alias="to")
    case_type: str


class FiguresOut(Schema):
    scope: ScopeOut
    tables: list[TableOut]


class DashboardCaseOut(Schema):
    id: int
    client: str
    case_type: str
    status: str
    holding_organisation: str
    intake_on: date | None
    expected_release_on: date | None


class CasesOut(Schema):
    figure: str
    label: str
    total: int = Field(description="The cases the figure counts")
    hidden: int = Field(description="Of those, the cases you may not see: counted, never listed")
    records: int = Field(
        description="The records the figure counts, on those cases: its value in `/dashboards/figures`. "
        "A case can have several (two late tasks), so it can be more than `total`"
    )
    unit: str = Field(
        description="What `records` counts: tasks, handovers, consents, requests, meetings, outcomes, answers "
        "(evaluation answers), or cases (the Målepunkter, where `records` equals `total`)"
    )
    page: int
    pages: int
    items: list[DashboardCaseOut]


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _scope(request: HttpRequest, params: ScopeIn) -> Scope:
    if params.date_from and params.date_to:
        if params.date_from > params.date_to:
            raise HttpError(422, "`to` must be on or after `from`.")
        if add_months(params.date_from, MAX_MONTHS) <= params.date_to:
            raise HttpError(422, "The period is at most five years.")
    try:
        return scope_resolve(
            user=request.user,
            unit=params.unit,
            start=params.date_from,
            end=params.date_to,
            case_type=params.case_type,
        )
    except PermissionDenied as error:
        raise HttpError(403, str(error) or "Forbidden") from None
    except Http404:
        raise HttpError(404, "No such unit.") from None


def _scope_out(scope: Scope) -> dict[str, Any]:
    return {"unit": scope.unit, "label": scope.label, "from": scope.start, "to": scope.end, "case_type": scope.case_type}


def build_router() -> Router:
    """A fresh router with the dashboards' endpoints (a router can be mounted on one API
    only; tests mount their own)."""
    router = Router(tags=["dashboards"])

    @router.get("/dashboards/units", response={200: list[UnitOut], **ERRORS}, summary="The units you may see")
    def dashboard_units(request: HttpRequest):
        try:
            dashboard_access_check(request.user)
        except PermissionDenied as error:
            raise HttpError(403, str(error)) from None
        return [
            {"unit": value, "label": label, "group": group}
            for group, options in units_for(request.user)
            for value, label in options
        ]

    @router.get("/dashboards/figures", response={200: FiguresOut, **ERRORS}, summary="The dashboard's tables")
    def dashboard_figures(request: HttpRequest, params: Query[FiguresIn]):
        scope = _scope(request, params)
        result = {
            "scope": _scope_out(scope),
            "tables": [table.as_dict() for table in presentation.all_tables(scope, params.obligation)],
        }
        services.dashboard_viewed_record(request=request, scope=scope, page="api")
        return result

    @router.get("/dashboards/cases", response={200: CasesOut, **ERRORS}, summary="The cases behind a figure")
    def dashboard_cases(request: HttpRequest, params: Query[CasesIn]):
        scope = _scope(request, params)
        try:
            with selectors.reporting(scope.alias):
                drilldown = selectors.figure_drilldown(
                    user=request.user, scope=scope, figure=params.figure, page=params.page
                )
                cases = list(drilldown.page.object_list)
        except selectors.UnknownFigure:
            raise HttpError(404, "No such figure.") from None
        services.dashboard_cases_listed_record(
            request=request, scope=scope, figure=params.figure, case_ids=[c.pk for c in cases], hidden=drilldown.hidden
        )
        return {
            "figure": params.figure,
            "label": tables.figure_label(params.figure),
            "total": drilldown.total,
            "hidden": drilldown.hidden,
            "records": drilldown.records,
            "unit": drilldown.unit,
            "page": drilldown.page.number,
            "pages": drilldown.page.paginator.num_pages,
            "items": [
                {
                    "id": c.pk,
                    "client": str(c.client),
                    "case_type": c.case_type,
                    "status": c.status,
                    "holding_organisation": str(c.holding_organisation),
                    "intake_on": c.intake_on,
                    "expected_release_on": c.expected_release_on,
                }
                for c in cases
            ],
        }

    return router


router = build_router()
