"""Consent and disclosure (VEJ pkt. 13, 65): may this information go to this recipient?

Written consent states which kinds of information may go to whom and for what purpose
(VEJ pkt. 65). :func:`decide_disclosure` takes the client's consent records and a
proposed disclosure and answers allowed, refused, or allowed on a legal basis — per
category, with the reasons — so that the answer can be shown to the caseworker and
recorded with the disclosure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from koreplan.domain.rules.legal_bases import BY_CODE


class Category(StrEnum):
    """Kinds of information a consent can cover: the plan's life areas, sentence matters, the offence."""

    HEALTH_PHYSICAL = "health_physical"
    HEALTH_MENTAL = "health_mental"
    HOUSING = "housing"
    EDUCATION_EMPLOYMENT = "education_employment"
    FINANCES = "finances"
    NETWORK = "network"
    SUBSTANCE_USE = "substance_use"
    OTHER = "other"
    SENTENCE = "sentence"  # strafforhold: sentence, dates, placement
    OFFENCE = "offence"  # the offence and its causes


class Purpose(StrEnum):
    INTAKE_NOTICE = "intake_notice"  # GL step 1
    CASE_FILES = "case_files"  # GL steps 3–4: fetching files from other authorities
    COORDINATION = "coordination"  # GL steps 6 and 11: coordinating the plan
    RELEASE_PLANNING = "release_planning"  # GL steps 8–9A: release meeting, appointments


@dataclass(frozen=True, slots=True)
class Recipient:
    """An organisation, or one department of it (``department`` None means the whole organisation)."""

    organisation_id: int
    department: str | None = None

    def covered_by(self, consented: Recipient) -> bool:
        return self.organisation_id == consented.organisation_id and (
            consented.department is None or consented.department == self.department
        )


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """A written consent — or a refusal, with its reasons (VEJ pkt. 65)."""

    id: int
    categories: frozenset[Category]
    recipient: Recipient
    purposes: frozenset[Purpose]
    given_on: date
    valid_until: date | None = None
    withdrawn_on: date | None = None
    refused: bool = False

    def in_force(self, on: date) -> bool:
        return (
            self.given_on <= on
            and (self.valid_until is None or on <= self.valid_until)
            and (self.withdrawn_on is None or on < self.withdrawn_on)
        )


@dataclass(frozen=True, slots=True)
class ProposedDisclosure:
    categories: frozenset[Category]
    recipient: Recipient
    purpose: Purpose
    on: date
    #: Only for disclosure without consent: the basis, why, and whether a second person approved.
    legal_basis: str | None = None
    justification: str = ""
    second_approval: bool = False


class Outcome(StrEnum):
    ALLOWED = "allowed"
    ALLOWED_ON_LEGAL_BASIS = "allowed_on_legal_basis"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    category: Category | None
    da: str
    en: str
    #: Set by :func:`decide_disclosure_to_all`: which of several recipients the reason is about.
    recipient: Recipient | None = None


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    #: Categories covered by consent.
    consented: frozenset[Category]
    #: Categories that may go only on the legal basis.
    on_legal_basis: frozenset[Category]
    #: Categories that may not go.
    refused: frozenset[Category]
    consent_ids: tuple[int, ...]
    reasons: tuple[Reason, ...] = field(default=())

    @property
    def allowed(self) -> bool:
        return self.outcome is not Outcome.REFUSED


_LABEL_DA = {
    Category.HEALTH_PHYSICAL: "fysisk helbred",
    Category.HEALTH_MENTAL: "psykisk helbred",
    Category.HOUSING: "bolig",
    Category.EDUCATION_EMPLOYMENT: "uddannelse og beskæftigelse",
    Category.FINANCES: "økonomi",
    Category.NETWORK: "netværk",
    Category.SUBSTANCE_USE: "misbrug og behandling",
    Category.OTHER: "andre forhold",
    Category.SENTENCE: "strafforhold",
    Category.OFFENCE: "kriminalitet",
}


def category_label_da(category: Category) -> str:
    return _LABEL_DA[category]


