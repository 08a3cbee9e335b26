"""/cases/{case_id}/release…: the release over the JSON API.

A django-ninja router (``build_router()``), to be mounted by the API app
(``api.add_router("/", build_router())``). It handles its own errors, so it behaves the
same on any NinjaAPI:

- access is the web application's: ``case_get`` (404 for a case the caller may not see,
  whether or not it exists; a meeting or agreement of another case is 404 too); meetings
  and KIF's involvement are written by the holding organisation, the readiness list and
  the outcome also by KIF once involved (403 otherwise);
- a rule broken is 422 ``{"detail": [{"loc": ["body", …], "msg", "type"}]}``;
- 409 when a meeting changed since the ``revision`` the change was made from;
- every read and write is audited (``koreplan.release.viewed`` with ``page: "api:…"``,
  ``koreplan.release.…``), and so is each calendar file fetched.

The readiness signal is the pure domain's (``koreplan.domain.release.readiness_signal``):
``level`` is one of released_to_street, at_risk, missing, ready, released, not_yet,
no_date, with the words in Danish and English.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Path, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from koreplan.api.errors import stale_conflict
from koreplan.api.schemas import ConflictOut, schema_enum
from koreplan.accounts.models import User
from koreplan.cases.selectors import case_get
from koreplan.domain import release as domain
from koreplan.organisations.models import MunicipalDepartment, Organisation
from koreplan.release import selectors, services
from koreplan.release.invitations import invitation_filename, meeting_invitation
from koreplan.release.models import (
    KifInvolvement,
    Meeting,
    MeetingForm,
    Party,
    ReadinessItem,
    ReleaseOutcome,
)

Id = int

# -- schemas ---------------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str


ReadinessStatus = schema_enum(ReadinessItem.Status, "ReadinessStatus")
MeetingKind = schema_enum(Meeting.Kind, "MeetingKind")
MeetingStatus = schema_enum(Meeting.Status, "MeetingStatus")


class FieldErrorOut(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]


class NamedOut(Schema):
    id: int
    name: str


class SignalOut(Schema):
    level: domain.Level
    text_da: str
    text_en: str
    missing: list[domain.ReadinessItem]
    days_to_release: int | None


class ReadinessItemOut(Schema):
    item: ReadinessItem.Item
    status: ReadinessStatus
    responsible_organisation: NamedOut | None
    department: NamedOut | None
    checks: dict[str, bool]
    note: str
    recorded: bool = Field(description="False for an item nobody has set yet: its organisation is a suggestion.")


class ReadinessOut(Schema):
    signal: SignalOut
    items: list[ReadinessItemOut]


class ReadinessItemIn(Schema):
    status: ReadinessStatus
    responsible_organisation_id: int | None = None
    department_id: int | None = None
    checks: dict[str, bool] = Field(default_factory=dict, description="E.g. {\"availability_assessment\": true}.")
    note: str = ""


class ParticipantIn(Schema):
    party: Party
    name: str
    role: str = ""
    email: str = ""
    phone: str = ""
    department_id: int | None = None


class ParticipantOut(Schema):
    id: int
    party: Party
    name: str
    role: str
    email: str
    phone: str
    organisation: NamedOut | None
    department: NamedOut | None
    attended: bool | None


class AgreementOut(Schema):
    id: int
    who: str
    what: str
    when: str


class AgendaItemOut(Schema):
    id: int
    life_area: str
    title: str
    goal: str
    plan_area_key: str
    agreements: list[AgreementOut]


class MeetingOut(Schema):
    id: int
    kind: MeetingKind
    status: MeetingStatus
    starts_at: datetime
    ends_at: datetime
    form: MeetingForm
    location: str
    municipality: NamedOut | None
    department: NamedOut | None
    purpose: str
    purpose_note: str
    participants: list[ParticipantOut]
    agenda: list[AgendaItemOut]
    held_on: date | None
    plan_holder_after: NamedOut | None
    plan_holder_after_name: str
    municipal_follow_up: str
    follow_up_called_by: str
    follow_up_called_by_name: str
    minutes: str
    cancelled_reason: str
    task_completed: str | None
    revision: int = Field(description="Send it back with a change; a stale revision is 409.")
    timing_note: str | None = Field(None, description="Where GL would not put the meeting: after_release, not_release_day …")


class MeetingIn(Schema):
    kind: MeetingKind
    starts_at: datetime
    ends_at: datetime
    form: MeetingForm = MeetingForm.IN_PERSON
    location: str = ""
    participants: list[ParticipantIn] = Field(default_factory=list)
    department_id: int | None = Field(None, description="Appointments on release day: the municipal department.")
    purpose: str = Field("", description="Appointments on release day: advance_payment, addiction_centre, jobcentre …")
    purpose_note: str = ""


class MeetingChangeIn(Schema):
    revision: int
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    form: MeetingForm | None = None
    location: str | None = None
    participants: list[ParticipantIn] | None = Field(None, description="When given, replaces the participants.")
    department_id: int | None = None
    purpose: str | None = None
    purpose_note: str | None = None


class MeetingHeldIn(Schema):
    revision: int | None = None
    held_on: date
    attended_ids: list[int] | None = Field(None, description="The participants who took part.")
    plan_holder_after_id: int | None = None
    plan_holder_after_name: str = ""
    municipal_follow_up: str = ""
    follow_up_called_by: str = ""
    follow_up_called_by_name: str = ""
    minutes: str = ""


class MeetingCancelIn(Schema):
    revision: int | None = None
    reason: str


class AgreementIn(Schema):
    agenda_item_id: int
    who: str
    what: str
    when: str = ""


class OutcomeIn(Schema):
    recorded_on: date
    housing: ReleaseOutcome.Housing
    income_from_day_one: bool
    employment_or_education: bool
    treatment: ReleaseOutcome.Treatment
    note: str = ""


class OutcomeOut(Schema):
    moment: ReleaseOutcome.Moment
    recorded_on: date
    housing: ReleaseOutcome.Housing
    income_from_day_one: bool
    employment_or_education: bool
    treatment: ReleaseOutcome.Treatment
    released_to_street: bool
    note: str


class KifInvolveIn(Schema):
    kif_id: int
    officer_id: int | None = None
    involved_on: date | None = None
    note: str = ""


class KifInvolvementOut(Schema):
    kif: NamedOut
    officer: NamedOut | None
    involved_on: date
    note: str
    task_completed: str | None


class ReleaseOut(Schema):
    case_id: int
    expected_release_on: date | None
    readiness: ReadinessOut
    meetings: list[MeetingOut]
    outcomes: list[OutcomeOut]
    kif_involvement: KifInvolvementOut | None


# -- helpers -------------------------------------------------------------------------------------------


def _loc(path: str) -> list[str | int]:
    if not path or path == NON_FIELD_ERRORS:
        return ["body"]
    return ["body", *(int(p) if p.isdigit() else p for p in path.split("."))]


@contextmanager
def _service_errors(locations: dict[str, str] | None = None, meeting: Meeting | None = None) -> Iterator[None]:
    """A service's refusal as HTTP: 409 for a stale revision (naming what ``meeting`` is now), 403, or 422."""
    locations = locations or {}
    try:
        yield
    except services.StaleRevision as error:
        if meeting is None:
            raise HttpError(409, error.messages[0]) from error
        fresh = Meeting.objects.select_related("updated_by").get(pk=meeting.pk)
        raise stale_conflict(error, revision=fresh.revision, by=fresh.updated_by, at=fresh.updated_at) from error
    except PermissionDenied as error:
        raise HttpError(403, str(error) or "Forbidden") from error
    except DjangoValidationError as error:
        if not hasattr(error, "error_dict"):
            raise NinjaValidationError([{"loc": ["body"], "msg": m, "type": "value_error"} for m in error.messages]) from error
        raise NinjaValidationError([
            {"loc": _loc(locations.get(field, field)), "msg": message, "type": "value_error"}
            for field, messages in error.message_dict.items()
            for message in messages
        ]) from error


