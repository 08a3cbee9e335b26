"""The Køreplan's plan tasks link to the action plan, and the work there completes them
(koreplan.cases.task_links)."""

from datetime import date

import pytest
import time_machine

from koreplan.cases import services as case_services
from koreplan.cases.tests.factories import open_case
from koreplan.cases.tests.test_task_links import links_in, row_of
from koreplan.plans.models import PlanStatus

from .factories import latest, written_plan

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def sag(socialraadgiver, guldborgsund):
    return open_case(actor=socialraadgiver, municipality=guldborgsund)


def link_of(client, case, obligation) -> str:
    task = case.tasks.filter(obligation_id=obligation, completed_on__isnull=True).order_by("due_on").first()
    (link,) = links_in(row_of(client.get(f"/sager/{case.pk}/").content.decode(), task))
    return link


def test_the_intake_interview_written_on_the_linked_page_completes_the_task(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    link = link_of(client, sag, "intake_interview")
    assert client.get(link).status_code == 200
    response = client.post(link, {"held_on": "2026-11-20", "participation": "took_part", "area_housing": "Bor hos sin mor."})
    assert response.status_code == 302
    task = sag.tasks.get(obligation_id="intake_interview")
    assert task.completed_on == date(2026, 11, 20) and task.completed_by == socialraadgiver
    assert "/handleplan/indsaettelsessamtale/" not in client.get(f"/sager/{sag.pk}/").content.decode()


def test_the_evaluations_and_the_statuses_offer_their_forms_where_the_links_land(client, socialraadgiver, sag):
    written_plan(actor=socialraadgiver, case=sag, held_on=TODAY)
    client.force_login(socialraadgiver)
    page = client.get(link_of(client, sag, "plan_evaluation").partition("#")[0]).content.decode()
    evaluations = page[page.index('id="opfoelgninger"'):page.index('id="status"')]
    statuses = page[page.index('id="status"'):page.index('id="aendringer"')]
    assert f'href="/sager/{sag.pk}/handleplan/opfoelgning/"' in evaluations
    assert f'href="/sager/{sag.pk}/handleplan/status/"' in statuses


def test_the_previous_holder_records_the_status_at_transfer_where_its_link_leads(
    client, socialraadgiver, fremmed, andet_faengsel, sag
):
    """After the hand-over the prison no longer writes the plan, but still owes its status
    at transfer (cirk. § 8, stk. 1): its link leads to the plan, whose status section lets it."""
    written_plan(actor=socialraadgiver, case=sag, held_on=TODAY)
    handover = case_services.handover_request(
        actor=socialraadgiver, case=sag, kind="institution", to_organisation=andet_faengsel, to_user=fremmed
    )
    case_services.handover_accept(actor=fremmed, handover=handover)
    client.force_login(socialraadgiver)
    link = link_of(client, sag, "status_at_transfer")
    assert link == f"/sager/{sag.pk}/handleplan/#status"
    page = client.get(link.partition("#")[0]).content.decode()
    statuses = page[page.index('id="status"'):page.index('id="aendringer"')]
    assert f'href="/sager/{sag.pk}/handleplan/status/"' in statuses
    version = latest(sag.action_plan)
    response = client.post(f"/sager/{sag.pk}/handleplan/status/", {
        "version": version.number, "revision": version.revision, "kind": PlanStatus.Kind.AT_TRANSFER,
        "stated_on": "2026-11-24", "note": "",
    })
    assert response.status_code == 302
    task = sag.tasks.get(obligation_id="status_at_transfer")
    assert task.completed_on == TODAY and task.completed_by == socialraadgiver
