"""The consent pages: /sager/<case_id>/samtykke/… and the disclosures awaiting approval.

Every view first gets the case with ``case_get`` — a case the user may not see is 404,
whether or not it exists — and every page that shows consents is audited. Writes go to
the services; only staff of the holding organisation or its KIF department get the forms
(403 otherwise). Municipal staff never reach these pages: they have no part in a case.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from koreplan.cases.forms import add_service_errors
from koreplan.cases.models import Case
from koreplan.cases.selectors import case_get
from koreplan.consent import forms, selectors, services
from koreplan.consent.models import category_labels, purpose_labels
from koreplan.organisations.models import MunicipalDepartment


def _list_url(case: Case, anchor: str = "") -> str:
    url = reverse("consent:list", args=[case.pk])
    return f"{url}#{anchor}" if anchor else url


def _require_recorder(request: HttpRequest, case: Case) -> None:
    if not selectors.may_record(request.user, case):
        raise PermissionDenied(_("Only the organisation holding the case, or its probation department, records consents."))


def _record_form_read(request: HttpRequest, case: Case, page: str) -> None:
    """A form about the client's consent names the client: its GET is a read of the case
    (a POST is recorded by the service that saves it)."""
    if request.method != "POST":
        services.consents_read_record(actor=request.user, case=case, request=request, page=page)


def consent_rows(consents, today: date) -> list[dict]:
    rows = []
    for consent in consents:
        if consent.withdrawn_on is not None and consent.withdrawn_on <= today:
            state = "withdrawn"
        elif consent.valid_until is not None and consent.valid_until < today:
            state = "expired"
        elif consent.given_on > today:
            state = "future"
        else:
            state = "refused" if consent.refused else "in_force"
        rows.append({"consent": consent, "state": state})
    return rows


@require_safe
def consent_list(request: HttpRequest, case_id: int) -> HttpResponse:
    """The client's consents and refusals, and what was disclosed in the case."""
    case = case_get(user=request.user, case_id=case_id)
    today = timezone.localdate()
    consents = list(selectors.consents_of(client=case.client))
    disclosures = list(selectors.disclosures_of(case=case))
    services.consents_read_record(actor=request.user, case=case, request=request, page="consent_list")
    return render(request, "consent/consent_list.html", {
        "case": case,
        "client": case.client,
        "rows": consent_rows(consents, today),
        "disclosures": [{"disclosure": d, "may_approve": selectors.may_approve(request.user, d)} for d in disclosures],
        "may_record": selectors.may_record(request.user, case),
        "print_form": forms.PrintForm(case=case, auto_id="print_%s"),
    })


def _scope_kwargs(data: dict) -> dict:
    return {
        "categories": data["categories"],
        "recipient_organisation": data["recipient_organisation"],
        "recipient_department": data.get("recipient_department") or "",
        "purposes": data["purposes"],
    }