def _invalid(field: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ["body", field], "msg": message, "type": "value_error"}])


def _named(obj) -> dict | None:
    if obj is None:
        return None
    return {"id": obj.pk, "name": getattr(obj, "name", None) or str(obj)}


def _signal(signal: domain.Signal) -> dict[str, Any]:
    return {
        "level": signal.level, "text_da": signal.text_da, "text_en": signal.text_en, "missing": list(signal.missing),
        "days_to_release": signal.days_to_release,
    }


def _readiness(case) -> dict[str, Any]:
    rows = selectors.readiness_rows(case=case)
    statuses = {domain.ReadinessItem(r.item): domain.ReadinessStatus(r.status) for r in rows}
    at_release = case.release_outcomes.filter(moment=ReleaseOutcome.Moment.AT_RELEASE).first()
    signal = domain.readiness_signal(
        statuses, selectors.days_to_release(case), released_to_street=at_release.released_to_street if at_release else None
    )
    return {
        "signal": _signal(signal),
        "items": [
            {
                "item": r.item, "status": r.status, "responsible_organisation": _named(r.responsible_organisation),
                "department": _named(r.department), "checks": {name: done for name, _label, done in r.checks},
                "note": r.note, "recorded": r.row is not None,
            }
            for r in rows
        ],
    }


