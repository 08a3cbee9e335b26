"""The release pages: /sager/<case_id>/loesladelse/…

Every view first gets the case with ``case_get`` — a case the user may not see is 404,
whether or not it exists — and every read is audited (``koreplan.release.viewed``, and
``…invitation_downloaded`` for a calendar file). Writes go to the services; a user who can
see the case but may not make the change gets 403. Every form works as an ordinary page
without JavaScript (post/redirect/get); htmx only swaps the readiness list and the release
meeting's agreements in place — named partials of the page's own template.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from koreplan.cases.models import Case, Handover
from koreplan.cases.selectors import case_get
from koreplan.domain import release as domain
from koreplan.organisations.models import Organisation
from koreplan.release import forms, selectors, services
from koreplan.release.invitations import invitation_filename, meeting_invitation
from koreplan.release.models import Meeting, ReadinessItem, ReleaseOutcome
from koreplan.web import conflicts

KIND_SLUGS = {
    "loesladelsesmoede": Meeting.Kind.RELEASE_MEETING,
    "loesladelsesdagen": Meeting.Kind.RELEASE_DAY,
    "opfoelgende-moede": Meeting.Kind.FOLLOW_UP,
}
SLUG_OF_KIND = {kind: slug for slug, kind in KIND_SLUGS.items()}
MOMENT_SLUGS = {
    "ved-loesladelsen": ReleaseOutcome.Moment.AT_RELEASE,
    "efter-fire-uger": ReleaseOutcome.Moment.AFTER_FOUR_WEEKS,
}
SLUG_OF_MOMENT = {moment: slug for slug, moment in MOMENT_SLUGS.items()}
#: Where each kind of meeting is on the release page.
ANCHORS = {
    Meeting.Kind.RELEASE_MEETING: "loesladelsesmoede",
    Meeting.Kind.RELEASE_DAY: "loesladelsesdagen",
    Meeting.Kind.FOLLOW_UP: "opfoelgning",
}


def _da() -> bool:
    return (get_language() or "da").startswith("da")


def release_url(case: Case, anchor: str = "") -> str:
    url = reverse("release:release", args=[case.pk])
    return f"{url}#{anchor}" if anchor else url


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _timing_note(meeting: Meeting, case: Case) -> str:
    code = domain.timing_note(meeting.kind, timezone.localtime(meeting.starts_at).date(), case.expected_release_on)
    return domain.TIMING_NOTES[code][0 if _da() else 1] if code else ""


def _context(request: HttpRequest, case: Case, *, bound_readiness: forms.ReadinessItemForm | None = None,
             agreement_form: forms.AgreementForm | None = None, **extra: Any) -> dict[str, Any]:
    user = request.user
    overview = selectors.release_overview(case=case, language_da=_da())
    write_meetings = services.may_write_meetings(user, case)
    write_readiness = services.may_write_readiness(user, case)
    readiness = []
    for row in overview.readiness:
        form = None
        if write_readiness:
            form = bound_readiness if bound_readiness is not None and bound_readiness.row.item == row.item else (
                forms.ReadinessItemForm(case=case, row=row)
            )
        readiness.append({"row": row, "form": form})
    meeting = overview.release_meeting
    if agreement_form is None and meeting is not None and write_meetings and meeting.status != Meeting.Status.CANCELLED:
        agreement_form = forms.AgreementForm(meeting=meeting)
    meetings = [m for m in (overview.release_meeting, *overview.appointments, overview.follow_up) if m]
    handover = overview.kif_handover
    # The hand-over protocol's own form, offered here once KIF is involved and parole is expected.
    may_request_kif_handover = bool(
        write_meetings and case.kif_id and case.expected_parole_on
        and case.holding_organisation.kind != Organisation.Kind.KIF
        and not (handover and handover.status in (Handover.Status.REQUESTED, Handover.Status.ACCEPTED))
        and not case.handovers.filter(status=Handover.Status.REQUESTED).exists()
    )
    return {
        "case": case,
        "client": case.client,
        "overview": overview,
        "signal": overview.signal,
        "readiness": readiness,
        "agreement_form": agreement_form,
        "may_write_meetings": write_meetings,
        "may_write_readiness": write_readiness,
        "may_request_kif_handover": may_request_kif_handover,
        "timing_notes": {m.pk: _timing_note(m, case) for m in meetings},
        "kind_slugs": SLUG_OF_KIND,
        "moment_slugs": SLUG_OF_MOMENT,
        "moments": ReleaseOutcome.Moment,
        "today": overview.today,
        "status_message": "",
        "meeting_status_message": "",
        **extra,
    }


# -- the release page ------------------------------------------------------------------------------


@require_safe
def release_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_get(user=request.user, case_id=case_id)
    services.release_read_record(actor=request.user, case=case, request=request, page="release")
    return render(request, "release/release.html", _context(request, case))


@require_POST
def readiness_update(request: HttpRequest, case_id: int, item: str) -> HttpResponse:
    """Set one item of the list. htmx gets the list and the signal back; a form post a redirect."""
    case = case_get(user=request.user, case_id=case_id)
    _require(services.may_write_readiness(request.user, case))
    if item not in ReadinessItem.Item.values:
        raise Http404("No such item")
    row = next(r for r in selectors.readiness_rows(case=case, language_da=_da()) if r.item == item)
    form = forms.ReadinessItemForm(request.POST, case=case, row=row)
    saved = False
    if form.is_valid():
        try:
            services.readiness_item_set(actor=request.user, case=case, item=item, request=request, **form.service_arguments())
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            saved = True
    label = ReadinessItem.Item(item).label
    if request.htmx:
        context = _context(request, case, bound_readiness=None if saved else form)
        context["status_message"] = (
            _("“%(item)s” is saved.") % {"item": label} if saved
            else _("“%(item)s” was not saved: see the error in the form.") % {"item": label}
        )
        context["oob"] = True
        html = render_to_string("release/release.html#readiness", context, request=request)
        html += render_to_string("release/release.html#signal", context, request=request)
        return HttpResponse(html)
    if saved:
        messages.success(request, _("“%(item)s” is saved.") % {"item": label})
        return redirect(release_url(case, f"parathed-{item}"))
    services.release_read_record(actor=request.user, case=case, request=request, page="release")
    return render(request, "release/release.html", _context(request, case, bound_readiness=form, error_form=form))


# -- meetings -----------------------------------------------------------------------------------------


def _meeting_page(request, case, *, kind, form, formset, meeting=None, conflict=None) -> HttpResponse:
    return render(
        request,
        "release/meeting_form.html",
        {
            "case": case, "client": case.client, "kind": kind, "kind_label": Meeting.Kind(kind).label,
            "form": form, "formset": formset, "meeting": meeting, "error_form": form if form.errors else None,
            # A participant's error (an e-mail address, say) is summed up at the top as well.
            "error_formset": formset if formset.is_bound and formset.total_error_count() else None,
            "anchor": ANCHORS[kind], "conflict": conflict,
        },
        status=conflicts.status(request, conflict),
    )


def _fresh(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_related("updated_by", "department", "plan_holder_after").get(pk=meeting.pk)


def _participant_lines(case: Case, people) -> list[tuple[str, str]]:
    """A line a participant, "name – party": role, department, e-mail and phone — saved ones
    or a form's, so that the two lists can be compared line by line."""
    fields = forms.ParticipantForm(departments=forms.ParticipantFormSet(case=case).departments).fields
    details = ("role", "department", "email", "phone")
    return [
        (f"{p['name']} – {conflicts.shown_value(fields['party'], p['party'])}",
         ", ".join(v for _label, v in conflicts.lines(fields, {k: p.get(k) for k in details}) if v))
        for p in people if (p.get("name") or "").strip()
    ]


