"""The release: "ingen løslades til gaden" — nobody is released to the street.

Pure rules for GL Bilag 1 steps 8, 9, 9A and 10 (the release meeting, KIF's involvement,
appointments at the municipality on release day, the follow-up meeting) that the web
application and the API share:

- :func:`readiness_signal` — the release-readiness list (housing; income from day one;
  employment or education; treatment; health; ID, bank and digital access; network) and
  the days left until release → one signal a caseworker can read at a glance:
  *Klar*, *Mangler: bolig, indkomst*, or *Risiko for løsladelse til gaden*.
- :func:`released_to_street` — the outcome measure GL asks managers to follow (GL Bilag 2,
  p. 42): no housing or no income at release.
- :func:`meeting_agenda` — the agenda of a release meeting from the plan's areas of effort
  and the areas GL step 8 says the meeting agrees on.
- :func:`check_status` — which statuses an item may have.

Words a user reads come in Danish and English (``*_da``/``*_en``), as the obligations'
titles do, so that a signal reads the same on every page, in the API and in a test.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from koreplan.domain.plan import AreaOfEffort, LifeArea

# -- the readiness list -----------------------------------------------------------------------


class ReadinessItem(StrEnum):
    """What must be in place on release day (GL Bilag 1 step 8; GL p. 48)."""

    HOUSING = "housing"
    #: Income from day one: the municipality's availability assessment (rådighedsvurdering)
    #: is made and an advance (a conto) is paid on release day.
    INCOME = "income"
    EMPLOYMENT_EDUCATION = "employment_education"
    TREATMENT = "treatment"
    #: A doctor, and medicine for the first days.
    HEALTH = "health"
    #: ID, a bank account (NemKonto) and digital access (MitID, Digital Post / e-Boks).
    ID_BANK_DIGITAL = "id_bank_digital"
    NETWORK = "network"


class ReadinessStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    IN_PLACE = "in_place"
    NOT_NEEDED = "not_needed"


#: Without these the person is released to the street (domain.md, "What managers must be
#: able to see"): they are never "not needed" — someone with a home or an income of their
#: own has it "in place".
ESSENTIAL: frozenset[ReadinessItem] = frozenset({ReadinessItem.HOUSING, ReadinessItem.INCOME})

#: The list is followed from three months before release (GL Bilag 1 step 8: the release
#: meeting is called at the latest three months before). The longest three consecutive
#: calendar months have 92 days, so the list is open at the latest on the meeting's deadline.
READINESS_FROM_DAYS = 92

#: From four weeks before release the appointments for release day must be in place
#: (GL Bilag 1 step 9A): housing or income still missing then is a risk of release to the
#: street, and so it is on and after release day.
AT_RISK_DAYS = 28

ITEM_LABELS: Mapping[ReadinessItem, tuple[str, str]] = {
    ReadinessItem.HOUSING: ("bolig", "housing"),
    ReadinessItem.INCOME: ("indkomst", "income"),
    ReadinessItem.EMPLOYMENT_EDUCATION: ("job eller uddannelse", "work or education"),
    ReadinessItem.TREATMENT: ("behandling", "treatment"),
    ReadinessItem.HEALTH: ("helbred", "health"),
    ReadinessItem.ID_BANK_DIGITAL: ("ID og digital adgang", "ID and digital access"),
    ReadinessItem.NETWORK: ("netværk", "network"),
}

#: The checks that make up an item, shown as a checklist beside its status. They inform;
#: the status is the caseworker's judgement (an income from a job needs no advance).
ITEM_CHECKS: Mapping[ReadinessItem, tuple[str, ...]] = {
    ReadinessItem.HOUSING: (),
    ReadinessItem.INCOME: ("availability_assessment", "advance_payment"),
    ReadinessItem.EMPLOYMENT_EDUCATION: (),
    ReadinessItem.TREATMENT: ("addiction_centre_contact",),
    ReadinessItem.HEALTH: ("doctor", "medicine"),
    ReadinessItem.ID_BANK_DIGITAL: ("id", "bank", "mitid", "digital_post"),
    ReadinessItem.NETWORK: (),
}

CHECK_LABELS: Mapping[str, tuple[str, str]] = {
    "availability_assessment": ("Rådighedsvurdering foretaget", "Availability assessment made"),
    "advance_payment": ("A conto-udbetaling aftalt på løsladelsesdagen", "Advance payment arranged for release day"),
    "addiction_centre_contact": ("Kontakt til misbrugscentret aftalt", "Contact with the addiction centre arranged"),
    "doctor": ("Egen læge", "A doctor"),
    "medicine": ("Medicin til de første dage", "Medicine for the first days"),
    "id": ("Legitimation og sundhedskort", "ID and health insurance card"),
    "bank": ("Bankkonto (NemKonto)", "Bank account (NemKonto)"),
    "mitid": ("MitID", "MitID"),
    "digital_post": ("Digital Post / e-Boks", "Digital Post / e-Boks"),
}


class StatusError(ValueError):
    """A status an item may not have; ``code`` is stable, the message is English."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


