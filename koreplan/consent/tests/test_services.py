"""The consent decision through the services: consents from the database, withdrawn and
expired ones, refusals, and disclosure without consent — which waits for a second person."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from koreplan.audit.models import AuditEntry
from koreplan.cases.tests.factories import open_case
from koreplan.consent import selectors, services
from koreplan.consent.models import Consent, Disclosure
from koreplan.domain.consent import Category as C, Outcome

from .factories import give_consent

TODAY = date(2026, 11, 24)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def sag(socialraadgiver, guldborgsund):
    return open_case(actor=socialraadgiver, municipality=guldborgsund)


def decide(case, categories=("housing",), departments=("jobcenter",), purpose="coordination", on=TODAY, **kw):
    return selectors.disclosure_decision(
        client=case.client, categories=categories, recipient_organisation=case.client.acting_municipality,
        departments=departments, purpose=purpose, on=on, **kw,
    )


def actions(case) -> list[str]:
    return list(AuditEntry.objects.filter(case_id=case.pk, action__startswith="koreplan.").values_list("action", flat=True))


def test_a_consent_to_the_municipality_allows_its_jobcentre(sag, socialraadgiver):
    consent = give_consent(actor=socialraadgiver, case=sag, categories=["housing", "finances"])
    decision = decide(sag, categories=("housing", "finances"))
    assert decision.outcome is Outcome.ALLOWED
    assert decision.consent_ids == (consent.pk,)
    assert "koreplan.consent.given" in actions(sag)


def test_a_consent_to_one_department_does_not_reach_another(sag, socialraadgiver):
    give_consent(actor=socialraadgiver, case=sag, categories=["substance_use"], department="misbrugscenter")
    assert decide(sag, categories=("substance_use",), departments=("misbrugscenter",)).outcome is Outcome.ALLOWED
    refused = decide(sag, categories=("substance_use",), departments=("misbrugscenter", "jobcenter"))
    assert refused.outcome is Outcome.REFUSED
    assert {r.recipient.department for r in refused.reasons if r.recipient} == {"jobcenter"}


def test_a_withdrawn_consent_no_longer_counts_from_the_day_it_is_withdrawn(sag, socialraadgiver):
    consent = give_consent(actor=socialraadgiver, case=sag, categories=["housing"], given_on=TODAY - timedelta(days=30))
    services.consent_withdraw(actor=socialraadgiver, case=sag, consent=consent, withdrawn_on=TODAY, note="Mundtligt")
    decision = decide(sag)
    assert decision.outcome is Outcome.REFUSED
    assert [r.code for r in decision.reasons] == ["withdrawn"]
    # The day before, it still counted.
    assert decide(sag, on=TODAY - timedelta(days=1)).outcome is Outcome.ALLOWED
    consent.refresh_from_db()
    assert consent.withdrawn_by == socialraadgiver and consent.withdrawal_note == "Mundtligt"
    assert "koreplan.consent.withdrawn" in actions(sag)


def test_an_expired_consent_no_longer_counts(sag, socialraadgiver):
    give_consent(actor=socialraadgiver, case=sag, categories=["housing"], given_on=TODAY - timedelta(days=60),
                 valid_until=TODAY - timedelta(days=1))
    decision = decide(sag)
    assert decision.outcome is Outcome.REFUSED and [r.code for r in decision.reasons] == ["expired"]


def test_a_refusal_is_recorded_with_its_reasons_and_wins(sag, socialraadgiver):
    give_consent(actor=socialraadgiver, case=sag, categories=["housing"], given_on=TODAY - timedelta(days=10))
    with pytest.raises(ValidationError) as error:
        services.consent_refuse(
            actor=socialraadgiver, case=sag, categories=["housing"], recipient_organisation=sag.client.acting_municipality,
            purposes=["coordination"], refused_on=TODAY, refusal_kind="opposes", reasons="  ",
        )
    assert "refusal_reasons" in error.value.message_dict
    refusal = services.consent_refuse(
        actor=socialraadgiver, case=sag, categories=["housing"], recipient_organisation=sag.client.acting_municipality,
        purposes=["coordination"], refused_on=TODAY, refusal_kind="opposes",
        reasons="Vil ikke have, at kommunen kender til hans gæld.",
    )
    assert refusal.decision == Consent.Decision.REFUSED
    decision = decide(sag)
    assert decision.outcome is Outcome.REFUSED and [r.code for r in decision.reasons] == ["refused"]
    assert "koreplan.consent.refused" in actions(sag)
    # Taking the refusal back lets the older consent count again.
    services.consent_withdraw(actor=socialraadgiver, case=sag, consent=refusal, withdrawn_on=TODAY)
    assert decide(sag).outcome is Outcome.ALLOWED


def test_consent_rules_are_checked(sag, socialraadgiver):
    with pytest.raises(ValidationError) as error:
        give_consent(actor=socialraadgiver, case=sag, categories=[], purposes=[])
    assert {"categories", "purposes"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError):
        give_consent(actor=socialraadgiver, case=sag, categories=["housing"], given_on=TODAY + timedelta(days=1))
    with pytest.raises(ValidationError):
        give_consent(actor=socialraadgiver, case=sag, categories=["housing"], valid_until=TODAY - timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        give_consent(actor=socialraadgiver, case=sag, categories=["housing"], recipient=socialraadgiver.organisation,
                     department="jobcenter")
    assert "recipient_department" in error.value.message_dict


def test_only_the_holder_or_kif_records_consent(sag, fremmed, kommune):
    for outsider in (fremmed, kommune):
        with pytest.raises(PermissionDenied):
            give_consent(actor=outsider, case=sag, categories=["housing"])


# -- disclosure ------------------------------------------------------------------------------


def propose(case, actor, **kw):
    values = dict(
        summary="Oplysninger til kommunen", categories=["housing"], recipient_organisation=case.client.acting_municipality,
        departments=["jobcenter"], purpose="coordination",
    )
    values.update(kw)
    return services.disclosure_propose(actor=actor, case=case, **values)


def test_a_disclosure_on_consent_is_recorded_as_disclosed_with_its_consents(sag, socialraadgiver):
    consent = give_consent(actor=socialraadgiver, case=sag, categories=["housing"])
    disclosure, decision = propose(sag, socialraadgiver)
    assert disclosure.status == Disclosure.Status.DISCLOSED and disclosure.disclosed_at is not None
    assert list(disclosure.consents.all()) == [consent]
    assert disclosure.approved_by is None
    assert "koreplan.disclosure.recorded" in actions(sag)


def test_without_consent_or_a_legal_basis_nothing_is_recorded(sag, socialraadgiver):
    with pytest.raises(ValidationError) as error:
        propose(sag, socialraadgiver)
    assert "Der er intet samtykke" in " ".join(error.value.message_dict["categories"])
    assert not Disclosure.objects.exists()


def test_a_legal_basis_needs_a_written_justification(sag, socialraadgiver):
    with pytest.raises(ValidationError) as error:
        propose(sag, socialraadgiver, legal_basis="dbl_8_2_3")
    assert "justification" in error.value.message_dict


def test_without_consent_a_second_person_of_the_same_organisation_approves(sag, socialraadgiver, kollega, fremmed, leder):
    disclosure, decision = propose(
        sag, socialraadgiver, categories=["substance_use"], legal_basis="dbl_8_2_3",
        justification="Behandling skal være på plads på løsladelsesdagen.",
    )
    assert disclosure.status == Disclosure.Status.AWAITING_APPROVAL and disclosure.disclosed_at is None
    assert decision.outcome is Outcome.ALLOWED_ON_LEGAL_BASIS
    # The proposer cannot approve their own; nor can someone at another prison.
    with pytest.raises(PermissionDenied):
        services.disclosure_approve(actor=socialraadgiver, disclosure=disclosure)
    with pytest.raises(PermissionDenied):
        services.disclosure_approve(actor=fremmed, disclosure=disclosure)
    assert list(selectors.disclosures_awaiting_approval_by(user=kollega)) == [disclosure]
    assert not selectors.disclosures_awaiting_approval_by(user=socialraadgiver).exists()
    services.disclosure_approve(actor=kollega, disclosure=disclosure)
    disclosure.refresh_from_db()
    assert disclosure.status == Disclosure.Status.DISCLOSED
    assert disclosure.approved_by == kollega and disclosure.proposed_by == socialraadgiver
    assert "koreplan.disclosure.approved" in actions(sag)
    with pytest.raises(ValidationError):
        services.disclosure_approve(actor=leder, disclosure=disclosure)


def test_the_database_refuses_an_approval_by_the_proposer(sag, socialraadgiver):
    from django.db import IntegrityError, transaction

    disclosure, _ = propose(sag, socialraadgiver, legal_basis="dbl_8_2_3", justification="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Disclosure.objects.filter(pk=disclosure.pk).update(approved_by=socialraadgiver)


def test_a_disclosure_awaiting_approval_can_be_rejected(sag, socialraadgiver, kollega):
    disclosure, _ = propose(sag, socialraadgiver, legal_basis="dbl_8_2_3", justification="x")
    with pytest.raises(ValidationError):
        services.disclosure_reject(actor=kollega, disclosure=disclosure, reason="")
    services.disclosure_reject(actor=kollega, disclosure=disclosure, reason="Ikke nødvendigt endnu.")
    assert disclosure.status == Disclosure.Status.REJECTED
    assert "koreplan.disclosure.rejected" in actions(sag)


def test_an_approval_decides_again_on_the_day(sag, socialraadgiver, kollega):
    """A basis in force when proposed but not on the day of approval refuses it."""
    with time_machine.travel(date(2018, 5, 20), tick=False):
        disclosure, _ = propose(sag, socialraadgiver, legal_basis="pdl_8_2_3", justification="x")
    with pytest.raises(ValidationError):
        services.disclosure_approve(actor=kollega, disclosure=disclosure)
    disclosure.refresh_from_db()
    assert disclosure.status == Disclosure.Status.AWAITING_APPROVAL


def test_consent_covers_part_and_a_legal_basis_the_rest(sag, socialraadgiver, kollega):
    give_consent(actor=socialraadgiver, case=sag, categories=["housing"])
    disclosure, decision = propose(
        sag, socialraadgiver, categories=["housing", "offence"], legal_basis="dbl_8_2_3", justification="x",
    )
    assert decision.consented == {C.HOUSING} and decision.on_legal_basis == {C.OFFENCE}
    assert disclosure.status == Disclosure.Status.AWAITING_APPROVAL
