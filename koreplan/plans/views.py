"""The plan pages: /sager/<case_id>/handleplan/…

Every view first gets the case with ``case_get`` — a case the user may not see is 404,
whether or not it exists — and every page read is audited. Writes go to the services;
only staff of the holding organisation get the forms (403 otherwise). Section edits are
htmx partials of the page's own templates (plans/_document.html, plans/edit.html), and
every form also works as an ordinary page without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from koreplan.cases.models import Case
from koreplan.cases.selectors import case_get, cases_visible_to
from koreplan.domain import plan as domain
from koreplan.plans import forms, presentation, selectors, services
from koreplan.plans.models import PlanStatus, PlanVersion
from koreplan.plans.pdf import render_pdf
from koreplan.web import conflicts
from koreplan.web.conflicts import Conflict
from koreplan.web.conflicts import lines as _lines
from koreplan.web.conflicts import shown_value as _shown_value
from koreplan.plans.presentation import LIFE_AREA_BY_SLUG, LIFE_AREA_SLUGS, SECTION_BY_KEY, SECTION_SLUGS

# -- helpers --------------------------------------------------------------------------------


def _plan_url(case: Case, anchor: str = "") -> str:
    url = reverse("plans:plan", args=[case.pk])
    return f"{url}#{anchor}" if anchor else url


def _life_areas(content: domain.PlanContent) -> list[dict[str, Any]]:
    return [
        {
            "value": value,
            "label": label,
            "slug": LIFE_AREA_SLUGS[value],
            "entries": content.entries_for(domain.LifeArea(value)),
            "ideas": presentation.LIFE_AREA_IDEAS[value],
        }
        for value, label in presentation.LifeArea.choices
    ]


def _owes_transfer_status(user, case: Case) -> bool:
    """The previous holder still owes the plan's status at transfer (cirk. § 8, stk. 1)."""
    return case.tasks.filter(
        obligation_id="status_at_transfer", responsible_organisation_id=user.organisation_id, completed_on__isnull=True
    ).exists()


def _context(request: HttpRequest, case: Case, view: selectors.PlanView | None, **extra: Any) -> dict[str, Any]:
    writer = services.may_write(request.user, case)
    context: dict[str, Any] = {
        "case": case,
        "client": case.client,
        "view": view,
        "writer": writer,
        "sections": SECTION_BY_KEY,
        "editable": False,
        "for_client": False,
        "today": timezone.localdate(),
    }
    if view is not None:
        context.update(
            content=view.content,
            shown=view.shown,
            editable=writer and view.is_latest and not view.shown.locked,
            life_areas=_life_areas(view.content),
            may_decide=services.may_decide_approval(request.user, view.shown.version),
        )
    context["owes_transfer_status"] = not context["editable"] and _owes_transfer_status(request.user, case)
    context.update(extra)
    return context


def _view_or_404(case: Case, number: int | None = None) -> selectors.PlanView:
    view = selectors.plan_view(case=case, number=number)
    if view is None:
        raise Http404("No plan yet")
    return view


def _back_to_plan(request: HttpRequest, case: Case) -> HttpResponse:
    # htmx would swap a followed redirect into the section: have it load the page instead.
    return HttpResponseClientRedirect(_plan_url(case)) if request.htmx else redirect(_plan_url(case))


def _editable_view(request: HttpRequest, case: Case) -> selectors.PlanView | HttpResponse:
    """The plan's newest version for an edit form, or a response saying why not."""
    if not services.may_write(request.user, case):
        raise PermissionDenied(_("Only the organisation holding the case can change its plan."))
    view = selectors.plan_view(case=case)
    if view is None:
        messages.info(request, _("Start the plan first."))
        return _back_to_plan(request, case)
    if view.shown.locked:
        messages.warning(
            request, _("Version %(number)s is locked. Start a new version to go on.") % {"number": view.shown.number}
        )
        return _back_to_plan(request, case)
    return view


