"""One case at Susanne's prison with an object of every kind that a URL takes the id of,
built through the services as the application builds them (the factories of the apps'
own tests): a plan with a version and areas, a consent, a notice sent to Guldborgsund's
entrance (with its disclosure and notifications), KIF involved, a release meeting with an
agreement, and a hand-over to KIF at parole that is waiting for Karen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from koreplan.cases import services as case_services
from koreplan.cases.models import Case, Handover
from koreplan.cases.tests.factories import open_case
from koreplan.consent import services as consent_services
from koreplan.consent.tests.factories import a_pdf, give_consent
from koreplan.coordination import services as coordination_services
from koreplan.coordination.letters import RequestInput
from koreplan.notifications.models import Notification
from koreplan.organisations.models import Entrance
from koreplan.plans.tests.factories import written_plan
from koreplan.release import services as release_services
from koreplan.release.models import Meeting, Party

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
TODAY = date(2026, 11, 24)
#: The client's surname: a page of a persona without a part in the case must never show it.
SURNAME = "Sikkerhedsen"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=COPENHAGEN), tick=False):
        yield


@dataclass
class World:
    case: Case
    cpr: str
    ids: dict[str, object]


@pytest.fixture
def world(settings, tmp_path, socialraadgiver, kollega, fremmed, kif, kif_afdeling, kommune, sagsbehandler, anden_kommune, leder, admin,
          guldborgsund) -> World:
    client = case_services.client_create(
        actor=socialraadgiver, cpr="0105904321", first_name="Jens", last_name=SURNAME, acting_municipality=guldborgsund,
    )
    case = open_case(
        actor=socialraadgiver, municipality=guldborgsund, client=client, sentence="P1Y6M", intake_on=date(2025, 8, 1),
        release_on=date(2027, 2, 1), expected_parole_on=date(2027, 1, 1),
    )
    version = written_plan(actor=socialraadgiver, case=case, held_on=date(2025, 8, 5))
    consent = give_consent(
        actor=socialraadgiver, case=case, categories=["sentence", "housing", "education_employment"],
        recipient=guldborgsund, purposes=["intake_notice", "coordination"], given_on=date(2026, 11, 1),
    )
    settings.MEDIA_ROOT = str(tmp_path / "media")
    consent_services.consent_signed_copy_attach(actor=socialraadgiver, case=case, consent=consent, upload=a_pdf())
    Entrance.objects.create(municipality=guldborgsund, department=kommune.department, contact_person="Mette Dahl")
    inp = RequestInput(kind="intake_notice", municipality=guldborgsund, message="Indsat.")
    draft = coordination_services.request_preview(actor=socialraadgiver, case=case, inp=inp)
    notice = coordination_services.request_send(actor=socialraadgiver, case=case, inp=inp, digest=draft.digest)
    release_services.kif_involve(actor=socialraadgiver, case=case, kif=kif_afdeling, officer=kif)
    meeting = release_services.meeting_create(
        actor=socialraadgiver, case=case, kind=Meeting.Kind.RELEASE_MEETING,
        starts_at=datetime(2026, 12, 1, 10, tzinfo=COPENHAGEN), ends_at=datetime(2026, 12, 1, 11, tzinfo=COPENHAGEN),
        participants=[release_services.ParticipantData(Party.CLIENT, f"Jens {SURNAME}")],
    )
    agreement = release_services.agreement_add(
        actor=socialraadgiver, item=meeting.agenda_items.first(), who="Susanne", what="Ringer til boligkontoret",
    )
    handover = case_services.handover_request(
        actor=socialraadgiver, case=case, kind=Handover.Kind.KIF_AT_PAROLE, to_organisation=kif_afdeling, to_user=kif,
    )
    notification = Notification.objects.filter(recipient=socialraadgiver).first() or Notification.objects.filter(
        recipient=kommune
    ).first()
    area = version.content["areas"][0]["key"]
    case.refresh_from_db()
    return World(case=case, cpr=client.cpr, ids={
        "case_id": case.pk,
        "client_id": case.client_id,
        "task_id": case.tasks.filter(completed_on__isnull=True).first().pk,
        "handover_id": handover.pk,
        "consent_id": consent.pk,
        "disclosure_id": notice.disclosure_id,
        "request_id": notice.pk,
        "notification_id": notification.pk,
        "notification_owner": notification.recipient.username,
        "meeting_id": meeting.pk,
        "agreement_id": agreement.pk,
        "number": version.number,
        "key": area,
        "code": guldborgsund.code,
    })
