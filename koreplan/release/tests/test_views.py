"""The release pages: the happy paths, htmx partials, and who gets 404 or 403.

Susanne and Kasper (the holding prison) and the administrator see and write; Frede
(another prison), the municipality's entrance and caseworker and another municipality get
404 on every page; Karen at KIF gets 404 until KIF is involved, then sees the case and
keeps the readiness list, but the meetings stay the prison's (403).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from koreplan.audit.models import AuditEntry
from koreplan.domain.release import Level, ReadinessItem
from koreplan.release import selectors, services
from koreplan.release.models import Meeting, Party, ReleaseOutcome
from koreplan.release.templatetags.release_tags import worklist_badge

from .conftest import RELEASE, TODAY, at

pytestmark = pytest.mark.django_db

NOBODY = ("fremmed", "kommune", "sagsbehandler", "anden_kommune")


def base(case) -> str:
    return f"/sager/{case.pk}/loesladelse/"


@pytest.fixture
def moede(socialraadgiver, sag):
    return services.meeting_create(
        actor=socialraadgiver, case=sag, kind=Meeting.Kind.RELEASE_MEETING, starts_at=at(TODAY, 8), ends_at=at(TODAY, 9),
        participants=[services.ParticipantData(Party.CLIENT, "Jens Hansen")],
    )


def every_url(case, meeting) -> list[tuple[str, str, dict]]:
    agreement = services.agreement_add(
        actor=case.plan_responsible, item=meeting.agenda_items.first(), who="Susanne", what="Ringer til kommunen"
    )
    m = f"{base(case)}moeder/{meeting.pk}/"
    return [
        ("get", base(case), {}),
        ("post", f"{base(case)}parathed/housing/", {"r-housing-status": "in_place"}),
        ("get", f"{base(case)}moeder/ny/loesladelsesmoede/", {}),
        ("post", f"{base(case)}moeder/ny/loesladelsesdagen/", {}),
        ("get", m, {}),
        ("post", m, {}),
        ("get", m + "afholdt/", {}),
        ("post", m + "afholdt/", {"held_on": TODAY.isoformat()}),
        ("post", m + "aflys/", {"cancelled_reason": "x"}),
        ("get", m + "invitation.ics", {}),
        ("post", m + "aftaler/", {"who": "x", "what": "y"}),
        ("post", m + f"aftaler/{agreement.pk}/slet/", {}),
        ("post", m + "dagsorden/", {}),
        ("get", f"{base(case)}udfald/ved-loesladelsen/", {}),
        ("post", f"{base(case)}udfald/efter-fire-uger/", {"housing": "own"}),
        ("get", f"{base(case)}kif/", {}),
        ("post", f"{base(case)}kif/", {}),
    ]


def test_nobody_without_a_part_gets_anything(client, request, sag, moede):
    urls = every_url(sag, moede)
    for persona in (*NOBODY, "kif"):
        client.force_login(request.getfixturevalue(persona))
        for method, url, data in urls:
            response = getattr(client, method)(url, data)
            assert response.status_code == 404, (persona, method, url, response.status_code)
    assert Meeting.objects.get(pk=moede.pk).status == Meeting.Status.PLANNED
    assert not sag.readiness_items.exists()


def test_the_release_page_shows_the_signal_and_is_audited(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    response = client.get(base(sag))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Risiko for løsladelse til gaden – mangler: bolig, indkomst" in html
    assert 'id="parathed-housing"' in html and 'id="loesladelsesmoede"' in html
    entry = AuditEntry.objects.filter(action="koreplan.release.viewed").order_by("id").last()
    assert entry.case_id == sag.pk and entry.actor == socialraadgiver


def test_a_colleague_and_the_administrator_see_it_too(client, kollega, admin, sag):
    for person in (kollega, admin):
        client.force_login(person)
        assert client.get(base(sag)).status_code == 200


def test_a_readiness_item_saved_with_htmx_returns_only_the_list_and_the_signal(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    response = client.post(
        f"{base(sag)}parathed/housing/",
        {"r-housing-status": "in_place", "r-housing-responsible_organisation": sag.client.acting_municipality.pk,
         "r-housing-note": "Lejlighed på Østergade"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "<h1" not in html
    assert html.lstrip().startswith('<div id="readiness">')
    assert 'id="release-signal"' in html and 'hx-swap-oob="outerHTML"' in html
    assert "Lejlighed på Østergade" in html
    assert "Risiko for løsladelse til gaden – mangler: indkomst" in html
    assert sag.readiness_items.get(item="housing").status == "in_place"


def test_a_readiness_item_without_javascript_redirects(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    response = client.post(f"{base(sag)}parathed/income/", {"r-income-status": "in_progress", "r-income-checks": ["advance_payment"]})
    assert response.status_code == 302 and response["Location"].endswith("#parathed-income")
    assert sag.readiness_items.get(item="income").checks == {"availability_assessment": False, "advance_payment": True}


def test_a_refused_readiness_status_shows_the_error_in_the_partial(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    response = client.post(f"{base(sag)}parathed/housing/", {"r-housing-status": "not_needed"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "form-error-message" in response.content.decode()
    assert not sag.readiness_items.exists()


def test_planning_a_release_meeting_with_its_participants(client, socialraadgiver, sag, misbrugscenter):
    client.force_login(socialraadgiver)
    form = client.get(f"{base(sag)}moeder/ny/loesladelsesmoede/")
    assert form.status_code == 200
    assert "Jens Hansen" in form.content.decode()  # the client is invited by default
    day = (TODAY + timedelta(days=3)).isoformat()
    response = client.post(f"{base(sag)}moeder/ny/loesladelsesmoede/", {
        "on": day, "starts": "13:00", "ends": "14:30", "form": "video", "location": "https://video.example.dk/42",
        "deltager-TOTAL_FORMS": "3", "deltager-INITIAL_FORMS": "0",
        "deltager-0-party": "client", "deltager-0-name": "Jens Hansen",
        "deltager-1-party": "addiction_centre", "deltager-1-name": "Lis Rask", "deltager-1-department": misbrugscenter.pk,
        "deltager-1-email": "lis@guldborgsund.dk",
        "deltager-2-party": "municipality", "deltager-2-name": "",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = sag.release_meetings.get()
    assert [p.name for p in meeting.participants.all()] == ["Jens Hansen", "Lis Rask"]
    assert meeting.participants.get(name="Lis Rask").organisation == sag.client.acting_municipality
    assert meeting.form == "video" and meeting.agenda_items.count() == 8


def test_a_participant_s_bad_e_mail_is_summed_up_at_the_top_linking_to_the_field(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    day = (TODAY + timedelta(days=3)).isoformat()
    response = client.post(f"{base(sag)}moeder/ny/loesladelsesmoede/", {
        "on": day, "starts": "13:00", "ends": "14:30", "form": "in_person", "location": "Mødelokale 2",
        "deltager-TOTAL_FORMS": "2", "deltager-INITIAL_FORMS": "0",
        "deltager-0-party": "client", "deltager-0-name": "Jens Hansen",
        "deltager-1-party": "municipality", "deltager-1-name": "Lis Rask", "deltager-1-email": "lis.guldborgsund.dk",
    })
    assert response.status_code == 200
    html = response.content.decode()
    summary = html[html.index('id="error-summary"'):]
    summary = summary[: summary.index("</ul>")]
    assert 'href="#id_deltager-1-email"' in summary and "E-mail (2): Indtast en gyldig e-mail-adresse." in summary
    assert 'value="lis.guldborgsund.dk"' in html
    assert not sag.release_meetings.exists()


def test_recording_the_meeting_as_held_completes_the_task(client, socialraadgiver, sag, moede):
    client.force_login(socialraadgiver)
    assert client.get(f"{base(sag)}moeder/{moede.pk}/afholdt/").status_code == 200
    response = client.post(f"{base(sag)}moeder/{moede.pk}/afholdt/", {
        "revision": moede.revision, "held_on": TODAY.isoformat(),
        "attended": [str(p.pk) for p in moede.participants.all()],
        "plan_holder_after": sag.holding_organisation.pk, "municipal_follow_up": "Jobcentret følger op hver 14. dag.",
        "follow_up_called_by": "municipality", "follow_up_called_by_name": "Jonas Krog",
    })
    assert response.status_code == 302
    assert sag.tasks.get(obligation_id="release_meeting").completed_on == TODAY


def test_a_release_meeting_held_without_the_agreements_shows_the_errors(client, socialraadgiver, sag, moede):
    client.force_login(socialraadgiver)
    response = client.post(f"{base(sag)}moeder/{moede.pk}/afholdt/", {"held_on": TODAY.isoformat()})
    assert response.status_code == 200
    assert 'id="error-summary"' in response.content.decode()
    assert sag.tasks.get(obligation_id="release_meeting").completed_on is None


def test_the_invitation_downloads_as_a_calendar_file_and_is_audited(client, socialraadgiver, sag, moede):
    client.force_login(socialraadgiver)
    response = client.get(f"{base(sag)}moeder/{moede.pk}/invitation.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar") and "method=REQUEST" in response["Content-Type"]
    assert response["Content-Disposition"] == f'attachment; filename="loesladelsesmoede-{moede.pk}.ics"'
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and f"UID:{moede.uid}@koreplan" in body
    assert AuditEntry.objects.filter(action="koreplan.release.invitation_downloaded", case_id=sag.pk).exists()


def test_an_agreement_added_with_htmx_returns_only_the_meeting(client, socialraadgiver, sag, moede):
    client.force_login(socialraadgiver)
    item = moede.agenda_items.get(life_area="housing")
    response = client.post(
        f"{base(sag)}moeder/{moede.pk}/aftaler/",
        {"item": item.pk, "who": "Jonas Krog", "what": "Boligstøtte søges", "when": "1. december"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<div id="release-meeting">') and "Boligstøtte søges" in html
    assert item.agreements.count() == 1


def test_an_appointment_on_release_day_and_its_task(client, socialraadgiver, sag, ydelse):
    client.force_login(socialraadgiver)
    page = client.get(f"{base(sag)}moeder/ny/loesladelsesdagen/")
    assert f'value="{RELEASE.isoformat()}"' in page.content.decode()  # the release day is suggested
    response = client.post(f"{base(sag)}moeder/ny/loesladelsesdagen/", {
        "on": RELEASE.isoformat(), "starts": "10:00", "ends": "10:30", "form": "in_person", "department": ydelse.pk,
        "purpose": "advance_payment", "location": "Parkvej 37",
        "deltager-TOTAL_FORMS": "1", "deltager-INITIAL_FORMS": "0", "deltager-0-party": "client", "deltager-0-name": "Jens Hansen",
    })
    assert response.status_code == 302
    assert sag.tasks.get(obligation_id="municipal_appointments_on_release_day").completed_on == TODAY


def test_cancelling_a_meeting_makes_its_file_a_cancellation(client, socialraadgiver, sag, moede):
    client.force_login(socialraadgiver)
    response = client.post(f"{base(sag)}moeder/{moede.pk}/aflys/", {"cancelled_reason": "Klienten er overført."})
    assert response.status_code == 302
    ics = client.get(f"{base(sag)}moeder/{moede.pk}/invitation.ics")
    assert "METHOD:CANCEL" in ics.content.decode() and "method=CANCEL" in ics["Content-Type"]


def test_recording_the_outcome(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    assert client.get(f"{base(sag)}udfald/ved-loesladelsen/").status_code == 200
    response = client.post(f"{base(sag)}udfald/ved-loesladelsen/", {
        "recorded_on": TODAY.isoformat(), "housing": "none", "income_from_day_one": "yes",
        "employment_or_education": "no", "treatment": "not_needed",
    })
    assert response.status_code == 302
    outcome = sag.release_outcomes.get(moment=ReleaseOutcome.Moment.AT_RELEASE)
    assert outcome.released_to_street is True
    assert "Løsladt til gaden" in client.get(base(sag)).content.decode()


def test_kif_involved_from_the_page_sees_the_case_and_keeps_the_list_but_not_the_meetings(
    client, socialraadgiver, kif, kif_afdeling, proeve
):
    client.force_login(kif)
    assert client.get(base(proeve)).status_code == 404
    client.force_login(socialraadgiver)
    assert client.get(f"{base(proeve)}kif/").status_code == 200
    response = client.post(f"{base(proeve)}kif/", {"kif": kif_afdeling.pk, "officer": kif.pk, "involved_on": TODAY.isoformat()})
    assert response.status_code == 302
    assert proeve.tasks.get(obligation_id="involve_kif").completed_on == TODAY
    page = client.get(base(proeve)).content.decode()
    assert "kif_at_parole" in page  # the hand-over to KIF at parole is offered
    client.force_login(kif)
    assert client.get(base(proeve)).status_code == 200
    assert client.get(f"/sager/{proeve.pk}/").status_code == 200
    assert client.post(f"{base(proeve)}parathed/network/", {"r-network-status": "in_progress"}).status_code == 302
    assert client.get(f"{base(proeve)}moeder/ny/loesladelsesmoede/").status_code == 403
    assert client.get(f"{base(proeve)}kif/").status_code == 403


def test_the_whole_release_page_once_everything_is_recorded(
    client, socialraadgiver, kif, kif_afdeling, proeve, ydelse, misbrugscenter
):
    services.kif_involve(actor=socialraadgiver, case=proeve, kif=kif_afdeling, officer=kif, note="Overdragelse aftalt.")
    meeting = services.meeting_create(
        actor=socialraadgiver, case=proeve, kind=Meeting.Kind.RELEASE_MEETING, starts_at=at(TODAY, 8), ends_at=at(TODAY, 9),
        participants=[services.ParticipantData(Party.CLIENT, "Per Nielsen"),
                      services.ParticipantData(Party.KIF, "Karen Friis", email="karen@kif.dk")],
    )
    services.agreement_add(actor=socialraadgiver, item=meeting.agenda_items.first(), who="Karen", what="Tilsyn", when="Uge 1")
    services.meeting_hold(
        actor=socialraadgiver, meeting=meeting, held_on=TODAY, plan_holder_after=kif_afdeling,
        municipal_follow_up="Ydelsescentret.", follow_up_called_by=Party.KIF,
    )
    services.meeting_create(
        actor=socialraadgiver, case=proeve, kind=Meeting.Kind.RELEASE_DAY, starts_at=at(TODAY + timedelta(days=40), 10),
        ends_at=at(TODAY + timedelta(days=40), 11), department=ydelse, purpose=Meeting.Purpose.ADVANCE_PAYMENT,
    )
    services.meeting_create(
        actor=socialraadgiver, case=proeve, kind=Meeting.Kind.FOLLOW_UP, starts_at=at(TODAY + timedelta(days=90), 10),
        ends_at=at(TODAY + timedelta(days=90), 11),
    )
    services.outcome_record(
        actor=socialraadgiver, case=proeve, moment="at_release", recorded_on=TODAY, housing="shelter",
        income_from_day_one=True, employment_or_education=False, treatment="started",
    )
    client.force_login(socialraadgiver)
    html = client.get(base(proeve)).content.decode()
    for text in ("Tilsyn", "Ydelsescentret.", "Overdragelse aftalt.", "Løsladt med bolig og indkomst", "Karen Friis"):
        assert text in html, text
    assert "Trin 10: KiF Nykøbing F. mødes med den løsladte senest 8. januar 2027" in html
    # The follow-up 90 days out is later than GL's four weeks: the page says so.
    assert "mere end fire uger" in html
    client.force_login(kif)
    assert client.get(base(proeve)).status_code == 200


# -- the snippets for the case page and the worklists ---------------------------------------------------------------


def test_the_case_panel_needs_only_the_case(socialraadgiver, sag, moede):
    html = render_to_string("release/_case_panel.html", {"case": sag})
    assert 'id="loesladelse"' in html and f"/sager/{sag.pk}/loesladelse/" in html
    assert "badge-error" in html and ("Risk of release" in html or "Risiko for løsladelse" in html)


def test_the_case_panel_shows_the_outcome_at_release_and_reads_it_with_the_readiness(socialraadgiver, sag):
    services.readiness_item_set(actor=socialraadgiver, case=sag, item="housing", status="in_place")
    ReleaseOutcome.objects.create(
        case=sag, moment=ReleaseOutcome.Moment.AT_RELEASE, recorded_on=date(2026, 1, 5),
        housing="shelter", income_from_day_one=False, released_to_street=True,
        employment_or_education=False, treatment="not_needed", recorded_by=socialraadgiver,
    )
    with translation.override("en"), CaptureQueriesContext(connection) as queries:
        html = render_to_string("release/_case_panel.html", {"case": sag})
    assert len(queries) == 2  # readiness and outcome together, then the meetings
    assert "Shelter (herberg, forsorgshjem); no income from day one" in " ".join(html.split())
    assert f"1 of {len(ReadinessItem)} in place" in html  # the housing


def test_a_worklist_page_reads_its_cases_signals_in_one_query_the_same_as_one_by_one(
    socialraadgiver, sag, guldborgsund
):
    from koreplan.cases.tests.factories import open_case

    services.readiness_item_set(actor=socialraadgiver, case=sag, item="housing", status="in_place")
    far = open_case(actor=socialraadgiver, municipality=guldborgsund)
    to_street = open_case(actor=socialraadgiver, municipality=guldborgsund)
    for item in ("housing", "income"):
        services.readiness_item_set(actor=socialraadgiver, case=to_street, item=item, status="in_place")
    ReleaseOutcome.objects.create(
        case=to_street, moment=ReleaseOutcome.Moment.AT_RELEASE, recorded_on=date(2026, 1, 5),
        housing="none", income_from_day_one=True, released_to_street=True,
        employment_or_education=False, treatment="not_needed", recorded_by=socialraadgiver,
    )
    ReleaseOutcome.objects.create(
        case=far, moment=ReleaseOutcome.Moment.AFTER_FOUR_WEEKS, recorded_on=date(2026, 2, 5),
        housing="none", income_from_day_one=False, released_to_street=True,
        employment_or_education=False, treatment="not_needed", recorded_by=socialraadgiver,
    )
    with CaptureQueriesContext(connection) as queries:
        signals = selectors.release_signals([sag, far, to_street])
    assert len(queries) == 1
    assert signals == {case.pk: selectors.case_release_signal(case=case) for case in (sag, far, to_street)}
    assert signals[to_street.pk].level == Level.RELEASED_TO_STREET  # the outcome at release was the street
    assert selectors.release_signals([]) == {}
    badge = worklist_badge(signals[sag.pk])
    assert "indkomst" in badge or "income" in badge
    assert "sr-only" in badge  # says "Release:" to a screen reader


def test_the_worklist_signal_is_quiet_months_before_release(socialraadgiver, guldborgsund):
    from koreplan.cases.tests.factories import open_case

    far = open_case(actor=socialraadgiver, municipality=guldborgsund)  # released in two years
    assert worklist_badge(selectors.case_release_signal(case=far)) == ""