def _posted_version(form, view: selectors.PlanView) -> tuple[PlanVersion, int]:
    """The version and revision the form was made from (the newest, if it did not say)."""
    number = form.cleaned_data.get("version") or view.latest.number
    version = next((v.version for v in view.versions if v.number == number), None)
    if version is None:
        raise Http404("No such version")
    version.plan.case = view.case
    return version, form.cleaned_data.get("revision") or version.revision


def _versioned_initial(view: selectors.PlanView) -> dict[str, int]:
    return {"version": view.shown.number, "revision": view.shown.version.revision}


def _audit_read(request: HttpRequest, case: Case, view: selectors.PlanView | None, page: str, what: str = "plan") -> None:
    services.plan_read_record(
        actor=request.user, case=case, what=what, version=view.shown.version if view else None, request=request, page=page
    )


# -- the plan ---------------------------------------------------------------------------------

#: The display partials of plans/_document.html an htmx request may ask for (?del=…).
DISPLAY_PARTIALS = {"participation", "description", "description_area", "causes", "assessment", "assessment_overall", "partners"}


@require_safe
def plan_detail(request: HttpRequest, case_id: int, number: int | None = None) -> HttpResponse:
    """The plan: its five sections, what was recorded on it, and its versions."""
    case = case_get(user=request.user, case_id=case_id)
    view = selectors.plan_view(case=case, number=number)
    partial = request.GET.get("del", "")
    if request.htmx and view is not None and partial in DISPLAY_PARTIALS:
        context = _context(request, case, view)
        if partial == "description_area":
            area = LIFE_AREA_BY_SLUG.get(request.GET.get("omraade", ""))
            if area is None:
                raise Http404("No such life area")
            context["area"] = next(a for a in context["life_areas"] if a["value"] == area)
        _audit_read(request, case, view, page=f"partial:{partial}")
        return render(request, f"plans/_document.html#{partial}", context)
    _audit_read(request, case, view, page="plan")
    return render(request, "plans/plan.html", _context(request, case, view))


