"""When a version of an action plan locks, and what the next one starts from (VEJ pkt. 9).

    "Ved den første handleplan låses skemaet efter 30 dage, og efterfølgende versioner
    låses hver 3. måned. Hermed sikres mulighed for løbende justeringer på den aktive
    version af handleplanen."

The first version locks :data:`FIRST` (30 days) after it was created; every later version
:data:`LATER` (3 months, calendar months) after it began. The lengths are the dated
parameters ``plan_first_version_locks_after`` and ``plan_later_version_locks_after``, the
value in force on the day the version began. A version is locked from its lock date on:
the first version, created on 1 March, can be written through 30 March and is locked on
31 March.

Locking follows from time alone — nothing has to run for a version to lock — and from
one event: once a newer version has begun, the older one is closed as well, so that only
the newest version can ever be written. The next version starts as a copy of the one
before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from koreplan.domain.citations import Citation
from koreplan.domain.plan import PlanContent
from koreplan.domain.rules.parameters import DEFAULT_PARAMETERS, ParameterSet

FIRST = "plan_first_version_locks_after"
LATER = "plan_later_version_locks_after"


def _parameter_key(number: int) -> str:
    if number < 1:
        raise ValueError("version numbers start at 1")
    return FIRST if number == 1 else LATER


def locks_on(number: int, began_on: date, *, parameters: ParameterSet = DEFAULT_PARAMETERS) -> date:
    """The day version ``number``, begun (for the first: created) on ``began_on``, locks."""
    value = parameters[_parameter_key(number)].at(began_on)
    return value.value.after(began_on)


def lock_citations(number: int, began_on: date, *, parameters: ParameterSet = DEFAULT_PARAMETERS) -> tuple[Citation, ...]:
    return parameters[_parameter_key(number)].at(began_on).citations


def is_locked(
    number: int,
    began_on: date,
    today: date,
    *,
    superseded: bool = False,
    parameters: ParameterSet = DEFAULT_PARAMETERS,
) -> bool:
    """True once the lock date is reached, or once a newer version has begun."""
    return superseded or today >= locks_on(number, began_on, parameters=parameters)


@dataclass(frozen=True, slots=True)
class VersionLock:
    """A version's lock state on a given day, for display and for the write services."""

    number: int
    began_on: date
    locks_on: date
    locked: bool
    superseded: bool

    @property
    def locked_by_time(self) -> bool:
        return self.locked and not self.superseded

    def days_left(self, today: date) -> int:
        """Whole days the version can still be written (0 when locked)."""
        return 0 if self.locked else (self.locks_on - today).days


def version_lock(
    number: int,
    began_on: date,
    today: date,
    *,
    superseded: bool = False,
    parameters: ParameterSet = DEFAULT_PARAMETERS,
) -> VersionLock:
    until = locks_on(number, began_on, parameters=parameters)
    return VersionLock(number, began_on, until, superseded or today >= until, superseded)


@dataclass(frozen=True, slots=True)
class NextVersion:
    number: int
    began_on: date
    content: PlanContent
    locks_on: date


def next_version(
    previous_number: int | None,
    previous_content: PlanContent | None,
    today: date,
    *,
    parameters: ParameterSet = DEFAULT_PARAMETERS,
) -> NextVersion:
    """The version that begins today: the first (empty), or a copy of the one before.

    The copy is the whole content — description, causes, assessment, areas of effort with
    their running status, partners — which the new plan-responsible then reviews, keeping
    what is still relevant and editing or removing the rest (VEJ pkt. 9, 49).
    """
    number = (previous_number or 0) + 1
    content = previous_content if previous_content is not None else PlanContent()
    # A content value is immutable, so sharing it is a copy; the JSON stored for the new
    # version is written afresh from it.
    return NextVersion(number, today, content, locks_on(number, today, parameters=parameters))