@require_http_methods(["GET", "POST"])
def consent_create(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_get(user=request.user, case_id=case_id)
    _require_recorder(request, case)
    form = forms.ConsentForm(request.POST or None, request.FILES or None, case=case)
    _record_form_read(request, case, "consent_create")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consent = services.consent_give(
                actor=request.user, case=case, **_scope_kwargs(data), given_on=data["given_on"],
                valid_until=data["valid_until"], note=data["note"], signed_copy=data["signed_copy"], request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The consent is recorded."))
            return redirect(_list_url(case, f"samtykke-{consent.pk}"))
    return render(request, "consent/consent_form.html", {
        "case": case, "client": case.client, "form": form, "refusal": False,
    }, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def consent_refuse(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_get(user=request.user, case_id=case_id)
    _require_recorder(request, case)
    form = forms.RefusalForm(request.POST or None, case=case)
    _record_form_read(request, case, "consent_refuse")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consent = services.consent_refuse(
                actor=request.user, case=case, **_scope_kwargs(data), refused_on=data["given_on"],
                refusal_kind=data["refusal_kind"], reasons=data["refusal_reasons"], request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The refusal and its reasons are recorded."))
            return redirect(_list_url(case, f"samtykke-{consent.pk}"))
    return render(request, "consent/consent_form.html", {
        "case": case, "client": case.client, "form": form, "refusal": True,
    }, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def consent_withdraw(request: HttpRequest, case_id: int, consent_id: int) -> HttpResponse:
    case = case_get(user=request.user, case_id=case_id)
    consent = selectors.consent_get(case=case, consent_id=consent_id)
    _require_recorder(request, case)
    form = forms.WithdrawForm(request.POST or None)
    _record_form_read(request, case, "consent_withdraw")
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(
                actor=request.user, case=case, consent=consent, withdrawn_on=form.cleaned_data["withdrawn_on"],
                note=form.cleaned_data["note"], request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The withdrawal is recorded."))
            return redirect(_list_url(case, f"samtykke-{consent.pk}"))
    return render(request, "consent/consent_withdraw.html", {
        "case": case, "client": case.client, "consent": consent, "form": form,
    }, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def consent_signed_copy(request: HttpRequest, case_id: int, consent_id: int) -> HttpResponse:
    """GET: the signed copy, to those who may see the case. POST: attach or replace it."""
    case = case_get(user=request.user, case_id=case_id)
    consent = selectors.consent_get(case=case, consent_id=consent_id)
    if request.method == "GET":
        if not consent.signed_copy:
            raise Http404("No signed copy")
        try:
            handle = consent.signed_copy.open("rb")
        except FileNotFoundError:
            raise Http404("The file is missing") from None
        services.consent_signed_copy_read_record(actor=request.user, case=case, consent=consent, request=request)
        extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(consent.signed_copy_type, "bin")
        # Images open in the browser; a PDF (which can carry scripts of its own) is downloaded.
        response = FileResponse(
            handle, content_type=consent.signed_copy_type or "application/octet-stream",
            as_attachment=consent.signed_copy_type != "image/png" and consent.signed_copy_type != "image/jpeg",
            filename=f"samtykke-{consent.pk}.{extension}",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
    _require_recorder(request, case)
    form = forms.SignedCopyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.consent_signed_copy_attach(
                actor=request.user, case=case, consent=consent, upload=form.cleaned_data["signed_copy"], request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The signed copy is attached."))
            return redirect(_list_url(case, f"samtykke-{consent.pk}"))
    return render(request, "consent/signed_copy_form.html", {
        "case": case, "client": case.client, "consent": consent, "form": form,
    }, status=422)


# -- the consent form for signature ------------------------------------------------------------


def _print_context(request: HttpRequest, case: Case) -> tuple[dict, forms.PrintForm]:
    form = forms.PrintForm(request.GET or None, case=case, auto_id="print_%s")
    if not form.is_valid():
        return {}, form
    data = form.cleaned_data
    organisation = data["recipient_organisation"]
    department = data.get("recipient_department") or ""
    departments = dict(MunicipalDepartment.Kind.choices)
    return {
        "case": case,
        "client": case.client,
        "recipient": organisation,
        "department": departments.get(department, ""),
        "categories": category_labels(data["categories"]),
        "purposes": purpose_labels(data["purposes"]),
        "valid_until": data.get("valid_until"),
        "asked_by": request.user,
        "asking_organisation": request.user.organisation or case.holding_organisation,
        "today": timezone.localdate(),
        "language": data.get("language") or "da",
        "query": request.GET.urlencode(),
    }, form


@require_safe
def consent_form_print(request: HttpRequest, case_id: int, pdf: bool = False) -> HttpResponse:
    """The consent form for the client to sign, in Danish (or English): HTML to print, or PDF."""
    case = case_get(user=request.user, case_id=case_id)
    _require_recorder(request, case)
    context, form = _print_context(request, case)
    if not context:
        _record_form_read(request, case, "consent_print_choose")
        return render(request, "consent/print_choose.html", {"case": case, "client": case.client, "print_form": form},
                      status=422 if form.is_bound else 200)
    services.consent_form_printed_record(
        actor=request.user, case=case, request=request, recipient=context["recipient"].pk,
        categories=form.cleaned_data["categories"], purposes=form.cleaned_data["purposes"], pdf=pdf,
    )
    with translation.override(context["language"]):
        if not pdf:
            return render(request, "consent/print.html", {**context, "for_pdf": False})
        from koreplan.plans.pdf import render_pdf

        html = render_to_string("consent/print.html", {**context, "for_pdf": True}, request=request)
        response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="samtykkeerklaering-{case.pk}.pdf"'
    return response


# -- disclosures awaiting a second person's approval ------------------------------------------------


@require_http_methods(["GET", "POST"])
def disclosure_decide(request: HttpRequest, case_id: int, disclosure_id: int) -> HttpResponse:
    """Approve or reject a disclosure without consent (the second person)."""
    case = case_get(user=request.user, case_id=case_id)
    disclosure = selectors.disclosure_get(case=case, disclosure_id=disclosure_id)
    # A request to a municipality is approved where its letter is shown in full.
    linked = getattr(disclosure, "municipal_request", None)
    if linked is not None:
        return redirect(linked.approval_url())
    if not selectors.may_approve(request.user, disclosure):
        raise PermissionDenied(_("A colleague of the person who proposed the disclosure approves it."))
    form = forms.DisclosureDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["approve"]:
                services.disclosure_approve(actor=request.user, disclosure=disclosure, request=request)
                messages.success(request, _("The disclosure is approved."))
            else:
                services.disclosure_reject(
                    actor=request.user, disclosure=disclosure, reason=form.cleaned_data["reason"], request=request
                )
                messages.success(request, _("The disclosure is rejected: nothing was sent."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(_list_url(case, "videregivelser"))
    return render(request, "consent/disclosure_decide.html", {
        "case": case, "client": case.client, "item": {"disclosure": disclosure, "may_approve": False}, "form": form,
    }, status=422 if form.errors else 200)

