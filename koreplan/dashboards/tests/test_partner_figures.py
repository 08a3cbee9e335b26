"""Figures read from the consent, coordination and release apps (read-only).

The rows are written straight into those apps' tables — their services are tested in their
own apps; here only what the dashboards count matters.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from koreplan.dashboards import selectors
from koreplan.dashboards.scopes import scope_resolve

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


needs = {
    app: pytest.mark.skipif(not apps.is_installed(f"koreplan.{app}"), reason=f"koreplan.{app} is not installed")
    for app in ("consent", "coordination", "release")
}


def consent(case, actor, *, decision="given", purposes=("case_files",), given_on=TODAY - timedelta(days=40), recipient):
    from koreplan.consent.models import Consent

    refused = decision == "refused"
    return Consent.objects.create(
        client=case.client,
        case=case,
        decision=decision,
        categories=["housing"],
        recipient_organisation=recipient,
        purposes=list(purposes),
        given_on=given_on,
        refusal_kind="opposes" if refused else "",
        refusal_reasons="Vil ikke." if refused else "",
        recorded_by=actor,
        recorded_organisation=actor.organisation,
        recorded_at=timezone.now(),
    )


def request(case, actor, *, kind="coordination", sent_days_ago=20, status="sent", answered_days_later=None, caseworker=None):
    from koreplan.consent.models import Disclosure
    from koreplan.coordination.models import MunicipalRequest

    municipality = case.client.acting_municipality
    sent_at = timezone.now() - timedelta(days=sent_days_ago)
    disclosure = Disclosure.objects.create(
        case=case,
        client=case.client,
        summary="Anmodning",
        categories=["housing"],
        recipient_organisation=municipality,
        purpose="coordination",
        outcome="allowed",
        status="disclosed",
        proposed_by=actor,
        proposing_organisation=actor.organisation,
        proposed_at=sent_at,
        disclosed_at=sent_at,
    )
    values = {}
    if answered_days_later is not None:
        answered_at = sent_at + timedelta(days=answered_days_later)
        values["received_at"] = answered_at
        if status == "accepted":
            from koreplan.organisations.models import MunicipalDepartment

            values.update(
                accepted_at=answered_at,
                accepted_by=caseworker,
                routed_caseworker=caseworker,
                routed_department=MunicipalDepartment.objects.filter(municipality=municipality).first(),
            )
        elif status == "returned":
            values.update(returned_at=answered_at, returned_by=caseworker, return_reason="Forkert kommune")
    return MunicipalRequest.objects.create(
        case=case,
        kind=kind,
        step="6",
        municipality=municipality,
        sending_organisation=actor.organisation,
        created_by=actor,
        created_at=sent_at,
        disclosure=disclosure,
        status=status,
        sent_at=sent_at,
        digest="x" * 64,
        **values,
    )


@needs["consent"]
def test_consent_asked_given_and_refused_by_purpose(socialraadgiver, leder, faengsel, guldborgsund, three_cases):
    a, b, c = three_cases
    consent(a, socialraadgiver, recipient=guldborgsund)
    consent(b, socialraadgiver, recipient=guldborgsund, purposes=("case_files", "coordination"))
    consent(c, socialraadgiver, recipient=guldborgsund, decision="refused")
    scope = scope_resolve(user=leder, unit=f"org-{faengsel.pk}")
    figures = selectors.consent_figures(scope)
    everything = figures.by_purpose["*"]
    assert (everything.asked, everything.given, everything.refused) == (3, 2, 1)
    assert figures.by_purpose["case_files"].asked == 3
    assert (figures.by_purpose["coordination"].asked, figures.by_purpose["coordination"].given) == (1, 1)
    assert figures.by_purpose["intake_notice"].asked == 0
    assert set(selectors.figure_cases(scope, "consent:case_files:refused")) == {c.pk}
    survey = selectors.survey_figures(scope)
    assert (survey.row("consent_asked").yes, survey.row("consent_given").yes) == (3, 2)
    assert set(selectors.figure_cases(scope, "survey:consent_given:no")) == {c.pk}


@needs["coordination"]
def test_how_long_municipalities_take_to_answer_and_take_hold(
    socialraadgiver, sagsbehandler, admin, guldborgsund, three_cases
):
    a, b, c = three_cases
    request(a, socialraadgiver, status="accepted", sent_days_ago=20, answered_days_later=4, caseworker=sagsbehandler)
    request(b, socialraadgiver, status="returned", sent_days_ago=20, answered_days_later=8, caseworker=sagsbehandler)
    request(c, socialraadgiver, status="sent", sent_days_ago=3)
    request(c, socialraadgiver, kind="case_files", status="sent", sent_days_ago=3)
    scope = scope_resolve(user=admin, unit="land")
    figures = selectors.request_figures(scope)
    coordination = figures.by_kind["coordination"]
    assert (coordination.sent, coordination.accepted, coordination.returned, coordination.open) == (3, 1, 1, 1)
    assert selectors.median_of_histogram(coordination.to_answer) == 6
    assert selectors.median_of_histogram(coordination.to_hold) == 4
    assert selectors.median_of_histogram(coordination.open_waits) == 3
    assert figures.by_kind["case_files"].sent == 1
    ((_municipality_id, name), counts), = figures.by_municipality.items()
    assert (name, counts.sent, counts.accepted) == ("Guldborgsund", 4, 1)
    assert set(selectors.figure_cases(scope, "request:coordination:open")) == {c.pk}
    survey = selectors.survey_figures(scope)
    assert (survey.row("files_requested").applicable, survey.row("files_requested").yes) == (3, 1)
    answered = survey.row("municipality_answered")
    assert (answered.applicable, answered.yes) == (3, 2)
    assert survey.row("municipality_hold").yes == 1


@needs["coordination"]
def test_a_municipality_sees_its_own_answers(socialraadgiver, sagsbehandler, kommune_leder, guldborgsund, three_cases):
    request(three_cases[0], socialraadgiver, status="accepted", answered_days_later=2, caseworker=sagsbehandler)
    figures = selectors.request_figures(scope_resolve(user=kommune_leder, unit=f"org-{guldborgsund.pk}"))
    assert figures.by_kind["coordination"].accepted == 1
    assert figures.by_municipality == {}  # one municipality needs no table of municipalities


@needs["release"]
def test_release_meetings_held_and_the_share_released_to_the_street(socialraadgiver, leder, faengsel, three_cases):
    from koreplan.release.models import Meeting, ReleaseOutcome

    a, b, c = three_cases
    held_on = TODAY - timedelta(days=5)
    Meeting.objects.create(
        case=a, kind="release_meeting", status="held", held_on=held_on, starts_at=at(held_on), ends_at=at(held_on, 11),
        created_by=socialraadgiver, updated_by=socialraadgiver,
    )
    Meeting.objects.create(
        case=b, kind="release_meeting", status="planned", starts_at=at(TODAY + timedelta(days=3)),
        ends_at=at(TODAY + timedelta(days=3), 11), created_by=socialraadgiver, updated_by=socialraadgiver,
    )
    for case, housing, income in ((a, "own", True), (b, "none", True), (c, "shelter", False)):
        ReleaseOutcome.objects.create(
            case=case, moment="at_release", recorded_on=TODAY - timedelta(days=2), housing=housing,
            income_from_day_one=income, employment_or_education=False, treatment="not_needed",
            released_to_street=housing == "none" or not income, recorded_by=socialraadgiver,
        )
    scope = scope_resolve(user=leder, unit=f"org-{faengsel.pk}", end=TODAY + timedelta(days=30))
    meetings = selectors.meeting_figures(scope)
    assert (meetings.by_kind["release_meeting"].held, meetings.by_kind["release_meeting"].planned) == (1, 1)
    outcomes = selectors.outcome_figures(scope)
    at_release = outcomes.by_moment["at_release"]
    assert (at_release["recorded"], at_release["street"], at_release["housing_shelter"], at_release["income"]) == (3, 2, 1, 2)
    assert outcomes.share("at_release", "street") == pytest.approx(2 / 3)
    assert set(selectors.figure_cases(scope, "outcome:at_release:street")) == {b.pk, c.pk}
    assert set(selectors.figure_cases(scope, "meeting:release_meeting:held")) == {a.pk}
    housed = selectors.survey_figures(scope).row("housed_with_income")
    assert (housed.applicable, housed.yes) == (3, 1)
