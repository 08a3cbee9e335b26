"""A notice or request exactly as the municipality will see it — built the same way for the
sender's preview and for sending.

:func:`build_draft` reads the case, the plan's newest version and the client's consents,
asks the consent decision whether each kind of information may go to every department
that will read it (the entrance, then the departments named), cuts the plan with the
domain's redaction to what may go, and freezes the result as a ``snapshot``: plain JSON
holding values, not labels, so the recipient reads it in their own language. Its
``digest`` is what the preview shows and what sending checks: if anything changed between
preview and send — the letter, the plan, a consent — the digest differs and the sender
must look again. What the sender previewed is therefore what the recipient gets.

The cover letter follows GL "Samarbejde og koordinering" and VEJ pkt. 65: the purpose and
what is expected of the municipality, the client's situation and wishes, the areas and
departments, whether the plan is attached (if not, why and where it can be had), the
options on Kriminalforsorgen's side, and a proposal to meet.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from koreplan.accounts.models import Role, User
from koreplan.cases.models import Case
from koreplan.consent import selectors as consent_selectors
from koreplan.coordination.models import Kind
from koreplan.domain import consent as domain
from koreplan.domain.plan import PlanContent
from koreplan.domain.redaction import LeftOut, PlanExcerpt, category_of, left_out, redact
from koreplan.organisations.models import Entrance, MunicipalDepartment, Organisation

SNAPSHOT_SCHEMA = 1

PURPOSE_OF_KIND = {
    Kind.INTAKE_NOTICE: domain.Purpose.INTAKE_NOTICE,
    Kind.CASE_FILES: domain.Purpose.CASE_FILES,
    Kind.COORDINATION: domain.Purpose.COORDINATION,
}

#: The task each kind completes when it is sent; coordination by KIF is step 11.
OBLIGATION_OF_KIND = {
    Kind.INTAKE_NOTICE: "notify_municipality_of_intake",
    Kind.CASE_FILES: "obtain_case_files",
    Kind.COORDINATION: "municipality_coordination",
}
KIF_COORDINATION = "kif_municipality_coordination"


def step_of(kind: str, sender: Organisation) -> str:
    if kind == Kind.INTAKE_NOTICE:
        return "1"
    if kind == Kind.CASE_FILES:
        return "4"
    return "11" if sender.kind == Organisation.Kind.KIF else "6"


def obligation_of(kind: str, sender: Organisation) -> str:
    if kind == Kind.COORDINATION and sender.kind == Organisation.Kind.KIF:
        return KIF_COORDINATION
    return OBLIGATION_OF_KIND[Kind(kind)]


@dataclass(frozen=True)
class RequestInput:
    """What the sender wrote. Which fields matter depends on ``kind``."""

    kind: str
    municipality: Organisation
    departments: tuple[str, ...] = ()
    # The request for coordination (steps 6 and 11)
    purpose_text: str = ""
    expectations: str = ""
    situation_and_wishes: str = ""
    #: The life areas to coordinate (or, for case files, the files wanted about).
    life_areas: tuple[str, ...] = ()
    #: Keys of the plan's areas of effort to coordinate: these are "the time after release".
    area_keys: tuple[str, ...] = ()
    partner_keys: tuple[str, ...] = ()
    include_causes: bool = False
    plan_attached: bool = True
    plan_not_attached_reason: str = ""
    plan_available_from: str = ""
    kf_options: tuple[str, ...] = ()
    kf_options_note: str = ""
    meeting_proposal: str = ""
    meeting_proposed_on: date | None = None
    # The notice of intake and the request for case files
    message: str = ""
    # Disclosure without consent
    legal_basis: str = ""
    justification: str = ""

    def letter(self) -> dict[str, Any]:
        """The letter as stored on the request (JSON)."""
        return {
            "departments": list(self.departments),
            "purpose_text": self.purpose_text.strip(),
            "expectations": self.expectations.strip(),
            "situation_and_wishes": self.situation_and_wishes.strip(),
            "life_areas": list(self.life_areas),
            "area_keys": list(self.area_keys),
            "partner_keys": list(self.partner_keys),
            "include_causes": self.include_causes,
            "plan_attached": self.plan_attached,
            "plan_not_attached_reason": self.plan_not_attached_reason.strip(),
            "plan_available_from": self.plan_available_from.strip(),
            "kf_options": list(self.kf_options),
            "kf_options_note": self.kf_options_note.strip(),
            "meeting_proposal": self.meeting_proposal.strip(),
            "meeting_proposed_on": self.meeting_proposed_on.isoformat() if self.meeting_proposed_on else None,
            "message": self.message.strip(),
        }


@dataclass
class Draft:
    case: Case
    input: RequestInput
    step: str
    purpose: domain.Purpose
    categories: list[str]
    recipients: list[domain.Recipient]
    decision: domain.Decision
    #: Allowed only once a second person approves (a legal basis without consent).
    needs_approval: bool
    excerpt: PlanExcerpt | None
    left_out: tuple[LeftOut, ...]
    snapshot: dict[str, Any]
    digest: str
    plan_version: Any = None
    warnings: list[str] = field(default_factory=list)

    @property
    def sendable(self) -> bool:
        return self.decision.outcome is not domain.Outcome.REFUSED


def entrance_of(municipality: Organisation) -> Entrance | None:
    try:
        return Entrance.objects.select_related("department").get(municipality=municipality)
    except Entrance.DoesNotExist:
        return None


def recipients_of(municipality: Organisation, departments) -> list[domain.Recipient]:
    """Who reads it: the entrance's department (or, if none is named, the whole
    municipality), then each department the sender names."""
    entrance = entrance_of(municipality)
    first = domain.Recipient(municipality.pk, entrance.department.kind if entrance else None)
    return list(dict.fromkeys([first, *(domain.Recipient(municipality.pk, d) for d in departments if d)]))


def _plan(case: Case):
    """The newest version of the case's plan and its content, or (None, None)."""
    from koreplan.plans.selectors import plan_latest_version, plan_of

    plan = plan_of(case=case)
    version = plan_latest_version(plan=plan) if plan else None
    return (version, version.content_value()) if version else (None, None)


