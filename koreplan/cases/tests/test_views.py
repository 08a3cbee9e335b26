"""The case pages: Mine opgaver, Sager, a new case, the case page and its Køreplan, hand-overs.

Every page and endpoint has its happy path and its access test: Susanne and her colleague
Kasper (same prison) see the case; Frede (another prison), the municipality's entrance and
caseworker, and another municipality get 404; the administrator sees it. Cases are built
through the services, as the application builds them.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from koreplan.audit.models import AuditEntry
from koreplan.cases import selectors, services, views
from koreplan.cases.models import Case, Client, Handover, JournalEntry, Task

from .factories import a_cpr, open_case

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
TODAY = date(2026, 11, 24)  # a Tuesday


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=COPENHAGEN), tick=False):
        yield


@pytest.fixture
def sag(socialraadgiver, guldborgsund):
    """Jens Hansen's case at Susanne's prison; Susanne holds the plan."""
    return open_case(actor=socialraadgiver, municipality=guldborgsund)


def case_url(case: Case) -> str:
    return f"/sager/{case.pk}/"


def complete_url(task: Task) -> str:
    return f"/sager/{task.case_id}/opgaver/{task.pk}/udfoer/"


def open_task(case: Case, obligation_id: str) -> Task:
    return case.tasks.get(obligation_id=obligation_id, completed_on__isnull=True)


def html_of(response) -> str:
    return response.content.decode()


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


# --- the home page ---------------------------------------------------------------------------


def test_the_home_page_sends_you_to_your_tasks(client, socialraadgiver):
    client.force_login(socialraadgiver)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/opgaver/"


# --- Mine opgaver ----------------------------------------------------------------------------


def test_my_tasks_are_grouped_by_urgency_and_say_what_for_whom_by_when_and_why(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    response = client.get("/opgaver/")
    assert response.status_code == 200
    html = html_of(response)
    assert "<h1>Mine opgaver</h1>" in html
    for heading in ("Overskredet", "Denne uge", "Senere"):
        assert heading in html
    # What, for whom, by when, why.
    assert "<th scope=\"row\">Første handleplan</th>" in html
    assert f'<a href="/sager/{sag.pk}/#task-' in html
    assert "Jens Hansen" in html
    first_plan = open_task(sag, "first_plan")
    assert f'<time datetime="{first_plan.due_on.isoformat()}">' in html
    assert "Trin 5" in html
    assert "cirk. § 5, stk. 1" in html
    assert 'title="Cirkulære om handleplaner' in html
    assert "Markér som udført" in html
    # The table is read row by row: column headers and row headers.
    assert '<th scope="col">Hvorfor</th>' in html


def test_reading_my_tasks_is_audited_with_the_counts(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    client.get("/opgaver/")
    entry = AuditEntry.objects.get(action="koreplan.worklist.viewed")
    assert entry.actor == socialraadgiver
    assert set(entry.data) >= {"overdue", "this_week", "later", "handovers_incoming"}
    assert entry.data["overdue"] + entry.data["this_week"] + entry.data["later"] > 0


def test_my_tasks_can_be_filtered_by_step(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    html = html_of(client.get("/opgaver/", {"step": "5"}))
    assert "Første handleplan" in html
    assert "Indsættelsessamtale" not in html
    assert "Ryd filtrene" in html


def test_my_tasks_can_be_filtered_by_case_type(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    html = html_of(client.get("/opgaver/", {"case_type": "conditional_supervision"}))
    assert "Første handleplan" not in html
    assert "Ingen åbne opgaver passer til filtrene." in html


def test_the_flags_of_a_deadline_are_said_in_words(client, socialraadgiver, sag):
    task = open_task(sag, "first_plan")
    Task.objects.filter(pk=task.pk).update(asap=True, assumed=True, non_working_day=True)
    client.force_login(socialraadgiver)
    html = html_of(client.get("/opgaver/"))
    assert "snarest muligt" in html
    assert "antaget frist" in html
    assert "weekend eller helligdag" in html


def test_a_colleague_does_not_get_susannes_tasks(client, kollega, sag):
    client.force_login(kollega)
    html = html_of(client.get("/opgaver/"))
    assert "Jens Hansen" not in html
    assert "Du har ingen åbne opgaver de næste 90 dage." in html


def test_a_task_is_completed_from_the_worklist_and_the_filters_are_kept(client, socialraadgiver, sag):
    task = open_task(sag, "intake_interview")
    client.force_login(socialraadgiver)
    response = client.post(
        f"/opgaver/{task.pk}/udfoer/?step=3",
        {f"t{task.pk}-completed_on": TODAY.isoformat(), f"t{task.pk}-evidence": "Samtale holdt"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/opgaver/?step=3"
    task.refresh_from_db()
    assert task.completed_on == TODAY and task.completed_by == socialraadgiver
    assert task.evidence == "Samtale holdt"


def test_completing_in_the_future_from_the_worklist_shows_the_error_at_the_field(client, socialraadgiver, sag):
    task = open_task(sag, "intake_interview")
    client.force_login(socialraadgiver)
    response = client.post(f"/opgaver/{task.pk}/udfoer/", {f"t{task.pk}-completed_on": "2026-12-24"})
    assert response.status_code == 200
    html = html_of(response)
    assert "En opgave kan ikke udføres i fremtiden." in html
    assert f'href="#id_t{task.pk}-completed_on"' in html  # the summary links to the field
    assert 'aria-invalid="true"' in html
    assert not Task.objects.get(pk=task.pk).completed_on


def test_another_prison_cannot_complete_susannes_task_from_the_worklist(client, fremmed, sag):
    task = open_task(sag, "intake_interview")
    client.force_login(fremmed)
    response = client.post(f"/opgaver/{task.pk}/udfoer/", {f"t{task.pk}-completed_on": TODAY.isoformat()})
    assert response.status_code == 404


def test_incoming_hand_overs_are_listed_at_the_top_of_my_tasks(client, socialraadgiver, fremmed, andet_faengsel, sag):
    services.handover_request(actor=socialraadgiver, case=sag, kind="institution", to_organisation=andet_faengsel)
    client.force_login(fremmed)
    html = html_of(client.get("/opgaver/"))
    assert "1 overdragelse venter på dit svar" in html
    assert 'href="/overdragelser/"' in html


def test_the_worklist_costs_the_same_number_of_queries_for_one_case_and_for_ten(
    client, socialraadgiver, guldborgsund, sag, settings
):
    settings.KOREPLAN_PAGE_CACHE_SECONDS = 0  # what rendering the page costs, every time
    client.force_login(socialraadgiver)
    client.get("/opgaver/")  # warm the session and the user
    one = queries_for(client, "/opgaver/")
    for _ in range(9):
        open_case(actor=socialraadgiver, municipality=guldborgsund)
    ten = queries_for(client, "/opgaver/")
    assert ten == one


def test_every_mark_as_done_form_is_its_own_task_s_on_the_worklist_and_the_case_page(client, socialraadgiver, sag):
    """The forms are rendered once and copied with each task's prefix: each must still
    name, label and describe its own task's fields, and only those."""
    client.force_login(socialraadgiver)
    tasks = list(sag.tasks.filter(completed_on__isnull=True))
    assert len(tasks) > 1
    for url in ("/opgaver/", case_url(sag)):
        html = html_of(client.get(url))
        shown = [task for task in tasks if f'id="task-{task.pk}"' in html]
        assert len(shown) > 1, url
        for task in shown:
            prefix = f"t{task.pk}"
            assert f'<label class="form-label" for="id_{prefix}-completed_on">' in html
            assert (
                f'<input type="date" name="{prefix}-completed_on" value="{timezone.localdate().isoformat()}" '
                f'class="form-input input-width-s" aria-describedby="id_{prefix}-completed_on_helptext" required '
                f'id="id_{prefix}-completed_on">'
            ) in html
            assert f'<textarea name="{prefix}-evidence" cols="40" rows="2" maxlength="2000"' in html
            assert f'id="id_{prefix}-evidence_helptext"' in html
            # Each form posts to its own task, and says which task it marks done.
            assert f'/{task.pk}/udfoer/"' in html
            assert f'<span class="sr-only">: {task.title_da}</span>' in html
        assert "koreplan-form-" not in html


