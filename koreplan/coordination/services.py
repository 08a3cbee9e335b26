"""Every write of notices and requests to municipalities, and of their answers.

Each service is atomic and writes its audit entry in the same transaction; a
``ValidationError`` names the field the user can fix, ``PermissionDenied`` refuses an
action the user may not take.

Sending (:func:`request_send`) builds the request again exactly as the preview did
(``letters.build_draft``) and refuses if its digest differs from the one previewed — the
letter, the plan or a consent changed in between — or if the consent decision refuses.
It records a :class:`~koreplan.consent.models.Disclosure`: on consent the request leaves
at once and completes the case's matching task (``notify_municipality_of_intake``,
``obtain_case_files``, ``municipality_coordination`` or, from KIF,
``kif_municipality_coordination``); without consent it waits until a colleague approves
(:func:`request_approve`). The municipality's entrance then opens it (received), and
routes it to a department and a named caseworker — the municipality has hold — or
returns it with a reason.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from koreplan.accounts.models import Role, User
from koreplan.audit.services import audit_record
from koreplan.cases.models import Case, Task
from koreplan.cases.services import task_complete
from koreplan.consent import selectors as consent_selectors
from koreplan.consent import services as consent_services
from koreplan.consent.models import Disclosure
from koreplan.coordination import selectors
from koreplan.coordination.letters import Draft, RequestInput, build_draft, obligation_of
from koreplan.coordination.models import MunicipalRequest, RequestReminder
from koreplan.coordination.notify import _notify_new_request, _notify_request_answered, _notify_unanswered
from koreplan.domain import consent as domain
from koreplan.organisations.models import MunicipalDepartment, Organisation


def _audit(action: str, *, actor: User | None, request: HttpRequest | None, req: MunicipalRequest, **data) -> None:
    audit_record(
        action=action, actor=actor, request=request, case_id=req.case_id, client_id=req.case.client_id, obj=req,
        data={"kind": req.kind, "municipality": req.municipality_id, **data},
    )


def _require_sender(actor: User, case: Case) -> None:
    if not selectors.may_send(actor, case):
        raise PermissionDenied(_("Only the organisation holding the case, or its probation department, writes to the municipality about it."))


# -- Kriminalforsorgen's side ----------------------------------------------------------------


def request_preview(*, actor: User, case: Case, inp: RequestInput, today: date | None = None) -> Draft:
    """The request exactly as the municipality would see it if sent now (nothing is saved)."""
    _require_sender(actor, case)
    return build_draft(actor=actor, case=case, inp=inp, today=today or timezone.localdate())


def request_send(
    *, actor: User, case: Case, inp: RequestInput, digest: str, http_request: HttpRequest | None = None
) -> MunicipalRequest:
    """Send what was previewed. See the module's docstring."""
    _require_sender(actor, case)
    draft = build_draft(actor=actor, case=case, inp=inp, today=timezone.localdate())
    if digest != draft.digest:
        raise ValidationError({"digest": _("The request has changed since you previewed it (the letter, the plan or a consent). Look at the preview again before you send.")})
    if not draft.sendable:
        raise consent_services.decision_error(draft.decision, "legal_basis" if inp.legal_basis else "categories")
    now = timezone.now()
    with transaction.atomic():
        disclosure, _decision = consent_services.disclosure_propose(
            actor=actor, case=case, summary=_summary(inp.kind), categories=draft.categories,
            recipient_organisation=inp.municipality,
            departments=[r.department or "" for r in draft.recipients],
            purpose=draft.purpose.value,
            legal_basis=inp.legal_basis if draft.needs_approval else "",
            justification=inp.justification if draft.needs_approval else "",
            request=http_request,
        )
        sent = disclosure.status == Disclosure.Status.DISCLOSED
        req = MunicipalRequest.objects.create(
            case=case, kind=inp.kind, step=draft.step, municipality=inp.municipality,
            departments=list(inp.departments), sending_organisation=actor.organisation or case.holding_organisation,
            created_by=actor, created_at=now, disclosure=disclosure, letter=inp.letter(), snapshot=draft.snapshot,
            digest=draft.digest,
            status=MunicipalRequest.Status.SENT if sent else MunicipalRequest.Status.AWAITING_APPROVAL,
            sent_at=now if sent else None,
        )
        _audit(
            "koreplan.coordination.request.sent" if sent else "koreplan.coordination.request.proposed",
            actor=actor, request=http_request, req=req, disclosure=disclosure.pk, digest=draft.digest,
            categories=draft.categories, step=draft.step,
        )
        if sent:
            _on_sent(req, actor, http_request)
    return req


def _summary(kind: str) -> str:
    return str(dict(MunicipalRequest._meta.get_field("kind").choices).get(kind, kind))


