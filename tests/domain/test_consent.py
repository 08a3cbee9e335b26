"""The consent decision as a table of cases (VEJ pkt. 65)."""

from datetime import date

import pytest

from koreplan.domain.consent import (
    Category as C,
    ConsentRecord,
    Outcome,
    ProposedDisclosure,
    Purpose as P,
    Recipient,
    decide_disclosure,
)

KOMMUNE = 376
JOBCENTER = Recipient(KOMMUNE, "jobcenter")
MISBRUG = Recipient(KOMMUNE, "misbrugscenter")
ON = date(2026, 11, 24)


def consent(id=1, categories=(C.HOUSING, C.FINANCES), recipient=Recipient(KOMMUNE), purposes=(P.COORDINATION,), **kw):
    return ConsentRecord(id, frozenset(categories), recipient, frozenset(purposes), kw.pop("given_on", date(2026, 1, 1)), **kw)


def proposal(categories=(C.HOUSING,), recipient=JOBCENTER, purpose=P.COORDINATION, **kw):
    return ProposedDisclosure(frozenset(categories), recipient, purpose, kw.pop("on", ON), **kw)


@pytest.mark.parametrize(
    ("name", "consents", "proposed", "outcome", "refused"),
    [
        ("consent to the whole municipality covers its jobcentre", [consent()], proposal(), Outcome.ALLOWED, set()),
        ("consent to the jobcentre does not cover the addiction centre",
         [consent(recipient=JOBCENTER)], proposal(recipient=MISBRUG), Outcome.REFUSED, {C.HOUSING}),
        ("a category outside the consent is refused",
         [consent()], proposal(categories=(C.HOUSING, C.HEALTH_MENTAL)), Outcome.REFUSED, {C.HEALTH_MENTAL}),
        ("withdrawn consent no longer counts",
         [consent(withdrawn_on=date(2026, 6, 1))], proposal(), Outcome.REFUSED, {C.HOUSING}),
        ("expired consent no longer counts",
         [consent(valid_until=date(2026, 6, 30))], proposal(), Outcome.REFUSED, {C.HOUSING}),
        ("consent given later does not count yet",
         [consent(given_on=date(2026, 12, 1))], proposal(), Outcome.REFUSED, {C.HOUSING}),
        ("consent for another purpose does not count",
         [consent(purposes=(P.INTAKE_NOTICE,))], proposal(), Outcome.REFUSED, {C.HOUSING}),
        ("a refusal wins over an older consent",
         [consent(), consent(id=2, categories=(C.HOUSING,), refused=True, given_on=date(2026, 3, 1))],
         proposal(), Outcome.REFUSED, {C.HOUSING}),
        ("consent to another municipality does not count",
         [consent(recipient=Recipient(615))], proposal(), Outcome.REFUSED, {C.HOUSING}),
        ("the last day of validity still counts",
         [consent(valid_until=ON)], proposal(), Outcome.ALLOWED, set()),
    ],
)
def test_consent_table(name, consents, proposed, outcome, refused):
    decision = decide_disclosure(consents, proposed)
    assert decision.outcome is outcome, name
    assert decision.refused == refused, name
    assert all(r.da and r.en for r in decision.reasons)


def test_the_reason_says_why():
    decision = decide_disclosure([consent(withdrawn_on=date(2026, 6, 1))], proposal())
    assert [r.code for r in decision.reasons] == ["withdrawn"]
    decision = decide_disclosure([consent(valid_until=date(2026, 6, 30))], proposal())
    assert [r.code for r in decision.reasons] == ["expired"]


def test_without_consent_a_legal_basis_needs_a_justification_and_a_second_person():
    base = dict(categories=(C.SUBSTANCE_USE,), legal_basis="dbl_8_2_3")
    assert decide_disclosure([], proposal(**base)).outcome is Outcome.REFUSED
    assert decide_disclosure([], proposal(**base, justification="Behandling på løsladelsesdagen")).outcome is Outcome.REFUSED
    decision = decide_disclosure(
        [], proposal(**base, justification="Behandling på løsladelsesdagen", second_approval=True)
    )
    assert decision.outcome is Outcome.ALLOWED_ON_LEGAL_BASIS
    assert decision.on_legal_basis == {C.SUBSTANCE_USE}


def test_a_legal_basis_must_be_in_force_on_the_day():
    old = proposal(legal_basis="pdl_8_2_3", justification="x", second_approval=True)
    assert decide_disclosure([], old).outcome is Outcome.REFUSED
    assert "basis_not_in_force" in [r.code for r in decide_disclosure([], old).reasons]
    then = proposal(legal_basis="pdl_8_2_3", justification="x", second_approval=True, on=date(2015, 1, 1))
    assert decide_disclosure([], then).outcome is Outcome.ALLOWED_ON_LEGAL_BASIS


def test_consent_and_legal_basis_together():
    decision = decide_disclosure(
        [consent()],
        proposal(categories=(C.HOUSING, C.OFFENCE), legal_basis="dbl_8_2_3", justification="x", second_approval=True),
    )
    assert decision.outcome is Outcome.ALLOWED_ON_LEGAL_BASIS
    assert decision.consented == {C.HOUSING} and decision.on_legal_basis == {C.OFFENCE}
    assert decision.consent_ids == (1,)


def test_consent_categories_name_the_plans_life_areas():
    """Consent is given per life area of the plan (plus sentence and offence): the two
    vocabularies must not drift apart, or redaction would cut by the wrong words."""
    from koreplan.domain.consent import Category
    from koreplan.domain.plan import LifeArea

    assert {a.value for a in LifeArea} == {c.value for c in Category} - {"sentence", "offence"}