def _meeting(meeting: Meeting) -> dict[str, Any]:
    case = meeting.case
    return {
        "id": meeting.pk, "kind": meeting.kind, "status": meeting.status, "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at, "form": meeting.form, "location": meeting.location,
        "municipality": _named(meeting.municipality), "department": _named(meeting.department),
        "purpose": meeting.purpose, "purpose_note": meeting.purpose_note,
        "participants": [
            {
                "id": p.pk, "party": p.party, "name": p.name, "role": p.role, "email": p.email, "phone": p.phone,
                "organisation": _named(p.organisation), "department": _named(p.department), "attended": p.attended,
            }
            for p in meeting.participants.all()
        ],
        "agenda": [
            {
                "id": i.pk, "life_area": i.life_area, "title": i.title, "goal": i.goal, "plan_area_key": i.plan_area_key,
                "agreements": [{"id": a.pk, "who": a.who, "what": a.what, "when": a.when} for a in i.agreements.all()],
            }
            for i in meeting.agenda_items.all()
        ],
        "held_on": meeting.held_on, "plan_holder_after": _named(meeting.plan_holder_after),
        "plan_holder_after_name": meeting.plan_holder_after_name, "municipal_follow_up": meeting.municipal_follow_up,
        "follow_up_called_by": meeting.follow_up_called_by, "follow_up_called_by_name": meeting.follow_up_called_by_name,
        "minutes": meeting.minutes, "cancelled_reason": meeting.cancelled_reason,
        "task_completed": meeting.task.obligation_id if meeting.task_id else None, "revision": meeting.revision,
        "timing_note": domain.timing_note(
            meeting.kind, timezone.localtime(meeting.starts_at).date(), case.expected_release_on
        ),
    }


def _outcome(o: ReleaseOutcome) -> dict[str, Any]:
    return {
        "moment": o.moment, "recorded_on": o.recorded_on, "housing": o.housing,
        "income_from_day_one": o.income_from_day_one, "employment_or_education": o.employment_or_education,
        "treatment": o.treatment, "released_to_street": o.released_to_street, "note": o.note,
    }


def _involvement(i: KifInvolvement | None) -> dict[str, Any] | None:
    if i is None:
        return None
    return {
        "kif": _named(i.kif), "officer": _named(i.officer), "involved_on": i.involved_on, "note": i.note,
        "task_completed": i.task.obligation_id if i.task_id else None,
    }


def _audit_read(request: HttpRequest, case, endpoint: str) -> None:
    services.release_read_record(actor=request.user, case=case, request=request, page=f"api:{endpoint}")


def _organisation(pk: int | None, field: str) -> Organisation | None:
    if pk is None:
        return None
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None:
        raise _invalid(field, "No such organisation.")
    return organisation


def _department(pk: int | None, field: str) -> MunicipalDepartment | None:
    if pk is None:
        return None
    department = MunicipalDepartment.objects.select_related("municipality").filter(pk=pk).first()
    if department is None:
        raise _invalid(field, "No such department.")
    return department


def _participants(items: list[ParticipantIn] | None) -> list[services.ParticipantData] | None:
    if items is None:
        return None
    return [
        services.ParticipantData(
            party=p.party, name=p.name, role=p.role, email=p.email, phone=p.phone,
            department=_department(p.department_id, f"participants.{i}.department_id"),
        )
        for i, p in enumerate(items)
    ]


