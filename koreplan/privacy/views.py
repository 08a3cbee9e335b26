"""The person pages (/persondata/) for administrators: find a client, see and export every
audit entry about them, and export everything the system holds about them.

Every page and export is itself audited, with the purpose the administrator gives.
Anyone but an administrator gets 404 (`access`).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from koreplan.audit.models import AuditEntry
from koreplan.cases.models import Client
from koreplan.privacy import exports, selectors, services
from koreplan.privacy.access import privacy_access_check
from koreplan.privacy.forms import PersonLogFilterForm, PersonSearchForm
from koreplan.web.pagination import page_number, query_without_page

ENTRIES_PER_PAGE = 50


@require_safe
def person_search(request: HttpRequest) -> HttpResponse:
    privacy_access_check(request.user)
    form = PersonSearchForm(request.GET or None)
    clients = None
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"].strip()
        clients = list(selectors.clients_find(query=query))
        services.person_searched_record(
            request=request, query=query, results=len(clients), purpose=form.cleaned_data["purpose"]
        )
    purpose = form.cleaned_data.get("purpose", "") if form.is_bound and form.is_valid() else ""
    return render(
        request,
        "privacy/person_search.html",
        {"form": form, "clients": clients, "purpose_query": urlencode({"purpose": purpose}) if purpose else ""},
    )


def _client_and_filters(request: HttpRequest, client_id: int):
    privacy_access_check(request.user)
    client = get_object_or_404(Client, pk=client_id)
    form = PersonLogFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    filters = form.filters() if form.is_bound and valid else {}
    purpose = form.cleaned_data.get("purpose", "") if form.is_bound and valid else ""
    return client, form, valid, filters, purpose


def _filters_for_audit(filters: dict) -> dict:
    return {
        key: (value.pk if hasattr(value, "pk") else value)
        for key, value in filters.items()
    }


@require_safe
def person_log(request: HttpRequest, client_id: int) -> HttpResponse:
    client, form, valid, filters, purpose = _client_and_filters(request, client_id)
    entries = selectors.person_entries(client=client, **filters) if valid else AuditEntry.objects.none()
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(page_number(request))
    # Read the page before recording this view, so that the count and the rows agree.
    page.object_list = list(page.object_list)
    services.person_log_read_record(
        request=request, client=client, what="viewed", filters=_filters_for_audit(filters),
        entries=page.paginator.count, purpose=purpose,
    )
    return render(
        request,
        "privacy/person_log.html",
        {
            "client": client,
            "form": form,
            "page": page,
            "cases": client.cases.order_by("-pk"),
            "query": query_without_page(request),
            "purpose_query": urlencode({"purpose": purpose}) if purpose else "",
        },
        status=200 if valid else 400,
    )


@require_safe
def person_log_export(request: HttpRequest, client_id: int, fmt: str) -> HttpResponse:
    client, form, valid, filters, purpose = _client_and_filters(request, client_id)
    if fmt not in ("csv", "pdf"):
        raise Http404("No such format")
    if not valid:
        return render(request, "privacy/person_log.html", {"client": client, "form": form, "page": None}, status=400)
    entries = list(selectors.person_entries(client=client, **filters))
    stamp = f"{timezone.localdate():%Y%m%d}"
    if fmt == "csv":
        response = HttpResponse(exports.entries_csv(entries), content_type=exports.CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="logning-klient-{client.pk}-{stamp}.csv"'
    else:
        pdf = exports.entries_pdf(client=client, entries=entries, filters=filters, request=request)
        response = HttpResponse(pdf, content_type=exports.PDF_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="logning-klient-{client.pk}-{stamp}.pdf"'
    services.person_log_read_record(
        request=request, client=client, what=fmt, filters=_filters_for_audit(filters), entries=len(entries),
        purpose=purpose,
    )
    return response


@require_safe
def subject_access_export(request: HttpRequest, client_id: int, fmt: str) -> HttpResponse:
    client, form, valid, _filters, purpose = _client_and_filters(request, client_id)
    if fmt not in ("json", "pdf"):
        raise Http404("No such format")
    subject = selectors.subject_data_collect(client=client)
    stamp = f"{timezone.localdate():%Y%m%d}"
    if fmt == "json":
        response = HttpResponse(exports.subject_access_json(subject), content_type=exports.JSON_CONTENT_TYPE)
    else:
        response = HttpResponse(exports.subject_access_pdf(subject, request=request), content_type=exports.PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="indsigt-klient-{client.pk}-{stamp}.{fmt}"'
    services.subject_access_exported_record(
        request=request, client=client, fmt=fmt, rows=len(subject.objects), purpose=purpose
    )
    return response
