"""Two people edit the facts of the same case: nothing either wrote is lost.

Susanne and her colleague Kasper both open "Edit the facts". Kasper saves first. When
Susanne saves, she gets the conflict page (409): who saved and when, the facts as saved now,
and her own input kept in the form, which now names the revision Kasper saved — so she can
merge the two and save again, and only then are Kasper's facts replaced.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from koreplan.cases.models import Case
from koreplan.cases.tests.factories import open_case
from koreplan.web.testing import input_value, saved_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def sag(socialraadgiver, guldborgsund):
    return open_case(actor=socialraadgiver, municipality=guldborgsund)


def url(case: Case) -> str:
    return f"/sager/{case.pk}/oplysninger/"


def opened(user, case: Case) -> tuple[Client, dict[str, str]]:
    """A browser of ``user`` with the facts form open; the form as it would post it unchanged."""
    client = Client()
    client.force_login(user)
    page = client.get(url(case)).content.decode()
    revision = re.search(r'<input type="hidden" name="revision" value="(\d+)"', page).group(1)
    return client, {
        "revision": revision, "case_type": case.case_type, "sentence_years": "2",
        "intake_on": case.intake_on.isoformat(), "release_on": case.release_on.isoformat(),
    }


def test_the_second_to_save_sees_who_saved_what_and_keeps_her_input(socialraadgiver, kollega, sag):
    susanne, susannes_form = opened(socialraadgiver, sag)
    kasper, kaspers_form = opened(kollega, sag)

    assert kasper.post(url(sag), {**kaspers_form, "expected_parole_on": "2027-06-01"}).status_code == 302
    response = susanne.post(url(sag), {**susannes_form, "sentence_years": "3"}, HTTP_ACCEPT_LANGUAGE="da")

    assert response.status_code == 409
    page = response.content.decode()
    assert "En anden har gemt oplysningerne, mens du redigerede dem" in page
    assert "Kasper Berg gemte det" in page
    assert "Gemt nu" in page and "Det, du forsøgte at gemme" in page
    saved = saved_now(page)
    assert "Forventet prøveløsladelse" in saved and "01.06.2027" in saved.replace("1.6.2027", "01.06.2027")
    # Her input is in the form, not lost, and not saved over Kasper's.
    assert input_value(page, "sentence_years") == "3"
    sag.refresh_from_db()
    assert sag.sentence == "P2Y" and sag.expected_parole_on.isoformat() == "2027-06-01"
    # The form now names the revision Kasper saved: saving the merge is accepted.
    revision = input_value(page, "revision")
    assert int(revision) == sag.revision == 2
    again = susanne.post(url(sag), {**susannes_form, "revision": revision, "sentence_years": "3",
                                    "expected_parole_on": "2027-06-01"})
    assert again.status_code == 302
    sag.refresh_from_db()
    assert sag.sentence == "P3Y" and sag.expected_parole_on.isoformat() == "2027-06-01" and sag.revision == 3
    assert sag.revised_by == socialraadgiver


def test_a_second_stale_save_is_refused_again(socialraadgiver, kollega, sag):
    """The new revision is no blank cheque: a third save in between is a conflict again."""
    susanne, susannes_form = opened(socialraadgiver, sag)
    kasper, kaspers_form = opened(kollega, sag)
    kasper.post(url(sag), {**kaspers_form, "housing_secured": "True"})
    page = susanne.post(url(sag), {**susannes_form, "sentence_years": "3"}).content.decode()
    kasper.post(url(sag), {**kaspers_form, "revision": "2", "housing_secured": "False"})
    response = susanne.post(url(sag), {**susannes_form, "revision": input_value(page, "revision"), "sentence_years": "3"})
    assert response.status_code == 409
    sag.refresh_from_db()
    assert sag.housing_secured is False and sag.sentence == "P2Y"


def test_htmx_gets_the_conflict_with_status_200(socialraadgiver, kollega, sag):
    susanne, susannes_form = opened(socialraadgiver, sag)
    kasper, kaspers_form = opened(kollega, sag)
    kasper.post(url(sag), {**kaspers_form, "housing_secured": "True"})
    response = susanne.post(url(sag), {**susannes_form, "sentence_years": "3"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Kasper Berg" in saved_now(response.content.decode()) or "Kasper Berg" in response.content.decode()


def test_the_conflict_page_marks_the_facts_that_differ_from_hers(socialraadgiver, kollega, sag):
    """17 facts are listed; only the two that are not as she wrote them are marked, in words."""
    susanne, susannes_form = opened(socialraadgiver, sag)
    kasper, kaspers_form = opened(kollega, sag)
    assert kasper.post(url(sag), {**kaspers_form, "expected_parole_on": "2027-06-01"}).status_code == 302
    page = susanne.post(url(sag), {**susannes_form, "sentence_years": "3"}, HTTP_ACCEPT_LANGUAGE="da").content.decode()

    assert "2 oplysninger er forskellige fra det, du forsøgte at gemme" in unescape(page)
    saved = saved_now(page)
    assert saved.count("Afviger fra din udgave") == 2
    marked = re.findall(r"<dt>([^<]*) <span class=\"badge badge-warning conflict-differs\">", saved)
    assert marked == ["Straf i år", "Forventet prøveløsladelse"], marked
    assert "Du skrev: 3" in saved


def test_the_conflict_page_says_when_nothing_differs(socialraadgiver, kollega, sag):
    susanne, susannes_form = opened(socialraadgiver, sag)
    kasper, kaspers_form = opened(kollega, sag)
    kasper.post(url(sag), {**kaspers_form, "sentence_years": "3"})
    page = susanne.post(url(sag), {**susannes_form, "sentence_years": "3"}, HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Det gemte er det samme som det, du forsøgte at gemme." in unescape(page)
    assert "Afviger fra din udgave" not in page