@require_POST
def plan_start(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_get(user=request.user, case_id=case_id)
    try:
        services.plan_start(actor=request.user, case=case, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The action plan is made. Its first version locks in 30 days."))
    return redirect(_plan_url(case))


@require_POST
def version_create(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_get(user=request.user, case_id=case_id)
    plan = selectors.plan_of(case=case)
    if plan is None:
        raise Http404("No plan yet")
    plan.case = case
    # The button names the version it starts: a second click (or a colleague's click on the
    # same page) finds it begun already and must not close it at once with an empty copy.
    asked_for = request.POST.get("number", "")
    latest = selectors.plan_latest_version(plan=plan)
    if asked_for.isdigit() and latest is not None and latest.number >= int(asked_for):
        messages.info(request, _("Version %(number)s has already begun.") % {"number": latest.number})
        return redirect(_plan_url(case))
    version = services.plan_version_create(actor=request.user, plan=plan, request=request)
    messages.success(
        request,
        _("Version %(number)s has begun as a copy of the one before. Review it with the client: keep what is still "
          "relevant, and edit or remove the rest.") % {"number": version.number},
    )
    return redirect(_plan_url(case))


@require_http_methods(["GET", "POST"])
def intake_interview(request: HttpRequest, case_id: int) -> HttpResponse:
    """Write what came up at the intake interview straight into the plan (VEJ pkt. 28)."""
    case = case_get(user=request.user, case_id=case_id)
    if not services.may_write(request.user, case):
        raise PermissionDenied
    form = forms.IntakeInterviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_intake_interview_record(
                actor=request.user, case=case, held_on=form.cleaned_data["held_on"],
                participation=form.cleaned_data["participation"],
                participation_reason=form.cleaned_data["participation_reason"],
                entries=form.entries(), causes=form.cleaned_data["causes"], request=request,
            )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("The intake interview is written into the plan."))
            return redirect(_plan_url(case, "sektion-beskrivelse"))
    view = selectors.plan_view(case=case)
    _audit_read(request, case, view, page="intake_interview")
    return render(request, "plans/intake_interview.html", _context(request, case, view, form=form))


# -- sections (htmx partials) ---------------------------------------------------------------------

_SECTION_FORMS = {
    domain.Section.PARTICIPATION: forms.ParticipationForm,
    domain.Section.CAUSES: forms.CausesForm,
    domain.Section.ASSESSMENT: forms.AssessmentForm,
}


def _section_saved(request: HttpRequest, case: Case, partial: str, anchor: str, **extra) -> HttpResponse:
    if request.htmx:
        view = selectors.plan_view(case=case)
        context = _context(request, case, view, **extra)
        if "area" in extra:
            context["area"] = next(a for a in context["life_areas"] if a["value"] == extra["area"])
        return render(request, f"plans/_document.html#{partial}", context)
    messages.success(request, _("The plan is saved."))
    return redirect(_plan_url(case, anchor))


def _edit_response(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    template = "plans/edit.html#form" if request.htmx else "plans/edit.html"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, case_id: int, slug: str) -> HttpResponse:
    """Edit the participation, causes, assessment or partners section."""
    case = case_get(user=request.user, case_id=case_id)
    section = SECTION_SLUGS.get(slug)
    if section is None:
        raise Http404("No such section")
    view = _editable_view(request, case)
    if isinstance(view, HttpResponse):
        return view
    content = view.content
    partial = presentation.SECTION_PARTIALS[section]
    target = {
        domain.Section.PARTICIPATION: "sektion-deltagelse",
        domain.Section.CAUSES: SECTION_BY_KEY["causes"].html_id,
        domain.Section.ASSESSMENT: SECTION_BY_KEY["assessment"].html_id + "-helhed",
        domain.Section.PARTNERS: SECTION_BY_KEY["partners"].html_id,
    }[section]
    if section == domain.Section.ASSESSMENT:
        partial = "assessment_overall"
    formset = None
    if section == domain.Section.PARTNERS:
        form = forms.VersionedForm(request.POST or None, initial=_versioned_initial(view))
        formset = forms.PartnerFormSet(request.POST or None, initial=forms.partners_initial(content), prefix="partners")
    else:
        form_class = _SECTION_FORMS[section]
        form = form_class(request.POST or None, initial={**form_class.initial_from(content), **_versioned_initial(view)})
    conflict = None
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        data = forms.partners_data(formset) if formset is not None else form.section_data()
        version, revision = _posted_version(form, view)
        try:
            services.plan_section_update(
                actor=request.user, version=version, revision=revision, section=section, data=data, request=request
            )
        except services.StaleRevision:
            form, conflict = _section_conflict(request, form, formset, version)
        except ValidationError as error:
            forms.add_service_errors(form, error, formsets={"partners": formset} if formset else None)
        else:
            return _section_saved(request, case, partial, target)
    if request.method == "GET":
        _audit_read(request, case, view, page=f"edit:{section.value}")
    return _edit_response(request, _context(
        request, case, view, form=form, formset=formset, section=section, target=target, partial=partial,
        action=request.path, title=_section_title(section), conflict=conflict,
    ), status=conflicts.status(request, conflict))


def _conflict(request, form, version, saved_of, mine=None) -> tuple[Any, Conflict]:
    """Someone saved the version after this form was opened (StaleRevision). Nothing is
    lost: the form keeps what this person wrote and now names the revision saved since
    (koreplan/web/conflicts.py). ``saved_of(content)`` gives what is saved now as
    (heading, [(label, value)]) blocks; ``mine`` what this person posted, in the same
    blocks, for the lines that differ to be marked."""
    fresh = PlanVersion.objects.select_related("last_adjusted_by").get(pk=version.pk)
    return conflicts.rebound(request, form, fresh.revision), Conflict(
        by=fresh.last_adjusted_by, at=fresh.last_adjusted_at, saved=saved_of(fresh.content_value()), mine=mine
    )


def _section_conflict(request, form, formset, version) -> tuple[Any, Conflict]:
    if formset is not None:
        fields = formset.form().fields

        def saved_of(content):
            return [
                (row["name"] or row["organisation"] or str(number), [(k, v) for k, v in _lines(fields, row) if v])
                for number, row in enumerate(forms.partners_initial(content), start=1)
            ]
        # A partner is matched by name (or organisation); one without either has no match.
        posted = [conflicts.posted(row) for row in formset.forms]
        mine = [
            (row["name"] or row["organisation"], [(k, v) for k, v in _lines(fields, row) if v])
            for row in posted if row.get("name") or row.get("organisation")
        ]
    else:
        def saved_of(content):
            return [("", _lines(form.fields, type(form).initial_from(content)))]
        mine = [("", _lines(form.fields, conflicts.posted(form)))]
    return _conflict(request, form, version, saved_of, mine)


def _section_title(section: domain.Section) -> str:
    return {
        domain.Section.PARTICIPATION: _("The client's participation"),
        domain.Section.CAUSES: f"3. {SECTION_BY_KEY['causes'].title}",
        domain.Section.ASSESSMENT: _("Overall assessment"),
        domain.Section.PARTNERS: f"5. {SECTION_BY_KEY['partners'].title}",
    }[section]


@require_http_methods(["GET", "POST"])
def description_edit(request: HttpRequest, case_id: int, area_slug: str) -> HttpResponse:
    """Edit the dated entries of one life area; an entry left empty is removed."""
    case = case_get(user=request.user, case_id=case_id)
    area = LIFE_AREA_BY_SLUG.get(area_slug)
    if area is None:
        raise Http404("No such life area")
    view = _editable_view(request, case)
    if isinstance(view, HttpResponse):
        return view
    area_enum = domain.LifeArea(area)
    form = forms.VersionedForm(request.POST or None, initial=_versioned_initial(view))
    formset = forms.EntryFormSet(
        request.POST or None, initial=forms.entries_initial(view.content, area_enum), prefix="entries"
    )
    target = f"beskrivelse-{area_slug}"
    conflict = None
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        version, revision = _posted_version(form, view)
        try:
            data = forms.description_area_data(version.content_value(), area_enum, formset)
            services.plan_section_update(
                actor=request.user, version=version, revision=revision, section=domain.Section.DESCRIPTION,
                data=data, request=request,
            )
        except services.StaleRevision:
            fields = formset.form().fields
            form, conflict = _conflict(request, form, version, lambda content: [
                (_shown_value(fields["on"], row["on"]), _lines({"text": fields["text"]}, row))
                for row in forms.entries_initial(content, area_enum)
            ])
        except ValidationError as error:
            # Paths count entries over the whole description; show them on the form.
            for messages_ in (error.message_dict if hasattr(error, "error_dict") else {"": error.messages}).values():
                for text in messages_:
                    form.add_error(None, text)
        else:
            return _section_saved(request, case, "description_area", target, area=area)
    if request.method == "GET":
        _audit_read(request, case, view, page=f"edit:description:{area}")
    return _edit_response(request, _context(
        request, case, view, form=form, formset=formset, section=domain.Section.DESCRIPTION, target=target,
        partial="description_area", area_slug=area_slug, action=request.path,
        title=f"{SECTION_BY_KEY['description'].title}: {presentation.LifeArea(area).label}", conflict=conflict,
    ), status=conflicts.status(request, conflict))


@require_http_methods(["GET", "POST"])
def entry_add(request: HttpRequest, case_id: int) -> HttpResponse:
    """Add a dated entry to a life area of the description (VEJ pkt. 52, 56)."""
    case = case_get(user=request.user, case_id=case_id)
    view = _editable_view(request, case)
    if isinstance(view, HttpResponse):
        return view
    initial = {**_versioned_initial(view)}
    if request.GET.get("omraade") in LIFE_AREA_BY_SLUG:
        initial["area"] = LIFE_AREA_BY_SLUG[request.GET["omraade"]]
    form = forms.EntryAddForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        version, revision = _posted_version(form, view)
        try:
            services.plan_entry_add(
                actor=request.user, version=version, revision=revision, area=form.cleaned_data["area"],
                on=form.cleaned_data["on"], text=form.cleaned_data["text"],
                from_intake_interview=form.cleaned_data["from_intake_interview"], request=request,
            )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("The entry is added to the description."))
            return redirect(_plan_url(case, f"beskrivelse-{LIFE_AREA_SLUGS[form.cleaned_data['area']]}"))
    _audit_read(request, case, view, page="entry_add")
    return render(request, "plans/entry_add.html", _context(request, case, view, form=form))


# -- areas of effort ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def area_edit(request: HttpRequest, case_id: int, key: str | None = None) -> HttpResponse:
    """Add or change an area of effort — justified, and discussed with the client (VEJ pkt. 37)."""
    case = case_get(user=request.user, case_id=case_id)
    view = _editable_view(request, case)
    if isinstance(view, HttpResponse):
        return view
    area = None
    if key is not None:
        area = view.content.area(key)
        if area is None:
            raise Http404("No such area of effort")
    priority = view.content.priority_of(key) if key else len(view.content.areas) + 1
    form = forms.AreaForm(
        request.POST or None, initial={**forms.AreaForm.initial_from(area, priority), **_versioned_initial(view)}
    )
    formset = forms.ActionFormSet(request.POST or None, initial=forms.actions_initial(area), prefix="actions")
    conflict = None
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        actions = [a for a in (f.action() for f in formset.forms) if a is not None]
        version, revision = _posted_version(form, view)
        try:
            saved = services.plan_area_save(
                actor=request.user, version=version, revision=revision, area=form.area(key or "", actions),
                priority=form.cleaned_data["priority"], justification=form.cleaned_data["change_justification"],
                discussed_with_client=form.cleaned_data["discussed_with_client"], request=request,
            )
        except services.StaleRevision:
            form, conflict = _conflict(request, form, version, lambda content: _area_saved(content, key, form, formset))
        except ValidationError as error:
            _area_errors(form, formset, error)
        else:
            messages.success(request, _("The area of effort is saved, with the justification of the change."))
            if key is None:
                before = {a.key for a in view.content.areas}
                key = next((a.key for a in saved.content_value().areas if a.key not in before), "")
            return redirect(_plan_url(case, f"indsats-{key}"))
    if request.method == "GET":
        _audit_read(request, case, view, page="area_edit")
    changes = [c for c in view.area_changes if c.area_key == key] if key else []
    return render(request, "plans/area_form.html", _context(
        request, case, view, form=form, formset=formset, area=area, key=key, changes=changes,
        declined=view.content.participation.status == domain.Participation.DECLINED, conflict=conflict,
    ), status=409 if conflict else 200)


def _area_saved(content: domain.PlanContent, key: str | None, form, formset) -> list[tuple[str, list[tuple[str, str]]]]:
    """The area of effort as saved now, and its actions; nothing if it is new or was removed."""
    area = content.area(key) if key else None
    if area is None:
        return []
    blocks = [("", _lines(form.fields, type(form).initial_from(area, content.priority_of(key))))]
    action_fields = formset.form().fields
    for number, row in enumerate(forms.actions_initial(area), start=1):
        blocks.append((f"{_('Action')} {number}", [(k, v) for k, v in _lines(action_fields, row) if v]))
    return blocks


def _area_errors(form, formset, error: ValidationError) -> None:
    """The service names the area's fields as ``area.…`` and actions by index among the
    filled-in ones; map those back onto the formset's forms."""
    filled = [f for f in formset.forms if f.action() is not None]
    messages_ = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    for path, texts in messages_.items():
        parts = path.split(".")
        if parts and parts[0] == "area":
            parts = parts[1:]
        if len(parts) >= 3 and parts[0] == "actions" and parts[1].isdigit() and int(parts[1]) < len(filled):
            sub = filled[int(parts[1])]
            for text in texts:
                sub.add_error(parts[2] if parts[2] in sub.fields else None, text)
            continue
        field = parts[0] if parts and parts[0] in form.fields else ("stance" if parts[:1] == ["client_view"] else None)
        if parts[:2] == ["client_view", "note"]:
            field = "note"
        for text in texts:
            form.add_error(field, text)


@require_http_methods(["GET", "POST"])
def area_remove(request: HttpRequest, case_id: int, key: str) -> HttpResponse:
    case = case_get(user=request.user, case_id=case_id)
    view = _editable_view(request, case)
    if isinstance(view, HttpResponse):
        return view
    area = view.content.area(key)
    if area is None:
        raise Http404("No such area of effort")
    form = forms.AreaRemoveForm(request.POST or None, initial=_versioned_initial(view))
    if request.method == "POST" and form.is_valid():
        version, revision = _posted_version(form, view)
        try:
            services.plan_area_remove(
                actor=request.user, version=version, revision=revision, key=key,
                justification=form.cleaned_data["change_justification"],
                discussed_with_client=form.cleaned_data["discussed_with_client"], request=request,
            )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("The area of effort is removed from the plan."))
            return redirect(_plan_url(case, SECTION_BY_KEY["assessment"].html_id))
    if request.method == "GET":
        _audit_read(request, case, view, page="area_remove")
    return render(request, "plans/area_remove.html", _context(
        request, case, view, form=form, area=area, key=key,
        declined=view.content.participation.status == domain.Participation.DECLINED,
    ))


