"""Every write to action plans: versions, sections, areas of effort, approval, evaluations
and statuses — and the audit entries of every read of a plan.

Each service is atomic and writes its audit entry in the same transaction. Two rules hold
on every path that changes a version:

- **A locked version is never changed, by anyone** (VEJ pkt. 9). Locking follows from
  time (``koreplan.domain.plan_versions``), read against ``timezone.localdate()`` at the
  moment of the write, and from the event of a newer version beginning. A write to a
  locked version is *refused* with a ``ValidationError`` on ``version``; it is never
  redirected to a new version behind the user's back. Starting the next version (a copy)
  is its own, explicit step: :func:`plan_version_create`. What the user sees is what
  they change, and the audit log says when a version began.
- **Optimistic locking**: a change names the ``revision`` of the version it was made
  from; if someone saved in between, :class:`StaleRevision` is raised and nothing is
  written. Writes to one plan are serialised by a row lock on the plan, so a new version
  can never be copied from under a change being saved.

Only staff of the organisation holding the case write to its plan (``PermissionDenied``
otherwise); the one exception is the previous holder's status at transfer, which the
hand-over asks of them (cirk. § 8, stk. 1). A closed case's plan is read-only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from koreplan.accounts.models import User
from koreplan.audit.services import audit_record
from koreplan.cases.models import Case, CaseParticipation, Task
from koreplan.cases.services import task_complete
from koreplan.domain import plan as domain
from koreplan.domain.plan_versions import VersionLock, next_version, version_lock
from koreplan.organisations.models import Organisation
from koreplan.plans.models import STATUS_OBLIGATIONS, ActionPlan, AreaChange, Evaluation, PlanStatus, PlanVersion


class StaleRevision(ValidationError):
    """The version was changed by someone else since the change was made from it."""

    def __init__(self) -> None:
        super().__init__(
            {"revision": _("Someone else changed this plan while you were editing. Reload it to see their changes.")}
        )


#: The domain's rule codes in the user's language; codes not here keep the domain's
#: (English) message — they only reach API clients that sent malformed JSON.
CONTENT_MESSAGES = {
    "declined_reason_required": gettext_lazy("Say why the client did not take part (VEJ pkt. 8)."),
    "entry_text_required": gettext_lazy("Write the entry."),
    "future_date": gettext_lazy("The date cannot be in the future."),
    "disagreement_required": gettext_lazy("Say what the client disagrees with."),
    "could_not_answer_reason_required": gettext_lazy("Say why the client could not answer."),
    "area_title_required": gettext_lazy("Name the area of effort."),
    "area_justification_required": gettext_lazy("Every area of effort is prioritised and justified (VEJ pkt. 36)."),
    "area_goal_required": gettext_lazy("Set a realistic goal (VEJ pkt. 37)."),
    "sub_goal_required": gettext_lazy("Write the sub-goal or remove it."),
    "action_what_required": gettext_lazy("Say what will be done."),
    "not_done_reason_required": gettext_lazy("Say why it was not done."),
    "try_again_required": gettext_lazy("Say whether it is relevant to try again."),
    "reason_only_when_not_done": gettext_lazy("A reason and “try again” belong to an action that was not done."),
    "partner_name_required": gettext_lazy("Give the partner's name or organisation."),
    "invalid_email": gettext_lazy("Enter a valid e-mail address."),
    "contact_before_follow_up": gettext_lazy(
        "Give the date the municipality was contacted before recording its follow-up."
    ),
}


def content_validation_error(errors: Iterable[domain.ContentError], *, prefix: str = "") -> ValidationError:
    """The domain's errors as a ValidationError keyed by each error's dotted path."""
    messages: dict[str, list[str]] = {}
    for error in errors:
        path = error.path
        if prefix and path.startswith(prefix + "."):
            path = path[len(prefix) + 1 :]
        messages.setdefault(path, []).append(str(CONTENT_MESSAGES.get(error.code, error.message)))
    return ValidationError(messages)


def _audit(action: str, *, actor: User, request: HttpRequest | None, case: Case, obj=None, **data) -> None:
    audit_record(
        action=action, actor=actor, request=request, case_id=case.pk, client_id=case.client_id, obj=obj, data=data
    )


# -- who may write, and when ----------------------------------------------------------------


def _require_writer(actor: User, case: Case) -> None:
    if case.status != Case.Status.OPEN:
        raise PermissionDenied(_("The case is closed: its plan can be read but not changed."))
    if actor.is_superuser or actor.organisation_id == case.holding_organisation_id:
        return
    raise PermissionDenied(_("Only the organisation holding the case can change its plan."))


def may_write(user: User, case: Case) -> bool:
    try:
        _require_writer(user, case)
    except PermissionDenied:
        return False
    return True


def version_lock_of(version: PlanVersion, *, latest_number: int, today: date | None = None) -> VersionLock:
    """The version's lock state today (or on ``today``)."""
    return version_lock(
        version.number,
        version.began_on,
        today or timezone.localdate(),
        superseded=version.number < latest_number,
    )


