"""/dashboards…: the managers' figures over the JSON API.

A django-ninja router, to be mounted by the API app (``api.add_router("/", router)``); it
handles its own errors, so it behaves the same on any NinjaAPI:

- access is the pages' (``scopes``): managers their own organisation, the Directorate and
  administrators any unit and the whole country; anyone else 403, and so is a unit the
  caller may not see (or, for a manager, one that does not exist: the answer does not
  tell);
- the parameters are checked by the pages' own form (``forms.ScopeForm``): a unit that
  does not exist (asked by the Directorate or an administrator), a wrong period (`to`
  before `from`, more than five years), an unknown case type or obligation is 422 at the
  parameter, ``{"detail": [{"loc": ["query", "to"], "msg": …}]}``;
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
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from koreplan.dashboards import presentation, selectors, services, tables
from koreplan.dashboards.forms import scope_from_query
from koreplan.dashboards.scopes import Scope, dashboard_access_check, units_for


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    loc: list[str | int] = Field(description='The parameter in error, e.g. ["query", "to"]')
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]


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


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


#: The filter form's fields (``ScopeForm``, shared with the pages) by their names here.
_QUERY_NAMES = {"enhed": "unit", "fra": "from", "til": "to", "sagstype": "case_type", "forpligtelse": "obligation"}


def _scope(request: HttpRequest, params: ScopeIn, obligation: str = "") -> Scope:
    """The scope through the pages' own form: 403 for a unit the caller may not see, 422 at
    the parameter (``["query", "to"]``) for anything else wrong, in the pages' words."""
    query = {
        "enhed": params.unit or "",
        "fra": params.date_from.isoformat() if params.date_from else "",
        "til": params.date_to.isoformat() if params.date_to else "",
        "sagstype": params.case_type,
        "forpligtelse": obligation,
    }
    try:
        scope, form, _obligation = scope_from_query(query, user=request.user)
    except PermissionDenied as error:
        raise HttpError(403, str(error) or "Forbidden") from None
    if form.errors:
        raise NinjaValidationError([
            {"loc": ["query", _QUERY_NAMES[field]], "msg": str(message), "type": "value_error"}
            for field, messages in form.errors.items()
            for message in messages
        ])
    return scope


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
        scope = _scope(request, params, params.obligation)
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