# -- finishing, approval, evaluation, status ------------------------------------------------------------


@require_POST
def version_finish(request: HttpRequest, case_id: int, number: int) -> HttpResponse:
    case = case_get(user=request.user, case_id=case_id)
    view = _view_or_404(case, number)
    try:
        services.plan_version_finish(actor=request.user, version=view.shown.version, request=request)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Version %(number)s is finished.") % {"number": number})
    return redirect(_plan_url(case))


@require_http_methods(["GET", "POST"])
def approval(request: HttpRequest, case_id: int, number: int) -> HttpResponse:
    """Ask for approval, or approve or send back (VEJ pkt. 20)."""
    case = case_get(user=request.user, case_id=case_id)
    if not services.may_write(request.user, case):
        raise PermissionDenied
    view = _view_or_404(case, number)
    version = view.shown.version
    deciding = services.may_decide_approval(request.user, version)
    form_class = forms.ApprovalDecisionForm if deciding else forms.ApprovalRequestForm
    form = form_class(request.POST or None, initial=_versioned_initial(view))
    if request.method == "POST" and form.is_valid():
        try:
            if deciding:
                approve = form.cleaned_data["decision"] == "approve"
                services.plan_approval_decide(
                    actor=request.user, version=version, approve=approve, comment=form.cleaned_data["comment"],
                    request=request,
                )
                messages.success(request, _("The plan is approved.") if approve else _("The plan is sent back with your comment."))
            else:
                services.plan_approval_request(
                    actor=request.user, version=version, comment=form.cleaned_data["comment"], request=request
                )
                messages.success(request, _("Approval is requested."))
        except ValidationError as error:
            forms.add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            return redirect(_plan_url(case, "godkendelse"))
    if request.method == "GET":
        _audit_read(request, case, view, page="approval")
    return render(request, "plans/approval.html", _context(request, case, view, form=form, deciding=deciding))


