"""The pages at /ledelse/: who may see which unit, the cases behind a number, the exports.

Lise (leder) manages Susanne's prison: she sees its figures and gets 403 for another
prison's and for the whole country. Maja and Henrik manage Guldborgsund and Horsens: each
sees their own municipality only. Dorte at the Directorate and Ada the administrator see
every unit. Susanne (a social worker) and Mette (the municipality's entrance) are not
managers: 403 on every dashboard page.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from koreplan.audit.models import AuditEntry
from koreplan.cases.tests.factories import open_case
from koreplan.dashboards.models import StoredFigures

from .conftest import INTAKE, complete

pytestmark = pytest.mark.django_db


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


# --- who may see what ---------------------------------------------------------------------------------


def test_a_manager_sees_their_own_institution(client, leder, faengsel, three_cases):
    response = get(client, leder, "/ledelse/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Storstrøm Fængsel" in html
    assert response.context["scope"].organisation == faengsel


def test_a_manager_gets_403_for_another_institution_and_for_the_country(client, leder, andet_faengsel):
    assert get(client, leder, "/ledelse/", enhed=f"org-{andet_faengsel.pk}").status_code == 403
    assert get(client, leder, "/ledelse/", enhed="land").status_code == 403


@pytest.mark.parametrize("unit", ["org-999999", "region-999999", "nonsense", "org-"])
def test_a_unit_that_does_not_exist_is_an_error_on_the_unit_field(client, admin, unit):
    response = get(client, admin, "/ledelse/", enhed=unit)
    assert response.status_code == 400
    assert response.context["form"].errors == {"enhed": ["Det er ikke en enhed, du kan vælge."]}
    assert 'href="#id_enhed"' in response.content.decode()


def test_a_manager_is_refused_a_unit_that_does_not_exist_as_one_they_may_not_see(client, leder, andet_faengsel):
    """Nothing tells a manager whether another unit exists: the same status, the same words."""
    client.force_login(leder)
    answers = {
        unit: client.get("/ledelse/eksport/forpligtelser.csv", {"enhed": unit})
        for unit in (f"org-{andet_faengsel.pk}", "org-999999", "region-999999", "nonsense", "land")
    }
    assert {r.status_code for r in answers.values()} == {403}
    assert len({r.content for r in answers.values()}) == 1
    assert not any(r.has_header("Content-Disposition") for r in answers.values())


@pytest.mark.parametrize("persona", ["socialraadgiver", "kommune", "kif", "fremmed"])
def test_staff_who_are_not_managers_get_403(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for url in ("/ledelse/", "/ledelse/sager/?tal=task:*:due", "/ledelse/eksport/forpligtelser.csv", "/ledelse/maalepunkter/", "/ledelse/maalepunkter.pdf"):
        assert client.get(url).status_code == 403, url


def test_a_municipal_manager_sees_only_their_municipality(client, kommune_leder, anden_kommune_leder, guldborgsund, horsens, three_cases):
    response = get(client, kommune_leder, "/ledelse/")
    assert response.status_code == 200
    assert response.context["scope"].organisation == guldborgsund
    assert response.context["key_figures"][0]["value"] == 3  # Guldborgsund's three clients
    assert get(client, kommune_leder, "/ledelse/", enhed=f"org-{horsens.pk}").status_code == 403
    response = get(client, anden_kommune_leder, "/ledelse/")
    assert response.context["scope"].organisation == horsens
    assert response.context["key_figures"][0]["value"] == 0
    assert get(client, anden_kommune_leder, "/ledelse/", enhed=f"org-{guldborgsund.pk}").status_code == 403


def test_the_directorate_and_administrators_see_any_unit_and_the_country(client, direktoratet_leder, admin, faengsel, guldborgsund, three_cases):
    for user in (direktoratet_leder, admin):
        response = get(client, user, "/ledelse/")
        assert response.status_code == 200
        assert response.context["scope"].is_national
        assert get(client, user, "/ledelse/", enhed=f"org-{faengsel.pk}").status_code == 200
        assert get(client, user, "/ledelse/", enhed=f"org-{guldborgsund.pk}").status_code == 200


def test_the_menu_shows_management_to_managers_the_directorate_and_administrators(
    client, leder, kommune_leder, direktoratet_leder, admin, socialraadgiver, kommune
):
    for user in (leder, kommune_leder, direktoratet_leder, admin):
        client.force_login(user)
        assert 'href="/ledelse/"' in client.get("/opgaver/").content.decode(), user
    for user in (socialraadgiver, kommune):
        client.force_login(user)
        assert 'href="/ledelse/"' not in client.get("/opgaver/").content.decode(), user


def test_the_page_shows_the_figures_and_links_every_number_to_its_cases(client, leder, three_cases):
    html = get(client, leder, "/ledelse/").content.decode()
    assert "Målepunkter" in html
    assert "tal=task%3Afirst_plan%3Alate" in html
    assert 'role="img"' in html and "<title id=" in html
    view = AuditEntry.objects.filter(action="koreplan.dashboard.viewed").get()
    assert view.actor == leder and view.data["unit"] == f"org-{leder.organisation_id}"


def test_a_wrong_period_is_shown_as_an_error_and_the_default_period_is_used(client, leder, three_cases):
    response = get(client, leder, "/ledelse/", fra="2026-10-01", til="2026-01-01")
    assert response.status_code == 400
    assert response.context["form"].errors["til"]
    assert response.context["scope"].end == response.context["scope"].today


# --- the cases behind a number ----------------------------------------------------------------------------


def test_the_cases_behind_a_number_are_listed_for_a_manager_who_may_see_them(client, leder, three_cases):
    _on_time, late, _missing = three_cases
    response = get(client, leder, "/ledelse/sager/", tal="task:first_plan:late")
    assert response.status_code == 200
    assert [case.pk for case in response.context["cases"]] == [late.pk]
    assert response.context["drilldown"].hidden == 0
    entry = AuditEntry.objects.filter(action="koreplan.dashboard.cases_listed").get()
    assert entry.data["case_ids"] == [late.pk] and entry.data["figure"] == "task:first_plan:late"


def test_the_directorate_is_told_how_many_cases_it_cannot_see(client, direktoratet_leder, three_cases):
    response = get(client, direktoratet_leder, "/ledelse/sager/", tal="task:first_plan:past")
    assert response.status_code == 200
    assert response.context["cases"] == []
    assert response.context["drilldown"].hidden == 3
    html = response.content.decode()
    assert "3 sager mere ligger uden for det, du kan se" in html
    assert "Hansen" not in html


def test_a_municipal_manager_counts_but_never_sees_a_case(client, kommune_leder, three_cases):
    response = get(client, kommune_leder, "/ledelse/sager/", tal="survey:population")
    assert (response.context["drilldown"].total, response.context["cases"]) == (3, [])


def test_a_manager_sees_only_their_own_organisations_cases_behind_a_national_figure(client, admin, leder, fremmed, guldborgsund, three_cases):
    open_case(actor=fremmed, municipality=guldborgsund, intake_on=INTAKE)
    # The country's figure counts four missed first plans' cases; Lise may not ask for it …
    assert get(client, leder, "/ledelse/sager/", enhed="land", tal="task:first_plan:past").status_code == 403
    # … and the administrator sees all four.
    response = get(client, admin, "/ledelse/sager/", enhed="land", tal="task:first_plan:past")
    assert response.context["drilldown"].total == 4 and len(response.context["cases"]) == 4


def heading(response) -> str:
    match = re.search(r'<h2 class="h3" id="result-heading">(.*?)</h2>', response.content.decode(), re.S)
    return " ".join(match.group(1).split())


def test_the_list_says_how_many_tasks_the_number_counts_on_how_many_cases(client, leder, socialraadgiver, three_cases):
    on_time, late, _missing = three_cases
    # In the month the first plan fell due, two late tasks on one case: the dashboard's
    # number is 2, the list holds 1 case.
    complete(socialraadgiver, late, "intake_interview", INTAKE + timedelta(days=20))
    figure = f"task:*:late:{INTAKE + timedelta(days=28):%Y-%m}"
    response = get(client, leder, "/ledelse/sager/", tal=figure)
    assert heading(response) == "Tallet tæller 2 opgaver på 1 sag"
    assert [case.pk for case in response.context["cases"]] == [late.pk]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # as the language switcher sets it
    assert heading(client.get("/ledelse/sager/", {"tal": figure})) == "The figure counts 2 tasks in 1 case"
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    # One task on each case: the number counts cases as much as tasks, and says so plainly.
    assert heading(get(client, leder, "/ledelse/sager/", tal="task:first_plan:past")) == "Tallet tæller 3 sager"
    # The survey counts cases.
    assert heading(get(client, leder, "/ledelse/sager/", tal="survey:population")) == "Tallet tæller 3 sager"


@pytest.mark.parametrize(
    ("unit", "records", "total", "danish", "english"),
    [
        ("tasks", 17, 15, "Tallet tæller 17 opgaver på 15 sager", "The figure counts 17 tasks in 15 cases"),
        ("tasks", 2, 1, "Tallet tæller 2 opgaver på 1 sag", "The figure counts 2 tasks in 1 case"),
        ("handovers", 3, 2, "Tallet tæller 3 overdragelser på 2 sager", "The figure counts 3 hand-overs in 2 cases"),
        ("consents", 2, 1, "Tallet tæller 2 samtykker på 1 sag", "The figure counts 2 consents in 1 case"),
        # A consent can outlive its case: counted, on no case.
        ("consents", 1, 0, "Tallet tæller 1 samtykke på 0 sager", "The figure counts 1 consent in 0 cases"),
        ("requests", 5, 4, "Tallet tæller 5 henvendelser på 4 sager", "The figure counts 5 requests in 4 cases"),
        ("meetings", 2, 1, "Tallet tæller 2 møder på 1 sag", "The figure counts 2 meetings in 1 case"),
        ("outcomes", 1, 0, "Tallet tæller 1 opgørelse på 0 sager", "The figure counts 1 recorded outcome in 0 cases"),
        ("answers", 2, 1, "Tallet tæller 2 svar på 1 sag", "The figure counts 2 answers in 1 case"),
        ("answers", 1, 0, "Tallet tæller 1 svar på 0 sager", "The figure counts 1 answer in 0 cases"),
        # The same number of records as cases, or a figure of cases: the cases alone.
        ("tasks", 1, 1, "Tallet tæller 1 sag", "The figure counts 1 case"),
        ("meetings", 4, 4, "Tallet tæller 4 sager", "The figure counts 4 cases"),
        ("cases", 3, 3, "Tallet tæller 3 sager", "The figure counts 3 cases"),
    ],
)
def test_the_heading_names_the_records_in_the_singular_or_the_plural(unit, records, total, danish, english):
    from django.template.loader import render_to_string
    from django.utils import translation

    from koreplan.dashboards.selectors import Drilldown

    drilldown = Drilldown(page=None, total=total, hidden=0, records=records, unit=unit)
    for language, expected in (("da", danish), ("en", english)):
        with translation.override(language):
            text = " ".join(render_to_string("dashboards/_drilldown_heading.html", {"drilldown": drilldown}).split())
        assert text == expected, language


def test_the_directorate_is_told_the_records_and_the_cases_it_cannot_see(client, direktoratet_leder, socialraadgiver, three_cases):
    _on_time, late, missing = three_cases
    complete(socialraadgiver, late, "intake_interview", INTAKE + timedelta(days=20))
    complete(socialraadgiver, missing, "intake_interview", INTAKE + timedelta(days=20))
    response = get(client, direktoratet_leder, "/ledelse/sager/", enhed="land", tal=f"task:*:late:{INTAKE + timedelta(days=28):%Y-%m}")
    assert heading(response) == "Tallet tæller 3 opgaver på 2 sager"
    assert "2 sager mere ligger uden for det, du kan se" in response.content.decode()


def test_an_unknown_figure_is_404(client, leder):
    assert get(client, leder, "/ledelse/sager/", tal="nothing:at:all").status_code == 404


# --- exports ---------------------------------------------------------------------------------------------------


def test_a_table_as_csv(client, leder, three_cases):
    response = get(client, leder, "/ledelse/eksport/forpligtelser.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="koreplan-forpligtelser-org-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, *body = rows
    assert header[:6] == ["Forpligtelse", "Trin", "Forfaldne", "Rettidigt", "For sent", "Åben, overskredet"]
    first_plan = next(row for row in body if row[1] == "5")
    assert first_plan[2:6] == ["3", "1", "1", "1"]
    assert AuditEntry.objects.filter(action="koreplan.dashboard.exported", data__table="forpligtelser").exists()


def test_a_table_as_excel_and_every_table_in_one_workbook(client, leder, three_cases):
    response = get(client, leder, "/ledelse/eksport/maalepunkter.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert 3 in values  # the first plan: it has come up in three cases
    workbook = load_workbook(io.BytesIO(get(client, leder, "/ledelse/eksport/alle.xlsx").content))
    assert len(workbook.sheetnames) >= 6


@pytest.mark.parametrize("url", ["/ledelse/eksport/ingen.csv", "/ledelse/eksport/forpligtelser.pdf", "/ledelse/eksport/alle.csv"])
def test_an_unknown_export_is_404(client, leder, url):
    assert get(client, leder, url).status_code == 404


def test_a_csv_cell_is_never_read_as_a_formula():
    from koreplan.dashboards.exports import table_csv
    from koreplan.dashboards.tables import Cell, Column, Table

    table = Table("t", "T", [Column("name", "Name", "text")], [[Cell("=HYPERLINK(1)")]])
    assert b"'=HYPERLINK(1)" in table_csv(table)


# --- the Målepunkter report -----------------------------------------------------------------------------------


def test_the_report_prints_and_is_a_pdf(client, leder, three_cases):
    response = get(client, leder, "/ledelse/maalepunkter/")
    assert response.status_code == 200
    assert "report.css" in response.content.decode()
    response = get(client, leder, "/ledelse/maalepunkter.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="koreplan.dashboard.exported", data__format="pdf").exists()


# --- the number of queries does not grow with the number of cases -----------------------------------------------


def queries(client, url) -> int:
    """The queries of the page with its figures computed (none stored): the path that
    grows if an aggregate turns into a query per case."""
    StoredFigures.objects.all().delete()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


PAGES = [
    "/ledelse/",
    "/ledelse/?forpligtelse=first_plan",
    "/ledelse/sager/?tal=task:*:past",
    "/ledelse/sager/?tal=survey:population",
    "/ledelse/eksport/alle.xlsx",
    "/ledelse/eksport/kommuner.csv",
    "/ledelse/maalepunkter/",
    "/ledelse/maalepunkter.pdf",
    "/ledelse/evalueringer/",
]


@pytest.mark.parametrize("persona", ["leder", "admin"])
def test_page_query_counts_stay_constant_with_the_number_of_cases(
    client, request, persona, socialraadgiver, guldborgsund, andet_faengsel, django_assert_max_num_queries
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    case = open_case(actor=socialraadgiver, municipality=guldborgsund, intake_on=INTAKE)
    complete(socialraadgiver, case, "first_plan", INTAKE + timedelta(days=10))
    with_one = {url: queries(client, url) for url in PAGES}
    for n in range(19):
        case = open_case(actor=socialraadgiver, municipality=guldborgsund, intake_on=INTAKE - timedelta(days=n * 9))
        if n % 2:
            complete(socialraadgiver, case, "intake_interview", INTAKE)
    for url, n in with_one.items():
        StoredFigures.objects.all().delete()
        with django_assert_max_num_queries(n):
            assert client.get(url).status_code == 200


# --- a replica ----------------------------------------------------------------------------------------------------


def test_the_figures_are_read_through_the_dashboard_database_alias(settings, leder, faengsel):
    from koreplan.dashboards import selectors
    from koreplan.dashboards.scopes import scope_resolve

    settings.DASHBOARD_DB_ALIAS = "replica"
    scope = scope_resolve(user=leder, unit=f"org-{faengsel.pk}")
    assert scope.alias == "replica"
    # Built, not run: the test database has no replica.
    assert selectors.tasks_in_period(scope).db == "replica"
    assert selectors.handovers_in_period(scope).db == "replica"
    assert selectors.survey_population(scope).db == "replica"
    assert selectors.evaluation_answers_in_scope(scope).db == "replica"
    assert selectors.figure_cases(scope, "task:*:due").db == "replica"
    for queryset in (selectors.consents_in_period, selectors.requests_in_period, selectors.meetings_in_period, selectors.outcomes_in_period):
        assert queryset(scope).db == "replica"


# --- the purpose of an export or a list: a field on the page, recorded in the audit log ------------------


def _form_with(html: str, input_id: str) -> str:
    """The GET form that holds the purpose input ``input_id``."""
    at = html.index(f'id="{input_id}"')
    start = html.rindex("<form", 0, at)
    return html[start : html.index("</form>", at)]


def test_the_dashboard_asks_for_the_purpose_of_every_export(client, leder, three_cases):
    html = get(client, leder, "/ledelse/").content.decode()
    table_form = _form_with(html, "purpose-tabel-forpligtelser")
    assert 'method="get"' in table_form and 'action="/ledelse/eksport/forpligtelser.csv"' in table_form
    assert 'formaction="/ledelse/eksport/forpligtelser.xlsx"' in table_form
    assert '<label class="form-label" for="purpose-tabel-forpligtelser">Formål</label>' in table_form
    assert "Valgfrit. Skrives i logningen" in table_form  # optional, as on the case search
    assert 'name="purpose"' in table_form and 'maxlength="300"' in table_form
    assert 'type="hidden" name="enhed"' in table_form
    reports = _form_with(html, "purpose-reports")
    assert 'action="/ledelse/maalepunkter/"' in reports
    assert 'formaction="/ledelse/maalepunkter.pdf"' in reports and 'formaction="/ledelse/eksport/alle.xlsx"' in reports


def test_an_export_submitted_with_a_purpose_records_it(client, leder, three_cases):
    html = get(client, leder, "/ledelse/").content.decode()
    form = _form_with(html, "purpose-tabel-forpligtelser")
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
    response = client.get("/ledelse/eksport/forpligtelser.xlsx", {**fields, "purpose": "Ledelsesrapport  til direktøren"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    entry = AuditEntry.objects.filter(action="koreplan.dashboard.exported").latest("pk")
    assert entry.purpose == "Ledelsesrapport til direktøren"
    assert entry.data["table"] == "forpligtelser"


def test_the_report_pdf_asks_for_and_records_the_purpose(client, leder, three_cases):
    html = get(client, leder, "/ledelse/maalepunkter/", purpose="Kvartalsmøde").content.decode()
    form = _form_with(html, "purpose-pdf")
    assert 'action="/ledelse/maalepunkter.pdf"' in form and 'value="Kvartalsmøde"' in form
    assert AuditEntry.objects.filter(action="koreplan.dashboard.viewed", purpose="Kvartalsmøde").exists()
    response = client.get("/ledelse/maalepunkter.pdf", {"purpose": "Til styregruppen"})
    assert response.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="koreplan.dashboard.exported", data__format="pdf").latest("pk").purpose == (
        "Til styregruppen"
    )


def test_the_cases_behind_a_figure_ask_for_the_purpose_and_keep_it(client, leder, three_cases):
    html = get(client, leder, "/ledelse/sager/", tal="task:first_plan:late").content.decode()
    form = _form_with(html, "purpose-list")
    assert 'action="/ledelse/sager/"' in form and 'name="tal" value="task:first_plan:late"' in form
    response = client.get("/ledelse/sager/", {"tal": "task:first_plan:late", "purpose": "Opfølgning på frister"})
    assert response.status_code == 200
    assert "purpose=Opf%C3%B8lgning" in response.context["page_query"]
    entry = AuditEntry.objects.filter(action="koreplan.dashboard.cases_listed").latest("pk")
    assert entry.purpose == "Opfølgning på frister"


# --- wrong parameters: every entry point refuses them the same way, naming the field ----------------------

WRONG = [
    pytest.param({"fra": "2026-13-01"}, "fra", "Indtast en gyldig dato.", id="a-date-that-is-not-one"),
    pytest.param({"til": "i går"}, "til", "Indtast en gyldig dato.", id="words-for-a-date"),
    pytest.param({"fra": "2026-10-01", "til": "2026-01-01"}, "til", "Periodens slutning skal ligge samme dag som eller efter dens begyndelse.", id="to-before-from"),
    pytest.param({"enhed": "org-999999"}, "enhed", "Det er ikke en enhed, du kan vælge.", id="an-unknown-unit"),
]

#: Every entry point that reads the scope, but the dashboard (it shows its figures under the
#: errors, tested above): a file, a list of cases or a report for a scope not asked for
#: would be an answer to a question nobody asked.
REFUSING = [
    "/ledelse/sager/?tal=task:*:due",
    "/ledelse/eksport/forpligtelser.csv",
    "/ledelse/eksport/maalepunkter.xlsx",
    "/ledelse/eksport/alle.xlsx",
    "/ledelse/maalepunkter/",
    "/ledelse/maalepunkter.pdf",
]


@pytest.mark.parametrize("url", REFUSING)
@pytest.mark.parametrize(("params", "field", "message"), WRONG)
def test_a_wrong_parameter_is_refused_with_the_field_named_and_nothing_shown(client, admin, three_cases, url, params, field, message):
    path, _sep, query = url.partition("?")
    extra = dict(pair.split("=") for pair in query.split("&")) if query else {}
    response = get(client, admin, path, **extra, **params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert not response.has_header("Content-Disposition")
    assert response.context["form"].errors == {field: [message]}
    html = response.content.decode()
    assert f'href="#id_{field}"' in html and message in html
    assert 'action="/ledelse/"' in html  # the filter, to put it right
    assert not AuditEntry.objects.filter(
        action__in=["koreplan.dashboard.exported", "koreplan.dashboard.viewed", "koreplan.dashboard.cases_listed"]
    ).exists()


@pytest.mark.parametrize(("params", "field", "message"), WRONG)
def test_the_dashboard_shows_a_wrong_parameter_at_its_field(client, admin, three_cases, params, field, message):
    response = get(client, admin, "/ledelse/", **params)
    assert response.status_code == 400
    assert response.context["form"].errors == {field: [message]}
    assert f'href="#id_{field}"' in response.content.decode()


@pytest.mark.parametrize(("params", "field", "message"), WRONG)
def test_computing_again_with_a_wrong_parameter_computes_nothing(client, admin, three_cases, params, field, message):
    client.force_login(admin)
    response = client.post("/ledelse/beregn/?" + "&".join(f"{k}={v}" for k, v in params.items()))
    assert response.status_code == 400
    assert response.context["form"].errors == {field: [message]}
    assert not StoredFigures.objects.exists()
    assert not AuditEntry.objects.filter(action="koreplan.dashboard.recomputed").exists()


def test_an_unknown_case_type_or_obligation_is_an_error_on_its_field(client, leder, three_cases):
    response = get(client, leder, "/ledelse/eksport/alle.xlsx", sagstype="nothing", forpligtelse="nothing")
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"sagstype", "forpligtelse"}
    assert not response.has_header("Content-Disposition")
