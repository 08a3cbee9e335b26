from datetime import date

import pytest

from koreplan.domain.calendar import Period, add_months, da_date, is_non_working_day


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 5, 15), -17, date(2024, 12, 15)),
    ],
)
def test_month_arithmetic_clamps_to_the_months_last_day(start, months, expected):
    assert add_months(start, months) == expected


def test_leap_day_plus_and_minus_a_year_is_the_28th():
    assert Period.parse("P1Y").after(date(2024, 2, 29)) == date(2025, 2, 28)
    assert Period.parse("P1Y").before(date(2024, 2, 29)) == date(2023, 2, 28)


@pytest.mark.parametrize(
    ("text", "months", "days"),
    [("P4M", 4, 0), ("P1Y6M", 18, 0), ("P30D", 0, 30), ("P2W", 0, 14), ("P1Y2M3W4D", 14, 25)],
)
def test_iso_durations(text, months, days):
    assert Period.parse(text) == Period(months=months, days=days)


@pytest.mark.parametrize("text", ["P4X", "4 months", "P", "PT4H", "", "p4m", "P-1M"])
def test_invalid_durations_are_refused(text):
    with pytest.raises(ValueError):
        Period.parse(text)


def test_months_first_then_days():
    assert Period.parse("P1M1D").after(date(2026, 1, 31)) == date(2026, 3, 1)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 25), True),  # Juledag
        (date(2026, 4, 3), True),  # Langfredag
        (date(2027, 1, 1), True),  # Nytårsdag
        (date(2026, 5, 14), True),  # Kristi himmelfartsdag
        (date(2026, 11, 28), True),  # a Saturday
        (date(2026, 11, 29), True),  # a Sunday
        (date(2026, 11, 24), False),  # an ordinary Tuesday
        (date(2026, 5, 1), False),  # Store bededag was abolished from 2024; 1 May is no public holiday
    ],
)
def test_non_working_days_follow_the_danish_calendar(day, expected):
    assert is_non_working_day(day) is expected


@pytest.mark.parametrize(
    ("day", "written"),
    [(date(2026, 11, 1), "1. november 2026"), (date(2025, 1, 5), "5. januar 2025"), (date(2027, 5, 31), "31. maj 2027")],
)
def test_a_date_in_a_message_is_written_as_the_pages_write_it(day, written):
    assert da_date(day) == written