@require_http_methods(["GET", "POST"])
def evaluation(request: HttpRequest, case_id: int) -> HttpResponse:
    """An evaluation (opfølgning) with what VEJ pkt. 50 lists."""
    case = case_get(user=request.user, case_id=case_id)
    view = _editable_view(request, case)
    if isinstance(view, HttpResponse):
        return view
    form = forms.EvaluationForm(request.POST or None, initial=_versioned_initial(view))
    formset = forms.AgreementFormSet(request.POST or None, prefix="agreements")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        version, _revision = _posted_version(form, view)
        d = form.cleaned_data
        try:
            services.plan_evaluation_record(
                actor=request.user, version=version, held_on=d["held_on"], participants=d["participants"],
                description_update=d["description_update"], carried_out=d["carried_out"],
                not_carried_out=d["not_carried_out"], reasons=d["reasons"], prevention=d["prevention"],
                next_agreements=[f.cleaned_data for f in formset.forms if f.cleaned_data], request=request,
            )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("The evaluation is recorded."))
            return redirect(_plan_url(case, "opfoelgninger"))
    if request.method == "GET":
        _audit_read(request, case, view, page="evaluation")
    return render(request, "plans/evaluation.html", _context(request, case, view, form=form, formset=formset))


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest, case_id: int) -> HttpResponse:
    """The plan reviewed and up to date at transfer, release or the end of supervision."""
    case = case_get(user=request.user, case_id=case_id)
    view = _view_or_404(case)
    if view.shown.locked:
        messages.warning(request, _("Version %(number)s is locked. Start a new version to go on.") % {"number": view.shown.number})
        return redirect(_plan_url(case))
    open_transfer_status = _owes_transfer_status(request.user, case)
    if not (services.may_write(request.user, case) or open_transfer_status):
        raise PermissionDenied
    initial = _versioned_initial(view)
    if open_transfer_status:
        initial["kind"] = PlanStatus.Kind.AT_TRANSFER
    form = forms.StatusForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        version, _revision = _posted_version(form, view)
        try:
            services.plan_status_record(
                actor=request.user, version=version, kind=form.cleaned_data["kind"],
                stated_on=form.cleaned_data["stated_on"], note=form.cleaned_data["note"], request=request,
            )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("The status is recorded: the plan is up to date."))
            if not cases_visible_to(user=request.user).filter(pk=case.pk).exists():
                # The status at transfer was the previous holder's last part in the case.
                return redirect("cases:worklist")
            return redirect(_plan_url(case, "status"))
    if request.method == "GET":
        _audit_read(request, case, view, page="status")
    return render(request, "plans/status.html", _context(request, case, view, form=form))


