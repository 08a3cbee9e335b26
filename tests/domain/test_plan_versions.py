"""When a version of the plan locks (VEJ pkt. 9), read as a lawyer would."""

from datetime import date

import pytest

from koreplan.domain.calendar import days
from koreplan.domain.plan import LifeArea, PlanContent, with_entry
from koreplan.domain.plan_versions import is_locked, lock_citations, locks_on, next_version, version_lock
from koreplan.domain.rules.parameters import DEFAULT_PARAMETERS


@pytest.mark.parametrize(
    ("created_on", "locks"),
    [
        (date(2026, 3, 1), date(2026, 3, 31)),
        # 30 days are days, not a month: across February's end …
        (date(2026, 1, 31), date(2026, 3, 2)),
        (date(2028, 1, 31), date(2028, 3, 1)),  # … and in a leap year
        (date(2026, 12, 15), date(2027, 1, 14)),  # across the new year
    ],
)
def test_the_first_version_locks_30_days_after_it_was_created(created_on, locks):
    assert locks_on(1, created_on) == locks


@pytest.mark.parametrize(
    ("began_on", "locks"),
    [
        (date(2026, 2, 10), date(2026, 5, 10)),
        # Three calendar months from the 30th or 31st land on the month's last day.
        (date(2025, 11, 30), date(2026, 2, 28)),
        (date(2027, 11, 30), date(2028, 2, 29)),
        (date(2026, 3, 31), date(2026, 6, 30)),
        (date(2026, 10, 31), date(2027, 1, 31)),
    ],
)
@pytest.mark.parametrize("number", [2, 3, 17])
def test_every_later_version_locks_three_months_after_it_began(number, began_on, locks):
    assert locks_on(number, began_on) == locks


def test_a_version_can_be_written_through_the_day_before_its_lock_date_and_not_on_it():
    created = date(2026, 3, 1)
    assert not is_locked(1, created, date(2026, 3, 30))
    assert is_locked(1, created, date(2026, 3, 31))
    assert is_locked(1, created, date(2027, 1, 1))


def test_a_version_is_closed_once_a_newer_one_has_begun_even_before_its_lock_date():
    assert is_locked(1, date(2026, 3, 1), date(2026, 3, 2), superseded=True)
    state = version_lock(1, date(2026, 3, 1), date(2026, 3, 2), superseded=True)
    assert state.locked and state.superseded and not state.locked_by_time
    assert state.locks_on == date(2026, 3, 31)


def test_days_left_counts_the_days_the_version_can_still_be_written():
    state = version_lock(1, date(2026, 3, 1), date(2026, 3, 29))
    assert state.days_left(date(2026, 3, 29)) == 2
    assert version_lock(1, date(2026, 3, 1), date(2026, 4, 1)).days_left(date(2026, 4, 1)) == 0


def test_the_lengths_are_the_dated_parameters_with_their_citation():
    assert [str(c) for c in lock_citations(1, date(2026, 1, 1))] == ["VEJ pkt. 9"]
    assert [str(c) for c in lock_citations(2, date(2026, 1, 1))] == ["VEJ pkt. 9"]
    # A different value in force (say, a later guidance) is read from the parameters.
    changed = DEFAULT_PARAMETERS.with_overrides(
        {"plan_first_version_locks_after": days(14)}, agreement="test", effective_from=date(2030, 1, 1)
    )
    assert locks_on(1, date(2029, 12, 1), parameters=changed) == date(2029, 12, 31)
    assert locks_on(1, date(2030, 1, 1), parameters=changed) == date(2030, 1, 15)


def test_version_numbers_start_at_one():
    with pytest.raises(ValueError):
        locks_on(0, date(2026, 1, 1))


def test_the_first_version_starts_empty_and_the_next_as_a_copy_of_the_one_before():
    first = next_version(None, None, date(2026, 3, 1))
    assert (first.number, first.began_on, first.content) == (1, date(2026, 3, 1), PlanContent())
    assert first.locks_on == date(2026, 3, 31)

    written = with_entry(first.content, area=LifeArea.HOUSING, on=date(2026, 3, 2), text="Bor hos sin mor.")
    second = next_version(1, written, date(2026, 4, 2))
    assert second.number == 2 and second.content == written
    assert second.locks_on == date(2026, 7, 2)


def test_the_plan_modules_import_no_django():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import koreplan.domain.plan, koreplan.domain.plan_versions\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