def check_status(item: ReadinessItem, status: ReadinessStatus, checks: Mapping[str, bool] | None = None) -> None:
    """Raise :class:`StatusError` if the item may not have the status or the checks."""
    if status is ReadinessStatus.NOT_NEEDED and item in ESSENTIAL:
        raise StatusError(
            "essential_needed",
            "Housing and income are always needed: if the person has their own, it is in place.",
        )
    unknown = set(checks or {}) - set(ITEM_CHECKS[item])
    if unknown:
        raise StatusError("unknown_check", f"Unknown check for {item.value}: {', '.join(sorted(unknown))}.")


# -- the signal -----------------------------------------------------------------------------


class Level(StrEnum):
    """How a case stands, from worst to best (``severity`` orders them for a worklist)."""

    RELEASED_TO_STREET = "released_to_street"  # the outcome at release says so
    AT_RISK = "at_risk"
    MISSING = "missing"
    READY = "ready"
    RELEASED = "released"  # the outcome at release: housing and income
    NOT_YET = "not_yet"  # more than three months to release
    NO_DATE = "no_date"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {
    Level.RELEASED_TO_STREET: 0,
    Level.AT_RISK: 1,
    Level.MISSING: 2,
    Level.NO_DATE: 3,
    Level.NOT_YET: 4,
    Level.READY: 5,
    Level.RELEASED: 6,
}

_HEADLINES: Mapping[Level, tuple[str, str]] = {
    Level.RELEASED_TO_STREET: ("Løsladt til gaden", "Released to the street"),
    Level.AT_RISK: ("Risiko for løsladelse til gaden", "Risk of release to the street"),
    Level.MISSING: ("Mangler", "Missing"),
    Level.READY: ("Klar", "Ready"),
    Level.RELEASED: ("Løsladt med bolig og indkomst", "Released with housing and income"),
    Level.NOT_YET: ("Følges fra 3 måneder før løsladelsen", "Followed from three months before release"),
    Level.NO_DATE: ("Løsladelsesdato ukendt", "Release date unknown"),
}


@dataclass(frozen=True, slots=True)
class Signal:
    level: Level
    #: Items not in place (not started or in progress), in the list's order.
    missing: tuple[ReadinessItem, ...] = ()
    days_to_release: int | None = None

    @property
    def essential_missing(self) -> tuple[ReadinessItem, ...]:
        return tuple(i for i in self.missing if i in ESSENTIAL)

    def _text(self, index: int) -> str:
        headline = _HEADLINES[self.level][index]
        if self.level not in (Level.MISSING, Level.AT_RISK) or not self.missing:
            return headline
        # The essentials first: they are what the risk is about.
        ordered = (*self.essential_missing, *(i for i in self.missing if i not in ESSENTIAL))
        names = ", ".join(ITEM_LABELS[i][index] for i in ordered)
        if self.level is Level.MISSING:
            return f"{headline}: {names}"
        return f"{headline} – {('mangler', 'missing')[index]}: {names}"

    @property
    def text_da(self) -> str:
        return self._text(0)

    @property
    def text_en(self) -> str:
        return self._text(1)

    @property
    def headline_da(self) -> str:
        return _HEADLINES[self.level][0]

    @property
    def headline_en(self) -> str:
        return _HEADLINES[self.level][1]


def readiness_signal(
    statuses: Mapping[ReadinessItem, ReadinessStatus],
    days_to_release: int | None,
    *,
    released_to_street: bool | None = None,
) -> Signal:
    """The case's release-readiness signal.

    ``statuses`` may leave items out: an item nobody has looked at is not started.
    ``days_to_release`` is negative after release, None when no release date is known.
    ``released_to_street`` is the recorded outcome at release, if there is one: once the
    person is out, what happened is the signal, not what was planned.

    - An outcome recorded: *released to the street* or *released with housing and income*.
    - No release date: the date is the first thing to find out.
    - More than three months to release: not followed yet — unless everything is in place.
    - Everything in place or not needed: *ready*.
    - Housing or income not in place four weeks or less before release (or later):
      *risk of release to the street*.
    - Otherwise *missing*, naming what.
    """
    if released_to_street is not None:
        return Signal(Level.RELEASED_TO_STREET if released_to_street else Level.RELEASED, (), days_to_release)
    missing = tuple(
        item for item in ReadinessItem
        if statuses.get(item, ReadinessStatus.NOT_STARTED) in (ReadinessStatus.NOT_STARTED, ReadinessStatus.IN_PROGRESS)
    )
    if not missing:
        return Signal(Level.READY, (), days_to_release)
    if days_to_release is None:
        return Signal(Level.NO_DATE, missing, None)
    if days_to_release > READINESS_FROM_DAYS:
        return Signal(Level.NOT_YET, missing, days_to_release)
    if days_to_release <= AT_RISK_DAYS and any(item in ESSENTIAL for item in missing):
        return Signal(Level.AT_RISK, missing, days_to_release)
    return Signal(Level.MISSING, missing, days_to_release)