# -- reading: comparison, parole recommendation, PDF ---------------------------------------------------


def _int_param(request: HttpRequest, name: str) -> int | None:
    try:
        return int(request.GET.get(name, ""))
    except ValueError:
        return None


@require_safe
def compare(request: HttpRequest, case_id: int) -> HttpResponse:
    """Any two versions side by side, with the changes marked."""
    case = case_get(user=request.user, case_id=case_id)
    view = _view_or_404(case)
    numbers = [v.number for v in view.versions]
    b = _int_param(request, "b") or numbers[-1]
    a = _int_param(request, "a") or (b - 1 if b > 1 else b)
    if a not in numbers or b not in numbers:
        raise Http404("No such version")
    if a > b:
        a, b = b, a
    va, vb = (next(v for v in view.versions if v.number == n) for n in (a, b))
    only_changes = request.GET.get("kun_aendringer") == "1"
    rows = presentation.comparison_rows(va.version.content_value(), vb.version.content_value(), only_changes=only_changes)
    services.plan_read_record(actor=request.user, case=case, what="compare", request=request, a=a, b=b)
    return render(request, "plans/compare.html", _context(
        request, case, view, a=va, b=vb, rows=rows, only_changes=only_changes,
        changed=sum(1 for r in rows if r.change.changed),
    ))


