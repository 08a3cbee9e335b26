"""Writing to the municipality: the preview is what is sent, the consent decides, sending
completes the task, and without consent a colleague approves before anything leaves."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from koreplan.audit.models import AuditEntry
from koreplan.consent.models import Disclosure
from koreplan.consent.tests.factories import give_consent
from koreplan.coordination import selectors, services
from koreplan.coordination.models import MunicipalRequest
from koreplan.domain.consent import Category as C, Outcome

from .conftest import coordination_input, form_data

pytestmark = pytest.mark.django_db


def send(actor, case, inp):
    draft = services.request_preview(actor=actor, case=case, inp=inp)
    return services.request_send(actor=actor, case=case, inp=inp, digest=draft.digest)


def document_of(html: str) -> str:
    match = re.search(r'<article id="request-document".*?</article>', html, re.S)
    assert match, "no request document on the page"
    return match.group(0)


# -- the excerpt and the decision -----------------------------------------------------------------


def test_the_excerpt_holds_only_what_the_consent_covers(sag, plan, samtykke, indgang, socialraadgiver, guldborgsund):
    draft = services.request_preview(actor=socialraadgiver, case=sag, inp=coordination_input(guldborgsund))
    assert draft.sendable and not draft.needs_approval
    assert draft.categories == ["housing", "education_employment", "sentence"]
    assert [a.key for a in draft.excerpt.areas] == ["a1", "a3"]
    assert draft.excerpt.categories_present() <= {C.HOUSING, C.EDUCATION_EMPLOYMENT}
    stored = repr(draft.snapshot)
    for secret in ("HEMMELIG-DIAGNOSE", "HEMMELIG-AARSAG", "HEMMELIG-VURDERING", "HEMMELIG-TELEFON", "Psykiatrisk"):
        assert secret not in stored
    # Read by the entrance (benefits) and the jobcentre, both in the municipality as a whole's consent.
    assert [r.department for r in draft.recipients] == ["ydelse", "jobcenter"]


def test_a_category_the_consent_does_not_cover_is_refused_and_the_preview_says_why(
    client, sag, plan, samtykke, indgang, socialraadgiver, guldborgsund
):
    inp = coordination_input(guldborgsund, area_keys=("a1", "a2"))
    draft = services.request_preview(actor=socialraadgiver, case=sag, inp=inp)
    assert not draft.sendable and draft.decision.refused == {C.HEALTH_MENTAL}
    with pytest.raises(ValidationError):
        services.request_send(actor=socialraadgiver, case=sag, inp=inp, digest=draft.digest)
    assert not MunicipalRequest.objects.exists() and not Disclosure.objects.exists()

    client.force_login(socialraadgiver)
    page = client.post(reverse("coordination:request_new", args=[sag.pk, "koordinering"]),
                       form_data(guldborgsund, area_keys=["a1", "a2"], action="preview")).content.decode()
    assert "Der er intet samtykke til at videregive psykisk helbred til modtageren." in page
    assert 'value="send"' not in page  # no send button while it is refused
    assert "HEMMELIG-DIAGNOSE" not in document_of(page)


def test_the_preview_is_exactly_what_the_recipient_sees(client, sag, plan, samtykke, indgang, socialraadgiver, kommune, guldborgsund):
    client.force_login(socialraadgiver)
    url = reverse("coordination:request_new", args=[sag.pk, "koordinering"])
    preview = client.post(url, form_data(guldborgsund, action="preview"))
    assert preview.status_code == 200
    previewed = document_of(preview.content.decode())
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', preview.content.decode()).group(1)
    sent = client.post(url, form_data(guldborgsund, action="send", digest=digest))
    assert sent.status_code == 302
    request = MunicipalRequest.objects.get()
    assert request.status == MunicipalRequest.Status.SENT and request.digest == digest

    client.force_login(kommune)
    received = client.get(reverse("coordination:inbox_detail", args=[request.pk]))
    assert received.status_code == 200
    assert document_of(received.content.decode()) == previewed
    # And the sender's copy of what was sent is the same document.
    client.force_login(socialraadgiver)
    assert document_of(client.get(request.sender_url()).content.decode()) == previewed


def test_sending_what_was_not_previewed_is_refused(client, sag, plan, samtykke, indgang, socialraadgiver, guldborgsund):
    inp = coordination_input(guldborgsund)
    draft = services.request_preview(actor=socialraadgiver, case=sag, inp=inp)
    changed = replace(inp, situation_and_wishes="Noget andet end det, der blev set.")
    with pytest.raises(ValidationError) as error:
        services.request_send(actor=socialraadgiver, case=sag, inp=changed, digest=draft.digest)
    assert "digest" in error.value.message_dict
    # Through the page: the send is refused and the new preview shown instead.
    client.force_login(socialraadgiver)
    response = client.post(reverse("coordination:request_new", args=[sag.pk, "koordinering"]),
                           form_data(guldborgsund, action="send", digest=draft.digest, situation_and_wishes="Ændret."))
    assert response.status_code == 200 and "Ændret." in document_of(response.content.decode())
    assert not MunicipalRequest.objects.exists()


def test_a_withdrawn_consent_between_preview_and_send_stops_it(sag, plan, samtykke, indgang, socialraadgiver, guldborgsund):
    from datetime import date

    from koreplan.consent.services import consent_withdraw

    inp = coordination_input(guldborgsund)
    draft = services.request_preview(actor=socialraadgiver, case=sag, inp=inp)
    consent_withdraw(actor=socialraadgiver, case=sag, consent=samtykke, withdrawn_on=date(2026, 11, 24))
    with pytest.raises(ValidationError):
        services.request_send(actor=socialraadgiver, case=sag, inp=inp, digest=draft.digest)


# -- sending ---------------------------------------------------------------------------------------------


def test_sending_records_the_disclosure_and_completes_the_task(sag, plan, samtykke, indgang, socialraadgiver, guldborgsund):
    assert sag.tasks.filter(obligation_id="municipality_coordination", completed_on__isnull=True).exists()
    request = send(socialraadgiver, sag, coordination_input(guldborgsund))
    disclosure = request.disclosure
    assert disclosure.status == Disclosure.Status.DISCLOSED and disclosure.outcome == Outcome.ALLOWED
    assert list(disclosure.consents.all()) == [samtykke]
    assert disclosure.categories == ["housing", "education_employment", "sentence"]
    assert disclosure.recipient_departments == ["ydelse", "jobcenter"]
    task = sag.tasks.get(obligation_id="municipality_coordination")
    assert task.completed_on is not None and task.completed_by == socialraadgiver and request.task == task
    actions = set(AuditEntry.objects.filter(case_id=sag.pk).values_list("action", flat=True))
    assert {"koreplan.disclosure.recorded", "koreplan.coordination.request.sent", "koreplan.task.completed"} <= actions


def test_the_notice_of_intake_completes_step_1(sag, samtykke, indgang, socialraadgiver, guldborgsund):
    from koreplan.coordination.letters import RequestInput

    request = send(socialraadgiver, sag, RequestInput(kind="intake_notice", municipality=guldborgsund, message="Stop ydelserne."))
    assert request.step == "1" and request.disclosure.categories == ["sentence"]
    assert sag.tasks.get(obligation_id="notify_municipality_of_intake").completed_on is not None


def test_the_notice_of_intake_needs_consent_for_that_purpose(sag, indgang, socialraadgiver, guldborgsund):
    from koreplan.coordination.letters import RequestInput

    give_consent(actor=socialraadgiver, case=sag, categories=["sentence"], purposes=["coordination"])
    draft = services.request_preview(actor=socialraadgiver, case=sag, inp=RequestInput(kind="intake_notice", municipality=guldborgsund))
    assert not draft.sendable
    assert {r.code for r in draft.decision.reasons} == {"other_purpose"}


def test_a_request_without_the_plan_says_why_and_where_it_is(sag, samtykke, indgang, socialraadgiver, guldborgsund):
    inp = coordination_input(guldborgsund, plan_attached=False, area_keys=(), life_areas=("housing",))
    with pytest.raises(ValidationError) as error:
        services.request_preview(actor=socialraadgiver, case=sag, inp=inp)
    assert {"plan_not_attached_reason", "plan_available_from"} <= set(error.value.message_dict)
    inp = replace(inp, plan_not_attached_reason="Planen er ikke færdig", plan_available_from="Susanne Holm, Storstrøm Fængsel")
    request = send(socialraadgiver, sag, inp)
    assert request.snapshot["excerpt"] is None and request.snapshot["letter"]["plan_available_from"].startswith("Susanne")


def test_only_the_holder_writes_to_the_municipality(sag, samtykke, fremmed, kommune, guldborgsund, client):
    for outsider in (fremmed, kommune):
        with pytest.raises(PermissionDenied):
            services.request_preview(actor=outsider, case=sag, inp=coordination_input(guldborgsund))
        client.force_login(outsider)
        assert client.get(reverse("coordination:request_new", args=[sag.pk, "koordinering"])).status_code == 404


# -- without consent: a second person --------------------------------------------------------------------


def test_without_consent_nothing_leaves_until_a_colleague_approves(
    client, sag, plan, samtykke, indgang, socialraadgiver, kollega, kommune, guldborgsund
):
    inp = coordination_input(guldborgsund, area_keys=("a1", "a2"), legal_basis="dbl_8_2_3",
                             justification="Behandlingen skal fortsætte på løsladelsesdagen.")
    draft = services.request_preview(actor=socialraadgiver, case=sag, inp=inp)
    assert draft.sendable and draft.needs_approval
    assert draft.decision.on_legal_basis == {C.HEALTH_MENTAL}
    request = services.request_send(actor=socialraadgiver, case=sag, inp=inp, digest=draft.digest)
    assert request.status == MunicipalRequest.Status.AWAITING_APPROVAL and request.sent_at is None
    assert request.disclosure.status == Disclosure.Status.AWAITING_APPROVAL
    # Nothing reached the municipality, and the task is still open.
    assert not selectors.inbox_for(user=kommune).exists()
    client.force_login(kommune)
    assert client.get(reverse("coordination:inbox_detail", args=[request.pk])).status_code == 404
    assert sag.tasks.get(obligation_id="municipality_coordination").completed_on is None

    # Not by the person who wrote it.
    with pytest.raises(PermissionDenied):
        services.request_approve(actor=socialraadgiver, req=request)
    client.force_login(socialraadgiver)
    page = client.get(request.approval_url())
    assert page.status_code == 200 and 'value="approve"' not in page.content.decode()

    client.force_login(kollega)
    assert client.post(request.approval_url(), {"action": "approve"}).status_code == 302
    request.refresh_from_db()
    assert request.status == MunicipalRequest.Status.SENT
    assert request.disclosure.approved_by == kollega and request.disclosure.proposed_by == socialraadgiver
    assert selectors.inbox_for(user=kommune).filter(pk=request.pk).exists()
    assert sag.tasks.get(obligation_id="municipality_coordination").completed_on is not None


def test_a_request_awaiting_approval_can_be_stopped(client, sag, plan, indgang, socialraadgiver, guldborgsund):
    inp = coordination_input(guldborgsund, legal_basis="dbl_8_2_3", justification="x")
    request = send(socialraadgiver, sag, inp)
    client.force_login(socialraadgiver)
    assert client.post(request.approval_url(), {"action": "cancel", "reason": ""}).status_code == 422
    assert client.post(request.approval_url(), {"action": "cancel", "reason": "Klienten giver samtykke i morgen."}).status_code == 302
    request.refresh_from_db()
    assert request.status == MunicipalRequest.Status.CANCELLED
    assert request.disclosure.status == Disclosure.Status.REJECTED


# -- the case page panels -------------------------------------------------------------------------------------


def test_the_panels_render_with_only_the_case(rf, sag, plan, samtykke, indgang, socialraadgiver, kommune, guldborgsund):
    from django.template.loader import render_to_string

    request = send(socialraadgiver, sag, coordination_input(guldborgsund))
    services.request_open(actor=kommune, req=request)
    html = render_to_string("coordination/_case_panel.html", {"case": sag, "user": socialraadgiver})
    assert "Guldborgsund" in html and request.sender_url() in html
    assert "Mette Dahl" in html  # received by
    html = render_to_string("consent/_case_panel.html", {"case": sag, "user": socialraadgiver})
    assert "Guldborgsund" in html


def test_a_request_awaiting_approval_is_decided_on_its_own_page(client, sag, plan, indgang, socialraadgiver, kollega, guldborgsund):
    request = send(socialraadgiver, sag, coordination_input(guldborgsund, legal_basis="dbl_8_2_3", justification="x"))
    client.force_login(kollega)
    response = client.get(reverse("consent:disclosure_decide", args=[sag.pk, request.disclosure_id]))
    assert response.status_code == 302 and response["Location"] == request.approval_url()


def test_municipal_staff_have_the_inbox_in_the_menu(client, kommune, sagsbehandler, socialraadgiver):
    for user, shown in ((kommune, True), (sagsbehandler, True), (socialraadgiver, False)):
        client.force_login(user)
        page = client.get(reverse("coordination:inbox") if shown else reverse("cases:worklist"))
        assert ('href="/indbakke/"' in page.content.decode()) is shown
