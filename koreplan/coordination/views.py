"""Notices and requests to the municipality, and the municipality's inbox.

Kriminalforsorgen's side lives under the case (/sager/<case_id>/kommune/…): every view
first gets the case with ``case_get`` (404 for a case the user may not see). A request is
written, **previewed exactly as the municipality will see it** — with the consent
decision per kind of information and what the redaction left out — and only then sent.

The municipality's side is the inbox (/indbakke/…): ``selectors.inbox_get`` decides who
may see a request (404 otherwise). Municipal staff never reach the case pages; they see
the cover letter and the plan excerpt that was disclosed, nothing else.

Every page that shows a request is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from koreplan.cases.forms import add_service_errors
from koreplan.cases.queries_ui import municipality_in_query
from koreplan.cases.selectors import case_get, may_edit_open
from koreplan.cases.services import case_read_record
from koreplan.consent.models import Category
from koreplan.coordination import forms, selectors, services
from koreplan.coordination.letters import Draft, _plan
from koreplan.coordination.models import Kind, MunicipalRequest
from koreplan.coordination.presentation import document, left_out_lines
from koreplan.domain import consent as domain
from koreplan.organisations.models import MunicipalDepartment

KIND_BY_SLUG = {"indsaettelse": Kind.INTAKE_NOTICE, "sagsakter": Kind.CASE_FILES, "koordinering": Kind.COORDINATION}
SLUG_BY_KIND = {kind: slug for slug, kind in KIND_BY_SLUG.items()}


# -- the decision, per kind of information, in words --------------------------------------------


def decision_rows(draft: Draft) -> dict[str, Any]:
    """The consent decision for the preview: one row per kind of information, with why."""
    decision = draft.decision
    labels = dict(Category.choices)
    departments = {"": _("the municipality as a whole"), **dict(MunicipalDepartment.Kind.choices)}
    danish = (get_language() or "da").startswith("da")
    rows = []
    for value in draft.categories:
        category = domain.Category(value)
        if category in decision.consented:
            state = "consented"
        elif category in decision.on_legal_basis:
            state = "legal_basis"
        else:
            state = "refused"
        # One line per reason, naming every department it holds for.
        grouped: dict[str, list[str]] = {}
        for r in decision.reasons:
            if r.category == category:
                names = grouped.setdefault(r.da if danish else r.en, [])
                if r.recipient is not None:
                    names.append(str(departments.get(r.recipient.department or "", "")))
        reasons = [{"text": text, "department": ", ".join(n for n in names if n)} for text, names in grouped.items()]
        rows.append({"label": labels[value], "state": state, "reasons": reasons})
    general = [r.da if danish else r.en for r in decision.reasons if r.category is None]
    return {"rows": rows, "general": general}


# -- Kriminalforsorgen's side ------------------------------------------------------------------------


def _kind(slug: str) -> str:
    kind = KIND_BY_SLUG.get(slug)
    if kind is None:
        raise Http404("No such kind of request")
    return kind


@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, case_id: int, kind_slug: str) -> HttpResponse:
    """Write a notice or request; preview it as the municipality will see it; send it."""
    case = case_get(user=request.user, case_id=case_id)
    kind = _kind(kind_slug)
    if not selectors.may_send(request.user, case):
        raise PermissionDenied(_("Only the organisation holding the case, or its probation department, writes to the municipality about it."))
    if request.method != "POST":
        # The empty letter already names the client; a preview or a send is recorded by its service.
        case_read_record(actor=request.user, case=case, request=request, page=f"request_new:{kind}")
    content = _plan(case)[1] if kind == Kind.COORDINATION else None
    form_kwargs = dict(kind=kind, case=case, content=content, initial_municipality=municipality_in_query(request))
    form = forms.RequestForm(request.POST or None, **form_kwargs)
    draft: Draft | None = None
    if request.method == "POST" and form.is_valid():
        inp = form.to_input()
        action = request.POST.get("action", "preview")
        if action == "send":
            try:
                sent = services.request_send(
                    actor=request.user, case=case, inp=inp, digest=form.cleaned_data.get("digest", ""), http_request=request
                )
            except ValidationError as error:
                if hasattr(error, "error_dict") and "digest" in error.error_dict:
                    messages.warning(request, error.error_dict["digest"][0].messages[0])
                else:
                    add_service_errors(form, error)
            else:
                if sent.status == MunicipalRequest.Status.AWAITING_APPROVAL:
                    messages.warning(request, _("The request waits for a colleague's approval: nothing has been sent yet."))
                else:
                    messages.success(request, _("Sent to %(municipality)s.") % {"municipality": sent.municipality})
                return redirect(sent.sender_url())
        if not form.errors:
            try:
                draft = services.request_preview(actor=request.user, case=case, inp=inp)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                # The preview's digest travels with the form: sending checks it.
                data = request.POST.copy()
                data["digest"] = draft.digest
                form = forms.RequestForm(data, **form_kwargs)
                form.is_valid()
    context = {
        "case": case, "client": case.client, "form": form, "kind": kind, "kind_label": Kind(kind).label,
        "kind_slug": kind_slug, "has_plan": content is not None,
    }
    if draft is not None:
        context.update(
            draft=draft, doc=document(draft.snapshot), decision=decision_rows(draft),
            left_out=left_out_lines(draft.left_out),
        )
    status = 422 if form.errors else 200
    return render(request, "coordination/request_form.html", context, status=status)


@require_safe
def request_detail(request: HttpRequest, case_id: int, request_id: int) -> HttpResponse:
    """The sender's view: where the request stands, and exactly what was sent."""
    case = case_get(user=request.user, case_id=case_id)
    req = selectors.request_of_case(case=case, request_id=request_id)
    services.request_read_record(actor=request.user, req=req, http_request=request, page="request_detail")
    return render(request, "coordination/request_detail.html", {
        "case": case, "client": case.client, "req": req, "doc": document(req.snapshot),
        "may_approve": selectors.may_approve(request.user, req),
        "may_cancel": req.status == MunicipalRequest.Status.AWAITING_APPROVAL and selectors.may_send(request.user, case),
        "resend_slug": SLUG_BY_KIND.get(req.kind),
        "may_change_municipality": may_edit_open(request.user, case),
    })