def _on_sent(req: MunicipalRequest, actor: User, http_request: HttpRequest | None) -> None:
    """The request has left: complete the case's matching task and tell the entrance."""
    obligation = obligation_of(req.kind, req.sending_organisation)
    task = (
        Task.objects.filter(case=req.case, obligation_id=obligation, completed_on__isnull=True)
        .select_related("case").order_by("occurrence").first()
    )
    if task is not None:
        try:
            task_complete(
                actor=actor, task=task, completed_on=timezone.localdate(),
                evidence=_("%(kind)s sent to %(municipality)s in Køreplan.") % {"kind": req.get_kind_display(), "municipality": req.municipality},
                request=http_request,
            )
        except (PermissionDenied, ValidationError):
            task = None  # someone else's task, or already done: the request still left
        else:
            req.task = task
            req.save(update_fields=["task"])
    _notify_new_request(req)


def request_approve(*, actor: User, req: MunicipalRequest, http_request: HttpRequest | None = None) -> MunicipalRequest:
    """A colleague approves a request without consent: it leaves now."""
    if req.status != MunicipalRequest.Status.AWAITING_APPROVAL:
        raise ValidationError(_("This request is not awaiting approval."))
    if not selectors.may_send(actor, req.case):
        raise PermissionDenied(_("Only the organisation holding the case, or its probation department, writes to the municipality about it."))
    with transaction.atomic():
        consent_services.disclosure_approve(actor=actor, disclosure=req.disclosure, request=http_request)
        req.status, req.sent_at = MunicipalRequest.Status.SENT, timezone.now()
        req.save(update_fields=["status", "sent_at"])
        _audit("koreplan.coordination.request.sent", actor=actor, request=http_request, req=req,
               disclosure=req.disclosure_id, approved_by=actor.pk, proposed_by=req.created_by_id)
        _on_sent(req, actor, http_request)
    return req


def request_cancel(*, actor: User, req: MunicipalRequest, reason: str, http_request: HttpRequest | None = None) -> MunicipalRequest:
    """Stop a request awaiting approval: nothing left, and the disclosure is recorded as rejected."""
    if req.status != MunicipalRequest.Status.AWAITING_APPROVAL:
        raise ValidationError(_("Only a request awaiting approval can be stopped; the others have left."))
    with transaction.atomic():
        consent_services.disclosure_reject(actor=actor, disclosure=req.disclosure, reason=reason, request=http_request)
        req.status, req.cancelled_at, req.cancelled_by = MunicipalRequest.Status.CANCELLED, timezone.now(), actor
        req.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        _audit("koreplan.coordination.request.cancelled", actor=actor, request=http_request, req=req)
    return req


def request_read_record(*, actor: User, req: MunicipalRequest, http_request: HttpRequest | None = None, page: str = "") -> None:
    with transaction.atomic():
        _audit("koreplan.coordination.request.viewed", actor=actor, request=http_request, req=req, page=page)


# -- the municipality's side -------------------------------------------------------------------


def inbox_read_record(*, actor: User, requests, http_request: HttpRequest | None = None, page: str = "") -> None:
    """Audit a view of the inbox: a list that names citizens."""
    with transaction.atomic():
        audit_record(
            action="koreplan.coordination.inbox.viewed", actor=actor, request=http_request,
            data={"requests": [r.pk for r in requests], "page": page},
        )


def request_open(*, actor: User, req: MunicipalRequest, http_request: HttpRequest | None = None, page: str = "") -> MunicipalRequest:
    """A municipal reader opens a request. The first time the entrance does, it is received.

    Every opening is audited: what a municipality read about a client is as much on
    record as what was sent to it.
    """
    with transaction.atomic():
        if req.status == MunicipalRequest.Status.SENT and selectors.is_entrance(actor, req.municipality_id):
            updated = MunicipalRequest.objects.filter(pk=req.pk, status=MunicipalRequest.Status.SENT).update(
                status=MunicipalRequest.Status.RECEIVED, received_at=timezone.now(), received_by=actor
            )
            if updated:
                req.refresh_from_db()
                _audit("koreplan.coordination.request.received", actor=actor, request=http_request, req=req)
        _audit("koreplan.coordination.request.viewed", actor=actor, request=http_request, req=req, page=page)
    return req


def _require_entrance(actor: User, req: MunicipalRequest) -> None:
    if not selectors.is_entrance(actor, req.municipality_id):
        raise PermissionDenied(_("Only the municipality's entrance routes or returns a request."))
    if req.status not in MunicipalRequest.OPEN:
        raise ValidationError(_("This request has already been answered."))


def _department_covered(req: MunicipalRequest, department: MunicipalDepartment) -> domain.Decision | None:
    """None if the department may read what was disclosed; else the refusing decision.

    The departments the sender named (and the entrance's own) were checked when it was
    sent. Another department may read it only if the client's consent covers it too.
    """
    disclosure = req.disclosure
    named = disclosure.recipient_departments
    if not named or "" in named or department.kind in named:
        return None
    decision = consent_selectors.disclosure_decision(
        client=req.case.client, categories=disclosure.categories, recipient_organisation=req.municipality,
        departments=[department.kind], purpose=disclosure.purpose, on=timezone.localdate(),
    )
    return None if decision.outcome is domain.Outcome.ALLOWED else decision


