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
