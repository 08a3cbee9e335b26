"""The evaluation after release (GL Bilag 1): the checklist answered by each organisation
that took part, and its summary on the dashboard.

Susanne's prison held the case and Guldborgsund took part (something was sent to it):
staff of both answer — Mette at the entrance too, though she never sees the case itself.
Frede's prison and Horsens had no part: 404. The administrator reads, but answers for no
organisation.
"""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string

from koreplan.audit.models import AuditEntry
from koreplan.cases import services as case_services
from koreplan.cases.models import CaseParticipation
from koreplan.dashboards import services
from koreplan.dashboards.models import ChecklistAnswer, ReleaseEvaluation
from koreplan.domain import method

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(socialraadgiver, guldborgsund, three_cases):
    """The first of the three cases, released and closed; Guldborgsund took part."""
    case = three_cases[0]
    CaseParticipation.objects.create(case=case, organisation=guldborgsund, part=CaseParticipation.Part.MUNICIPALITY)
    case_services.case_close(actor=socialraadgiver, case=case)
    return case


def url(case) -> str:
    return f"/ledelse/evaluering/{case.pk}/"


ANSWERS = {"svar_1": "yes", "svar_6_1": "no", "kommentar_6_1": "Ingen kendt indgang.", "svar_8_1": "partly", "comment": "God dialog."}


def test_the_prison_answers_the_checklist(client, socialraadgiver, faengsel, released):
    client.force_login(socialraadgiver)
    response = client.get(url(released))
    assert response.status_code == 200
    html = response.content.decode()
    # Every step of the method and every prerequisite is on the form.
    for item in method.CHECKLIST_ITEM_IDS:
        assert f'name="svar_{item.replace(".", "_")}"' in html
    response = client.post(url(released), ANSWERS)
    assert response.status_code == 302
    evaluation = ReleaseEvaluation.objects.get(case=released, organisation=faengsel)
    assert evaluation.comment == "God dialog."
    assert {a.item: (a.answer, a.comment) for a in evaluation.answers.all()} == {
        "1": ("yes", ""),
        "6.1": ("no", "Ingen kendt indgang."),
        "8.1": ("partly", ""),
    }
    entry = AuditEntry.objects.filter(action="koreplan.evaluation.created").get()
    assert entry.case_id == released.pk and entry.data["not_met"] == ["6.1"]


def test_saving_again_replaces_the_answers(client, socialraadgiver, faengsel, released):
    client.force_login(socialraadgiver)
    client.post(url(released), ANSWERS)
    client.post(url(released), {"svar_6_1": "yes"})
    evaluation = ReleaseEvaluation.objects.get(case=released, organisation=faengsel)
    assert list(evaluation.answers.values_list("item", "answer")) == [("6.1", "yes")]
    assert AuditEntry.objects.filter(action="koreplan.evaluation.changed").count() == 1
    # The form shows what was saved.
    html = client.get(url(released)).content.decode()
    assert re.search(r'<input type="radio" name="svar_6_1" value="yes"[^>]* checked>', html)
    assert not re.search(r'<input type="radio" name="svar_1" value="[a-z_]+"[^>]* checked>', html)


def test_the_municipality_answers_too_though_it_never_sees_the_case(client, kommune, guldborgsund, released):
    client.force_login(kommune)
    assert client.get(f"/sager/{released.pk}/").status_code == 404
    assert client.get(url(released)).status_code == 200
    client.post(url(released), {"svar_6_1": "no"})
    assert ReleaseEvaluation.objects.filter(case=released, organisation=guldborgsund).exists()


@pytest.mark.parametrize("persona", ["fremmed", "anden_kommune", "kif"])
def test_an_organisation_without_a_part_gets_404(client, request, persona, released):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(released)).status_code == 404
    assert client.post(url(released), ANSWERS).status_code == 404
    assert client.get("/ledelse/evaluering/999999/").status_code == 404


def test_the_administrator_reads_but_does_not_answer(client, admin, socialraadgiver, released):
    client.force_login(socialraadgiver)
    client.post(url(released), ANSWERS)
    client.force_login(admin)
    response = client.get(url(released))
    assert response.status_code == 200
    assert not response.context["may_answer"]
    assert "Storstrøm Fængsel" in response.content.decode()
    assert client.post(url(released), ANSWERS).status_code == 404


def test_the_evaluation_waits_for_the_release(client, socialraadgiver, three_cases):
    case = three_cases[1]
    client.force_login(socialraadgiver)
    response = client.get(url(case))
    assert response.status_code == 200 and not response.context["may_answer"]
    assert client.post(url(case), ANSWERS).status_code == 404


def test_a_comment_needs_an_answer(client, socialraadgiver, released):
    client.force_login(socialraadgiver)
    response = client.post(url(released), {"kommentar_3_1": "Noget"})
    assert response.status_code == 200
    assert response.context["form"].errors["svar_3_1"]
    assert not ReleaseEvaluation.objects.exists()


def test_the_service_refuses_what_the_checklist_does_not_ask(socialraadgiver, released):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.evaluation_save(actor=socialraadgiver, case=released, answers={"99.9": ("yes", "")})


def test_the_dashboard_sums_up_the_answers(client, socialraadgiver, kommune, leder, released):
    for user in (socialraadgiver, kommune):
        client.force_login(user)
        client.post(url(released), {"svar_6_1": "no", "svar_1": "yes"})
    client.force_login(leder)
    response = client.get("/ledelse/")
    evaluation = response.context["sections"][-1]
    summary, where = evaluation.tables
    assert summary.rows[0][1].value == "6.1"
    assert [row[0].value for row in where.rows] == ["Guldborgsund", "Storstrøm Fængsel"]
    assert ChecklistAnswer.objects.count() == 4


def test_the_list_of_evaluations_to_make(client, socialraadgiver, released, three_cases):
    client.force_login(socialraadgiver)
    response = client.get("/ledelse/evalueringer/")
    assert response.status_code == 200
    assert [case.pk for case in response.context["page"].object_list] == [released.pk]
    client.post(url(released), {"svar_1": "yes"})
    assert list(client.get("/ledelse/evalueringer/").context["page"].object_list) == []


def test_the_case_page_snippet_links_to_the_form(released):
    html = render_to_string("dashboards/_case_evaluation_link.html", {"case": released})
    assert f'href="/ledelse/evaluering/{released.pk}/"' in html
