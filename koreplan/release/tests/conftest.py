"""The release's test cases: Jens Hansen at Susanne's prison, released at full term on
20 December 2026 (26 days from "today", 24 November 2026); and Per Nielsen, who expects
parole on 1 January 2027, so KIF must be involved (due 6 November: overdue)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from koreplan.cases.tests.factories import open_case
from koreplan.organisations.models import MunicipalDepartment
from koreplan.organisations.tests.factories import MunicipalDepartmentFactory

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
TODAY = date(2026, 11, 24)
RELEASE = date(2026, 12, 20)
PAROLE = date(2027, 1, 1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=COPENHAGEN), tick=False):
        yield


@pytest.fixture
def sag(socialraadgiver, guldborgsund):
    return open_case(
        actor=socialraadgiver, municipality=guldborgsund, sentence="P1Y", intake_on=date(2025, 12, 20), release_on=RELEASE
    )


@pytest.fixture
def proeve(socialraadgiver, guldborgsund):
    return open_case(
        actor=socialraadgiver, municipality=guldborgsund, sentence="P1Y6M", intake_on=date(2025, 8, 1),
        release_on=date(2027, 2, 1), expected_parole_on=PAROLE,
    )


@pytest.fixture
def misbrugscenter(guldborgsund):
    return MunicipalDepartmentFactory(
        municipality=guldborgsund, kind=MunicipalDepartment.Kind.MISBRUGSCENTER, name="Rusmiddelcenter Guldborgsund"
    )


@pytest.fixture
def ydelse(guldborgsund):
    return MunicipalDepartmentFactory(municipality=guldborgsund, kind=MunicipalDepartment.Kind.YDELSE, name="Ydelsescenter")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=COPENHAGEN)
