"""A synthetic national population of cases, in pure Python (no Django).

Two passes:

1. :func:`draw_drafts` draws case facts with :func:`koreplan.synthetic.synthetic_facts`
   (admissions: most sentences short, parole common, some housing or income not secured),
   places each case at a real institution or KIF department, and sorts it into *open* or
   *closed* by whether it has ended before today. Drafts are drawn until both quotas are
   met; the open ones are therefore the people held or supervised on a given day — longer
   sentences and supervisions weigh more among them than among admissions, as they do in
   reality.
2. :func:`simulate` lives each case through: what was done and when (some on time, some
   late, some never), by completing obligations one after the other and recomputing the
   timeline with :func:`koreplan.domain.timeline.compute_timeline` — the one
   implementation the application uses, so the tasks written are exactly those
   ``case_tasks_sync`` would keep — and the case's course between organisations
   (transfers, parole to KIF, pending and returned hand-overs).

Seeded and deterministic: the same seed, counts and today give the same population.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from koreplan.domain.facts import CaseFacts, parse_facts
from koreplan.domain.rules.obligations import OBLIGATIONS
from koreplan.domain.timeline import Obligation, Timeline, compute_timeline
from koreplan.synthetic import synthetic_facts

DATE_FACTS = (
    "birth_date", "intake_on", "execution_started_on", "expected_parole_on", "release_on",
    "herstedvester_visitation_completed_on", "supervision_started_on", "supervision_ends_on",
)
INSTITUTION_CASE_TYPES = frozenset({"imprisonment", "remand_777"})
RECURRING = frozenset(key for key, rule in OBLIGATIONS.items() if rule.recurring)
#: Step 2, done when the case is opened with its plan-responsible named (case_open).
APPOINT_PLAN_RESPONSIBLE = "appoint_plan_responsible"

#: Where people are placed at intake (synthetic_facts draws all four alike; pensions are
#: few and mostly reached by transfer, which the generator leaves out — see ``_transfer``).
_PLACEMENTS = (("closed_prison", 30), ("open_prison", 45), ("arresthus", 21), ("pension", 4))

#: obligation → (share done at all once due, share of those done late). GL's own survey
#: (p. 42) is the anchor: intake interview within two weeks 36/39, first plan within four
#: weeks 17/39, case files fetched 5/39.
COMPLETION_RATES: dict[str, tuple[float, float]] = {
    "notify_municipality_of_intake": (0.96, 0.15),
    "intake_interview": (0.97, 0.07),
    "obtain_case_files": (0.30, 0.50),
    "first_plan": (0.88, 0.50),
    "municipality_coordination": (0.80, 0.35),
    "plan_evaluation": (0.82, 0.30),
    "release_meeting": (0.62, 0.20),
    "involve_kif": (0.86, 0.30),
    "municipal_appointments_on_release_day": (0.70, 0.25),
    "status_at_release": (0.85, 0.30),
    "supervision_first_meeting": (0.95, 0.15),
    "supervision_plan": (0.85, 0.30),
    "kif_municipality_coordination": (0.80, 0.30),
    "supervision_evaluation": (0.86, 0.25),
    "follow_up_meeting_after_release": (0.50, 0.30),
    "status_at_supervision_end": (0.85, 0.30),
}
_DEFAULT_RATE = (0.85, 0.25)
#: How the people on a case keep up: most do, some are behind (as in the demo).
_CASE_PACE = ((1.05, 60), (0.85, 30), (0.5, 10))


# -- the world the cases live in ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """An institution or KIF department that holds cases."""

    id: int
    kind: str  # "institution" | "kif"
    type: str  # the institution type, or "kif"
    region: str
    weight: float


@dataclass(frozen=True, slots=True)
class Municipality:
    id: int
    region: str
    weight: float
    #: The KIF department that supervises the municipality's citizens.
    kif_id: int


@dataclass
class World:
    today: date
    institutions: list[Place]
    kifs: list[Place]
    municipalities: list[Municipality]
    #: organisation id → how well it keeps up (1.0 is typical)
    pace: dict[int, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.places = {p.id: p for p in [*self.institutions, *self.kifs]}
        self.by_type: dict[str, list[Place]] = {}
        for place in self.institutions:
            self.by_type.setdefault(place.type, []).append(place)
        self._municipality_weights = [m.weight for m in self.municipalities]


# -- pass 1: drafts -------------------------------------------------------------------------------


@dataclass(slots=True)
class Draft:
    """A case's facts and course, before anyone has done anything on it."""

    index: int
    facts: dict[str, Any]  # the rules' facts, dates as date objects
    municipality: Municipality
    closed: bool
    #: the day the case was (or will be) closed: its end plus some days of paperwork
    closed_on: date
    opened_on: date
    first_holder: Place
    #: (day, institution) of a transfer between institutions that has happened by then
    transfer: tuple[date, Place] | None = None
    #: the KIF department that takes over at parole (or supervises from the start)
    kif: Place | None = None
    #: the index of an earlier (closed) draft of the same client, if a returning client
    same_client_as: int | None = None
    male: bool = True

    @property
    def start(self) -> date | None:
        f = self.facts
        return f.get("intake_on") or f.get("execution_started_on") or f.get("supervision_started_on")

    @property
    def is_institution_case(self) -> bool:
        return self.facts["case_type"] in INSTITUTION_CASE_TYPES


