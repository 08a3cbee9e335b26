"""Every write for the release: meetings, agreements, readiness, outcome, KIF's involvement.

Each service is atomic and writes its audit entry (``koreplan.release.…``) in the same
transaction. The Køreplan's tasks are completed here, through
``koreplan.cases.services.task_complete``, when the matching thing is recorded:

- the release meeting held → ``release_meeting`` (GL Bilag 1 step 8);
- an appointment at the municipality on release day recorded → ``municipal_appointments_on_release_day`` (9A);
- the follow-up meeting held → ``follow_up_meeting_after_release`` (8);
- KIF involved → ``involve_kif`` (9).

Who writes: meetings and KIF's involvement are the plan-responsible's side — staff of the
organisation holding the case ("den handleplansansvarlige indkalder"); the readiness list
and the outcome also KIF once involved, who often holds the pieces after parole. Problems a
user can fix are ``ValidationError`` naming the field; the rest ``PermissionDenied``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from koreplan.accounts.models import PLAN_HOLDING_ROLES, User
from koreplan.audit.services import audit_record
from koreplan.cases.models import Case, CaseParticipation, Task
from koreplan.cases.services import case_tasks_sync, task_complete
from koreplan.domain import release as domain
from koreplan.organisations.models import MunicipalDepartment, Organisation
from koreplan.release.models import (
    AgendaItem,
    Agreement,
    KifInvolvement,
    Meeting,
    MeetingForm,
    Participant,
    Party,
    ReadinessItem,
    ReleaseOutcome,
)

#: The task each kind of meeting completes, and on which event.
MEETING_TASK_ON_HELD = {
    Meeting.Kind.RELEASE_MEETING: "release_meeting",
    Meeting.Kind.FOLLOW_UP: "follow_up_meeting_after_release",
}
MEETING_TASK_ON_CREATE = {Meeting.Kind.RELEASE_DAY: "municipal_appointments_on_release_day"}
INVOLVE_KIF = "involve_kif"

#: The domain's status codes in the user's words.
STATUS_MESSAGES = {
    "essential_needed": lambda: _("Housing and income are always needed. If the client has their own, it is in place."),
    "unknown_check": lambda: _("That check does not belong to this item."),
}


class StaleRevision(ValidationError):
    def __init__(self) -> None:
        super().__init__(
            {"revision": _("Someone else changed this meeting while you were editing. Reload it to see their changes.")}
        )


@dataclass(frozen=True)
class ParticipantData:
    """A participant as a form or the API gives it; the organisation follows from the party."""

    party: str
    name: str
    role: str = ""
    email: str = ""
    phone: str = ""
    department: MunicipalDepartment | None = None
    attended: bool | None = None


def _audit(action: str, *, actor: User, request: HttpRequest | None, case: Case, obj=None, **data) -> None:
    audit_record(
        action=action, actor=actor, request=request, case_id=case.pk, client_id=case.client_id, obj=obj, data=data
    )


# -- who may write ---------------------------------------------------------------------------


def _require_open(case: Case) -> None:
    if case.status != Case.Status.OPEN:
        raise PermissionDenied(_("The case is closed."))


def _require_holder(actor: User, case: Case) -> None:
    _require_open(case)
    if actor.is_superuser or (actor.organisation_id and actor.organisation_id == case.holding_organisation_id):
        return
    raise PermissionDenied(_("Only the organisation holding the case can do this."))


def _kif_involved(actor: User, case: Case) -> bool:
    return bool(
        actor.organisation_id
        and actor.organisation_id == case.kif_id
        and case.participations.filter(
            organisation_id=actor.organisation_id, part=CaseParticipation.Part.KIF, ended_at__isnull=True
        ).exists()
    )


def _require_readiness_writer(actor: User, case: Case) -> None:
    _require_open(case)
    if actor.is_superuser or actor.organisation_id == case.holding_organisation_id or _kif_involved(actor, case):
        return
    raise PermissionDenied(_("Only the organisation holding the case, or KIF once involved, can do this."))


def may_write_meetings(user: User, case: Case) -> bool:
    try:
        _require_holder(user, case)
    except PermissionDenied:
        return False
    return True


def may_write_readiness(user: User, case: Case) -> bool:
    try:
        _require_readiness_writer(user, case)
    except PermissionDenied:
        return False
    return True


def _not_in_future(on: date, field: str) -> None:
    if on > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


def _complete_open_task(
    *, actor: User, case: Case, obligation_id: str, completed_on: date, evidence: str, request: HttpRequest | None
) -> Task | None:
    """Complete the earliest open task of the kind, if the Køreplan has one."""
    task = case.tasks.filter(obligation_id=obligation_id, completed_on__isnull=True).order_by("due_on", "occurrence").first()
    if task is None:
        return None
    task.case = case
    return task_complete(actor=actor, task=task, completed_on=completed_on, evidence=evidence, request=request)


# -- meetings -----------------------------------------------------------------------------------


def _participant_organisation(case: Case, party: str, department: MunicipalDepartment | None) -> Organisation | None:
    if party == Party.INSTITUTION:
        if case.holding_organisation.kind == Organisation.Kind.INSTITUTION:
            return case.holding_organisation
        stay = case.stays.filter(organisation__kind=Organisation.Kind.INSTITUTION).order_by("-started_on").first()
        return stay.organisation if stay else None
    if party == Party.KIF:
        return case.kif
    if party in (Party.MUNICIPALITY, Party.ADDICTION_CENTRE):
        return department.municipality if department else case.client.acting_municipality
    return None


def _clean_participants(case: Case, participants: Sequence[ParticipantData]) -> list[Participant]:
    errors: dict[str, list[str]] = {}
    rows = []
    for i, p in enumerate(participants):
        if p.party not in Party.values:
            errors.setdefault(f"participants.{i}.party", []).append(_("Choose who the participant is."))
            continue
        if not p.name.strip():
            errors.setdefault(f"participants.{i}.name", []).append(_("Give the participant's name."))
            continue
        rows.append(
            Participant(
                position=i,
                party=p.party,
                organisation=_participant_organisation(case, p.party, p.department),
                department=p.department,
                name=p.name.strip(),
                role=p.role.strip(),
                email=p.email.strip(),
                phone=p.phone.strip(),
                attended=p.attended,
            )
        )
    if errors:
        raise ValidationError(errors)
    return rows


def _clean_meeting(
    case: Case, kind: str, values: Mapping[str, Any]
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if not isinstance(starts_at, datetime):
        errors["starts_at"] = _("Give the date and time the meeting starts.")
    if not isinstance(ends_at, datetime):
        errors["ends_at"] = _("Give the time the meeting ends.")
    elif isinstance(starts_at, datetime) and ends_at <= starts_at:
        errors["ends_at"] = _("The meeting must end after it starts.")
    if values.get("form", MeetingForm.IN_PERSON) not in MeetingForm.values:
        errors["form"] = _("Choose how the meeting is held.")
    cleaned = dict(values)
    if kind == Meeting.Kind.RELEASE_DAY:
        if values.get("purpose") not in Meeting.Purpose.values:
            errors["purpose"] = _("Say what the appointment is for.")
        municipality = values.get("municipality") or case.client.acting_municipality
        if municipality.kind != Organisation.Kind.MUNICIPALITY:
            errors["municipality"] = _("Choose a municipality.")
        department = values.get("department")
        if department is not None and department.municipality_id != municipality.pk:
            errors["department"] = _("The department must belong to the municipality.")
        cleaned["municipality"] = municipality
    else:
        for name in ("purpose", "purpose_note", "department", "municipality"):
            if values.get(name):
                errors[name] = _("Only an appointment on release day has this.")
    if errors:
        raise ValidationError(errors)
    return cleaned


MEETING_FIELDS = ("starts_at", "ends_at", "form", "location", "municipality", "department", "purpose", "purpose_note")


def meeting_create(
    *,
    actor: User,
    case: Case,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    form: str = MeetingForm.IN_PERSON,
    location: str = "",
    participants: Sequence[ParticipantData] = (),
    municipality: Organisation | None = None,
    department: MunicipalDepartment | None = None,
    purpose: str = "",
    purpose_note: str = "",
    request: HttpRequest | None = None,
) -> Meeting:
    """Plan a meeting; a release meeting gets its agenda from the plan's areas of effort.

    Recording an appointment on release day completes the task for step 9A.
    """
    _require_holder(actor, case)
    if kind not in Meeting.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of meeting.")})
    values = _clean_meeting(case, kind, {
        "starts_at": starts_at, "ends_at": ends_at, "form": form, "location": location.strip(),
        "municipality": municipality, "department": department, "purpose": purpose, "purpose_note": purpose_note.strip(),
    })
    rows = _clean_participants(case, participants)
    if kind in MEETING_TASK_ON_HELD and case.release_meetings.filter(kind=kind).exclude(
        status=Meeting.Status.CANCELLED
    ).exists():
        raise ValidationError({"kind": _("The case already has this meeting. Change it, or cancel it first.")})
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(case=case, kind=kind, created_by=actor, updated_by=actor, **values)
            for row in rows:
                row.meeting = meeting
            Participant.objects.bulk_create(rows)
            if kind == Meeting.Kind.RELEASE_MEETING:
                _agenda_extend(meeting, case)
            task = None
            if kind in MEETING_TASK_ON_CREATE:
                task = _complete_open_task(
                    actor=actor, case=case, obligation_id=MEETING_TASK_ON_CREATE[kind],
                    completed_on=timezone.localdate(), evidence=_meeting_evidence(meeting), request=request,
                )
                if task is not None:
                    meeting.task = task
                    meeting.save(update_fields=["task"])
            _audit(
                "koreplan.release.meeting_planned", actor=actor, request=request, case=case, obj=meeting,
                kind=kind, starts_at=meeting.starts_at, form=meeting.form, participants=len(rows),
                task=task.obligation_id if task else None,
            )
    except IntegrityError:
        raise ValidationError({"kind": _("The case already has this meeting. Change it, or cancel it first.")}) from None
    return meeting


def _locked(meeting: Meeting, revision: int | None) -> Meeting:
    fresh = Meeting.objects.select_for_update().select_related("case").get(pk=meeting.pk)
    if revision is not None and fresh.revision != revision:
        raise StaleRevision()
    return fresh


def meeting_update(
    *,
    actor: User,
    meeting: Meeting,
    revision: int,
    changes: Mapping[str, Any],
    participants: Sequence[ParticipantData] | None = None,
    request: HttpRequest | None = None,
) -> Meeting:
    """Move or change a planned meeting; a changed participant list replaces the old one.

    The invitation keeps its UID and its SEQUENCE goes up, so calendars update the event.
    """
    case = meeting.case
    _require_holder(actor, case)
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise ValidationError({min(unknown): _("Unknown field.")})
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError({"status": _("Only a planned meeting can be changed.")})
    current = {name: getattr(meeting, name) for name in MEETING_FIELDS}
    merged = {**current, **{k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items()}}
    if meeting.kind != Meeting.Kind.RELEASE_DAY:
        merged.update(municipality=None, department=None, purpose="", purpose_note="")
    values = _clean_meeting(case, meeting.kind, merged)
    rows = _clean_participants(case, participants) if participants is not None else None
    with transaction.atomic():
        fresh = _locked(meeting, revision)
        changed = [name for name in MEETING_FIELDS if getattr(fresh, name) != values[name]]
        for name in MEETING_FIELDS:
            setattr(fresh, name, values[name])
        fresh.revision += 1
        fresh.updated_by = actor
        fresh.save()
        if rows is not None:
            fresh.participants.all().delete()
            for row in rows:
                row.meeting = fresh
            Participant.objects.bulk_create(rows)
            changed.append("participants")
        _audit(
            "koreplan.release.meeting_changed", actor=actor, request=request, case=case, obj=fresh,
            kind=fresh.kind, changed=changed, sequence=fresh.sequence,
        )
    return fresh


def _meeting_evidence(meeting: Meeting) -> str:
    names = ", ".join(f"{p.name} ({p.get_party_display()})" for p in meeting.participants.all())
    on = timezone.localtime(meeting.starts_at)
    text = _("%(kind)s %(day)s at %(time)s, %(form)s.") % {
        "kind": meeting.get_kind_display(), "day": on.strftime("%d.%m.%Y"), "time": on.strftime("%H:%M"),
        "form": meeting.get_form_display().lower(),
    }
    if meeting.kind == Meeting.Kind.RELEASE_DAY:
        text += " " + (meeting.department.name if meeting.department else str(meeting.municipality or ""))
        text += ": " + meeting.get_purpose_display() + "."
    if names:
        text += " " + _("Participants: %(names)s.") % {"names": names}
    return text


def meeting_hold(
    *,
    actor: User,
    meeting: Meeting,
    held_on: date,
    revision: int | None = None,
    attended: Iterable[int] | None = None,
    plan_holder_after: Organisation | None = None,
    plan_holder_after_name: str = "",
    municipal_follow_up: str = "",
    follow_up_called_by: str = "",
    follow_up_called_by_name: str = "",
    minutes: str = "",
    request: HttpRequest | None = None,
) -> Meeting:
    """Record that the meeting was held, and what was agreed; it completes its task.

    At a release meeting GL step 8 asks three things to be agreed, so they are required:
    who holds the plan afterwards, how the municipality follows up, and who calls the
    follow-up meeting within four weeks of release.
    """
    case = meeting.case
    _require_holder(actor, case)
    errors: dict[str, str] = {}
    if held_on > timezone.localdate():
        errors["held_on"] = _("The date cannot be in the future.")
    is_release_meeting = meeting.kind == Meeting.Kind.RELEASE_MEETING
    if is_release_meeting:
        if plan_holder_after is None and not plan_holder_after_name.strip():
            errors["plan_holder_after"] = _("Say who holds the plan after the release.")
        if not municipal_follow_up.strip():
            errors["municipal_follow_up"] = _("Say how the municipality follows up.")
        if follow_up_called_by not in Party.values:
            errors["follow_up_called_by"] = _("Say who calls the follow-up meeting within four weeks of release.")
    elif plan_holder_after or municipal_follow_up.strip() or follow_up_called_by:
        errors["plan_holder_after"] = _("Only a release meeting records these agreements.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        fresh = _locked(meeting, revision)
        if fresh.status != Meeting.Status.PLANNED:
            raise ValidationError({"status": _("The meeting is already recorded as held or cancelled.")})
        fresh.status, fresh.held_on = Meeting.Status.HELD, held_on
        if is_release_meeting:
            fresh.plan_holder_after = plan_holder_after
            fresh.plan_holder_after_name = plan_holder_after_name.strip()
            fresh.municipal_follow_up = municipal_follow_up.strip()
            fresh.follow_up_called_by = follow_up_called_by
            fresh.follow_up_called_by_name = follow_up_called_by_name.strip()
        fresh.minutes = minutes.strip()
        fresh.revision += 1
        fresh.updated_by = actor
        if attended is not None:
            present = set(attended)
            for participant in fresh.participants.all():
                participant.attended = participant.pk in present
                participant.save(update_fields=["attended"])
        task = None
        if fresh.kind in MEETING_TASK_ON_HELD:
            task = _complete_open_task(
                actor=actor, case=case, obligation_id=MEETING_TASK_ON_HELD[fresh.kind], completed_on=held_on,
                evidence=_meeting_evidence(fresh), request=request,
            )
            fresh.task = task or fresh.task
        fresh.save()
        _audit(
            "koreplan.release.meeting_held", actor=actor, request=request, case=case, obj=fresh,
            kind=fresh.kind, held_on=held_on, task=task.obligation_id if task else None,
            follow_up_called_by=fresh.follow_up_called_by or None,
            plan_holder_after=fresh.plan_holder_after_id,
        )
    return fresh


def meeting_cancel(
    *, actor: User, meeting: Meeting, reason: str, revision: int | None = None, request: HttpRequest | None = None
) -> Meeting:
    """Call a planned meeting off, with the reason; its invitation becomes a cancellation."""
    case = meeting.case
    _require_holder(actor, case)
    if not reason.strip():
        raise ValidationError({"cancelled_reason": _("Say why the meeting is cancelled.")})
    with transaction.atomic():
        fresh = _locked(meeting, revision)
        if fresh.status != Meeting.Status.PLANNED:
            raise ValidationError({"status": _("Only a planned meeting can be cancelled.")})
        fresh.status, fresh.cancelled_reason = Meeting.Status.CANCELLED, reason.strip()
        fresh.revision += 1
        fresh.updated_by = actor
        fresh.save()
        _audit("koreplan.release.meeting_cancelled", actor=actor, request=request, case=case, obj=fresh, kind=fresh.kind)
    return fresh


def invitation_made_record(*, actor: User, meeting: Meeting, request: HttpRequest | None = None) -> None:
    """Audit that someone took the invitation: it names the client and leaves Køreplan."""
    _audit(
        "koreplan.release.invitation_downloaded", actor=actor, request=request, case=meeting.case, obj=meeting,
        kind=meeting.kind, sequence=meeting.sequence,
    )


# -- the agenda and the agreements ----------------------------------------------------------------


def _current_plan_areas(case: Case):
    """The areas of effort of the newest version of the case's plan (none without a plan)."""
    from koreplan.plans.selectors import plan_latest_version, plan_of

    plan = plan_of(case=case)
    if plan is None:
        return ()
    version = plan_latest_version(plan=plan)
    return version.content_value().areas if version else ()


