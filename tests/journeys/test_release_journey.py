"""The whole journey of one client, from the notice of intake to the four-week follow-up
(issue #5), walked through the real pages as the personas walk it.

Jens Hansen comes to Storstrøm Fængsel on Monday 2 March 2026 with a sentence of one year
and six months; parole is expected after two thirds, on 2 March 2027, and he is released
at the latest on 2 September 2027. He lives in Guldborgsund and has lost his flat.

Susanne (social worker, plan-responsible) opens his case, records his consent, tells the
municipality he is in, writes the plan with him, has it approved by Lise, asks the
municipality to coordinate, evaluates, holds the release meeting and sees to it that
housing and income are in place. Karen at KiF Nykøbing F. is involved eight weeks before
parole and takes the case over at parole through the hand-over protocol. Mette at
Guldborgsund's entrance routes what comes in to Jonas at the job centre, who sees only
what Jens consented to; Anders in Horsens sees nothing. Four weeks after the release the
follow-up meeting is held and what actually happened is recorded.

No browser and no JavaScript: Django's test client, each persona at their own desk,
reading the pages and submitting the forms the pages render (``conftest.Browser``: hidden
fields and defaults as rendered, only options the page offers), following every redirect.
time_machine moves the calendar; the services read ``timezone.localdate()``.

After the journey, two tests check the way the previous holder is led to the status at
transfer and back to a page they can still see; one checks that the coordination preview
says an area consent covers was left out because the sender did not choose it.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from koreplan.audit.models import AuditEntry
from koreplan.audit.selectors import audit_chain_verify
from koreplan.cases import selectors as case_selectors
from koreplan.cases import services as case_services
from koreplan.cases.models import Case, Handover, Task
from koreplan.cases.tests.factories import open_case
from koreplan.consent.models import Consent
from koreplan.consent.tests.factories import give_consent
from koreplan.coordination.models import MunicipalRequest
from koreplan.notifications.models import Notification
from koreplan.plans import services as plan_services
from koreplan.plans.models import ActionPlan, PlanStatus
from koreplan.plans.tests.factories import a_housing_area
from koreplan.release import services as release_services
from koreplan.release.models import Meeting, ReleaseOutcome

from .conftest import Form, Page

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
CPR = "140588-1234"
INTAKE = date(2026, 3, 2)  # a Monday
PAROLE = date(2027, 3, 2)  # after two thirds of one year and six months
FULL_TERM = date(2027, 9, 2)
#: Written into the plan's description under substance use, which Jens did not consent to share.
SUBSTANCE_USE = "Røg hash dagligt før indsættelsen"


def on(day: date, hour: int = 9):
    """Travel to ``day`` at ``hour`` o'clock, Danish time, and stay there."""
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, 0, tzinfo=COPENHAGEN), tick=False)


def task(case: Case, obligation_id: str, occurrence: int = 1) -> Task:
    return case.tasks.get(obligation_id=obligation_id, occurrence=occurrence)


def koreplan_row(page: Page, t: Task) -> str:
    """The Køreplan's line for one task on the case page."""
    match = re.search(rf'<li class="koreplan-task[^"]*" id="task-{t.pk}">(.*?)</li>', page.html, re.DOTALL)
    assert match, f"the Køreplan has no line for {t.obligation_id}"
    return match.group(1)


def section(page: Page, html_id: str) -> str:
    """The words of the page's <section id=…>."""
    html = page.html.split(f'id="{html_id}"', 1)[1].split("</section>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", html.split(">", 1)[1]).split())


def request_document(page: Page) -> str:
    """The notice or request exactly as the municipality reads it."""
    match = re.search(r'<article id="request-document".*?</article>', page.html, re.DOTALL)
    assert match, f"{page.url} shows no request document"
    return match.group(0)


def release_signal(page: Page) -> str:
    """The release page's signal, in words."""
    html = page.html.split('id="release-signal"', 1)[1].split("</div>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", html.split(">", 1)[1]).split())


def participant_row(form: Form, party: str) -> int:
    """The row of the participants' formset that the page filled in for ``party``."""
    for f in form.fields:
        match = re.fullmatch(r"deltager-(\d+)-party", f.name)
        if match and any(value == party and selected for value, selected in f.options):
            return int(match.group(1))
    raise AssertionError(f"no participant row for {party}")