def _weighted(rng: random.Random, items, weights):
    return rng.choices(items, weights=weights)[0]


def _institution(rng: random.Random, world: World, kind: str, region: str) -> Place:
    candidates = world.by_type.get(kind) or world.institutions
    local = [p for p in candidates if p.region == region]
    pool = local if local and rng.random() < 0.7 else candidates
    return _weighted(rng, pool, [p.weight for p in pool])


def _end_of(facts: dict[str, Any], rng: random.Random) -> date:
    """When the case's work ends: the end of supervision, or four weeks after release."""
    kind = facts["case_type"]
    if kind in INSTITUTION_CASE_TYPES:
        if facts.get("expected_parole_on") and facts.get("supervision_ends_on"):
            return facts["supervision_ends_on"]
        release = facts.get("expected_parole_on") or facts.get("release_on")
        if release:
            return release + timedelta(weeks=4)
        # A remand with no known release: the case ends when the sentence is known.
        return facts["intake_on"] + timedelta(days=rng.randint(60, 300))
    return facts["supervision_ends_on"]


def draw_drafts(rng: random.Random, world: World, *, open_cases: int, closed_cases: int) -> list[Draft]:
    """Draw cases until ``open_cases`` are open today and ``closed_cases`` have closed."""
    today = world.today
    around = today + timedelta(days=45)  # intake up to six weeks ahead: called in to serve
    drafts: list[Draft] = []
    closed_pool: list[Draft] = []
    need_open, need_closed = open_cases, closed_cases
    while need_open or need_closed:
        raw = synthetic_facts(rng, around=around)
        facts: dict[str, Any] = {k: date.fromisoformat(v) if k in DATE_FACTS else v for k, v in raw.items()}
        kind = facts["case_type"]
        if kind == "youth_home_detention":
            # synthetic_facts makes adults; home detention is for 15–17-year-olds.
            start = facts["supervision_started_on"]
            facts["birth_date"] = start - timedelta(days=rng.randint(15 * 365 + 4, 17 * 365 + 360))
        end = _end_of(facts, rng)
        closed_on = end + timedelta(days=rng.randint(0, 10))
        closed = closed_on < today
        if closed and not need_closed or not closed and not need_open:
            continue
        municipality = _weighted(rng, world.municipalities, world._municipality_weights)
        same_client_as = None
        male = rng.random() < 0.9  # nine in ten in prison and on probation are men
        if kind == "imprisonment" and closed_pool and rng.random() < 0.25:
            # A returning client: the same person as in an earlier, closed case.
            for _ in range(5):
                earlier = closed_pool[rng.randrange(len(closed_pool))]
                if earlier.closed_on < facts["intake_on"] - timedelta(days=30) and earlier.facts["case_type"] != "youth_home_detention":
                    same_client_as = earlier.index
                    facts["birth_date"] = earlier.facts["birth_date"]
                    municipality, male = earlier.municipality, earlier.male
                    break
        draft = _place(rng, world, len(drafts), facts, municipality, closed, closed_on)
        draft.same_client_as, draft.male = same_client_as, male
        drafts.append(draft)
        if closed:
            need_closed -= 1
            if kind != "youth_home_detention":
                closed_pool.append(draft)
        else:
            need_open -= 1
    return drafts


