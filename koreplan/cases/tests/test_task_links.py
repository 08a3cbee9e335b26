"""A task row's link to where its work is done (koreplan.cases.task_links): on the worklist
and the Køreplan, for each obligation with a place, to a page its holder can open; for no
one who could not; and for no obligation without a place. The apps' own tests show that
the work on those pages completes the task (test_task_links.py in plans, coordination,
release)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from koreplan.cases import services
from koreplan.cases.models import Case, Task
from koreplan.cases.task_links import PLACES, TaskLinks
from koreplan.domain.rules.obligations import OBLIGATIONS
from koreplan.plans.services import plan_start

from .factories import a_cpr, open_case

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
TODAY = date(2026, 11, 24)

#: The obligations done outside the system: no page records the work, so no link.
DONE_ELSEWHERE = {"supervision_first_meeting", services.REVIEW_AFTER_TRANSFER}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=COPENHAGEN), tick=False):
        yield


def expected_url(obligation: str, case: Case) -> str:
    place = PLACES[obligation]
    url = reverse(place.url_name, args=[case.pk, *place.args])
    return f"{url}#{place.anchor}" if place.anchor else url


def row_of(html: str, task: Task) -> str:
    """The task's row: a worklist table row, or a Køreplan list item up to the next one."""
    start = html.index(f'id="task-{task.pk}"')
    ends = [i for i in (html.find("</tr>", start), html.find('<li class="koreplan-', start + 1), html.find("</ol>", start)) if i > 0]
    return html[start:min(ends)]


def links_in(row: str) -> list[str]:
    return re.findall(r'<a href="([^"]*)" class="button button-secondary koreplan-task-link">', row)


def open_task(case: Case, obligation: str) -> Task:
    return case.tasks.filter(obligation_id=obligation, completed_on__isnull=True).order_by("due_on", "occurrence").first()


@pytest.fixture
def setups(socialraadgiver, kif, guldborgsund, andet_faengsel):
    """For an obligation: a case with the task open, and who holds the task."""

    def make(obligation: str) -> tuple[Case, object]:
        if obligation == "appoint_plan_responsible":
            client = services.client_create(
                actor=socialraadgiver, cpr=a_cpr(), first_name="Per", last_name="Nielsen", acting_municipality=guldborgsund
            )
            case = services.case_open(
                actor=socialraadgiver, client=client, case_type="imprisonment",
                holding_organisation=socialraadgiver.organisation, plan_responsible=None,
                facts={"sentence": "P2Y", "intake_on": TODAY - timedelta(days=5)},
            ).case
            return case, socialraadgiver
        if obligation == "involve_kif":
            return open_case(
                actor=socialraadgiver, municipality=guldborgsund, expected_parole_on=TODAY + timedelta(days=300)
            ), socialraadgiver
        if OBLIGATIONS[obligation].who.value == "kif":
            case = open_case(
                actor=kif, municipality=guldborgsund, case_type="parole_supervision",
                supervision_started_on=TODAY - timedelta(days=3), supervision_ends_on=TODAY + timedelta(days=365),
            )
            if obligation in PLACES and PLACES[obligation].anchor:
                plan_start(actor=kif, case=case)
            return case, kif
        case = open_case(actor=socialraadgiver, municipality=guldborgsund)
        if obligation in PLACES and PLACES[obligation].url_name == "plans:plan" and PLACES[obligation].anchor:
            plan_start(actor=socialraadgiver, case=case)  # the sections linked to are a plan's
        if obligation == "status_at_transfer":
            services.handover_request(actor=socialraadgiver, case=case, kind="institution", to_organisation=andet_faengsel)
        return case, socialraadgiver

    return make


def test_every_obligation_is_either_placed_or_done_elsewhere():
    assert set(PLACES) <= set(OBLIGATIONS)
    assert set(OBLIGATIONS) - set(PLACES) == DONE_ELSEWHERE - {services.REVIEW_AFTER_TRANSFER}


@pytest.mark.parametrize("obligation", sorted(PLACES))
def test_the_task_links_to_where_it_is_done_on_the_koreplan_and_the_worklist(client, setups, obligation):
    case, holder = setups(obligation)
    task = open_task(case, obligation)
    assert task is not None, f"no open {obligation} task to test with"
    url = expected_url(obligation, case)
    client.force_login(holder)

    row = row_of(client.get(f"/sager/{case.pk}/").content.decode(), task)
    assert links_in(row) == [url]
    assert "Mark as done" in row or "Markér som udført" in row  # still there, second

    page = client.get(url.partition("#")[0])
    assert page.status_code == 200
    if PLACES[obligation].anchor:
        assert f'id="{PLACES[obligation].anchor}"' in page.content.decode()

    if obligation == "appoint_plan_responsible":
        return  # on nobody's worklist: a case's tasks are its plan-responsible's, and it has none yet
    # On the worklist on the day it falls due (it shows the next 90 days).
    with time_machine.travel(datetime.combine(task.due_on, datetime.min.time(), tzinfo=COPENHAGEN), tick=False):
        client.force_login(holder)
        html = client.get("/opgaver/").content.decode()
    assert links_in(row_of(html, task)) == [url]


