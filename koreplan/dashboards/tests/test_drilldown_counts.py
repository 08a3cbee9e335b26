"""The list behind a number counts what the number counts.

Most figures count records — tasks, hand-overs, consents, requests, meetings, outcomes,
evaluation answers — and a case can have several of them, so the list behind a number of
17 late tasks may hold 15 cases. The list says both, and its count of records must be the
number the manager clicked: the value of the cell on the dashboard, read from the stored
figures (``precomputed``) as the page reads them.

The population is generated (a seeded random mix of tasks done on time, late or not at
all, a closed case whose later tasks lapsed, several hand-overs, consents, requests,
meetings and evaluation answers on one case), so that many cells count more records than
cases.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from koreplan.cases.models import Case, CaseParticipation, Handover, Task
from koreplan.cases.tests.factories import open_case
from koreplan.dashboards import precomputed, presentation, selectors
from koreplan.dashboards.models import ChecklistAnswer, ReleaseEvaluation, StoredFigures
from koreplan.dashboards.scopes import scope_resolve
from koreplan.dashboards.tables import COUNT

from .conftest import INTAKE, TODAY
from .test_partner_figures import at, consent
from .test_partner_figures import request as municipal_request

pytestmark = pytest.mark.django_db


def _generate(socialraadgiver, fremmed, kommune, guldborgsund, andet_faengsel) -> list[Case]:
    rng = random.Random(20261124)
    cases = [
        open_case(actor=socialraadgiver, municipality=guldborgsund, intake_on=INTAKE - timedelta(days=rng.randrange(0, 90)))
        for _ in range(7)
    ] + [open_case(actor=fremmed, municipality=guldborgsund, intake_on=INTAKE - timedelta(days=30)) for _ in range(2)]
    for task in Task.objects.filter(case__in=cases, due_on__lt=TODAY):
        fate = rng.choice(("on_time", "late", "late", "open"))
        if fate != "open":
            delay = rng.randrange(1, 20) if fate == "late" else -rng.randrange(0, 5)
            Task.objects.filter(pk=task.pk).update(completed_on=min(task.due_on + timedelta(days=delay), TODAY))
    # A case closed before its first plan fell due: the intake interview not held stays
    # missed, and the tasks that fell due after the case closed lapsed with it.
    closed = cases[-1]
    closed_on = Task.objects.get(case=closed, obligation_id="first_plan", occurrence=1).due_on - timedelta(days=3)
    closed.tasks.filter(Q(due_on__gte=closed_on) | Q(obligation_id="intake_interview")).update(completed_on=None)
    Case.objects.filter(pk=closed.pk).update(status=Case.Status.CLOSED, closed_at=at(closed_on, 12))

    now = timezone.now()
    first, second = cases[0], cases[1]
    for case, status, days in ((first, "accepted", 40), (first, "accepted", 12), (first, "requested", 3), (second, "requested", 8)):
        Handover.objects.create(
            case=case, kind=Handover.Kind.INSTITUTION, from_organisation=socialraadgiver.organisation,
            from_user=socialraadgiver, to_organisation=andet_faengsel, status=status,
            requested_at=now - timedelta(days=days), answered_at=now if status == "accepted" else None,
        )

    # Two organisations answer the checklist of the same case.
    CaseParticipation.objects.create(case=first, organisation=guldborgsund, part=CaseParticipation.Part.MUNICIPALITY)
    prison = ReleaseEvaluation.objects.create(case=first, organisation=socialraadgiver.organisation, created_by=socialraadgiver, updated_by=socialraadgiver, updated_at=now)
    town = ReleaseEvaluation.objects.create(case=first, organisation=guldborgsund, created_by=kommune, updated_by=kommune, updated_at=now)
    other = ReleaseEvaluation.objects.create(case=second, organisation=socialraadgiver.organisation, created_by=socialraadgiver, updated_by=socialraadgiver, updated_at=now)
    ChecklistAnswer.objects.bulk_create(
        [
            ChecklistAnswer(evaluation=prison, item="6.1", answer="no"),
            ChecklistAnswer(evaluation=town, item="6.1", answer="no"),
            ChecklistAnswer(evaluation=other, item="6.1", answer="partly"),
            ChecklistAnswer(evaluation=prison, item="8.1", answer="yes"),
            ChecklistAnswer(evaluation=town, item="8.1", answer="yes"),
        ]
    )

    if apps.is_installed("koreplan.consent"):
        consent(first, socialraadgiver, recipient=guldborgsund)
        consent(first, socialraadgiver, recipient=guldborgsund, purposes=("case_files", "coordination"), given_on=TODAY - timedelta(days=70))
        consent(second, socialraadgiver, recipient=guldborgsund, decision="refused")
        # A consent outlives its case (the case set to null): counted by the figure, behind no case.
        orphan = consent(second, socialraadgiver, recipient=guldborgsund, purposes=("release_planning",))
        type(orphan).objects.filter(pk=orphan.pk).update(case=None)
    if apps.is_installed("koreplan.coordination"):
        municipal_request(first, socialraadgiver, sent_days_ago=30)
        municipal_request(first, socialraadgiver, kind="case_files", sent_days_ago=25)
        municipal_request(first, socialraadgiver, kind="intake_notice", sent_days_ago=50)
        municipal_request(second, socialraadgiver, sent_days_ago=10)
    if apps.is_installed("koreplan.release"):
        from koreplan.release.models import Meeting, ReleaseOutcome

        # One release meeting per case, but as many appointments on release day as needed.
        for case, kind, status, days in (
            (first, "release_day", "held", -20), (first, "release_day", "held", -5), (second, "release_day", "held", -9),
            (first, "release_meeting", "held", -30), (second, "release_meeting", "planned", 4),
        ):
            day = TODAY + timedelta(days=days)
            Meeting.objects.create(
                case=case, kind=kind, status=status, held_on=day if status == "held" else None,
                purpose="housing" if kind == "release_day" else "", municipality=guldborgsund if kind == "release_day" else None,
                starts_at=at(day), ends_at=at(day, 11), created_by=socialraadgiver, updated_by=socialraadgiver,
            )
        for case, moment, housing in ((first, "at_release", "none"), (first, "after_four_weeks", "own"), (second, "at_release", "own")):
            ReleaseOutcome.objects.create(
                case=case, moment=moment, recorded_on=TODAY - timedelta(days=2), housing=housing, income_from_day_one=True,
                employment_or_education=False, treatment="not_needed", released_to_street=housing == "none",
                recorded_by=socialraadgiver,
            )
    return cases


def _count_cells(figures: dict, obligation: str):
    """(table, column, value, figure) for every count on the page that links to a list."""
    for section in presentation.sections(figures, obligation):
        for table in section.tables:
            for row in table.rows:
                for cell, column in zip(row, table.columns, strict=True):
                    if column.kind == COUNT and cell.figure and not cell.header:
                        yield table.key, column.key, cell.value, cell.figure
    for key_figure in presentation.key_figures(figures):
        if key_figure["kind"] == COUNT and key_figure["figure"]:
            yield "key", key_figure["label"], key_figure["value"], key_figure["figure"]


@pytest.mark.parametrize(("persona", "unit", "obligation"), [("admin", "land", ""), ("leder", "own", "first_plan")])
def test_the_records_behind_every_number_are_the_number(
    request, persona, unit, obligation, socialraadgiver, fremmed, kommune, guldborgsund, andet_faengsel
):
    _generate(socialraadgiver, fremmed, kommune, guldborgsund, andet_faengsel)
    user = request.getfixturevalue(persona)
    scope = scope_resolve(user=user, unit=f"org-{user.organisation_id}" if unit == "own" else unit)
    StoredFigures.objects.all().delete()
    precomputed.figures_get(scope, obligation)
    # The numbers as the page shows them: read back from the stored figures.
    figures = precomputed.figures_stored(scope, obligation).figures

    checked: Counter[str] = Counter()
    more_records_than_cases: Counter[str] = Counter()
    for table, column, value, figure in _count_cells(figures, obligation):
        drilldown = selectors.figure_drilldown(user=user, scope=scope, figure=figure)
        assert drilldown.records == value, (table, column, figure, drilldown.records, value)
        kind = figure.split(":")[0]
        checked[kind] += 1
        if drilldown.records != drilldown.total:
            more_records_than_cases[kind] += 1
            assert drilldown.counts_records and drilldown.unit == selectors.FIGURE_UNITS[kind], figure
        if kind == "survey":
            assert drilldown.records == drilldown.total and not drilldown.counts_records, figure

    kinds = {"task", "handover", "evaluation", "survey"}
    partners = {"consent": "consent", "coordination": "request", "release": "meeting"}
    kinds |= {kind for app, kind in partners.items() if apps.is_installed(f"koreplan.{app}")}
    assert kinds <= set(checked), checked
    # The generated data are meant to put several records on one case: without that the
    # comparison above could not tell records from cases.
    assert {"task", "handover", "evaluation"} <= set(more_records_than_cases), more_records_than_cases
    if persona == "admin":
        assert kinds - {"survey"} <= set(more_records_than_cases), more_records_than_cases