def _meeting_lines(case: Case, form, values, people) -> conflicts.Saved:
    return [(_("When and where"), conflicts.lines(form.fields, values)), (_("Participants"), _participant_lines(case, people))]


def _posted_meeting(case: Case, form, formset) -> conflicts.Saved:
    """What this person wrote in the meeting's form, valid or not."""
    return _meeting_lines(case, form, conflicts.posted(form), [conflicts.posted(row) for row in formset.forms])


def _meeting_conflict(request, form, formset, case: Case, meeting: Meeting) -> tuple[forms.MeetingEditForm, conflicts.Conflict]:
    """The meeting as saved now — when, where and who takes part — and who changed it last."""
    fresh = _fresh(meeting)
    saved = _meeting_lines(case, form, forms.MeetingEditForm.initial_for(fresh), [
        {"party": p.party, "name": p.name, "role": p.role, "department": p.department, "email": p.email, "phone": p.phone}
        for p in fresh.participants.all()
    ])
    mine = _posted_meeting(case, form, formset)
    rebound = conflicts.rebound(
        request, form, fresh.revision, make=lambda data: forms.MeetingEditForm(data, case=case, kind=meeting.kind)
    )
    return rebound, conflicts.Conflict(by=fresh.updated_by, at=fresh.updated_at, saved=saved, mine=mine)


