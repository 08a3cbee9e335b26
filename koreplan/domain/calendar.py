"""Calendar arithmetic as the rules read it (rules.md, "Calendar arithmetic").

Weeks and days are exact day counts; months and years are calendar months. Adding a
month to the 31st lands on the month's last day, and 29 February plus one year is
28 February. Deadlines are never moved off weekends or public holidays: the timeline
only flags them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import holidays

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def add_months(day: date, months: int) -> date:
    """Move ``months`` calendar months (negative moves back), clamping to the month's end."""
    if not months:
        return day
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    month = month0 + 1
    last = _days_in_month(year, month)
    return date(year, month, day.day if day.day <= last else last)


_ISO_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?")


@dataclass(frozen=True, slots=True)
class Period:
    """A length of time in calendar terms: months (a year is twelve) plus days."""

    months: int = 0
    days: int = 0

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read an ISO 8601 date duration (``P4M``, ``P1Y6M``, ``P2W``, ``P30D``).

        Raises ValueError with a message a user can act on.
        """
        if not isinstance(text, str):
            raise ValueError("must be an ISO 8601 duration such as P4M or P1Y6M")
        match = _ISO_DURATION.fullmatch(text.strip())
        if not match or text.strip() == "P":
            if "T" in text:
                raise ValueError(f"{text!r} has a time part; a sentence is given in years, months, weeks or days, such as P4M")
            raise ValueError(f"{text!r} is not an ISO 8601 duration such as P4M, P1Y6M or P30D")
        years, months, weeks, days = (int(g) if g else 0 for g in match.groups())
        return cls(months=years * 12 + months, days=weeks * 7 + days)

    @property
    def is_zero(self) -> bool:
        return not self.months and not self.days

    def after(self, day: date) -> date:
        """``day`` plus this period: months first, then days (as ISO 8601 and dateutil do)."""
        moved = add_months(day, self.months)
        return moved + timedelta(days=self.days) if self.days else moved

    def before(self, day: date) -> date:
        """``day`` minus this period, the same way backwards."""
        moved = add_months(day, -self.months)
        return moved - timedelta(days=self.days) if self.days else moved

    def iso(self) -> str:
        years, months = divmod(self.months, 12)
        parts = [f"{years}Y" if years else "", f"{months}M" if months else "", f"{self.days}D" if self.days else ""]
        return "P" + ("".join(parts) or "0D")

    def __str__(self) -> str:
        return self.iso()


def days(n: int) -> Period:
    return Period(days=n)


def weeks(n: int) -> Period:
    return Period(days=7 * n)


def months(n: int) -> Period:
    return Period(months=n)


def years(n: int) -> Period:
    return Period(months=12 * n)


_HOLIDAYS_BY_YEAR: dict[int, frozenset[date]] = {}


def _danish_public_holidays(year: int) -> frozenset[date]:
    found = _HOLIDAYS_BY_YEAR.get(year)
    if found is None:
        found = _HOLIDAYS_BY_YEAR[year] = frozenset(holidays.country_holidays("DK", years=year))
    return found


def danish_public_holiday_name(day: date) -> str | None:
    """The name of the Danish public holiday on ``day``, if it is one."""
    if day not in _danish_public_holidays(day.year):
        return None
    return holidays.country_holidays("DK", years=day.year, language="da").get(day)


def is_non_working_day(day: date) -> bool:
    """Saturday, Sunday or a Danish public holiday (the ``holidays`` package's calendar)."""
    if day.weekday() >= 5:
        return True
    found = _HOLIDAYS_BY_YEAR.get(day.year)
    return day in (found if found is not None else _danish_public_holidays(day.year))


_DA_MONTHS = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)


def da_date(day: date) -> str:
    """A date as the pages write it ("1. november 2026"), for messages made without Django."""
    return f"{day.day}. {_DA_MONTHS[day.month - 1]} {day.year}"
