"""The Køreplan's release tasks link to the release page, and the work there completes
them (koreplan.cases.task_links)."""

import re
import pytest

from koreplan.cases.tests.test_task_links import links_in, row_of
from koreplan.release import services
from koreplan.release.models import Meeting

from .conftest import RELEASE, TODAY, at

pytestmark = pytest.mark.django_db


def link_of(client, case, obligation) -> str:
    task = case.tasks.get(obligation_id=obligation, completed_on__isnull=True)
    (link,) = links_in(row_of(client.get(f"/sager/{case.pk}/").content.decode(), task))
    return link


def test_kif_involved_from_the_linked_section_completes_the_task(client, socialraadgiver, kif, kif_afdeling, proeve):
    client.force_login(socialraadgiver)
    link = link_of(client, proeve, "involve_kif")
    page, anchor = link.split("#")
    html = client.get(page).content.decode()
    section = html[html.index(f'<section id="{anchor}"'):]
    section = section[:section.index("</section>")]
    (form_page,) = re.findall(r'<a href="([^"]+)" class="button button-secondary">', section)
    assert client.get(form_page).status_code == 200
    response = client.post(form_page, {"kif": kif_afdeling.pk, "officer": kif.pk, "involved_on": TODAY.isoformat()})
    assert response.status_code == 302
    task = proeve.tasks.get(obligation_id="involve_kif")
    assert task.completed_on == TODAY and task.completed_by == socialraadgiver


def test_the_appointments_on_release_day_recorded_on_the_linked_page_complete_the_task(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    link = link_of(client, sag, "municipal_appointments_on_release_day")
    assert link == f"/sager/{sag.pk}/loesladelse/#loesladelsesdagen"
    assert client.get(link.partition("#")[0]).status_code == 200
    services.meeting_create(
        actor=socialraadgiver, case=sag, kind=Meeting.Kind.RELEASE_DAY, starts_at=at(RELEASE, 10),
        ends_at=at(RELEASE, 11), purpose=Meeting.Purpose.ADVANCE_PAYMENT,
    )
    task = sag.tasks.get(obligation_id="municipal_appointments_on_release_day")
    assert task.completed_on == TODAY
    assert links_in(row_of(client.get(f"/sager/{sag.pk}/").content.decode(), task)) == []