def _agenda_extend(meeting: Meeting, case: Case) -> list[AgendaItem]:
    """The whole agenda for a new meeting; for one that has an agenda, what the plan added."""
    existing = list(meeting.agenda_items.all())
    areas = _current_plan_areas(case)
    if existing:
        entries = domain.agenda_additions(areas, (i.plan_area_key for i in existing if i.plan_area_key))
    else:
        entries = domain.meeting_agenda(areas)
    start = max((i.position for i in existing), default=-1) + 1
    return AgendaItem.objects.bulk_create(
        AgendaItem(
            meeting=meeting, position=start + n, life_area=e.life_area.value, title=e.title, goal=e.goal,
            plan_area_key=e.plan_area_key,
        )
        for n, e in enumerate(entries)
    )


def agenda_update_from_plan(*, actor: User, meeting: Meeting, request: HttpRequest | None = None) -> list[AgendaItem]:
    """Add the plan's areas of effort that are not on the agenda yet (the plan has moved on)."""
    case = meeting.case
    _require_holder(actor, case)
    if meeting.kind != Meeting.Kind.RELEASE_MEETING:
        raise ValidationError({"kind": _("Only a release meeting has an agenda.")})
    with transaction.atomic():
        added = _agenda_extend(meeting, case)
        _audit(
            "koreplan.release.agenda_updated", actor=actor, request=request, case=case, obj=meeting, added=len(added)
        )
    return added


