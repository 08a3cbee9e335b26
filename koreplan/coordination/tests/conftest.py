"""A case at Susanne's prison whose client lives in Guldborgsund, a plan with something to
share and something not to, and Guldborgsund's entrance (Mette, in its benefits department)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
import time_machine

from koreplan.cases.tests.factories import open_case
from koreplan.consent.tests.factories import give_consent
from koreplan.coordination.letters import RequestInput
from koreplan.domain.plan import (
    Action,
    AreaOfEffort,
    ClientStance,
    ClientView,
    DescriptionEntry,
    LifeArea,
    Partner,
    PlanContent,
)
from koreplan.organisations.models import Entrance

TODAY = date(2026, 11, 24)
COPENHAGEN = ZoneInfo("Europe/Copenhagen")

PLAN = PlanContent(
    description=(
        DescriptionEntry("e1", LifeArea.HOUSING, date(2026, 11, 10), "Lejligheden i Nykøbing F. er opsagt."),
        DescriptionEntry("e2", LifeArea.HEALTH_MENTAL, date(2026, 11, 10), "HEMMELIG-DIAGNOSE: svær angst."),
        DescriptionEntry("e3", LifeArea.EDUCATION_EMPLOYMENT, date(2026, 11, 10), "Har arbejdet som lagerarbejder."),
    ),
    causes="HEMMELIG-AARSAG: kriminaliteten hænger sammen med gæld.",
    assessment="HEMMELIG-VURDERING på tværs af områderne.",
    areas=(
        AreaOfEffort("a1", LifeArea.HOUSING, "Bolig efter løsladelsen", "Opsagt lejlighed.", "Bolig på løsladelsesdagen",
                     actions=(Action("h1", "Søg om bolig", who_name="Susanne Holm", when="januar"),),
                     client_view=ClientView(ClientStance.AGREES)),
        AreaOfEffort("a2", LifeArea.HEALTH_MENTAL, "Psykiatrisk behandling", "Angst.", "Stabil behandling"),
        AreaOfEffort("a3", LifeArea.EDUCATION_EMPLOYMENT, "Job efter løsladelsen", "Ledig.", "Arbejde eller uddannelse"),
    ),
    partners=(Partner("p1", "Ole Mentor", "Mentorordningen", "mentor", phone="HEMMELIG-TELEFON"),),
)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2026, 11, 24), tick=False):
        yield


@pytest.fixture
def sag(socialraadgiver, guldborgsund):
    return open_case(actor=socialraadgiver, municipality=guldborgsund)


@pytest.fixture
def indgang(kommune, guldborgsund):
    """Guldborgsund names its entrance: the benefits department, where Mette works."""
    return Entrance.objects.create(municipality=guldborgsund, department=kommune.department, contact_person="Mette Dahl")


@pytest.fixture
def plan(sag, socialraadgiver):
    from koreplan.plans.models import PlanVersion
    from koreplan.plans.services import plan_start

    plan = plan_start(actor=socialraadgiver, case=sag)
    PlanVersion.objects.filter(plan=plan).update(content=PLAN.to_dict())
    return plan


@pytest.fixture
def samtykke(sag, socialraadgiver, guldborgsund):
    """Consent to the whole municipality: sentence matters, housing, employment — not mental health, not the offence."""
    return give_consent(
        actor=socialraadgiver, case=sag, categories=["sentence", "housing", "education_employment"],
        recipient=guldborgsund, purposes=["intake_notice", "coordination"], given_on=date(2026, 11, 1),
    )


def coordination_input(municipality, **changes) -> RequestInput:
    values = dict(
        kind="coordination",
        municipality=municipality,
        departments=("jobcenter",),
        purpose_text="Koordinering af handleplanen før løsladelsen.",
        expectations="At kommunen afklarer bolig og rådighed før løsladelsen.",
        situation_and_wishes="Klienten ønsker egen bolig og arbejde.",
        life_areas=(),
        area_keys=("a1", "a3"),
        partner_keys=("p1",),
        plan_attached=True,
        kf_options=("day_release", "leave"),
        meeting_proposal="Møde i fængslet i januar.",
    )
    values.update(changes)
    return RequestInput(**values)


def form_data(municipality, **changes) -> dict:
    """The coordination form as a browser posts it."""
    data = {
        "municipality": municipality.pk,
        "departments": ["jobcenter"],
        "purpose_text": "Koordinering af handleplanen før løsladelsen.",
        "expectations": "At kommunen afklarer bolig og rådighed før løsladelsen.",
        "situation_and_wishes": "Klienten ønsker egen bolig og arbejde.",
        "plan_attached": "yes",
        "area_keys": ["a1", "a3"],
        "partner_keys": ["p1"],
        "kf_options": ["day_release", "leave"],
        "meeting_proposal": "Møde i fængslet i januar.",
        "legal_basis": "",
        "justification": "",
    }
    data.update(changes)
    return data
