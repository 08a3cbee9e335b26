"""One disclosure, several readers: the municipality's entrance and the departments named."""

from datetime import date

from koreplan.domain.consent import (
    Category as C,
    ConsentRecord,
    Outcome,
    ProposedDisclosure,
    Purpose as P,
    Recipient,
    decide_disclosure_to_all,
)

ON = date(2026, 11, 24)
YDELSE, JOBCENTER, MISBRUG = Recipient(376, "ydelse"), Recipient(376, "jobcenter"), Recipient(376, "misbrugscenter")


def consent(id, categories, recipient, purposes=(P.COORDINATION,)):
    return ConsentRecord(id, frozenset(categories), recipient, frozenset(purposes), date(2026, 1, 1))


def proposal(categories, **kw):
    return ProposedDisclosure(frozenset(categories), YDELSE, P.COORDINATION, ON, **kw)


def test_every_reader_must_be_covered():
    consents = [consent(1, {C.HOUSING}, YDELSE), consent(2, {C.HOUSING}, JOBCENTER)]
    assert decide_disclosure_to_all(consents, proposal({C.HOUSING}), [YDELSE, JOBCENTER]).outcome is Outcome.ALLOWED
    decision = decide_disclosure_to_all(consents, proposal({C.HOUSING}), [YDELSE, JOBCENTER, MISBRUG])
    assert decision.outcome is Outcome.REFUSED and decision.refused == {C.HOUSING}
    assert [r.recipient for r in decision.reasons] == [MISBRUG]


def test_consent_to_the_whole_municipality_covers_every_department():
    decision = decide_disclosure_to_all([consent(1, {C.HOUSING}, Recipient(376))], proposal({C.HOUSING}), [YDELSE, MISBRUG])
    assert decision.outcome is Outcome.ALLOWED and decision.consent_ids == (1,)


def test_what_one_reader_lacks_goes_on_the_legal_basis_for_all():
    consents = [consent(1, {C.HOUSING}, YDELSE)]
    decision = decide_disclosure_to_all(
        consents, proposal({C.HOUSING}, legal_basis="dbl_8_2_3", justification="x", second_approval=True), [YDELSE, JOBCENTER]
    )
    assert decision.outcome is Outcome.ALLOWED_ON_LEGAL_BASIS
    assert decision.consented == frozenset() and decision.on_legal_basis == {C.HOUSING}
    assert [r.code for r in decision.reasons].count("legal_basis") == 1
