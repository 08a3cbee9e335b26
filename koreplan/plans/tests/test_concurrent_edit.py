"""Two people edit the same section of the same plan version: nothing either wrote is lost.

Susanne and her colleague Kasper both open section 3 (the causes of crime). Kasper saves
first. When Susanne saves, she gets the conflict page: Kasper's text as saved now, and her
own text kept in the form, which now names the revision Kasper saved — so she can merge the
two and save again, and only then is Kasper's text replaced.
"""

from __future__ import annotations

import re
import threading
from html import unescape

import pytest
from django.db import connection
from django.test import Client

from koreplan.cases.tests.factories import open_case
from koreplan.plans.models import PlanVersion
from koreplan.plans.tests.factories import start_plan

KASPER = "Kasper: gælden til Skat er drivkraften bag berigelseskriminaliteten."
SUSANNE = "Susanne: kriminaliteten begyndte, da han mistede sit arbejde."


@pytest.fixture
def version(socialraadgiver, kollega, guldborgsund):
    case = open_case(actor=socialraadgiver, municipality=guldborgsund)
    return start_plan(actor=socialraadgiver, case=case)[1]


def url(version: PlanVersion) -> str:
    return f"/sager/{version.plan.case_id}/handleplan/rediger/aarsager/"


def opened(user, version) -> tuple[Client, dict[str, str]]:
    """A browser of ``user`` that has the section's edit form open; the form's fields."""
    client = Client()
    client.force_login(user)
    page = client.get(url(version)).content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="(version|revision)" value="(\d+)"', page))
    assert set(hidden) == {"version", "revision"}, page
    return client, {**hidden, "causes": "", "stance": "", "note": ""}


def textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    assert match, f"no textarea {name}"
    return unescape(match.group(1)).lstrip("\n")


def field_value(page: str, name: str) -> str:
    """A text field's value as the page renders it, a textarea or an input."""
    match = re.search(rf'<input type="text" name="{name}" value="([^"]*)"', page)
    return unescape(match.group(1)) if match else textarea(page, name)


def saved_now(page: str) -> str:
    match = re.search(r'<section class="conflict-saved".*?</section>', page, re.DOTALL)
    assert match, "the page shows no saved text beside the form"
    return unescape(match.group(0))


def causes(version: PlanVersion) -> str:
    version.refresh_from_db()
    return version.content_value().causes


@pytest.mark.django_db
def test_the_second_to_save_sees_both_texts_and_saves_the_merge(socialraadgiver, kollega, version):
    susanne, susannes_form = opened(socialraadgiver, version)
    kasper, kaspers_form = opened(kollega, version)

    assert kasper.post(url(version), {**kaspers_form, "causes": KASPER}).status_code == 302
    response = susanne.post(url(version), {**susannes_form, "causes": SUSANNE})

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this section while you were writing" in page or (
        "En anden har gemt dette afsnit, mens du skrev" in page
    )
    assert KASPER in saved_now(page) and "Kasper Berg" in page
    # Her text is in the form, not lost, and not saved over Kasper's.
    assert textarea(page, "causes") == SUSANNE
    assert causes(version) == KASPER
    # The form now names the revision Kasper saved: saving the merge is accepted.
    revision = re.search(r'<input type="hidden" name="revision" value="(\d+)"', page).group(1)
    assert int(revision) == PlanVersion.objects.get(pk=version.pk).revision
    merged = f"{KASPER}\n{SUSANNE}"
    again = susanne.post(url(version), {**susannes_form, "revision": revision, "causes": merged})
    assert again.status_code == 302
    assert causes(version) == merged


