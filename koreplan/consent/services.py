"""Every write of consents and disclosures.

Each service is atomic and writes its audit entry in the same transaction. Problems a
user can fix are ``ValidationError`` naming the field; actions the user may not take are
``PermissionDenied``. The decision whether information may go is the pure domain's
(``decide_disclosure``), made from the database's consents by
:func:`koreplan.consent.selectors.disclosure_decision`.

Disclosure has one rule above all: **without consent nothing leaves until a second person
approves**. :func:`disclosure_propose` records a disclosure that the client's consent
covers as disclosed at once; one that needs a legal basis waits as "awaiting approval"
until :func:`disclosure_approve` — by someone else at the same organisation — decides it
again on that day and lets it go.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from koreplan.accounts.models import User
from koreplan.audit.services import audit_record
from koreplan.cases.models import Case
from koreplan.consent import selectors
from koreplan.consent.models import Category, Consent, Disclosure, Purpose
from koreplan.consent.uploads import check_signed_copy
from koreplan.domain import consent as domain
from koreplan.domain.rules.legal_bases import BY_CODE
from koreplan.organisations.models import MunicipalDepartment, Organisation


def _audit(action: str, *, actor: User, request: HttpRequest | None, case: Case | None, client_id: int, obj, **data):
    audit_record(
        action=action, actor=actor, request=request, case_id=case.pk if case else None, client_id=client_id,
        obj=obj, data=data,
    )


def _require_recorder(actor: User, case: Case) -> None:
    if not selectors.may_record(actor, case):
        raise PermissionDenied(_("Only the organisation holding the case, or its probation department, records consents."))


def _clean_scope(
    *, categories: Iterable[str], recipient_organisation: Organisation | None, recipient_department: str, purposes: Iterable[str]
) -> tuple[list[str], list[str]]:
    errors: dict[str, str] = {}
    categories = [c for c in dict.fromkeys(categories) if c]
    purposes = [p for p in dict.fromkeys(purposes) if p]
    if not categories:
        errors["categories"] = _("Choose the kinds of information.")
    elif unknown := [c for c in categories if c not in Category.values]:
        errors["categories"] = _("Unknown kind of information: %(value)s.") % {"value": ", ".join(unknown)}
    if not purposes:
        errors["purposes"] = _("Choose at least one purpose.")
    elif unknown := [p for p in purposes if p not in Purpose.values]:
        errors["purposes"] = _("Unknown purpose: %(value)s.") % {"value": ", ".join(unknown)}
    if recipient_organisation is None:
        errors["recipient_organisation"] = _("Choose the recipient.")
    elif recipient_department:
        if recipient_department not in MunicipalDepartment.Kind.values:
            errors["recipient_department"] = _("Unknown department.")
        elif recipient_organisation.kind != Organisation.Kind.MUNICIPALITY:
            errors["recipient_department"] = _("Only a municipality has departments to choose from.")
    if errors:
        raise ValidationError(errors)
    order = list(Category.values)
    return sorted(categories, key=order.index), sorted(purposes, key=list(Purpose.values).index)


# -- consents -----------------------------------------------------------------------------


def consent_give(
    *,
    actor: User,
    case: Case,
    categories: Iterable[str],
    recipient_organisation: Organisation | None,
    recipient_department: str = "",
    purposes: Iterable[str],
    given_on: date,
    valid_until: date | None = None,
    note: str = "",
    signed_copy: UploadedFile | None = None,
    request: HttpRequest | None = None,
) -> Consent:
    """Record the client's written consent (VEJ pkt. 65): what, to whom, for what, how long."""
    _require_recorder(actor, case)
    categories, purposes = _clean_scope(
        categories=categories, recipient_organisation=recipient_organisation,
        recipient_department=recipient_department, purposes=purposes,
    )
    today = timezone.localdate()
    if given_on > today:
        raise ValidationError({"given_on": _("The date cannot be in the future.")})
    if valid_until is not None and valid_until < given_on:
        raise ValidationError({"valid_until": _("The consent cannot end before it was given.")})
    checked = check_signed_copy(signed_copy) if signed_copy else None
    with transaction.atomic():
        consent = Consent(
            client=case.client, case=case, decision=Consent.Decision.GIVEN, categories=categories,
            recipient_organisation=recipient_organisation, recipient_department=recipient_department,
            purposes=purposes, given_on=given_on, valid_until=valid_until, note=note.strip(),
            recorded_by=actor, recorded_organisation=actor.organisation or case.holding_organisation,
            recorded_at=timezone.now(),
        )
        consent.save()
        if checked:
            _store_copy(consent, signed_copy, checked, actor)
        _audit(
            "koreplan.consent.given", actor=actor, request=request, case=case, client_id=case.client_id, obj=consent,
            categories=categories, recipient=recipient_organisation.pk, department=recipient_department,
            purposes=purposes, given_on=given_on, valid_until=valid_until, signed_copy=bool(checked),
        )
    return consent