def plan_version(case: Case) -> int:
    return ActionPlan.objects.get(case=case).versions.order_by("-number").first().number


def test_from_the_notice_of_intake_to_the_four_week_follow_up(
    browse, socialraadgiver, leder, kif, kif_afdeling, kommune, sagsbehandler, anden_kommune, guldborgsund, indgang,
):
    susanne, lise, karen = browse(socialraadgiver), browse(leder), browse(kif)
    mette, jonas, anders = browse(kommune), browse(sagsbehandler), browse(anden_kommune)

    # -- 1. Intake day: Susanne opens the client and the case -------------------------------------------
    with on(INTAKE):
        page = susanne.click(susanne.get("/sager/"), "/sager/ny/")
        page = susanne.submit(page, "/sager/ny/", {
            "cpr": CPR, "first_name": "Jens", "last_name": "Hansen", "acting_municipality": guldborgsund,
            "plan_responsible": socialraadgiver, "case_type": "imprisonment",
            "sentence_years": 1, "sentence_months": 6, "intake_on": INTAKE,
            "expected_parole_on": PAROLE, "release_on": FULL_TERM, "housing_secured": "False",
        })
        case = Case.objects.get(client__cpr=CPR.replace("-", ""))
        case_url = f"/sager/{case.pk}/"
        assert page.url == case_url and "Sagen om Jens Hansen er oprettet." in page.text
        assert case.sentence == "P1Y6M" and case.expected_release_on == PAROLE
        # The Køreplan: the first action plan (step 5) is due four weeks after the intake.
        first_plan = task(case, "first_plan")
        assert first_plan.due_on == INTAKE + timedelta(days=28)
        row = koreplan_row(page, first_plan)
        assert "Trin 5" in row and "Første handleplan" in row and "Kommende" in row
        assert f'<time datetime="{first_plan.due_on.isoformat()}">' in row
        # She named herself plan-responsible in the form: step 2 of the Køreplan is done
        # with it, by her, today — nothing left to tick off.
        appoint = task(case, "appoint_plan_responsible")
        assert (appoint.completed_on, appoint.completed_by) == (INTAKE, socialraadgiver)
        assert appoint.evidence == "Handleplansansvarlig var udpeget, da sagen blev oprettet."
        assert f"/sager/{case.pk}/opgaver/{appoint.pk}/udfoer/" not in page.html
        assert appoint.pk not in [key.task_id for key in case_selectors.worklist_keys(user=socialraadgiver, today=INTAKE)]

    # -- 2. Consent, the notice of intake, and the municipality takes hold -------------------------------
    with on(INTAKE, 11):
        page = susanne.click(page, f"/sager/{case.pk}/samtykke/")
        page = susanne.click(page, f"/sager/{case.pk}/samtykke/nyt/")
        page = susanne.submit(page, f"/sager/{case.pk}/samtykke/nyt/", {
            # A notice of intake always tells the sentence matters (strafforhold: the intake,
            # the institution, the expected release): without "sentence" it cannot be sent.
            "categories": ["sentence", "housing", "finances", "education_employment"],
            "recipient_organisation": guldborgsund, "recipient_department": "",
            "purposes": ["intake_notice", "coordination"], "given_on": INTAKE,
            "note": "Skriftligt samtykke, underskrevet ved indsættelsen.",
        })
        assert "Samtykket er registreret." in page.text
        consent = Consent.objects.get(client=case.client)
        assert set(consent.categories) == {"sentence", "housing", "finances", "education_employment"}
        assert set(consent.purposes) == {"intake_notice", "coordination"}

        page = susanne.click(susanne.get(case_url), f"/sager/{case.pk}/kommune/ny/indsaettelse/")
        preview = susanne.submit(page, None, {
            "municipality": guldborgsund, "message": "Jens Hansen er indsat i dag. Stop ydelserne; lejligheden er opsagt.",
        }, having="message", press=("action", "preview"), expect="page")
        assert "Må den sendes? Ja" in preview.text
        document = request_document(preview)
        assert "Meddelelse om indsættelse" in document and "Stop ydelserne" in document
        page = susanne.submit(preview, None, {}, having="message", press=("action", "send"))
        notice = MunicipalRequest.objects.get(case=case, kind="intake_notice")
        assert page.url == f"/sager/{case.pk}/kommune/{notice.pk}/" and "Sendt til Guldborgsund." in page.text
        assert notice.status == MunicipalRequest.Status.SENT and notice.step == "1"
        assert task(case, "notify_municipality_of_intake").completed_on == INTAKE

    with on(INTAKE, 13):
        # Mette at the entrance finds it in her inbox; Anders in Horsens has no such thing.
        assert "Meddelelse om indsættelse fra Storstrøm Fængsel" in mette.get("/meddelelser/").text
        page = mette.click(mette.get("/indbakke/"), f"/indbakke/{notice.pk}/")
        assert "Jens Hansen" in page.text and "Stop ydelserne" in page.text
        assert anders.status(f"/indbakke/{notice.pk}/") == 404
        assert not anders.get("/indbakke/").has_link(f"/indbakke/{notice.pk}/")
        # She routes it to Jonas at the job centre: the municipality has hold.
        page = mette.submit(page, f"/indbakke/{notice.pk}/fordel/", {
            "department": sagsbehandler.department, "caseworker": sagsbehandler, "note": "Jonas tager sagen.",
        })
        assert page.url == "/indbakke/"
        notice.refresh_from_db()
        assert notice.status == MunicipalRequest.Status.ACCEPTED and notice.routed_caseworker == sagsbehandler
        # Susanne's case page: sent → received by Mette → accepted by Mette, to Jonas.
        page = susanne.get(case_url)
        panel = section(page, "kommune")
        assert "Sendt" in panel and "Modtaget" in panel and "Kommunen har fat" in panel
        assert re.search(r"Fordelt af Mette Dahl den .* sagsbehandler Jonas Krog", panel), panel
        assert "Udført" in koreplan_row(page, task(case, "notify_municipality_of_intake"))
        assert "Guldborgsund har taget fat i jeres henvendelse" in susanne.get("/meddelelser/").text

    # -- 3. The plan: the intake interview, areas of effort, the first version, approval -----------------
    day = INTAKE + timedelta(days=3)
    with on(day):
        page = susanne.click(susanne.get(case_url), f"/sager/{case.pk}/handleplan/")
        page = susanne.click(page, f"/sager/{case.pk}/handleplan/indsaettelsessamtale/")
        page = susanne.submit(page, f"/sager/{case.pk}/handleplan/indsaettelsessamtale/", {
            "held_on": day, "participation": "took_part",
            "area_housing": "Lejligheden i Nykøbing F. er opsagt; ingen bolig efter løsladelsen.",
            "area_finances": "Gæld til SKAT og et kviklån; kontanthjælpen stoppes ved indsættelsen.",
            "area_education_employment": "Har arbejdet som lagerarbejder; vil gerne tage truckcertifikat.",
            "area_substance_use": f"{SUBSTANCE_USE}; ønsker behandling.",
            "causes": "Gælden og hashen hænger sammen med indbruddene.",
        })
        assert task(case, "intake_interview").completed_on == day
        assert "Lejligheden i Nykøbing F. er opsagt" in page.text and SUBSTANCE_USE in page.text
        for title, area, why in [
            ("Bolig efter løsladelsen", "housing", "Uden bolig løslades Jens til gaden."),
            ("Gæld og forsørgelse", "finances", "Gælden og den manglende indtægt driver kriminaliteten."),
        ]:
            page = susanne.click(page, f"/sager/{case.pk}/handleplan/indsatsomraade/nyt/")
            page = susanne.submit(page, f"/sager/{case.pk}/handleplan/indsatsomraade/nyt/", {
                "title": title, "life_area": area, "justification": why, "goal": f"{title} er på plads ved løsladelsen.",
                "stance": "agrees", "evaluation": "Ved opfølgningen hver tredje måned.",
                "actions-0-what": "Første skridt aftales med kommunen", "actions-0-who": "staff",
                "change_justification": "Aftalt med Jens ved indsættelsessamtalen.", "discussed_with_client": True,
            })
            assert title in page.text
        page = susanne.submit(page, f"/sager/{case.pk}/handleplan/v/1/faerdig/")
        assert task(case, "first_plan").completed_on == day <= task(case, "first_plan").due_on
        # She asks for approval at the department meeting …
        page = susanne.click(page, f"/sager/{case.pk}/handleplan/v/1/godkendelse/")
        susanne.submit(page, f"/sager/{case.pk}/handleplan/v/1/godkendelse/", {"comment": "Til afdelingsmødet torsdag."})

    with on(day + timedelta(days=1)):
        # … and Lise, the manager, approves it.
        page = lise.click(lise.get(f"/sager/{case.pk}/handleplan/"), f"/sager/{case.pk}/handleplan/v/1/godkendelse/")
        page = lise.submit(page, f"/sager/{case.pk}/handleplan/v/1/godkendelse/", {
            "decision": "approve", "comment": "Godkendt på afdelingsmødet.",
        })
        assert "Godkendt" in page.text
        version_1 = ActionPlan.objects.get(case=case).versions.get(number=1)
        assert version_1.approval_status == "approved"
        assert (version_1.approval_requested_by, version_1.approval_decided_by) == (socialraadgiver, leder)

    # -- 4. The request for coordination (step 6): previewed, sent, routed, read ------------------------
    day = INTAKE + timedelta(days=10)
    with on(day):
        page = susanne.click(susanne.get(case_url), f"/sager/{case.pk}/kommune/ny/koordinering/")
        preview = susanne.submit(page, None, {
            "municipality": guldborgsund, "departments": ["jobcenter"],
            "purpose_text": "At koordinere handleplanen med kommunens indsats før løsladelsen.",
            "expectations": "At jobcentret afklarer forsørgelse fra dag ét og hjælper med en bolig.",
            "situation_and_wishes": "Jens ønsker egen bolig i Nykøbing F. og arbejde som lagerarbejder.",
            "plan_attached": "yes", "kf_options": ["day_release", "leave"],
            "meeting_proposal": "Et møde i fængslet med Jens, Susanne og jobcentret.",
            "meeting_proposed_on": day + timedelta(days=14),
        }, having="purpose_text", press=("action", "preview"), expect="page")
        # The sender sees the decision per kind of information, and what was left out …
        assert "Må den sendes? Ja" in preview.text
        assert "Beskrivelser om misbrug og behandling (1): ikke dækket af samtykke eller hjemmel" in preview.text
        # … and exactly what Guldborgsund will read: the two areas after release, nothing else.
        document = request_document(preview)
        assert "Bolig efter løsladelsen" in document and "Gæld og forsørgelse" in document
        assert "Lejligheden i Nykøbing F. er opsagt" in document
        assert SUBSTANCE_USE not in preview.html and "hashen" not in document
        page = susanne.submit(preview, None, {}, having="purpose_text", press=("action", "send"))
        coordination = MunicipalRequest.objects.get(case=case, kind="coordination")
        assert coordination.step == "6" and coordination.status == MunicipalRequest.Status.SENT
        assert request_document(page) == document  # her copy is what was previewed
        assert task(case, "municipality_coordination").completed_on == day

    with on(day, 14):
        page = mette.click(mette.get("/indbakke/"), f"/indbakke/{coordination.pk}/")
        mette.submit(page, f"/indbakke/{coordination.pk}/fordel/", {
            "department": sagsbehandler.department, "caseworker": sagsbehandler,
        })
        # Jonas reads the cover letter and the excerpt — and nothing else of the case.
        page = jonas.click(jonas.get("/indbakke/"), f"/indbakke/{coordination.pk}/")
        assert request_document(page) == document
        assert "At jobcentret afklarer forsørgelse" in page.text and "Bolig efter løsladelsen" in page.text
        assert SUBSTANCE_USE not in page.html
        for url in (case_url, f"/sager/{case.pk}/handleplan/", f"/sager/{case.pk}/handleplan/v/1/",
                    f"/sager/{case.pk}/samtykke/", f"/sager/{case.pk}/kommune/{coordination.pk}/"):
            assert jonas.status(url) == 404, url
        assert anders.status(f"/indbakke/{coordination.pk}/") == 404

    # -- 5. Three months on: the first evaluation ----------------------------------------------------------
    day = INTAKE + timedelta(days=92)  # Tuesday 2 June 2026
    with on(day):
        page = susanne.get(f"/sager/{case.pk}/handleplan/")
        assert "Version 1 blev låst" in page.text
        # Version 1 locked after 30 days: the plan is carried on in version 2.
        page = susanne.submit(page, f"/sager/{case.pk}/handleplan/ny-version/")
        assert plan_version(case) == 2
        page = susanne.click(page, f"/sager/{case.pk}/handleplan/opfoelgning/")
        page = susanne.submit(page, f"/sager/{case.pk}/handleplan/opfoelgning/", {
            "held_on": day, "participants": "Jens, Susanne Holm, Jonas Krog (jobcentret)",
            "description_update": "Jobcentret har afklaret rådigheden; boligsøgningen er i gang.",
            "carried_out": "Boligansøgning sendt.", "not_carried_out": "Gældsrådgivning.",
            "reasons": "Ventetid hos gældsrådgivningen.", "prevention": "Henvende sig tidligt næste gang.",
            "agreements-0-who": "Susanne", "agreements-0-what": "Booke gældsrådgivning", "agreements-0-when": "I juni",
        })
        assert task(case, "plan_evaluation", 1).completed_on == day
        assert not task(case, "plan_evaluation", 2).completed_on  # the next one follows

    # -- 6. The release meeting, three months before parole, and the readiness list ----------------------
    release_url = f"/sager/{case.pk}/loesladelse/"
    planned_on, meeting_day = date(2026, 11, 23), date(2026, 12, 1)  # due 2 December
    with on(planned_on):
        page = susanne.click(susanne.get(case_url), release_url)
        page = susanne.click(page, f"{release_url}moeder/ny/loesladelsesmoede/")
        form = page.form(having="on")
        # The page invites Jens, Susanne and the entrance's contact; she names the rest.
        municipality, rows = participant_row(form, "municipality"), int(form.named("deltager-TOTAL_FORMS")[0].value)
        page = susanne.submit(page, f"{release_url}moeder/ny/loesladelsesmoede/", {
            "on": meeting_day, "starts": "10:00", "ends": "11:30", "form": "in_person",
            "location": "Storstrøm Fængsel, mødelokale 2",
            f"deltager-{municipality}-name": "Jonas Krog", f"deltager-{municipality}-department": sagsbehandler.department,
            f"deltager-{rows - 2}-party": "kif", f"deltager-{rows - 2}-name": "Karen Friis",
            f"deltager-{rows - 2}-role": "KiF Nykøbing F.",
            f"deltager-{rows - 1}-party": "addiction_centre", f"deltager-{rows - 1}-name": "Lis Rask",
        })
        meeting = case.release_meetings.get(kind=Meeting.Kind.RELEASE_MEETING)
        assert {p.party for p in meeting.participants.all()} == {
            "client", "institution", "kif", "municipality", "addiction_centre",
        }
        # The agenda is made from the plan's areas of effort.
        agenda = [item.title for item in meeting.agenda_items.all()]
        assert "Bolig efter løsladelsen" in agenda and "Gæld og forsørgelse" in agenda
        # The invitation, for the participants' calendars.
        ics = susanne.click(page, f"{release_url}moeder/{meeting.pk}/invitation.ics")
        assert ics.response["Content-Type"].startswith("text/calendar")
        assert ics.html.startswith("BEGIN:VCALENDAR") and "Jonas Krog" in ics.html

    with on(meeting_day, 12):
        page = susanne.get(release_url)
        housing = meeting.agenda_items.get(title="Bolig efter løsladelsen")
        page = susanne.submit(page, f"{release_url}moeder/{meeting.pk}/aftaler/", {
            "item": housing, "who": "Jonas Krog", "what": "Anviser en lejlighed i Nykøbing F.", "when": "Inden 1. februar",
        })
        page = susanne.click(page, f"{release_url}moeder/{meeting.pk}/afholdt/")
        page = susanne.submit(page, f"{release_url}moeder/{meeting.pk}/afholdt/", {
            # KIF is involved only later (step 9, eight weeks before parole), so it is not yet
            # among the organisations to choose: the plan's holder after release is named.
            "held_on": meeting_day, "plan_holder_after": "",
            "plan_holder_after_name": "Karen Friis, KiF Nykøbing F., fra prøveløsladelsen",
            "municipal_follow_up": "Jobcentret møder Jens på løsladelsesdagen og derefter hver 14. dag.",
            "follow_up_called_by": "kif", "follow_up_called_by_name": "Karen Friis",
            "minutes": "Bolig og forsørgelse aftalt med kommunen.",
        })
        assert task(case, "release_meeting").completed_on == meeting_day
        agreed = section(page, "loesladelsesmoede")
        assert "Anviser en lejlighed i Nykøbing F." in agreed and "hver 14. dag" in agreed and "Karen Friis" in agreed
        # "Ingen løslades til gaden": Susanne goes through the readiness list with the municipality.
        assert release_signal(page).startswith("Klar til løsladelse? Mangler: bolig, indkomst, ")
        for item, status, extra in [
            ("housing", "in_place", {"note": "Lejlighed anvist af kommunen, Østergade 12."}),
            ("income", "in_place", {"checks": ["availability_assessment", "advance_payment"]}),
            ("employment_education", "in_progress", {}),
            ("treatment", "in_place", {"checks": ["addiction_centre_contact"]}),
            ("health", "in_place", {"checks": ["doctor", "medicine"]}),
            ("id_bank_digital", "in_place", {"checks": ["id", "bank", "mitid", "digital_post"]}),
            ("network", "not_needed", {}),
        ]:
            page = susanne.submit(page, f"{release_url}parathed/{item}/", {
                f"r-{item}-status": status, f"r-{item}-responsible_organisation": guldborgsund,
                **{f"r-{item}-{name}": value for name, value in extra.items()},
            })
        assert release_signal(page).startswith("Klar til løsladelse? Mangler: job eller uddannelse"), release_signal(page)
        page = susanne.submit(page, f"{release_url}parathed/employment_education/", {
            "r-employment_education-status": "in_place", "r-employment_education-note": "Truckcertifikat; job hos DSV.",
        })
        assert release_signal(page).startswith("Klar til løsladelse? Klar "), release_signal(page)

    # -- 7. KIF involved eight weeks before parole; the hand-over at parole --------------------------------
    day = PAROLE - timedelta(weeks=8)  # Tuesday 5 January 2027
    with on(day):
        assert karen.status(case_url) == 404
        page = susanne.click(susanne.get(release_url), f"{release_url}kif/")
        page = susanne.submit(page, f"{release_url}kif/", {
            "kif": kif_afdeling, "officer": kif, "involved_on": day,
            "note": "Planen overdrages til KIF ved prøveløsladelsen.",
        })
        assert task(case, "involve_kif").completed_on == day
        page = karen.get(case_url)  # Karen now sees the case
        assert "Jens Hansen" in page.text

    day = PAROLE - timedelta(days=7)
    with on(day):
        # Susanne brings the plan up to date in a new version, and asks KIF to take over at parole.
        susanne.submit(susanne.get(f"/sager/{case.pk}/handleplan/"), f"/sager/{case.pk}/handleplan/ny-version/")
        page = susanne.submit(susanne.get(release_url), f"/sager/{case.pk}/overdrag/", {
            "kind": "kif_at_parole", "to_kif": kif_afdeling,
            "message": "Prøveløslades 2. marts. Bolig og forsørgelse er på plads.",
        }, having="to_kif")
        handover = Handover.objects.get(case=case)
        assert handover.status == Handover.Status.REQUESTED
        assert "En overdragelse fra Storstrøm Fængsel venter på dit svar" in karen.get("/meddelelser/").text

    with on(PAROLE):
        page = karen.get("/overdragelser/")
        assert "Jens Hansen" in page.text and "Bolig og forsørgelse er på plads." in page.text
        page = karen.submit(page, f"/overdragelser/{handover.pk}/accepter/", {f"a{handover.pk}-plan_responsible": kif})
        assert page.url == case_url
        case.refresh_from_db()
        assert case.holding_organisation == kif_afdeling and case.plan_responsible == kif
        # Susanne keeps sight of the case until she has stated the plan's status at transfer …
        assert "Status på handleplanen ved overførsel" in susanne.get("/opgaver/").text
        susanne.get(case_url)
        # No page leads her to the status form (test_the_sender_is_led_to_the_status_at_transfer),
        # so she types its address; and once it is saved, she is sent to a page she may no longer
        # see (test_stating_the_status_at_transfer_ends_on_a_page_the_sender_can_see).
        page = susanne.get(f"/sager/{case.pk}/handleplan/status/")
        susanne.submit(page, f"/sager/{case.pk}/handleplan/status/", {
            "kind": "at_transfer", "stated_on": PAROLE, "note": "Planen er gennemgået og ajour ved overdragelsen til KIF.",
        }, follow=False)
        status = PlanStatus.objects.get(version__plan__case=case)
        assert status.kind == "at_transfer" and status.created_by == socialraadgiver
        assert task(case, "status_at_transfer").completed_on == PAROLE
        # … and then she lets go.
        assert susanne.status(case_url) == 404
        assert karen.status(case_url) == 200

    # -- 8. Out: the outcome at release, the follow-up meeting, the outcome four weeks later ----------------
    day = PAROLE + timedelta(days=3)
    follow_up_day = PAROLE + timedelta(weeks=4)
    with on(day):
        page = karen.click(karen.get(release_url), f"{release_url}udfald/ved-loesladelsen/")
        page = karen.submit(page, f"{release_url}udfald/ved-loesladelsen/", {
            "recorded_on": PAROLE, "housing": "own", "income_from_day_one": "yes",
            "employment_or_education": "yes", "treatment": "started", "note": "Flyttet ind på Østergade.",
        })
        assert case.release_outcomes.get(moment=ReleaseOutcome.Moment.AT_RELEASE).released_to_street is False
        assert release_signal(page).startswith("Klar til løsladelse? Løsladt med bolig og indkomst")
        page = karen.click(page, f"{release_url}moeder/ny/opfoelgende-moede/")
        page = karen.submit(page, f"{release_url}moeder/ny/opfoelgende-moede/", {
            "on": follow_up_day, "starts": "13:00", "ends": "14:00", "form": "in_person", "location": "KiF Nykøbing F.",
        })
        follow_up = case.release_meetings.get(kind=Meeting.Kind.FOLLOW_UP)

    with on(follow_up_day, 15):
        page = karen.click(karen.get(release_url), f"{release_url}moeder/{follow_up.pk}/afholdt/")
        page = karen.submit(page, f"{release_url}moeder/{follow_up.pk}/afholdt/", {
            "held_on": follow_up_day, "minutes": "Jens bor i lejligheden og er startet hos DSV.",
        })
        assert task(case, "follow_up_meeting_after_release").completed_on == follow_up_day
        page = karen.click(page, f"{release_url}udfald/efter-fire-uger/")
        page = karen.submit(page, f"{release_url}udfald/efter-fire-uger/", {
            "recorded_on": follow_up_day, "housing": "own", "income_from_day_one": "yes",
            "employment_or_education": "yes", "treatment": "started",
        })
        after = case.release_outcomes.get(moment=ReleaseOutcome.Moment.AFTER_FOUR_WEEKS)
        assert after.released_to_street is False and after.recorded_by == kif

    # -- 9. What the journey left behind: the audit log and the notifications ----------------------------
    done = set(AuditEntry.objects.values_list("action", "actor__username"))
    assert {
        ("koreplan.client.created", "susanne"), ("koreplan.case.opened", "susanne"), ("koreplan.case.viewed", "susanne"),
        ("koreplan.consent.given", "susanne"), ("koreplan.coordination.request.sent", "susanne"),
        ("koreplan.coordination.request.received", "mette"), ("koreplan.coordination.request.accepted", "mette"),
        ("koreplan.coordination.request.viewed", "jonas"), ("koreplan.plan_version.approval_requested", "susanne"),
        ("koreplan.plan_version.approved", "lise"), ("koreplan.plan.viewed", "lise"),
        ("koreplan.plan_evaluation.recorded", "susanne"), ("koreplan.release.invitation_downloaded", "susanne"),
        ("koreplan.release.meeting_held", "susanne"), ("koreplan.release.readiness_updated", "susanne"),
        ("koreplan.release.kif_involved", "susanne"), ("koreplan.case.viewed", "karen"),
        ("koreplan.handover.requested", "susanne"), ("koreplan.handover.accepted", "karen"),
        ("koreplan.plan_status.recorded", "susanne"), ("koreplan.release.outcome_recorded", "karen"),
        ("koreplan.release.meeting_held", "karen"), ("koreplan.task.completed", "karen"),
    } <= done, sorted(done)
    assert audit_chain_verify() is None
    # The entrance was told of each new request; the sender of each acceptance.
    assert Notification.objects.filter(recipient=kommune, kind="request_received").count() == 2
    assert Notification.objects.filter(recipient=socialraadgiver, kind="request_accepted").count() == 2
    assert Notification.objects.filter(recipient=socialraadgiver, kind="handover_accepted").count() == 1