def _place(
    rng: random.Random, world: World, index: int, facts: dict[str, Any], municipality: Municipality,
    closed: bool, closed_on: date,
) -> Draft:
    today = world.today
    kif = world.places[municipality.kif_id]
    if facts["case_type"] in INSTITUTION_CASE_TYPES:
        placement = "arresthus" if facts["case_type"] == "remand_777" else _weighted(
            rng, [p for p, _ in _PLACEMENTS], [w for _, w in _PLACEMENTS]
        )
        holder = _institution(rng, world, placement, municipality.region)
        facts["placement"] = holder.type
        intake = facts["intake_on"]
        opened_on = min(intake - timedelta(days=rng.randint(0, 30)), today)
        draft = Draft(index, facts, municipality, closed, closed_on, opened_on, holder, kif=kif)
        draft.transfer = _transfer(rng, world, draft)
        # The placement fact is the case's placement now — where the last hand-over put
        # it — and the rules read it (a pension makes no first plan), so the timeline is
        # computed from that, as case_tasks_sync would after the hand-over.
        if draft.transfer is not None:
            facts["placement"] = draft.transfer[1].type
        parole = facts.get("expected_parole_on")
        if parole is not None and parole <= (closed_on if closed else today):
            facts["placement"] = "kif"
        return draft
    start = facts["supervision_started_on"]
    facts["placement"] = "kif"
    opened_on = min(start - timedelta(days=rng.randint(0, 7)), today)
    return Draft(index, facts, municipality, closed, closed_on, opened_on, kif, kif=kif)


def _transfer(rng: random.Random, world: World, draft: Draft) -> tuple[date, Place] | None:
    """About a third of the longer sentences move once: from an arresthus to a prison, or
    from a closed prison to an open one — never into a pension, whose placement would take
    the first-plan duty away after the fact."""
    facts = draft.facts
    if facts["case_type"] != "imprisonment" or draft.first_holder.type not in ("arresthus", "closed_prison"):
        return None
    release = facts.get("expected_parole_on") or facts.get("release_on")
    intake = facts["intake_on"]
    if release is None or (release - intake).days < 120 or rng.random() > 0.35:
        return None
    day = intake + timedelta(days=rng.randint(30, (release - intake).days - 30))
    if day > min(draft.closed_on, world.today):
        return None  # not yet
    kind = "open_prison" if draft.first_holder.type == "closed_prison" or rng.random() < 0.6 else "closed_prison"
    target = _institution(rng, world, kind, draft.municipality.region)
    if target.id == draft.first_holder.id:
        return None
    return day, target


# -- pass 2: living each case through -------------------------------------------------------------


@dataclass(slots=True)
class HandoverEvent:
    kind: str  # institution | kif_at_parole
    status: str  # requested | accepted | returned | withdrawn
    from_id: int
    to_id: int
    requested_on: date
    answered_on: date | None = None
    reason: str = ""


@dataclass(slots=True)
class StayEvent:
    organisation_id: int
    placement: str
    started_on: date
    ended_on: date | None


@dataclass(slots=True)
class Lived:
    """A case at the end of its simulated life, ready to be written."""

    draft: Draft
    facts: CaseFacts
    timeline: Timeline
    stage: str
    holder_id: int
    placement: str
    kif_id: int | None
    #: the day KIF was involved while the case was still at an institution
    kif_involved_on: date | None
    stays: list[StayEvent]
    handovers: list[HandoverEvent]
    #: (organisation id, from, to): who held the case when — to name who did what
    holders: list[tuple[int, date, date | None]]
    journal: list[tuple[date, int]]  # (day, index of the text)
    views: list[date]


def _stage(draft: Draft, facts: dict[str, Any], today: date) -> str:
    if draft.closed:
        return "closed"
    start = draft.start
    if start and start > today:
        return "awaiting_intake"
    if draft.is_institution_case:
        release = facts.get("expected_parole_on") or facts.get("release_on")
        if release is None:
            return "serving"
        if release <= today:
            return "released"
        return "release_near" if (release - today).days <= 90 else "serving"
    return "supervision"


