"""Facts → obligations: the roadmap of a case (rules.md, "Obligations" and "The timeline contract").

:func:`compute_timeline` is the one implementation behind the ``koreplan timeline``
command, the case page, the worklists, the reminders and the dashboards. It is a pure
function of the facts, the date that counts as today (only for ``status``) and a
parameter set (the law's values, or a local agreement's).

Readings of rules.md that the text leaves open are documented in ``docs/rules.md``
under "Readings"; each was chosen to serve the person in prison.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, NamedTuple

from koreplan.domain.calendar import Period, is_non_working_day
from koreplan.domain.citations import Citation, cirk, vej
from koreplan.domain.facts import SUPERVISION_TYPES, CaseFacts, CaseType, Placement
from koreplan.domain.rules.obligations import OBLIGATIONS, Who
from koreplan.domain.rules.parameters import DEFAULT_PARAMETERS, ParameterSet, ParameterValue

#: "due_soon" means due within this many days (the timeline contract).
DUE_SOON_DAYS = 14


class Status(StrEnum):
    DONE = "done"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    UPCOMING = "upcoming"


def status_of(due_on: date, completed_on: date | None, today: date) -> Status:
    if completed_on is not None:
        return Status.DONE
    if due_on < today:
        return Status.OVERDUE
    if (due_on - today).days <= DUE_SOON_DAYS:
        return Status.DUE_SOON
    return Status.UPCOMING


class Obligation(NamedTuple):
    """One obligation of a case (an occurrence, for recurring ones).

    A NamedTuple rather than a frozen dataclass: as immutable, and several times cheaper
    to create — the timeline makes millions of these in a nightly recalculation.
    """

    id: str
    occurrence: int
    who: Who
    due_on: date
    asap: bool
    assumed: bool
    non_working_day: bool
    status: Status
    completed_on: date | None
    step: str | None
    legal_basis: tuple[Citation, ...]
    title_da: str
    title_en: str

    def title(self, lang: str) -> str:
        return self.title_da if lang == "da" else self.title_en

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "occurrence": self.occurrence,
            "who": self.who.value,
            "due_on": self.due_on.isoformat(),
            "asap": self.asap,
            "assumed": self.assumed,
            "non_working_day": self.non_working_day,
            "status": self.status.value,
            "completed_on": self.completed_on.isoformat() if self.completed_on else None,
            "step": self.step,
            "legal_basis": [str(c) for c in self.legal_basis],
            "title_da": self.title_da,
            "title_en": self.title_en,
        }


@dataclass(frozen=True, slots=True)
class Warning:
    """A fact whose absence made a rule fall back; ``field`` names it."""

    field: str
    en: str
    da: str

    def text(self, lang: str) -> str:
        return f"{self.field}: {self.da if lang == 'da' else self.en}"


@dataclass(frozen=True, slots=True)
class Timeline:
    plan_required: bool
    roadmap_applies: bool
    release_meeting_recommended: bool
    municipal_coordination_applies: bool
    expected_release_on: date | None
    obligations: tuple[Obligation, ...]
    warnings: tuple[Warning, ...]

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "plan_required": self.plan_required,
            "roadmap_applies": self.roadmap_applies,
            "release_meeting_recommended": self.release_meeting_recommended,
            "municipal_coordination_applies": self.municipal_coordination_applies,
            "expected_release_on": self.expected_release_on.isoformat() if self.expected_release_on else None,
            "obligations": [o.to_dict() for o in self.obligations],
            "warnings": [w.text(lang) for w in self.warnings],
        }


class _Builder:
    """Collects the obligations of one case; knows today, the parameters and the facts."""

    __slots__ = ("facts", "today", "p", "obligations", "warnings")

    def __init__(self, facts: CaseFacts, today: date, parameters: dict[str, ParameterValue]):
        self.facts = facts
        self.today = today
        self.p = parameters
        self.obligations: list[Obligation] = []
        self.warnings: list[Warning] = []

    def warn(self, field: str, en: str, da: str) -> None:
        self.warnings.append(Warning(field, en, da))

    def add(
        self,
        obligation_id: str,
        due_on: date,
        *,
        basis: tuple[Citation, ...] = (),
        assumed: bool = False,
        phase_start: date | None = None,
        occurrence: int = 1,
        who: Who | None = None,
    ) -> date:
        """Add one obligation; returns its due date (after the as-soon-as-possible rule).

        ``phase_start`` is given for "at the latest X before" deadlines: a due date
        before the phase's start becomes that start, marked asap (VEJ pkt. 45, applied
        by the project to every such deadline).
        """
        asap = phase_start is not None and due_on < phase_start
        if asap:
            due_on = phase_start
        rule = OBLIGATIONS[obligation_id]
        completed_on = self.facts.completed_on(obligation_id, occurrence)
        # Positional, in field order: the hot path of every recalculation.
        self.obligations.append(
            Obligation(
                obligation_id,
                occurrence,
                who or rule.who,
                due_on,
                asap,
                assumed,
                is_non_working_day(due_on),
                status_of(due_on, completed_on, self.today),
                completed_on,
                rule.step,
                basis + rule.legal_basis,
                rule.title_da,
                rule.title_en,
            )
        )
        return due_on

    def add_from(self, obligation_id: str, key: str, due_on: date, **kwargs: Any) -> date:
        """Add an obligation whose date a parameter decides; cite it and carry its ``assumed``."""
        value = self.p[key]
        return self.add(obligation_id, due_on, basis=value.citations, assumed=value.assumed, **kwargs)

    def recurring(
        self,
        obligation_id: str,
        first_base: date,
        next_due: Callable[[date], tuple[date, str]],
        *,
        end: date | None,
        who: Who | None = None,
    ) -> None:
        """Occurrences counted from ``first_base``; each next one from the completion of the one before it.

        With a known ``end`` the occurrences continue while due before it; without one,
        they are projected one occurrence past the last completed (rules.md, "Recurring
        obligations").
        """
        done = self.facts.completed.get(obligation_id, ())
        base = first_base
        occurrence = 1
        while True:
            due_on, key = next_due(base)
            if end is not None and due_on >= end:
                break
            if end is None and occurrence > len(done) + 1:
                break
            value = self.p[key]
            self.add(
                obligation_id,
                due_on,
                basis=value.citations,
                assumed=value.assumed,
                occurrence=occurrence,
                who=who,
            )
            base = done[occurrence - 1] if occurrence <= len(done) else due_on
            occurrence += 1

    def every(self, key: str) -> Callable[[date], tuple[date, str]]:
        interval = self.p[key].value
        return lambda base: (interval.after(base), key)


# -- applicability ------------------------------------------------------------------------


def _sentence_compare(facts: CaseFacts, threshold: Period) -> int | None:
    """Compare the sentence with a threshold on the calendar from the execution start.

    Returns -1, 0 or 1 (shorter, equal, longer), or None when the sentence or start is unknown.
    """
    start = facts.execution_start
    if facts.sentence is None or start is None:
        return None
    end, limit = facts.sentence.after(start), threshold.after(start)
    return (end > limit) - (end < limit)


def _needs_help_after_release(facts: CaseFacts) -> bool:
    """Parole with supervision expected, or housing or income not secured.

    Unknown housing or income counts as not secured: the safer reading for the person.
    """
    return facts.expected_parole_on is not None or facts.housing_secured is not True or facts.income_secured is not True


def _applicability(b: _Builder) -> tuple[bool, bool, bool, bool]:
    facts, p = b.facts, b.p
    kind = facts.case_type
    plan_required = roadmap_applies = release_meeting = False

    if kind is CaseType.IMPRISONMENT:
        if facts.housing_secured is None:
            b.warn("housing_secured", "not given; treated as not secured", "ikke oplyst; behandlet som ikke sikret")
        if facts.income_secured is None:
            b.warn("income_secured", "not given; treated as not secured", "ikke oplyst; behandlet som ikke sikret")
        over_plan = _sentence_compare(facts, p["plan_required_sentence_over"].value)
        versus_roadmap = _sentence_compare(facts, p["roadmap_sentence_from"].value)
        if over_plan is None:
            b.warn(
                "sentence",
                "not given; the plan duty and the method are assumed to apply",
                "ikke oplyst; handleplanspligten og køreplanen antages at gælde",
            )
        plan_required = over_plan is None or over_plan > 0 or _needs_help_after_release(facts)
        adult = True
        if facts.birth_date is None:
            b.warn("birth_date", "not given; the person is taken to be an adult", "ikke oplyst; personen antages at være myndig")
        elif facts.intake_on or facts.execution_start:
            adult_on = p["roadmap_minimum_age"].value.after(facts.birth_date)
            adult = adult_on <= (facts.intake_on or facts.execution_start)
        roadmap_applies = adult and (versus_roadmap is None or versus_roadmap >= 0 or _needs_help_after_release(facts))

        if facts.section_31_leave_possible is None:
            b.warn(
                "section_31_leave_possible",
                "not given; treated as no leave possible",
                "ikke oplyst; behandlet som ingen § 31-udgang mulig",
            )
        over_year = _sentence_compare(facts, p["release_meeting_sentence_over"].value)
        over_short = _sentence_compare(facts, p["release_meeting_sentence_over_without_parole"].value)
        release_meeting = (
            facts.housing_secured is not True
            or facts.income_secured is not True
            or facts.section_31_leave_possible is not True
            or (over_year or 0) > 0
            or ((over_short or 0) > 0 and facts.expected_parole_on is None)
        )
    elif kind is CaseType.REMAND_777:
        plan_required = True
    elif kind in (CaseType.PAROLE_SUPERVISION, CaseType.CONDITIONAL_SUPERVISION):
        plan_required = facts.needs_assistance is not False
    else:  # measure_68_69, youth_home_detention
        plan_required = True

    applies = plan_required or roadmap_applies
    municipal = applies and kind is not CaseType.REMAND_777 and not (
        kind is CaseType.MEASURE_68_69 and facts.admitted_under_judgment
    )
    return plan_required, roadmap_applies, release_meeting, municipal


# -- obligations per case type ------------------------------------------------------------


def _imprisonment(b: _Builder) -> None:
    facts, p = b.facts, b.p
    intake = facts.intake_on or facts.execution_started_on
    start = facts.execution_start
    if intake is None or start is None:
        b.warn("intake_on", "not given; no deadline can be computed", "ikke oplyst; ingen frister kan beregnes")
        return
    parole = facts.expected_parole_on
    release = facts.release_on
    T = facts.expected_release_on
    if T is None:
        b.warn(
            "release_on",
            "not given (nor expected_parole_on); deadlines counted back from release are left out",
            "ikke oplyst (heller ikke expected_parole_on); frister regnet fra løsladelsen er udeladt",
        )
    elif parole is None:
        b.warn(
            "expected_parole_on",
            "not given; no parole expected, so release at full term (release_on) is the expected release",
            "ikke oplyst; der forventes ikke prøveløsladelse, så løsladelse efter endt straf er forventet løsladelse",
        )

    b.add("notify_municipality_of_intake", intake)
    b.add("appoint_plan_responsible", intake)
    b.add_from("intake_interview", "intake_interview_within", p["intake_interview_within"].value.after(intake))

    # First plan (cirk. § 5): a pension makes none — the placement is itself part of a plan (VEJ pkt. 43).
    first_plan_due: date | None = None
    if facts.placement is Placement.PENSION:
        pass
    elif facts.herstedvester_visitation_completed_on is not None:
        first_plan_due = b.add(
            "first_plan", facts.herstedvester_visitation_completed_on, basis=(cirk(5, 4), vej(42))
        )
    elif facts.remanded_until_execution_order:
        if facts.execution_started_on is None:
            b.warn(
                "execution_started_on",
                "not given for a person remanded until the execution order; intake_on is used",
                "ikke oplyst for en varetægtsfængslet indtil fuldbyrdelsesordre; indsættelsesdatoen bruges",
            )
        key = "first_plan_within_after_remand"
        first_plan_due = b.add_from("first_plan", key, p[key].value.after(start))
    else:
        key = "first_plan_within"
        first_plan_due = b.add_from("first_plan", key, p[key].value.after(intake))
    if first_plan_due is not None:
        # Assumed: the files serve the first plan, so they are due with it.
        b.add("obtain_case_files", first_plan_due, assumed=True)

    # Contact to the municipality (cirk. § 12, stk. 2–3), counted from the possible parole,
    # or from release at full term where no parole is expected.
    contact_from = parole or release
    if contact_from is not None:
        before = p["municipality_contact_before_parole"].value
        if before.after(start) <= contact_from:
            b.add_from(
                "municipality_coordination", "municipality_contact_before_parole",
                before.before(contact_from), phase_start=start,
            )
        else:
            key = "municipality_contact_within_short_stay"
            b.add_from("municipality_coordination", key, p[key].value.after(start))

    # Evaluations (cirk. § 7, stk. 2–3): counted from the first plan; at a pension from intake.
    if first_plan_due is None:
        evaluation_base = intake
    else:
        evaluation_base = facts.completed_on("first_plan") or first_plan_due
    b.recurring("plan_evaluation", evaluation_base, _inmate_interval(b, T), end=T)

    if T is not None:
        b.add_from(
            "release_meeting", "release_meeting_before_release",
            p["release_meeting_before_release"].value.before(T), phase_start=start,
        )
        b.add("status_at_release", T)
        b.add_from("follow_up_meeting_after_release", "follow_up_after_release", p["follow_up_after_release"].value.after(T))
    if parole is not None:
        b.add_from("involve_kif", "involve_kif_before_parole", p["involve_kif_before_parole"].value.before(parole), phase_start=start)
        _kif_after_parole(b, parole)
    else:
        if release is not None:
            key = "release_day_appointments_before_release"
            b.add_from("municipal_appointments_on_release_day", key, p[key].value.before(release), phase_start=start)
        if facts.supervision_ends_on is not None:
            b.add("status_at_supervision_end", facts.supervision_ends_on)


def _inmate_interval(b: _Builder, T: date | None) -> Callable[[date], tuple[date, str]]:
    """The next evaluation after ``e`` (cirk. § 7, stk. 2–3; VEJ pkt. 52).

    Three months while two years or less remain until T; six months while more remain,
    but never later than three months after the point where two years remain.
    """
    short = b.p["evaluation_interval"].value
    if T is None:
        return lambda e: (short.after(e), "evaluation_interval")
    long = b.p["evaluation_interval_long_stay"].value
    switch = b.p["evaluation_long_stay_over"].value.before(T)  # T − 2 years

    def next_due(e: date) -> tuple[date, str]:
        if e >= switch:
            return short.after(e), "evaluation_interval"
        six, capped = long.after(e), short.after(switch)
        return (six, "evaluation_interval_long_stay") if six <= capped else (capped, "evaluation_interval")

    return next_due


def _kif_after_parole(b: _Builder, parole: date) -> None:
    """Steps 10–12 after a parole from prison: the same plan carried on by KIF."""
    facts, p = b.facts, b.p
    first_meeting = p["supervision_first_meeting_within"].value.after(parole)
    b.add_from("supervision_first_meeting", "supervision_first_meeting_within", first_meeting)
    b.add("supervision_plan", first_meeting)  # the plan is carried on, not restarted (VEJ pkt. 44)
    supervision_start = facts.supervision_started_on or parole
    b.add_from(
        "kif_municipality_coordination", "kif_municipality_contact_within",
        p["kif_municipality_contact_within"].value.after(supervision_start),
    )
    base = facts.completed_on("supervision_plan") or first_meeting
    _supervision_tail(b, base, "supervision_evaluation_interval")


def _parole_supervision(b: _Builder) -> None:
    facts, p = b.facts, b.p
    start = facts.supervision_started_on
    if start is None:
        if facts.release_on is None:
            b.warn(
                "supervision_started_on",
                "not given (nor release_on); no deadline can be computed",
                "ikke oplyst (heller ikke release_on); ingen frister kan beregnes",
            )
            return
        b.warn(
            "supervision_started_on",
            "not given; the first meeting is due a week after release, and supervision counted from release",
            "ikke oplyst; første møde senest en uge efter løsladelsen, og tilsynet regnet fra løsladelsen",
        )
        first_meeting = p["supervision_first_meeting_within"].value.after(facts.release_on)
        b.add_from("supervision_first_meeting", "supervision_first_meeting_within", first_meeting)
        start = facts.release_on
    else:
        first_meeting = start
        b.add_from("supervision_first_meeting", "supervision_first_meeting_within", first_meeting)
    b.add("supervision_plan", first_meeting)
    b.add_from(
        "kif_municipality_coordination", "kif_municipality_contact_within",
        p["kif_municipality_contact_within"].value.after(start),
    )
    base = facts.completed_on("supervision_plan") or first_meeting
    _supervision_tail(b, base, "supervision_evaluation_interval")


def _supervision_tail(b: _Builder, evaluation_base: date, interval_key: str) -> None:
    facts = b.facts
    if facts.supervision_ends_on is None:
        b.warn(
            "supervision_ends_on",
            "not given; evaluations are projected one occurrence past the last completed",
            "ikke oplyst; opfølgninger vises én ad gangen efter den seneste gennemførte",
        )
    b.recurring("supervision_evaluation", evaluation_base, b.every(interval_key), end=facts.supervision_ends_on)
    if facts.supervision_ends_on is not None:
        b.add("status_at_supervision_end", facts.supervision_ends_on)


def _conditional_or_measure(b: _Builder, *, interval_key: str, municipal: bool) -> None:
    facts, p = b.facts, b.p
    start = facts.supervision_started_on
    if start is None:
        b.warn(
            "supervision_started_on",
            "not given; no deadline can be computed",
            "ikke oplyst; ingen frister kan beregnes",
        )
        return
    first_plan = b.add_from(
        "first_plan", "first_plan_within_supervision", p["first_plan_within_supervision"].value.after(start), who=Who.KIF
    )
    if municipal:
        b.add_from(
            "kif_municipality_coordination", "kif_municipality_contact_within",
            p["kif_municipality_contact_within"].value.after(start),
        )
    _supervision_tail(b, facts.completed_on("first_plan") or first_plan, interval_key)


def _youth_home_detention(b: _Builder) -> None:
    facts, p = b.facts, b.p
    start = facts.supervision_started_on or facts.execution_start
    if start is None:
        b.warn(
            "supervision_started_on",
            "not given (nor execution_started_on or intake_on); no deadline can be computed",
            "ikke oplyst (heller ikke execution_started_on eller intake_on); ingen frister kan beregnes",
        )
        return
    first_plan = b.add_from(
        "first_plan", "first_plan_within_youth", p["first_plan_within_youth"].value.after(start), who=Who.KIF
    )
    # Contact to the municipality together with the first plan (cirk. § 12, stk. 5); its
    # date follows the assumed first-plan deadline, so it is assumed too.
    b.add("kif_municipality_coordination", first_plan, basis=(cirk(12, 5), vej(64)), assumed=True)


def _remand_777(b: _Builder) -> None:
    facts, p = b.facts, b.p
    if facts.intake_on is None:
        b.warn("intake_on", "not given; no deadline can be computed", "ikke oplyst; ingen frister kan beregnes")
        return
    first_plan = b.add_from(
        "first_plan", "first_plan_within_remand_777", p["first_plan_within_remand_777"].value.after(facts.intake_on)
    )
    # The plan covers the stay only (VEJ pkt. 47): evaluations every three months,
    # projected one past the last completed, and none on or after a known release.
    done = facts.completed.get("plan_evaluation", ())
    base = facts.completed_on("first_plan") or first_plan
    interval = p["evaluation_interval"]
    for occurrence in range(1, len(done) + 2):
        due_on = interval.value.after(base)
        if facts.release_on is not None and due_on >= facts.release_on:
            break
        b.add("plan_evaluation", due_on, basis=interval.citations, occurrence=occurrence)
        base = done[occurrence - 1] if occurrence <= len(done) else due_on


def compute_timeline(
    facts: CaseFacts, *, today: date, parameters: ParameterSet = DEFAULT_PARAMETERS
) -> Timeline:
    """Every obligation of the case, sorted by due date then id, with the applicability flags."""
    legal_fact_date = facts.intake_on or facts.execution_start or facts.supervision_started_on or facts.release_on or today
    b = _Builder(facts, today, parameters.resolve(legal_fact_date))
    plan_required, roadmap_applies, release_meeting, municipal = _applicability(b)

    if plan_required or roadmap_applies:
        kind = facts.case_type
        if kind is CaseType.IMPRISONMENT:
            _imprisonment(b)
        elif kind is CaseType.REMAND_777:
            _remand_777(b)
        elif kind is CaseType.PAROLE_SUPERVISION:
            _parole_supervision(b)
        elif kind is CaseType.CONDITIONAL_SUPERVISION:
            _conditional_or_measure(b, interval_key="supervision_evaluation_interval", municipal=municipal)
        elif kind is CaseType.MEASURE_68_69:
            _conditional_or_measure(b, interval_key="measure_68_69_evaluation_interval", municipal=municipal)
        elif kind is CaseType.YOUTH_HOME_DETENTION:
            _youth_home_detention(b)

    b.obligations.sort(key=lambda o: (o.due_on, o.id, o.occurrence))
    return Timeline(
        plan_required=plan_required,
        roadmap_applies=roadmap_applies,
        release_meeting_recommended=release_meeting,
        municipal_coordination_applies=municipal,
        expected_release_on=facts.expected_release_on,
        obligations=tuple(b.obligations),
        warnings=tuple(b.warnings),
    )


__all__ = ["Obligation", "Status", "Timeline", "Warning", "compute_timeline", "status_of", "SUPERVISION_TYPES"]