@pytest.mark.django_db
def test_the_conflict_page_is_danish(socialraadgiver, kollega, version):
    susanne, susannes_form = opened(socialraadgiver, version)
    kasper, kaspers_form = opened(kollega, version)
    kasper.post(url(version), {**kaspers_form, "causes": KASPER})
    page = susanne.post(url(version), {**susannes_form, "causes": SUSANNE}, HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "En anden har gemt dette afsnit, mens du skrev" in page
    assert "Gemt nu" in page and "Det, du forsøgte at gemme" in page


@pytest.mark.django_db
def test_htmx_gets_the_conflict_in_the_form_partial(socialraadgiver, kollega, version):
    susanne, susannes_form = opened(socialraadgiver, version)
    kasper, kaspers_form = opened(kollega, version)
    kasper.post(url(version), {**kaspers_form, "causes": KASPER})
    response = susanne.post(url(version), {**susannes_form, "causes": SUSANNE}, HTTP_HX_REQUEST="true")
    # htmx swaps only a 2xx answer; the partial alone, with both texts.
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page and KASPER in saved_now(page) and textarea(page, "causes") == SUSANNE


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two writing transactions at once need PostgreSQL")
def test_two_saves_at_the_same_moment_lose_nothing(socialraadgiver, kollega, version):
    """Two real transactions at once: the plan's row lock lets one in; the other is told."""
    susanne, susannes_form = opened(socialraadgiver, version)
    kasper, kaspers_form = opened(kollega, version)
    start = threading.Barrier(2)
    answers: dict[str, object] = {}

    def save(name, client, form, text):
        try:
            start.wait()
            answers[name] = client.post(url(version), {**form, "causes": text})
        finally:
            connection.close()  # each thread has its own connection

    threads = [
        threading.Thread(target=save, args=("susanne", susanne, susannes_form, SUSANNE)),
        threading.Thread(target=save, args=("kasper", kasper, kaspers_form, KASPER)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = sorted(answer.status_code for answer in answers.values())
    assert statuses == [302, 409]
    winner = next(name for name, answer in answers.items() if answer.status_code == 302)
    loser = "kasper" if winner == "susanne" else "susanne"
    texts = {"susanne": SUSANNE, "kasper": KASPER}
    assert causes(version) == texts[winner]
    page = answers[loser].content.decode()
    assert texts[winner] in saved_now(page) and textarea(page, "causes") == texts[loser]


# -- the description of a life area, and an area of effort: the same, with their formsets ----------


def form_of(client, path) -> dict[str, list[str]]:
    """What the page's form sends if nothing is changed (its hidden revision included)."""
    from tests.journeys.conftest import Page

    response = client.get(path)
    assert response.status_code == 200, path
    return Page(response, path).form(having="revision").defaults()


@pytest.fixture
def written(socialraadgiver, kollega, guldborgsund):
    from datetime import date

    from koreplan.plans.tests.factories import written_plan

    case = open_case(actor=socialraadgiver, municipality=guldborgsund)
    return written_plan(actor=socialraadgiver, case=case, held_on=date.today())


@pytest.mark.parametrize("what", ["description", "area"])
@pytest.mark.django_db
def test_a_formset_section_keeps_both_texts_too(socialraadgiver, kollega, written, what):
    base = f"/sager/{written.plan.case_id}/handleplan/"
    if what == "description":
        path, field = base + "rediger/beskrivelse/bolig/", "entries-0-text"
    else:
        path, field = base + f"indsatsomraade/{written.content_value().areas[0].key}/", "goal"
    susanne, kasper = Client(), Client()
    susanne.force_login(socialraadgiver)
    kasper.force_login(kollega)
    susannes, kaspers = form_of(susanne, path), form_of(kasper, path)
    extra = {"change_justification": "Aftalt med klienten.", "discussed_with_client": "on"} if what == "area" else {}

    assert kasper.post(path, {**kaspers, **extra, field: KASPER}).status_code == 302
    response = susanne.post(path, {**susannes, **extra, field: SUSANNE})

    assert response.status_code == 409
    page = response.content.decode()
    assert KASPER in saved_now(page) and SUSANNE not in saved_now(page)
    assert field_value(page, field) == SUSANNE  # kept in the form
    revision = re.search(r'<input type="hidden" name="revision" value="(\d+)"', page).group(1)
    merged = f"{KASPER} {SUSANNE}"
    assert susanne.post(path, {**susannes, **extra, "revision": revision, field: merged}).status_code == 302
    version = PlanVersion.objects.get(pk=written.pk)
    content = version.content_value()
    saved = content.description[0].text if what == "description" else content.areas[0].goal
    assert saved == merged


def marked(page: str) -> list[str]:
    """The labels of the lines saved now that the page marks as differing from hers."""
    return re.findall(r'<dt>([^<]*) <span class="badge badge-warning conflict-differs">', saved_now(page))


@pytest.mark.django_db
def test_the_conflict_page_marks_the_text_that_differs(socialraadgiver, kollega, version):
    susanne, susannes_form = opened(socialraadgiver, version)
    kasper, kaspers_form = opened(kollega, version)
    kasper.post(url(version), {**kaspers_form, "causes": KASPER, "note": "Samme note."})
    page = susanne.post(url(version), {**susannes_form, "causes": SUSANNE, "note": "Samme note."},
                        HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "1 oplysning er forskellig fra det, du forsøgte at gemme" in unescape(page)
    assert len(marked(page)) == 1 and f"Du skrev: {SUSANNE}" in saved_now(page)


def partners_url(version: PlanVersion) -> str:
    return f"/sager/{version.plan.case_id}/handleplan/rediger/samarbejdspartnere/"


def partner(hidden: dict[str, str], phone: str) -> dict[str, str]:
    return {
        **hidden, "partners-TOTAL_FORMS": "1", "partners-INITIAL_FORMS": "0", "partners-MIN_NUM_FORMS": "0",
        "partners-MAX_NUM_FORMS": "1000", "partners-0-name": "Mette Dahl", "partners-0-organisation": "Jobcentret",
        "partners-0-phone": phone,
    }


@pytest.mark.django_db
def test_the_partners_conflict_marks_the_partner_line_that_differs(socialraadgiver, kollega, version):
    def open_partners(user):
        client = Client()
        client.force_login(user)
        page = client.get(partners_url(version)).content.decode()
        return client, dict(re.findall(r'<input type="hidden" name="(version|revision)" value="(\d+)"', page))

    susanne, susannes = open_partners(socialraadgiver)
    kasper, kaspers = open_partners(kollega)
    assert kasper.post(partners_url(version), partner(kaspers, "11 11 11 11")).status_code == 302
    response = susanne.post(partners_url(version), partner(susannes, "22 22 22 22"), HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 409
    page = response.content.decode()
    assert marked(page) == ["Telefon"]
    assert "Du skrev: 22 22 22 22" in saved_now(page)
