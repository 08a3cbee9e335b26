"""Every write to clients, cases, hand-overs, tasks and the journal.

Each service is atomic and writes its audit entry in the same transaction: a change is
saved with its audit trail or not at all. Problems a user can fix are raised as
``ValidationError`` with the field named, so forms and the API show them where they
belong; actions the user may not take raise ``PermissionDenied``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from koreplan.accounts.models import Role, User
from koreplan.audit.services import audit_record
from koreplan.cases.models import Case, CaseParticipation, Client, Handover, JournalEntry, Stay, Task
from koreplan.cases.selectors import plan_holders_at
from koreplan.domain.cpr import parse_cpr
from koreplan.domain.facts import FIELDS as FACT_FIELDS
from koreplan.domain.facts import FactsError, parse_facts
from koreplan.domain.rules.obligations import OBLIGATIONS, Who, responsible_party
from koreplan.domain.timeline import Timeline, compute_timeline
from koreplan.notifications.models import Kind as NotificationKind
from koreplan.notifications.services import notify
from koreplan.organisations.models import Organisation

#: The case columns that hold the rules' facts (all of CASE.json but `completed`, which
#: the tasks hold).
FACT_COLUMNS: tuple[str, ...] = tuple(f for f in FACT_FIELDS if f != "completed")

#: Tasks the application creates on events rather than from the timeline.
REVIEW_AFTER_TRANSFER = "review_after_transfer"

#: Step 2 of the Køreplan (cirk. § 4, stk. 1): done the moment a plan-responsible is named.
APPOINT_PLAN_RESPONSIBLE = "appoint_plan_responsible"
#: What the task says was done, where the application completed it itself.
APPOINTED_AT_OPENING = gettext_lazy("The plan-responsible was named when the case was opened.")
APPOINTED_ON_THE_CASE = gettext_lazy("The plan-responsible was named on the case.")
APPOINTED_AT_HANDOVER = gettext_lazy("The plan-responsible was named when the hand-over was accepted.")
APPOINTED_ALREADY = gettext_lazy("The case already had its plan-responsible.")


class StaleRevision(ValidationError):
    """The form or request was made from an older revision: someone saved in between."""

    def __init__(self):
        super().__init__(
            {"revision": _("Someone else changed this case while you were editing. Reload it to see their changes.")}
        )


def _audit(action: str, *, actor: User, request: HttpRequest | None, case: Case | None = None, obj=None, **data):
    audit_record(
        action=action,
        actor=actor,
        request=request,
        case_id=case.pk if case else None,
        client_id=case.client_id if case else None,
        obj=obj,
        data=data,
    )


def case_read_record(*, actor: User, case: Case, request: HttpRequest | None = None, page: str) -> None:
    """Audit a page that shows the case (``koreplan.case.viewed``): ``page`` names which,
    so the person's log says what was looked at, not only that the case was."""
    _audit("koreplan.case.viewed", actor=actor, request=request, case=case, obj=case,
           method=getattr(request, "method", None), page=page)


# -- clients -----------------------------------------------------------------------------


def client_create(
    *,
    actor: User,
    cpr: str,
    first_name: str,
    last_name: str,
    acting_municipality: Organisation,
    request: HttpRequest | None = None,
) -> Client:
    errors: dict[str, str] = {}
    try:
        number, birth = parse_cpr(cpr, today=timezone.localdate())
    except ValueError as error:
        errors["cpr"] = str(error)
    else:
        if Client.objects.filter(cpr=number).exists():
            errors["cpr"] = _("A client with this CPR number already exists.")
    if not first_name.strip():
        errors["first_name"] = _("Enter the first name.")
    if not last_name.strip():
        errors["last_name"] = _("Enter the last name.")
    if acting_municipality.kind != Organisation.Kind.MUNICIPALITY:
        errors["acting_municipality"] = _("Choose a municipality.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        client = Client.objects.create(
            cpr=number,
            birth_date=birth,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            acting_municipality=acting_municipality,
        )
        audit_record(action="koreplan.client.created", actor=actor, request=request, client_id=client.pk, obj=client)
    return client