def input_errors(inp: RequestInput, content: PlanContent | None) -> dict[str, str]:
    """What the letter lacks; the form shows each at its field."""
    errors: dict[str, str] = {}
    if inp.municipality.kind != Organisation.Kind.MUNICIPALITY:
        errors["municipality"] = _("Choose a municipality.")
    if unknown := set(inp.departments) - set(MunicipalDepartment.Kind.values):
        errors["departments"] = _("Unknown department: %(value)s.") % {"value": ", ".join(sorted(unknown))}
    if inp.kind == Kind.CASE_FILES:
        if not inp.life_areas:
            errors["life_areas"] = _("Say which kinds of information the files you ask for are about.")
        if not inp.message.strip():
            errors["message"] = _("Say which files you ask for, and why.")
    if inp.kind == Kind.COORDINATION:
        for name, message in (
            ("purpose_text", _("Describe the purpose of the request.")),
            ("expectations", _("Say what you expect of the municipality.")),
            ("situation_and_wishes", _("Describe the client's situation and wishes.")),
        ):
            if not getattr(inp, name).strip():
                errors[name] = message
        if not (inp.life_areas or inp.area_keys):
            errors["life_areas"] = _("Name the areas you want to coordinate.")
        if inp.plan_attached:
            if content is None:
                errors["plan_attached"] = _("The case has no action plan yet. Say why it is not attached.")
            elif unknown := set(inp.area_keys) - {a.key for a in content.areas}:
                errors["area_keys"] = _("The plan has no area of effort %(key)s any more.") % {"key": ", ".join(sorted(unknown))}
        else:
            if not inp.plan_not_attached_reason.strip():
                errors["plan_not_attached_reason"] = _("Say why the plan is not attached.")
            if not inp.plan_available_from.strip():
                errors["plan_available_from"] = _("Say where the plan can be had.")
    if inp.legal_basis and not inp.justification.strip():
        errors["justification"] = _("A disclosure without consent needs a written justification.")
    return errors


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def build_draft(*, actor: User, case: Case, inp: RequestInput, today: date) -> Draft:
    """The notice or request as it would leave today; ``ValidationError`` if the letter is incomplete."""
    version, content = _plan(case) if inp.kind == Kind.COORDINATION else (None, None)
    errors = input_errors(inp, content)
    if errors:
        raise ValidationError(errors)
    sender = actor.organisation or case.holding_organisation
    attach = inp.kind == Kind.COORDINATION and inp.plan_attached and content is not None
    chosen_areas = [a for a in content.areas if a.key in set(inp.area_keys)] if attach else []

    categories = {domain.Category.SENTENCE.value, *inp.life_areas}
    categories |= {category_of(a.life_area).value for a in chosen_areas}
    if attach and inp.include_causes:
        categories.add(domain.Category.OFFENCE.value)
    order = [c.value for c in domain.Category]
    categories_list = sorted(categories, key=order.index)

    purpose = PURPOSE_OF_KIND[Kind(inp.kind)]
    recipients = recipients_of(inp.municipality, inp.departments)
    records = consent_selectors.consent_records(client=case.client)

    def decide(categories=categories_list, **extra) -> domain.Decision:
        proposal = domain.ProposedDisclosure(
            categories=frozenset(domain.Category(c) for c in categories),
            recipient=recipients[0], purpose=purpose, on=today, **extra,
        )
        return domain.decide_disclosure_to_all(records, proposal, recipients)

    decision = decide()
    basis: dict = {}
    needs_approval = False
    if decision.outcome is domain.Outcome.REFUSED and inp.legal_basis:
        basis = {"legal_basis": inp.legal_basis, "justification": inp.justification, "second_approval": True}
        with_basis = decide(**basis)
        if with_basis.outcome is not domain.Outcome.REFUSED:
            needs_approval = True
        decision = with_basis

    excerpt = None
    omitted: tuple[LeftOut, ...] = ()
    if attach:
        allowed = decision.consented | decision.on_legal_basis
        excerpt = redact(
            content, categories=allowed, after_release_only=True, after_release=inp.area_keys,
            partners=inp.partner_keys,
        )
        # The same decision over every category tells the sender which of what they left
        # out could have gone (their choice) and which could not (consent).
        everything = decide(categories=order, **basis)
        omitted = left_out(content, excerpt, permitted=everything.consented | everything.on_legal_basis)

    letter = inp.letter()
    letter["life_areas"] = sorted({*inp.life_areas, *(category_of(a.life_area).value for a in chosen_areas)},
                                  key=order.index)
    letter["areas_of_effort"] = [a.title for a in (excerpt.areas if excerpt else ())]
    if inp.kind != Kind.COORDINATION or not attach:
        letter["include_causes"] = False
    snapshot = {
        "schema": SNAPSHOT_SCHEMA,
        "kind": inp.kind,
        "step": step_of(inp.kind, sender),
        "to": {"municipality": inp.municipality.name, "municipality_id": inp.municipality.pk,
               "departments": list(inp.departments)},
        "from": {
            "organisation": sender.name, "organisation_id": sender.pk, "address": sender.address,
            "phone": sender.phone, "email": sender.email,
            "person": str(actor), "person_email": actor.email, "role": actor.role,
        },
        "client": {"name": f"{case.client.first_name} {case.client.last_name}", "cpr": case.client.cpr_display,
                   "birth_date": _iso(case.client.birth_date)},
        "sentence": {
            "case_type": case.case_type, "institution": case.holding_organisation.name, "placement": case.placement,
            "intake_on": _iso(case.intake_on), "supervision_started_on": _iso(case.supervision_started_on),
            "expected_release_on": _iso(case.expected_release_on),
        },
        "letter": letter,
        "plan": {"version": version.number, "began_on": _iso(version.began_on)} if attach else None,
        "excerpt": excerpt.to_dict() if excerpt is not None else None,
    }
    digest = hashlib.sha256(json.dumps({
        "snapshot": snapshot,
        "categories": categories_list,
        "recipients": [[r.organisation_id, r.department] for r in recipients],
        "legal_basis": inp.legal_basis if needs_approval else "",
        "justification": inp.justification.strip() if needs_approval else "",
        "outcome": decision.outcome.value,
    }, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    warnings = []
    if entrance_of(inp.municipality) is None:
        warnings.append(_("%(municipality)s has not named its entrance in Køreplan: the request goes to the staff of its entrance role.")
                        % {"municipality": inp.municipality})
    if not User.objects.filter(organisation=inp.municipality, role=Role.MUNICIPAL_ENTRANCE, is_active=True).exists():
        warnings.append(_("No one at %(municipality)s's entrance uses Køreplan yet. Call the municipality as well.")
                        % {"municipality": inp.municipality})
    if inp.municipality.pk != case.client.acting_municipality_id:
        warnings.append(_("%(municipality)s is not the client's acting municipality (%(acting)s).")
                        % {"municipality": inp.municipality, "acting": case.client.acting_municipality})
    if attach and version.finished_on is None:
        warnings.append(_("Version %(number)s of the plan is not marked finished; the excerpt is taken from it as it is now.")
                        % {"number": version.number})
    return Draft(
        case=case, input=inp, step=snapshot["step"], purpose=purpose, categories=categories_list,
        recipients=recipients, decision=decision, needs_approval=needs_approval, excerpt=excerpt, left_out=omitted,
        snapshot=snapshot, digest=digest, plan_version=version if attach else None, warnings=warnings,
    )