@pytest.mark.parametrize("obligation", sorted(DONE_ELSEWHERE))
def test_a_task_done_outside_the_system_has_only_mark_as_done(client, setups, socialraadgiver, andet_faengsel, fremmed, obligation):
    if obligation == services.REVIEW_AFTER_TRANSFER:
        case, _holder = setups("first_plan")
        handover = services.handover_request(
            actor=socialraadgiver, case=case, kind="institution", to_organisation=andet_faengsel, to_user=fremmed
        )
        services.handover_accept(actor=fremmed, handover=handover)
        holder = fremmed
    else:
        case, holder = setups(obligation)
    task = open_task(case, obligation)
    client.force_login(holder)
    row = row_of(client.get(f"/sager/{case.pk}/").content.decode(), task)
    assert links_in(row) == [] and f'action="/sager/{case.pk}/opgaver/{task.pk}/udfoer/"' in row


def test_no_link_for_one_who_could_not_do_the_work_there(client, socialraadgiver, kif, kif_afdeling, guldborgsund):
    """KIF, involved in a case the prison holds, completes its own tasks but cannot write the
    prison's plan: no link to the plan. It can write to the municipality, and that completes
    its coordination task; the prison writing would complete the prison's, so it gets none
    for KIF's task."""
    from koreplan.release.services import kif_involve

    case = open_case(actor=socialraadgiver, municipality=guldborgsund, expected_parole_on=TODAY + timedelta(days=30))
    kif_involve(actor=socialraadgiver, case=case, kif=kif_afdeling, officer=kif)
    supervision_plan = open_task(case, "supervision_plan")
    coordination = open_task(case, "kif_municipality_coordination")
    assert supervision_plan.responsible_organisation_id == kif_afdeling.pk

    client.force_login(kif)
    html = client.get(f"/sager/{case.pk}/").content.decode()
    assert links_in(row_of(html, supervision_plan)) == []
    assert "Mark as done" in row_of(html, supervision_plan) or "Markér som udført" in row_of(html, supervision_plan)
    assert links_in(row_of(html, coordination)) == [expected_url("kif_municipality_coordination", case)]
    assert client.get(reverse("plans:intake_interview", args=[case.pk])).status_code == 403  # what the link would be

    client.force_login(socialraadgiver)
    html = client.get(f"/sager/{case.pk}/").content.decode()
    assert links_in(row_of(html, coordination)) == []
    assert links_in(row_of(html, supervision_plan)) == [expected_url("supervision_plan", case)]


def test_no_link_to_a_page_that_would_refuse(client, socialraadgiver, admin, guldborgsund):
    """The administrator may mark any task done, but only the case's own organisations
    write to the municipality: the notice's row has "Mark as done" and no link, as that
    page answers 403. A closed case has no work left, and no links."""
    case = open_case(actor=socialraadgiver, municipality=guldborgsund)
    notice, plan = open_task(case, "notify_municipality_of_intake"), open_task(case, "first_plan")
    client.force_login(admin)
    html = client.get(f"/sager/{case.pk}/").content.decode()
    assert links_in(row_of(html, notice)) == [] and f"/opgaver/{notice.pk}/udfoer/" in row_of(html, notice)
    assert client.get(expected_url("notify_municipality_of_intake", case)).status_code == 403
    assert links_in(row_of(html, plan)) == [expected_url("first_plan", case)]

    services.case_close(actor=socialraadgiver, case=case)
    client.force_login(socialraadgiver)
    assert "koreplan-task-link" not in client.get(f"/sager/{case.pk}/").content.decode()


def test_appointing_the_plan_responsible_on_the_linked_page_completes_the_task(client, setups, socialraadgiver):
    case, holder = setups("appoint_plan_responsible")
    task = open_task(case, "appoint_plan_responsible")
    client.force_login(holder)
    url = links_in(row_of(client.get(f"/sager/{case.pk}/").content.decode(), task))[0]
    response = client.post(url.partition("#")[0], {"plan_responsible": socialraadgiver.pk})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.completed_on == TODAY and task.completed_by == socialraadgiver
    assert links_in(row_of(client.get(f"/sager/{case.pk}/").content.decode(), task)) == []


def test_each_place_is_reversed_once_per_page(socialraadgiver, guldborgsund, monkeypatch):
    from koreplan.cases import task_links

    cases = [open_case(actor=socialraadgiver, municipality=guldborgsund) for _ in range(3)]
    calls = []
    real = task_links.reverse
    monkeypatch.setattr(task_links, "reverse", lambda *a, **k: calls.append(a) or real(*a, **k))
    links = TaskLinks(socialraadgiver)
    urls = [links.for_task(open_task(case, "first_plan"), case).url for case in cases]
    assert urls == [expected_url("first_plan", case) for case in cases] and len(calls) == 1


def test_the_koreplan_swapped_in_after_a_completion_keeps_its_links(client, socialraadgiver, guldborgsund):
    case = open_case(actor=socialraadgiver, municipality=guldborgsund)
    done, plan = open_task(case, "intake_interview"), open_task(case, "first_plan")
    client.force_login(socialraadgiver)
    response = client.post(
        f"/sager/{case.pk}/opgaver/{done.pk}/udfoer/",
        {f"t{done.pk}-completed_on": TODAY.isoformat(), f"t{done.pk}-evidence": ""},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "<html" not in html and links_in(row_of(html, done)) == []
    assert links_in(row_of(html, plan)) == [expected_url("first_plan", case)]
