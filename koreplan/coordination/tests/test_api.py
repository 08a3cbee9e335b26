"""The consent and coordination routers, mounted on a throwaway NinjaAPI: the same access
rules and the same preview-then-send as the pages."""

from __future__ import annotations

import pytest

from koreplan.audit.models import AuditEntry
from koreplan.consent.models import Consent
from koreplan.coordination.models import MunicipalRequest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("koreplan.coordination.tests.api_urls")]

API = "/api/test"


def call(client, user, method, path, data=None, **extra):
    client.force_login(user)
    if method == "get":
        return client.get(API + path, data or {})
    return getattr(client, method)(API + path, data or {}, content_type="application/json", **extra)


def request_body(municipality, **changes):
    body = {
        "kind": "coordination", "municipality_id": municipality.pk, "departments": ["jobcenter"],
        "purpose_text": "Koordinering.", "expectations": "Bolig og rådighed.", "situation_and_wishes": "Egen bolig.",
        "area_keys": ["a1", "a3"], "partner_keys": ["p1"], "plan_attached": True, "kf_options": ["leave"],
    }
    body.update(changes)
    return body


# -- consent ------------------------------------------------------------------------------------


def test_consents_are_listed_created_and_withdrawn(client, sag, socialraadgiver, guldborgsund):
    path = f"/cases/{sag.pk}/consents"
    created = call(client, socialraadgiver, "post", path, {
        "categories": ["housing", "sentence"], "recipient_organisation_id": guldborgsund.pk,
        "purposes": ["coordination"], "given_on": "2026-11-20",
    })
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["in_force"] and body["recipient"]["name"] == "Guldborgsund" and body["decision"] == "given"
    listed = call(client, socialraadgiver, "get", path)
    assert [c["id"] for c in listed.json()] == [body["id"]]
    withdrawn = call(client, socialraadgiver, "post", f"{path}/{body['id']}/withdrawal", {"withdrawn_on": "2026-11-24"})
    assert withdrawn.status_code == 200 and not withdrawn.json()["in_force"]
    assert AuditEntry.objects.filter(action="koreplan.consent.withdrawn", case_id=sag.pk).exists()


def test_a_refusal_over_the_api_needs_its_reasons(client, sag, socialraadgiver, guldborgsund):
    path = f"/cases/{sag.pk}/consents"
    body = {"decision": "refused", "categories": ["offence"], "recipient_organisation_id": guldborgsund.pk,
            "purposes": ["coordination"], "given_on": "2026-11-24", "refusal_kind": "opposes"}
    refused = call(client, socialraadgiver, "post", path, body)
    assert refused.status_code == 422
    assert ["body", "refusal_reasons"] in [e["loc"] for e in refused.json()["detail"]]
    body["refusal_reasons"] = "Vil ikke have, at kommunen kender dommen."
    assert call(client, socialraadgiver, "post", path, body).status_code == 201
    assert Consent.objects.get().refused


def test_the_consent_api_is_closed_to_those_without_a_part(client, sag, fremmed, kommune, sagsbehandler, guldborgsund):
    for user in (fremmed, kommune, sagsbehandler):
        assert call(client, user, "get", f"/cases/{sag.pk}/consents").status_code == 404
        assert call(client, user, "post", f"/cases/{sag.pk}/consents", {
            "categories": ["housing"], "recipient_organisation_id": guldborgsund.pk, "purposes": ["coordination"],
            "given_on": "2026-11-20",
        }).status_code == 404
    client.logout()
    assert client.get(f"{API}/cases/{sag.pk}/consents").status_code == 401


def test_a_signed_copy_over_the_api(client, sag, socialraadgiver, settings, tmp_path):
    from koreplan.consent.tests.factories import a_pdf, give_consent

    settings.MEDIA_ROOT = str(tmp_path)
    consent = give_consent(actor=socialraadgiver, case=sag, categories=["housing"])
    client.force_login(socialraadgiver)
    response = client.post(f"{API}/cases/{sag.pk}/consents/{consent.pk}/signed-copy", {"file": a_pdf()})
    assert response.status_code == 200 and response.json()["signed_copy"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = client.post(f"{API}/cases/{sag.pk}/consents/{consent.pk}/signed-copy",
                      {"file": SimpleUploadedFile("x.pdf", b"not a pdf at all", "application/pdf")})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "file"]


# -- coordination ---------------------------------------------------------------------------------