def agreement_add(
    *,
    actor: User,
    item: AgendaItem,
    who: str,
    what: str,
    when: str = "",
    request: HttpRequest | None = None,
) -> Agreement:
    """An agreement of the release meeting on one point of the agenda: who, what, when."""
    meeting = item.meeting
    case = meeting.case
    _require_holder(actor, case)
    errors = {}
    if not who.strip():
        errors["who"] = _("Say who does it.")
    if not what.strip():
        errors["what"] = _("Say what is agreed.")
    if meeting.status == Meeting.Status.CANCELLED:
        errors["item"] = _("The meeting is cancelled.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        agreement = Agreement.objects.create(item=item, who=who.strip(), what=what.strip(), when=when.strip(), created_by=actor)
        _audit(
            "koreplan.release.agreement_added", actor=actor, request=request, case=case, obj=agreement,
            meeting=meeting.pk, life_area=item.life_area,
        )
    return agreement


def agreement_remove(*, actor: User, agreement: Agreement, request: HttpRequest | None = None) -> None:
    meeting = agreement.item.meeting
    case = meeting.case
    _require_holder(actor, case)
    with transaction.atomic():
        pk = agreement.pk
        agreement.delete()
        audit_record(
            action="koreplan.release.agreement_removed", actor=actor, request=request, case_id=case.pk,
            client_id=case.client_id, data={"agreement": pk, "meeting": meeting.pk},
        )


# -- "ingen løslades til gaden" ----------------------------------------------------------------------


def readiness_item_set(
    *,
    actor: User,
    case: Case,
    item: str,
    status: str,
    responsible_organisation: Organisation | None = None,
    department: MunicipalDepartment | None = None,
    checks: Mapping[str, bool] | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> ReadinessItem:
    """Set one item of the readiness list: its status, who is responsible, its checklist."""
    _require_readiness_writer(actor, case)
    errors: dict[str, str] = {}
    try:
        domain_item = domain.ReadinessItem(item)
    except ValueError:
        raise ValidationError({"item": _("Unknown item.")}) from None
    try:
        domain_status = domain.ReadinessStatus(status)
    except ValueError:
        raise ValidationError({"status": _("Choose a status.")}) from None
    checks = {str(k): bool(v) for k, v in (checks or {}).items()}
    try:
        domain.check_status(domain_item, domain_status, checks)
    except domain.StatusError as error:
        errors["checks" if error.code == "unknown_check" else "status"] = STATUS_MESSAGES[error.code]()
    if department is not None:
        if responsible_organisation is None:
            responsible_organisation = department.municipality
        elif department.municipality_id != responsible_organisation.pk:
            errors["department"] = _("The department must belong to the responsible organisation.")
    if responsible_organisation is not None and responsible_organisation.kind == Organisation.Kind.DIRECTORATE:
        errors["responsible_organisation"] = _("Choose the institution, KIF department or municipality responsible.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = ReadinessItem.objects.select_for_update().filter(case=case, item=item).first()
        previous = row.status if row else None
        if row is None:
            row = ReadinessItem(case=case, item=item)
        row.status = status
        row.responsible_organisation = responsible_organisation
        row.department = department
        row.checks = {name: checks.get(name, False) for name in domain.ITEM_CHECKS[domain_item]}
        row.note = note.strip()
        row.updated_by = actor
        row.save()
        _audit(
            "koreplan.release.readiness_updated", actor=actor, request=request, case=case, obj=row,
            item=item, status=status, previous_status=previous,
            responsible_organisation=getattr(responsible_organisation, "pk", None),
        )
    return row


# -- the outcome ---------------------------------------------------------------------------------


def outcome_record(
    *,
    actor: User,
    case: Case,
    moment: str,
    recorded_on: date,
    housing: str,
    income_from_day_one: bool,
    employment_or_education: bool,
    treatment: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> ReleaseOutcome:
    """What actually happened at release or four weeks after; a second record corrects the first."""
    _require_readiness_writer(actor, case)
    errors: dict[str, str] = {}
    if moment not in ReleaseOutcome.Moment.values:
        errors["moment"] = _("Choose at release or four weeks after.")
    if housing not in ReleaseOutcome.Housing.values:
        errors["housing"] = _("Choose the housing situation.")
    if treatment not in ReleaseOutcome.Treatment.values:
        errors["treatment"] = _("Say whether treatment was started.")
    if recorded_on > timezone.localdate():
        errors["recorded_on"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    street = domain.released_to_street(housing, income_from_day_one)
    with transaction.atomic():
        outcome, created = ReleaseOutcome.objects.update_or_create(
            case=case, moment=moment,
            defaults={
                "recorded_on": recorded_on, "housing": housing, "income_from_day_one": income_from_day_one,
                "employment_or_education": employment_or_education, "treatment": treatment,
                "released_to_street": street, "note": note.strip(), "recorded_by": actor,
            },
        )
        _audit(
            "koreplan.release.outcome_recorded", actor=actor, request=request, case=case, obj=outcome,
            moment=moment, recorded_on=recorded_on, housing=housing, income_from_day_one=income_from_day_one,
            employment_or_education=employment_or_education, treatment=treatment, released_to_street=street,
            corrected=not created,
        )
    return outcome


# -- KIF (step 9) ----------------------------------------------------------------------------------


def kif_involve(
    *,
    actor: User,
    case: Case,
    kif: Organisation,
    officer: User | None = None,
    involved_on: date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> KifInvolvement:
    """Involve KIF in planning the parole (GL Bilag 1 step 9): KIF gets a part in the case
    — and so sees it — its tasks move to the KIF department, and ``involve_kif`` is done.

    Responsibility does not move here: it passes to KIF at parole through the hand-over
    protocol (``handover_request`` with kind ``kif_at_parole``), so nobody lets go before
    KIF has taken hold.
    """
    _require_holder(actor, case)
    involved_on = involved_on or timezone.localdate()
    errors: dict[str, str] = {}
    if kif.kind != Organisation.Kind.KIF:
        errors["kif"] = _("Choose a KIF department.")
    if case.holding_organisation.kind == Organisation.Kind.KIF:
        errors["kif"] = _("KIF already holds the case.")
    if officer is not None and (
        officer.organisation_id != kif.pk or not officer.is_active or officer.role not in PLAN_HOLDING_ROLES
    ):
        errors["officer"] = _("%(user)s is not a probation officer at %(org)s.") % {"user": officer, "org": kif}
    if involved_on > timezone.localdate():
        errors["involved_on"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        previous = case.kif_id
        # Another KIF department involved before lets go of its part: one KIF at a time.
        case.participations.filter(part=CaseParticipation.Part.KIF, ended_at__isnull=True).exclude(
            organisation=kif
        ).update(ended_at=now)
        CaseParticipation.objects.get_or_create(
            case=case, organisation=kif, part=CaseParticipation.Part.KIF, ended_at=None
        )
        Case.objects.filter(pk=case.pk).update(kif=kif, kif_officer=officer)
        case.kif, case.kif_officer = kif, officer
        # KIF's own tasks (the first meeting after parole …) now belong to the department.
        case_tasks_sync(case=case)
        involvement = KifInvolvement.objects.create(
            case=case, kif=kif, officer=officer, involved_on=involved_on, note=note.strip(), created_by=actor
        )
        evidence = _("KIF involved: %(kif)s") % {"kif": kif} + (f" ({officer})" if officer else "") + "."
        task = _complete_open_task(
            actor=actor, case=case, obligation_id=INVOLVE_KIF, completed_on=involved_on, evidence=evidence,
            request=request,
        )
        if task is not None:
            involvement.task = task
            involvement.save(update_fields=["task"])
        _audit(
            "koreplan.release.kif_involved", actor=actor, request=request, case=case, obj=involvement,
            kif=kif.pk, officer=getattr(officer, "pk", None), previous_kif=previous, involved_on=involved_on,
            task=task.obligation_id if task else None,
        )
    return involvement


# -- reads ------------------------------------------------------------------------------------------


def release_read_record(*, actor: User, case: Case, request: HttpRequest | None = None, page: str = "release") -> None:
    """Audit a read of the release pages or endpoints."""
    _audit("koreplan.release.viewed", actor=actor, request=request, case=case, page=page)