def _meeting_closed(request, case: Case, meeting: Meeting, *, mine: conflicts.Saved) -> HttpResponse:
    """The meeting was held or cancelled by someone else while this person was editing it:
    nothing more can be saved to it, so the page says who closed it and when, and shows what
    this person wrote, read-only, to be copied elsewhere — rather than a redirect that loses it.

    Where this person was recording the meeting as held too, the two records are compared
    line by line (the block headed "Recorded as held" on both sides)."""
    fresh = _fresh(meeting)
    # It shows the meeting as recorded, where the redirect it replaces led to an audited page.
    services.release_read_record(actor=request.user, case=case, request=request, page="meeting_closed")
    saved = _meeting_now(fresh)
    if fresh.status == Meeting.Status.HELD:
        values = {
            "held_on": fresh.held_on, "attended": [str(p.pk) for p in fresh.participants.all() if p.attended],
            "plan_holder_after": fresh.plan_holder_after, "plan_holder_after_name": fresh.plan_holder_after_name,
            "municipal_follow_up": fresh.municipal_follow_up, "follow_up_called_by": fresh.follow_up_called_by,
            "follow_up_called_by_name": fresh.follow_up_called_by_name, "minutes": fresh.minutes,
        }
        saved.append((_("Recorded as held"), conflicts.lines(forms.MeetingHeldForm(meeting=fresh).fields, values)))
    compared = [block for block in mine if block[0] == _("Recorded as held") and fresh.status == Meeting.Status.HELD]
    conflict = conflicts.Conflict(by=fresh.updated_by, at=fresh.updated_at, saved=saved, mine=compared or None)
    return render(
        request, "release/meeting_closed.html",
        {"case": case, "client": case.client, "meeting": fresh, "anchor": ANCHORS[meeting.kind],
         "conflict": conflict, "mine": mine},
        status=conflicts.status(request, conflict),
    )


@require_http_methods(["GET", "HEAD", "POST"])
def meeting_new(request: HttpRequest, case_id: int, kind: str) -> HttpResponse:
    case = case_get(user=request.user, case_id=case_id)
    kind = KIND_SLUGS.get(kind)
    if kind is None:
        raise Http404("No such kind of meeting")
    _require(services.may_write_meetings(request.user, case))
    if request.method == "POST":
        form = forms.MeetingEditForm(request.POST, case=case, kind=kind)
        formset = forms.ParticipantFormSet(request.POST, case=case, prefix="deltager")
        if form.is_valid() and formset.is_valid():
            try:
                meeting = services.meeting_create(
                    actor=request.user, case=case, kind=kind, participants=formset.participants(), request=request,
                    **form.values(),
                )
            except ValidationError as error:
                forms.add_service_errors(form, error, formset=formset, aliases={"starts_at": "starts", "ends_at": "ends"})
            else:
                if meeting.task_id:
                    messages.success(request, _("%(kind)s is recorded, and the task on the Køreplan is done.")
                                     % {"kind": meeting.get_kind_display()})
                else:
                    messages.success(request, _("%(kind)s is planned. Send the invitation (.ics) to the participants.")
                                     % {"kind": meeting.get_kind_display()})
                return redirect(release_url(case, ANCHORS[kind]))
    else:
        services.release_read_record(actor=request.user, case=case, request=request, page="meeting_new")
        form = forms.MeetingEditForm(initial=forms.MeetingEditForm.initial_new(case, kind), case=case, kind=kind)
        formset = forms.ParticipantFormSet(
            initial=selectors.default_participants(case=case, kind=kind, actor=request.user), case=case, prefix="deltager"
        )
    return _meeting_page(request, case, kind=kind, form=form, formset=formset)