# -- the outcome ------------------------------------------------------------------------------


class Housing(StrEnum):
    OWN = "own"  # own home: rented or owned
    TEMPORARY = "temporary"  # with family or friends, a temporary let, a halfway house
    SHELTER = "shelter"  # herberg or forsorgshjem (SEL § 110)
    NONE = "none"


def released_to_street(housing: Housing | str, income_from_day_one: bool) -> bool:
    """No housing or no income at release (domain.md; the dashboards' "to the street").

    A shelter counts as housing here — it is a roof — and is kept apart in ``housing`` so
    that a dashboard can show it as well.
    """
    return Housing(housing) is Housing.NONE or not income_from_day_one


# -- the release meeting's agenda --------------------------------------------------------------

#: The areas GL Bilag 1 step 8 says the meeting agrees on, in its order.
MEETING_AREAS: tuple[LifeArea, ...] = (
    LifeArea.HEALTH_PHYSICAL,
    LifeArea.HEALTH_MENTAL,
    LifeArea.HOUSING,
    LifeArea.EDUCATION_EMPLOYMENT,
    LifeArea.FINANCES,
    LifeArea.NETWORK,
    LifeArea.SUBSTANCE_USE,
    LifeArea.OTHER,
)


@dataclass(frozen=True, slots=True)
class AgendaEntry:
    life_area: LifeArea
    #: The area of effort's title; empty for a life area with no effort in the plan.
    title: str = ""
    goal: str = ""
    #: The key of the plan's area of effort it comes from.
    plan_area_key: str = ""


def meeting_agenda(areas: Iterable[AreaOfEffort] = ()) -> tuple[AgendaEntry, ...]:
    """The agenda of a release meeting: the plan's areas of effort in priority order, then
    every area of GL step 8 that no effort covers, so that nothing is forgotten."""
    areas = tuple(areas)
    covered = {a.life_area for a in areas}
    return (
        *(AgendaEntry(a.life_area, a.title, a.goal, a.key) for a in areas),
        *(AgendaEntry(area) for area in MEETING_AREAS if area not in covered),
    )


def agenda_additions(areas: Iterable[AreaOfEffort], present_keys: Iterable[str]) -> tuple[AgendaEntry, ...]:
    """The plan's areas of effort not yet on an agenda (the plan has moved on since)."""
    present = set(present_keys)
    return tuple(AgendaEntry(a.life_area, a.title, a.goal, a.key) for a in areas if a.key not in present)


# -- when meetings are held ----------------------------------------------------------------------


class MeetingKind(StrEnum):
    RELEASE_MEETING = "release_meeting"  # step 8
    RELEASE_DAY = "release_day"  # step 9A: an appointment at the municipality on release day
    FOLLOW_UP = "follow_up"  # step 8: within four weeks of release


#: The follow-up meeting is held at the latest four weeks after release (GL Bilag 1 step 8).
FOLLOW_UP_WITHIN_DAYS = 28

TIMING_NOTES: Mapping[str, tuple[str, str]] = {
    "after_release": ("Mødet ligger efter løsladelsen.", "The meeting is after the release."),
    "not_release_day": ("Aftalen ligger ikke på løsladelsesdagen.", "The appointment is not on the release day."),
    "before_release": ("Det opfølgende møde ligger før løsladelsen.", "The follow-up meeting is before the release."),
    "later_than_four_weeks": (
        "Det opfølgende møde ligger mere end fire uger efter løsladelsen.",
        "The follow-up meeting is more than four weeks after the release.",
    ),
}


def timing_note(kind: MeetingKind | str, on: date, release_on: date | None) -> str | None:
    """A code from :data:`TIMING_NOTES` when a meeting lies where GL does not put it.

    A note, never a refusal: the meeting is recorded as it is, and the Køreplan shows the
    task late if it is.
    """
    if release_on is None:
        return None
    kind = MeetingKind(kind)
    if kind is MeetingKind.RELEASE_MEETING and on > release_on:
        return "after_release"
    if kind is MeetingKind.RELEASE_DAY and on != release_on:
        return "not_release_day"
    if kind is MeetingKind.FOLLOW_UP:
        if on < release_on:
            return "before_release"
        if (on - release_on).days > FOLLOW_UP_WITHIN_DAYS:
            return "later_than_four_weeks"
    return None