def _lock_plan(plan: ActionPlan) -> tuple[ActionPlan, int]:
    """Take the plan's row lock (inside a transaction); return it with its newest number."""
    locked = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    latest = locked.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return locked, latest


def _writable(
    version: PlanVersion,
    *,
    actor: User,
    revision: int | None = None,
    may: Callable[[User, Case], bool] | None = None,
) -> PlanVersion:
    """The version, fresh from the database under the plan's lock, if ``actor`` may write it.

    Call inside a transaction. Checks who writes against the case as it is now (not as
    the caller last read it), then refuses a locked version and, when ``revision`` is
    given, a stale one. ``may`` widens who may write, for the previous holder's status.
    """
    latest = _lock_plan(version.plan)[1]
    fresh = PlanVersion.objects.select_related("plan__case__holding_organisation").get(pk=version.pk)
    case = fresh.plan.case
    if may is None or not may(actor, case):
        _require_writer(actor, case)
    state = version_lock_of(fresh, latest_number=latest)
    if state.locked:
        if state.superseded:
            message = _("Version %(number)s is locked: version %(latest)s is the plan being written now.") % {
                "number": fresh.number,
                "latest": latest,
            }
        else:
            message = _(
                "Version %(number)s locked on %(date)s and can no longer be changed. Start a new version to go on."
            ) % {"number": fresh.number, "date": state.locks_on.strftime("%d.%m.%Y")}
        raise ValidationError({"version": message})
    if revision is not None and fresh.revision != revision:
        raise StaleRevision()
    return fresh


def _save_content(
    *,
    actor: User,
    version: PlanVersion,
    revision: int,
    change: Callable[[domain.PlanContent], domain.PlanContent],
    action: str | Callable[[], str],
    request: HttpRequest | None,
    error_prefix: str = "",
    after: Callable[[PlanVersion, domain.PlanContent, domain.PlanContent], dict | None] | None = None,
    **audit_data: Any,
) -> PlanVersion:
    """The one way a version's content changes: checked, validated, saved, audited."""
    today = timezone.localdate()
    with transaction.atomic():
        fresh = _writable(version, actor=actor, revision=revision)
        case = fresh.plan.case
        before = fresh.content_value()
        after_content = change(before)
        errors = after_content.validate(today=today)
        if errors:
            raise content_validation_error(errors, prefix=error_prefix)
        if after_content == before:
            return fresh
        fresh.content = after_content.to_dict()
        fresh.revision += 1
        fresh.last_adjusted_at, fresh.last_adjusted_by = timezone.now(), actor
        fresh.save(update_fields=["content", "revision", "last_adjusted_at", "last_adjusted_by"])
        extra = (after(fresh, before, after_content) if after is not None else None) or {}
        _audit(
            action() if callable(action) else action, actor=actor, request=request, case=case, obj=fresh,
            number=fresh.number, **audit_data, **extra,
        )
    return fresh


def _complete_open_task(
    *,
    actor: User,
    case: Case,
    obligation_ids: Iterable[str],
    completed_on: date,
    evidence: str,
    request: HttpRequest | None,
    organisation_id: int | None = None,
) -> Task | None:
    """Complete the earliest open task of the kinds given, if there is one."""
    tasks = case.tasks.filter(obligation_id__in=list(obligation_ids), completed_on__isnull=True)
    if organisation_id is not None:
        tasks = tasks.filter(responsible_organisation_id=organisation_id)
    task = tasks.order_by("due_on", "occurrence").first()
    if task is None:
        return None
    task.case = case
    return task_complete(actor=actor, task=task, completed_on=completed_on, evidence=evidence, request=request)


