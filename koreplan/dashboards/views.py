"""The managers' pages: /ledelse/ — figures, the cases behind them, exports, the
Målepunkter report, and the evaluation after release.

Access (see ``scopes``): the dashboard pages are for managers (their own organisation),
the Directorate and administrators (any unit, the whole country); anyone else gets 403,
and so does a manager asking for another organisation's unit (or one that does not exist).
The list of cases behind a figure shows only the cases the viewer may see
(``cases_visible_to``) and says how many more the figure counts.

Every page reads the unit and period through one form (``forms.scope_from_query``, the
API's too). A wrong parameter — a date that is not one, the end before the start, a unit
that does not exist — is 400 with the filter and the field's error: the dashboard shows
it above the figures of the default for that field; every other page, the exports and
the PDF show only the filter, never a list or a file for a scope nobody asked for.

The evaluation form is for every member of staff of an organisation that had a part in
the case — also a municipality's, who never see the case itself — and is 404 to anyone
else, whether or not the case exists.

Every page is audited (``services``). Figures are read from ``DASHBOARD_DB_ALIAS``, and
kept once computed for the scope and the day (``precomputed``): the page says when they
were computed and offers to compute them again; the lists of cases behind them are live.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from koreplan.audit.services import audit_record, request_purpose
from koreplan.cases.models import CaseType
from koreplan.cases.selectors import cases_visible_to
from koreplan.dashboards import exports, precomputed, presentation, selectors, services, tables
from koreplan.dashboards.forms import EvaluationForm, ScopeForm, scope_from_query
from koreplan.dashboards.scopes import Scope
from koreplan.web.pagination import page_number

# -- the scope from the query string -------------------------------------------------------------------


def _scope(request: HttpRequest) -> tuple[Scope, ScopeForm, str]:
    """The unit and period asked for (403 from ``scope_resolve``), the filter form with its
    errors, and the obligation the monthly trend is about."""
    return scope_from_query(request.GET, user=request.user)


def _scope_refused(request: HttpRequest, scope: Scope, form: ScopeForm) -> HttpResponse:
    """400: the filter form with each field's error, instead of figures, cases or a file for
    a scope the user did not ask for. As the person log answers a bad filter."""
    return render(request, "dashboards/scope_invalid.html", {"scope": scope, "form": form}, status=400)


# -- the dashboard ---------------------------------------------------------------------------------------


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    scope, form, obligation = _scope(request)
    stored = precomputed.figures_get(scope, obligation)
    figures = stored.figures
    sections = presentation.sections(figures, obligation)
    services.dashboard_viewed_record(request=request, scope=scope)
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "scope": scope,
            "form": form,
            "obligation": obligation,
            "sections": sections,
            "key_figures": presentation.key_figures(figures),
            "case_type_label": dict(CaseType.choices).get(scope.case_type, ""),
            "computed_at": stored.computed_at,
            "scope_query": urlencode(scope.query(forpligtelse=obligation)),
        },
        # The page is the filter's own: it shows the errors beside the fields, and the
        # figures of the default for what was wrong, which its heading names.
        status=400 if form.errors else 200,
    )


@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    """"Beregn tallene igen": compute the scope's figures now, replacing the stored ones.

    The scope comes from the query string, as on the dashboard, and is checked the same way
    (403 for a unit the user may not see). Synchronous: a scope below the whole country
    takes a few seconds at most, and the manager comes back to the figures just computed.
    """
    scope, form, obligation = _scope(request)
    if form.errors:
        return _scope_refused(request, scope, form)
    precomputed.figures_compute(scope, obligation)
    services.dashboard_recomputed_record(request=request, scope=scope, obligation=obligation)
    messages.success(request, _("The figures are computed again."))
    return redirect(reverse("dashboards:dashboard") + "?" + urlencode(scope.query(forpligtelse=obligation)))


@require_safe
def figure_cases(request: HttpRequest) -> HttpResponse:
    scope, form, _obligation = _scope(request)
    if form.errors:
        return _scope_refused(request, scope, form)
    figure = request.GET.get("tal", "")
    try:
        with selectors.reporting(scope.alias):
            drilldown = selectors.figure_drilldown(
                user=request.user, scope=scope, figure=figure, page=page_number(request) or 1
            )
            cases = list(drilldown.page.object_list)
    except selectors.UnknownFigure:
        raise Http404("No such figure") from None
    services.dashboard_cases_listed_record(
        request=request, scope=scope, figure=figure, case_ids=[case.pk for case in cases], hidden=drilldown.hidden
    )
    purpose = request_purpose(request)
    query = scope.query(tal=figure, purpose=purpose)
    return render(
        request,
        "dashboards/cases.html",
        {
            "scope": scope,
            "figure": figure,
            "figure_label": tables.figure_label(figure),
            "drilldown": drilldown,
            "cases": cases,
            "page_query": urlencode(query),
            "purpose": purpose,
            "back_url": reverse("dashboards:dashboard") + "?" + urlencode(scope.query()),
            # The figure is precomputed, its list is not: the page says so, and when.
            "computed_at": precomputed.computed_at(scope),
        },
    )


_SAFE_FILENAME = re.compile(r"[^A-Za-z0-9_.-]+")


def _filename(scope: Scope, table: str, extension: str) -> str:
    name = f"koreplan-{table}-{scope.unit}-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.{extension}"
    return _SAFE_FILENAME.sub("-", name)


@require_safe
def export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    """Every table as CSV or Excel; ``alle.xlsx`` is every table in one workbook."""
    scope, form, obligation = _scope(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format")
    if form.errors:
        return _scope_refused(request, scope, form)
    all_tables = presentation.all_tables(scope, obligation)
    heading = f"Køreplan – {scope.label} – {scope.start:%d.%m.%Y}–{scope.end:%d.%m.%Y}"
    if table == "alle" and fmt == "xlsx":
        chosen = all_tables
    else:
        chosen = [t for t in all_tables if t.key == table]
        if not chosen:
            raise Http404("No such table")
    if fmt == "csv":
        response = HttpResponse(exports.table_csv(chosen[0]), content_type=exports.CSV_CONTENT_TYPE)
    else:
        response = HttpResponse(exports.tables_xlsx(chosen, heading=heading), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(scope, table, fmt)}"'
    services.dashboard_exported_record(request=request, scope=scope, table=table, fmt=fmt)
    return response


# -- the Målepunkter report --------------------------------------------------------------------------------


def _survey_context(request: HttpRequest, scope: Scope) -> dict[str, Any]:
    # The survey is part of the dashboard's stored figures (it does not depend on the
    # obligation of the trend): the report shows the same numbers as the page.
    survey = precomputed.figures_get(scope).figures["survey"]
    return {
        "scope": scope,
        "survey": survey,
        "table": tables.survey_table(survey),
        "today": timezone.localdate(),
        "case_type_label": dict(CaseType.choices).get(scope.case_type, ""),
        # The purpose the page was opened with: the PDF form offers it again.
        "purpose": request_purpose(request),
    }


@require_safe
def survey_report(request: HttpRequest) -> HttpResponse:
    """The Målepunkter as a page to print (its print stylesheet leaves out the frame)."""
    scope, form, _obligation = _scope(request)
    if form.errors:
        return _scope_refused(request, scope, form)
    context = _survey_context(request, scope)
    services.dashboard_viewed_record(request=request, scope=context["scope"], page="survey")
    return render(request, "dashboards/survey_report.html", context)


@require_safe
def survey_pdf(request: HttpRequest) -> HttpResponse:
    scope, form, _obligation = _scope(request)
    if form.errors:
        return _scope_refused(request, scope, form)
    context = _survey_context(request, scope)
    context["css"] = exports.stylesheet_text("dashboards/css/report.css")
    html = render_to_string("dashboards/survey_pdf.html", context, request=request)
    response = HttpResponse(exports.html_pdf(html), content_type=exports.PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{_filename(context["scope"], "maalepunkter", "pdf")}"'
    services.dashboard_exported_record(request=request, scope=context["scope"], table="maalepunkter", fmt="pdf")
    return response


# -- the evaluation after release ---------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def evaluation(request: HttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    case = selectors.evaluation_case_get(user=user, case_id=case_id)
    released = services.case_released(case)
    may_answer = services.took_part(user, case)
    evaluations = selectors.case_evaluations(case=case)
    own = next((e for e in evaluations if e.organisation_id == user.organisation_id), None)
    if request.method == "POST":
        if not may_answer or not released:
            raise Http404("No such evaluation")
        form = EvaluationForm(request.POST)
        if form.is_valid():
            try:
                services.evaluation_save(
                    actor=user, case=case, answers=form.answers(), comment=form.cleaned_data["comment"], request=request
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The evaluation is saved. Thank you."))
                return redirect("dashboards:evaluation", case_id=case.pk)
    else:
        form = EvaluationForm(initial=EvaluationForm.initial_from(own))
        audit_record(action="koreplan.evaluation.viewed", request=request, case_id=case.pk, client_id=case.client_id)
    return render(
        request,
        "dashboards/evaluation.html",
        {
            "case": case,
            "form": form,
            "released": released,
            "may_answer": may_answer and released,
            "own": own,
            "others": [e for e in evaluations if e.organisation_id != user.organisation_id],
            "sees_case": _sees_case(user, case),
        },
    )


def _sees_case(user, case) -> bool:
    return cases_visible_to(user=user).filter(pk=case.pk).exists()


@require_safe
def evaluations_waiting(request: HttpRequest) -> HttpResponse:
    """The released cases the user's organisation took part in and has not evaluated."""
    cases = selectors.evaluations_waiting(user=request.user, today=timezone.localdate())
    page = Paginator(cases, 50).get_page(page_number(request) or 1)
    services.dashboard_cases_listed_record(
        request=request, scope=None, figure="evaluations_waiting", case_ids=[case.pk for case in page.object_list]
    )
    return render(request, "dashboards/evaluations_waiting.html", {"page": page})
