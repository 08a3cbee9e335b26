"""The Køreplan's tasks to write to the municipality link to the letter that completes
them (koreplan.cases.task_links)."""

from datetime import timedelta

import pytest
from django.urls import resolve
from django.utils import timezone

from koreplan.cases.task_links import PLACES, TaskLinks
from koreplan.cases.views import _may_complete
from koreplan.cases.tests.factories import open_case
from koreplan.cases.tests.test_task_links import links_in, row_of
from koreplan.coordination import services
from koreplan.coordination.letters import RequestInput, obligation_of
from koreplan.coordination.views import KIND_BY_SLUG
from koreplan.release.services import kif_involve

pytestmark = pytest.mark.django_db


def test_the_notice_sent_from_the_linked_page_completes_the_task(client, sag, samtykke, indgang, socialraadgiver, guldborgsund):
    task = sag.tasks.get(obligation_id="notify_municipality_of_intake")
    client.force_login(socialraadgiver)
    (link,) = links_in(row_of(client.get(f"/sager/{sag.pk}/").content.decode(), task))
    assert client.get(link).status_code == 200
    kind = KIND_BY_SLUG[resolve(link).kwargs["kind_slug"]]
    inp = RequestInput(kind=kind, municipality=guldborgsund, message="Stop ydelserne.")
    draft = services.request_preview(actor=socialraadgiver, case=sag, inp=inp)
    services.request_send(actor=socialraadgiver, case=sag, inp=inp, digest=draft.digest)
    task.refresh_from_db()
    assert task.completed_on is not None and task.completed_by == socialraadgiver
    assert links_in(row_of(client.get(f"/sager/{sag.pk}/").content.decode(), task)) == []


def test_a_letter_is_offered_only_to_the_sender_whose_letter_completes_that_task(
    socialraadgiver, kif, kif_afdeling, guldborgsund
):
    """A request for coordination from the prison completes the prison's task, from KIF
    KIF's (letters.obligation_of): each is offered only the letter that completes its own."""
    case = open_case(
        actor=socialraadgiver, municipality=guldborgsund, expected_parole_on=timezone.localdate() + timedelta(days=30)
    )
    kif_involve(actor=socialraadgiver, case=case, kif=kif_afdeling, officer=kif)
    offered = set()
    for user in (socialraadgiver, kif):
        links = TaskLinks(user)
        for task in case.tasks.filter(completed_on__isnull=True, obligation_id__in=list(PLACES)):
            link = links.for_task(task, case) if _may_complete(user, task, case) else None  # as the rows ask
            if link is None or PLACES[task.obligation_id].url_name != "coordination:request_new":
                continue
            offered.add((user.username, task.obligation_id))
            kind = KIND_BY_SLUG[resolve(link.url).kwargs["kind_slug"]]
            assert obligation_of(kind, user.organisation) == task.obligation_id, (user, task.obligation_id)
    assert offered == {
        (socialraadgiver.username, "notify_municipality_of_intake"), (socialraadgiver.username, "obtain_case_files"),
        (socialraadgiver.username, "municipality_coordination"), (kif.username, "kif_municipality_coordination"),
    }