def decide_disclosure(consents: Iterable[ConsentRecord], proposal: ProposedDisclosure) -> Decision:
    """Which of the proposed categories may go to the recipient, on what ground, and why not."""
    relevant = [c for c in consents if proposal.recipient.covered_by(c.recipient)]
    consented: set[Category] = set()
    used: list[int] = []
    reasons: list[Reason] = []
    uncovered: set[Category] = set()

    for category in sorted(proposal.categories):
        label = _LABEL_DA[category]
        in_force = [c for c in relevant if category in c.categories and c.in_force(proposal.on)]
        refusal = next((c for c in in_force if c.refused), None)
        granting = next((c for c in in_force if not c.refused and proposal.purpose in c.purposes), None)
        if refusal is not None:
            uncovered.add(category)
            reasons.append(Reason("refused", category, f"Klienten har afslået videregivelse af {label}.",
                                  f"The client refused disclosure of {category}."))
        elif granting is not None:
            consented.add(category)
            used.append(granting.id)
        else:
            uncovered.add(category)
            reasons.append(_why_not(category, relevant, proposal))

    on_basis: set[Category] = set()
    if uncovered and proposal.legal_basis:
        basis = BY_CODE.get(proposal.legal_basis)
        if basis is None or not basis.in_force(proposal.on):
            reasons.append(Reason("basis_not_in_force", None, "Hjemlen gælder ikke på datoen for videregivelsen.",
                                  "The legal basis is not in force on the date of disclosure."))
        elif not proposal.justification.strip():
            reasons.append(Reason("no_justification", None, "En videregivelse uden samtykke skal begrundes skriftligt.",
                                  "A disclosure without consent needs a written justification."))
        elif not proposal.second_approval:
            reasons.append(Reason("no_second_approval", None,
                                  "En anden medarbejder skal godkende videregivelsen, før noget sendes.",
                                  "A second person must approve the disclosure before anything leaves."))
        else:
            on_basis, uncovered = uncovered, set()
            reasons.append(Reason("legal_basis", None, f"Videregives med hjemmel i {basis.citation}.",
                                  f"Disclosed on the legal basis {basis.citation}."))

    if uncovered:
        outcome = Outcome.REFUSED
    elif on_basis:
        outcome = Outcome.ALLOWED_ON_LEGAL_BASIS
    else:
        outcome = Outcome.ALLOWED
    return Decision(
        outcome=outcome,
        consented=frozenset(consented),
        on_legal_basis=frozenset(on_basis),
        refused=frozenset(uncovered),
        consent_ids=tuple(dict.fromkeys(used)),
        reasons=tuple(reasons),
    )


def _why_not(category: Category, relevant: list[ConsentRecord], proposal: ProposedDisclosure) -> Reason:
    label = _LABEL_DA[category]
    about = [c for c in relevant if category in c.categories and not c.refused]
    if not about:
        return Reason("no_consent", category, f"Der er intet samtykke til at videregive {label} til modtageren.",
                      f"There is no consent to disclose {category} to this recipient.")
    if any(c.withdrawn_on is not None and c.withdrawn_on <= proposal.on for c in about):
        return Reason("withdrawn", category, f"Samtykket til {label} er trukket tilbage.",
                      f"The consent covering {category} was withdrawn.")
    if any(c.valid_until is not None and c.valid_until < proposal.on for c in about):
        return Reason("expired", category, f"Samtykket til {label} er udløbet.",
                      f"The consent covering {category} has expired.")
    if any(c.given_on > proposal.on for c in about):
        return Reason("not_yet_given", category, f"Samtykket til {label} gælder først fra en senere dato.",
                      f"The consent covering {category} starts later.")
    return Reason("other_purpose", category, f"Samtykket til {label} gælder et andet formål.",
                  f"The consent covering {category} is for another purpose.")


def decide_disclosure_to_all(
    consents: Iterable[ConsentRecord], proposal: ProposedDisclosure, recipients: Iterable[Recipient]
) -> Decision:
    """The decision when the same information reaches several recipients at once.

    A request to a municipality is read by its entrance and then by the departments it is
    routed to: every one of them must be covered. A category goes on consent only if the
    consent covers it for every recipient; on the legal basis if it is covered for none or
    some and the basis holds; otherwise it is refused. Each reason names its recipient.
    ``proposal.recipient`` is ignored.
    """
    recipients = tuple(dict.fromkeys(recipients))
    if not recipients:
        raise ValueError("A disclosure needs at least one recipient.")
    consents = tuple(consents)
    decisions = [
        (r, decide_disclosure(consents, ProposedDisclosure(
            categories=proposal.categories, recipient=r, purpose=proposal.purpose, on=proposal.on,
            legal_basis=proposal.legal_basis, justification=proposal.justification,
            second_approval=proposal.second_approval,
        )))
        for r in recipients
    ]
    refused = frozenset().union(*(d.refused for _, d in decisions))
    consented = frozenset(proposal.categories).intersection(*(d.consented for _, d in decisions)) - refused
    on_basis = frozenset(proposal.categories) - refused - consented
    reasons: list[Reason] = []
    for recipient, decision in decisions:
        for reason in decision.reasons:
            tagged = Reason(reason.code, reason.category, reason.da, reason.en, recipient)
            # The legal basis and its conditions read the same for every recipient: say it once.
            if reason.category is None and any(r.code == reason.code for r in reasons):
                continue
            reasons.append(tagged if reason.category is not None else Reason(reason.code, None, reason.da, reason.en))
    if refused:
        outcome = Outcome.REFUSED
    elif on_basis:
        outcome = Outcome.ALLOWED_ON_LEGAL_BASIS
    else:
        outcome = Outcome.ALLOWED
    return Decision(
        outcome=outcome,
        consented=consented,
        on_legal_basis=on_basis,
        refused=refused,
        consent_ids=tuple(dict.fromkeys(i for _, d in decisions for i in d.consent_ids)),
        reasons=tuple(reasons),
    )