def consent_refuse(
    *,
    actor: User,
    case: Case,
    categories: Iterable[str],
    recipient_organisation: Organisation | None,
    recipient_department: str = "",
    purposes: Iterable[str],
    refused_on: date,
    refusal_kind: str,
    reasons: str,
    request: HttpRequest | None = None,
) -> Consent:
    """Record that the client refused, and why, as precisely as possible (VEJ pkt. 65).

    A refusal is respected: while it is in force the domain refuses the disclosure even
    where an older consent would cover it. Only a legal basis, justified and approved by a
    second person, can then carry information.
    """
    _require_recorder(actor, case)
    categories, purposes = _clean_scope(
        categories=categories, recipient_organisation=recipient_organisation,
        recipient_department=recipient_department, purposes=purposes,
    )
    errors = {}
    if refusal_kind not in Consent.RefusalKind.values:
        errors["refusal_kind"] = _("Say how the client refused.")
    if not reasons.strip():
        errors["refusal_reasons"] = _("Write down the client's reasons as precisely as possible (VEJ pkt. 65).")
    if refused_on > timezone.localdate():
        errors["given_on"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        consent = Consent.objects.create(
            client=case.client, case=case, decision=Consent.Decision.REFUSED, categories=categories,
            recipient_organisation=recipient_organisation, recipient_department=recipient_department,
            purposes=purposes, given_on=refused_on, refusal_kind=refusal_kind, refusal_reasons=reasons.strip(),
            recorded_by=actor, recorded_organisation=actor.organisation or case.holding_organisation,
            recorded_at=timezone.now(),
        )
        _audit(
            "koreplan.consent.refused", actor=actor, request=request, case=case, client_id=case.client_id, obj=consent,
            categories=categories, recipient=recipient_organisation.pk, department=recipient_department,
            purposes=purposes, refused_on=refused_on, refusal_kind=refusal_kind,
        )
    return consent


def consent_withdraw(
    *, actor: User, case: Case, consent: Consent, withdrawn_on: date, note: str = "", request: HttpRequest | None = None
) -> Consent:
    """The client withdraws a consent (or takes back a refusal) from a date on.

    From that day the domain no longer counts it; what was disclosed before stays
    disclosed and recorded.
    """
    _require_recorder(actor, case)
    if consent.client_id != case.client_id:
        raise PermissionDenied(_("The consent belongs to another client."))
    if consent.withdrawn_on is not None:
        raise ValidationError({"withdrawn_on": _("It was already withdrawn on %(day)s.") % {"day": consent.withdrawn_on}})
    if withdrawn_on > timezone.localdate():
        raise ValidationError({"withdrawn_on": _("The date cannot be in the future.")})
    if withdrawn_on < consent.given_on:
        raise ValidationError({"withdrawn_on": _("It cannot be withdrawn before it was given.")})
    with transaction.atomic():
        consent.withdrawn_on, consent.withdrawn_by, consent.withdrawn_at = withdrawn_on, actor, timezone.now()
        consent.withdrawal_note = note.strip()
        consent.save(update_fields=["withdrawn_on", "withdrawn_by", "withdrawn_at", "withdrawal_note"])
        _audit(
            "koreplan.consent.withdrawn", actor=actor, request=request, case=case, client_id=case.client_id, obj=consent,
            withdrawn_on=withdrawn_on, decision=consent.decision,
        )
    return consent


def _store_copy(consent: Consent, upload: UploadedFile, checked, actor: User) -> None:
    old = consent.signed_copy.name if consent.signed_copy else ""
    consent.signed_copy.save(f"copy{checked.extension}", upload, save=False)
    consent.signed_copy_name = checked.name
    consent.signed_copy_type = checked.content_type
    consent.signed_copy_size = checked.size
    consent.signed_copy_sha256 = checked.sha256
    consent.signed_copy_uploaded_at = timezone.now()
    consent.signed_copy_uploaded_by = actor
    consent.save(update_fields=[
        "signed_copy", "signed_copy_name", "signed_copy_type", "signed_copy_size", "signed_copy_sha256",
        "signed_copy_uploaded_at", "signed_copy_uploaded_by",
    ])
    if old:
        # The replaced file goes once the new one is saved; the audit log keeps both digests.
        transaction.on_commit(lambda: consent.signed_copy.storage.delete(old))


def consent_signed_copy_attach(
    *, actor: User, case: Case, consent: Consent, upload: UploadedFile, request: HttpRequest | None = None
) -> Consent:
    """Attach (or replace) the scanned, signed form of a consent."""
    _require_recorder(actor, case)
    if consent.client_id != case.client_id:
        raise PermissionDenied(_("The consent belongs to another client."))
    if consent.refused:
        raise ValidationError({"signed_copy": _("A refusal has no signed form.")})
    checked = check_signed_copy(upload)
    with transaction.atomic():
        replaced = consent.signed_copy_sha256
        _store_copy(consent, upload, checked, actor)
        _audit(
            "koreplan.consent.signed_copy_attached", actor=actor, request=request, case=case,
            client_id=case.client_id, obj=consent, content_type=checked.content_type, size=checked.size,
            sha256=checked.sha256, replaced=replaced,
        )
    return consent


def consent_signed_copy_read_record(*, actor: User, case: Case, consent: Consent, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        _audit(
            "koreplan.consent.signed_copy_viewed", actor=actor, request=request, case=case, client_id=case.client_id,
            obj=consent, sha256=consent.signed_copy_sha256,
        )


def consent_form_printed_record(*, actor: User, case: Case, request: HttpRequest | None = None, **scope) -> None:
    with transaction.atomic():
        _audit("koreplan.consent.form_printed", actor=actor, request=request, case=case, client_id=case.client_id,
               obj=None, **scope)


def consents_read_record(*, actor: User, case: Case, request: HttpRequest | None = None, page: str = "") -> None:
    with transaction.atomic():
        _audit("koreplan.consent.viewed", actor=actor, request=request, case=case, client_id=case.client_id, obj=None,
               page=page)


# -- disclosures ----------------------------------------------------------------------------


def reasons_data(decision: domain.Decision) -> list[dict]:
    return [
        {
            "code": r.code,
            "category": r.category.value if r.category else None,
            "da": r.da,
            "en": r.en,
            "department": r.recipient.department if r.recipient else None,
        }
        for r in decision.reasons
    ]


def decision_error(decision: domain.Decision, field: str = "categories") -> ValidationError:
    """A refusal as the user reads it: one message per reason, in their language."""
    danish = (get_language() or "da").startswith("da")
    messages = [r.da if danish else r.en for r in decision.reasons if r.code != "legal_basis"]
    return ValidationError({field: messages or [_("The disclosure is not allowed.")]})


def disclosure_propose(
    *,
    actor: User,
    case: Case,
    summary: str,
    categories: Iterable[str],
    recipient_organisation: Organisation,
    departments: Iterable[str] = (),
    purpose: str,
    legal_basis: str = "",
    justification: str = "",
    request: HttpRequest | None = None,
) -> tuple[Disclosure, domain.Decision]:
    # ``departments``: the departments that read it, "" for the organisation as a whole;
    # none named means the whole organisation.
    """Record a disclosure, decided on today's consents.

    Covered by consent: recorded as disclosed, now. Not covered, but with a legal basis in
    force today and a written justification: recorded as awaiting a second person's
    approval — nothing leaves yet. Otherwise ``ValidationError`` with the reasons, per
    category. The caller sends the information only once the disclosure is disclosed.
    """
    _require_recorder(actor, case)
    categories = [c for c in dict.fromkeys(categories) if c]
    departments = list(dict.fromkeys(departments))
    if not categories:
        raise ValidationError({"categories": _("Choose the kinds of information.")})
    if legal_basis and legal_basis not in BY_CODE:
        raise ValidationError({"legal_basis": _("Unknown legal basis.")})
    today = timezone.localdate()
    common = dict(
        client=case.client, categories=categories, recipient_organisation=recipient_organisation,
        departments=departments, purpose=purpose, on=today,
    )
    decision = selectors.disclosure_decision(**common)
    if decision.outcome is domain.Outcome.REFUSED and legal_basis:
        if not justification.strip():
            raise ValidationError({"justification": _("A disclosure without consent needs a written justification.")})
        # Would it be allowed once a second person approves? Then it waits for them.
        decision = selectors.disclosure_decision(
            **common, legal_basis=legal_basis, justification=justification, second_approval=True
        )
    if decision.outcome is domain.Outcome.REFUSED:
        raise decision_error(decision, "legal_basis" if legal_basis else "categories")
    on_basis = decision.outcome is domain.Outcome.ALLOWED_ON_LEGAL_BASIS
    now = timezone.now()
    with transaction.atomic():
        disclosure = Disclosure.objects.create(
            case=case, client=case.client, summary=summary[:200], categories=categories,
            recipient_organisation=recipient_organisation, recipient_departments=departments, purpose=purpose,
            outcome=decision.outcome.value, legal_basis=legal_basis if on_basis else "",
            justification=justification.strip() if on_basis else "", reasons=reasons_data(decision),
            status=Disclosure.Status.AWAITING_APPROVAL if on_basis else Disclosure.Status.DISCLOSED,
            proposed_by=actor, proposing_organisation=actor.organisation or case.holding_organisation,
            proposed_at=now, disclosed_at=None if on_basis else now,
        )
        if decision.consent_ids:
            disclosure.consents.set(decision.consent_ids)
        _audit(
            "koreplan.disclosure.recorded", actor=actor, request=request, case=case, client_id=case.client_id,
            obj=disclosure, summary=disclosure.summary, categories=categories, recipient=recipient_organisation.pk,
            departments=departments, purpose=purpose, outcome=decision.outcome.value, consents=list(decision.consent_ids),
            legal_basis=disclosure.legal_basis, status=disclosure.status,
        )
    return disclosure, decision


def disclosure_approve(*, actor: User, disclosure: Disclosure, request: HttpRequest | None = None) -> domain.Decision:
    """The second person's approval of a disclosure without consent: then, and only then, it leaves.

    The approver is someone else at the proposer's organisation. The decision is made
    again on the day of approval: a consent withdrawn or a basis no longer in force in
    the meantime refuses it.
    """
    if disclosure.status != Disclosure.Status.AWAITING_APPROVAL:
        raise ValidationError(_("This disclosure is not awaiting approval."))
    if actor.pk == disclosure.proposed_by_id:
        raise PermissionDenied(_("A disclosure without consent must be approved by someone other than the person who proposed it."))
    if actor.organisation_id != disclosure.proposing_organisation_id:
        raise PermissionDenied(_("Only a colleague at the organisation that proposed the disclosure can approve it."))
    decision = selectors.disclosure_decision(
        client=disclosure.client, categories=disclosure.categories,
        recipient_organisation=disclosure.recipient_organisation, departments=disclosure.recipient_departments,
        purpose=disclosure.purpose, on=timezone.localdate(), legal_basis=disclosure.legal_basis,
        justification=disclosure.justification, second_approval=True,
    )
    if decision.outcome is domain.Outcome.REFUSED:
        raise decision_error(decision, "legal_basis")
    now = timezone.now()
    with transaction.atomic():
        locked = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
        if locked.status != Disclosure.Status.AWAITING_APPROVAL:
            raise ValidationError(_("This disclosure is not awaiting approval."))
        disclosure.status = Disclosure.Status.DISCLOSED
        disclosure.outcome = decision.outcome.value
        disclosure.reasons = reasons_data(decision)
        disclosure.approved_by, disclosure.approved_at, disclosure.disclosed_at = actor, now, now
        disclosure.save(update_fields=["status", "outcome", "reasons", "approved_by", "approved_at", "disclosed_at"])
        disclosure.consents.set(decision.consent_ids)
        _audit(
            "koreplan.disclosure.approved", actor=actor, request=request, case=disclosure.case,
            client_id=disclosure.client_id, obj=disclosure, legal_basis=disclosure.legal_basis,
            proposed_by=disclosure.proposed_by_id, categories=disclosure.categories,
        )
    return decision


def disclosure_reject(*, actor: User, disclosure: Disclosure, reason: str, request: HttpRequest | None = None) -> Disclosure:
    """Stop a disclosure awaiting approval: the proposer withdraws it, or a colleague refuses it."""
    if disclosure.status != Disclosure.Status.AWAITING_APPROVAL:
        raise ValidationError(_("This disclosure is not awaiting approval."))
    if actor.organisation_id != disclosure.proposing_organisation_id:
        raise PermissionDenied(_("Only the organisation that proposed the disclosure can stop it."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    with transaction.atomic():
        disclosure.status = Disclosure.Status.REJECTED
        disclosure.rejected_by, disclosure.rejected_at, disclosure.rejection_reason = actor, timezone.now(), reason.strip()
        disclosure.save(update_fields=["status", "rejected_by", "rejected_at", "rejection_reason"])
        _audit(
            "koreplan.disclosure.rejected", actor=actor, request=request, case=disclosure.case,
            client_id=disclosure.client_id, obj=disclosure, by_proposer=actor.pk == disclosure.proposed_by_id,
        )
    return disclosure
