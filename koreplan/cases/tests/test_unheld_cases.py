"""Cases without a plan-responsible: their tasks are on nobody's worklist, so the worklist of
those at the holding organisation who share out the plan work (a social worker, a manager)
names them with a link to appoint someone; the case list filters to them."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models import Min, Q
from django.test.utils import CaptureQueriesContext

from koreplan.accounts.models import Role
from koreplan.accounts.tests.factories import UserFactory
from koreplan.audit.models import AuditEntry
from koreplan.cases import selectors, services
from koreplan.cases.models import Case

from .factories import open_case

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
TODAY = date(2026, 11, 24)
NOTICE = "sag uden handleplansansvarlig"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=COPENHAGEN), tick=False):
        yield


@pytest.fixture
def uden(socialraadgiver, guldborgsund) -> Case:
    """A case at Susanne's prison opened without naming a plan-responsible."""
    case = open_case(actor=socialraadgiver, municipality=guldborgsund, plan_responsible=None)
    assert case.plan_responsible is None
    return case


def html_of(client, path: str = "/opgaver/", **params) -> str:
    response = client.get(path, params)
    assert response.status_code == 200
    return response.content.decode()


def notice_of(html: str) -> str:
    """The notice's section, or "" where there is none."""
    match = re.search(r'<section aria-labelledby="unheld-heading".*?</section>', html, re.S)
    return match.group(0) if match else ""


@pytest.mark.parametrize("persona", ["socialraadgiver", "kollega", "leder"])
def test_a_case_without_plan_responsible_is_named_on_the_worklist_of_its_holders(client, request, persona, uden):
    client.force_login(request.getfixturevalue(persona))
    notice = notice_of(html_of(client))
    assert f"1 {NOTICE}" in notice
    assert f'<a href="/sager/{uden.pk}/">Jens Hansen</a> – Fængselsstraf,' in notice
    assert f'<time datetime="{uden.intake_on.isoformat()}">' in notice
    assert f'<a href="/sager/{uden.pk}/ansvar/">Udpeg handleplansansvarlig' in notice
    oldest_overdue = uden.tasks.filter(completed_on__isnull=True, due_on__lt=TODAY).order_by("due_on").first()
    assert oldest_overdue is not None  # intake was 20 days ago: the first deadlines have passed
    assert f'overskredet siden <time datetime="{oldest_overdue.due_on.isoformat()}">' in notice


def test_the_task_to_appoint_is_on_nobody_s_worklist_which_is_why_the_notice_is_there(client, socialraadgiver, uden):
    appoint = uden.tasks.get(obligation_id=services.APPOINT_PLAN_RESPONSIBLE, completed_on__isnull=True)
    assert appoint.pk not in {key.task_id for key in selectors.worklist_keys(user=socialraadgiver, today=TODAY)}


@pytest.mark.parametrize("persona", ["fremmed", "kif", "kommune", "sagsbehandler", "anden_kommune", "admin"])
def test_others_are_not_told_of_the_case(client, request, persona, uden):
    client.force_login(request.getfixturevalue(persona))
    html = html_of(client)
    assert NOTICE not in html and "sager uden handleplansansvarlig" not in html
    assert "Jens Hansen" not in html


def test_a_prison_officer_at_the_holding_prison_is_not_told(client, faengsel, uden):
    """A contact person may hold a plan but does not share out who holds one."""
    officer = UserFactory(username="kurt", organisation=faengsel, role=Role.CONTACT_OFFICER)
    client.force_login(officer)
    assert NOTICE not in html_of(client)


def test_a_case_with_its_plan_responsible_is_not_named(client, kollega, socialraadgiver, guldborgsund):
    open_case(actor=socialraadgiver, municipality=guldborgsund)
    client.force_login(kollega)
    assert notice_of(html_of(client)) == ""


def test_once_someone_is_appointed_the_case_leaves_the_notice(client, kollega, uden):
    client.force_login(kollega)
    response = client.post(f"/sager/{uden.pk}/ansvar/", {"plan_responsible": kollega.pk, "substitute": ""})
    assert response.status_code == 302
    uden.refresh_from_db()
    assert uden.plan_responsible == kollega
    assert notice_of(html_of(client)) == ""


def test_a_plan_responsible_who_has_left_leaves_the_case_without_one(client, socialraadgiver, kollega, guldborgsund):
    case = open_case(actor=socialraadgiver, municipality=guldborgsund, plan_responsible=kollega)
    kollega.is_active = False
    kollega.save(update_fields=["is_active"])
    client.force_login(socialraadgiver)
    notice = notice_of(html_of(client))
    assert f"1 {NOTICE}" in notice
    assert "Kasper Berg er fratrådt" in notice
    assert f'href="/sager/{case.pk}/ansvar/"' in notice