def request_route(
    *,
    actor: User,
    req: MunicipalRequest,
    department: MunicipalDepartment | None,
    caseworker: User | None,
    note: str = "",
    http_request: HttpRequest | None = None,
) -> MunicipalRequest:
    """The entrance routes the request to a department and a named caseworker: the
    municipality has hold (GL: "ingen myndighed slipper, før en anden har fat")."""
    _require_entrance(actor, req)
    errors = {}
    if department is None or department.municipality_id != req.municipality_id:
        errors["department"] = _("Choose one of the municipality's departments.")
    if caseworker is None or caseworker.organisation_id != req.municipality_id or not caseworker.is_active:
        errors["caseworker"] = _("Choose a caseworker at the municipality.")
    elif caseworker.role not in (Role.MUNICIPAL_CASEWORKER, Role.MUNICIPAL_ENTRANCE):
        errors["caseworker"] = _("Choose a caseworker at the municipality.")
    elif department is not None and caseworker.department_id != department.pk:
        errors["caseworker"] = _("%(person)s does not work in %(department)s.") % {"person": caseworker, "department": department}
    if errors:
        raise ValidationError(errors)
    refused = _department_covered(req, department)
    if refused is not None:
        raise ValidationError({"department": _(
            "The client's consent does not cover %(department)s. Route it to a department the request names, or "
            "return it so that the sender can ask the client."
        ) % {"department": department}})
    with transaction.atomic():
        now = timezone.now()
        updated = MunicipalRequest.objects.filter(pk=req.pk, status__in=MunicipalRequest.OPEN).update(
            status=MunicipalRequest.Status.ACCEPTED, routed_department=department, routed_caseworker=caseworker,
            routing_note=note.strip(), accepted_at=now, accepted_by=actor,
            received_at=req.received_at or now, received_by=req.received_by or actor,
        )
        if not updated:
            raise ValidationError(_("This request has already been answered."))
        req.refresh_from_db()
        _audit("koreplan.coordination.request.accepted", actor=actor, request=http_request, req=req,
               department=department.pk, caseworker=caseworker.pk)
        _notify_request_answered(req)
    return req


def request_return(
    *,
    actor: User,
    req: MunicipalRequest,
    reason: str,
    suggested_municipality: Organisation | None = None,
    http_request: HttpRequest | None = None,
) -> MunicipalRequest:
    """The entrance returns the request with a reason ("not the acting municipality; try X")."""
    _require_entrance(actor, req)
    errors = {}
    if not reason.strip():
        errors["reason"] = _("Say why you return it, so that the sender knows what to do.")
    if suggested_municipality is not None and (
        suggested_municipality.kind != Organisation.Kind.MUNICIPALITY or suggested_municipality.pk == req.municipality_id
    ):
        errors["suggested_municipality"] = _("Choose another municipality.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        now = timezone.now()
        updated = MunicipalRequest.objects.filter(pk=req.pk, status__in=MunicipalRequest.OPEN).update(
            status=MunicipalRequest.Status.RETURNED, returned_at=now, returned_by=actor, return_reason=reason.strip(),
            suggested_municipality=suggested_municipality,
            received_at=req.received_at or now, received_by=req.received_by or actor,
        )
        if not updated:
            raise ValidationError(_("This request has already been answered."))
        req.refresh_from_db()
        _audit("koreplan.coordination.request.returned", actor=actor, request=http_request, req=req,
               suggested_municipality=getattr(suggested_municipality, "pk", None))
        _notify_request_answered(req)
    return req


# -- reminders and escalation -------------------------------------------------------------------


def requests_remind(*, today: date | None = None) -> int:
    """Send every reminder and escalation that is due (``selectors.requests_due_for_reminder``).

    Idempotent: each is recorded (one per request and kind, a unique constraint) in the
    transaction that tells the recipients, so a second run the same day — or two workers
    at once — sends nothing twice. Returns how many were sent.
    """
    today = today or timezone.localdate()
    sent = 0
    for req, kind, due_on in selectors.requests_due_for_reminder(today):
        try:
            with transaction.atomic():
                reminder = RequestReminder.objects.create(request=req, kind=kind, due_on=due_on, sent_at=timezone.now())
                audit_record(
                    action=f"koreplan.coordination.request.{'reminded' if kind == RequestReminder.Kind.REMINDER else 'escalated'}",
                    case_id=req.case_id, client_id=req.case.client_id, obj=req,
                    data={"kind": req.kind, "municipality": req.municipality_id, "due_on": due_on, "reminder": reminder.pk},
                )
                _notify_unanswered(req, kind)
        except IntegrityError:
            continue  # another run sent it first
        sent += 1
    return sent
