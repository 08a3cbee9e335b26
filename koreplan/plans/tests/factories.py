"""Plans built the way the application builds them: through the services."""

from __future__ import annotations

from datetime import date

from koreplan.domain.plan import Action, ActionStatus, AreaOfEffort, ClientStance, ClientView, LifeArea, Performer
from koreplan.plans import services
from koreplan.plans.models import ActionPlan, PlanVersion


def a_housing_area(key: str = "", **changes) -> AreaOfEffort:
    values = dict(
        key=key,
        life_area=LifeArea.HOUSING,
        title="Bolig efter løsladelsen",
        justification="Klienten mister sin lejlighed under afsoningen.",
        goal="Klienten har en bolig på løsladelsesdagen.",
        sub_goals=("Ansøgning om boligstøtte",),
        actions=(
            Action("", "Ansøg om boligstøtte", Performer.CLIENT, "", "inden 1. maj", "med hjælp fra socialrådgiveren"),
            Action("", "Kontakt kommunens boligkontor", Performer.STAFF, "Susanne Holm", "i maj", "telefon",
                   ActionStatus.IN_PROGRESS),
        ),
        client_view=ClientView(ClientStance.AGREES),
        coordination="Aftalt med kommunens boligkontor.",
        evaluation="Ved næste opfølgning.",
    )
    values.update(changes)
    return AreaOfEffort(**values)


def start_plan(*, actor, case) -> tuple[ActionPlan, PlanVersion]:
    plan = services.plan_start(actor=actor, case=case)
    return plan, plan.versions.get()


def latest(plan: ActionPlan) -> PlanVersion:
    return plan.versions.order_by("-number").first()


def written_plan(*, actor, case, held_on: date) -> PlanVersion:
    """A plan with the intake interview written in and one area of effort."""
    version = services.plan_intake_interview_record(
        actor=actor, case=case, held_on=held_on, participation="took_part",
        entries={"housing": "Lejelejlighed i Nykøbing F., huslejen betales ikke under afsoningen."},
    )
    return services.plan_area_save(
        actor=actor, version=version, revision=version.revision, area=a_housing_area(), priority=1,
        justification="Klienten risikerer at blive løsladt til gaden.", discussed_with_client=True,
    )
