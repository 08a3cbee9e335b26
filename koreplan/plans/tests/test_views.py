"""The plan pages: access for every persona, htmx partials, the forms without JavaScript."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from koreplan.audit.models import AuditEntry
from koreplan.cases.tests.factories import open_case
from koreplan.plans import services
from koreplan.plans.models import ActionPlan, AreaChange, Evaluation, PlanStatus, PlanVersion

from .factories import latest, written_plan

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def sag(socialraadgiver, guldborgsund):
    return open_case(actor=socialraadgiver, municipality=guldborgsund)


@pytest.fixture
def version(sag, socialraadgiver):
    return written_plan(actor=socialraadgiver, case=sag, held_on=TODAY)


def url(name, case, *args, query=""):
    return reverse(f"plans:{name}", args=[case.pk, *args]) + query


def login(client, user):
    client.force_login(user)
    return client


def as_form(version, **data):
    return {"version": version.number, "revision": version.revision, **data}


def management(prefix, total, initial=0):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


# -- access ------------------------------------------------------------------------------------

READ_PAGES = [
    ("plan", (), ""),
    ("version", (1,), ""),
    ("compare", (), "?a=1&b=1"),
    ("parole_draft", (), ""),
    ("pdf", (1,), ""),
    ("section_edit", ("aarsager",), ""),
    ("description_edit", ("bolig",), ""),
    ("entry_add", (), ""),
    ("area_new", (), ""),
    ("area_edit", ("a1",), ""),
    ("area_remove", ("a1",), ""),
    ("intake_interview", (), ""),
    ("evaluation", (), ""),
    ("status", (), ""),
    ("approval", (1,), ""),
]
POSTS = ["start", "version_create", ("version_finish", 1), ("approval", 1), "evaluation", "status", ("section_edit", "aarsager")]


@pytest.mark.parametrize("persona", ["fremmed", "kif", "kommune", "sagsbehandler", "anden_kommune"])
def test_nobody_without_a_part_in_the_case_learns_that_the_plan_exists(client, request, version, sag, persona):
    login(client, request.getfixturevalue(persona))
    for name, args, query in READ_PAGES:
        assert client.get(url(name, sag, *args, query=query)).status_code == 404, name
        assert client.get(url(name, sag, *args, query=query), headers={"HX-Request": "true"}).status_code == 404, name
    for post in POSTS:
        name, *args = post if isinstance(post, tuple) else (post,)
        assert client.post(url(name, sag, *args), {}).status_code == 404, name
    version.refresh_from_db()
    assert version.plan.versions.count() == 1


@pytest.mark.parametrize("persona", ["socialraadgiver", "kollega", "leder", "admin"])
def test_the_holding_organisation_and_administrators_read_every_page(client, request, version, sag, persona):
    login(client, request.getfixturevalue(persona))
    for name, args, query in READ_PAGES:
        response = client.get(url(name, sag, *args, query=query))
        assert response.status_code == 200, (name, response.status_code)


def test_anonymous_visitors_are_sent_to_log_in(client, version, sag):
    response = client.get(url("plan", sag))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_every_read_of_the_plan_is_audited(client, socialraadgiver, version, sag):
    login(client, socialraadgiver)
    before = AuditEntry.objects.filter(action="koreplan.plan.viewed", case_id=sag.pk).count()
    client.get(url("plan", sag))
    client.get(url("plan", sag, query="?del=causes"), headers={"HX-Request": "true"})
    assert AuditEntry.objects.filter(action="koreplan.plan.viewed", case_id=sag.pk).count() == before + 2
    client.get(url("compare", sag, query="?a=1&b=1"))
    client.get(url("pdf", sag, 1))
    client.get(url("parole_draft", sag))
    assert {"koreplan.plan.compared", "koreplan.plan_version.pdf_made", "koreplan.plan.parole_draft_viewed"} <= set(
        AuditEntry.objects.filter(case_id=sag.pk).values_list("action", flat=True)
    )


# -- the plan page ---------------------------------------------------------------------------------


def test_a_case_without_a_plan_offers_to_make_one(client, socialraadgiver, sag):
    page = login(client, socialraadgiver).get(url("plan", sag)).content.decode()
    assert "Opret" in page or "Make an empty plan" in page
    response = client.post(url("start", sag))
    assert response.status_code == 302
    assert ActionPlan.objects.get(case=sag).versions.get().number == 1


def test_the_plan_page_shows_the_five_sections_help_and_the_versions(client, socialraadgiver, version, sag):
    page = login(client, socialraadgiver).get(url("plan", sag)).content.decode()
    for heading in ("1. Stamoplysninger", "2. Beskrivelse", "3. Årsager til kriminalitet",
                    "4. Vurdering og indsatsområder", "5. Samarbejdspartnere"):
        assert heading in page, heading
    assert "Jens Hansen" in page and "Bolig efter løsladelsen" in page
    assert "Hjælp og idéer" in page
    assert "Indsættelsessamtale" in page  # the entry written at the intake interview
    assert "Låses" in page and "24.12.2026" in page


def test_the_help_and_idea_catalogue_follow_the_guidance(client, socialraadgiver, version, sag):
    page = login(client, socialraadgiver).get(url("plan", sag)).content.decode()
    assert "Der må ikke fremkomme nye oplysninger i denne vurdering" in page  # VEJ pkt. 36
    assert "Hvad var den umiddelbare gevinst" in page  # VEJ pkt. 35


# -- sections with htmx ------------------------------------------------------------------------------


def test_an_htmx_request_gets_only_the_section_form_and_then_only_the_section(client, socialraadgiver, version, sag):
    login(client, socialraadgiver)
    edit = url("section_edit", sag, "aarsager")
    full = client.get(edit)
    assert b"<html" in full.content and b'id="sektion-aarsager"' in full.content
    partial = client.get(edit, headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b'id="sektion-aarsager"' in partial.content
    assert b'hx-post="' in partial.content
    saved = client.post(edit, as_form(version, causes="Gæld og hash.", stance="agrees", note=""), headers={"HX-Request": "true"})
    assert saved.status_code == 200
    assert b"<html" not in saved.content and b"<form" not in saved.content
    assert "Gæld og hash." in saved.content.decode() and b'id="sektion-aarsager"' in saved.content
    assert latest(version.plan).content_value().causes == "Gæld og hash."


def test_the_same_form_works_without_javascript(client, socialraadgiver, version, sag):
    login(client, socialraadgiver)
    response = client.post(url("section_edit", sag, "aarsager"), as_form(version, causes="Uden JS.", stance="", note=""))
    assert response.status_code == 302 and response["Location"].endswith("#sektion-aarsager")
    assert latest(version.plan).content_value().causes == "Uden JS."


def test_cancel_in_htmx_asks_the_plan_page_for_the_section_alone(client, socialraadgiver, version, sag):
    login(client, socialraadgiver)
    partial = client.get(url("plan", sag, query="?del=assessment_overall"), headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b'id="sektion-vurdering-helhed"' in partial.content
    # Without the header the page is the whole page.
    assert b"<html" in client.get(url("plan", sag, query="?del=assessment_overall")).content


def test_a_section_form_with_errors_comes_back_with_them(client, socialraadgiver, version, sag):
    login(client, socialraadgiver)
    response = client.post(
        url("section_edit", sag, "deltagelse"), as_form(version, status="declined", reason=""),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and b"<form" in response.content
    assert "Sig, hvorfor klienten ikke deltog" in response.content.decode()


def test_a_stale_form_is_refused_and_says_so(client, socialraadgiver, kollega, version, sag):
    services.plan_section_update(actor=kollega, version=version, revision=version.revision, section="causes",
                                 data={"causes": "Kollegaens."})
    login(client, socialraadgiver)
    response = client.post(url("section_edit", sag, "aarsager"), as_form(version, causes="Min.", stance="", note=""))
    # The conflict page (test_concurrent_edit.py): both texts, nothing saved over the colleague's.
    assert response.status_code == 409
    assert "En anden har gemt dette afsnit" in response.content.decode()
    assert latest(version.plan).content_value().causes == "Kollegaens."


def test_the_description_of_a_life_area_is_edited_entry_by_entry(client, socialraadgiver, version, sag):
    login(client, socialraadgiver)
    entry = version.content_value().description[0]
    data = as_form(version, **management("entries", 2, 1), **{
        "entries-0-key": entry.key, "entries-0-from_intake_interview": "on", "entries-0-on": "2026-11-24",
        "entries-0-text": "Lejligheden er sagt op.", "entries-1-on": "2026-11-23", "entries-1-text": "Ny oplysning.",
    })
    response = client.post(url("description_edit", sag, "bolig"), data, headers={"HX-Request": "true"})
    assert response.status_code == 200 and b'id="beskrivelse-bolig"' in response.content and b"<html" not in response.content
    texts = [(e.key, e.text) for e in latest(version.plan).content_value().description]
    assert texts == [("e1", "Lejligheden er sagt op."), ("e2", "Ny oplysning.")]


def test_an_entry_is_added_to_a_life_area(client, socialraadgiver, version, sag):
    login(client, socialraadgiver)
    assert b'value="housing" selected' in client.get(url("entry_add", sag, query="?omraade=bolig")).content
    response = client.post(url("entry_add", sag), as_form(version, area="finances", on="2026-11-20", text="Gæld til SKAT."))
    assert response.status_code == 302 and response["Location"].endswith("#beskrivelse-oekonomi")
    assert latest(version.plan).content_value().entries_for("finances")[0].text == "Gæld til SKAT."


def test_partners_with_the_municipalitys_coordination(client, socialraadgiver, version, sag):
    login(client, socialraadgiver)
    data = as_form(version, **management("partners", 1), **{
        "partners-0-name": "Mette Dahl", "partners-0-organisation": "Guldborgsund Kommune",
        "partners-0-email": "mette@guldborgsund.dk", "partners-0-is_municipality": "on",
        "partners-0-client_covered": "yes", "partners-0-consent_given": "yes", "partners-0-contacted_on": "2026-11-20",
        "partners-0-followed_up": "",
    })
    response = client.post(url("section_edit", sag, "samarbejdspartnere"), data)
    assert response.status_code == 302
    partner = latest(version.plan).content_value().partners[0]
    assert partner.municipality.consent_given is True and partner.municipality.contacted_on == date(2026, 11, 20)
    assert partner.municipality.followed_up is None
    page = client.get(url("plan", sag)).content.decode()
    assert "Kommunen er kontaktet den" in page and "20.11.2026" in page


# -- areas of effort --------------------------------------------------------------------------------


def area_post(version, **overrides):
    data = as_form(version, **management("actions", 2), **{
        "title": "Beskæftigelse", "life_area": "education_employment", "priority": "1",
        "justification": "Klienten har ingen uddannelse.", "goal": "Klienten er i gang med AMU-kursus ved løsladelsen.",
        "sub_goals": "Tal med skolen\nAnsøg om kursus", "stance": "disagrees", "note": "Vil hellere arbejde straks.",
        "coordination": "Med jobcentret.", "evaluation": "Hver tredje måned.",
        "actions-0-what": "Tilmeld værkstedsskolen", "actions-0-who": "client", "actions-0-status": "planned",
        "actions-1-what": "", "actions-1-who": "staff", "actions-1-status": "planned",
        "change_justification": "Drøftet ved samtalen 24.11.", "discussed_with_client": "on",
    })
    data.update(overrides)
    return data


def test_an_area_of_effort_is_added_with_its_actions_and_the_change_is_logged(client, socialraadgiver, version, sag):
    login(client, socialraadgiver)
    response = client.post(url("area_new", sag), area_post(version))
    assert response.status_code == 302 and response["Location"].endswith("#indsats-a2")
    areas = latest(version.plan).content_value().areas
    assert [a.title for a in areas] == ["Beskæftigelse", "Bolig efter løsladelsen"]
    assert areas[0].sub_goals == ("Tal med skolen", "Ansøg om kursus") and len(areas[0].actions) == 1
    assert AreaChange.objects.filter(kind="added", area_key="a2", justification="Drøftet ved samtalen 24.11.").exists()


def test_an_area_change_without_a_justification_or_a_discussion_is_refused(client, socialraadgiver, version, sag):
    login(client, socialraadgiver)
    response = client.post(url("area_new", sag), area_post(version, change_justification="", discussed_with_client=""))
    page = response.content.decode()
    assert response.status_code == 200 and "error-summary" in page
    response = client.post(url("area_new", sag), area_post(version, discussed_with_client=""))
    assert "drøftes med klienten" in response.content.decode()
    assert len(latest(version.plan).content_value().areas) == 1


def test_an_action_not_done_needs_the_reason(client, socialraadgiver, version, sag):
    login(client, socialraadgiver)
    response = client.post(url("area_new", sag), area_post(version, **{"actions-0-status": "not_done"}))
    page = response.content.decode()
    assert response.status_code == 200 and "Sig, hvorfor det ikke blev gjort" in page


def test_an_area_of_effort_is_changed_and_removed(client, socialraadgiver, version, sag):
    login(client, socialraadgiver)
    form = client.get(url("area_edit", sag, "a1")).content.decode()
    assert "Bolig efter løsladelsen" in form
    area = version.content_value().areas[0]
    data = area_post(version, title="Bolig", life_area="housing", **{
        "actions-0-key": area.actions[0].key, "actions-0-what": "Ansøg om boligstøtte", "actions-0-status": "done",
    })
    assert client.post(url("area_edit", sag, "a1"), data).status_code == 302
    version = latest(version.plan)
    assert version.content_value().areas[0].title == "Bolig"
    response = client.post(url("area_remove", sag, "a1"), as_form(version, change_justification="Har fået bolig.", discussed_with_client="on"))
    assert response.status_code == 302 and latest(version.plan).content_value().areas == ()


# -- finishing, approval, evaluation, status ----------------------------------------------------------


def test_finishing_the_first_version_completes_the_task(client, socialraadgiver, version, sag):
    login(client, socialraadgiver)
    assert client.post(url("version_finish", sag, 1)).status_code == 302
    assert sag.tasks.get(obligation_id="first_plan").completed_on == TODAY
    assert "Færdig" in client.get(url("plan", sag)).content.decode()


def test_approval_is_requested_and_decided_by_a_colleague(client, socialraadgiver, kollega, version, sag):
    login(client, socialraadgiver)
    assert client.post(url("approval", sag, 1), as_form(version, comment="Til afdelingsmødet")).status_code == 302
    # The one who asked gets the request form, not the decision.
    assert b'name="decision"' not in client.get(url("approval", sag, 1)).content
    login(client, kollega)
    assert b'name="decision"' in client.get(url("approval", sag, 1)).content
    response = client.post(url("approval", sag, 1), as_form(version, decision="send_back", comment=""))
    assert response.status_code == 200 and PlanVersion.objects.get(pk=version.pk).approval_status == "requested"
    client.post(url("approval", sag, 1), as_form(version, decision="approve", comment="Godkendt på mødet."))
    assert PlanVersion.objects.get(pk=version.pk).approval_status == "approved"


def test_an_evaluation_is_recorded_from_the_form(client, socialraadgiver, version, sag):
    login(client, socialraadgiver)
    data = as_form(version, **management("agreements", 3), **{
        "held_on": "2026-11-24", "participants": "Klienten", "description_update": "Status: bolig søgt.",
        "carried_out": "Ansøgning sendt.", "agreements-0-who": "Klienten", "agreements-0-what": "Møde i jobcentret",
        "agreements-0-when": "december",
    })
    assert client.post(url("evaluation", sag), data).status_code == 302
    evaluation = Evaluation.objects.get()
    assert evaluation.task.obligation_id == "plan_evaluation"
    assert "Møde i jobcentret" in client.get(url("plan", sag)).content.decode()


def test_a_status_is_recorded_from_the_form(client, socialraadgiver, version, sag):
    login(client, socialraadgiver)
    assert client.post(url("status", sag), as_form(version, kind="at_release", stated_on="2026-11-24")).status_code == 302
    assert PlanStatus.objects.get().task.obligation_id == "status_at_release"


def test_the_intake_interview_makes_the_plan(client, socialraadgiver, sag):
    login(client, socialraadgiver)
    response = client.post(url("intake_interview", sag), {
        "held_on": "2026-11-20", "participation": "took_part", "area_housing": "Bor hos sin mor.", "causes": "",
    })
    assert response.status_code == 302
    entry = ActionPlan.objects.get(case=sag).versions.get().content_value().description[0]
    assert entry.from_intake_interview and entry.text == "Bor hos sin mor."


# -- versions, comparison, the parole recommendation, the PDF ---------------------------------------------


def test_a_locked_version_offers_the_next_and_its_forms_are_closed(client, socialraadgiver, version, sag):
    with time_machine.travel(TODAY + timedelta(days=30), tick=False):
        login(client, socialraadgiver)  # a session lasts a working day, not a month
        page = client.get(url("plan", sag)).content.decode()
        assert "Version 1 blev låst den 24.12.2026" in page and "Start version 2" in page
        assert url("section_edit", sag, "aarsager") not in page  # no edit links on a locked version
        assert client.get(url("section_edit", sag, "aarsager")).status_code == 302
        htmx = client.get(url("section_edit", sag, "aarsager"), headers={"HX-Request": "true"})
        assert htmx["HX-Redirect"] == url("plan", sag)  # the whole page, not a page inside the section
        response = client.post(url("section_edit", sag, "aarsager"), as_form(version, causes="x", stance="", note=""))
        assert response.status_code == 302  # sent back to the plan, nothing written
        assert client.post(url("version_create", sag)).status_code == 302
        v2 = latest(version.plan)
        assert v2.number == 2 and v2.began_on == TODAY + timedelta(days=30)
        assert url("section_edit", sag, "aarsager") in client.get(url("plan", sag)).content.decode()
    version.refresh_from_db()
    assert version.content_value().causes == ""


def test_starting_the_next_version_twice_starts_it_once(client, socialraadgiver, version, sag):
    login(client, socialraadgiver)
    page = client.get(url("plan", sag)).content.decode()
    assert 'name="number" value="2"' in page  # the button names the version it starts
    assert client.post(url("version_create", sag), {"number": "2"}).status_code == 302
    again = client.post(url("version_create", sag), {"number": "2"}, follow=True)
    assert "Version 2 er allerede påbegyndt." in again.content.decode()
    assert latest(version.plan).number == 2
    version.plan.refresh_from_db()
    assert version.plan.versions.count() == 2


def test_an_earlier_version_is_read_only(client, socialraadgiver, version, sag):
    services.plan_version_create(actor=socialraadgiver, plan=version.plan)
    page = login(client, socialraadgiver).get(url("version", sag, 1)).content.decode()
    assert "tidligere version" in page and url("section_edit", sag, "aarsager") not in page


def test_two_versions_side_by_side_with_the_changes_marked(client, socialraadgiver, version, sag):
    v2 = services.plan_version_create(actor=socialraadgiver, plan=version.plan)
    services.plan_section_update(actor=socialraadgiver, version=v2, revision=v2.revision, section="causes",
                                 data={"causes": "Gæld og hashmisbrug."})
    login(client, socialraadgiver)
    page = client.get(url("compare", sag, query="?a=1&b=2")).content.decode()
    assert "<ins>" in page and "Gæld og hashmisbrug." in page and "Tilføjet" in page
    only = client.get(url("compare", sag, query="?a=1&b=2&kun_aendringer=1")).content.decode()
    assert "Bolig efter løsladelsen" not in only.split("<table")[1] and "Gæld og hashmisbrug." in only
    assert client.get(url("compare", sag, query="?a=1&b=7")).status_code == 404


def test_the_parole_recommendation_draft_is_filled_in_from_the_plan(client, socialraadgiver, version, sag):
    page = login(client, socialraadgiver).get(url("parole_draft", sag)).content.decode()
    assert "Bolig efter løsladelsen" in page and "VEJ pkt. 31" in page and "§ 40 a, stk. 1, nr. 2" in page


def test_the_pdf_of_a_version(client, socialraadgiver, version, sag):
    response = login(client, socialraadgiver).get(url("pdf", sag, 1))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="handleplan-' in response["Content-Disposition"]


def test_only_the_plan_responsible_makes_the_pdf_for_the_client(client, socialraadgiver, kollega, version, sag):
    login(client, kollega)
    assert client.get(url("pdf", sag, 1, query="?for=klient")).status_code == 403
    login(client, socialraadgiver)
    response = client.get(url("pdf", sag, 1, query="?for=klient"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    entry = AuditEntry.objects.filter(action="koreplan.plan_version.pdf_made").order_by("-id").first()
    assert entry.data["for_client"] is True


def test_the_plan_page_asks_for_the_purpose_of_the_pdf(client, socialraadgiver, kollega, version, sag):
    html = login(client, socialraadgiver).get(url("plan", sag)).content.decode()
    at = html.index('id="purpose-pdf"')
    form = html[html.rindex("<form", 0, at) : html.index("</form>", at)]
    assert 'method="get"' in form and f'action="{url("pdf", sag, 1)}"' in form
    assert '<label class="form-label" for="purpose-pdf">Formål</label>' in form and "Valgfrit." in form
    assert 'name="purpose"' in form and 'maxlength="300"' in form
    assert 'name="for" value="klient"' in form  # the plan-responsible may make the client's copy
    assert 'value="klient"' not in login(client, kollega).get(url("plan", sag)).content.decode()
    # The history's PDF link leads to the version's form, not straight to the PDF.
    assert f'href="{url("version", sag, 1)}#purpose-pdf"' in html and f'href="{url("pdf", sag, 1)}"' not in html


def test_the_pdf_submitted_with_a_purpose_records_it(client, socialraadgiver, version, sag):
    login(client, socialraadgiver)
    response = client.get(url("pdf", sag, 1), {"purpose": "Til  kommunens sagsbehandler", "for": "klient"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    entry = AuditEntry.objects.filter(action="koreplan.plan_version.pdf_made").order_by("-id").first()
    assert entry.purpose == "Til kommunens sagsbehandler"
    assert entry.data["for_client"] is True


def test_the_case_link_snippet(socialraadgiver, sag):
    from django.template.loader import render_to_string

    html = render_to_string("plans/_case_link.html", {"case": sag})
    assert f'href="/sager/{sag.pk}/handleplan/"' in html
