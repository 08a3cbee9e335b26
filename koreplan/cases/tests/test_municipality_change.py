"""Skift handlekommune: the client's acting municipality changes, and the municipality's
open tasks follow it; what was done or sent stays where it was.

Susanne holds the case at her prison; the client's acting municipality is Guldborgsund
and becomes Horsens. Frede, at another prison, has no part in the case.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from koreplan.audit.models import AuditEntry
from koreplan.cases import services
from koreplan.cases.models import Client, JournalEntry, Task
from koreplan.domain.rules.obligations import OBLIGATIONS, Who

from .factories import open_case

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
TODAY = date(2026, 11, 24)
REASON = "Borgeren er flyttet til Horsens."

#: No rule of the Køreplan gives the municipality a task of its own yet; the rules read
#: here say two of them are the municipality's, as a local agreement might, so that the
#: move of its tasks is seen (one done before the change, one still open).
MUNICIPAL_DONE = "notify_municipality_of_intake"
MUNICIPAL_OPEN = "municipal_appointments_on_release_day"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=COPENHAGEN), tick=False):
        yield


@pytest.fixture
def municipal_rules(monkeypatch):
    for obligation_id in (MUNICIPAL_DONE, MUNICIPAL_OPEN):
        monkeypatch.setitem(OBLIGATIONS, obligation_id, dataclasses.replace(OBLIGATIONS[obligation_id], who=Who.MUNICIPALITY))


@pytest.fixture
def sag(socialraadgiver, guldborgsund):
    return open_case(actor=socialraadgiver, municipality=guldborgsund)


def change(actor, case, municipality, reason=REASON):
    return services.client_municipality_change(actor=actor, case=case, municipality=municipality, reason=reason)


# -- the service ---------------------------------------------------------------------------------


def test_open_municipal_tasks_move_and_done_ones_stay(municipal_rules, socialraadgiver, guldborgsund, horsens):
    sag = open_case(actor=socialraadgiver, municipality=guldborgsund)
    # A second open case of the same client, held elsewhere in the prison service: its tasks move too.
    other = open_case(actor=socialraadgiver, municipality=guldborgsund, client=sag.client)
    done = sag.tasks.get(obligation_id=MUNICIPAL_DONE)
    assert done.responsible_organisation == guldborgsund
    services.task_complete(actor=socialraadgiver, task=done, completed_on=TODAY)

    change(socialraadgiver, sag, horsens)

    assert Client.objects.get(pk=sag.client_id).acting_municipality == horsens
    done.refresh_from_db()
    assert done.completed_on == TODAY and done.responsible_organisation == guldborgsund
    for case in (sag, other):
        moved = case.tasks.get(obligation_id=MUNICIPAL_OPEN)
        assert moved.completed_on is None and moved.responsible_organisation == horsens
    assert not Task.objects.filter(who=Who.MUNICIPALITY, completed_on=None, responsible_organisation=guldborgsund).exists()
    # The prison's own tasks are not the municipality's: they stay where they lie.
    assert sag.tasks.get(obligation_id="first_plan").responsible_organisation == socialraadgiver.organisation


def test_the_change_is_written_in_the_journal_and_audited_last(socialraadgiver, guldborgsund, horsens, sag):
    change(socialraadgiver, sag, horsens, reason="  " + REASON + "  ")
    entry = JournalEntry.objects.get(case=sag)
    assert (entry.author, entry.kind, entry.occurred_on) == (socialraadgiver, JournalEntry.Kind.NOTE, TODAY)
    assert "Guldborgsund" in entry.text and "Horsens" in entry.text and REASON in entry.text
    last = AuditEntry.objects.order_by("-pk").first()
    assert last.action == "koreplan.client.municipality_changed"
    assert (last.actor, last.case_id, last.client_id) == (socialraadgiver, sag.pk, sag.client_id)
    assert last.data["from_municipality"] == guldborgsund.pk
    assert last.data["to_municipality"] == horsens.pk
    assert last.data["reason"] == REASON


@pytest.mark.parametrize(
    "which, reason, field",
    [
        ("same", REASON, "municipality"),
        ("prison", REASON, "municipality"),
        ("none", REASON, "municipality"),
        ("new", "   ", "reason"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(socialraadgiver, guldborgsund, horsens, sag, which, reason, field):
    municipality = {"same": guldborgsund, "prison": socialraadgiver.organisation, "none": None, "new": horsens}[which]
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as raised:
        change(socialraadgiver, sag, municipality, reason=reason)
    assert list(raised.value.message_dict) == [field]
    assert Client.objects.get(pk=sag.client_id).acting_municipality == guldborgsund
    assert not JournalEntry.objects.filter(case=sag).exists()
    assert AuditEntry.objects.count() == before


def test_someone_from_an_unrelated_organisation_is_refused(fremmed, guldborgsund, horsens, sag):
    with pytest.raises(PermissionDenied):
        change(fremmed, sag, horsens)
    assert Client.objects.get(pk=sag.client_id).acting_municipality == guldborgsund


def test_a_closed_case_cannot_change_it(socialraadgiver, guldborgsund, horsens, sag):
    services.case_close(actor=socialraadgiver, case=sag)
    with pytest.raises(ValidationError) as raised:
        change(socialraadgiver, sag, horsens)
    assert "municipality" in raised.value.message_dict


# -- the page ------------------------------------------------------------------------------------


def page_url(case) -> str:
    return f"/sager/{case.pk}/handlekommune/"


def test_the_page_preselects_the_suggested_municipality(client, socialraadgiver, horsens, sag):
    client.force_login(socialraadgiver)
    html = client.get(page_url(sag) + f"?kommune={horsens.pk}").content.decode()
    assert 'name="municipality"' in html and 'name="reason"' in html
    assert f'<option value="{horsens.pk}" selected>Horsens</option>' in html
    assert "forbliver som de er" in html  # requests already sent stay as they were
    assert AuditEntry.objects.filter(action="koreplan.case.viewed", case_id=sag.pk, data__page="client_municipality").exists()
    # Not a municipality (the prison): nothing is preselected.
    html = client.get(page_url(sag) + f"?kommune={socialraadgiver.organisation_id}").content.decode()
    assert '<option value="" selected>' in html.split('name="municipality"')[1].split("</select>")[0]


def test_the_case_page_links_to_it_for_those_who_may_change_it(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    assert f'href="{page_url(sag)}"' in client.get(f"/sager/{sag.pk}/").content.decode()


@pytest.mark.parametrize(
    "data, field",
    [({"municipality": "same", "reason": REASON}, "municipality"), ({"municipality": "new", "reason": ""}, "reason")],
)
def test_bad_input_on_the_page_names_the_field_and_saves_nothing(client, socialraadgiver, guldborgsund, horsens, sag, data, field):
    client.force_login(socialraadgiver)
    data = {**data, "municipality": {"same": guldborgsund, "new": horsens}[data["municipality"]].pk}
    response = client.post(page_url(sag), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert 'id="error-summary"' in response.content.decode()
    assert Client.objects.get(pk=sag.client_id).acting_municipality == guldborgsund
    assert not JournalEntry.objects.filter(case=sag).exists()


def test_changing_it_on_the_page_shows_the_new_municipality_on_the_case(client, socialraadgiver, horsens, sag):
    client.force_login(socialraadgiver)
    response = client.post(page_url(sag), {"municipality": horsens.pk, "reason": REASON})
    assert response.status_code == 302 and response["Location"] == f"/sager/{sag.pk}/#kommune"
    html = client.get(response["Location"]).content.decode()
    assert "Handlekommunen er nu Horsens." in html
    header = html.split('class="koreplan-summary"')[1].split("</dl>")[0]
    assert "Horsens" in header and "Guldborgsund" not in header
    assert REASON in html  # the journal
    assert "Skiftede handlekommune" in html.split('id="adgangslog"')[1]  # the access log names the change


def test_the_page_is_refused_to_those_who_may_not_change_it(client, fremmed, socialraadgiver, horsens, sag):
    client.force_login(fremmed)
    assert client.get(page_url(sag)).status_code == 404
    assert client.post(page_url(sag), {"municipality": horsens.pk, "reason": REASON}).status_code == 404
    services.case_close(actor=socialraadgiver, case=sag)
    client.force_login(socialraadgiver)
    assert client.get(page_url(sag)).status_code == 403
    assert f'href="{page_url(sag)}"' not in client.get(f"/sager/{sag.pk}/").content.decode()


# -- the API -------------------------------------------------------------------------------------


def api_post(client, case_id: int, body: dict):
    return client.post(
        f"/api/v1/cases/{case_id}/acting-municipality", json.dumps(body), content_type="application/json"
    )


def test_the_api_changes_it(client, socialraadgiver, horsens, sag):
    client.force_login(socialraadgiver)
    response = api_post(client, sag.pk, {"municipality_id": horsens.pk, "reason": REASON})
    assert response.status_code == 200, response.content
    assert response.json()["client"]["acting_municipality"]["name"] == "Horsens"
    assert AuditEntry.objects.filter(action="koreplan.client.municipality_changed", case_id=sag.pk).exists()


@pytest.mark.parametrize(
    "body, loc",
    [
        ({"municipality_id": "same", "reason": REASON}, ["body", "municipality_id"]),
        ({"municipality_id": "prison", "reason": REASON}, ["body", "municipality_id"]),
        ({"municipality_id": 999999, "reason": REASON}, ["body", "municipality_id"]),
        ({"municipality_id": "new", "reason": " "}, ["body", "reason"]),
        ({"municipality_id": "new"}, ["body", "reason"]),
    ],
)
def test_the_api_names_the_field_of_bad_input(client, socialraadgiver, guldborgsund, horsens, sag, body, loc):
    ids = {"same": guldborgsund.pk, "prison": socialraadgiver.organisation_id, "new": horsens.pk}
    body = {**body, "municipality_id": ids.get(body["municipality_id"], body["municipality_id"])}
    client.force_login(socialraadgiver)
    response = api_post(client, sag.pk, body)
    assert response.status_code == 422, response.content
    assert [error["loc"] for error in response.json()["detail"]] == [loc]
    assert Client.objects.get(pk=sag.client_id).acting_municipality == guldborgsund


def test_the_api_answers_404_for_a_case_the_caller_cannot_see(client, fremmed, guldborgsund, horsens, sag):
    client.force_login(fremmed)
    body = {"municipality_id": horsens.pk, "reason": REASON}
    response = api_post(client, sag.pk, body)
    assert response.status_code == 404
    assert response.json() == api_post(client, sag.pk + 1000, body).json()
    assert Client.objects.get(pk=sag.client_id).acting_municipality == guldborgsund


def test_the_api_answers_403_to_a_party_that_does_not_hold_the_case(client, kif, horsens, sag):
    from koreplan.cases.models import CaseParticipation

    # KIF, once involved, sees the case but does not hold it.
    CaseParticipation.objects.create(case=sag, organisation=kif.organisation, part=CaseParticipation.Part.KIF)
    client.force_login(kif)
    assert api_post(client, sag.pk, {"municipality_id": horsens.pk, "reason": REASON}).status_code == 403
