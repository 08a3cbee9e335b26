"""The facts of a case that the rules read (rules.md, "Case facts"), and their validation.

:func:`parse_facts` turns the JSON of ``CASE.json`` (or the same mapping from the web
application) into a :class:`CaseFacts`, or raises :class:`FactsError` naming the field
and what is wrong with it. Inconsistent facts never produce a timeline.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from koreplan.domain.calendar import Period, da_date
from koreplan.domain.rules.obligations import OBLIGATIONS


class CaseType(StrEnum):
    IMPRISONMENT = "imprisonment"
    REMAND_777 = "remand_777"
    PAROLE_SUPERVISION = "parole_supervision"
    CONDITIONAL_SUPERVISION = "conditional_supervision"
    MEASURE_68_69 = "measure_68_69"
    YOUTH_HOME_DETENTION = "youth_home_detention"


SUPERVISION_TYPES = frozenset(
    {CaseType.PAROLE_SUPERVISION, CaseType.CONDITIONAL_SUPERVISION, CaseType.MEASURE_68_69}
)


class Placement(StrEnum):
    CLOSED_PRISON = "closed_prison"
    OPEN_PRISON = "open_prison"
    ARRESTHUS = "arresthus"
    PENSION = "pension"
    KIF = "kif"


class FactsError(ValueError):
    """A fact that is missing its form or contradicts another; names the field.

    ``message`` is English (the command line); ``message_da`` is what the Danish UI shows.
    """

    def __init__(self, field: str, message: str, message_da: str | None = None):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.message_da = message_da or message


#: The facts' names as a Danish caseworker knows them.
FIELD_LABELS_DA = {
    "case_type": "sagstype",
    "birth_date": "fødselsdato",
    "sentence": "straffens længde",
    "intake_on": "indsættelsesdato",
    "remanded_until_execution_order": "varetægtsfængslet indtil fuldbyrdelsesordre",
    "execution_started_on": "straffens iværksættelse",
    "expected_parole_on": "forventet prøveløsladelse",
    "release_on": "løsladelse efter endt straf",
    "herstedvester_visitation_completed_on": "færdigvisiteret (Herstedvester)",
    "placement": "placering",
    "supervision_started_on": "tilsynets iværksættelse",
    "supervision_ends_on": "tilsynets udløb",
    "admitted_under_judgment": "indlagt i henhold til dom",
    "needs_assistance": "behov for bistand",
    "housing_secured": "sikret bolig",
    "income_secured": "sikret forsørgelse",
    "section_31_leave_possible": "§ 31-udgang mulig",
    "completed": "udført",
}


_EMPTY: Mapping[str, tuple[date, ...]] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class CaseFacts:
    case_type: CaseType
    birth_date: date | None = None
    sentence: Period | None = None
    intake_on: date | None = None
    remanded_until_execution_order: bool | None = None
    execution_started_on: date | None = None
    expected_parole_on: date | None = None
    release_on: date | None = None
    herstedvester_visitation_completed_on: date | None = None
    placement: Placement | None = None
    supervision_started_on: date | None = None
    supervision_ends_on: date | None = None
    admitted_under_judgment: bool | None = None
    needs_assistance: bool | None = None
    housing_secured: bool | None = None
    income_secured: bool | None = None
    section_31_leave_possible: bool | None = None
    #: obligation id → completion dates in order (one for a single obligation).
    completed: Mapping[str, tuple[date, ...]] = field(default_factory=lambda: _EMPTY)

    @property
    def execution_start(self) -> date | None:
        """``execution_started_on``, defaulting to ``intake_on`` as rules.md says."""
        return self.execution_started_on or self.intake_on

    @property
    def expected_release_on(self) -> date | None:
        """T: the expected parole where given, else release at full term."""
        return self.expected_parole_on or self.release_on

    def completed_on(self, obligation_id: str, occurrence: int = 1) -> date | None:
        if not self.completed:
            return None
        dates = self.completed.get(obligation_id)
        if dates and len(dates) >= occurrence:
            return dates[occurrence - 1]
        return None


FIELDS: tuple[str, ...] = tuple(CaseFacts.__dataclass_fields__)  # the contract's field names
_DATE_FIELDS = frozenset(
    {
        "birth_date", "intake_on", "execution_started_on", "expected_parole_on", "release_on",
        "herstedvester_visitation_completed_on", "supervision_started_on", "supervision_ends_on",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "remanded_until_execution_order", "admitted_under_judgment", "needs_assistance",
        "housing_secured", "income_secured", "section_31_leave_possible",
    }
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(value: Any, field_name: str) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise FactsError(field_name, f"must be a date written YYYY-MM-DD, not {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FactsError(field_name, f"{value!r} is not a real date") from None


def _choice(enum: type[StrEnum], value: Any, field_name: str) -> StrEnum:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise FactsError(field_name, f"must be one of {allowed}, not {value!r}") from None


def _completed(value: Any) -> Mapping[str, tuple[date, ...]]:
    if not isinstance(value, Mapping):
        raise FactsError("completed", "must be an object from obligation id to a date or a list of dates")
    parsed: dict[str, tuple[date, ...]] = {}
    for obligation_id, raw in value.items():
        name = f"completed.{obligation_id}"
        rule = OBLIGATIONS.get(obligation_id)
        if rule is None:
            raise FactsError(name, "no such obligation id")
        if raw is None:
            continue
        raw_dates = raw if isinstance(raw, list) else [raw]
        dates = tuple(parse_date(item, name) for item in raw_dates)
        if len(dates) > 1 and not rule.recurring:
            raise FactsError(name, "is done once; give one date")
        if any(later < earlier for earlier, later in zip(dates, dates[1:])):
            raise FactsError(name, "the dates must be in order, earliest first")
        if dates:
            parsed[obligation_id] = dates
    return MappingProxyType(parsed)


def parse_facts(data: Any, *, today: date) -> CaseFacts:
    """Read and check case facts; raise :class:`FactsError` on the first problem."""
    if not isinstance(data, Mapping):
        raise FactsError("CASE", "must be a JSON object of case facts")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise FactsError(unknown[0], f"unknown field (the fields are: {', '.join(FIELDS)})")
    if data.get("case_type") is None:
        raise FactsError("case_type", "is required")

    values: dict[str, Any] = {}
    for name, raw in data.items():
        if raw is None:
            continue
        if name == "case_type":
            values[name] = _choice(CaseType, raw, name)
        elif name == "placement":
            values[name] = _choice(Placement, raw, name)
        elif name in _DATE_FIELDS:
            values[name] = parse_date(raw, name)
        elif name in _BOOL_FIELDS:
            if not isinstance(raw, bool):
                raise FactsError(name, f"must be true or false, not {raw!r}")
            values[name] = raw
        elif name == "sentence":
            try:
                values[name] = Period.parse(raw)
            except ValueError as error:
                raise FactsError(
                    name, str(error), "skal angives som år, måneder, uger eller dage (ISO 8601, fx P4M eller P1Y6M)"
                ) from None
            if values[name].is_zero:
                raise FactsError(name, "must be longer than zero", "skal være længere end nul")
        elif name == "completed":
            values[name] = _completed(raw)
    facts = CaseFacts(**values)
    check_consistency(facts, today=today)
    return facts


def _must_not_precede(facts: CaseFacts, later: str, earlier: str, later_value=None, earlier_value=None) -> None:
    a = getattr(facts, later) if later_value is None else later_value
    b = getattr(facts, earlier) if earlier_value is None else earlier_value
    if a is not None and b is not None and a < b:
        raise FactsError(
            later,
            f"{a.isoformat()} is before {earlier} {b.isoformat()}",
            f"{FIELD_LABELS_DA[later].capitalize()} ({da_date(a)}) ligger før {FIELD_LABELS_DA[earlier]} ({da_date(b)}).",
        )


def check_consistency(facts: CaseFacts, *, today: date) -> None:
    """Reject facts that contradict each other or the calendar."""
    if facts.birth_date is not None and facts.birth_date > today:
        raise FactsError(
            "birth_date",
            f"{facts.birth_date.isoformat()} lies in the future (today is {today.isoformat()})",
            f"Fødselsdatoen ({da_date(facts.birth_date)}) ligger i fremtiden.",
        )
    _must_not_precede(facts, "intake_on", "birth_date")
    _must_not_precede(facts, "execution_started_on", "birth_date")
    _must_not_precede(facts, "release_on", "intake_on")
    _must_not_precede(facts, "release_on", "execution_started_on")
    _must_not_precede(facts, "expected_parole_on", "intake_on")
    _must_not_precede(facts, "expected_parole_on", "execution_started_on")
    if facts.expected_parole_on and facts.release_on and facts.expected_parole_on > facts.release_on:
        raise FactsError(
            "expected_parole_on",
            f"{facts.expected_parole_on.isoformat()} is after release_on {facts.release_on.isoformat()}",
            f"Forventet prøveløsladelse ({da_date(facts.expected_parole_on)}) ligger efter løsladelse efter endt "
            f"straf ({da_date(facts.release_on)}).",
        )
    if facts.remanded_until_execution_order:
        _must_not_precede(facts, "execution_started_on", "intake_on")
    _must_not_precede(facts, "herstedvester_visitation_completed_on", "intake_on")
    _must_not_precede(facts, "supervision_ends_on", "supervision_started_on")
    _must_not_precede(facts, "supervision_started_on", "birth_date")