@require_safe
def parole_draft(request: HttpRequest, case_id: int) -> HttpResponse:
    """A draft parole recommendation filled in from the plan, so the two never contradict
    each other (VEJ pkt. 31). It is read from the plan, not written beside it."""
    case = case_get(user=request.user, case_id=case_id)
    view = _view_or_404(case)
    services.plan_read_record(actor=request.user, case=case, what="parole_draft", version=view.shown.version, request=request)
    return render(request, "plans/parole_draft.html", _context(request, case, view))


@require_safe
def version_pdf(request: HttpRequest, case_id: int, number: int) -> HttpResponse:
    """A PDF of any version: for the file, or — where the plan-responsible decides so (VEJ
    pkt. 7) — for the client (``?for=klient``)."""
    case = case_get(user=request.user, case_id=case_id)
    view = _view_or_404(case, number)
    for_client = request.GET.get("for") == "klient"
    if for_client and not (request.user.is_superuser or request.user.pk in (case.plan_responsible_id, case.substitute_id)):
        raise PermissionDenied(_("Only the plan-responsible decides whether the client gets a copy of the plan."))
    context = _context(request, case, view, for_client=for_client, editable=False)
    html = render_to_string("plans/pdf.html", context, request=request)
    pdf = render_pdf(html)
    services.plan_read_record(
        actor=request.user, case=case, what="pdf", version=view.shown.version, request=request, for_client=for_client
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    suffix = "-klient" if for_client else ""
    response["Content-Disposition"] = f'inline; filename="handleplan-{case.pk}-v{number}{suffix}.pdf"'
    return response