def test_preview_then_send_then_the_inbox(client, sag, plan, samtykke, indgang, socialraadgiver, kommune, sagsbehandler, anden_kommune, guldborgsund):
    base = f"/cases/{sag.pk}/municipal-requests"
    preview = call(client, socialraadgiver, "post", base + "/preview", request_body(guldborgsund))
    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert body["sendable"] and not body["needs_approval"]
    assert {row["category"]: row["state"] for row in body["decision"]} == {
        "housing": "consented", "education_employment": "consented", "sentence": "consented"}
    assert "HEMMELIG" not in str(body["document"])

    stale = call(client, socialraadgiver, "post", base, {**request_body(guldborgsund, expectations="Andet."), "digest": body["digest"]})
    assert stale.status_code == 422 and stale.json()["detail"][0]["loc"] == ["body", "digest"]
    sent = call(client, socialraadgiver, "post", base, {**request_body(guldborgsund), "digest": body["digest"]})
    assert sent.status_code == 201, sent.content
    request_id = sent.json()["id"]
    assert sent.json()["status"] == "sent" and sent.json()["document"] == body["document"]

    # The municipality's side: what it sees is what was previewed, and nothing names the case.
    listed = call(client, kommune, "get", "/inbox").json()
    assert [r["id"] for r in listed] == [request_id] and "case_id" not in listed[0]
    detail = call(client, kommune, "get", f"/inbox/{request_id}")
    assert detail.status_code == 200 and detail.json()["document"] == body["document"] and detail.json()["status"] == "received"
    assert call(client, anden_kommune, "get", f"/inbox/{request_id}").status_code == 404
    assert call(client, sagsbehandler, "get", f"/inbox/{request_id}").status_code == 404
    assert call(client, kommune, "get", base).status_code == 404

    routed = call(client, kommune, "post", f"/inbox/{request_id}/routing",
                  {"department_id": sagsbehandler.department_id, "caseworker_id": sagsbehandler.pk})
    assert routed.status_code == 200 and routed.json()["status"] == "accepted"
    assert call(client, sagsbehandler, "get", f"/inbox/{request_id}").status_code == 200
    assert call(client, sagsbehandler, "post", f"/inbox/{request_id}/return", {"reason": "x"}).status_code == 403

    mine = call(client, socialraadgiver, "get", base).json()
    assert mine[0]["status"] == "accepted" and mine[0]["routed_caseworker"]["name"] == "Jonas Krog"
    assert mine[0]["accepted_by"]["name"] == "Mette Dahl"


def test_a_refused_request_says_why_per_category(client, sag, plan, samtykke, indgang, socialraadgiver, guldborgsund):
    base = f"/cases/{sag.pk}/municipal-requests"
    body = request_body(guldborgsund, area_keys=["a1", "a2"])
    preview = call(client, socialraadgiver, "post", base + "/preview", body).json()
    assert not preview["sendable"]
    refused = {row["category"]: row for row in preview["decision"]}["health_mental"]
    assert refused["state"] == "refused" and refused["reasons"][0]["code"] == "no_consent"
    sent = call(client, socialraadgiver, "post", base, {**body, "digest": preview["digest"]})
    assert sent.status_code == 422
    assert not MunicipalRequest.objects.exists()


def test_without_consent_a_colleague_approves_over_the_api(client, sag, plan, indgang, socialraadgiver, kollega, guldborgsund):
    base = f"/cases/{sag.pk}/municipal-requests"
    body = request_body(guldborgsund, legal_basis="dbl_8_2_3", justification="Løsladelse om tre uger.")
    preview = call(client, socialraadgiver, "post", base + "/preview", body).json()
    assert preview["sendable"] and preview["needs_approval"]
    sent = call(client, socialraadgiver, "post", base, {**body, "digest": preview["digest"]}).json()
    assert sent["status"] == "awaiting_approval"
    assert call(client, socialraadgiver, "post", f"{base}/{sent['id']}/approval", {"approve": True}).status_code == 403
    approved = call(client, kollega, "post", f"{base}/{sent['id']}/approval", {"approve": True})
    assert approved.status_code == 200 and approved.json()["status"] == "sent"


def test_the_coordination_api_is_closed_to_outsiders(client, sag, plan, samtykke, fremmed, kommune, guldborgsund):
    for user in (fremmed, kommune):
        response = call(client, user, "post", f"/cases/{sag.pk}/municipal-requests/preview", request_body(guldborgsund))
        assert response.status_code == 404
    assert call(client, fremmed, "get", "/inbox").json() == []


def test_the_inbox_filters_by_status_and_names_a_status_it_does_not_know(client, kommune):
    assert call(client, kommune, "get", "/inbox?status=accepted").status_code == 200
    response = call(client, kommune, "get", "/inbox?status=ubesvaret")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "status"]
