"""The precomputed figures: stored once computed for a scope, period, filter and day, read
back by every later request, computed again on the button, filled by the nightly task.

Lise (leder) manages Susanne's prison, where the three cases of the conftest are; Ada
(admin) sees every unit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from koreplan.audit.models import AuditEntry
from koreplan.cases.models import CaseType
from koreplan.cases.tasks import recalculate_open_cases
from koreplan.dashboards import precomputed, presentation
from koreplan.dashboards.models import StoredFigures
from koreplan.dashboards.scopes import NATIONAL, default_period, every_unit_scope, scope_resolve
from koreplan.dashboards.tasks import precompute_dashboard_figures
from koreplan.organisations.models import Organisation, Region

from .conftest import COPENHAGEN, TODAY, complete

pytestmark = pytest.mark.django_db

#: The tables the figures are aggregated over: a request that reads stored figures touches none.
AGGREGATED = ("cases_task", "cases_handover", "dashboards_checklistanswer", "coordination_", "release_", "consent_")


def aggregate_queries(context: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in context.captured_queries if any(f'"{t}' in q["sql"] for t in AGGREGATED)]


def first_plan(figures) -> tuple[int, int, int]:
    counts = figures["obligations"].by_obligation["first_plan"]
    return counts.on_time, counts.late, counts.overdue


# --- stored and read back -----------------------------------------------------------------------------------


def test_the_stored_figures_equal_a_fresh_computation(leder, faengsel, three_cases):
    scope = scope_resolve(user=leder, unit=None)
    computed = precomputed.figures_compute(scope)
    stored = precomputed.figures_stored(scope)
    assert stored is not None
    assert stored.figures == computed.figures == precomputed._compute(scope, "")
    assert stored.computed_at == computed.computed_at
    assert first_plan(stored.figures) == (1, 1, 1)
    # And the tables drawn from them read the same.
    fresh = presentation.sections(precomputed._compute(scope, ""), "")
    assert [t.as_dict() for s in presentation.sections(stored.figures, "") for t in s.tables] == [
        t.as_dict() for s in fresh for t in s.tables
    ]


def test_the_payload_is_json_of_the_figures_own_types_only():
    with pytest.raises(TypeError):
        precomputed.encode(object())
    with pytest.raises(KeyError):
        precomputed.decode({"$dc": "Drilldown2", "v": {}})
    value = {(1, "Guldborgsund"): [TODAY, (2, 3)], "x": None}
    assert precomputed.decode(precomputed.encode(value)) == value


def test_a_payload_that_cannot_be_read_is_computed_again(leder, three_cases):
    scope = scope_resolve(user=leder, unit=None)
    precomputed.figures_compute(scope)
    StoredFigures.objects.update(payload={"$dc": "NoSuchFigures", "v": {}})
    assert precomputed.figures_stored(scope) is None
    assert first_plan(precomputed.figures_get(scope).figures) == (1, 1, 1)


def test_a_second_request_reads_the_stored_figures_without_an_aggregate(client, leder, three_cases):
    client.force_login(leder)
    with CaptureQueriesContext(connection) as first:
        assert client.get("/ledelse/").status_code == 200
    assert len(aggregate_queries(first)) > 10
    assert StoredFigures.objects.count() == 1
    with CaptureQueriesContext(connection) as second:
        response = client.get("/ledelse/")
    assert response.status_code == 200
    assert aggregate_queries(second) == []
    assert sum('"dashboards_storedfigures"' in q["sql"] for q in second.captured_queries) == 1
    assert len(second.captured_queries) < len(first.captured_queries) - 10
    # The exports and the Målepunkter report read the same stored figures.
    for url in ("/ledelse/eksport/alle.xlsx", "/ledelse/eksport/forpligtelser.csv", "/ledelse/maalepunkter/"):
        with CaptureQueriesContext(connection) as other:
            assert client.get(url).status_code == 200
        assert aggregate_queries(other) == [], url
    assert StoredFigures.objects.count() == 1


@pytest.mark.urls("koreplan.dashboards.tests.api_urls")
def test_the_api_reads_the_same_stored_figures(client, leder, three_cases):
    client.force_login(leder)
    url = "/api/dashboards-test/dashboards/figures"
    first = client.get(url).json()
    with CaptureQueriesContext(connection) as second:
        assert client.get(url).json() == first
    assert aggregate_queries(second) == []
    assert StoredFigures.objects.count() == 1


def test_each_scope_period_filter_and_day_has_its_own_figures(client, admin, faengsel, three_cases):
    client.force_login(admin)
    asked = [
        {"enhed": f"org-{faengsel.pk}"},
        {"enhed": NATIONAL},
        {"enhed": f"org-{faengsel.pk}", "fra": "2026-01-01", "til": "2026-06-30"},
        {"enhed": f"org-{faengsel.pk}", "forpligtelse": "first_plan"},
        {"enhed": f"org-{faengsel.pk}", "sagstype": CaseType.IMPRISONMENT.value},
    ]
    for params in asked:
        assert client.get("/ledelse/", params).status_code == 200
    assert StoredFigures.objects.count() == len(asked)
    for params in asked:  # read back, not computed again
        assert client.get("/ledelse/", params).status_code == 200
    assert StoredFigures.objects.count() == len(asked)
    keys = set(StoredFigures.objects.values_list("unit", "start", "end", "obligation", "case_type"))
    assert len(keys) == len(asked)


def test_yesterdays_figures_are_never_shown_as_todays(client, leder, socialraadgiver, three_cases):
    client.force_login(leder)
    yesterday = client.get("/ledelse/")
    assert yesterday.context["computed_at"].date() == TODAY
    assert first_plan_row(yesterday) == (1, 1, 1)
    # The next day the third case's first plan is done; the stored figures are of yesterday.
    with time_machine.travel(datetime(2026, 11, 25, 9, 0, tzinfo=COPENHAGEN), tick=False):
        complete(socialraadgiver, three_cases[2], "first_plan", TODAY + timedelta(days=1))
        client.force_login(leder)  # a new day's session
        today = client.get("/ledelse/")
        assert today.context["scope"].today == TODAY + timedelta(days=1)
        assert today.context["computed_at"] > yesterday.context["computed_at"]
        assert first_plan_row(today) == (1, 2, 0)
    assert sorted(StoredFigures.objects.values_list("as_of", flat=True)) == [TODAY, TODAY + timedelta(days=1)]


def first_plan_row(response) -> tuple[int, int, int]:
    table = next(t for s in response.context["sections"] for t in s.tables if t.key == "forpligtelser")
    row = next(r for r in table.as_dict()["rows"] if r["step"] == "5")
    return row["on_time"], row["late"], row["overdue"]


# --- the page: when, and computing again -------------------------------------------------------------------


def test_the_page_says_when_the_figures_were_computed_and_offers_to_compute_them_again(client, leder, three_cases):
    client.force_login(leder)
    html = client.get("/ledelse/").content.decode()
    assert "Tallene er opgjort 24. november 2026 kl. 09:00." in html
    assert 'action="/ledelse/beregn/?enhed=org-' in html
    assert "Beregn tallene igen" in html
    assert "csrfmiddlewaretoken" in html


def test_computing_again_replaces_the_stored_figures(client, leder, socialraadgiver, faengsel, three_cases):
    client.force_login(leder)
    before = client.get("/ledelse/", {"forpligtelse": "first_plan"})
    assert first_plan_row(before) == (1, 1, 1)
    complete(socialraadgiver, three_cases[2], "first_plan", TODAY)
    # Kept for the day: the change shows after computing again, not before.
    assert first_plan_row(client.get("/ledelse/", {"forpligtelse": "first_plan"})) == (1, 1, 1)
    with time_machine.travel(datetime(2026, 11, 24, 9, 5, tzinfo=COPENHAGEN), tick=False):
        response = client.post(f"/ledelse/beregn/?enhed=org-{faengsel.pk}&forpligtelse=first_plan")
    assert response.status_code == 302
    assert response["Location"].startswith("/ledelse/?enhed=org-") and "forpligtelse=first_plan" in response["Location"]
    after = client.get(response["Location"])
    assert first_plan_row(after) == (1, 2, 0)
    assert after.context["computed_at"] > before.context["computed_at"]
    assert "Tallene er beregnet igen." in after.content.decode()
    assert StoredFigures.objects.count() == 1
    entry = AuditEntry.objects.get(action="koreplan.dashboard.recomputed")
    assert entry.data["unit"] == f"org-{faengsel.pk}" and entry.data["obligation"] == "first_plan"


def test_computing_again_is_a_csrf_protected_post_for_those_who_may_see_the_unit(
    client, leder, socialraadgiver, andet_faengsel, three_cases
):
    client.force_login(leder)
    assert client.get("/ledelse/beregn/").status_code == 405
    assert client.post(f"/ledelse/beregn/?enhed=org-{andet_faengsel.pk}").status_code == 403
    assert client.post("/ledelse/beregn/?enhed=land").status_code == 403
    client.force_login(socialraadgiver)
    assert client.post("/ledelse/beregn/").status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(leder)
    assert strict.post("/ledelse/beregn/").status_code == 403
    assert not StoredFigures.objects.exists()
    assert not AuditEntry.objects.filter(action="koreplan.dashboard.recomputed").exists()


def test_the_list_behind_a_figure_says_it_is_live(client, leder, socialraadgiver, three_cases):
    client.force_login(leder)
    assert "Listen viser sagerne, som de er nu." in client.get("/ledelse/sager/", {"tal": "task:*:due"}).content.decode()
    client.get("/ledelse/")
    html = client.get("/ledelse/sager/", {"tal": "task:first_plan:overdue"}).content.decode()
    assert "tallet på oversigten er opgjort 24. november 2026 kl. 09:00" in html


# --- the nightly run ---------------------------------------------------------------------------------------


def test_the_nightly_task_fills_every_unit_and_clears_earlier_days(client, admin, leder, faengsel, direktoratet, three_cases):
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=COPENHAGEN), tick=False):
        precomputed.figures_compute(scope_resolve(user=admin, unit=NATIONAL))
    count = precompute_dashboard_figures.call()
    organisations = Organisation.objects.exclude(kind=Organisation.Kind.DIRECTORATE).count()
    assert count == 1 + Region.objects.count() + organisations
    start, end = default_period(TODAY)
    rows = StoredFigures.objects.all()
    assert rows.count() == count
    assert set(rows.values_list("start", "end", "as_of", "obligation", "case_type").distinct()) == {(start, end, TODAY, "", "")}
    assert {f"org-{faengsel.pk}", NATIONAL} <= set(rows.values_list("unit", flat=True))
    assert f"org-{direktoratet.pk}" not in set(rows.values_list("unit", flat=True))
    # The first manager in the morning reads them.
    for user in (leder, admin):
        client.force_login(user)
        with CaptureQueriesContext(connection) as context:
            assert client.get("/ledelse/").status_code == 200
        assert aggregate_queries(context) == [], user
    assert StoredFigures.objects.count() == count


def test_every_unit_scope_is_the_scope_a_user_gets(admin, faengsel, three_cases):
    start, end = default_period(TODAY)
    for scope in every_unit_scope(start=start, end=end, today=TODAY):
        assert scope == scope_resolve(user=admin, unit=scope.unit), scope.unit


def test_the_precomputation_is_enqueued_by_the_recalculation_not_beside_it():
    # Beside it, a second worker would count the tasks before they are recalculated.
    call_command("schedule_nightly", stdout=StringIO())
    assert not DBTaskResult.objects.filter(task_path=precompute_dashboard_figures.module_path).exists()
    recalculate_open_cases.call()
    assert DBTaskResult.objects.filter(task_path=precompute_dashboard_figures.module_path).count() == 1


def test_the_figures_do_not_depend_on_who_asks(leder, admin, faengsel, three_cases):
    mine = scope_resolve(user=leder, unit=None)
    theirs = scope_resolve(user=admin, unit=f"org-{faengsel.pk}")
    assert mine == theirs
    assert precomputed._key(mine, "") == precomputed._key(theirs, "")