@require_http_methods(["GET", "HEAD", "POST"])
def meeting_edit(request: HttpRequest, case_id: int, meeting_id: int) -> HttpResponse:
    case = case_get(user=request.user, case_id=case_id)
    meeting = selectors.meeting_get(case=case, meeting_id=meeting_id)
    _require(services.may_write_meetings(request.user, case))
    if meeting.status != Meeting.Status.PLANNED and request.method != "POST":
        messages.info(request, _("Only a planned meeting can be changed."))
        return redirect(release_url(case, ANCHORS[meeting.kind]))
    conflict = None
    if request.method == "POST":
        form = forms.MeetingEditForm(request.POST, case=case, kind=meeting.kind)
        formset = forms.ParticipantFormSet(request.POST, case=case, prefix="deltager")
        if meeting.status != Meeting.Status.PLANNED:
            # Held or cancelled since this person opened the form: keep what they wrote in view.
            return _meeting_closed(request, case, meeting, mine=_posted_meeting(case, form, formset))
        if form.is_valid() and formset.is_valid():
            try:
                services.meeting_update(
                    actor=request.user, meeting=meeting, revision=form.cleaned_data.get("revision") or meeting.revision,
                    changes=form.values(), participants=formset.participants(), request=request,
                )
            except services.StaleRevision:
                if _fresh(meeting).status != Meeting.Status.PLANNED:
                    return _meeting_closed(request, case, meeting, mine=_posted_meeting(case, form, formset))
                form, conflict = _meeting_conflict(request, form, formset, case, meeting)
            except ValidationError as error:
                forms.add_service_errors(form, error, formset=formset, aliases={"starts_at": "starts", "ends_at": "ends"})
            else:
                messages.success(
                    request, _("The meeting is changed. Send the new invitation (.ics): calendars update the old one.")
                )
                return redirect(release_url(case, ANCHORS[meeting.kind]))
    else:
        services.release_read_record(actor=request.user, case=case, request=request, page="meeting_edit")
        form = forms.MeetingEditForm(initial=forms.MeetingEditForm.initial_for(meeting), case=case, kind=meeting.kind)
        formset = forms.ParticipantFormSet(initial=forms.participant_initial(meeting), case=case, prefix="deltager")
    return _meeting_page(request, case, kind=meeting.kind, form=form, formset=formset, meeting=meeting, conflict=conflict)


@require_http_methods(["GET", "HEAD", "POST"])
def meeting_held(request: HttpRequest, case_id: int, meeting_id: int) -> HttpResponse:
    """Record that the meeting was held — and, for the release meeting, what was agreed."""
    case = case_get(user=request.user, case_id=case_id)
    meeting = selectors.meeting_get(case=case, meeting_id=meeting_id)
    _require(services.may_write_meetings(request.user, case))
    conflict = None
    if request.method == "POST":
        form = forms.MeetingHeldForm(request.POST, meeting=meeting)
        if meeting.status != Meeting.Status.PLANNED:
            return _held_closed(request, case, meeting, form)
        if form.is_valid():
            try:
                services.meeting_hold(
                    actor=request.user, meeting=meeting, revision=form.cleaned_data.get("revision"), request=request,
                    **form.service_arguments(),
                )
            except services.StaleRevision:
                if _fresh(meeting).status != Meeting.Status.PLANNED:
                    return _held_closed(request, case, meeting, form)
                form, conflict, meeting = _held_conflict(request, form, meeting)
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, _("%(kind)s is recorded as held.") % {"kind": meeting.get_kind_display()})
                return redirect(release_url(case, ANCHORS[meeting.kind]))
    else:
        services.release_read_record(actor=request.user, case=case, request=request, page="meeting_held")
        form = forms.MeetingHeldForm(
            initial={
                "revision": meeting.revision, "held_on": min(timezone.localtime(meeting.starts_at).date(), timezone.localdate()),
                "attended": [str(p.pk) for p in meeting.participants.all()],
            },
            meeting=meeting,
        )
    return render(
        request, "release/meeting_held.html",
        {"case": case, "client": case.client, "meeting": meeting, "form": form,
         "error_form": form if form.errors else None, "anchor": ANCHORS[meeting.kind], "conflict": conflict},
        status=conflicts.status(request, conflict),
    )


def _meeting_now(fresh: Meeting, *, participants: bool = True) -> conflicts.Saved:
    """A meeting as it is now, for the conflict page: its status, when and where, and who takes part."""
    when = timezone.localtime(fresh.starts_at)
    now = [
        (_("Status"), fresh.get_status_display()),
        (_("When and where"), ", ".join(filter(None, [
            formats.date_format(when, "SHORT_DATETIME_FORMAT"), fresh.get_form_display(), fresh.location,
        ]))),
    ]
    if fresh.status == Meeting.Status.CANCELLED:
        now.append((_("Why is the meeting cancelled?"), fresh.cancelled_reason))
    saved = [("", now)]
    if participants:
        saved.append((_("Participants"), [(p.get_party_display(), p.name) for p in fresh.participants.all()]))
    return saved