def client_municipality_change(
    *,
    actor: User,
    case: Case,
    municipality: Organisation | None,
    reason: str,
    request: HttpRequest | None = None,
) -> Client:
    """Change the client's acting municipality (handlekommune) from one of their cases.

    It is often unclear or changes: the person moves, or a municipality answers that
    another one acts. Open municipality tasks of every open case of the client move to
    the new municipality; done ones stay counted where they were done, and requests
    already sent stay with the municipality they were sent to (records of what was sent).
    """
    _require_holder_staff(actor, case)
    errors: dict[str, str] = {}
    if case.status != Case.Status.OPEN:
        errors["municipality"] = _("The case is closed.")
    elif municipality is None or municipality.kind != Organisation.Kind.MUNICIPALITY:
        errors["municipality"] = _("Choose a municipality.")
    elif municipality.pk == case.client.acting_municipality_id:
        errors["municipality"] = _("%(municipality)s is already the acting municipality.") % {"municipality": municipality}
    if not reason.strip():
        errors["reason"] = _("Say why the acting municipality changes.")
    if errors:
        raise ValidationError(errors)
    reason = reason.strip()
    with transaction.atomic():
        # Locked and read again: two changes at once must not both start from the same "from".
        client = Client.objects.select_for_update().select_related("acting_municipality").get(pk=case.client_id)
        previous = client.acting_municipality
        if previous.pk == municipality.pk:
            raise ValidationError(
                {"municipality": _("%(municipality)s is already the acting municipality.") % {"municipality": municipality}}
            )
        client.acting_municipality = municipality
        client.save(update_fields=["acting_municipality"])
        case.client = client
        open_cases = list(
            Case.objects.filter(client=client, status=Case.Status.OPEN)
            .select_related("client__acting_municipality", "holding_organisation", "kif")
        )
        for open_case in open_cases:
            case_tasks_sync(case=open_case)
        if hasattr(case, "_prefetched_objects_cache"):
            case._prefetched_objects_cache.pop("tasks", None)
        JournalEntry.objects.create(
            case=case, author=actor, kind=JournalEntry.Kind.NOTE, occurred_on=timezone.localdate(),
            text=_("The acting municipality was changed from %(previous)s to %(new)s. Why: %(reason)s")
            % {"previous": previous, "new": municipality, "reason": reason},
        )
        _audit(
            "koreplan.client.municipality_changed", actor=actor, request=request, case=case, obj=client,
            from_municipality=previous.pk, to_municipality=municipality.pk, reason=reason,
            open_cases=[c.pk for c in open_cases],
        )
    return client


# -- the facts and the rules -------------------------------------------------------------


def case_fact_values(case: Case, *, tasks: Iterable[Task] | None = None) -> dict[str, Any]:
    """The case's facts as CASE.json would hold them, completed obligations included
    (from ``tasks`` when the caller has read them already, else from the database)."""
    facts: dict[str, Any] = {}
    for name in FACT_COLUMNS:
        if name == "birth_date":
            value = case.client.birth_date
        else:
            value = getattr(case, name)
        if value in (None, ""):
            continue
        facts[name] = value.isoformat() if isinstance(value, date) else value
    completed: dict[str, list[str]] = {}
    for task in sorted(
        (t for t in (case.tasks.all() if tasks is None else tasks) if t.from_timeline and t.completed_on),
        key=lambda t: (t.obligation_id, t.occurrence),
    ):
        completed.setdefault(task.obligation_id, []).append(task.completed_on.isoformat())
    if completed:
        facts["completed"] = {k: v if OBLIGATIONS[k].recurring else v[0] for k, v in completed.items()}
    return facts


def case_timeline(case: Case, *, today: date | None = None, tasks: Iterable[Task] | None = None) -> Timeline:
    """The roadmap of the case, from the one implementation in the domain core."""
    today = today or timezone.localdate()
    facts = parse_facts(case_fact_values(case, tasks=tasks), today=today)
    return compute_timeline(facts, today=today)


def _responsible_organisations(case: Case) -> dict[str, Organisation]:
    """The organisation each party's open tasks lie with (``responsible_party``)."""
    holder = case.holding_organisation
    institution = None
    if holder.kind != Organisation.Kind.INSTITUTION:
        last_stay = (
            case.stays.filter(organisation__kind=Organisation.Kind.INSTITUTION)
            .select_related("organisation").order_by("-started_on").first()
        )
        if last_stay and case.participations.filter(
            organisation=last_stay.organisation_id, part=CaseParticipation.Part.PREVIOUS_HOLDER, ended_at=None
        ).exists():
            institution = last_stay.organisation
    parties = {
        "holder": holder, "holder_is_kif": holder.kind == Organisation.Kind.KIF, "kif": case.kif,
        "municipality": case.client.acting_municipality, "institution": institution,
    }
    return {who.value: responsible_party(who, **parties) for who in Who}