READ_ERRORS = {401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut, 409: ConflictOut, 422: ValidationErrorOut}
_RELEASE = "/cases/{case_id}/release"
_MEETING = _RELEASE + "/meetings/{meeting_id}"


# -- the router ---------------------------------------------------------------------------------------------


def build_router() -> Router:
    """A fresh router with the release's endpoints (a router can be mounted on one API only;
    tests mount their own)."""
    router = Router(tags=["release"])

    @router.get(_RELEASE, response={200: ReleaseOut, **READ_ERRORS}, summary="The release of a case: readiness, meetings, outcome, KIF")
    def release_detail(request: HttpRequest, case_id: Path[Id]):
        case = case_get(user=request.user, case_id=case_id)
        _audit_read(request, case, "release_detail")
        overview = selectors.release_overview(case=case)
        meetings = [m for m in (overview.release_meeting, *overview.appointments, overview.follow_up) if m]
        return {
            "case_id": case.pk, "expected_release_on": case.expected_release_on, "readiness": _readiness(case),
            "meetings": [_meeting(m) for m in meetings + overview.cancelled],
            "outcomes": [_outcome(o) for o in overview.outcomes.values()],
            "kif_involvement": _involvement(overview.kif_involvement),
        }

    # -- readiness --

    @router.get(_RELEASE + "/readiness", response={200: ReadinessOut, **READ_ERRORS}, summary="The readiness list and its signal")
    def readiness_detail(request: HttpRequest, case_id: Path[Id]):
        case = case_get(user=request.user, case_id=case_id)
        _audit_read(request, case, "readiness_detail")
        return _readiness(case)

    @router.put(
        _RELEASE + "/readiness/{item}", response={200: ReadinessOut, **WRITE_ERRORS},
        summary="Set one item of the readiness list",
        description="`item` is housing, income, employment_education, treatment, health, id_bank_digital or network.",
    )
    def readiness_update(request: HttpRequest, case_id: Path[Id], item: Path[ReadinessItem.Item], payload: ReadinessItemIn):
        case = case_get(user=request.user, case_id=case_id)
        with _service_errors({"responsible_organisation": "responsible_organisation_id", "department": "department_id"}):
            services.readiness_item_set(
                actor=request.user, case=case, item=item, status=payload.status,
                responsible_organisation=_organisation(payload.responsible_organisation_id, "responsible_organisation_id"),
                department=_department(payload.department_id, "department_id"), checks=payload.checks, note=payload.note,
                request=request,
            )
        return _readiness(case)

    # -- meetings --

    @router.get(_RELEASE + "/meetings", response={200: list[MeetingOut], **READ_ERRORS}, summary="The case's meetings")
    def meeting_list(request: HttpRequest, case_id: Path[Id]):
        case = case_get(user=request.user, case_id=case_id)
        _audit_read(request, case, "meeting_list")
        meetings = list(selectors._meetings(case))
        for m in meetings:
            m.case = case
        return [_meeting(m) for m in meetings]

    @router.post(
        _RELEASE + "/meetings", response={201: MeetingOut, **WRITE_ERRORS},
        summary="Plan a meeting: the release meeting, an appointment on release day, or the follow-up",
        description="A release meeting gets its agenda from the plan's areas of effort. Recording an appointment "
                    "on release day completes the task municipal_appointments_on_release_day.",
    )
    def meeting_create(request: HttpRequest, case_id: Path[Id], payload: MeetingIn):
        case = case_get(user=request.user, case_id=case_id)
        with _service_errors({"department": "department_id"}):
            meeting = services.meeting_create(
                actor=request.user, case=case, kind=payload.kind, starts_at=payload.starts_at, ends_at=payload.ends_at,
                form=payload.form, location=payload.location, participants=_participants(payload.participants),
                department=_department(payload.department_id, "department_id"), purpose=payload.purpose,
                purpose_note=payload.purpose_note, request=request,
            )
        return Status(201, _meeting(selectors.meeting_get(case=case, meeting_id=meeting.pk)))

    @router.get(_MEETING, response={200: MeetingOut, **READ_ERRORS}, summary="A meeting")
    def meeting_detail(request: HttpRequest, case_id: Path[Id], meeting_id: Path[Id]):
        case = case_get(user=request.user, case_id=case_id)
        meeting = selectors.meeting_get(case=case, meeting_id=meeting_id)
        _audit_read(request, case, "meeting_detail")
        return _meeting(meeting)

    @router.patch(
        _MEETING, response={200: MeetingOut, **WRITE_ERRORS}, summary="Move or change a planned meeting",
        description="Only the fields sent change. The invitation keeps its UID and its SEQUENCE goes up.",
    )
    def meeting_update(request: HttpRequest, case_id: Path[Id], meeting_id: Path[Id], payload: MeetingChangeIn):
        case = case_get(user=request.user, case_id=case_id)
        meeting = selectors.meeting_get(case=case, meeting_id=meeting_id)
        changes = payload.model_dump(
            exclude_unset=True, exclude={"revision", "participants", "department_id"}
        )
        if "department_id" in payload.model_fields_set:
            changes["department"] = _department(payload.department_id, "department_id")
        with _service_errors({"department": "department_id"}, meeting=meeting):
            services.meeting_update(
                actor=request.user, meeting=meeting, revision=payload.revision, changes=changes,
                participants=_participants(payload.participants), request=request,
            )
        return _meeting(selectors.meeting_get(case=case, meeting_id=meeting.pk))

    @router.post(
        _MEETING + "/held", response={200: MeetingOut, **WRITE_ERRORS}, summary="Record the meeting as held",
        description="Completes release_meeting or follow_up_meeting_after_release. A release meeting must say who "
                    "holds the plan afterwards, how the municipality follows up and who calls the follow-up meeting.",
    )
    def meeting_held(request: HttpRequest, case_id: Path[Id], meeting_id: Path[Id], payload: MeetingHeldIn):
        case = case_get(user=request.user, case_id=case_id)
        meeting = selectors.meeting_get(case=case, meeting_id=meeting_id)
        with _service_errors({"plan_holder_after": "plan_holder_after_id"}, meeting=meeting):
            services.meeting_hold(
                actor=request.user, meeting=meeting, revision=payload.revision, held_on=payload.held_on,
                attended=payload.attended_ids,
                plan_holder_after=_organisation(payload.plan_holder_after_id, "plan_holder_after_id"),
                plan_holder_after_name=payload.plan_holder_after_name, municipal_follow_up=payload.municipal_follow_up,
                follow_up_called_by=payload.follow_up_called_by, follow_up_called_by_name=payload.follow_up_called_by_name,
                minutes=payload.minutes, request=request,
            )
        return _meeting(selectors.meeting_get(case=case, meeting_id=meeting.pk))

    @router.post(_MEETING + "/cancellation", response={200: MeetingOut, **WRITE_ERRORS}, summary="Cancel a planned meeting")
    def meeting_cancel(request: HttpRequest, case_id: Path[Id], meeting_id: Path[Id], payload: MeetingCancelIn):
        case = case_get(user=request.user, case_id=case_id)
        meeting = selectors.meeting_get(case=case, meeting_id=meeting_id)
        with _service_errors({"cancelled_reason": "reason"}, meeting=meeting):
            services.meeting_cancel(
                actor=request.user, meeting=meeting, reason=payload.reason, revision=payload.revision, request=request
            )
        return _meeting(selectors.meeting_get(case=case, meeting_id=meeting.pk))

    @router.get(
        _MEETING + "/invitation.ics", response={200: None, **READ_ERRORS}, summary="The invitation as a calendar file",
        description="text/calendar (RFC 5545): METHOD:REQUEST, or METHOD:CANCEL once the meeting is cancelled.",
    )
    def meeting_ics(request: HttpRequest, case_id: Path[Id], meeting_id: Path[Id]):
        case = case_get(user=request.user, case_id=case_id)
        meeting = selectors.meeting_get(case=case, meeting_id=meeting_id)
        services.invitation_made_record(actor=request.user, meeting=meeting, request=request)
        body = meeting_invitation(meeting, organizer=request.user)
        method = "CANCEL" if meeting.status == Meeting.Status.CANCELLED else "REQUEST"
        response = HttpResponse(body.encode("utf-8"), content_type=f"text/calendar; charset=utf-8; method={method}")
        response["Content-Disposition"] = f'attachment; filename="{invitation_filename(meeting)}"'
        response["Cache-Control"] = "no-store"
        return response

    @router.post(_MEETING + "/agreements", response={201: MeetingOut, **WRITE_ERRORS}, summary="Add an agreement to a point of the agenda")
    def agreement_create(request: HttpRequest, case_id: Path[Id], meeting_id: Path[Id], payload: AgreementIn):
        case = case_get(user=request.user, case_id=case_id)
        meeting = selectors.meeting_get(case=case, meeting_id=meeting_id)
        item = next((i for i in meeting.agenda_items.all() if i.pk == payload.agenda_item_id), None)
        if item is None:
            raise _invalid("agenda_item_id", "No such point on this meeting's agenda.")
        item.meeting = meeting
        with _service_errors():
            services.agreement_add(
                actor=request.user, item=item, who=payload.who, what=payload.what, when=payload.when, request=request
            )
        return Status(201, _meeting(selectors.meeting_get(case=case, meeting_id=meeting.pk)))

    @router.delete(_MEETING + "/agreements/{agreement_id}", response={204: None, **WRITE_ERRORS}, summary="Remove an agreement")
    def agreement_delete(request: HttpRequest, case_id: Path[Id], meeting_id: Path[Id], agreement_id: Path[Id]):
        case = case_get(user=request.user, case_id=case_id)
        meeting = selectors.meeting_get(case=case, meeting_id=meeting_id)
        agreement = selectors.agreement_get(meeting=meeting, agreement_id=agreement_id)
        with _service_errors():
            services.agreement_remove(actor=request.user, agreement=agreement, request=request)
        return Status(204, None)

    # -- outcome --

    @router.get(_RELEASE + "/outcomes", response={200: list[OutcomeOut], **READ_ERRORS}, summary="The recorded outcomes")
    def outcome_list(request: HttpRequest, case_id: Path[Id]):
        case = case_get(user=request.user, case_id=case_id)
        _audit_read(request, case, "outcome_list")
        return [_outcome(o) for o in case.release_outcomes.all()]

    @router.put(
        _RELEASE + "/outcomes/{moment}", response={200: OutcomeOut, **WRITE_ERRORS},
        summary="Record (or correct) the outcome at release or four weeks after",
        description="`moment` is at_release or after_four_weeks. `released_to_street` is derived: no housing or no income.",
    )
    def outcome_put(request: HttpRequest, case_id: Path[Id], moment: Path[ReleaseOutcome.Moment], payload: OutcomeIn):
        case = case_get(user=request.user, case_id=case_id)
        with _service_errors():
            outcome = services.outcome_record(
                actor=request.user, case=case, moment=moment, recorded_on=payload.recorded_on, housing=payload.housing,
                income_from_day_one=payload.income_from_day_one,
                employment_or_education=payload.employment_or_education, treatment=payload.treatment,
                note=payload.note, request=request,
            )
        return _outcome(outcome)

    # -- KIF --

    @router.post(
        _RELEASE + "/kif-involvement", response={201: KifInvolvementOut, **WRITE_ERRORS},
        summary="Involve KIF before parole (GL step 9)",
        description="KIF gets a part in the case (and sees it) and involve_kif is done. Responsibility passes at "
                    "parole through a hand-over (POST a hand-over of kind kif_at_parole).",
    )
    def kif_involve(request: HttpRequest, case_id: Path[Id], payload: KifInvolveIn):
        case = case_get(user=request.user, case_id=case_id)
        kif = _organisation(payload.kif_id, "kif_id")
        officer = None
        if payload.officer_id is not None:
            officer = User.objects.filter(pk=payload.officer_id).first()
            if officer is None:
                raise _invalid("officer_id", "No such user.")
        with _service_errors({"kif": "kif_id", "officer": "officer_id"}):
            involvement = services.kif_involve(
                actor=request.user, case=case, kif=kif, officer=officer, involved_on=payload.involved_on,
                note=payload.note, request=request,
            )
        return Status(201, _involvement(involvement))

    return router