# -- the plan and its versions --------------------------------------------------------------


def plan_start(*, actor: User, case: Case, request: HttpRequest | None = None) -> ActionPlan:
    """Make the case's plan with its first, empty version, created today."""
    _require_writer(actor, case)
    if ActionPlan.objects.filter(case=case).exists():
        raise ValidationError({"plan": _("The case already has an action plan: it is carried on, never restarted.")})
    first = next_version(None, None, timezone.localdate())
    try:
        with transaction.atomic():
            plan = ActionPlan.objects.create(case=case, created_by=actor)
            version = PlanVersion.objects.create(
                plan=plan, number=first.number, content=first.content.to_dict(), began_on=first.began_on,
                created_at=timezone.now(), created_by=actor,
            )
            _audit("koreplan.plan.created", actor=actor, request=request, case=case, obj=plan)
            _audit(
                "koreplan.plan_version.created", actor=actor, request=request, case=case, obj=version,
                number=version.number, locks_on=first.locks_on,
            )
    except IntegrityError:
        raise ValidationError({"plan": _("The case already has an action plan.")}) from None
    return plan


def plan_version_create(*, actor: User, plan: ActionPlan, request: HttpRequest | None = None) -> PlanVersion:
    """Begin the next version as a copy of the newest; the newest is closed from now on.

    Done when a version has locked, and whenever a new stage calls for it — a new
    institution "opretter ny kopi" and reviews it (VEJ pkt. 9, 49).
    """
    today = timezone.localdate()
    with transaction.atomic():
        latest_number = _lock_plan(plan)[1]
        case = Case.objects.select_related("holding_organisation").get(pk=plan.case_id)
        _require_writer(actor, case)
        latest = plan.versions.get(number=latest_number)
        following = next_version(latest.number, latest.content_value(), today)
        version = PlanVersion.objects.create(
            plan=plan, number=following.number, content=following.content.to_dict(), began_on=following.began_on,
            created_at=timezone.now(), created_by=actor,
        )
        _audit(
            "koreplan.plan_version.created", actor=actor, request=request, case=case, obj=version,
            number=version.number, copied_from=latest.number, locks_on=following.locks_on,
        )
    return version