def test_a_closed_case_is_not_named(client, socialraadgiver, uden):
    Case.objects.filter(pk=uden.pk).update(status=Case.Status.CLOSED)
    client.force_login(socialraadgiver)
    assert notice_of(html_of(client)) == ""


def test_the_worklist_s_audit_entry_lists_the_cases_the_notice_named(client, kollega, uden):
    client.force_login(kollega)
    html_of(client)
    entry = AuditEntry.objects.get(action="koreplan.worklist.viewed")
    assert uden.pk in entry.data["case_ids"]
    assert entry.data["without_plan_responsible"] == 1


def test_the_notice_names_ten_and_links_to_the_case_list_for_the_rest(client, socialraadgiver, guldborgsund):
    cases = [open_case(actor=socialraadgiver, municipality=guldborgsund, plan_responsible=None) for _ in range(11)]
    client.force_login(socialraadgiver)
    notice = notice_of(html_of(client))
    assert "11 sager uden handleplansansvarlig" in notice
    assert notice.count("/ansvar/") == selectors.UNHELD_NOTICE_LIMIT == 10
    assert 'href="/sager/?no_plan_responsible=on"' in notice
    named = {int(pk) for pk in re.findall(r'href="/sager/(\d+)/ansvar/"', notice)}
    entry = AuditEntry.objects.filter(action="koreplan.worklist.viewed").latest("pk")
    assert named <= set(entry.data["case_ids"])
    assert {case.pk for case in cases} - named - set(entry.data["case_ids"])  # the eleventh was not shown
    assert entry.data["without_plan_responsible"] == 11


def test_the_notice_costs_one_query_whatever_the_number_of_cases(client, socialraadgiver, kollega, guldborgsund, uden):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            html_of(client)
        return len(context.captured_queries)

    client.force_login(kollega)
    html_of(client)  # warm the session and the user
    one = queries()
    for _ in range(11):
        open_case(actor=socialraadgiver, municipality=guldborgsund, plan_responsible=None)
    assert queries() == one
    # Against a worker who is not told: the notice is that one query.
    client.force_login(UserFactory(username="kurt", organisation=kollega.organisation, role=Role.CONTACT_OFFICER))
    html_of(client)
    assert queries() == one - 1


def test_the_case_list_filters_to_the_cases_without_plan_responsible(client, socialraadgiver, guldborgsund, uden):
    held = open_case(actor=socialraadgiver, municipality=guldborgsund)
    client.force_login(socialraadgiver)
    everything = html_of(client, "/sager/")
    assert f'href="/sager/{held.pk}/"' in everything and f'href="/sager/{uden.pk}/"' in everything
    filtered = html_of(client, "/sager/", no_plan_responsible="on")
    assert f'href="/sager/{uden.pk}/"' in filtered
    assert f'href="/sager/{held.pk}/"' not in filtered
    assert "Uden handleplansansvarlig" in filtered
    entry = AuditEntry.objects.filter(action="koreplan.case.searched").latest("pk")
    assert entry.data["without_plan_responsible"] is True
    assert entry.data["case_ids"] == [uden.pk]


def test_the_notice_s_sql_names_the_cases_without_plan_responsible_q_names(socialraadgiver, kollega, guldborgsund, uden):
    """worklist_unheld asks in SQL what WITHOUT_PLAN_RESPONSIBLE says in the ORM: the same
    cases, each with the earliest passed deadline of its open tasks."""
    held = open_case(actor=socialraadgiver, municipality=guldborgsund)
    left = open_case(actor=socialraadgiver, municipality=guldborgsund, plan_responsible=kollega)
    kollega.is_active = False
    kollega.save(update_fields=["is_active"])
    closed = open_case(actor=socialraadgiver, municipality=guldborgsund, plan_responsible=None)
    Case.objects.filter(pk=closed.pk).update(status=Case.Status.CLOSED)
    unheld = selectors.worklist_unheld(user=socialraadgiver, today=TODAY, limit=100)
    expected = (
        Case.objects.filter(holding_organisation=socialraadgiver.organisation, status=Case.Status.OPEN)
        .filter(selectors.WITHOUT_PLAN_RESPONSIBLE)
        .annotate(oldest=Min("tasks__due_on", filter=Q(tasks__completed_on__isnull=True, tasks__due_on__lt=TODAY)))
    )
    assert {(case.pk, case.oldest_overdue_on) for case in unheld.cases} == {(case.pk, case.oldest) for case in expected}
    assert {case.pk for case in unheld.cases} == {uden.pk, left.pk} and held.pk not in {case.pk for case in unheld.cases}
    assert unheld.count == 2
    assert next(case for case in unheld.cases if case.pk == left.pk).former_plan_responsible == kollega.get_full_name()
    assert next(case for case in unheld.cases if case.pk == uden.pk).opened_at == uden.opened_at