def case_tasks_sync(*, case: Case, today: date | None = None) -> Timeline:
    """Make the case's timeline tasks match its facts; keep what was done.

    Open tasks move with the rules; done tasks keep their completion and the organisation
    they lay with when done (``responsible_party``); open tasks the rules no longer ask
    for are removed. Event tasks (transfer, review) are left alone.
    The case's applicability flags are refreshed. Callers hold the transaction.
    """
    timeline = case_timeline(case, today=today)
    existing = {(t.obligation_id, t.occurrence): t for t in case.tasks.all() if t.from_timeline}
    organisations = _responsible_organisations(case)
    to_create, to_update = [], []
    wanted = set()
    for o in timeline.obligations:
        key = (o.id, o.occurrence)
        wanted.add(key)
        values = {
            "who": o.who.value,
            "responsible_organisation_id": organisations[o.who.value].pk,
            "due_on": o.due_on,
            "asap": o.asap,
            "assumed": o.assumed,
            "non_working_day": o.non_working_day,
            "step": o.step or "",
            "legal_basis": [str(c) for c in o.legal_basis],
            "title_da": o.title_da,
            "title_en": o.title_en,
        }
        task = existing.get(key)
        if task is None:
            to_create.append(Task(case=case, obligation_id=o.id, occurrence=o.occurrence, **values))
            continue
        if task.completed_on is not None:
            # Done by the organisation it lay with then: the dashboards count it there.
            values["responsible_organisation_id"] = task.responsible_organisation_id
        if any(getattr(task, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(task, k, v)
            to_update.append(task)
    stale = [t.pk for key, t in existing.items() if key not in wanted and t.completed_on is None]
    if stale:
        Task.objects.filter(pk__in=stale).delete()
    if to_update:
        Task.objects.bulk_update(to_update, [name.removesuffix("_id") for name in values])
    if to_create:
        Task.objects.bulk_create(to_create)
    flags = {
        "plan_required": timeline.plan_required,
        "roadmap_applies": timeline.roadmap_applies,
        "release_meeting_recommended": timeline.release_meeting_recommended,
        "municipal_coordination_applies": timeline.municipal_coordination_applies,
        "expected_release_on": timeline.expected_release_on,
    }
    if any(getattr(case, k) != v for k, v in flags.items()):
        Case.objects.filter(pk=case.pk).update(**flags)
        for k, v in flags.items():
            setattr(case, k, v)
    if hasattr(case, "_prefetched_objects_cache"):
        case._prefetched_objects_cache.pop("tasks", None)
    return timeline


@dataclass(frozen=True)
class _Appointed:
    task: Task
    timeline: Timeline


def _appointment_complete(*, case: Case, actor: User, evidence, on: date | None = None) -> _Appointed | None:
    """Complete the open task to appoint a plan-responsible once the case has one.

    Naming the plan-responsible is the task itself, so it is done by whoever named them,
    on the day. Nothing happens where the case has no plan-responsible or no such open
    task (another case type, no intake yet, or done already). Callers hold the
    transaction, have synced the tasks, and audit the completion with
    :func:`_appointment_audit` after their own entry.
    """
    if case.plan_responsible_id is None:
        return None
    if hasattr(case, "_prefetched_objects_cache"):
        case._prefetched_objects_cache.pop("tasks", None)  # the sync below must read the completion
    task = case.tasks.filter(
        obligation_id=APPOINT_PLAN_RESPONSIBLE, from_timeline=True, completed_on__isnull=True
    ).order_by("occurrence").first()
    if task is None:
        return None
    task.completed_on, task.completed_by, task.evidence = on or timezone.localdate(), actor, str(evidence)
    task.save(update_fields=["completed_on", "completed_by", "evidence"])
    # A completion is a fact the rules read: the roadmap follows it.
    return _Appointed(task, case_tasks_sync(case=case))


def _appointment_audit(appointed: _Appointed | None, *, actor: User, case: Case, request: HttpRequest | None) -> None:
    if appointed is None:
        return
    task = appointed.task
    _audit(
        "koreplan.task.completed", actor=actor, request=request, case=case, obj=task,
        obligation=task.obligation_id, occurrence=task.occurrence, completed_on=task.completed_on, automatic=True,
    )


def _clean_facts(values: dict[str, Any], *, birth_date: date) -> dict[str, Any]:
    """Check facts with the domain's own validation; errors name the field."""
    mapping = {"birth_date": birth_date.isoformat()}
    for name, value in values.items():
        if value in (None, ""):
            continue
        mapping[name] = value.isoformat() if isinstance(value, date) else value
    try:
        parse_facts(mapping, today=timezone.localdate())
    except FactsError as error:
        message = error.message_da if (get_language() or "da").startswith("da") else error.message
        raise ValidationError({error.field: message}) from None
    return values


def _require_holder_staff(actor: User, case: Case) -> None:
    if actor.is_superuser:
        return
    if actor.organisation_id != case.holding_organisation_id:
        raise PermissionDenied(_("Only the organisation holding the case can do this."))


def _check_plan_holder(user: User | None, organisation: Organisation, field: str) -> None:
    if user is None:
        return
    if user.organisation_id != organisation.pk:
        raise ValidationError({field: _("%(user)s does not work at %(org)s.") % {"user": user, "org": organisation}})
    if not user.may_hold_plan:
        raise ValidationError({field: _("%(user)s may not hold an action plan (VEJ pkt. 23).") % {"user": user}})


@dataclass(frozen=True)
class CaseOpened:
    case: Case
    timeline: Timeline


def case_open(
    *,
    actor: User,
    client: Client,
    case_type: str,
    holding_organisation: Organisation,
    plan_responsible: User | None = None,
    substitute: User | None = None,
    facts: dict[str, Any] | None = None,
    appointed_on: date | None = None,
    request: HttpRequest | None = None,
) -> CaseOpened:
    """Open a case at an institution or KIF department, with its first stay and tasks.

    A plan-responsible named at opening completes the task to appoint one (step 2), by
    the actor, on ``appointed_on`` — today unless the case is registered after the fact.
    """
    facts = {
        k: v for k, v in (facts or {}).items() if k in FACT_COLUMNS and k != "birth_date" and v not in (None, "")
    }
    if not actor.is_superuser and actor.organisation_id != holding_organisation.pk:
        raise PermissionDenied(_("A case is opened by the organisation that will hold it."))
    if holding_organisation.kind not in (Organisation.Kind.INSTITUTION, Organisation.Kind.KIF):
        raise ValidationError({"holding_organisation": _("A case is held by an institution or a KIF department.")})
    _check_plan_holder(plan_responsible, holding_organisation, "plan_responsible")
    _check_plan_holder(substitute, holding_organisation, "substitute")
    if substitute is not None and substitute == plan_responsible:
        raise ValidationError({"substitute": _("The substitute must be another person than the plan-responsible.")})
    _clean_facts({"case_type": case_type, **facts}, birth_date=client.birth_date)
    if appointed_on is not None and appointed_on > timezone.localdate():
        raise ValidationError({"plan_responsible": _("A task cannot be completed in the future.")})
    if not facts.get("placement") and holding_organisation.kind == Organisation.Kind.INSTITUTION:
        facts["placement"] = holding_organisation.institution_type
    elif not facts.get("placement"):
        facts["placement"] = "kif"
    with transaction.atomic():
        case = Case.objects.create(
            client=client,
            case_type=case_type,
            holding_organisation=holding_organisation,
            plan_responsible=plan_responsible,
            substitute=substitute,
            kif=holding_organisation if holding_organisation.kind == Organisation.Kind.KIF else None,
            **facts,
        )
        CaseParticipation.objects.create(case=case, organisation=holding_organisation, part=CaseParticipation.Part.HOLDER)
        Stay.objects.create(
            case=case,
            organisation=holding_organisation,
            placement=case.placement,
            started_on=case.intake_on or case.supervision_started_on or timezone.localdate(),
        )
        timeline = case_tasks_sync(case=case)
        appointed = _appointment_complete(case=case, actor=actor, evidence=APPOINTED_AT_OPENING, on=appointed_on)
        if appointed is not None:
            timeline = appointed.timeline
        _audit("koreplan.case.opened", actor=actor, request=request, case=case, obj=case, case_type=case_type)
        _appointment_audit(appointed, actor=actor, case=case, request=request)
    return CaseOpened(case, timeline)


def case_facts_update(
    *,
    actor: User,
    case: Case,
    revision: int,
    changes: dict[str, Any],
    request: HttpRequest | None = None,
) -> Timeline:
    """Change the facts; the tasks follow in the same transaction.

    ``revision`` is the one the user's form was made from: if someone saved in between,
    nothing is written and the user is told (optimistic locking).
    """
    _require_holder_staff(actor, case)
    unknown = set(changes) - set(FACT_COLUMNS) - {"case_type"}
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    current = {name: getattr(case, name) for name in FACT_COLUMNS if name != "birth_date"}
    current["case_type"] = case.case_type
    merged = {**current, **changes}
    _clean_facts(merged, birth_date=case.client.birth_date)
    with transaction.atomic():
        updated = Case.objects.filter(pk=case.pk, revision=revision).update(
            revision=revision + 1, revised_at=timezone.now(), revised_by=actor, **{k: ("" if v is None and k in ("sentence", "placement") else v) for k, v in changes.items()}
        )
        if not updated:
            raise StaleRevision()
        case.refresh_from_db()
        timeline = case_tasks_sync(case=case)
        # The task may arise only now (an intake given later) for a case that has its plan-responsible.
        appointed = _appointment_complete(case=case, actor=actor, evidence=APPOINTED_ALREADY)
        if appointed is not None:
            timeline = appointed.timeline
        changed = {k: str(v) if v is not None else None for k, v in changes.items() if current.get(k) != v}
        _audit("koreplan.case.facts_updated", actor=actor, request=request, case=case, obj=case, changed=changed)
        _appointment_audit(appointed, actor=actor, case=case, request=request)
    return timeline


def case_responsibility_set(
    *,
    actor: User,
    case: Case,
    plan_responsible: User | None,
    substitute: User | None,
    substitute_covering: bool = False,
    request: HttpRequest | None = None,
) -> Case:
    """Name the plan-responsible and the substitute within the holding organisation."""
    _require_holder_staff(actor, case)
    _check_plan_holder(plan_responsible, case.holding_organisation, "plan_responsible")
    _check_plan_holder(substitute, case.holding_organisation, "substitute")
    if substitute is not None and substitute == plan_responsible:
        raise ValidationError({"substitute": _("The substitute must be another person than the plan-responsible.")})
    if substitute_covering and substitute is None:
        raise ValidationError({"substitute_covering": _("Name a substitute before they can cover.")})
    with transaction.atomic():
        previous = case.plan_responsible_id
        case.plan_responsible, case.substitute, case.substitute_covering = plan_responsible, substitute, substitute_covering
        case.save(update_fields=["plan_responsible", "substitute", "substitute_covering"])
        appointed = _appointment_complete(case=case, actor=actor, evidence=APPOINTED_ON_THE_CASE)
        _audit(
            "koreplan.case.responsibility_changed", actor=actor, request=request, case=case, obj=case,
            plan_responsible=case.plan_responsible_id, substitute=case.substitute_id,
            substitute_covering=substitute_covering, previous_plan_responsible=previous,
        )
        _appointment_audit(appointed, actor=actor, case=case, request=request)
    return case


def case_close(*, actor: User, case: Case, request: HttpRequest | None = None) -> Case:
    _require_holder_staff(actor, case)
    if case.handovers.filter(status=Handover.Status.REQUESTED).exists():
        raise ValidationError({"status": _("A hand-over is pending: answer or withdraw it first.")})
    with transaction.atomic():
        case.status, case.closed_at = Case.Status.CLOSED, timezone.now()
        case.save(update_fields=["status", "closed_at"])
        _audit("koreplan.case.closed", actor=actor, request=request, case=case, obj=case)
    return case


# -- tasks -------------------------------------------------------------------------------


def task_complete(
    *,
    actor: User,
    task: Task,
    completed_on: date,
    evidence: str = "",
    request: HttpRequest | None = None,
) -> Task:
    """Mark a task done; for a recurring obligation the next occurrence moves with it."""
    case = task.case
    if not actor.is_superuser and actor.organisation_id not in (
        task.responsible_organisation_id,
        case.holding_organisation_id,
    ):
        raise PermissionDenied(_("This task belongs to another organisation."))
    if task.completed_on is not None:
        raise ValidationError({"completed_on": _("The task is already done.")})
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": _("A task cannot be completed in the future.")})
    if case.began_on and completed_on < case.began_on:
        # Work dated before the case began would count as done on time on the dashboards.
        raise ValidationError({"completed_on": _("A task cannot be done before the case began (%(day)s).") % {
            "day": date_format(case.began_on, "DATE_FORMAT")}})
    with transaction.atomic():
        task.completed_on, task.completed_by, task.evidence = completed_on, actor, evidence.strip()
        task.save(update_fields=["completed_on", "completed_by", "evidence"])
        if task.from_timeline:
            case_tasks_sync(case=case)
        elif task.obligation_id == "status_at_transfer" and task.responsible_organisation_id != case.holding_organisation_id:
            # The status is handed over: the previous holder has let go.
            case.participations.filter(
                organisation_id=task.responsible_organisation_id,
                part=CaseParticipation.Part.PREVIOUS_HOLDER,
                ended_at=None,
            ).update(ended_at=timezone.now())
            # What the institution still had (the status at release, the follow-up) passes to the holder.
            case_tasks_sync(case=case)
        _audit(
            "koreplan.task.completed", actor=actor, request=request, case=case, obj=task,
            obligation=task.obligation_id, occurrence=task.occurrence, completed_on=completed_on,
        )
    return task


def _event_task(
    case: Case,
    *,
    obligation_id: str,
    organisation: Organisation,
    assignee: User | None,
    title_da: str,
    title_en: str,
    basis: list[str],
) -> Task:
    """A task created by an event; its occurrence counts the events of its kind."""
    occurrence = case.tasks.filter(obligation_id=obligation_id).count() + 1
    who = Who.KIF if organisation.kind == Organisation.Kind.KIF else Who.INSTITUTION
    return Task.objects.create(
        case=case,
        obligation_id=obligation_id,
        occurrence=occurrence,
        from_timeline=False,
        who=who.value,
        responsible_organisation=organisation,
        assignee=assignee,
        due_on=timezone.localdate(),
        legal_basis=basis,
        title_da=title_da,
        title_en=title_en,
    )


# -- hand-overs: nobody lets go before another has hold ------------------------------------


def handover_request(
    *,
    actor: User,
    case: Case,
    kind: str,
    to_organisation: Organisation,
    to_user: User | None = None,
    placement: str = "",
    message: str = "",
    request: HttpRequest | None = None,
) -> Handover:
    """Ask another person or organisation to take over; the sender stays responsible."""
    _require_holder_staff(actor, case)
    if case.status != Case.Status.OPEN:
        raise ValidationError({"kind": _("The case is closed.")})
    if case.handovers.filter(status=Handover.Status.REQUESTED).exists():
        raise ValidationError({"kind": _("A hand-over is already pending for this case.")})
    if kind == Handover.Kind.PERSON:
        if to_organisation != case.holding_organisation:
            raise ValidationError({"to_organisation": _("A hand-over to a person stays within the organisation.")})
        if to_user is None:
            raise ValidationError({"to_user": _("Choose the person who takes over.")})
        if to_user == case.plan_responsible:
            raise ValidationError({"to_user": _("This person already holds the plan.")})
    elif kind == Handover.Kind.INSTITUTION:
        if to_organisation.kind != Organisation.Kind.INSTITUTION or to_organisation == case.holding_organisation:
            raise ValidationError({"to_organisation": _("Choose another institution.")})
    elif kind == Handover.Kind.KIF_AT_PAROLE:
        if to_organisation.kind != Organisation.Kind.KIF:
            raise ValidationError({"to_organisation": _("Choose a KIF department.")})
    else:
        raise ValidationError({"kind": _("Unknown kind of hand-over.")})
    if to_user is not None:
        _check_plan_holder(to_user, to_organisation, "to_user")
    with transaction.atomic():
        handover = Handover.objects.create(
            case=case,
            kind=kind,
            from_organisation=case.holding_organisation,
            from_user=actor,
            to_organisation=to_organisation,
            to_user=to_user,
            placement=placement,
            message=message.strip(),
        )
        if to_organisation != case.holding_organisation:
            CaseParticipation.objects.get_or_create(
                case=case, organisation=to_organisation,
                part=CaseParticipation.Part.HANDOVER_RECEIVER, ended_at=None,
            )
        # The plan must be up to date when the plan-responsible changes (cirk. § 8, stk. 1).
        _event_task(
            case,
            obligation_id="status_at_transfer",
            organisation=case.holding_organisation,
            assignee=case.acting_responsible or actor,
            title_da=OBLIGATIONS["status_at_transfer"].title_da,
            title_en=OBLIGATIONS["status_at_transfer"].title_en,
            basis=[str(c) for c in OBLIGATIONS["status_at_transfer"].legal_basis],
        )
        # Before the audit entry, which stays the last step (it holds the chain lock).
        notify(
            recipients=[to_user] if to_user else plan_holders_at(organisation=to_organisation).exclude(pk=actor.pk),
            kind=NotificationKind.HANDOVER_REQUESTED,
            # The subject goes by e-mail too: never the client's name in it.
            subject=format_lazy(gettext_lazy("A hand-over from {sender} waits for your answer"), sender=handover.from_organisation),
            body=format_lazy(
                gettext_lazy("{actor}, {sender}, asks you to take over the case of {client}.\n\n{message}"),
                actor=actor, sender=handover.from_organisation, client=case.client, message=handover.message,
            ),
            url=reverse("cases:handover_list"),
            case=case,
            dedupe_key=f"handover:{handover.pk}:requested",
        )
        _audit(
            "koreplan.handover.requested", actor=actor, request=request, case=case, obj=handover,
            kind=kind, to_organisation=to_organisation.pk, to_user=getattr(to_user, "pk", None),
        )
    return handover


def _require_receiver(actor: User, handover: Handover) -> None:
    if actor.is_superuser:
        return
    if actor.organisation_id != handover.to_organisation_id:
        raise PermissionDenied(_("Only the receiving organisation can answer this hand-over."))
    if handover.to_user_id and handover.to_user_id != actor.pk and actor.role != Role.MANAGER:
        raise PermissionDenied(_("This hand-over is addressed to another person."))


def handover_accept(
    *,
    actor: User,
    handover: Handover,
    plan_responsible: User | None = None,
    request: HttpRequest | None = None,
) -> Handover:
    """The receiver takes hold: responsibility passes, the sender lets go, history is kept."""
    _require_receiver(actor, handover)
    if handover.status != Handover.Status.REQUESTED:
        raise ValidationError({"status": _("This hand-over has already been answered.")})
    new_responsible = plan_responsible or handover.to_user or (actor if actor.may_hold_plan else None)
    if new_responsible is None:
        raise ValidationError({"plan_responsible": _("Name the plan-responsible who takes over.")})
    _check_plan_holder(new_responsible, handover.to_organisation, "plan_responsible")
    case = handover.case
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        handover.status, handover.answered_at, handover.answered_by = Handover.Status.ACCEPTED, now, actor
        handover.save(update_fields=["status", "answered_at", "answered_by"])
        moving = handover.to_organisation_id != case.holding_organisation_id
        if moving:
            case.participations.filter(
                organisation=case.holding_organisation, part=CaseParticipation.Part.HOLDER, ended_at=None
            ).update(ended_at=now)
            # The sender keeps sight of the case until its status on the plan is done.
            if case.tasks.filter(
                obligation_id="status_at_transfer", responsible_organisation=case.holding_organisation,
                completed_on__isnull=True,
            ).exists():
                CaseParticipation.objects.get_or_create(
                    case=case, organisation=case.holding_organisation,
                    part=CaseParticipation.Part.PREVIOUS_HOLDER, ended_at=None,
                )
            case.participations.filter(
                organisation=handover.to_organisation, part=CaseParticipation.Part.HANDOVER_RECEIVER, ended_at=None
            ).update(ended_at=now)
            CaseParticipation.objects.create(case=case, organisation=handover.to_organisation, part=CaseParticipation.Part.HOLDER)
            case.stays.filter(ended_on=None).update(ended_on=today)
            placement = handover.placement or (
                "kif" if handover.to_organisation.kind == Organisation.Kind.KIF else handover.to_organisation.institution_type
            )
            Stay.objects.create(case=case, organisation=handover.to_organisation, placement=placement, started_on=today)
            case.holding_organisation = handover.to_organisation
            case.placement = placement
            if handover.kind == Handover.Kind.KIF_AT_PAROLE:
                case.kif = handover.to_organisation
        case.plan_responsible = new_responsible
        case.substitute, case.substitute_covering = (case.substitute, case.substitute_covering) if not moving else (None, False)
        if case.substitute_id == new_responsible.pk:
            case.substitute, case.substitute_covering = None, False
        case.revision += 1
        case.revised_at, case.revised_by = now, actor
        case.save()
        # The new plan-responsible reviews the plan at once (VEJ pkt. 49).
        _event_task(
            case,
            obligation_id=REVIEW_AFTER_TRANSFER,
            organisation=handover.to_organisation,
            assignee=new_responsible,
            title_da="Gennemgå handleplanen straks efter overtagelsen",
            title_en="Review the action plan at once after taking over",
            basis=["VEJ pkt. 49", "VEJ pkt. 9"],
        )
        case_tasks_sync(case=case)
        appointed = _appointment_complete(case=case, actor=actor, evidence=APPOINTED_AT_HANDOVER)
        # Before the audit entry, which stays the last step (it holds the chain lock).
        notify(
            recipients=[handover.from_user],
            kind=NotificationKind.HANDOVER_ACCEPTED,
            subject=format_lazy(gettext_lazy("Your hand-over was accepted by {receiver}"), receiver=handover.to_organisation),
            body=format_lazy(
                gettext_lazy("{actor} has accepted the case of {client}. The plan-responsible is now {responsible}."),
                actor=actor, client=case.client, responsible=new_responsible,
            ),
            url=reverse("cases:case_detail", args=[case.pk]),
            case=case,
            dedupe_key=f"handover:{handover.pk}:accepted",
        )
        _audit(
            "koreplan.handover.accepted", actor=actor, request=request, case=case, obj=handover,
            plan_responsible=new_responsible.pk, to_organisation=handover.to_organisation_id,
        )
        _appointment_audit(appointed, actor=actor, case=case, request=request)
    return handover


def handover_return(*, actor: User, handover: Handover, reason: str, request: HttpRequest | None = None) -> Handover:
    """The receiver declines with a reason; the sender keeps the case."""
    _require_receiver(actor, handover)
    if handover.status != Handover.Status.REQUESTED:
        raise ValidationError({"status": _("This hand-over has already been answered.")})
    if not reason.strip():
        raise ValidationError({"answer_reason": _("Say why the hand-over is returned.")})
    with transaction.atomic():
        # Before _handover_close, whose audit entry stays the last step (it holds the chain lock).
        notify(
            recipients=[handover.from_user],
            kind=NotificationKind.HANDOVER_RETURNED,
            subject=format_lazy(gettext_lazy("Your hand-over was returned by {receiver}"), receiver=handover.to_organisation),
            body=format_lazy(
                gettext_lazy("{actor} has returned the hand-over of the case of {client}; you keep the case. The reason:\n\n{reason}"),
                actor=actor, client=handover.case.client, reason=reason.strip(),
            ),
            url=reverse("cases:case_detail", args=[handover.case_id]),
            case=handover.case,
            dedupe_key=f"handover:{handover.pk}:returned",
        )
        return _handover_close(
            handover, Handover.Status.RETURNED, actor, request, reason.strip(), "koreplan.handover.returned"
        )


def handover_withdraw(*, actor: User, handover: Handover, request: HttpRequest | None = None) -> Handover:
    _require_holder_staff(actor, handover.case)
    if handover.status != Handover.Status.REQUESTED:
        raise ValidationError({"status": _("This hand-over has already been answered.")})
    return _handover_close(handover, Handover.Status.WITHDRAWN, actor, request, "", "koreplan.handover.withdrawn")


def _handover_close(handover: Handover, status: str, actor: User, request, reason: str, action: str) -> Handover:
    with transaction.atomic():
        handover.status, handover.answered_at, handover.answered_by = status, timezone.now(), actor
        handover.answer_reason = reason
        handover.save(update_fields=["status", "answered_at", "answered_by", "answer_reason"])
        handover.case.participations.filter(
            organisation=handover.to_organisation, part=CaseParticipation.Part.HANDOVER_RECEIVER, ended_at=None
        ).update(ended_at=timezone.now())
        _audit(action, actor=actor, request=request, case=handover.case, obj=handover, reason=reason)
    return handover


# -- the journal -------------------------------------------------------------------------


def journal_entry_add(
    *,
    actor: User,
    case: Case,
    kind: str,
    occurred_on: date,
    text: str,
    request: HttpRequest | None = None,
) -> JournalEntry:
    _require_holder_staff(actor, case)
    errors = {}
    if not text.strip():
        errors["text"] = _("Write what happened.")
    if occurred_on > timezone.localdate():
        errors["occurred_on"] = _("The date cannot be in the future.")
    if kind not in JournalEntry.Kind.values:
        errors["kind"] = _("Choose a kind of entry.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        entry = JournalEntry.objects.create(case=case, author=actor, kind=kind, occurred_on=occurred_on, text=text.strip())
        _audit("koreplan.journal.entry_added", actor=actor, request=request, case=case, obj=entry)
    return entry


def case_recalculate_open(*, today: date | None = None) -> int:
    """Recompute every open case's tasks (the nightly sweep). Returns the number of cases."""
    count = 0
    cases = Case.objects.filter(status=Case.Status.OPEN).select_related(
        "client__acting_municipality", "holding_organisation", "kif"
    ).prefetch_related("tasks")
    for case in cases.iterator(chunk_size=500):
        with transaction.atomic():
            case_tasks_sync(case=case, today=today)
        count += 1
    return count