def _held_conflict(request, form, meeting: Meeting) -> tuple[forms.MeetingHeldForm, conflicts.Conflict, Meeting]:
    """Someone changed the planned meeting (moved it, its participants) while this person
    recorded it as held: the meeting as it is now beside what this person wrote."""
    fresh = _fresh(meeting)
    rebound = conflicts.rebound(request, form, fresh.revision, make=lambda data: forms.MeetingHeldForm(data, meeting=fresh))
    return rebound, conflicts.Conflict(by=fresh.updated_by, at=fresh.updated_at, saved=_meeting_now(fresh)), fresh


def _held_closed(request, case: Case, meeting: Meeting, form: forms.MeetingHeldForm) -> HttpResponse:
    """Someone else recorded the meeting as held, or cancelled it, while this person was
    recording it: what they recorded beside what this person wrote, line by line."""
    mine = [(_("Recorded as held"), conflicts.lines(form.fields, conflicts.posted(form)))]
    return _meeting_closed(request, case, meeting, mine=mine)


def _cancel_posted(form: forms.MeetingCancelForm) -> conflicts.Saved:
    return [(_("Cancel the meeting"), conflicts.lines(form.fields, conflicts.posted(form)))]


@require_POST
def meeting_cancel(request: HttpRequest, case_id: int, meeting_id: int) -> HttpResponse:
    case = case_get(user=request.user, case_id=case_id)
    meeting = selectors.meeting_get(case=case, meeting_id=meeting_id)
    _require(services.may_write_meetings(request.user, case))
    form = forms.MeetingCancelForm(request.POST)
    if meeting.status != Meeting.Status.PLANNED:
        return _meeting_closed(request, case, meeting, mine=_cancel_posted(form))
    if form.is_valid():
        try:
            services.meeting_cancel(
                actor=request.user, meeting=meeting, reason=form.cleaned_data["cancelled_reason"],
                revision=form.cleaned_data.get("revision"), request=request,
            )
        except services.StaleRevision:
            # Someone changed the meeting in between: show it as it is now, and keep the reason written.
            fresh = _fresh(meeting)
            if fresh.status != Meeting.Status.PLANNED:
                return _meeting_closed(request, case, meeting, mine=_cancel_posted(form))
            conflict = conflicts.Conflict(by=fresh.updated_by, at=fresh.updated_at, saved=_meeting_now(fresh))
            return render(
                request, "release/meeting_cancel.html",
                {"case": case, "client": case.client, "meeting": fresh, "anchor": ANCHORS[meeting.kind],
                 "form": conflicts.rebound(request, form, fresh.revision), "conflict": conflict},
                status=conflicts.status(request, conflict),
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("The meeting is cancelled. Send the cancellation (.ics) so that it leaves the calendars.")
            )
    else:
        messages.error(request, _("Say why the meeting is cancelled."))
    return redirect(release_url(case, ANCHORS[meeting.kind]))


@require_safe
def meeting_ics(request: HttpRequest, case_id: int, meeting_id: int) -> HttpResponse:
    """The invitation as an iCalendar file (or its cancellation)."""
    case = case_get(user=request.user, case_id=case_id)
    meeting = selectors.meeting_get(case=case, meeting_id=meeting_id)
    services.invitation_made_record(actor=request.user, meeting=meeting, request=request)
    url = request.build_absolute_uri(release_url(case, ANCHORS[meeting.kind]))
    body = meeting_invitation(meeting, organizer=request.user, url=url)
    method = "CANCEL" if meeting.status == Meeting.Status.CANCELLED else "REQUEST"
    response = HttpResponse(body.encode("utf-8"), content_type=f"text/calendar; charset=utf-8; method={method}")
    response["Content-Disposition"] = f'attachment; filename="{invitation_filename(meeting)}"'
    response["Cache-Control"] = "no-store"
    return response


# -- the release meeting's agenda and agreements --------------------------------------------------------


def _release_meeting_response(request: HttpRequest, case: Case, *, agreement_form=None, status_message="") -> HttpResponse:
    context = _context(request, case, agreement_form=agreement_form)
    context["meeting_status_message"] = status_message
    return render(request, "release/release.html#release_meeting", context)


