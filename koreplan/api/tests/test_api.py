"""/api/v1: every endpoint's happy path, who may call it, and the errors a client can fix.

The personas are the root conftest's: Susanne (socialraadgiver) holds the case at her
prison; Frede at another prison, the municipality's entrance (kommune) and caseworker
(sagsbehandler), another municipality (anden_kommune) and KiF (kif, not involved) must
get 404 — the case's existence is a secret; Ada (admin) sees everything.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.crypto import get_random_string

from koreplan.accounts.models import Role
from koreplan.api.api import api
from koreplan.api.models import ApiToken
from koreplan.api.schemas import FACT_NAMES
from koreplan.api.services import api_token_create, api_token_revoke
from koreplan.audit.models import AuditEntry
from koreplan.cases import services
from koreplan.cases.models import Case, Client, Task
from koreplan.cli import main as koreplan_command
from koreplan.domain.timeline import Timeline
from koreplan.organisations.models import Entrance, MunicipalDepartment

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 24)
INTAKE = TODAY - timedelta(days=20)
BASE = "/api/v1"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


# -- helpers ------------------------------------------------------------------------------

_cpr_serial = iter(range(1000, 9999))


def a_cpr(birth: date = date(1990, 5, 1)) -> str:
    return birth.strftime("%d%m%y") + f"{next(_cpr_serial):04d}"


def open_case(actor, municipality, *, first_name="Jens", last_name="Hansen", **facts) -> Case:
    client = services.client_create(
        actor=actor, cpr=a_cpr(), first_name=first_name, last_name=last_name, acting_municipality=municipality
    )
    values = {
        "sentence": "P2Y",
        "intake_on": INTAKE,
        "release_on": INTAKE + timedelta(days=730),
        "housing_secured": False,
        "income_secured": True,
        "section_31_leave_possible": True,
        **facts,
    }
    return services.case_open(
        actor=actor, client=client, case_type="imprisonment", holding_organisation=actor.organisation,
        plan_responsible=actor, facts=values,
    ).case


def as_user(user) -> HttpClient:
    client = HttpClient()
    if user is not None:
        client.force_login(user)
    return client


def as_token(plaintext: str) -> HttpClient:
    return HttpClient(headers={"authorization": f"Bearer {plaintext}"})


def call(client: HttpClient, method: str, path: str, body=None):
    if body is None:
        return getattr(client, method)(BASE + path)
    return getattr(client, method)(BASE + path, json.dumps(body), content_type="application/json")


def error_locs(response) -> list[list]:
    assert response.status_code == 422, response.content
    return [error["loc"] for error in response.json()["detail"]]


@pytest.fixture
def sag(socialraadgiver, guldborgsund) -> Case:
    return open_case(socialraadgiver, guldborgsund)


@pytest.fixture
def susanne(socialraadgiver) -> HttpClient:
    return as_user(socialraadgiver)


def an_open_task(case: Case) -> Task:
    return case.tasks.filter(completed_on__isnull=True, responsible_organisation=case.holding_organisation).first()


# -- access: every case endpoint, every persona ----------------------------------------------

CASE_ENDPOINTS = [
    ("get", "/cases/{case}", None),
    ("get", "/cases/{case}/timeline", None),
    ("get", "/cases/{case}/tasks", None),
    ("patch", "/cases/{case}", {"revision": 1, "facts": {"needs_assistance": True}}),
    ("post", "/tasks/{task}/complete", {"completed_on": TODAY.isoformat()}),
]
PERSONAS = [
    ("socialraadgiver", 200),
    ("fremmed", 404),
    ("kommune", 404),
    ("sagsbehandler", 404),
    ("anden_kommune", 404),
    ("kif", 404),
    ("admin", 200),
    (None, 401),
]


@pytest.mark.parametrize("method, path, body", CASE_ENDPOINTS, ids=lambda v: v if isinstance(v, str) else "")
@pytest.mark.parametrize("persona, status", PERSONAS, ids=lambda v: str(v))
def test_who_may_use_each_case_endpoint(request, sag, method, path, body, persona, status):
    user = request.getfixturevalue(persona) if persona else None
    url = path.format(case=sag.pk, task=an_open_task(sag).pk)
    response = call(as_user(user), method, url, body)
    assert response.status_code == status, response.content
    if status == 404:
        # The same answer as for a case that does not exist: nothing gives it away.
        missing = path.format(case=sag.pk + 1000, task=an_open_task(sag).pk + 100000)
        assert response.json() == call(as_user(user), method, missing, body).json()


@pytest.mark.parametrize("persona, status", PERSONAS, ids=lambda v: str(v))
def test_who_sees_the_case_in_the_list(request, sag, persona, status):
    user = request.getfixturevalue(persona) if persona else None
    response = call(as_user(user), "get", "/cases")
    if status == 401:
        assert response.status_code == 401
        return
    assert response.status_code == 200
    ids = [item["id"] for item in response.json()["items"]]
    assert ids == ([sag.pk] if status == 200 else [])


def test_anonymous_callers_get_401_json_not_the_login_page(sag):
    for path in ("/cases", f"/cases/{sag.pk}", "/me/tasks", "/organisations", "/municipalities/376", "/me"):
        response = call(HttpClient(), "get", path)
        assert response.status_code == 401, path
        assert response.json() == {"detail": "Unauthorized"}
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_every_operation_requires_authentication():
    schema = api.get_openapi_schema(path_prefix=BASE + "/")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("security"), f"{method.upper()} {path} is open"


# -- reads are audited ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, endpoint",
    [("/cases/{}", "case_detail"), ("/cases/{}/timeline", "case_timeline"), ("/cases/{}/tasks", "case_tasks")],
)
def test_every_read_of_a_case_is_audited(susanne, socialraadgiver, sag, path, endpoint):
    assert call(susanne, "get", path.format(sag.pk)).status_code == 200
    entry = AuditEntry.objects.get(action="koreplan.api.case_read")
    assert (entry.actor, entry.case_id, entry.client_id) == (socialraadgiver, sag.pk, sag.client_id)
    assert entry.data == {"endpoint": endpoint}
    assert entry.ip_address == "127.0.0.1"


def test_a_case_the_user_may_not_see_leaves_no_read_in_the_log(fremmed, sag):
    assert call(as_user(fremmed), "get", f"/cases/{sag.pk}").status_code == 404
    assert not AuditEntry.objects.filter(action="koreplan.api.case_read").exists()


def test_lists_are_audited_with_the_cases_shown_not_the_search(susanne, socialraadgiver, sag):
    assert call(susanne, "get", "/cases?q=0105").status_code == 200
    entry = AuditEntry.objects.get(action="koreplan.api.cases_listed")
    assert entry.actor == socialraadgiver
    assert entry.data == {"endpoint": "cases_list", "cases": [sag.pk]}

    assert call(susanne, "get", "/me/tasks").status_code == 200
    assert AuditEntry.objects.filter(action="koreplan.api.cases_listed", data__endpoint="worklist").exists()


# -- a fixed number of queries, whatever the number of cases ---------------------------------------


@pytest.mark.parametrize("path", ["/cases", "/me/tasks", "/cases/{case}/tasks", "/cases/{case}/timeline"])
def test_lists_take_the_same_number_of_queries_for_one_case_or_many(
    susanne, socialraadgiver, guldborgsund, sag, path
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert call(susanne, "get", path.format(case=sag.pk)).status_code == 200
        return len(captured)

    one = queries()
    for _ in range(3):
        open_case(socialraadgiver, guldborgsund)
    assert queries() == one


# -- GET /cases ------------------------------------------------------------------------------


def test_the_list_filters_by_name_cpr_and_status_and_pages(susanne, socialraadgiver, guldborgsund, sag):
    other = open_case(socialraadgiver, guldborgsund, first_name="Ole", last_name="Andersen")
    body = call(susanne, "get", "/cases").json()
    assert body["count"] == 2
    assert [item["id"] for item in body["items"]] == [other.pk, sag.pk]  # by last name
    item = body["items"][1]
    assert item["client"] == {
        "id": sag.client_id, "cpr": sag.client.cpr, "first_name": "Jens", "last_name": "Hansen",
    }
    assert item["holding_organisation"]["name"] == "Storstrøm Fængsel"
    assert item["plan_responsible"] == {"id": socialraadgiver.pk, "name": "Susanne Holm"}
    assert item["status"] == "open" and item["case_type"] == "imprisonment"

    assert [i["id"] for i in call(susanne, "get", "/cases?q=hans").json()["items"]] == [sag.pk]
    cpr = f"{sag.client.cpr[:6]}-{sag.client.cpr[6:]}"
    assert [i["id"] for i in call(susanne, "get", f"/cases?q={cpr}").json()["items"]] == [sag.pk]
    assert call(susanne, "get", "/cases?status=closed").json()["count"] == 0
    services.case_close(actor=socialraadgiver, case=other)
    assert [i["id"] for i in call(susanne, "get", "/cases?status=closed").json()["items"]] == [other.pk]
    assert call(susanne, "get", "/cases?status=all").json()["count"] == 2

    page = call(susanne, "get", "/cases?status=all&page=2&page_size=1").json()
    assert (page["count"], page["page"], page["page_size"], [i["id"] for i in page["items"]]) == (2, 2, 1, [sag.pk])
    assert call(susanne, "get", "/cases?page=9").json()["items"] == []


def test_bad_list_parameters_are_422_naming_them(susanne):
    assert error_locs(call(susanne, "get", "/cases?status=shut")) == [["query", "status"]]
    assert error_locs(call(susanne, "get", "/cases?page=0")) == [["query", "page"]]
    assert error_locs(call(susanne, "get", "/cases?page_size=x")) == [["query", "page_size"]]


# -- POST /cases -----------------------------------------------------------------------------


def new_case_body(socialraadgiver, **changes):
    body = {
        "cpr": "010190-1235",
        "first_name": "Per",
        "last_name": "Nielsen",
        "acting_municipality_code": "376",
        "case_type": "imprisonment",
        "holding_organisation_id": socialraadgiver.organisation_id,
        "plan_responsible_id": socialraadgiver.pk,
        "facts": {
            "sentence": "P1Y", "intake_on": INTAKE.isoformat(), "release_on": "2027-11-04", "housing_secured": False,
        },
    }
    body.update(changes)
    return body


def test_opening_a_case_creates_the_client_and_the_tasks(susanne, socialraadgiver, kollega, guldborgsund):
    response = call(susanne, "post", "/cases", new_case_body(socialraadgiver, substitute_id=kollega.pk))
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert body["client"]["cpr"] == "0101901235"
    assert body["client"]["birth_date"] == "1990-01-01"
    assert body["client"]["acting_municipality"] == {"id": guldborgsund.pk, "code": "376", "name": "Guldborgsund"}
    assert body["plan_responsible"]["id"] == socialraadgiver.pk
    assert body["substitute"]["id"] == kollega.pk
    assert body["facts"]["release_on"] == "2027-11-04"
    assert body["facts"]["placement"] == "closed_prison"  # from the holding prison
    assert body["facts"]["needs_assistance"] is None
    assert body["revision"] == 1 and body["plan_required"] is True
    assert case.tasks.exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"koreplan.client.created", "koreplan.case.opened"} <= actions


@pytest.mark.parametrize("named", [True, False])
def test_opening_a_case_with_a_plan_responsible_completes_step_2(susanne, socialraadgiver, guldborgsund, named):
    body = new_case_body(socialraadgiver, **({} if named else {"plan_responsible_id": None}))
    response = call(susanne, "post", "/cases", body)
    assert response.status_code == 201, response.content
    appoint = Task.objects.get(case_id=response.json()["id"], obligation_id="appoint_plan_responsible")
    if named:
        assert (appoint.completed_on, appoint.completed_by) == (timezone.localdate(), socialraadgiver)
        assert AuditEntry.objects.filter(action="koreplan.task.completed", object_id=str(appoint.pk)).exists()
        worklist = call(susanne, "get", "/me/tasks").json()
        listed = [t for section in ("overdue", "this_week", "later") for t in worklist.get(section, [])]
        assert listed and appoint.pk not in {t["id"] for t in listed}
    else:
        assert appoint.completed_on is None and appoint.completed_by is None


def test_a_known_cpr_number_opens_another_case_for_the_same_client(susanne, socialraadgiver, sag):
    body = new_case_body(socialraadgiver, cpr=sag.client.cpr, first_name="", last_name="", acting_municipality_code="")
    response = call(susanne, "post", "/cases", body)
    assert response.status_code == 201, response.content
    assert response.json()["client"]["id"] == sag.client_id
    assert Client.objects.count() == 1


def test_a_case_that_cannot_be_opened_leaves_no_client_behind(susanne, socialraadgiver, guldborgsund):
    body = new_case_body(socialraadgiver)
    body["facts"]["release_on"] = (INTAKE - timedelta(days=1)).isoformat()
    response = call(susanne, "post", "/cases", body)
    assert error_locs(response) == [["body", "facts", "release_on"]]
    assert response.json()["detail"][0]["type"] == "value_error"
    assert "indsættelsesdato" in response.json()["detail"][0]["msg"]  # the Danish UI language
    assert not Client.objects.exists() and not Case.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    "changes, loc",
    [
        ({"cpr": "3102901234"}, ["body", "cpr"]),
        ({"first_name": " "}, ["body", "first_name"]),
        ({"acting_municipality_code": ""}, ["body", "acting_municipality_code"]),
        ({"acting_municipality_code": "999"}, ["body", "acting_municipality_code"]),
        ({"holding_organisation_id": 10**6}, ["body", "holding_organisation_id"]),
        ({"plan_responsible_id": 10**6}, ["body", "plan_responsible_id"]),
        ({"case_type": "holiday"}, ["body", "case_type"]),
        ({"holding_organisation_id": "x"}, ["body", "holding_organisation_id"]),
        ({"holding_organisation_id": 10**30}, ["body", "holding_organisation_id"]),
        ({"facts": {"intake_on": 20260101}}, ["body", "facts", "intake_on"]),
        ({"facts": {"intake_on": "2026-02-30"}}, ["body", "facts", "intake_on"]),
        ({"facts": {"housing_secured": "yes"}}, ["body", "facts", "housing_secured"]),
        ({"facts": {"placement": "castle"}}, ["body", "facts", "placement"]),
        ({"facts": {"sentence": "four months"}}, ["body", "facts", "sentence"]),
        ({"facts": {"relase_on": "2027-01-01"}}, ["body", "facts", "relase_on"]),
        ({"surprise": 1}, ["body", "surprise"]),
    ],
)
def test_bad_input_to_open_a_case_is_422_naming_the_field(susanne, socialraadgiver, guldborgsund, changes, loc):
    assert error_locs(call(susanne, "post", "/cases", new_case_body(socialraadgiver, **changes))) == [loc]
    assert not Case.objects.exists()


def test_the_api_s_own_messages_are_in_danish_as_the_rest(susanne, socialraadgiver, guldborgsund):
    response = call(susanne, "post", "/cases", new_case_body(socialraadgiver, holding_organisation_id=10**6))
    assert response.json()["detail"][0]["msg"] == "Organisationen findes ikke."
    response = call(susanne, "post", "/cases", new_case_body(socialraadgiver, acting_municipality_code=""))
    assert "handlekommune" in response.json()["detail"][0]["msg"]
    with translation.override("da"):  # the token list in the Danish admin
        assert str(ApiToken._meta.verbose_name_plural) == "API-nøgler"


def test_a_plan_responsible_from_another_organisation_is_refused(susanne, socialraadgiver, fremmed, guldborgsund):
    body = new_case_body(socialraadgiver, plan_responsible_id=fremmed.pk)
    assert error_locs(call(susanne, "post", "/cases", body)) == [["body", "plan_responsible_id"]]


def test_a_case_can_only_be_opened_at_ones_own_organisation(socialraadgiver, fremmed, guldborgsund):
    body = new_case_body(socialraadgiver, plan_responsible_id=None)
    response = call(as_user(fremmed), "post", "/cases", body)
    assert response.status_code == 403
    assert not Client.objects.exists()


def test_a_municipality_cannot_open_a_case(kommune, guldborgsund):
    body = new_case_body(kommune, plan_responsible_id=None)  # at its own organisation
    assert error_locs(call(as_user(kommune), "post", "/cases", body)) == [["body", "holding_organisation_id"]]


@pytest.mark.parametrize("raw", ["{not json", "", "\xff"])
def test_a_body_that_is_not_json_is_422(susanne, raw):
    response = HttpClient.post(susanne, BASE + "/cases", raw.encode("latin-1"), content_type="application/json")
    if raw == "":
        # An empty body is a missing body: ninja names the fields it needs.
        assert response.status_code == 422
        return
    assert error_locs(response) == [["body"]]
    assert response.json()["detail"][0]["type"] == "json_invalid"


# -- GET /cases/{id} -----------------------------------------------------------------------


def test_the_case_in_full(susanne, socialraadgiver, sag):
    body = call(susanne, "get", f"/cases/{sag.pk}").json()
    assert body["id"] == sag.pk and body["revision"] == 1 and body["status"] == "open"
    assert body["client"]["first_name"] == "Jens"
    assert body["holding_organisation"] == {
        "id": sag.holding_organisation_id, "kind": "institution", "name": "Storstrøm Fængsel",
    }
    assert body["facts"]["sentence"] == "P2Y"
    assert body["facts"]["intake_on"] == INTAKE.isoformat()
    assert body["facts"]["housing_secured"] is False
    assert set(body["facts"]) == set(FACT_NAMES)
    assert body["expected_release_on"] == (INTAKE + timedelta(days=730)).isoformat()
    assert body["kif"] is None and body["substitute"] is None


def test_an_id_too_large_for_the_database_is_422_not_500(susanne):
    assert error_locs(call(susanne, "get", f"/cases/{10**20}")) == [["path", "case_id"]]
    assert error_locs(call(susanne, "get", "/cases/abc")) == [["path", "case_id"]]


# -- PATCH /cases/{id} ---------------------------------------------------------------------


def test_changing_the_facts_moves_the_tasks_and_the_revision(susanne, sag):
    release = sag.tasks.get(obligation_id="release_meeting")
    new_release = INTAKE + timedelta(days=500)
    response = call(
        susanne, "patch", f"/cases/{sag.pk}", {"revision": 1, "facts": {"release_on": new_release.isoformat()}}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["revision"] == 2
    assert body["facts"]["release_on"] == new_release.isoformat()
    assert body["facts"]["sentence"] == "P2Y"  # not sent, not changed
    release.refresh_from_db()
    assert release.due_on < INTAKE + timedelta(days=730)
    assert AuditEntry.objects.filter(action="koreplan.case.facts_updated", case_id=sag.pk).exists()


def test_null_clears_a_fact_and_case_type_can_change(susanne, sag):
    body = call(
        susanne, "patch", f"/cases/{sag.pk}", {"revision": 1, "facts": {"housing_secured": None}}
    ).json()
    assert body["facts"]["housing_secured"] is None
    body = call(susanne, "patch", f"/cases/{sag.pk}", {"revision": 2, "case_type": "remand_777"}).json()
    assert body["case_type"] == "remand_777"


def test_a_stale_revision_is_409_and_changes_nothing(susanne, sag):
    first = call(susanne, "patch", f"/cases/{sag.pk}", {"revision": 1, "facts": {"needs_assistance": True}})
    assert first.status_code == 200
    response = call(susanne, "patch", f"/cases/{sag.pk}", {"revision": 1, "facts": {"needs_assistance": False}})
    assert response.status_code == 409
    body = response.json()
    assert body["detail"]  # says what happened, in the user's language
    # … and names the field, the revision saved now, and who saved it and when.
    assert body["field"] == "revision" and body["revision"] == 2
    assert body["saved_by"] == "Susanne Holm" and body["saved_at"]
    sag.refresh_from_db()
    assert sag.needs_assistance is True and sag.revision == 2


def test_bad_facts_are_422_naming_the_field(susanne, sag):
    before = (INTAKE - timedelta(days=1)).isoformat()
    response = call(susanne, "patch", f"/cases/{sag.pk}", {"revision": 1, "facts": {"release_on": before}})
    assert error_locs(response) == [["body", "facts", "release_on"]]
    assert "indsættelsesdato" in response.json()["detail"][0]["msg"]  # the Danish UI language
    sag.refresh_from_db()
    assert sag.revision == 1


@pytest.mark.parametrize(
    "body, loc",
    [
        ({"facts": {"needs_assistance": True}}, ["body", "revision"]),
        ({"revision": "one"}, ["body", "revision"]),
        ({"revision": 1, "facts": {"intake_on": "soon"}}, ["body", "facts", "intake_on"]),
        ({"revision": 1, "facts": {"birth_date": "1990-01-01"}}, ["body", "facts", "birth_date"]),
        ({"revision": 1, "case_type": None}, ["body", "case_type"]),
    ],
)
def test_bad_changes_are_422_naming_the_field(susanne, sag, body, loc):
    assert error_locs(call(susanne, "patch", f"/cases/{sag.pk}", body)) == [loc]


# -- GET /cases/{id}/timeline ----------------------------------------------------------------


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_timeline_is_exactly_what_the_command_prints(
    susanne, socialraadgiver, guldborgsund, tmp_path, capsys, lang
):
    # No income_secured: the rules fall back and warn, in the language asked for.
    case = open_case(socialraadgiver, guldborgsund, income_secured=None)
    response = call(susanne, "get", f"/cases/{case.pk}/timeline?lang={lang}")
    assert response.status_code == 200
    body = response.json()

    timeline = services.case_timeline(case)
    assert isinstance(timeline, Timeline)
    assert set(body) == set(timeline.to_dict(lang))
    assert [set(o) for o in body["obligations"]] == [set(o) for o in timeline.to_dict(lang)["obligations"]]
    assert body == json.loads(json.dumps(timeline.to_dict(lang)))

    case_json = tmp_path / "CASE.json"
    case_json.write_text(json.dumps(services.case_fact_values(case)))
    capsys.readouterr()
    command = ["timeline", str(case_json), "--today", TODAY.isoformat(), "--format", "json", "--lang", lang]
    assert koreplan_command(command) == 0
    assert body == json.loads(capsys.readouterr().out)
    assert body["warnings"]  # the missing fact is warned about ...
    assert ("ikke oplyst" in body["warnings"][0]) == (lang == "da")  # ... in the language asked for


def test_the_timeline_is_in_danish_by_default_and_refuses_other_languages(susanne, socialraadgiver, guldborgsund):
    case = open_case(socialraadgiver, guldborgsund, income_secured=None)
    assert "ikke oplyst" in call(susanne, "get", f"/cases/{case.pk}/timeline").json()["warnings"][0]
    assert error_locs(call(susanne, "get", f"/cases/{case.pk}/timeline?lang=de")) == [["query", "lang"]]


def test_the_timeline_shows_what_was_done(susanne, socialraadgiver, sag):
    task = sag.tasks.get(obligation_id="intake_interview")
    services.task_complete(actor=socialraadgiver, task=task, completed_on=TODAY)
    obligations = call(susanne, "get", f"/cases/{sag.pk}/timeline").json()["obligations"]
    done = next(o for o in obligations if o["id"] == "intake_interview")
    assert (done["status"], done["completed_on"]) == ("done", TODAY.isoformat())


# -- GET /cases/{id}/tasks -------------------------------------------------------------------


def test_the_tasks_of_a_case(susanne, sag):
    body = call(susanne, "get", f"/cases/{sag.pk}/tasks").json()
    assert len(body) == sag.tasks.count()
    first_plan = next(t for t in body if t["obligation_id"] == "first_plan")
    assert first_plan["legal_basis"] == ["cirk. § 5, stk. 1", "VEJ pkt. 40"]
    assert first_plan["case_id"] == sag.pk
    assert first_plan["responsible_organisation"]["id"] == sag.holding_organisation_id
    assert first_plan["status"] in {"overdue", "due_soon", "upcoming"}
    assert first_plan["completed_on"] is None and first_plan["completed_by"] is None
    assert [t["due_on"] for t in body] == sorted(t["due_on"] for t in body)


# -- GET /me/tasks ---------------------------------------------------------------------------


def test_my_worklist_in_three_groups(susanne, socialraadgiver, sag):
    body = call(susanne, "get", "/me/tasks").json()
    assert set(body) == {"overdue", "this_week", "later"}
    rows = body["overdue"] + body["this_week"] + body["later"]
    assert rows and all(row["case"]["id"] == sag.pk for row in rows)
    assert rows[0]["case"]["client"]["last_name"] == "Hansen"
    assert all(row["due_on"] < TODAY.isoformat() for row in body["overdue"])
    assert all(row["due_on"] >= TODAY.isoformat() for row in body["this_week"] + body["later"])


def test_the_worklist_is_only_mine(sag, kollega, fremmed):
    for other in (kollega, fremmed):
        body = call(as_user(other), "get", "/me/tasks").json()
        assert body == {"overdue": [], "this_week": [], "later": []}


def test_the_worklist_filters(susanne, sag):
    assert call(susanne, "get", "/me/tasks?case_type=remand_777").json()["later"] == []
    step = an_open_task(sag).step
    rows = call(susanne, "get", f"/me/tasks?step={step}").json()
    assert {r["step"] for r in rows["overdue"] + rows["this_week"] + rows["later"]} == {step}
    assert error_locs(call(susanne, "get", "/me/tasks?case_type=holiday")) == [["query", "case_type"]]


# -- POST /tasks/{id}/complete -----------------------------------------------------------------


def test_completing_a_task(susanne, socialraadgiver, sag):
    task = sag.tasks.get(obligation_id="intake_interview")
    response = call(
        susanne, "post", f"/tasks/{task.pk}/complete",
        {"completed_on": (TODAY - timedelta(days=2)).isoformat(), "evidence": "  Samtale holdt  "},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "done"
    assert body["completed_on"] == (TODAY - timedelta(days=2)).isoformat()
    assert body["completed_by"] == {"id": socialraadgiver.pk, "name": "Susanne Holm"}
    assert body["evidence"] == "Samtale holdt"
    assert AuditEntry.objects.filter(action="koreplan.task.completed", case_id=sag.pk).exists()


def test_a_task_cannot_be_completed_in_the_future_or_twice(susanne, sag):
    task = an_open_task(sag)
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    response = call(susanne, "post", f"/tasks/{task.pk}/complete", {"completed_on": tomorrow})
    assert error_locs(response) == [["body", "completed_on"]]
    assert response.json()["detail"][0]["type"] == "value_error"
    task.refresh_from_db()
    assert task.completed_on is None

    assert call(susanne, "post", f"/tasks/{task.pk}/complete", {"completed_on": TODAY.isoformat()}).status_code == 200
    again = call(susanne, "post", f"/tasks/{task.pk}/complete", {"completed_on": TODAY.isoformat()})
    assert error_locs(again) == [["body", "completed_on"]]


@pytest.mark.parametrize(
    "body, loc",
    [({}, ["body", "completed_on"]), ({"completed_on": "yesterday"}, ["body", "completed_on"]),
     ({"completed_on": "2026-11-01", "evidence": 5}, ["body", "evidence"])],
)
def test_bad_completions_are_422_naming_the_field(susanne, sag, body, loc):
    assert error_locs(call(susanne, "post", f"/tasks/{an_open_task(sag).pk}/complete", body)) == [loc]


def test_a_visible_case_of_another_organisation_is_403_not_404(socialraadgiver, fremmed, andet_faengsel, sag):
    # Asked to take over, Frede's prison sees the case; its tasks and facts are still
    # Susanne's prison's.
    services.handover_request(actor=socialraadgiver, case=sag, kind="institution", to_organisation=andet_faengsel)
    frede = as_user(fremmed)
    assert call(frede, "get", f"/cases/{sag.pk}").status_code == 200
    task = an_open_task(sag)
    response = call(frede, "post", f"/tasks/{task.pk}/complete", {"completed_on": TODAY.isoformat()})
    assert response.status_code == 403
    assert response.json()["detail"]
    assert call(frede, "patch", f"/cases/{sag.pk}", {"revision": 1, "facts": {}}).status_code == 403


# -- organisations, municipalities, me -------------------------------------------------------


def test_organisations_by_kind(susanne, faengsel, guldborgsund, horsens, kif_afdeling):
    body = call(susanne, "get", "/organisations?kind=municipality").json()
    assert [(o["name"], o["code"]) for o in body] == [("Guldborgsund", "376"), ("Horsens", "615")]
    everything = call(susanne, "get", "/organisations").json()
    assert {o["kind"] for o in everything} == {"institution", "municipality", "kif"}
    prison = next(o for o in everything if o["id"] == faengsel.pk)
    assert prison["institution_type"] == "closed_prison"
    assert error_locs(call(susanne, "get", "/organisations?kind=castle")) == [["query", "kind"]]


def test_a_municipality_with_its_entrance(susanne, guldborgsund):
    department = MunicipalDepartment.objects.create(
        municipality=guldborgsund, kind=MunicipalDepartment.Kind.YDELSE, name="Ydelse og Myndighed"
    )
    Entrance.objects.create(
        municipality=guldborgsund, department=department, phone="54 73 10 00", secure_email="indgang@example.org"
    )
    body = call(susanne, "get", "/municipalities/376").json()
    assert (body["code"], body["name"]) == ("376", "Guldborgsund")
    assert body["entrance"]["department"]["name"] == "Ydelse og Myndighed"
    assert body["entrance"]["secure_email"] == "indgang@example.org"
    assert [d["kind"] for d in body["departments"]] == ["ydelse"]
    assert body["region"] is None  # no region data loaded in this test

    assert call(susanne, "get", "/municipalities/999").status_code == 404
    assert error_locs(call(susanne, "get", "/municipalities/abc")) == [["path", "code"]]


def test_me(susanne, socialraadgiver):
    body = call(susanne, "get", "/me").json()
    assert body["id"] == socialraadgiver.pk and body["role"] == Role.SOCIAL_WORKER
    assert body["organisation"]["name"] == "Storstrøm Fængsel"


# -- authentication ----------------------------------------------------------------------------


def test_a_bearer_token_acts_as_its_user(socialraadgiver, sag):
    token, plaintext = api_token_create(user=socialraadgiver, name="Klientsystem")
    response = call(as_token(plaintext), "get", f"/cases/{sag.pk}")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="koreplan.api.case_read")
    assert entry.actor == socialraadgiver
    assert entry.data == {"endpoint": "case_detail", "token": token.pk}
    token.refresh_from_db()
    assert token.last_used_at is not None
    # It writes without a CSRF token: no browser sends it by itself.
    strict = HttpClient(enforce_csrf_checks=True, headers={"authorization": f"Bearer {plaintext}"})
    response = call(strict, "post", f"/tasks/{an_open_task(sag).pk}/complete", {"completed_on": TODAY.isoformat()})
    assert response.status_code == 200


def test_a_token_sees_only_what_its_user_sees(fremmed, sag):
    _token, plaintext = api_token_create(user=fremmed, name="Andet system")
    assert call(as_token(plaintext), "get", f"/cases/{sag.pk}").status_code == 404


def test_only_the_hash_of_a_token_is_kept(socialraadgiver):
    token, plaintext = api_token_create(user=socialraadgiver, name="Klientsystem")
    assert plaintext.startswith("kp_") and len(plaintext) > 40
    stored = ApiToken.objects.values().get(pk=token.pk)
    assert plaintext not in json.dumps(stored, default=str)
    assert len(token.token_hash) == 64
    assert AuditEntry.objects.filter(action="koreplan.api.token_created").exists()


def test_revoked_unknown_and_inactive_tokens_are_401(socialraadgiver, sag):
    token, plaintext = api_token_create(user=socialraadgiver, name="Klientsystem")
    assert call(as_token(plaintext), "get", "/cases").status_code == 200
    api_token_revoke(token=token)
    assert call(as_token(plaintext), "get", "/cases").status_code == 401
    assert AuditEntry.objects.filter(action="koreplan.api.token_revoked").exists()

    assert call(as_token("kp_made-up"), "get", "/cases").status_code == 401
    assert call(as_token(""), "get", "/cases").status_code == 401

    _other, active = api_token_create(user=socialraadgiver, name="Andet")
    socialraadgiver.is_active = False
    socialraadgiver.save()
    assert call(as_token(active), "get", "/cases").status_code == 401


def test_a_bad_token_is_401_even_with_a_session(socialraadgiver, sag):
    token, plaintext = api_token_create(user=socialraadgiver, name="Klientsystem")
    api_token_revoke(token=token)
    client = as_user(socialraadgiver)
    assert call(client, "get", "/cases").status_code == 200
    response = client.get(BASE + "/cases", headers={"authorization": f"Bearer {plaintext}"})
    assert response.status_code == 401


def test_a_session_needs_the_csrf_token_to_write(socialraadgiver, sag):
    client = HttpClient(enforce_csrf_checks=True)
    client.force_login(socialraadgiver)
    url = BASE + f"/tasks/{an_open_task(sag).pk}/complete"
    body = json.dumps({"completed_on": TODAY.isoformat()})
    assert client.get(BASE + "/cases").status_code == 200  # reading needs none
    assert client.post(url, body, content_type="application/json").status_code == 403
    csrf = get_random_string(32)  # as the cookie any page of the site sets
    client.cookies[settings.CSRF_COOKIE_NAME] = csrf
    response = client.post(url, body, content_type="application/json", headers={"x-csrftoken": csrf})
    assert response.status_code == 200, response.content


def test_someone_not_logged_in_is_401_not_a_csrf_error(sag):
    client = HttpClient(enforce_csrf_checks=True)
    response = call(client, "post", f"/tasks/{an_open_task(sag).pk}/complete", {"completed_on": TODAY.isoformat()})
    assert response.status_code == 401


def test_the_command_prints_a_token_that_works(socialraadgiver, sag, capsys):
    from django.core.management import call_command

    call_command("api_token_create", "susanne", "Klientsystem")
    plaintext = capsys.readouterr().out.strip()
    assert ApiToken.objects.get().name == "Klientsystem"
    assert call(as_token(plaintext), "get", f"/cases/{sag.pk}").status_code == 200


def test_the_command_refuses_an_unknown_user(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("api_token_create", "nobody", "x")


def test_tokens_are_revoked_in_the_admin(admin, socialraadgiver):
    token, _plaintext = api_token_create(user=socialraadgiver, name="Klientsystem")
    client = as_user(admin)
    assert client.get("/admin/api/apitoken/").status_code == 200
    assert client.get(f"/admin/api/apitoken/{token.pk}/change/").status_code == 200
    response = client.post(
        "/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None


# -- the schema ----------------------------------------------------------------------------------


def test_the_openapi_schema_and_docs_render(client):
    response = client.get(BASE + "/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert {"/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}/timeline", "/api/v1/me/tasks",
            "/api/v1/tasks/{task_id}/complete"} <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/cases/{case_id}"]) == {"get", "patch"}
    assert {"BearerTokenAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])
    assert client.get(BASE + "/docs").status_code == 200


def test_the_facts_in_the_api_are_the_facts_of_a_case():
    assert set(FACT_NAMES) == set(services.FACT_COLUMNS) - {"birth_date", "case_type"}
