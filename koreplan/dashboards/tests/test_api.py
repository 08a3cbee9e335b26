"""The dashboards' API router: the pages' access rule, tables and drill-down, as JSON.
Mounted on a NinjaAPI of the tests' own (api_urls) until /api/v1 mounts it."""

from __future__ import annotations

import pytest

from koreplan.audit.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.urls("koreplan.dashboards.tests.api_urls")]

BASE = "/api/dashboards-test/dashboards"


def test_a_manager_gets_the_tables_of_their_own_unit(client, leder, faengsel, three_cases):
    client.force_login(leder)
    response = client.get(f"{BASE}/figures")
    assert response.status_code == 200
    body = response.json()
    assert body["scope"]["unit"] == f"org-{faengsel.pk}"
    obligations = next(t for t in body["tables"] if t["key"] == "forpligtelser")
    first_plan, figures = next(
        (row, fig) for row, fig in zip(obligations["rows"], obligations["figures"], strict=True) if row["step"] == "5"
    )
    assert (first_plan["on_time"], first_plan["late"], first_plan["overdue"]) == (1, 1, 1)
    assert figures["late"] == "task:first_plan:late"
    assert AuditEntry.objects.filter(action="koreplan.dashboard.viewed", data__page="api").exists()


def test_the_cases_behind_a_figure(client, leder, direktoratet_leder, three_cases):
    client.force_login(leder)
    body = client.get(f"{BASE}/cases", {"figure": "task:first_plan:late"}).json()
    assert (body["total"], body["hidden"], [c["id"] for c in body["items"]]) == (1, 0, [three_cases[1].pk])
    client.force_login(direktoratet_leder)
    body = client.get(f"{BASE}/cases", {"figure": "task:first_plan:past", "unit": "land"}).json()
    assert (body["total"], body["hidden"], body["items"]) == (3, 3, [])


def test_the_cases_behind_a_figure_say_how_many_records_the_figure_counts(client, leder, socialraadgiver, three_cases):
    from datetime import timedelta

    from .conftest import INTAKE, complete

    late = three_cases[1]
    complete(socialraadgiver, late, "intake_interview", INTAKE + timedelta(days=20))
    client.force_login(leder)
    body = client.get(f"{BASE}/cases", {"figure": f"task:*:late:{INTAKE + timedelta(days=28):%Y-%m}"}).json()
    assert (body["records"], body["unit"], body["total"], [c["id"] for c in body["items"]]) == (2, "tasks", 1, [late.pk])
    body = client.get(f"{BASE}/cases", {"figure": "survey:population"}).json()
    assert (body["records"], body["unit"], body["total"]) == (3, "cases", 3)


def test_access_is_the_pages(client, leder, socialraadgiver, andet_faengsel, admin):
    client.force_login(leder)
    assert client.get(f"{BASE}/figures", {"unit": f"org-{andet_faengsel.pk}"}).status_code == 403
    assert client.get(f"{BASE}/figures", {"unit": "land"}).status_code == 403
    assert client.get(f"{BASE}/cases", {"figure": "nothing"}).status_code == 404
    assert client.get(f"{BASE}/figures", {"from": "2026-10-01", "to": "2026-01-01"}).status_code == 422
    assert [u["unit"] for u in client.get(f"{BASE}/units").json()] == [f"org-{leder.organisation_id}"]
    client.force_login(socialraadgiver)
    assert client.get(f"{BASE}/figures").status_code == 403
    assert client.get(f"{BASE}/units").status_code == 403
    client.force_login(admin)
    assert client.get(f"{BASE}/figures", {"unit": "org-999999"}).status_code == 422
    assert "land" in [u["unit"] for u in client.get(f"{BASE}/units").json()]
    client.logout()
    assert client.get(f"{BASE}/figures").status_code == 401


@pytest.mark.parametrize("endpoint", ["figures", "cases?figure=task:*:due"])
@pytest.mark.parametrize(
    ("params", "loc", "message"),
    [
        pytest.param({"from": "2026-13-01"}, ["query", "from"], "date", id="a-date-that-is-not-one"),
        pytest.param({"from": "2026-10-01", "to": "2026-01-01"}, ["query", "to"], "samme dag som eller efter", id="to-before-from"),
        pytest.param({"unit": "org-999999"}, ["query", "unit"], "ikke en enhed, du kan vælge", id="an-unknown-unit"),
        pytest.param({"case_type": "nothing"}, ["query", "case_type"], "gyldig valgmulighed", id="an-unknown-case-type"),
    ],
)
def test_a_wrong_parameter_is_422_at_the_parameter(client, admin, three_cases, endpoint, params, loc, message):
    client.force_login(admin)
    path, _sep, query = endpoint.partition("?")
    extra = dict([query.split("=")]) if query else {}
    response = client.get(f"{BASE}/{path}", {**extra, **params})  # the pages' words, in Danish
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == loc and message in error["msg"]
    assert not AuditEntry.objects.filter(action__startswith="koreplan.dashboard.").exists()


def test_an_unknown_obligation_is_422_at_the_parameter(client, leder, three_cases):
    client.force_login(leder)
    response = client.get(f"{BASE}/figures", {"obligation": "nothing"})
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["query", "obligation"]]


def test_a_manager_is_refused_a_unit_that_does_not_exist_as_one_they_may_not_see(client, leder, andet_faengsel):
    client.force_login(leder)
    answers = [client.get(f"{BASE}/figures", {"unit": unit}) for unit in (f"org-{andet_faengsel.pk}", "org-999999", "nonsense")]
    assert [r.status_code for r in answers] == [403, 403, 403]
    assert len({r.content for r in answers}) == 1


def test_the_schema_describes_the_endpoints(client):
    schema = client.get("/api/dashboards-test/openapi.json").json()
    assert {"/api/dashboards-test/dashboards/figures", "/api/dashboards-test/dashboards/cases", "/api/dashboards-test/dashboards/units"} <= set(schema["paths"])
    names = {p["name"] for p in schema["paths"]["/api/dashboards-test/dashboards/figures"]["get"]["parameters"]}
    assert {"unit", "from", "to", "case_type", "obligation"} <= names
    cases_out = schema["components"]["schemas"]["CasesOut"]["properties"]
    assert "value in `/dashboards/figures`" in cases_out["records"]["description"]
    assert "tasks" in cases_out["unit"]["description"]
