"""The release's API router: the same access rule, task completion, optimistic locking and
audit as the pages. Mounted on a NinjaAPI of the tests' own (api_urls) until /api/v1
mounts it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from koreplan.audit.models import AuditEntry
from koreplan.release import services
from koreplan.release.models import Meeting, Party

from .conftest import RELEASE, TODAY, at

pytestmark = [pytest.mark.django_db, pytest.mark.urls("koreplan.release.tests.api_urls")]

BASE = "/api/release-test"


def call(client, method, path, body=None):
    kwargs = {"content_type": "application/json", "data": json.dumps(body, default=str)} if body is not None else {}
    return getattr(client, method)(f"{BASE}{path}", **kwargs)


@pytest.fixture
def moede(socialraadgiver, sag):
    return services.meeting_create(
        actor=socialraadgiver, case=sag, kind=Meeting.Kind.RELEASE_MEETING, starts_at=at(TODAY, 8), ends_at=at(TODAY, 9),
        participants=[services.ParticipantData(Party.CLIENT, "Jens Hansen")],
    )


MEETING = {
    "kind": "release_day", "starts_at": at(RELEASE, 10).isoformat(), "ends_at": at(RELEASE, 11).isoformat(),
    "purpose": "advance_payment", "participants": [{"party": "client", "name": "Jens Hansen"}],
}


def test_nobody_without_a_part_gets_anything(client, request, sag, moede, kif_afdeling):
    agreement = services.agreement_add(actor=sag.plan_responsible, item=moede.agenda_items.first(), who="x", what="y")
    r = f"/cases/{sag.pk}/release"
    m = f"{r}/meetings/{moede.pk}"
    endpoints = [
        ("get", r, None),
        ("get", f"{r}/readiness", None),
        ("put", f"{r}/readiness/housing", {"status": "in_place"}),
        ("get", f"{r}/meetings", None),
        ("post", f"{r}/meetings", MEETING),
        ("get", m, None),
        ("patch", m, {"revision": 1, "location": "x"}),
        ("post", f"{m}/held", {"held_on": TODAY.isoformat()}),
        ("post", f"{m}/cancellation", {"reason": "x"}),
        ("get", f"{m}/invitation.ics", None),
        ("post", f"{m}/agreements", {"agenda_item_id": agreement.item_id, "who": "x", "what": "y"}),
        ("delete", f"{m}/agreements/{agreement.pk}", None),
        ("get", f"{r}/outcomes", None),
        ("put", f"{r}/outcomes/at_release", {
            "recorded_on": TODAY.isoformat(), "housing": "own", "income_from_day_one": True,
            "employment_or_education": True, "treatment": "started"}),
        ("post", f"{r}/kif-involvement", {"kif_id": kif_afdeling.pk}),
    ]
    for persona in ("fremmed", "kommune", "sagsbehandler", "anden_kommune", "kif"):
        client.force_login(request.getfixturevalue(persona))
        for method, path, body in endpoints:
            assert call(client, method, path, body).status_code == 404, (persona, method, path)
    assert Meeting.objects.get(pk=moede.pk).status == Meeting.Status.PLANNED
    assert not sag.readiness_items.exists() and not sag.release_outcomes.exists() and sag.kif_id is None


def test_anonymous_callers_get_401(client, sag):
    assert call(client, "get", f"/cases/{sag.pk}/release").status_code == 401


def test_the_release_of_a_case_and_every_read_audited(client, socialraadgiver, sag, moede):
    client.force_login(socialraadgiver)
    response = call(client, "get", f"/cases/{sag.pk}/release")
    assert response.status_code == 200
    body = response.json()
    assert body["expected_release_on"] == RELEASE.isoformat()
    assert body["readiness"]["signal"]["level"] == "at_risk"
    assert body["readiness"]["signal"]["text_da"].startswith("Risiko for løsladelse til gaden")
    assert len(body["readiness"]["items"]) == 7 and body["readiness"]["items"][0]["recorded"] is False
    (meeting,) = body["meetings"]
    assert meeting["kind"] == "release_meeting" and len(meeting["agenda"]) == 8 and meeting["revision"] == 1
    entry = AuditEntry.objects.filter(action="koreplan.release.viewed").order_by("id").last()
    assert entry.data["page"] == "api:release_detail" and entry.case_id == sag.pk


def test_readiness_over_the_api(client, socialraadgiver, sag, ydelse):
    client.force_login(socialraadgiver)
    response = call(client, "put", f"/cases/{sag.pk}/release/readiness/income", {
        "status": "in_progress", "department_id": ydelse.pk, "checks": {"availability_assessment": True},
    })
    assert response.status_code == 200, response.content
    income = next(i for i in response.json()["items"] if i["item"] == "income")
    assert income["status"] == "in_progress" and income["department"]["id"] == ydelse.pk
    assert income["checks"] == {"availability_assessment": True, "advance_payment": False}
    refused = call(client, "put", f"/cases/{sag.pk}/release/readiness/housing", {"status": "not_needed"})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "status"]


def test_an_appointment_on_release_day_completes_its_task(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    response = call(client, "post", f"/cases/{sag.pk}/release/meetings", MEETING)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["task_completed"] == "municipal_appointments_on_release_day" and body["timing_note"] is None
    assert body["participants"][0]["name"] == "Jens Hansen"


def test_holding_the_release_meeting_over_the_api(client, socialraadgiver, sag, moede):
    client.force_login(socialraadgiver)
    path = f"/cases/{sag.pk}/release/meetings/{moede.pk}"
    missing = call(client, "post", f"{path}/held", {"held_on": TODAY.isoformat()})
    assert missing.status_code == 422
    assert {tuple(e["loc"]) for e in missing.json()["detail"]} == {
        ("body", "plan_holder_after_id"), ("body", "municipal_follow_up"), ("body", "follow_up_called_by"),
    }
    response = call(client, "post", f"{path}/held", {
        "revision": moede.revision, "held_on": TODAY.isoformat(), "plan_holder_after_id": sag.holding_organisation_id,
        "municipal_follow_up": "Jobcentret.", "follow_up_called_by": "municipality",
    })
    assert response.status_code == 200, response.content
    assert response.json()["task_completed"] == "release_meeting" and response.json()["status"] == "held"
    assert sag.tasks.get(obligation_id="release_meeting").completed_on == TODAY


def test_a_stale_revision_is_409(client, socialraadgiver, sag, moede):
    client.force_login(socialraadgiver)
    path = f"/cases/{sag.pk}/release/meetings/{moede.pk}"
    later = (at(TODAY, 8) + timedelta(days=1)).isoformat()
    first = call(client, "patch", path, {"revision": 1, "starts_at": later, "ends_at": (at(TODAY, 9) + timedelta(days=1)).isoformat()})
    assert first.status_code == 200 and first.json()["revision"] == 2
    stale = call(client, "patch", path, {"revision": 1, "location": "Lokale 3"})
    assert stale.status_code == 409
    body = stale.json()
    assert body["detail"] and body["field"] == "revision" and body["revision"] == 2
    assert body["saved_by"] == "Susanne Holm" and body["saved_at"]


def test_agreements_and_the_calendar_file(client, socialraadgiver, sag, moede):
    client.force_login(socialraadgiver)
    path = f"/cases/{sag.pk}/release/meetings/{moede.pk}"
    item = moede.agenda_items.get(life_area="finances")
    added = call(client, "post", f"{path}/agreements", {"agenda_item_id": item.pk, "who": "Jonas", "what": "A conto"})
    assert added.status_code == 201
    agreement = next(i for i in added.json()["agenda"] if i["id"] == item.pk)["agreements"][0]
    assert call(client, "post", f"{path}/agreements", {"agenda_item_id": 999999, "who": "x", "what": "y"}).status_code == 422
    assert call(client, "delete", f"{path}/agreements/{agreement['id']}").status_code == 204
    ics = call(client, "get", f"{path}/invitation.ics")
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
    assert ics.content.decode().startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")


def test_the_outcome_over_the_api(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    response = call(client, "put", f"/cases/{sag.pk}/release/outcomes/at_release", {
        "recorded_on": TODAY.isoformat(), "housing": "own", "income_from_day_one": False,
        "employment_or_education": True, "treatment": "not_needed",
    })
    assert response.status_code == 200 and response.json()["released_to_street"] is True
    assert call(client, "get", f"/cases/{sag.pk}/release").json()["readiness"]["signal"]["level"] == "released_to_street"


def test_kif_involvement_over_the_api(client, socialraadgiver, kif, kif_afdeling, proeve):
    client.force_login(kif)
    assert call(client, "get", f"/cases/{proeve.pk}/release").status_code == 404
    client.force_login(socialraadgiver)
    response = call(client, "post", f"/cases/{proeve.pk}/release/kif-involvement", {"kif_id": kif_afdeling.pk, "officer_id": kif.pk})
    assert response.status_code == 201, response.content
    assert response.json()["task_completed"] == "involve_kif"
    client.force_login(kif)
    assert call(client, "get", f"/cases/{proeve.pk}/release").status_code == 200
    assert call(client, "post", f"/cases/{proeve.pk}/release/meetings", MEETING).status_code == 403