def test_a_long_worklist_comes_in_pages_and_counts_its_sections_in_full(client, socialraadgiver, guldborgsund, sag):
    for _ in range(6):  # step 2 is done at opening: six cases make more than a page
        open_case(actor=socialraadgiver, municipality=guldborgsund)
    everything = selectors.worklist(user=socialraadgiver, today=TODAY)
    assert everything.count > views.WORKLIST_PER_PAGE  # the test needs more than one page
    order = [task.pk for task in [*everything.overdue, *everything.this_week, *everything.later]]
    client.force_login(socialraadgiver)
    shown: list[int] = []
    pages = -(-everything.count // views.WORKLIST_PER_PAGE)
    for number in range(1, pages + 1):
        html = html_of(client.get("/opgaver/", {"side": number}))
        rows = [int(pk) for pk in re.findall(r'<tr id="task-(\d+)">', html)]
        assert len(rows) == min(views.WORKLIST_PER_PAGE, everything.count - len(shown))
        shown += rows
        assert f"{everything.count} åbne opgaver" in html
        assert f"Side {number} af {pages}" in html
        for heading, tasks in (("Overskredet", everything.overdue), ("Denne uge", everything.this_week), ("Senere", everything.later)):
            if tasks:
                assert f"{heading}: {len(tasks)}</a>" in html  # the summary counts all pages
    assert shown == order  # every task once, in the worklist's order


def test_the_worklist_summary_links_the_page_each_section_begins_on(client, socialraadgiver, guldborgsund, sag):
    for _ in range(5):
        open_case(actor=socialraadgiver, municipality=guldborgsund)
    everything = selectors.worklist(user=socialraadgiver, today=TODAY)
    later_starts = len(everything.overdue) + len(everything.this_week)
    client.force_login(socialraadgiver)
    html = html_of(client.get("/opgaver/", {"step": ""}))
    page = later_starts // views.WORKLIST_PER_PAGE + 1
    assert f'href="?step=&amp;side={page}#section-later">Senere: {len(everything.later)}</a>' in html
    html = html_of(client.get("/opgaver/", {"step": "", "side": page}))
    assert '<h2 id="section-later">' in html
    assert html.count('<tr id="task-') <= views.WORKLIST_PER_PAGE


def test_a_failed_mark_as_done_shows_the_page_its_task_is_on(client, socialraadgiver, guldborgsund, sag):
    for _ in range(6):  # step 2 is done at opening: six cases make more than a page
        open_case(actor=socialraadgiver, municipality=guldborgsund)
    everything = selectors.worklist(user=socialraadgiver, today=TODAY)
    last = [*everything.overdue, *everything.this_week, *everything.later][-1]
    client.force_login(socialraadgiver)
    response = client.post(f"/opgaver/{last.pk}/udfoer/", {f"t{last.pk}-completed_on": "2026-12-24"})
    html = html_of(response)
    assert f'<tr id="task-{last.pk}">' in html
    assert "En opgave kan ikke udføres i fremtiden." in html
    assert f"Side {-(-everything.count // views.WORKLIST_PER_PAGE)} af" in html


def test_the_worklist_logs_the_cases_its_page_showed(client, socialraadgiver, guldborgsund, sag):
    for _ in range(5):
        open_case(actor=socialraadgiver, municipality=guldborgsund)
    client.force_login(socialraadgiver)
    html = html_of(client.get("/opgaver/"))
    shown = set(Task.objects.filter(pk__in=re.findall(r'<tr id="task-(\d+)">', html)).values_list("case_id", flat=True))
    entry = AuditEntry.objects.filter(action="koreplan.worklist.viewed").latest("pk")
    assert set(entry.data["case_ids"]) == shown
    assert entry.data["page"] == 1


def test_the_organisation_filter_offers_the_organisations_of_my_tasks(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    html = html_of(client.get("/opgaver/"))
    organisations = {task.responsible_organisation for task in selectors.worklist(user=socialraadgiver, today=TODAY).overdue}
    organisations |= {task.responsible_organisation for task in selectors.worklist(user=socialraadgiver, today=TODAY).later}
    for organisation in organisations:
        assert f'<option value="{organisation.pk}">{organisation.name}</option>' in html


@pytest.mark.parametrize("value", ["abc", "999999"])
def test_an_organisation_not_among_the_filters_choices_is_refused_by_name(client, socialraadgiver, sag, value):
    client.force_login(socialraadgiver)
    client.post("/i18n/setlang/", {"language": "en", "next": "/opgaver/"})
    html = html_of(client.get("/opgaver/", {"organisation": value}))
    assert 'id="id_organisation-error"' in html
    assert f"Select a valid choice. {value} is not one of the available choices." in html
    assert re.findall(r'<tr id="task-(\d+)">', html)  # the worklist itself, unfiltered


# --- Sager -----------------------------------------------------------------------------------


def test_the_case_list_finds_a_case_by_name_and_by_cpr(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    html = html_of(client.get("/sager/", {"q": "hansen"}))
    assert f'<a href="/sager/{sag.pk}/">Jens Hansen</a>' in html
    assert sag.client.cpr_display in html
    html = html_of(client.get("/sager/", {"q": sag.client.cpr_display}))
    assert "Jens Hansen" in html
    html = html_of(client.get("/sager/", {"q": "Nielsen"}))
    assert "Jens Hansen" not in html
    assert 'href="/sager/ny/"' in html


def test_a_search_is_audited_with_its_query(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    client.get("/sager/", {"q": "hansen"})
    entry = AuditEntry.objects.get(action="koreplan.case.searched")
    assert entry.data["query"] == "hansen"
    assert entry.data["results"] == 1


@pytest.mark.parametrize("persona", ["fremmed", "kommune", "sagsbehandler", "anden_kommune"])
def test_the_case_list_shows_no_case_to_those_without_a_part(client, request, persona, sag):
    client.force_login(request.getfixturevalue(persona))
    html = html_of(client.get("/sager/"))
    assert "Jens Hansen" not in html


def test_a_municipality_cannot_open_cases(client, kommune):
    client.force_login(kommune)
    assert 'href="/sager/ny/"' not in html_of(client.get("/sager/"))
    assert client.get("/sager/ny/").status_code == 403


# --- Ny klient og sag ------------------------------------------------------------------------


def new_case_data(*, cpr: str, municipality, organisation, plan_responsible=None, **overrides) -> dict:
    data = {
        "cpr": cpr,
        "first_name": "Ole",
        "last_name": "Olsen",
        "acting_municipality": municipality.pk,
        "case_type": "imprisonment",
        "holding_organisation": organisation.pk,
        "plan_responsible": plan_responsible.pk if plan_responsible else "",
        "substitute": "",
        "sentence_years": "1",
        "sentence_months": "6",
        "sentence_days": "",
        "intake_on": "2026-11-10",
        "release_on": "2028-05-10",
        "housing_secured": "False",
        "income_secured": "",
        "section_31_leave_possible": "True",
    }
    data.update(overrides)
    return data


def test_the_new_case_form_defaults_to_my_organisation_and_me(client, socialraadgiver, faengsel, guldborgsund):
    client.force_login(socialraadgiver)
    html = html_of(client.get("/sager/ny/"))
    # A case is opened by the organisation that will hold it: Susanne's prison, not a choice.
    assert "<dd>Storstrøm Fængsel</dd>" in html
    assert 'name="holding_organisation"' not in html
    assert f'<option value="{socialraadgiver.pk}" selected>Susanne Holm</option>' in html
    assert f'<option value="{guldborgsund.pk}">Guldborgsund</option>' in html
    # The booleans are Ja / Nej / Ukendt, grouped under a legend.
    assert "<legend class=\"form-label\">Er bolig sikret efter løsladelsen?</legend>" in html
    assert "Ukendt" in html


def test_a_new_client_and_case_are_opened_from_one_form(client, socialraadgiver, faengsel, guldborgsund):
    client.force_login(socialraadgiver)
    cpr = a_cpr(date(1988, 3, 14))
    response = client.post(
        "/sager/ny/", new_case_data(cpr=cpr, municipality=guldborgsund, organisation=faengsel, plan_responsible=socialraadgiver)
    )
    assert response.status_code == 302
    case = Case.objects.get(client__cpr=cpr)
    assert response["Location"] == case_url(case)
    assert case.sentence == "P1Y6M"
    assert case.intake_on == date(2026, 11, 10)
    assert case.housing_secured is False and case.income_secured is None and case.section_31_leave_possible is True
    assert case.plan_responsible == socialraadgiver
    assert case.tasks.exists()
    assert case.client.birth_date == date(1988, 3, 14)


def test_opening_a_case_with_its_plan_responsible_leaves_step_2_done_off_the_lists(
    client, socialraadgiver, faengsel, guldborgsund
):
    client.force_login(socialraadgiver)
    cpr = a_cpr(date(1988, 3, 14))
    client.post(
        "/sager/ny/", new_case_data(cpr=cpr, municipality=guldborgsund, organisation=faengsel, plan_responsible=socialraadgiver)
    )
    case = Case.objects.get(client__cpr=cpr)
    appoint = case.tasks.get(obligation_id="appoint_plan_responsible")
    assert (appoint.completed_on, appoint.completed_by) == (timezone.localdate(), socialraadgiver)
    assert appoint.evidence == "Handleplansansvarlig var udpeget, da sagen blev oprettet."
    # Neither the worklist nor the case page offers to mark it done.
    assert f'id="task-{appoint.pk}"' not in html_of(client.get("/opgaver/"))
    assert f"/opgaver/{appoint.pk}/udfoer/" not in html_of(client.get(case_url(case)))


def test_opening_a_case_without_a_plan_responsible_leaves_step_2_open(client, socialraadgiver, faengsel, guldborgsund):
    client.force_login(socialraadgiver)
    cpr = a_cpr(date(1988, 3, 14))
    client.post("/sager/ny/", new_case_data(cpr=cpr, municipality=guldborgsund, organisation=faengsel))
    case = Case.objects.get(client__cpr=cpr)
    assert case.plan_responsible is None
    appoint = case.tasks.get(obligation_id="appoint_plan_responsible")
    assert appoint.completed_on is None
    assert f"/opgaver/{appoint.pk}/udfoer/" in html_of(client.get(case_url(case)))


def test_an_invalid_cpr_number_is_explained_at_the_field(client, socialraadgiver, faengsel, guldborgsund):
    client.force_login(socialraadgiver)
    response = client.post("/sager/ny/", new_case_data(cpr="3213881234", municipality=guldborgsund, organisation=faengsel))
    assert response.status_code == 200
    html = html_of(response)
    assert 'href="#id_cpr"' in html
    assert "Indtast et gyldigt CPR-nummer" in html
    assert not Client.objects.filter(first_name="Ole").exists()


def test_a_services_error_lands_on_its_field(client, socialraadgiver, faengsel, guldborgsund):
    client.force_login(socialraadgiver)
    data = new_case_data(cpr=a_cpr(), municipality=guldborgsund, organisation=faengsel, release_on="2026-01-01")
    response = client.post("/sager/ny/", data)
    assert response.status_code == 200
    html = html_of(response)
    assert 'href="#id_release_on"' in html
    assert 'id="id_release_on-error"' in html


def test_nothing_is_half_saved_when_the_case_cannot_be_opened(client, socialraadgiver, faengsel, guldborgsund):
    client.force_login(socialraadgiver)
    data = new_case_data(
        cpr=a_cpr(), municipality=guldborgsund, organisation=faengsel,
        plan_responsible=socialraadgiver, substitute=socialraadgiver.pk,
    )
    response = client.post("/sager/ny/", data)
    assert response.status_code == 200
    assert 'href="#id_substitute"' in html_of(response)
    # The client is not left behind without its case.
    assert not Client.objects.filter(first_name="Ole").exists()
    assert not AuditEntry.objects.filter(action="koreplan.client.created").exists()


def test_a_known_cpr_with_an_open_case_i_can_see_opens_that_case(client, socialraadgiver, faengsel, sag):
    client.force_login(socialraadgiver)
    data = new_case_data(
        cpr=sag.client.cpr, municipality=sag.client.acting_municipality, organisation=faengsel,
        first_name="Jens", last_name="Hansen",
    )
    response = client.post("/sager/ny/", data)
    assert response.status_code == 302
    assert response["Location"] == case_url(sag)
    assert Case.objects.filter(client=sag.client).count() == 1


def test_a_known_cpr_elsewhere_gets_a_new_case_on_the_registered_client(client, fremmed, andet_faengsel, sag):
    """A new intake at a new prison: Frede cannot see the old case, but opens a new one."""
    client.force_login(fremmed)
    data = new_case_data(
        cpr=sag.client.cpr_display, municipality=sag.client.acting_municipality, organisation=andet_faengsel,
        plan_responsible=fremmed, first_name="jens", last_name="HANSEN",
    )
    response = client.post("/sager/ny/", data)
    assert response.status_code == 302
    new = Case.objects.exclude(pk=sag.pk).get(client=sag.client)
    assert new.holding_organisation == andet_faengsel
    assert response["Location"] == case_url(new)
    assert Client.objects.filter(cpr=sag.client.cpr).count() == 1


def test_a_known_cpr_under_another_name_is_refused(client, fremmed, andet_faengsel, sag):
    client.force_login(fremmed)
    data = new_case_data(cpr=sag.client.cpr, municipality=sag.client.acting_municipality, organisation=andet_faengsel)
    response = client.post("/sager/ny/", data)
    assert response.status_code == 200
    assert "registreret under et andet navn" in html_of(response)
    assert Case.objects.filter(client=sag.client).count() == 1


def test_the_holding_organisation_cannot_be_forged(client, socialraadgiver, faengsel, andet_faengsel, guldborgsund):
    client.force_login(socialraadgiver)
    cpr = a_cpr()
    data = new_case_data(cpr=cpr, municipality=guldborgsund, organisation=andet_faengsel)
    assert client.post("/sager/ny/", data).status_code == 302
    assert Case.objects.get(client__cpr=cpr).holding_organisation == faengsel


def test_the_administrator_chooses_the_organisation_and_its_staff_follow(
    client, admin, fremmed, andet_faengsel, guldborgsund
):
    client.force_login(admin)
    data = new_case_data(cpr="", municipality=guldborgsund, organisation=andet_faengsel, refresh_people="1")
    response = client.post("/sager/ny/", data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = html_of(response)
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="people">')
    assert f'<option value="{fremmed.pk}">Frede Lund</option>' in html
    # Without JavaScript the whole form comes back, with what was typed and no errors.
    response = client.post("/sager/ny/", data)
    html = html_of(response)
    assert "<html" in html and "Frede Lund" in html
    assert 'value="Olsen"' in html
    assert "form-error-message" not in html
    # And the case is opened there.
    cpr = a_cpr()
    data = new_case_data(cpr=cpr, municipality=guldborgsund, organisation=andet_faengsel, plan_responsible=fremmed)
    assert client.post("/sager/ny/", data).status_code == 302
    case = Case.objects.get(client__cpr=cpr)
    assert case.holding_organisation == andet_faengsel and case.plan_responsible == fremmed


# --- the case page ---------------------------------------------------------------------------


def test_the_case_page_shows_who_what_the_rules_and_the_koreplan(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    response = client.get(case_url(sag))
    assert response.status_code == 200
    html = html_of(response)
    assert "<h1>Jens Hansen</h1>" in html
    assert re.search(r"\d{6}-\d{4}", html)
    assert sag.client.cpr_display in html
    assert "Fængsel" in html and "Susanne Holm" in html
    assert "Handleplanspligt." in html
    assert "Køreplanen gælder." in html
    assert "Løsladelsesmøde anbefales." in html
    # The Køreplan: steps with status in words, the citation in text and on hover.
    assert 'id="timeline"' in html
    assert "Trin 5:" in html and "Første handleplan" in html
    assert "Kommende" in html
    assert '<span class="koreplan-citation" title="Vejledning om udarbejdelse af handleplaner (VEJ nr. 9399 af 26/07/2013)">VEJ pkt. 40</span>' in html
    assert f'hx-post="/sager/{sag.pk}/opgaver/' in html
    assert "Indsættelse" in html and "Fire uger efter løsladelsen" in html
    # The sections.
    for heading in ("Oplysninger", "Ophold", "Hvem har sagen", "Overdragelser", "Personjournal", "Adgangslog"):
        assert heading in html
    assert "VEJ pkt. 11" in html


def test_the_timelines_warnings_are_shown(client, socialraadgiver, guldborgsund):
    case = open_case(actor=socialraadgiver, municipality=guldborgsund, sentence="", section_31_leave_possible=None)
    client.force_login(socialraadgiver)
    html = html_of(client.get(case_url(case)))
    assert "Manglende oplysninger" in html
    assert "<strong>Straf</strong>: ikke oplyst" in html


def test_reading_the_case_is_audited_and_shown_in_its_access_log(client, socialraadgiver, kollega, sag):
    client.force_login(kollega)
    client.get(case_url(sag))
    client.force_login(socialraadgiver)
    html = html_of(client.get(case_url(sag)))
    entries = AuditEntry.objects.filter(action="koreplan.case.viewed", case_id=sag.pk)
    assert {e.actor for e in entries} == {kollega, socialraadgiver}
    log = html.split('id="adgangslog"')[1]
    assert "Kasper Berg" in log and "Storstrøm Fængsel" in log and "Så sagen" in log


@pytest.mark.parametrize("persona", ["socialraadgiver", "kollega", "admin"])
def test_those_with_a_part_and_the_administrator_see_the_case(client, request, persona, sag):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(case_url(sag)).status_code == 200


@pytest.mark.parametrize("persona", ["fremmed", "kif", "kommune", "sagsbehandler", "anden_kommune"])
def test_everyone_else_gets_404_on_the_case_page(client, request, persona, sag):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(case_url(sag)).status_code == 404
    assert client.get(f"/sager/{sag.pk}/oplysninger/").status_code == 404


def test_an_unknown_case_is_404(client, socialraadgiver):
    client.force_login(socialraadgiver)
    assert client.get("/sager/999999/").status_code == 404


def test_the_case_page_costs_the_same_number_of_queries_whatever_the_number_of_cases(
    client, socialraadgiver, guldborgsund, sag, settings
):
    settings.KOREPLAN_PAGE_CACHE_SECONDS = 0  # what rendering the page costs, every time
    client.force_login(socialraadgiver)
    client.get(case_url(sag))
    one = queries_for(client, case_url(sag))
    for _ in range(9):
        open_case(actor=socialraadgiver, municipality=guldborgsund)
    for day in range(5):
        services.journal_entry_add(
            actor=socialraadgiver, case=sag, kind="contact", occurred_on=TODAY - timedelta(days=day), text="Ringet"
        )
    services.task_complete(actor=socialraadgiver, task=open_task(sag, "intake_interview"), completed_on=TODAY)
    ten = queries_for(client, case_url(sag))
    assert ten == one


# --- completing a task on the Køreplan ---------------------------------------------------------


def test_completing_with_htmx_returns_only_the_koreplan(client, socialraadgiver, sag):
    task = open_task(sag, "intake_interview")
    client.force_login(socialraadgiver)
    response = client.post(
        complete_url(task),
        {f"t{task.pk}-completed_on": TODAY.isoformat(), f"t{task.pk}-evidence": "https://esdh.example/123"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = html_of(response)
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="timeline">')
    assert "Udført" in html and "Susanne Holm" in html
    assert '<a href="https://esdh.example/123"' in html
    # The status line beside the timeline is updated out of band, for screen readers.
    assert 'id="timeline-status" role="status"' in html and 'hx-swap-oob="innerHTML"' in html
    assert "er markeret som udført" in html
    task.refresh_from_db()
    assert task.completed_on == TODAY and task.completed_by == socialraadgiver


def test_completing_without_javascript_redirects_back_to_the_koreplan(client, kollega, sag):
    task = open_task(sag, "intake_interview")
    client.force_login(kollega)
    response = client.post(complete_url(task), {f"t{task.pk}-completed_on": TODAY.isoformat()})
    assert response.status_code == 302
    assert response["Location"] == f"/sager/{sag.pk}/#koreplan"
    assert Task.objects.get(pk=task.pk).completed_by == kollega


def test_a_future_completion_date_shows_the_field_error(client, socialraadgiver, sag):
    task = open_task(sag, "intake_interview")
    client.force_login(socialraadgiver)
    future = {f"t{task.pk}-completed_on": (TODAY + timedelta(days=1)).isoformat()}
    html = html_of(client.post(complete_url(task), future, headers={"HX-Request": "true"}))
    assert "<html" not in html
    assert "En opgave kan ikke udføres i fremtiden." in html
    assert f'id="id_t{task.pk}-completed_on-error"' in html
    assert "<details class=\"details koreplan-complete\" open>" in html
    # Without JavaScript: the whole page, with the summary linking to the field.
    response = client.post(complete_url(task), future)
    assert response.status_code == 200
    html = html_of(response)
    assert "<html" in html
    assert f'href="#id_t{task.pk}-completed_on"' in html
    assert Task.objects.get(pk=task.pk).completed_on is None


@pytest.mark.parametrize("persona", ["fremmed", "kif", "kommune", "sagsbehandler", "anden_kommune"])
def test_everyone_else_gets_404_on_the_write_endpoints(client, request, persona, sag, socialraadgiver):
    task = open_task(sag, "intake_interview")
    client.force_login(request.getfixturevalue(persona))
    for url, data in [
        (complete_url(task), {f"t{task.pk}-completed_on": TODAY.isoformat()}),
        (f"/sager/{sag.pk}/oplysninger/", {"revision": sag.revision, "case_type": "imprisonment"}),
        (f"/sager/{sag.pk}/ansvar/", {"plan_responsible": ""}),
        (f"/sager/{sag.pk}/overdrag/", {"kind": "person"}),
        (f"/sager/{sag.pk}/journal/", {"kind": "contact", "occurred_on": TODAY.isoformat(), "text": "x"}),
    ]:
        assert client.post(url, data).status_code == 404, url
    assert Task.objects.get(pk=task.pk).completed_on is None


def test_a_task_of_another_case_is_404_under_this_case(client, socialraadgiver, guldborgsund, sag):
    other = open_case(actor=socialraadgiver, municipality=guldborgsund)
    task = open_task(other, "intake_interview")
    client.force_login(socialraadgiver)
    response = client.post(f"/sager/{sag.pk}/opgaver/{task.pk}/udfoer/", {f"t{task.pk}-completed_on": TODAY.isoformat()})
    assert response.status_code == 404


# --- the facts --------------------------------------------------------------------------------


def test_the_facts_are_edited_and_the_koreplan_follows(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    html = html_of(client.get(f"/sager/{sag.pk}/oplysninger/"))
    assert f'name="revision" value="{sag.revision}"' in html
    assert 'name="sentence_years" id="id_sentence_years" value="2"' in html
    data = {
        "revision": sag.revision, "case_type": "imprisonment", "sentence_years": "2",
        "intake_on": sag.intake_on.isoformat(), "release_on": sag.release_on.isoformat(),
        "expected_parole_on": "2027-06-01", "housing_secured": "True", "income_secured": "True",
        "section_31_leave_possible": "True",
    }
    response = client.post(f"/sager/{sag.pk}/oplysninger/", data)
    assert response.status_code == 302
    assert response["Location"] == f"/sager/{sag.pk}/#oplysninger"
    sag.refresh_from_db()
    assert sag.expected_parole_on == date(2027, 6, 1) and sag.housing_secured is True
    assert sag.revision == 2
    assert sag.tasks.filter(obligation_id="involve_kif").exists()


def test_a_stale_revision_shows_the_conflict_and_saves_nothing(client, socialraadgiver, kollega, sag):
    services.case_facts_update(actor=kollega, case=sag, revision=sag.revision, changes={"housing_secured": True})
    client.force_login(socialraadgiver)
    data = {
        "revision": 1, "case_type": "imprisonment", "sentence_years": "3",
        "intake_on": sag.intake_on.isoformat(), "release_on": sag.release_on.isoformat(),
    }
    response = client.post(f"/sager/{sag.pk}/oplysninger/", data)
    assert response.status_code == 409
    html = html_of(response)
    assert "En anden har gemt oplysningerne, mens du redigerede dem" in html
    assert "Kasper Berg gemte det" in html
    sag.refresh_from_db()
    assert sag.sentence == "P2Y" and sag.revision == 2


def test_an_inconsistent_fact_is_shown_at_its_field(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    data = {
        "revision": sag.revision, "case_type": "imprisonment", "sentence_years": "2",
        "intake_on": sag.intake_on.isoformat(), "release_on": "2020-01-01",
    }
    html = html_of(client.post(f"/sager/{sag.pk}/oplysninger/", data))
    assert 'href="#id_release_on"' in html
    assert Case.objects.get(pk=sag.pk).revision == 1


def test_a_colleague_at_another_part_may_see_but_not_edit(client, socialraadgiver, kif, kif_afdeling, sag):
    services.handover_request(actor=socialraadgiver, case=sag, kind="kif_at_parole", to_organisation=kif_afdeling)
    client.force_login(kif)
    html = html_of(client.get(case_url(sag)))
    assert "Ret oplysninger" not in html
    assert 'id="adgangslog"' not in html  # the access log is for the holders
    assert client.get(f"/sager/{sag.pk}/oplysninger/").status_code == 403


# --- who holds the case -------------------------------------------------------------------------


def test_the_substitute_is_named_and_covers(client, socialraadgiver, kollega, sag):
    client.force_login(socialraadgiver)
    data = {"plan_responsible": socialraadgiver.pk, "substitute": kollega.pk, "substitute_covering": "on"}
    response = client.post(f"/sager/{sag.pk}/ansvar/", data)
    assert response.status_code == 302
    sag.refresh_from_db()
    assert sag.substitute == kollega and sag.substitute_covering
    html = html_of(client.get(case_url(sag)))
    assert "dækker under fravær" in html
    # Kasper now has Susanne's tasks.
    client.force_login(kollega)
    assert "Jens Hansen" in html_of(client.get("/opgaver/"))


def test_naming_the_plan_responsible_on_the_case_page_completes_step_2(client, socialraadgiver, leder, guldborgsund):
    other = services.client_create(
        actor=leder, cpr=a_cpr(), first_name="Ole", last_name="Berg", acting_municipality=guldborgsund
    )
    case = services.case_open(
        actor=leder, client=other, case_type="imprisonment", holding_organisation=leder.organisation,
        facts={"sentence": "P2Y", "intake_on": TODAY - timedelta(days=5), "release_on": TODAY + timedelta(days=700)},
    ).case
    appoint = case.tasks.get(obligation_id="appoint_plan_responsible")
    client.force_login(leder)
    assert f"/opgaver/{appoint.pk}/udfoer/" in html_of(client.get(case_url(case)))
    response = client.post(f"/sager/{case.pk}/ansvar/", {"plan_responsible": socialraadgiver.pk, "substitute": ""})
    assert response.status_code == 302
    appoint.refresh_from_db()
    assert (appoint.completed_on, appoint.completed_by) == (timezone.localdate(), leder)
    assert appoint.evidence == "Handleplansansvarlig blev udpeget på sagen."
    assert f"/opgaver/{appoint.pk}/udfoer/" not in html_of(client.get(case_url(case)))
    assert AuditEntry.objects.filter(action="koreplan.task.completed", object_id=str(appoint.pk)).exists()


def test_who_holds_the_case_is_changed_on_a_page_of_its_own(client, socialraadgiver, kollega, andet_faengsel, sag):
    client.force_login(socialraadgiver)
    html = html_of(client.get(case_url(sag)))
    # The case page links to the two forms rather than carrying their lists of people.
    assert f'href="/sager/{sag.pk}/ansvar/"' in html and f'href="/sager/{sag.pk}/overdrag/"' in html
    assert 'name="plan_responsible"' not in html and 'name="to_institution"' not in html
    page = html_of(client.get(f"/sager/{sag.pk}/ansvar/"))
    assert 'name="plan_responsible"' in page and f'<option value="{kollega.pk}"' in page
    assert f'href="/sager/{sag.pk}/#ansvar"' in page  # back to the case
    page = html_of(client.get(f"/sager/{sag.pk}/overdrag/"))
    assert 'name="to_institution"' in page and f'<option value="{andet_faengsel.pk}"' in page
    # With a hand-over waiting, the case page offers no second one.
    services.handover_request(actor=socialraadgiver, case=sag, kind="institution", to_organisation=andet_faengsel)
    assert f'href="/sager/{sag.pk}/overdrag/"' not in html_of(client.get(case_url(sag)))


@pytest.mark.parametrize(
    ("path", "page"),
    [("ansvar/", "responsibility"), ("overdrag/", "handover_request"), ("handlekommune/", "client_municipality")],
)
def test_a_case_form_page_records_its_read(client, socialraadgiver, sag, path, page):
    # Each shows the client and the case: a read of criminal-offence data, recorded.
    client.force_login(socialraadgiver)
    assert client.get(f"/sager/{sag.pk}/{path}").status_code == 200
    entry = AuditEntry.objects.filter(action="koreplan.case.viewed", case_id=sag.pk).latest("id")
    assert (entry.actor, entry.client_id, entry.data["page"]) == (socialraadgiver, sag.client_id, page)


def test_a_waiting_hand_over_to_kif_keeps_the_acronym_in_capitals(client, socialraadgiver, kif, sag):
    services.handover_request(actor=socialraadgiver, case=sag, kind="kif_at_parole", to_organisation=kif.organisation)
    client.force_login(socialraadgiver)
    for page in (html_of(client.get(case_url(sag))), html_of(client.get(f"/sager/{sag.pk}/overdrag/"))):
        assert ": til KIF ved prøveløsladelse – " in page
        assert "til kif" not in page


def test_only_those_who_may_edit_get_the_form_pages(client, leder, kif, sag):
    client.force_login(kif)  # no part in the case
    assert client.get(f"/sager/{sag.pk}/ansvar/").status_code == 404
    assert client.get(f"/sager/{sag.pk}/overdrag/").status_code == 404


def test_the_substitute_must_be_someone_else(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    data = {"plan_responsible": socialraadgiver.pk, "substitute": socialraadgiver.pk}
    response = client.post(f"/sager/{sag.pk}/ansvar/", data)
    assert response.status_code == 200
    assert 'href="#id_substitute"' in html_of(response)


# --- the journal ---------------------------------------------------------------------------------


def test_a_journal_entry_is_written(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    data = {"kind": "attempt", "occurred_on": TODAY.isoformat(), "text": "Ringede til jobcentret; intet svar."}
    response = client.post(f"/sager/{sag.pk}/journal/", data)
    assert response.status_code == 302
    assert response["Location"] == f"/sager/{sag.pk}/#journal"
    entry = JournalEntry.objects.get(case=sag)
    assert entry.kind == "attempt" and entry.author == socialraadgiver
    assert "Ringede til jobcentret; intet svar." in html_of(client.get(case_url(sag)))


def test_an_empty_journal_entry_is_refused_at_the_field(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    response = client.post(f"/sager/{sag.pk}/journal/", {"kind": "contact", "occurred_on": TODAY.isoformat(), "text": ""})
    assert response.status_code == 200
    assert 'href="#journal_text"' in html_of(response)
    assert not JournalEntry.objects.exists()


# --- hand-overs -------------------------------------------------------------------------------


def test_a_hand_over_to_another_prison_walks_from_request_to_accept(
    client, socialraadgiver, fremmed, andet_faengsel, sag
):
    client.force_login(socialraadgiver)
    response = client.post(
        f"/sager/{sag.pk}/overdrag/",
        {"kind": "institution", "to_institution": andet_faengsel.pk, "message": "Overføres til åben afdeling."},
    )
    assert response.status_code == 302
    handover = Handover.objects.get(case=sag)
    assert handover.status == Handover.Status.REQUESTED
    # Until it is accepted, Susanne holds the case and both prisons see it.
    html = html_of(client.get(case_url(sag)))
    assert "En overdragelse venter på svar" in html

    client.force_login(fremmed)
    html = html_of(client.get("/overdragelser/"))
    assert "Jens Hansen" in html and "Overføres til åben afdeling." in html
    assert client.get(case_url(sag)).status_code == 200
    response = client.post(f"/overdragelser/{handover.pk}/accepter/", {f"a{handover.pk}-plan_responsible": fremmed.pk})
    assert response.status_code == 302
    assert response["Location"] == case_url(sag)

    sag.refresh_from_db()
    assert sag.holding_organisation == andet_faengsel
    assert sag.plan_responsible == fremmed
    # Susanne no longer holds it: she cannot change it, and her worklist keeps only the status task.
    client.force_login(socialraadgiver)
    response = client.post(f"/sager/{sag.pk}/journal/", {"kind": "contact", "occurred_on": TODAY.isoformat(), "text": "x"})
    assert response.status_code in (403, 404)
    html = html_of(client.get("/opgaver/"))
    assert "Første handleplan" not in html
    assert "Status på handleplanen ved overførsel" in html


def test_a_hand_over_is_returned_only_with_a_reason(client, socialraadgiver, fremmed, andet_faengsel, sag):
    handover = services.handover_request(
        actor=socialraadgiver, case=sag, kind="institution", to_organisation=andet_faengsel
    )
    client.force_login(fremmed)
    response = client.post(f"/overdragelser/{handover.pk}/returner/", {f"r{handover.pk}-reason": "  "})
    assert response.status_code == 200
    html = html_of(response)
    assert "Sig, hvorfor overdragelsen sendes retur." in html
    assert f'href="#id_r{handover.pk}-reason"' in html
    assert Handover.objects.get(pk=handover.pk).status == Handover.Status.REQUESTED

    response = client.post(f"/overdragelser/{handover.pk}/returner/", {f"r{handover.pk}-reason": "Ingen plads"})
    assert response.status_code == 302
    handover.refresh_from_db()
    assert handover.status == Handover.Status.RETURNED and handover.answer_reason == "Ingen plads"
    assert Case.objects.get(pk=sag.pk).holding_organisation == socialraadgiver.organisation


@pytest.mark.parametrize("persona", ["socialraadgiver", "kollega", "kif", "kommune", "anden_kommune"])
def test_only_the_receiver_may_answer_a_hand_over(client, request, persona, socialraadgiver, andet_faengsel, sag):
    handover = services.handover_request(
        actor=socialraadgiver, case=sag, kind="institution", to_organisation=andet_faengsel
    )
    client.force_login(request.getfixturevalue(persona))
    assert "Jens Hansen" not in html_of(client.get("/overdragelser/"))
    assert client.post(f"/overdragelser/{handover.pk}/accepter/", {}).status_code == 404
    assert client.post(f"/overdragelser/{handover.pk}/returner/", {f"r{handover.pk}-reason": "x"}).status_code == 404


def test_a_hand_over_to_a_colleague_is_answered_by_that_colleague(client, socialraadgiver, kollega, leder, sag):
    client.force_login(socialraadgiver)
    response = client.post(f"/sager/{sag.pk}/overdrag/", {"kind": "person", "to_person": kollega.pk})
    assert response.status_code == 302
    handover = Handover.objects.get(case=sag)
    client.force_login(kollega)
    html = html_of(client.get("/overdragelser/"))
    assert f'<option value="{kollega.pk}" selected>Kasper Berg</option>' in html
    response = client.post(f"/overdragelser/{handover.pk}/accepter/", {f"a{handover.pk}-plan_responsible": kollega.pk})
    assert response.status_code == 302
    sag.refresh_from_db()
    assert sag.plan_responsible == kollega and sag.holding_organisation == socialraadgiver.organisation


def test_a_hand_over_to_someone_who_already_holds_the_plan_is_refused_at_the_field(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    response = client.post(f"/sager/{sag.pk}/overdrag/", {"kind": "person", "to_person": socialraadgiver.pk})
    assert response.status_code == 200
    html = html_of(response)
    assert 'href="#id_to_person"' in html and "Personen er allerede handleplansansvarlig." in html


@pytest.mark.parametrize("persona", ["fremmed", "kommune", "anden_kommune"])
def test_only_the_holder_may_withdraw_a_hand_over(client, request, persona, socialraadgiver, kif_afdeling, sag):
    handover = services.handover_request(actor=socialraadgiver, case=sag, kind="kif_at_parole", to_organisation=kif_afdeling)
    client.force_login(request.getfixturevalue(persona))
    assert client.post(f"/sager/{sag.pk}/overdragelser/{handover.pk}/traek-tilbage/").status_code == 404
    assert Handover.objects.get(pk=handover.pk).status == Handover.Status.REQUESTED


def test_a_hand_over_to_kif_at_parole(client, socialraadgiver, kif, kif_afdeling, sag):
    client.force_login(socialraadgiver)
    response = client.post(f"/sager/{sag.pk}/overdrag/", {"kind": "kif_at_parole", "to_kif": kif_afdeling.pk})
    assert response.status_code == 302
    handover = Handover.objects.get(case=sag)
    client.force_login(kif)
    response = client.post(f"/overdragelser/{handover.pk}/accepter/", {f"a{handover.pk}-plan_responsible": kif.pk})
    assert response.status_code == 302
    sag.refresh_from_db()
    assert sag.holding_organisation == kif_afdeling and sag.kif == kif_afdeling and sag.plan_responsible == kif


def test_a_hand_over_needs_its_receiver(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    response = client.post(f"/sager/{sag.pk}/overdrag/", {"kind": "institution"})
    assert response.status_code == 200
    assert 'href="#id_to_institution"' in html_of(response)
    response = client.post(f"/sager/{sag.pk}/overdrag/", {"kind": "person"})
    assert 'href="#id_to_person"' in html_of(response)
    assert not Handover.objects.exists()


def test_a_pending_hand_over_can_be_withdrawn(client, socialraadgiver, andet_faengsel, sag):
    handover = services.handover_request(actor=socialraadgiver, case=sag, kind="institution", to_organisation=andet_faengsel)
    client.force_login(socialraadgiver)
    response = client.post(f"/sager/{sag.pk}/overdragelser/{handover.pk}/traek-tilbage/")
    assert response.status_code == 302
    assert Handover.objects.get(pk=handover.pk).status == Handover.Status.WITHDRAWN


def test_the_hand_over_list_costs_the_same_for_one_hand_over_and_for_five(
    client, socialraadgiver, fremmed, andet_faengsel, guldborgsund, sag
):
    services.handover_request(actor=socialraadgiver, case=sag, kind="institution", to_organisation=andet_faengsel)
    client.force_login(fremmed)
    client.get("/overdragelser/")
    one = queries_for(client, "/overdragelser/")
    for _ in range(4):
        case = open_case(actor=socialraadgiver, municipality=guldborgsund)
        services.handover_request(actor=socialraadgiver, case=case, kind="institution", to_organisation=andet_faengsel)
    assert queries_for(client, "/overdragelser/") == one
    assert selectors.handovers_incoming(user=fremmed).count() == 5


# --- language and the admin --------------------------------------------------------------------


def test_the_pages_speak_english_when_chosen(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    client.post("/i18n/setlang/", {"language": "en", "next": "/opgaver/"})
    html = html_of(client.get("/opgaver/"))
    assert "<h1>My tasks</h1>" in html and "First action plan" in html and "Step 5" in html
    html = html_of(client.get(case_url(sag)))
    assert "Action plan required." in html and "Upcoming" in html


def test_the_admin_shows_the_cases_and_keeps_tasks_and_journal_read_only(client, admin, socialraadgiver, sag):
    services.journal_entry_add(actor=socialraadgiver, case=sag, kind="contact", occurred_on=TODAY, text="Ringet")
    task = open_task(sag, "first_plan")
    client.force_login(admin)
    for url in ["client", "case", "task", "journalentry", "handover"]:
        assert client.get(f"/admin/cases/{url}/").status_code == 200, url
    assert client.get(f"/admin/cases/case/{sag.pk}/change/").status_code == 200
    assert client.get(f"/admin/cases/task/{task.pk}/change/").status_code == 200
    assert client.post(f"/admin/cases/task/{task.pk}/change/", {"title_da": "x"}).status_code == 403
    assert client.get("/admin/cases/task/add/").status_code == 403
    assert client.get("/admin/cases/journalentry/add/").status_code == 403
