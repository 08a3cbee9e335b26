"""The figures on small known populations, counted by aggregate queries.

Three cases admitted at Susanne's prison 60 days ago: the first plan made on time in one,
late in one, not at all in the third — 1 / 1 / 1, whoever counts and however.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from koreplan.cases import services
from koreplan.cases.models import CaseParticipation, Handover
from koreplan.cases.tests.factories import open_case
from koreplan.dashboards import selectors
from koreplan.dashboards.models import ChecklistAnswer, ReleaseEvaluation
from koreplan.dashboards.scopes import scope_resolve
from koreplan.organisations.models import Region, RegionMembership

from .conftest import INTAKE, TODAY

pytestmark = pytest.mark.django_db


def counts(figures, obligation):
    c = figures.by_obligation[obligation]
    return (c.on_time, c.late, c.overdue, c.pending)


# --- obligations ---------------------------------------------------------------------------------


def test_first_plan_one_on_time_one_late_one_open_past_its_date(leder, faengsel, three_cases):
    scope = scope_resolve(user=leder, unit=f"org-{faengsel.pk}")
    figures = selectors.obligation_figures(scope)
    assert counts(figures, "first_plan") == (1, 1, 1, 0)
    assert figures.by_obligation["first_plan"].share("on_time") == pytest.approx(1 / 3)
    assert figures.by_obligation["first_plan"].share("late") == pytest.approx(1 / 3)
    assert figures.by_obligation["first_plan"].share("overdue") == pytest.approx(1 / 3)
    # The intake interview: done on time in one case, open past its date in two.
    assert counts(figures, "intake_interview") == (1, 0, 2, 0)


def test_the_monthly_trend_counts_each_task_in_the_month_it_fell_due(leder, faengsel, three_cases):
    scope = scope_resolve(user=leder, unit=f"org-{faengsel.pk}")
    figures = selectors.obligation_figures(scope, obligation="first_plan")
    due_month = (INTAKE + timedelta(days=28)).replace(day=1)
    assert len(figures.by_month) == 12
    assert (figures.by_month[due_month].on_time, figures.by_month[due_month].late, figures.by_month[due_month].overdue) == (1, 1, 1)
    assert sum(c.due for month, c in figures.by_month.items() if month != due_month) == 0


def test_a_task_outside_the_period_is_not_counted(leder, faengsel, three_cases):
    scope = scope_resolve(user=leder, unit=f"org-{faengsel.pk}", start=TODAY - timedelta(days=10), end=TODAY)
    assert "first_plan" not in selectors.obligation_figures(scope).by_obligation


def test_a_closed_case_keeps_what_it_missed_and_drops_what_fell_due_after_it_closed(
    socialraadgiver, leder, faengsel, guldborgsund
):
    case = open_case(actor=socialraadgiver, municipality=guldborgsund, intake_on=INTAKE)
    services.case_close(actor=socialraadgiver, case=case)
    scope = scope_resolve(user=leder, unit=f"org-{faengsel.pk}", start=INTAKE, end=TODAY + timedelta(days=400))
    figures = selectors.obligation_figures(scope)
    # The first plan fell due while the case ran and was never made: missed.
    assert counts(figures, "first_plan") == (0, 0, 1, 0)
    # Obligations that would have fallen due after the case closed lapsed with it.
    assert all(c.pending == 0 for c in figures.by_obligation.values())
    assert "release_meeting" not in figures.by_obligation or figures.by_obligation["release_meeting"].due == 0


# --- units ---------------------------------------------------------------------------------------------


def test_a_municipality_counts_the_cases_of_its_clients(kommune_leder, anden_kommune_leder, guldborgsund, horsens, three_cases):
    own = selectors.obligation_figures(scope_resolve(user=kommune_leder, unit=f"org-{guldborgsund.pk}"))
    assert counts(own, "first_plan") == (1, 1, 1, 0)
    other = selectors.obligation_figures(scope_resolve(user=anden_kommune_leder, unit=f"org-{horsens.pk}"))
    assert other.total.due == 0


def test_another_prison_counts_nothing_of_these(admin, andet_faengsel, three_cases):
    figures = selectors.obligation_figures(scope_resolve(user=admin, unit=f"org-{andet_faengsel.pk}"))
    assert figures.total.due == 0


def test_a_region_is_its_municipalities_on_the_date_of_the_fact(admin, guldborgsund, three_cases):
    sjaelland = Region.objects.create(code="1085", slug="sjaelland", name="Region Sjælland", valid_from=date(2007, 1, 1), valid_to=date(2026, 12, 31))
    oest = Region.objects.create(code="1086", slug="oestdanmark", name="Region Østdanmark", valid_from=date(2027, 1, 1))
    RegionMembership.objects.create(municipality=guldborgsund, region=sjaelland, valid_from=date(2007, 1, 1), valid_to=date(2026, 12, 31))
    RegionMembership.objects.create(municipality=guldborgsund, region=oest, valid_from=date(2027, 1, 1))
    in_2026 = selectors.obligation_figures(scope_resolve(user=admin, unit=f"region-{sjaelland.pk}"))
    assert counts(in_2026, "first_plan") == (1, 1, 1, 0)
    # The same tasks belong to Østdanmark only from 2027: not in a 2026 period.
    assert selectors.obligation_figures(scope_resolve(user=admin, unit=f"region-{oest.pk}")).total.due == 0


def test_the_whole_country_counts_everything(admin, three_cases, fremmed, guldborgsund):
    open_case(actor=fremmed, municipality=guldborgsund, intake_on=INTAKE)
    figures = selectors.obligation_figures(scope_resolve(user=admin, unit="land"))
    assert counts(figures, "first_plan") == (1, 1, 2, 0)


def test_a_case_type_narrows_the_population(admin, three_cases):
    assert selectors.obligation_figures(scope_resolve(user=admin, unit="land", case_type="imprisonment")).total.due > 0
    assert selectors.obligation_figures(scope_resolve(user=admin, unit="land", case_type="parole_supervision")).total.due == 0


# --- Målepunkter --------------------------------------------------------------------------------------


def test_the_survey_counts_cases_as_gl_did(leder, faengsel, three_cases):
    survey = selectors.survey_figures(scope_resolve(user=leder, unit=f"org-{faengsel.pk}"))
    assert survey.population == 3
    first_plan = survey.row("first_plan")
    assert (first_plan.applicable, first_plan.yes, first_plan.no) == (3, 1, 2)
    intake = survey.row("intake_interview")
    assert (intake.applicable, intake.yes) == (3, 1)
    # Parole is far off: KIF's involvement has not come up in any case yet.
    assert survey.row("involve_kif").applicable == 0


def test_the_survey_population_is_the_cases_that_began_in_the_period(leder, faengsel, three_cases):
    survey = selectors.survey_figures(scope_resolve(user=leder, unit=f"org-{faengsel.pk}", start=TODAY - timedelta(days=30), end=TODAY))
    assert survey.population == 0


def test_the_survey_follows_a_case_to_every_organisation_that_held_it(leder, faengsel, three_cases):
    case = three_cases[0]
    case.participations.filter(organisation=faengsel).update(ended_at=timezone.now())
    # An ended participation still puts the case in the organisation's population.
    assert selectors.survey_figures(scope_resolve(user=leder, unit=f"org-{faengsel.pk}")).population == 3


# --- hand-overs ----------------------------------------------------------------------------------------


def test_handovers_wait_a_median_number_of_days(socialraadgiver, leder, faengsel, andet_faengsel, fremmed, guldborgsund):
    cases = [open_case(actor=socialraadgiver, municipality=guldborgsund, intake_on=INTAKE) for _ in range(4)]
    handovers = [
        services.handover_request(actor=socialraadgiver, case=case, kind=Handover.Kind.INSTITUTION, to_organisation=andet_faengsel)
        for case in cases
    ]
    now = timezone.now()
    # Requested 10, 6 and 2 days ago and answered today; the fourth still waits (requested 5 days ago).
    for handover, days in zip(handovers, (10, 6, 2, 5), strict=True):
        Handover.objects.filter(pk=handover.pk).update(requested_at=now - timedelta(days=days))
    for handover in handovers[:3]:
        Handover.objects.filter(pk=handover.pk).update(status=Handover.Status.ACCEPTED, answered_at=now)
    figures = selectors.handover_figures(scope_resolve(user=leder, unit=f"org-{faengsel.pk}"))
    total = figures.total
    assert (total.requested, total.accepted, total.pending) == (4, 3, 1)
    assert total.median_wait == 6
    assert total.median_pending_wait == 5


@pytest.mark.parametrize(
    ("histogram", "median"),
    [({}, None), ({3: 1}, 3), ({1: 1, 3: 1}, 2), ({1: 2, 9: 1}, 1), ({0: 1, 2: 1, 4: 1, 100: 1}, 3)],
)
def test_the_median_of_a_histogram(histogram, median):
    assert selectors.median_of_histogram(histogram) == median


# --- the cases behind a figure -------------------------------------------------------------------------


def test_the_cases_behind_a_figure_are_the_ones_it_counted(leder, faengsel, three_cases):
    scope = scope_resolve(user=leder, unit=f"org-{faengsel.pk}")
    on_time, late, missing = three_cases
    assert set(selectors.figure_cases(scope, "task:first_plan:on_time")) == {on_time.pk}
    assert set(selectors.figure_cases(scope, "task:first_plan:late")) == {late.pk}
    assert set(selectors.figure_cases(scope, "task:first_plan:overdue")) == {missing.pk}
    assert set(selectors.figure_cases(scope, "task:*:missed")) == {on_time.pk, late.pk, missing.pk}
    assert set(selectors.figure_cases(scope, "survey:first_plan:no")) == {late.pk, missing.pk}
    assert set(selectors.figure_cases(scope, "survey:population")) == {c.pk for c in three_cases}


@pytest.mark.parametrize("figure", ["", "task", "task:first_plan:nonsense", "survey:nothing:yes", "handover:x", "task:*:due:2026-13"])
def test_an_unknown_figure_is_refused(leder, faengsel, figure):
    scope = scope_resolve(user=leder, unit=f"org-{faengsel.pk}")
    with pytest.raises(selectors.UnknownFigure):
        list(selectors.figure_cases(scope, figure))


def test_the_directorate_counts_the_cases_but_sees_none_of_them(direktoratet_leder, leder, three_cases):
    scope = scope_resolve(user=direktoratet_leder, unit="land")
    drilldown = selectors.figure_drilldown(user=direktoratet_leder, scope=scope, figure="task:first_plan:past")
    assert (drilldown.total, drilldown.hidden, len(drilldown.page.object_list)) == (3, 3, 0)
    scope = scope_resolve(user=leder, unit=f"org-{leder.organisation_id}")
    drilldown = selectors.figure_drilldown(user=leder, scope=scope, figure="task:first_plan:past")
    assert (drilldown.total, drilldown.hidden, len(drilldown.page.object_list)) == (3, 0, 3)


# --- the evaluation ------------------------------------------------------------------------------------


def test_the_evaluation_summary_ranks_what_fails_most_and_says_where(
    socialraadgiver, kommune, leder, faengsel, guldborgsund, three_cases
):
    case = three_cases[0]
    CaseParticipation.objects.create(case=case, organisation=guldborgsund, part=CaseParticipation.Part.MUNICIPALITY)
    now = timezone.now()
    prison = ReleaseEvaluation.objects.create(case=case, organisation=faengsel, created_by=socialraadgiver, updated_by=socialraadgiver, updated_at=now)
    town = ReleaseEvaluation.objects.create(case=case, organisation=guldborgsund, created_by=kommune, updated_by=kommune, updated_at=now)
    ChecklistAnswer.objects.bulk_create(
        [
            ChecklistAnswer(evaluation=prison, item="6.1", answer="no"),
            ChecklistAnswer(evaluation=town, item="6.1", answer="no"),
            ChecklistAnswer(evaluation=prison, item="8.1", answer="partly"),
            ChecklistAnswer(evaluation=town, item="8.1", answer="yes"),
            ChecklistAnswer(evaluation=prison, item="1", answer="yes"),
        ]
    )
    figures = selectors.evaluation_figures(scope_resolve(user=leder, unit=f"org-{faengsel.pk}"))
    assert (figures.evaluations, figures.cases) == (2, 1)
    assert [item.item for item in figures.items] == ["6.1", "8.1", "1"]
    assert figures.items[0].failing_share == 1
    where = figures.where()
    assert [(item.item, figures.organisations[org], n) for item, org, n in where] == [
        ("6.1", "Guldborgsund", 1),
        ("6.1", "Storstrøm Fængsel", 1),
        ("8.1", "Storstrøm Fængsel", 1),
    ]
    scope = scope_resolve(user=leder, unit=f"org-{faengsel.pk}")
    assert set(selectors.figure_cases(scope, "evaluation:6.1:no")) == {case.pk}
    assert set(selectors.figure_cases(scope, f"evaluation:8.1:failing:{faengsel.pk}")) == {case.pk}


def test_every_number_on_the_page_opens_a_list_of_the_cases_behind_it(admin, socialraadgiver, three_cases):
    from koreplan.dashboards import presentation
    from koreplan.dashboards.tables import COUNT

    Handover.objects.create(
        case=three_cases[0], kind=Handover.Kind.PERSON, from_organisation=socialraadgiver.organisation,
        from_user=socialraadgiver, to_organisation=socialraadgiver.organisation,
    )
    scope = scope_resolve(user=admin, unit="land")
    linked = 0
    for table in presentation.all_tables(scope):
        for row in table.rows:
            for cell, column in zip(row, table.columns, strict=True):
                if column.kind == COUNT and cell.value and not cell.header:
                    assert cell.figure, (table.key, column.key)
                if cell.figure:
                    linked += 1
                    assert list(selectors.figure_cases(scope, cell.figure)), cell.figure
    assert linked > 20
