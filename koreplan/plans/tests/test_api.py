"""The plan's API router: the same access rule, locks, optimistic locking and audit as
the pages. Mounted on a NinjaAPI of the tests' own (api_urls) until /api/v1 mounts it."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import time_machine

from koreplan.audit.models import AuditEntry
from koreplan.cases.tests.factories import open_case
from koreplan.plans.models import AreaChange, PlanVersion

from .factories import latest, start_plan, written_plan

pytestmark = [pytest.mark.django_db, pytest.mark.urls("koreplan.plans.tests.api_urls")]

TODAY = date(2026, 11, 24)
BASE = "/api/plans-test"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def sag(socialraadgiver, guldborgsund):
    return open_case(actor=socialraadgiver, municipality=guldborgsund)


@pytest.fixture
def version(sag, socialraadgiver):
    return written_plan(actor=socialraadgiver, case=sag, held_on=TODAY)


def call(client, method, path, body=None):
    kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body is not None else {}
    return getattr(client, method)(f"{BASE}{path}", **kwargs)


AREA = {
    "life_area": "education_employment", "title": "Beskæftigelse", "justification": "Ingen uddannelse.",
    "goal": "AMU-kursus ved løsladelsen.", "sub_goals": ["Tal med skolen"],
    "actions": [{"what": "Tilmeld værkstedsskolen", "who": "client", "status": "planned"}],
    "client_view": {"stance": "agrees", "note": ""},
}


def test_nobody_without_a_part_gets_the_plan(client, request, version, sag):
    for persona in ("fremmed", "kif", "kommune", "sagsbehandler", "anden_kommune"):
        client.force_login(request.getfixturevalue(persona))
        for method, path, body in [
            ("get", f"/cases/{sag.pk}/plan", None),
            ("get", f"/cases/{sag.pk}/plan/versions/1", None),
            ("post", f"/cases/{sag.pk}/plan/versions", {}),
            ("patch", f"/cases/{sag.pk}/plan/versions/1/sections/causes", {"revision": 1, "data": {"causes": "x"}}),
            ("post", f"/cases/{sag.pk}/plan/versions/1/areas", {"revision": 1, "area": AREA, "justification": "x", "discussed_with_client": True}),
            ("post", f"/cases/{sag.pk}/plan/versions/1/approval-requests", {}),
        ]:
            assert call(client, method, path, body).status_code == 404, (persona, method, path)
    assert latest(version.plan).number == 1


def test_anonymous_callers_get_401(client, version, sag):
    assert call(client, "get", f"/cases/{sag.pk}/plan").status_code == 401


def test_the_plan_with_its_versions_and_every_read_audited(client, socialraadgiver, version, sag):
    client.force_login(socialraadgiver)
    response = call(client, "get", f"/cases/{sag.pk}/plan")
    assert response.status_code == 200
    body = response.json()
    assert [v["number"] for v in body["versions"]] == [1]
    current = body["current"]
    assert current["locks_on"] == "2026-12-24" and current["locked"] is False and current["revision"] == version.revision
    assert current["content"]["areas"][0]["title"] == "Bolig efter løsladelsen"
    assert current["created_by"]["name"] == "Susanne Holm"
    entry = AuditEntry.objects.filter(case_id=sag.pk, action="koreplan.plan.viewed").order_by("-id").first()
    assert entry.data["page"] == "api:plan_detail"
    assert call(client, "get", f"/cases/{sag.pk}/plan/versions/1").json()["number"] == 1
    assert call(client, "get", f"/cases/{sag.pk}/plan/versions/9").status_code == 404


def test_a_case_without_a_plan_answers_404_until_it_is_made(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    assert call(client, "get", f"/cases/{sag.pk}/plan").status_code == 404
    response = call(client, "post", f"/cases/{sag.pk}/plan", {})
    assert response.status_code == 201 and response.json()["current"]["number"] == 1
    assert call(client, "post", f"/cases/{sag.pk}/plan", {}).status_code == 422


def test_a_section_is_patched_with_its_revision_and_a_stale_one_is_409(client, socialraadgiver, kollega, version, sag):
    client.force_login(kollega)
    path = f"/cases/{sag.pk}/plan/versions/1/sections/causes"
    first = call(client, "patch", path, {"revision": version.revision, "data": {"causes": "Gæld."}})
    assert first.status_code == 200 and first.json()["content"]["causes"] == "Gæld."
    assert first.json()["revision"] == version.revision + 1
    client.force_login(socialraadgiver)
    stale = call(client, "patch", path, {"revision": version.revision, "data": {"causes": "Hash."}})
    assert stale.status_code == 409
    body = stale.json()
    assert body["field"] == "revision" and body["revision"] == version.revision + 1
    assert body["saved_by"] == "Kasper Berg" and body["saved_at"]
    assert latest(version.plan).content_value().causes == "Gæld."


def test_a_section_with_errors_is_422_at_the_field(client, socialraadgiver, version, sag):
    client.force_login(socialraadgiver)
    response = call(client, "patch", f"/cases/{sag.pk}/plan/versions/1/sections/partners", {
        "revision": version.revision, "data": {"partners": [{"name": "", "email": "nej"}]},
    })
    assert response.status_code == 422
    locs = [e["loc"] for e in response.json()["detail"]]
    assert ["body", "data", "partners", 0, "name"] in locs and ["body", "data", "partners", 0, "email"] in locs
    areas = call(client, "patch", f"/cases/{sag.pk}/plan/versions/1/sections/areas", {"revision": version.revision, "data": {}})
    assert areas.status_code == 422


def test_an_area_of_effort_is_added_justified_and_changed(client, socialraadgiver, version, sag):
    client.force_login(socialraadgiver)
    path = f"/cases/{sag.pk}/plan/versions/1/areas"
    refused = call(client, "post", path, {"revision": version.revision, "area": AREA, "justification": "", "discussed_with_client": True})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "justification"]
    no_goal = call(client, "post", path, {"revision": version.revision, "area": {**AREA, "goal": ""}, "justification": "x", "discussed_with_client": True})
    assert no_goal.status_code == 422 and no_goal.json()["detail"][0]["loc"] == ["body", "area", "goal"]
    bad = call(client, "post", path, {"revision": version.revision, "area": {**AREA, "life_area": "garden"}, "justification": "x", "discussed_with_client": True})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "area", "life_area"]
    added = call(client, "post", path, {"revision": version.revision, "priority": 1, "area": AREA,
                                        "justification": "Drøftet 24.11.", "discussed_with_client": True})
    assert added.status_code == 201
    body = added.json()
    assert [a["title"] for a in body["content"]["areas"]] == ["Beskæftigelse", "Bolig efter løsladelsen"]
    key = body["content"]["areas"][0]["key"]
    changed = call(client, "put", f"{path}/{key}", {"revision": body["revision"], "area": {**AREA, "title": "Job"},
                                                   "justification": "Klienten vil hellere arbejde.", "discussed_with_client": True})
    assert changed.status_code == 200 and changed.json()["content"]["areas"][0]["title"] == "Job"
    removed = call(client, "post", f"{path}/{key}/removal", {"revision": changed.json()["revision"],
                                                              "justification": "Fået job.", "discussed_with_client": True})
    assert removed.status_code == 200 and len(removed.json()["content"]["areas"]) == 1
    assert list(AreaChange.objects.order_by("id").values_list("kind", flat=True)) == ["added", "added", "changed", "removed"]


def test_a_locked_version_answers_409_and_a_new_version_goes_on(client, socialraadgiver, version, sag):
    with time_machine.travel(TODAY + timedelta(days=30), tick=False):
        client.force_login(socialraadgiver)
        response = call(client, "patch", f"/cases/{sag.pk}/plan/versions/1/sections/causes",
                        {"revision": version.revision, "data": {"causes": "x"}})
        assert response.status_code == 409 and "låst" in response.json()["detail"]
        assert call(client, "post", f"/cases/{sag.pk}/plan/versions/1/evaluations", {
            "held_on": "2026-12-24", "description_update": "x", "carried_out": "x", "next_agreements": [{"what": "x"}],
        }).status_code == 409
        created = call(client, "post", f"/cases/{sag.pk}/plan/versions", {})
        assert created.status_code == 201 and created.json()["number"] == 2
        assert created.json()["locks_on"] == "2027-03-24"
        assert created.json()["content"] == call(client, "get", f"/cases/{sag.pk}/plan/versions/1").json()["content"]


def test_approval_is_requested_and_decided_by_another(client, socialraadgiver, kollega, version, sag):
    client.force_login(socialraadgiver)
    base = f"/cases/{sag.pk}/plan/versions/1"
    assert call(client, "post", f"{base}/approval-requests", {"comment": "Til mødet"}).json()["approval_status"] == "requested"
    assert call(client, "post", f"{base}/approval-decisions", {"approve": True}).status_code == 403
    client.force_login(kollega)
    assert call(client, "post", f"{base}/approval-decisions", {"approve": False}).status_code == 422
    decided = call(client, "post", f"{base}/approval-decisions", {"approve": True, "comment": "Godkendt"})
    assert decided.status_code == 200
    assert decided.json()["approval"]["decided_by"]["name"] == "Kasper Berg"
    assert PlanVersion.objects.get(pk=version.pk).approval_status == "approved"


def test_an_evaluation_and_a_status_complete_their_tasks(client, socialraadgiver, version, sag):
    client.force_login(socialraadgiver)
    base = f"/cases/{sag.pk}/plan/versions/1"
    evaluation = call(client, "post", f"{base}/evaluations", {
        "held_on": "2026-11-24", "description_update": "Bolig søgt.", "carried_out": "Ansøgning sendt.",
        "next_agreements": [{"who": "Klienten", "what": "Møde i jobcentret", "when": "december"}],
    })
    assert evaluation.status_code == 201 and evaluation.json()["task_completed"] == "plan_evaluation"
    status = call(client, "post", f"{base}/statuses", {"kind": "at_release", "stated_on": "2026-11-24"})
    assert status.status_code == 201 and status.json()["task_completed"] == "status_at_release"
    finished = call(client, "post", f"{base}/finish", {})
    assert finished.status_code == 200 and finished.json()["finished_on"] == "2026-11-24"
    assert sag.tasks.get(obligation_id="first_plan").completed_on == TODAY


def test_the_holding_organisations_colleague_writes_and_others_are_refused(client, kollega, leder, sag, socialraadgiver):
    start_plan(actor=socialraadgiver, case=sag)
    client.force_login(leder)
    response = call(client, "patch", f"/cases/{sag.pk}/plan/versions/1/sections/participation", {
        "revision": 1, "data": {"participation": {"status": "took_part", "reason": ""}},
    })
    assert response.status_code == 200
