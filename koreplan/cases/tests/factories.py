"""Build clients and cases the way the application does: through the services."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from django.utils import timezone

from koreplan.cases import services

_serial = itertools.count(1000)


def a_cpr(birth: date = date(1990, 5, 1)) -> str:
    """A CPR number with a real date; the serial part is unique per call."""
    return birth.strftime("%d%m%y") + f"{next(_serial) % 10000:04d}"


#: ``open_case``'s plan-responsible unless one is given: the actor, if they may hold a plan.
ACTOR = object()


def open_case(
    *, actor, municipality, organisation=None, case_type="imprisonment", client=None, plan_responsible=ACTOR, **facts
):
    """A case held by the actor's organisation with the actor as plan-responsible (or the
    one given; None opens it without one)."""
    today = timezone.localdate()
    client = client or services.client_create(
        actor=actor, cpr=a_cpr(), first_name="Jens", last_name="Hansen", acting_municipality=municipality
    )
    defaults = {
        "sentence": "P2Y",
        "intake_on": today - timedelta(days=20),
        "release_on": today - timedelta(days=20) + timedelta(days=730),
        "housing_secured": False,
        "income_secured": True,
        "section_31_leave_possible": True,
    } if case_type == "imprisonment" else {}
    defaults.update(facts)
    return services.case_open(
        actor=actor,
        client=client,
        case_type=case_type,
        holding_organisation=organisation or actor.organisation,
        plan_responsible=(actor if actor.may_hold_plan else None) if plan_responsible is ACTOR else plan_responsible,
        facts=defaults,
    ).case
