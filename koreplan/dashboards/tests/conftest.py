"""The dashboards' personas, beside the project's (root conftest.py): managers of a
municipality and of the Directorate, and a small known population of cases.

Lise (``leder``) manages Susanne's prison; Mads manages another prison; Maja manages
Guldborgsund municipality and Henrik Horsens; Dorte works at the Directorate. The
municipal entrance (``kommune``) and the social worker (``socialraadgiver``) are not
managers.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from koreplan.accounts.models import Role
from koreplan.accounts.tests.factories import UserFactory
from koreplan.cases import services
from koreplan.cases.models import Case, Task
from koreplan.cases.tests.factories import open_case

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
TODAY = date(2026, 11, 24)  # a Tuesday
INTAKE = TODAY - timedelta(days=60)  # first plan due INTAKE + 28 days: passed


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=COPENHAGEN), tick=False):
        yield


@pytest.fixture
def anden_leder(andet_faengsel):
    """Mads, manager at another prison."""
    return UserFactory(username="mads", first_name="Mads", last_name="Juul", organisation=andet_faengsel, role=Role.MANAGER)


@pytest.fixture
def kommune_leder(guldborgsund):
    """Maja, manager at Guldborgsund municipality."""
    return UserFactory(username="maja", first_name="Maja", last_name="Bech", organisation=guldborgsund, role=Role.MANAGER)


@pytest.fixture
def anden_kommune_leder(horsens):
    """Henrik, manager at Horsens municipality."""
    return UserFactory(username="henrik", first_name="Henrik", last_name="Boe", organisation=horsens, role=Role.MANAGER)


@pytest.fixture
def direktoratet_leder(direktoratet):
    """Dorte, manager at the Directorate: national figures, no case of her own."""
    return UserFactory(username="dorte", first_name="Dorte", last_name="Riis", organisation=direktoratet, role=Role.MANAGER)


def task(case: Case, obligation_id: str) -> Task:
    return case.tasks.get(obligation_id=obligation_id, occurrence=1)


def complete(actor, case: Case, obligation_id: str, on: date) -> Task:
    return services.task_complete(actor=actor, task=task(case, obligation_id), completed_on=on)


@pytest.fixture
def three_cases(socialraadgiver, guldborgsund):
    """Three cases admitted 60 days ago at Susanne's prison (Guldborgsund clients): the first
    plan made on time in one, late in one, not yet in the third."""
    cases = [open_case(actor=socialraadgiver, municipality=guldborgsund, intake_on=INTAKE) for _ in range(3)]
    on_time, late, _missing = cases
    due = task(on_time, "first_plan").due_on
    assert due == INTAKE + timedelta(days=28)
    complete(socialraadgiver, on_time, "first_plan", due - timedelta(days=3))
    complete(socialraadgiver, late, "first_plan", due + timedelta(days=5))
    complete(socialraadgiver, on_time, "intake_interview", INTAKE + timedelta(days=7))
    return cases