class Simulator:
    """Completes each case's obligations as its staff would have, and moves it between
    organisations; see the module docstring."""

    def __init__(self, world: World, rng: random.Random):
        self.world = world
        self.rng = rng
        self.today = world.today

    def live(self, draft: Draft) -> Lived:
        rng, today = self.rng, self.today
        facts = parse_facts(draft.facts, today=today)
        last_day = draft.closed_on if draft.closed else today
        horizon = last_day if draft.closed else today + timedelta(days=14)
        start = draft.start or today
        pace = _weighted(rng, [p for p, _ in _CASE_PACE], [w for _, w in _CASE_PACE])
        pace_holder = pace * self.world.pace.get(draft.first_holder.id, 1.0)
        pace_kif = pace * self.world.pace.get(draft.kif.id if draft.kif else 0, 1.0)

        def decide(o: Obligation, previous: date | None) -> date | None:
            due = o.due_on
            if due > horizon or start > last_day:
                return None
            floor = max(start, previous) if previous else start
            done_share, late_share = COMPLETION_RATES.get(o.id, _DEFAULT_RATE)
            if due > last_day:  # due in the coming two weeks: some do it early
                if rng.random() >= 0.10:
                    return None
                done = last_day - timedelta(days=rng.randint(0, 3))
                done = max(done, floor)
                return done if done <= last_day else None
            share = done_share * (pace_kif if o.who.value == "kif" else pace_holder)
            if not draft.closed and (today - due).days < 30:
                share *= 0.85  # the recent ones: some are still on the desk
            if rng.random() >= min(share, 0.995):
                return None
            if rng.random() < late_share:
                done = due + timedelta(days=1 + int(rng.expovariate(1 / 12)))
            else:
                done = due - timedelta(days=rng.randint(0, 10))
            done = max(done, floor)
            return done if done <= last_day else None  # would be late past today: still open

        completed: dict[str, list[date]] = {}
        timeline = compute_timeline(facts, today=today)
        # A case is opened with its plan-responsible named, which is step 2 done
        # (case_open) — but for those called in and not yet admitted, named at intake.
        named_at_opening = _stage(draft, draft.facts, today) != "awaiting_intake"
        for o in timeline.obligations:
            if o.id == APPOINT_PLAN_RESPONSIBLE:
                if named_at_opening:
                    completed[o.id] = [draft.opened_on]
            elif o.id not in RECURRING:
                done = decide(o, None)
                if done is not None:
                    completed[o.id] = [done]
        # Recurring obligations: each occurrence is dated from the completion of the one
        # before it, so they are decided one at a time, recomputing in between. An
        # occurrence left undone ends the series (completions are listed by occurrence).
        stopped: set[str] = set()
        while True:
            if completed:
                facts = replace(facts, completed=MappingProxyType({k: tuple(v) for k, v in completed.items()}))
            timeline = compute_timeline(facts, today=today)
            progressed = False
            seen: set[str] = set()
            for o in timeline.obligations:
                if o.id not in RECURRING or o.id in stopped or o.id in seen:
                    continue
                done_list = completed.get(o.id, ())
                if o.occurrence <= len(done_list):
                    continue
                seen.add(o.id)
                done = decide(o, done_list[-1] if done_list else None)
                if done is None:
                    stopped.add(o.id)
                else:
                    completed.setdefault(o.id, []).append(done)
                    progressed = True
            if not progressed:
                break
        return self._course(draft, facts, timeline)

    # -- the course between organisations ----------------------------------------------------

    def _course(self, draft: Draft, facts: CaseFacts, timeline: Timeline) -> Lived:
        rng, today = self.rng, self.today
        last_day = draft.closed_on if draft.closed else today
        holder = draft.first_holder
        start = draft.start or today
        stays = [StayEvent(holder.id, holder.type, start, None)]
        holders: list[tuple[int, date, date | None]] = [(holder.id, draft.opened_on, None)]
        handovers: list[HandoverEvent] = []
        kif_id = holder.id if holder.kind == "kif" else None
        kif_involved_on = None
        placement = holder.type

        def move(to: Place, on: date, kind: str) -> None:
            nonlocal holder, placement
            requested = max(on - timedelta(days=rng.randint(2, 21)), draft.opened_on)
            if kind == "institution" and rng.random() < 0.08:
                # Asked elsewhere first, and sent back.
                other = _institution(rng, self.world, to.type, draft.municipality.region)
                earlier = max(requested - timedelta(days=rng.randint(10, 40)), draft.opened_on)
                if other.id not in (holder.id, to.id) and earlier < requested:
                    handovers.append(HandoverEvent(
                        kind, "returned", holder.id, other.id, earlier,
                        min(earlier + timedelta(days=rng.randint(1, 14)), requested),
                        "Ingen ledig plads i den ønskede periode.",
                    ))
            handovers.append(HandoverEvent(kind, "accepted", holder.id, to.id, requested, on))
            stays[-1].ended_on = on
            stays.append(StayEvent(to.id, to.type, on, None))
            holders[-1] = (holders[-1][0], holders[-1][1], on)
            holders.append((to.id, on, None))
            holder, placement = to, to.type

        if draft.transfer is not None:
            move(draft.transfer[1], draft.transfer[0], "institution")
        parole = facts.expected_parole_on
        if draft.is_institution_case and parole is not None and draft.kif is not None:
            involved = facts.completed_on("involve_kif")
            if involved is not None:
                kif_id, kif_involved_on = draft.kif.id, involved
            if parole <= last_day:
                kif_id = draft.kif.id
                move(draft.kif, parole, "kif_at_parole")
            elif not draft.closed and (parole - today).days <= 30 and rng.random() < 0.5:
                requested = max(today - timedelta(days=rng.randint(0, 10)), draft.opened_on)
                handovers.append(HandoverEvent("kif_at_parole", "requested", holder.id, draft.kif.id, requested))
        if (
            not draft.closed and holder.kind == "institution" and draft.start and draft.start <= today
            and not any(h.status == "requested" for h in handovers) and rng.random() < 0.02
        ):
            to = _institution(rng, self.world, "open_prison", draft.municipality.region)
            if to.id != holder.id:
                requested = max(today - timedelta(days=rng.randint(0, 20)), draft.opened_on)
                status = "requested" if rng.random() < 0.8 else "withdrawn"
                answered = min(requested + timedelta(days=rng.randint(0, 5)), today) if status == "withdrawn" else None
                handovers.append(HandoverEvent("institution", status, holder.id, to.id, requested, answered))

        journal = []
        if start <= last_day:
            span = (min(last_day, today) - start).days
            for _ in range(rng.choices((0, 1, 2, 3, 4), weights=(15, 25, 30, 20, 10))[0]):
                journal.append((start + timedelta(days=rng.randint(0, max(span, 0))), rng.randrange(1 << 16)))
        views = []
        if not draft.closed and start <= today:
            views = [today - timedelta(days=rng.randint(0, 30)) for _ in range(rng.randint(1, 3))]
        return Lived(
            draft=draft,
            facts=facts,
            timeline=timeline,
            stage=_stage(draft, draft.facts, today),
            holder_id=holder.id,
            placement=placement,
            kif_id=kif_id,
            kif_involved_on=kif_involved_on,
            stays=stays,
            handovers=handovers,
            holders=holders,
            journal=journal,
            views=views,
        )


def holder_on(lived: Lived, day: date) -> int:
    """The organisation that held the case on ``day``."""
    for organisation_id, start, end in lived.holders:
        if end is None or day < end:
            return organisation_id
    return lived.holders[-1][0]


def cpr_for(rng: random.Random, birth: date, *, male: bool, taken: set[str]) -> str:
    """A CPR number with a real date that fails the old modulus-11 check (as the demo's:
    numbers that pass it are likelier to belong to a living person)."""
    century = "4" if birth.year >= 2000 else str(rng.randint(0, 3))
    weights = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
    while True:
        number = f"{birth:%d%m%y}{century}{rng.randint(0, 99):02d}{rng.choice('13579' if male else '02468')}"
        if sum(w * int(n) for w, n in zip(weights, number)) % 11 == 0 or number in taken:
            continue
        taken.add(number)
        return number


def spread(total: int, weights: list[float]) -> list[int]:
    """``total`` split by ``weights`` into whole numbers that add up (largest remainders)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    counts = [math.floor(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)[: total - sum(counts)]:
        counts[i] += 1
    return counts