# -- bugs met on the journey ---------------------------------------------------------------------------------


@pytest.fixture
def overdraget(socialraadgiver, kif, kif_afdeling, guldborgsund):
    """Jens's case on parole day, just after Karen accepted the hand-over to KIF at parole:
    Susanne, the sender, still has her status at transfer to state. Built through the
    services, as the journey above built it through the pages."""
    with on(PAROLE - timedelta(days=7)):
        case = open_case(
            actor=socialraadgiver, municipality=guldborgsund, sentence="P1Y6M", intake_on=INTAKE,
            expected_parole_on=PAROLE, release_on=FULL_TERM,
        )
        plan_services.plan_start(actor=socialraadgiver, case=case)  # version 1, writable until 30 days on
        release_services.kif_involve(actor=socialraadgiver, case=case, kif=kif_afdeling, officer=kif)
        handover = case_services.handover_request(
            actor=socialraadgiver, case=case, kind="kif_at_parole", to_organisation=kif_afdeling
        )
    with on(PAROLE):
        case_services.handover_accept(actor=kif, handover=handover, plan_responsible=kif)
    return case


def test_the_sender_is_led_to_the_status_at_transfer(browse, socialraadgiver, overdraget):
    case = overdraget
    status_url = f"/sager/{case.pk}/handleplan/status/"
    susanne = browse(socialraadgiver)
    with on(PAROLE, 10):
        assert susanne.status(status_url) == 200  # the form is there for her …
        pages = [susanne.get(f"/sager/{case.pk}/"), susanne.get(f"/sager/{case.pk}/handleplan/"), susanne.get("/opgaver/")]
        assert any(page.has_link(status_url) for page in pages)  # … but nothing links to it