@require_POST
def agreement_add(request: HttpRequest, case_id: int, meeting_id: int) -> HttpResponse:
    case = case_get(user=request.user, case_id=case_id)
    meeting = selectors.meeting_get(case=case, meeting_id=meeting_id)
    _require(services.may_write_meetings(request.user, case))
    form = forms.AgreementForm(request.POST, meeting=meeting)
    if form.is_valid():
        item = selectors.agenda_item_get(meeting=meeting, item_id=form.cleaned_data["item"].pk)
        try:
            services.agreement_add(
                actor=request.user, item=item, who=form.cleaned_data["who"], what=form.cleaned_data["what"],
                when=form.cleaned_data["when"], request=request,
            )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            message = _("The agreement is added under “%(item)s”.") % {"item": item}
            if request.htmx:
                return _release_meeting_response(request, case, status_message=message)
            messages.success(request, message)
            return redirect(release_url(case, "aftaler"))
    if request.htmx:
        return _release_meeting_response(
            request, case, agreement_form=form, status_message=_("The agreement was not added: see the error in the form.")
        )
    services.release_read_record(actor=request.user, case=case, request=request, page="release")
    return render(request, "release/release.html", _context(request, case, agreement_form=form, error_form=form))


@require_POST
def agreement_remove(request: HttpRequest, case_id: int, meeting_id: int, agreement_id: int) -> HttpResponse:
    case = case_get(user=request.user, case_id=case_id)
    meeting = selectors.meeting_get(case=case, meeting_id=meeting_id)
    agreement = selectors.agreement_get(meeting=meeting, agreement_id=agreement_id)
    _require(services.may_write_meetings(request.user, case))
    services.agreement_remove(actor=request.user, agreement=agreement, request=request)
    message = _("The agreement is removed.")
    if request.htmx:
        return _release_meeting_response(request, case, status_message=message)
    messages.success(request, message)
    return redirect(release_url(case, "aftaler"))


@require_POST
def agenda_update(request: HttpRequest, case_id: int, meeting_id: int) -> HttpResponse:
    case = case_get(user=request.user, case_id=case_id)
    meeting = selectors.meeting_get(case=case, meeting_id=meeting_id)
    _require(services.may_write_meetings(request.user, case))
    try:
        added = services.agenda_update_from_plan(actor=request.user, meeting=meeting, request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if added:
            messages.success(request, _("%(count)s areas of effort from the plan are added to the agenda.") % {"count": len(added)})
        else:
            messages.info(request, _("The agenda already has every area of effort in the plan."))
    return redirect(release_url(case, "loesladelsesmoede"))


# -- the outcome and KIF ----------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def outcome(request: HttpRequest, case_id: int, moment: str) -> HttpResponse:
    case = case_get(user=request.user, case_id=case_id)
    moment = MOMENT_SLUGS.get(moment)
    if moment is None:
        raise Http404("No such moment")
    _require(services.may_write_readiness(request.user, case))
    existing = case.release_outcomes.filter(moment=moment).first()
    if request.method == "POST":
        form = forms.OutcomeForm(request.POST)
        if form.is_valid():
            try:
                recorded = services.outcome_record(
                    actor=request.user, case=case, moment=moment, request=request, **form.service_arguments()
                )
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                if recorded.released_to_street:
                    messages.warning(request, _("The outcome is recorded: released to the street (no housing or no income)."))
                else:
                    messages.success(request, _("The outcome is recorded."))
                return redirect(release_url(case, "udfald"))
    else:
        services.release_read_record(actor=request.user, case=case, request=request, page="outcome")
        form = forms.OutcomeForm(initial=forms.OutcomeForm.initial_for(existing, case, moment))
    return render(
        request, "release/outcome_form.html",
        {"case": case, "client": case.client, "form": form, "moment_label": ReleaseOutcome.Moment(moment).label,
         "existing": existing, "error_form": form if form.errors else None},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def kif_involve(request: HttpRequest, case_id: int) -> HttpResponse:
    """Involve KIF eight weeks before parole (GL Bilag 1 step 9)."""
    case = case_get(user=request.user, case_id=case_id)
    _require(services.may_write_meetings(request.user, case))
    if request.method == "POST":
        form = forms.KifInvolveForm(request.POST, case=case)
        if form.is_valid():
            try:
                services.kif_involve(actor=request.user, case=case, request=request, **form.cleaned_data)
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(kif)s is involved and can now see the case. Responsibility passes to KIF at parole "
                      "through a hand-over.") % {"kif": form.cleaned_data["kif"]},
                )
                return redirect(release_url(case, "kif"))
    else:
        services.release_read_record(actor=request.user, case=case, request=request, page="kif_involve")
        form = forms.KifInvolveForm(case=case)
    return render(
        request, "release/kif_form.html",
        {"case": case, "client": case.client, "form": form, "error_form": form if form.errors else None},
    )
