"""Every read of consents and disclosures — and the consent decision as the database sees it.

Access is always the case's: callers first get the case with
``koreplan.cases.selectors.case_get`` (404 unless the user's organisation has a part in
it); consents are then the case's client's, whichever case they were given in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import QuerySet
from django.http import Http404

from koreplan.accounts.models import User
from koreplan.cases.models import Case, Client
from koreplan.consent.models import Consent, Disclosure
from koreplan.domain import consent as domain
from koreplan.organisations.models import Organisation


def consents_of(*, client: Client) -> QuerySet[Consent]:
    return Consent.objects.filter(client=client).select_related(
        "recipient_organisation", "recorded_by", "recorded_organisation", "withdrawn_by", "signed_copy_uploaded_by"
    )


def consent_get(*, case: Case, consent_id: int) -> Consent:
    """A consent of the case's client, else 404."""
    try:
        return consents_of(client=case.client).get(pk=consent_id)
    except (Consent.DoesNotExist, ValueError, TypeError):
        raise Http404("No such consent") from None


def consent_records(*, client: Client) -> list[domain.ConsentRecord]:
    """The client's consents and refusals as the pure domain reads them."""
    return [c.record() for c in Consent.objects.filter(client=client)]


def recipients(*, organisation: Organisation, departments: Iterable[str] = ()) -> list[domain.Recipient]:
    """The recipients a disclosure reaches: each named department ("" for the organisation
    as a whole), or — if none is named — the whole organisation."""
    departments = list(dict.fromkeys(departments))
    if not departments:
        return [domain.Recipient(organisation.pk, None)]
    return [domain.Recipient(organisation.pk, d or None) for d in departments]


def disclosure_decision(
    *,
    client: Client,
    categories: Iterable[str],
    recipient_organisation: Organisation,
    departments: Iterable[str] = (),
    purpose: str,
    on: date,
    legal_basis: str = "",
    justification: str = "",
    second_approval: bool = False,
) -> domain.Decision:
    """May these kinds of information go to this recipient today, and on what ground?"""
    proposal = domain.ProposedDisclosure(
        categories=frozenset(domain.Category(c) for c in categories),
        recipient=domain.Recipient(recipient_organisation.pk, None),
        purpose=domain.Purpose(purpose),
        on=on,
        legal_basis=legal_basis or None,
        justification=justification,
        second_approval=second_approval,
    )
    return domain.decide_disclosure_to_all(
        consent_records(client=client), proposal, recipients(organisation=recipient_organisation, departments=departments)
    )


def disclosures_of(*, case: Case) -> QuerySet[Disclosure]:
    return case.disclosures.select_related(
        "recipient_organisation", "proposed_by", "approved_by", "rejected_by", "proposing_organisation"
    ).prefetch_related("consents")


def disclosure_get(*, case: Case, disclosure_id: int) -> Disclosure:
    try:
        return disclosures_of(case=case).get(pk=disclosure_id)
    except (Disclosure.DoesNotExist, ValueError, TypeError):
        raise Http404("No such disclosure") from None


def disclosures_awaiting_approval_by(*, user: User) -> QuerySet[Disclosure]:
    """Disclosures the user may approve: proposed by a colleague at the same organisation."""
    if user.organisation_id is None:
        return Disclosure.objects.none()
    return (
        Disclosure.objects.filter(status=Disclosure.Status.AWAITING_APPROVAL, proposing_organisation_id=user.organisation_id)
        .exclude(proposed_by=user)
        .select_related("case__client", "recipient_organisation", "proposed_by")
    )


def may_approve(user: User, disclosure: Disclosure) -> bool:
    """A different person of the same organisation as the one who proposed it."""
    return (
        disclosure.status == Disclosure.Status.AWAITING_APPROVAL
        and user.is_authenticated
        and user.pk != disclosure.proposed_by_id
        and user.organisation_id == disclosure.proposing_organisation_id
    )


def may_record(user: User, case: Case) -> bool:
    """Staff of the organisation holding the case, or of its KIF department, record consents."""
    if user.is_superuser:
        return True
    return user.organisation_id is not None and user.organisation_id in (case.holding_organisation_id, case.kif_id)
