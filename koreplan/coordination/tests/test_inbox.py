"""The municipal inbox with its personas.

Mette staffs Guldborgsund's entrance and sees what was sent to Guldborgsund; Anders at
Horsens' entrance sees nothing of it (404); Jonas, a caseworker at Guldborgsund's
jobcentre, sees a request only once it is routed to him — and never the case page.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from koreplan.accounts.models import Role
from koreplan.accounts.tests.factories import UserFactory
from koreplan.audit.models import AuditEntry
from koreplan.coordination import selectors, services
from koreplan.coordination.models import MunicipalRequest
from koreplan.notifications.models import Notification
from koreplan.organisations.models import MunicipalDepartment
from koreplan.organisations.tests.factories import MunicipalDepartmentFactory

from .conftest import coordination_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def anmodning(sag, plan, samtykke, indgang, socialraadgiver, guldborgsund):
    inp = coordination_input(guldborgsund)
    draft = services.request_preview(actor=socialraadgiver, case=sag, inp=inp)
    return services.request_send(actor=socialraadgiver, case=sag, inp=inp, digest=draft.digest)


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_the_entrance_sees_what_came_to_its_municipality(client, anmodning, kommune):
    assert Notification.objects.filter(recipient=kommune, kind="request_received").exists()
    listing = get(client, kommune, reverse("coordination:inbox"))
    assert listing.status_code == 200 and anmodning.inbox_url() in listing.content.decode()
    detail = get(client, kommune, anmodning.inbox_url())
    assert detail.status_code == 200
    anmodning.refresh_from_db()
    assert anmodning.status == MunicipalRequest.Status.RECEIVED and anmodning.received_by == kommune
    actions = list(AuditEntry.objects.filter(object_id=str(anmodning.pk), actor=kommune).values_list("action", flat=True))
    assert "koreplan.coordination.request.received" in actions and "koreplan.coordination.request.viewed" in actions


def test_another_municipality_sees_nothing(client, anmodning, anden_kommune):
    assert get(client, anden_kommune, anmodning.inbox_url()).status_code == 404
    assert anmodning.inbox_url() not in get(client, anden_kommune, reverse("coordination:inbox")).content.decode()
    client.force_login(anden_kommune)
    assert client.post(reverse("coordination:inbox_return", args=[anmodning.pk]), {"reason": "x"}).status_code == 404


def test_kriminalforsorgen_has_no_inbox(client, anmodning, socialraadgiver, admin):
    for user in (socialraadgiver, admin):
        assert get(client, user, anmodning.inbox_url()).status_code == 404
        assert get(client, user, reverse("coordination:inbox")).status_code == 404


def test_the_caseworker_sees_it_only_once_it_is_routed_to_them_and_never_the_case(
    client, sag, anmodning, kommune, sagsbehandler
):
    assert get(client, sagsbehandler, anmodning.inbox_url()).status_code == 404
    assert anmodning.inbox_url() not in get(client, sagsbehandler, reverse("coordination:inbox")).content.decode()

    client.force_login(kommune)
    response = client.post(reverse("coordination:inbox_route", args=[anmodning.pk]), {
        "department": sagsbehandler.department_id, "caseworker": sagsbehandler.pk, "note": "Jonas tager den.",
    })
    assert response.status_code == 302
    anmodning.refresh_from_db()
    assert anmodning.has_hold and anmodning.accepted_by == kommune and anmodning.routed_caseworker == sagsbehandler

    detail = get(client, sagsbehandler, anmodning.inbox_url())
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "Bolig efter løsladelsen" in page and "HEMMELIG" not in page
    assert 'name="caseworker"' not in page  # a caseworker does not route
    # Never the case page, the plan or the consents.
    for url in (
        reverse("cases:case_detail", args=[sag.pk]),
        reverse("plans:plan", args=[sag.pk]),
        reverse("consent:list", args=[sag.pk]),
        reverse("coordination:request_detail", args=[sag.pk, anmodning.pk]),
    ):
        assert get(client, sagsbehandler, url).status_code == 404, url


def test_a_colleague_in_the_same_department_sees_it_too_but_not_another_department(anmodning, kommune, sagsbehandler, guldborgsund):
    services.request_route(actor=kommune, req=anmodning, department=sagsbehandler.department, caseworker=sagsbehandler)
    colleague = UserFactory(organisation=guldborgsund, role=Role.MUNICIPAL_CASEWORKER, department=sagsbehandler.department)
    elsewhere = UserFactory(
        organisation=guldborgsund, role=Role.MUNICIPAL_CASEWORKER,
        department=MunicipalDepartmentFactory(municipality=guldborgsund, kind=MunicipalDepartment.Kind.MISBRUGSCENTER),
    )
    assert selectors.inbox_for(user=colleague).filter(pk=anmodning.pk).exists()
    assert not selectors.inbox_for(user=elsewhere).exists()


def test_only_the_entrance_routes_and_returns(anmodning, sagsbehandler, anden_kommune):
    for user in (sagsbehandler, anden_kommune):
        with pytest.raises(PermissionDenied):
            services.request_route(actor=user, req=anmodning, department=sagsbehandler.department, caseworker=sagsbehandler)
        with pytest.raises(PermissionDenied):
            services.request_return(actor=user, req=anmodning, reason="x")


def test_routing_names_a_caseworker_of_that_department(anmodning, kommune, sagsbehandler, anden_kommune, guldborgsund):
    with pytest.raises(ValidationError) as error:
        services.request_route(actor=kommune, req=anmodning, department=sagsbehandler.department, caseworker=anden_kommune)
    assert "caseworker" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.request_route(actor=kommune, req=anmodning, department=kommune.department, caseworker=sagsbehandler)
    assert "caseworker" in error.value.message_dict


def test_routing_to_a_department_the_consent_does_not_cover_is_refused(sag, plan, indgang, socialraadgiver, kommune, guldborgsund):
    from koreplan.consent.tests.factories import give_consent

    # Consent to the entrance's department and the jobcentre only, not the addiction centre.
    for department in ("ydelse", "jobcenter"):
        give_consent(actor=socialraadgiver, case=sag, categories=["sentence", "housing", "education_employment"],
                     department=department)
    inp = coordination_input(guldborgsund)
    draft = services.request_preview(actor=socialraadgiver, case=sag, inp=inp)
    request = services.request_send(actor=socialraadgiver, case=sag, inp=inp, digest=draft.digest)
    misbrug = MunicipalDepartmentFactory(municipality=guldborgsund, kind=MunicipalDepartment.Kind.MISBRUGSCENTER)
    worker = UserFactory(organisation=guldborgsund, role=Role.MUNICIPAL_CASEWORKER, department=misbrug)
    with pytest.raises(ValidationError) as error:
        services.request_route(actor=kommune, req=request, department=misbrug, caseworker=worker)
    assert "department" in error.value.message_dict


def test_returned_with_a_reason_and_the_sender_sees_it(client, sag, anmodning, kommune, socialraadgiver, horsens):
    client.force_login(kommune)
    url = reverse("coordination:inbox_return", args=[anmodning.pk])
    assert client.post(url, {"reason": ""}).status_code == 422
    assert client.post(url, {"reason": "Ikke handlekommune: borgeren er flyttet.", "suggested_municipality": horsens.pk}).status_code == 302
    anmodning.refresh_from_db()
    assert anmodning.status == MunicipalRequest.Status.RETURNED and anmodning.suggested_municipality == horsens
    assert Notification.objects.filter(recipient=socialraadgiver, kind="request_returned").exists()
    page = get(client, socialraadgiver, anmodning.sender_url()).content.decode()
    assert "Ikke handlekommune" in page and f"?kommune={horsens.pk}" in page
    # Answered: it cannot be answered again.
    with pytest.raises(ValidationError):
        services.request_route(actor=kommune, req=anmodning, department=kommune.department, caseworker=kommune)


def test_the_sender_sees_sent_received_and_accepted_by_whom(client, sag, anmodning, kommune, sagsbehandler, socialraadgiver):
    from django.template.loader import render_to_string

    def panel() -> str:
        return render_to_string("coordination/_case_panel.html", {"case": sag, "user": socialraadgiver})

    assert "Waiting for the municipality" in panel() or "Venter på kommunen" in panel()
    services.request_open(actor=kommune, req=anmodning)
    services.request_route(actor=kommune, req=anmodning, department=sagsbehandler.department, caseworker=sagsbehandler)
    html = panel()
    assert "Jonas Krog" in html and "Mette Dahl" in html
    assert Notification.objects.filter(recipient=socialraadgiver, kind="request_accepted").exists()
    assert Notification.objects.filter(recipient=sagsbehandler).exists()


def test_a_returned_request_naming_another_municipality_offers_to_change_the_acting_one(
    client, sag, anmodning, kommune, socialraadgiver, horsens
):
    from django.template.loader import render_to_string

    from koreplan.cases.services import client_municipality_change

    services.request_return(actor=kommune, req=anmodning, reason="Borgeren er flyttet.", suggested_municipality=horsens)
    link = f'href="/sager/{sag.pk}/handlekommune/?kommune={horsens.pk}"'
    page = get(client, socialraadgiver, anmodning.sender_url()).content.decode()
    assert link in page and "Skift handlekommune til Horsens" in page
    panel = render_to_string("coordination/_case_panel.html", {"case": sag, "user": socialraadgiver})
    assert link in panel
    # The municipality never holds the case: it is not offered the change.
    assert link not in render_to_string("coordination/_case_panel.html", {"case": sag, "user": kommune})
    # Once Horsens acts, there is nothing left to offer; the request stays as it was sent.
    client_municipality_change(actor=socialraadgiver, case=sag, municipality=horsens, reason="Flyttet.")
    sag.refresh_from_db()
    assert link not in get(client, socialraadgiver, anmodning.sender_url()).content.decode()
    anmodning.refresh_from_db()
    assert anmodning.municipality_id != horsens.pk and anmodning.status == MunicipalRequest.Status.RETURNED