def test_stating_the_status_at_transfer_ends_on_a_page_the_sender_can_see(browse, socialraadgiver, overdraget):
    case = overdraget
    status_url = f"/sager/{case.pk}/handleplan/status/"
    susanne = browse(socialraadgiver)
    with on(PAROLE, 10):
        saved = susanne.submit(susanne.get(status_url), status_url, {
            "kind": "at_transfer", "stated_on": PAROLE, "note": "Ajour ved overdragelsen til KIF.",
        }, follow=False)
        assert task(case, "status_at_transfer").completed_on == PAROLE  # saved, and she has let go
        assert susanne.status(f"/sager/{case.pk}/") == 404
        assert susanne.status(saved.url.split("#")[0]) == 200, f"redirected to {saved.url}, which is 404 for her"


def test_the_preview_says_why_a_consented_area_was_left_out(browse, socialraadgiver, guldborgsund, indgang):
    day = INTAKE + timedelta(days=10)
    with on(day):
        case = open_case(actor=socialraadgiver, municipality=guldborgsund, intake_on=INTAKE)
        give_consent(actor=socialraadgiver, case=case, categories=["sentence", "housing", "education_employment"])
        version = plan_services.plan_intake_interview_record(
            actor=socialraadgiver, case=case, held_on=day, participation="took_part", entries={
                "housing": "Lejligheden er opsagt.", "education_employment": "Har arbejdet som lagerarbejder.",
            },
        )
        plan_services.plan_area_save(
            actor=socialraadgiver, version=version, revision=version.revision, area=a_housing_area(), priority=1,
            justification="Uden bolig løslades han til gaden.", discussed_with_client=True,
        )
        susanne = browse(socialraadgiver)
        url = f"/sager/{case.pk}/kommune/ny/koordinering/"
        preview = susanne.submit(susanne.get(url), None, {
            "purpose_text": "Koordinering før løsladelsen.", "expectations": "At kommunen finder en bolig.",
            "situation_and_wishes": "Ønsker egen bolig.", "plan_attached": "yes",
        }, having="purpose_text", press=("action", "preview"), expect="page")
        assert "Må den sendes? Ja" in preview.text
        # Education and employment is covered by the consent; it was only not chosen.
        assert "Beskrivelser om uddannelse og beskæftigelse (1): ikke dækket af samtykke" not in preview.text
        assert "Beskrivelser om uddannelse og beskæftigelse (1): ikke blandt de områder, du valgte at koordinere" in preview.text