def plan_section_update(
    *,
    actor: User,
    version: PlanVersion,
    revision: int,
    section: str,
    data: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> PlanVersion:
    """Replace one section (participation, description, causes, assessment, partners).

    ``data`` is the section's JSON (``PlanContent.section_dict``). Areas of effort are not
    a section: they change one at a time, justified (:func:`plan_area_save`).
    """
    try:
        section = domain.Section(section)
    except ValueError:
        raise ValidationError({"section": _("No such section.")}) from None

    def change(content: domain.PlanContent) -> domain.PlanContent:
        try:
            return domain.with_section(content, section, data)
        except domain.PlanContentError as error:
            raise content_validation_error(error.errors) from None

    return _save_content(
        actor=actor, version=version, revision=revision, change=change, request=request,
        action="koreplan.plan_version.section_updated", section=section.value,
    )


def plan_entry_add(
    *,
    actor: User,
    version: PlanVersion,
    revision: int,
    area: str,
    on: date,
    text: str,
    from_intake_interview: bool = False,
    request: HttpRequest | None = None,
) -> PlanVersion:
    """Add a dated entry to the description of one life area (VEJ pkt. 51–52)."""
    if area not in {a.value for a in domain.LifeArea}:
        raise ValidationError({"area": _("Choose a life area.")})
    if not text.strip():
        raise ValidationError({"text": _("Write the entry.")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    return _save_content(
        actor=actor, version=version, revision=revision, request=request,
        change=lambda c: domain.with_entry(c, area=domain.LifeArea(area), on=on, text=text, from_intake_interview=from_intake_interview),
        action="koreplan.plan_version.entry_added", area=area,
    )


def plan_intake_interview_record(
    *,
    actor: User,
    case: Case,
    held_on: date,
    participation: str,
    participation_reason: str = "",
    entries: Mapping[str, str],
    causes: str = "",
    request: HttpRequest | None = None,
) -> PlanVersion:
    """Write what came up at the intake interview straight into the plan (VEJ pkt. 28, 52).

    Makes the plan if the case has none yet, records whether the client takes part
    (VEJ pkt. 8), adds a dated entry per life area and completes the `intake_interview`
    task.
    """
    _require_writer(actor, case)
    errors: dict[str, str] = {}
    if held_on > timezone.localdate():
        errors["held_on"] = _("The date cannot be in the future.")
    if participation not in {p.value for p in domain.Participation}:
        errors["participation"] = _("Say whether the client took part.")
    unknown = sorted(set(entries) - {a.value for a in domain.LifeArea})
    if unknown:
        errors[unknown[0]] = _("Unknown life area.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan = ActionPlan.objects.filter(case=case).first() or plan_start(actor=actor, case=case, request=request)
        version = plan.versions.order_by("-number").first()

        def change(content: domain.PlanContent) -> domain.PlanContent:
            content = replace(
                content,
                participation=domain.ClientParticipation(domain.Participation(participation), participation_reason.strip()),
            )
            for area in domain.LifeArea:
                text = (entries.get(area.value) or "").strip()
                if text:
                    content = domain.with_entry(content, area=area, on=held_on, text=text, from_intake_interview=True)
            if causes.strip():
                content = replace(content, causes=(content.causes + "\n\n" + causes.strip()).strip())
            return content

        version = _save_content(
            actor=actor, version=version, revision=version.revision, change=change, request=request,
            action="koreplan.plan_version.intake_interview_recorded", held_on=held_on,
            areas=sorted(k for k, v in entries.items() if v.strip()),
        )
        _complete_open_task(
            actor=actor, case=case, obligation_ids=["intake_interview"], completed_on=held_on, request=request,
            evidence=_("Written into the action plan, version %(number)s.") % {"number": version.number},
        )
    return version


def _require_area_change_confirmed(content: domain.PlanContent, justification: str, discussed_with_client: bool) -> None:
    errors = {}
    if not justification.strip():
        errors["change_justification"] = _("Every change to an area of effort is justified (VEJ pkt. 37).")
    if not discussed_with_client and content.participation.status != domain.Participation.DECLINED:
        errors["discussed_with_client"] = _(
            "A change to an area of effort is discussed with the client first (VEJ pkt. 37)."
        )
    if errors:
        raise ValidationError(errors)


def plan_area_save(
    *,
    actor: User,
    version: PlanVersion,
    revision: int,
    area: domain.AreaOfEffort,
    priority: int | None,
    justification: str,
    discussed_with_client: bool,
    request: HttpRequest | None = None,
) -> PlanVersion:
    """Add an area of effort (``area.key`` empty) or change one, at ``priority``.

    The change is justified and was discussed with the client beforehand (VEJ pkt. 37);
    the only exception is a plan recording that the client does not take part (VEJ
    pkt. 8), where the plan is made all the same and the justification still required.
    The justification is kept in the change log.
    """
    if priority is not None and priority < 1:
        raise ValidationError({"priority": _("The priority is 1 or more.")})
    state: dict[str, Any] = {}

    def change(content: domain.PlanContent) -> domain.PlanContent:
        _require_area_change_confirmed(content, justification, discussed_with_client)
        existing = content.area(area.key) if area.key else None
        if area.key and existing is None:
            raise ValidationError({"area": _("No such area of effort in this version.")})
        # An action keeps its key within its own area; new (or foreign) ones get fresh keys.
        own = {a.key for a in existing.actions} if existing else set()
        taken: set[str] = set()
        actions = []
        for action in area.actions:
            if action.key not in own or action.key in taken:
                action = replace(action, key=domain.new_key(content, "h", taken=taken))
            taken.add(action.key)
            actions.append(action)
        saved = replace(area, key=area.key or domain.new_key(content, "a"), actions=tuple(actions))
        errors = domain.validate_area(saved, path="area")
        if errors:
            raise content_validation_error(errors, prefix="area")
        state["kind"] = AreaChange.Kind.CHANGED if existing else AreaChange.Kind.ADDED
        state["area"] = saved
        return domain.with_area(content, saved, priority=priority)

    def log(fresh: PlanVersion, before, after) -> dict:
        AreaChange.objects.create(
            version=fresh, area_key=state["area"].key, area_title=state["area"].title[:300], kind=state["kind"],
            justification=justification.strip(), discussed_with_client=discussed_with_client,
            changed_by=actor, changed_at=timezone.now(),
        )
        return {"area": state["area"].key, "priority": after.priority_of(state["area"].key)}

    return _save_content(
        actor=actor, version=version, revision=revision, change=change, after=log, request=request,
        action=lambda: f"koreplan.plan_version.area_{state['kind']}",
    )


def plan_area_remove(
    *,
    actor: User,
    version: PlanVersion,
    revision: int,
    key: str,
    justification: str,
    discussed_with_client: bool,
    request: HttpRequest | None = None,
) -> PlanVersion:
    """Take an area of effort out of the plan — a deliberate, justified choice (VEJ pkt. 28)."""
    removed: dict[str, domain.AreaOfEffort] = {}

    def change(content: domain.PlanContent) -> domain.PlanContent:
        _require_area_change_confirmed(content, justification, discussed_with_client)
        area = content.area(key)
        if area is None:
            raise ValidationError({"area": _("No such area of effort in this version.")})
        removed["area"] = area
        return domain.without_area(content, key)

    def log(fresh: PlanVersion, before, after) -> None:
        AreaChange.objects.create(
            version=fresh, area_key=key, area_title=removed["area"].title[:300], kind=AreaChange.Kind.REMOVED,
            justification=justification.strip(), discussed_with_client=discussed_with_client,
            changed_by=actor, changed_at=timezone.now(),
        )

    return _save_content(
        actor=actor, version=version, revision=revision, change=change, after=log, request=request,
        action="koreplan.plan_version.area_removed", area=key,
    )


def plan_version_finish(*, actor: User, version: PlanVersion, request: HttpRequest | None = None) -> PlanVersion:
    """Declare the version a finished plan; the first finished version completes `first_plan`.

    A plan is finished when it says whether the client took part and has at least one
    area of effort — also when the client declined: the plan then reflects the goals the
    institution works towards (VEJ pkt. 8). The version stays writable until it locks.
    For a case held by KIF, finishing also completes `supervision_plan` (VEJ pkt. 44).
    """
    today = timezone.localdate()
    with transaction.atomic():
        fresh = _writable(version, actor=actor)
        case = fresh.plan.case
        if fresh.finished_on is not None:
            raise ValidationError({"version": _("This version is already finished.")})
        content = fresh.content_value()
        errors = {}
        if content.participation.status is None:
            errors["participation"] = _("Record whether the client took part in making the plan (VEJ pkt. 7–8).")
        if not content.areas:
            errors["areas"] = _("A plan has at least one area of effort (VEJ pkt. 36).")
        if errors:
            raise ValidationError(errors)
        fresh.finished_on, fresh.finished_by = today, actor
        fresh.save(update_fields=["finished_on", "finished_by"])
        evidence = _("Action plan version %(number)s finished.") % {"number": fresh.number}
        completed = [
            _complete_open_task(
                actor=actor, case=case, obligation_ids=["first_plan"], completed_on=today, evidence=evidence,
                request=request, organisation_id=case.holding_organisation_id,
            )
        ]
        if case.holding_organisation.kind == Organisation.Kind.KIF:
            completed.append(
                _complete_open_task(
                    actor=actor, case=case, obligation_ids=["supervision_plan"], completed_on=today,
                    evidence=evidence, request=request, organisation_id=case.holding_organisation_id,
                )
            )
        _audit(
            "koreplan.plan_version.finished", actor=actor, request=request, case=case, obj=fresh,
            number=fresh.number, tasks=[t.obligation_id for t in completed if t is not None],
        )
    return fresh


# -- approval (VEJ pkt. 20) ------------------------------------------------------------------


def plan_approval_request(
    *, actor: User, version: PlanVersion, comment: str = "", request: HttpRequest | None = None
) -> PlanVersion:
    """Put the version before the department meeting (or the like) for approval."""
    with transaction.atomic():
        fresh = _writable(version, actor=actor)
        case = fresh.plan.case
        if fresh.approval_status == PlanVersion.Approval.REQUESTED:
            raise ValidationError({"approval_status": _("Approval has already been requested.")})
        fresh.approval_status = PlanVersion.Approval.REQUESTED
        fresh.approval_requested_at, fresh.approval_requested_by = timezone.now(), actor
        fresh.approval_decided_at = fresh.approval_decided_by = None
        fresh.approval_comment = comment.strip()
        fresh.save(update_fields=[
            "approval_status", "approval_requested_at", "approval_requested_by",
            "approval_decided_at", "approval_decided_by", "approval_comment",
        ])
        _audit("koreplan.plan_version.approval_requested", actor=actor, request=request, case=case, obj=fresh, number=fresh.number)
    return fresh


def may_decide_approval(user: User, version: PlanVersion) -> bool:
    """A manager or colleague at the holding organisation — not the one who asked."""
    case = version.plan.case
    return (
        version.approval_status == PlanVersion.Approval.REQUESTED
        and may_write(user, case)
        and user.pk != version.approval_requested_by_id
    )


def plan_approval_decide(
    *, actor: User, version: PlanVersion, approve: bool, comment: str = "", request: HttpRequest | None = None
) -> PlanVersion:
    """Approve the version, or send it back with a comment saying what to change."""
    with transaction.atomic():
        fresh = _writable(version, actor=actor)
        case = fresh.plan.case
        if fresh.approval_status != PlanVersion.Approval.REQUESTED:
            raise ValidationError({"approval_status": _("No approval has been requested for this version.")})
        if actor.pk == fresh.approval_requested_by_id:
            raise PermissionDenied(_("A plan is approved by a colleague or manager, not by the one who asked."))
        if not approve and not comment.strip():
            raise ValidationError({"comment": _("Say what should be changed before the plan can be approved.")})
        fresh.approval_status = PlanVersion.Approval.APPROVED if approve else PlanVersion.Approval.SENT_BACK
        fresh.approval_decided_at, fresh.approval_decided_by = timezone.now(), actor
        fresh.approval_comment = comment.strip()
        fresh.save(update_fields=["approval_status", "approval_decided_at", "approval_decided_by", "approval_comment"])
        _audit(
            "koreplan.plan_version.approved" if approve else "koreplan.plan_version.sent_back",
            actor=actor, request=request, case=case, obj=fresh, number=fresh.number,
        )
    return fresh


# -- evaluation and status ---------------------------------------------------------------------

EVALUATION_OBLIGATIONS = ("plan_evaluation", "supervision_evaluation")


def plan_evaluation_record(
    *,
    actor: User,
    version: PlanVersion,
    held_on: date,
    description_update: str,
    carried_out: str = "",
    not_carried_out: str = "",
    reasons: str = "",
    prevention: str = "",
    next_agreements: Iterable[Mapping[str, str]] = (),
    participants: str = "",
    request: HttpRequest | None = None,
) -> Evaluation:
    """Record an evaluation (VEJ pkt. 50) on the version being written; complete the task.

    The task completed is the earliest open `plan_evaluation` (in an institution) or
    `supervision_evaluation` (under KIF) of the holding organisation; the rules then set
    the next one from this date.
    """
    agreements = [
        {k: (a.get(k) or "").strip() for k in ("who", "what", "when")}
        for a in next_agreements
        if any((a.get(k) or "").strip() for k in ("who", "what", "when"))
    ]
    errors: dict[str, str] = {}
    if held_on > timezone.localdate():
        errors["held_on"] = _("The date cannot be in the future.")
    if not description_update.strip():
        errors["description_update"] = _("Update the description and the assessment of the client's situation.")
    if not (carried_out.strip() or not_carried_out.strip()):
        errors["carried_out"] = _("Go through which agreements were carried out as planned, and which were not.")
    if not_carried_out.strip() and not reasons.strip():
        errors["reasons"] = _("Say why the agreements were not carried out.")
    if not agreements:
        errors["next_agreements"] = _("Agree what is to be done in the coming period: who, what, when.")
    elif any(not a["what"] for a in agreements):
        errors["next_agreements"] = _("Every agreement says what is to be done.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        fresh = _writable(version, actor=actor)
        case = fresh.plan.case
        evaluation = Evaluation.objects.create(
            version=fresh, held_on=held_on, participants=participants.strip(),
            description_update=description_update.strip(), carried_out=carried_out.strip(),
            not_carried_out=not_carried_out.strip(), reasons=reasons.strip(), prevention=prevention.strip(),
            next_agreements=agreements, created_by=actor, created_at=timezone.now(),
        )
        task = _complete_open_task(
            actor=actor, case=case, obligation_ids=EVALUATION_OBLIGATIONS, completed_on=held_on, request=request,
            organisation_id=case.holding_organisation_id,
            evidence=_("Evaluation recorded on the action plan, version %(number)s.") % {"number": fresh.number},
        )
        if task is not None:
            evaluation.task = task
            evaluation.save(update_fields=["task"])
        _audit(
            "koreplan.plan_evaluation.recorded", actor=actor, request=request, case=case, obj=evaluation,
            number=fresh.number, held_on=held_on, task=task.obligation_id if task else None,
        )
    return evaluation


def _previous_holder_with_status_due(actor: User, case: Case) -> bool:
    return case.participations.filter(
        organisation_id=actor.organisation_id, part=CaseParticipation.Part.PREVIOUS_HOLDER, ended_at=None
    ).exists() and case.tasks.filter(
        obligation_id="status_at_transfer", responsible_organisation_id=actor.organisation_id, completed_on__isnull=True
    ).exists()


def plan_status_record(
    *,
    actor: User,
    version: PlanVersion,
    kind: str,
    stated_on: date,
    note: str = "",
    request: HttpRequest | None = None,
) -> PlanStatus:
    """State that the plan is reviewed and up to date (VEJ pkt. 44, 53, 57); complete the task.

    At transfer the status is the sender's: the previous holder may record it after the
    hand-over was accepted, as long as its status task is open (cirk. § 8, stk. 1).
    """
    if kind not in PlanStatus.Kind.values:
        raise ValidationError({"kind": _("Choose the occasion of the status.")})
    if stated_on > timezone.localdate():
        raise ValidationError({"stated_on": _("The date cannot be in the future.")})
    at_transfer = kind == PlanStatus.Kind.AT_TRANSFER
    with transaction.atomic():
        fresh = _writable(version, actor=actor, may=_previous_holder_with_status_due if at_transfer else None)
        case = fresh.plan.case
        status = PlanStatus.objects.create(
            version=fresh, kind=kind, stated_on=stated_on, note=note.strip(), created_by=actor, created_at=timezone.now()
        )
        task = _complete_open_task(
            actor=actor, case=case, obligation_ids=[STATUS_OBLIGATIONS[kind]], completed_on=stated_on, request=request,
            organisation_id=None if actor.is_superuser else actor.organisation_id,
            evidence=_("Status on the action plan, version %(number)s.") % {"number": fresh.number},
        )
        if task is not None:
            status.task = task
            status.save(update_fields=["task"])
        _audit(
            "koreplan.plan_status.recorded", actor=actor, request=request, case=case, obj=status,
            number=fresh.number, kind=kind, task=task.obligation_id if task else None,
        )
    return status


# -- reads -------------------------------------------------------------------------------------


def plan_read_record(
    *,
    actor: User,
    case: Case,
    what: str = "plan",
    version: PlanVersion | None = None,
    request: HttpRequest | None = None,
    **data: Any,
) -> None:
    """Audit a read of the plan: ``koreplan.plan.viewed``, ``…compared``, ``…pdf_made``…"""
    actions = {
        "plan": "koreplan.plan.viewed",
        "compare": "koreplan.plan.compared",
        "pdf": "koreplan.plan_version.pdf_made",
        "parole_draft": "koreplan.plan.parole_draft_viewed",
    }
    _audit(
        actions[what], actor=actor, request=request, case=case, obj=version,
        number=version.number if version else None, **data,
    )