@require_http_methods(["GET", "POST"])
def request_approve(request: HttpRequest, case_id: int, request_id: int) -> HttpResponse:
    """A colleague approves a request without consent (it leaves), or it is stopped."""
    case = case_get(user=request.user, case_id=case_id)
    req = selectors.request_of_case(case=case, request_id=request_id)
    if req.status != MunicipalRequest.Status.AWAITING_APPROVAL:
        return redirect(req.sender_url())
    may_approve = selectors.may_approve(request.user, req)
    may_cancel = selectors.may_send(request.user, case)
    if not (may_approve or may_cancel):
        raise PermissionDenied(_("Only the organisation that wrote the request decides on it."))
    cancel_form = forms.CancelForm(request.POST if request.POST.get("action") == "cancel" else None)
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "approve":
                if not may_approve:
                    raise PermissionDenied(_("A disclosure without consent must be approved by someone other than the person who proposed it."))
                services.request_approve(actor=request.user, req=req, http_request=request)
                messages.success(request, _("Approved and sent to %(municipality)s.") % {"municipality": req.municipality})
                return redirect(req.sender_url())
            if cancel_form.is_valid():
                services.request_cancel(actor=request.user, req=req, reason=cancel_form.cleaned_data["reason"], http_request=request)
                messages.success(request, _("The request is stopped: nothing was sent."))
                return redirect(reverse("cases:case_detail", args=[case.pk]))
        except ValidationError as exc:
            if request.POST.get("action") == "cancel":
                add_service_errors(cancel_form, exc)
            else:
                error = exc
    services.request_read_record(actor=request.user, req=req, http_request=request, page="request_approve")
    return render(request, "coordination/request_approve.html", {
        "case": case, "client": case.client, "req": req, "doc": document(req.snapshot), "disclosure": req.disclosure,
        "may_approve": may_approve, "cancel_form": cancel_form,
        "errors": (error.messages if error is not None else []),
    }, status=422 if error is not None or cancel_form.errors else 200)


# -- the municipality's inbox -----------------------------------------------------------------------

INBOX_FILTERS = {
    "": None,
    "nye": (MunicipalRequest.Status.SENT, MunicipalRequest.Status.RECEIVED),
    "fordelt": (MunicipalRequest.Status.ACCEPTED,),
    "returneret": (MunicipalRequest.Status.RETURNED,),
}


@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    if not selectors.is_municipal(request.user):
        raise Http404("The inbox is the municipality's")
    chosen = request.GET.get("vis", "")
    statuses = INBOX_FILTERS.get(chosen)
    requests = selectors.inbox_list(user=request.user)
    if statuses:
        requests = requests.filter(status__in=statuses)
    items = list(requests[:200])
    services.inbox_read_record(actor=request.user, requests=items, http_request=request, page="inbox")
    return render(request, "coordination/inbox.html", {
        "items": items, "chosen": chosen, "is_entrance": selectors.is_entrance(request.user),
        "filters": [("", _("All")), ("nye", _("New")), ("fordelt", _("Routed")), ("returneret", _("Returned"))],
    })


def _inbox_context(request: HttpRequest, req: MunicipalRequest, **extra) -> dict[str, Any]:
    may_answer = selectors.is_entrance(request.user, req.municipality_id) and req.is_open
    departments, people = selectors.routing_choices(municipality=req.municipality)
    context = {
        "req": req, "doc": document(req.snapshot), "may_answer": may_answer,
        "route_form": forms.RouteForm(departments=departments, people=people) if may_answer else None,
        "return_form": forms.ReturnForm() if may_answer else None,
        "today": timezone.localdate(),
    }
    context.update(extra)
    return context


@require_safe
def inbox_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    req = selectors.inbox_get(user=request.user, request_id=request_id)
    req = services.request_open(actor=request.user, req=req, http_request=request, page="inbox_detail")
    return render(request, "coordination/inbox_detail.html", _inbox_context(request, req))


@require_http_methods(["POST"])
def inbox_route(request: HttpRequest, request_id: int) -> HttpResponse:
    req = selectors.inbox_get(user=request.user, request_id=request_id)
    departments, people = selectors.routing_choices(municipality=req.municipality)
    form = forms.RouteForm(request.POST, departments=departments, people=people)
    if form.is_valid():
        try:
            services.request_route(
                actor=request.user, req=req, department=form.cleaned_data["department"],
                caseworker=form.cleaned_data["caseworker"], note=form.cleaned_data["note"], http_request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Routed to %(person)s: the municipality has hold.") % {"person": req.routed_caseworker})
            return redirect(reverse("coordination:inbox"))
    return render(request, "coordination/inbox_detail.html", _inbox_context(request, req, route_form=form), status=422)


@require_http_methods(["POST"])
def inbox_return(request: HttpRequest, request_id: int) -> HttpResponse:
    req = selectors.inbox_get(user=request.user, request_id=request_id)
    form = forms.ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.request_return(
                actor=request.user, req=req, reason=form.cleaned_data["reason"],
                suggested_municipality=form.cleaned_data["suggested_municipality"], http_request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Returned to %(sender)s.") % {"sender": req.sending_organisation})
            return redirect(reverse("coordination:inbox"))
    return render(request, "coordination/inbox_detail.html", _inbox_context(request, req, return_form=form), status=422)

