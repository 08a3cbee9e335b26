"""Two people change the same meeting: nothing either wrote is lost.

Susanne and her colleague Kasper both open the release meeting's form. Kasper saves first.
When Susanne saves, she gets the conflict page (409): who changed the meeting and when, the
meeting as saved now, and her own input kept in the form, which now names the revision
Kasper saved — so she can merge the two and save again.
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from django.test import Client

from koreplan.audit.models import AuditEntry
from koreplan.release import services
from koreplan.release.models import Meeting, MeetingForm, Party
from koreplan.web.testing import input_value, saved_now

from .conftest import at

pytestmark = pytest.mark.django_db

ON = date(2026, 12, 10)


@pytest.fixture
def moede(socialraadgiver, sag):
    return services.meeting_create(
        actor=socialraadgiver, case=sag, kind=Meeting.Kind.RELEASE_MEETING, starts_at=at(ON, 10), ends_at=at(ON, 11),
        participants=[services.ParticipantData(Party.CLIENT, "Jens Hansen")],
    )


def url(meeting: Meeting, tail: str = "") -> str:
    return f"/sager/{meeting.case_id}/loesladelse/moeder/{meeting.pk}/{tail}"


def opened(user, meeting: Meeting, tail: str = "") -> tuple[Client, str]:
    client = Client()
    client.force_login(user)
    response = client.get(url(meeting, tail))
    assert response.status_code == 200, response
    page = response.content.decode()
    return client, re.search(r'<input type="hidden" name="revision" value="(\d+)"', page).group(1)


def edit_form(revision: str, location: str, starts: str = "10:00") -> dict[str, str]:
    return {
        "revision": revision, "on": ON.isoformat(), "starts": starts, "ends": "11:00", "form": MeetingForm.IN_PERSON,
        "location": location,
        "deltager-TOTAL_FORMS": "1", "deltager-INITIAL_FORMS": "1", "deltager-MIN_NUM_FORMS": "0",
        "deltager-MAX_NUM_FORMS": "20", "deltager-0-party": Party.CLIENT, "deltager-0-name": "Jens Hansen",
    }


def test_the_second_to_change_the_meeting_sees_the_first_change_and_keeps_her_own(socialraadgiver, kollega, moede):
    susanne, susannes_revision = opened(socialraadgiver, moede)
    kasper, kaspers_revision = opened(kollega, moede)

    assert kasper.post(url(moede), edit_form(kaspers_revision, "Mødelokale 2", starts="09:30")).status_code == 302
    response = susanne.post(url(moede), edit_form(susannes_revision, "Besøgsrummet"), HTTP_ACCEPT_LANGUAGE="da")

    assert response.status_code == 409
    page = response.content.decode()
    assert "En anden har ændret mødet, mens du redigerede det" in page
    assert "Kasper Berg gemte det" in page
    saved = saved_now(page)
    assert "Mødelokale 2" in saved and "09:30" in saved and "Jens Hansen" in saved
    # Her input is in the form, not lost, and not saved over Kasper's.
    assert input_value(page, "location") == "Besøgsrummet"
    moede.refresh_from_db()
    assert moede.location == "Mødelokale 2" and moede.revision == 2
    revision = input_value(page, "revision")
    assert revision == "2"
    again = susanne.post(url(moede), edit_form(revision, "Mødelokale 2, ved besøgsrummet", starts="09:30"))
    assert again.status_code == 302
    moede.refresh_from_db()
    assert moede.location == "Mødelokale 2, ved besøgsrummet" and moede.revision == 3 and moede.updated_by == socialraadgiver


def test_recording_as_held_after_a_change_keeps_the_minutes(socialraadgiver, kollega, moede):
    susanne, susannes_revision = opened(socialraadgiver, moede, "afholdt/")
    kasper, kaspers_revision = opened(kollega, moede)
    assert kasper.post(url(moede), edit_form(kaspers_revision, "Mødelokale 2")).status_code == 302

    minutes = "Jens flytter til sin søster; jobcentret ringer mandag."
    response = susanne.post(url(moede, "afholdt/"), {
        "revision": susannes_revision, "held_on": "2026-11-24", "minutes": minutes,
        "plan_holder_after": str(moede.case.holding_organisation_id), "municipal_follow_up": "Jobcentret følger op.",
        "follow_up_called_by": Party.MUNICIPALITY,
    }, HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 409
    page = response.content.decode()
    assert "Kasper Berg gemte det" in page and "Mødelokale 2" in saved_now(page)
    assert minutes in unescape(page)
    moede.refresh_from_db()
    assert moede.status == Meeting.Status.PLANNED and moede.minutes == ""
    assert input_value(page, "revision") == "2"


def test_cancelling_after_a_change_keeps_the_reason(socialraadgiver, kollega, moede):
    susanne = Client()
    susanne.force_login(socialraadgiver)
    kasper, kaspers_revision = opened(kollega, moede)
    assert kasper.post(url(moede), edit_form(kaspers_revision, "Mødelokale 2")).status_code == 302

    reason = "Jens er overført til en anden institution."
    response = susanne.post(url(moede, "aflys/"), {"revision": "1", "cancelled_reason": reason}, HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 409
    page = response.content.decode()
    assert "Kasper Berg gemte det" in page and "Mødelokale 2" in saved_now(page)
    assert reason in unescape(page)
    moede.refresh_from_db()
    assert moede.status == Meeting.Status.PLANNED
    revision = input_value(page, "revision")
    assert susanne.post(url(moede, "aflys/"), {"revision": revision, "cancelled_reason": reason}).status_code == 302
    moede.refresh_from_db()
    assert moede.status == Meeting.Status.CANCELLED and moede.cancelled_reason == reason


def test_the_meeting_conflict_marks_what_differs(socialraadgiver, kollega, moede):
    susanne, susannes_revision = opened(socialraadgiver, moede)
    kasper, kaspers_revision = opened(kollega, moede)
    assert kasper.post(url(moede), edit_form(kaspers_revision, "Mødelokale 2", starts="09:30")).status_code == 302
    page = susanne.post(url(moede), {**edit_form(susannes_revision, "Mødelokale 2"),
                                     "deltager-0-role": "Klient"}, HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "2 oplysninger er forskellige fra det, du forsøgte at gemme" in unescape(page)
    saved = saved_now(page)
    marked = re.findall(r"<dt>([^<]*) <span class=\"badge badge-warning conflict-differs\">", saved)
    assert marked == ["Fra", "Jens Hansen – Klienten"], marked
    assert "Du skrev: 10:00" in saved and "Du skrev: Klient" in saved


def held_form(revision: str, minutes: str) -> dict[str, str]:
    return {
        "revision": revision, "held_on": "2026-11-24", "minutes": minutes,
        "municipal_follow_up": "Jobcentret følger op.", "follow_up_called_by": Party.MUNICIPALITY,
    }


def test_a_change_to_a_meeting_someone_has_since_held_shows_who_and_keeps_her_input(socialraadgiver, kollega, moede):
    susanne, susannes_revision = opened(socialraadgiver, moede)
    kasper, kaspers_revision = opened(kollega, moede, "afholdt/")
    held = held_form(kaspers_revision, "Aftalt: Jens bor hos sin søster.")
    held["plan_holder_after"] = str(moede.case.holding_organisation_id)
    assert kasper.post(url(moede, "afholdt/"), held).status_code == 302

    response = susanne.post(url(moede), edit_form(susannes_revision, "Besøgsrummet, husk tolk"), HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 409
    page = unescape(response.content.decode())
    assert "Mødet kan ikke længere ændres" in page
    assert "Kasper Berg registrerede mødet som afholdt" in page
    assert "Holdt" in saved_now(page) and "Aftalt: Jens bor hos sin søster." in saved_now(page)
    # Her input is shown read-only, not in a form that could not be saved.
    assert "Besøgsrummet, husk tolk" in page and 'name="location"' not in page
    assert f'href="/sager/{moede.case_id}/"' in page
    moede.refresh_from_db()
    assert moede.status == Meeting.Status.HELD and moede.location == ""
    read = AuditEntry.objects.filter(action="koreplan.release.viewed").order_by("id").last()
    assert read.actor == socialraadgiver and read.case_id == moede.case_id and read.data["page"] == "meeting_closed"


def test_recording_a_meeting_someone_has_since_held_sets_the_two_records_side_by_side(socialraadgiver, kollega, moede):
    susanne, susannes_revision = opened(socialraadgiver, moede, "afholdt/")
    kasper, kaspers_revision = opened(kollega, moede, "afholdt/")
    holder = str(moede.case.holding_organisation_id)
    assert kasper.post(url(moede, "afholdt/"), {
        **held_form(kaspers_revision, "Kaspers referat."), "plan_holder_after": holder,
    }).status_code == 302

    minutes = "Susannes referat: Jens flytter til sin søster."
    response = susanne.post(url(moede, "afholdt/"), {**held_form(susannes_revision, minutes), "plan_holder_after": holder},
                            HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 409
    page = unescape(response.content.decode())
    assert "Kasper Berg registrerede mødet som afholdt" in page
    assert "1 oplysning er forskellig fra det, du forsøgte at gemme" in page
    saved = saved_now(page)
    assert "Kaspers referat." in saved and f"Du skrev: {minutes}" in saved
    assert "<textarea" not in page
    moede.refresh_from_db()
    assert moede.minutes == "Kaspers referat."


def test_cancelling_a_meeting_someone_has_since_cancelled_keeps_the_reason(socialraadgiver, kollega, moede):
    susanne, susannes_revision = opened(socialraadgiver, moede)
    services.meeting_cancel(actor=kollega, meeting=moede, reason="Jens er overført.", revision=1)

    reason = "Jens er løsladt tidligere end ventet."
    response = susanne.post(url(moede, "aflys/"), {"revision": susannes_revision, "cancelled_reason": reason}, HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 409
    page = unescape(response.content.decode())
    assert "Kasper Berg aflyste mødet" in page and "Jens er overført." in saved_now(page)
    assert reason in page and "<textarea" not in page
    moede.refresh_from_db()
    assert moede.cancelled_reason == "Jens er overført."
