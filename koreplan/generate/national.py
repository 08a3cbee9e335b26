"""``koreplan generate --scale national``: about 25,000 open and 250,000 closed cases.

Spread over the real institutions, KIF departments and the 98 municipalities (the
reference data), with staff for each (sized by the cases each holds), and for every case
its client, participations, stays, hand-overs, tasks (from the pure timeline, see
``population``), journal entries and audit entries — and records in the partner apps
(plans, consents, requests to municipalities, release meetings and outcomes) where those
apps are installed (``partners``).

Everything is written in one transaction through :class:`~koreplan.generate.writer.BulkWriter`:
COPY on PostgreSQL, batched inserts elsewhere. Nothing goes through the services, which
would take hours at this scale; the services' invariants are kept by construction and
checked by the tests (``koreplan/generate/tests``): every case has a holder, tasks equal
what ``case_tasks_sync`` would keep, the audit chain verifies.

**The audit log.** Each generated event (client created, case opened, task completed,
journal entry, hand-over, case viewed, case closed) gets the entry its service would have
written, dated when the event happened, with user agent ``koreplan generate`` so that
synthetic entries can be told apart. The entries of the whole run are sorted by time and
appended to the existing chain — hash by hash in Python, under the chain's lock — so the
log reads in time order and ``audit_chain_verify`` walks through them like any other.

**Staff.** The demo's logins (``socialraadgiver``, ``kif``, ``kommune``, ``leder``,
``admin``, password ``demo``) are created if missing, so the national data can be looked
at as the demo is. ``socialraadgiver`` at Storstrøm Fængsel is the bench's busy social
worker, plan-responsible for about sixty open cases. Every other generated user has the
same password, ``demo``: this is synthetic data for demonstrations and benchmarks.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import random
import secrets
import sys
import time
import zoneinfo
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from koreplan.accounts.models import PLAN_HOLDING_ROLES, Role, User
from koreplan.audit.models import GENESIS_HASH, AuditEntry
from koreplan.audit.services import _chain_lock, audit_record
from koreplan.cases.demo import (
    _EVIDENCE,
    _JOURNAL,
    _MEN,
    _SURNAMES,
    _WOMEN,
    DEMO_PASSWORD,
    STAFF,
)
from koreplan.cases.models import (
    Case,
    CaseParticipation,
    Client,
    Handover,
    JournalEntry,
    Stay,
    Task,
)
from koreplan.cases.services import APPOINTED_AT_OPENING
from koreplan.domain.rules.obligations import OBLIGATIONS, Who, responsible_party
from koreplan.generate import population as pop
from koreplan.generate.models import GeneratedSet
from koreplan.generate.writer import BulkWriter, Json, as_json
from koreplan.organisations.models import (
    MunicipalDepartment,
    Organisation,
    RegionMembership,
)
from koreplan.organisations.services import reference_data_load

NATIONAL_OPEN = 25_000
NATIONAL_CLOSED = 250_000
SEED = 2026
BUSY_USERNAME = "socialraadgiver"
BUSY_ORGANISATION = "Storstrøm Fængsel"
BUSY_CASES = 60
USER_AGENT = "koreplan generate"
CHUNK = 5_000

#: People per kind of institution, relative: how the cases are spread.
_INSTITUTION_WEIGHT = {"closed_prison": 10.0, "open_prison": 8.0, "arresthus": 2.5, "pension": 1.0}
_INSTITUTION_WEIGHT_BY_NAME = {"Vestre Fængsel": 12.0, "Herstedvester Fængsel": 6.0}
#: Municipalities by population in units of about 50,000; the others count one.
_MUNICIPALITY_WEIGHT = {
    "101": 13.0, "751": 7.2, "461": 4.1, "851": 4.4, "147": 2.1, "561": 2.3, "630": 2.3, "621": 1.9,
    "730": 1.9, "791": 1.9, "657": 1.8, "615": 1.9, "265": 1.8, "370": 1.7, "330": 1.6, "740": 1.9,
    "316": 1.5, "376": 1.2, "259": 1.2, "167": 1.1, "159": 1.4, "157": 1.5, "360": 0.8, "400": 0.8,
}

_TZ = zoneinfo.ZoneInfo(settings.TIME_ZONE)
_STATUS_BASIS = [str(c) for c in OBLIGATIONS["status_at_transfer"].legal_basis]
_REVIEW = ("review_after_transfer", "Gennemgå handleplanen straks efter overtagelsen",
           "Review the action plan at once after taking over", ["VEJ pkt. 49", "VEJ pkt. 9"])


class Refused(Exception):
    """The database holds cases the generator did not make, and --force was not given."""


def foreign_cases() -> int:
    """How many cases in the database no generated set made."""
    generated = Q(pk__in=[])
    for first, last in GeneratedSet.objects.exclude(first_case_id=None).values_list("first_case_id", "last_case_id"):
        generated |= Q(pk__gte=first, pk__lte=last)
    return Case.objects.exclude(generated).count()


def national_set() -> GeneratedSet | None:
    return GeneratedSet.objects.filter(scale=GeneratedSet.Scale.NATIONAL).first()


# -- time of day --------------------------------------------------------------------------------


class Clock:
    """Aware datetimes (UTC) for events on a day, during office hours, never after now."""

    def __init__(self, rng: random.Random, now: datetime):
        self.rng = rng
        self.now = now
        self._offsets: dict[date, timedelta] = {}

    def at(self, day: date, start_hour: int = 8, end_hour: int = 16) -> datetime:
        offset = self._offsets.get(day)
        if offset is None:
            # Copenhagen's offset at noon: summer time changes at night, never in office hours.
            offset = self._offsets[day] = datetime(day.year, day.month, day.day, 12, tzinfo=_TZ).utcoffset()
        start = start_hour * 3600
        micro = int(self.rng.random() * (end_hour * 3600 - start) * 1_000_000)
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=start, microseconds=micro) - offset
        if moment >= self.now:
            moment = self.now - timedelta(seconds=self.rng.randint(1, 3600))
        return moment


# -- the world: organisations and staff --------------------------------------------------------


def world_build(today: date, rng: random.Random) -> tuple[pop.World, dict[int, Organisation]]:
    organisations = {o.pk: o for o in Organisation.objects.all()}
    region_of = {
        m.municipality_id: m.region.slug
        for m in RegionMembership.objects.select_related("region").filter(valid_from__lte=today).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today)
        )
    }
    institutions, kifs, municipalities = [], [], []
    for o in organisations.values():
        if o.kind == Organisation.Kind.INSTITUTION:
            weight = _INSTITUTION_WEIGHT_BY_NAME.get(o.name, _INSTITUTION_WEIGHT[o.institution_type])
            institutions.append(pop.Place(o.pk, "institution", o.institution_type, region_of.get(o.located_in_id, ""), weight))
        elif o.kind == Organisation.Kind.KIF:
            kifs.append(pop.Place(o.pk, "kif", "kif", region_of.get(o.located_in_id, ""), 1.0))
    if not institutions or not kifs:
        raise RuntimeError("No institutions or KIF departments: the reference data did not load.")
    for o in organisations.values():
        if o.kind != Organisation.Kind.MUNICIPALITY:
            continue
        region = region_of.get(o.pk, "")
        # The KIF department that supervises its citizens: in the same region, the one
        # whose home municipality's code is nearest (codes run roughly by geography).
        candidates = [k for k in kifs if k.region == region] or kifs
        kif = min(candidates, key=lambda k: (abs(int(organisations[organisations[k.id].located_in_id].code) - int(o.code)), k.id))
        municipalities.append(pop.Municipality(o.pk, region, _MUNICIPALITY_WEIGHT.get(o.code, 1.0), kif.id))
    institutions.sort(key=lambda p: p.id)
    kifs.sort(key=lambda p: p.id)
    municipalities.sort(key=lambda m: m.id)
    # How well each organisation keeps up: most near typical, a few behind.
    pace = {p.id: min(1.12, max(0.7, rng.gauss(1.0, 0.08))) for p in [*institutions, *kifs]}
    return pop.World(today, institutions, kifs, municipalities, pace), organisations


@dataclass
class Staff:
    """The people of each organisation, as the generator needs them."""

    #: organisation id → users who may hold a plan there, with weights
    holders: dict[int, list[tuple[User, float]]] = field(default_factory=dict)
    managers: dict[int, User] = field(default_factory=dict)
    busy: User | None = None
    created: int = 0
    by_id: dict[int, User] = field(default_factory=dict)
    _cumulative: dict[int, list[float]] = field(default_factory=dict)

    def pick(self, rng: random.Random, organisation_id: int, exclude: User | None = None) -> User | None:
        people = self.holders.get(organisation_id)
        if not people:
            return None
        cumulative = self._cumulative.get(organisation_id)
        if cumulative is None:
            cumulative = self._cumulative[organisation_id] = list(itertools.accumulate(w for _, w in people))
        for _ in range(4):
            chosen = people[bisect.bisect(cumulative, rng.random() * cumulative[-1])][0]
            if chosen != exclude:
                return chosen
        others = [u for u, _ in people if u != exclude]
        return rng.choice(others) if others else None


_ROLE_SHORT = {
    Role.SOCIAL_WORKER: "sr", Role.CONTACT_OFFICER: "kp", Role.KIF_OFFICER: "kf",
    Role.FEE_PAID_SUPERVISOR: "ht", Role.MANAGER: "leder", Role.MUNICIPAL_ENTRANCE: "indgang",
    Role.MUNICIPAL_CASEWORKER: "sb",
}


def _slug(name: str) -> str:
    for letter, spelling in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("Æ", "ae"), ("Ø", "oe"), ("Å", "aa")):
        name = name.replace(letter, spelling)
    return slugify(name)


def staff_create(rng: random.Random, organisations: dict[int, Organisation], open_by_holder: Counter) -> Staff:
    """The demo's named staff (if missing) and generated staff for every organisation,
    sized by the open cases each holds: a social worker per 30, a contact officer per 60,
    a KIF officer per 35, a fee-paid supervisor per 80, a manager each; three staff at
    every municipality."""
    password = make_password(DEMO_PASSWORD)
    existing = {u.username: u for u in User.objects.all()}
    by_key = {(o.kind, o.code if o.kind == Organisation.Kind.MUNICIPALITY else o.name): o for o in organisations.values()}
    departments = {(d.municipality_id, d.kind): d for d in MunicipalDepartment.objects.all()}
    new: list[User] = []

    def user(username: str, first: str, last: str, organisation: Organisation, role: str, department=None, superuser=False) -> None:
        if username in existing:
            return
        u = User(
            username=username, first_name=first, last_name=last, email=f"{username}@generated.koreplan.invalid",
            organisation=organisation, department=department, role=role, is_staff=superuser,
            is_superuser=superuser, password=password,
        )
        existing[username] = u
        new.append(u)

    for member in STAFF:
        organisation = by_key[(member.kind, member.organisation)]
        department = departments.get((organisation.pk, member.department)) if member.department else None
        user(member.username, member.first_name, member.last_name, organisation, member.role, department, member.superuser)

    def person() -> tuple[str, str]:
        male = rng.random() < 0.45
        return rng.choice(_MEN if male else _WOMEN), rng.choice(_SURNAMES)

    plan = {
        Organisation.Kind.INSTITUTION: ((Role.SOCIAL_WORKER, 30), (Role.CONTACT_OFFICER, 60), (Role.MANAGER, None)),
        Organisation.Kind.KIF: ((Role.KIF_OFFICER, 35), (Role.FEE_PAID_SUPERVISOR, 80), (Role.MANAGER, None)),
    }
    for o in sorted(organisations.values(), key=lambda o: o.pk):
        base = _slug(o.name if o.kind != Organisation.Kind.MUNICIPALITY else f"{o.name}-kommune")
        if o.kind in plan:
            for role, per in plan[o.kind]:
                n = 1 if per is None else max(1, -(-open_by_holder.get(o.pk, 0) // per))
                for i in range(1, n + 1):
                    user(f"{base}.{_ROLE_SHORT[role]}{i:02d}", *person(), o, role)
        elif o.kind == Organisation.Kind.MUNICIPALITY:
            user(f"{base}.indgang", *person(), o, Role.MUNICIPAL_ENTRANCE, departments.get((o.pk, "ydelse")))
            for kind in ("jobcenter", "socialcenter"):
                user(f"{base}.{kind}", *person(), o, Role.MUNICIPAL_CASEWORKER, departments.get((o.pk, kind)))
        elif o.kind == Organisation.Kind.DIRECTORATE:
            user(f"{base}.analytiker", *person(), o, Role.MANAGER)
    User.objects.bulk_create(new, batch_size=1000)
    staff = Staff(created=len(new))
    users = list(User.objects.select_related("organisation").filter(organisation__isnull=False))
    for u in users:
        staff.by_id[u.pk] = u
        if u.username == BUSY_USERNAME:
            continue  # holds the cases chosen for the bench (see National._busy_cases), no others
        if u.role in PLAN_HOLDING_ROLES and u.organisation.kind in (Organisation.Kind.INSTITUTION, Organisation.Kind.KIF):
            # Social workers and KIF officers hold most plans; managers hardly any.
            weight = {Role.SOCIAL_WORKER: 3.0, Role.KIF_OFFICER: 3.0, Role.CONTACT_OFFICER: 1.0, Role.MANAGER: 0.05}[u.role]
            staff.holders.setdefault(u.organisation_id, []).append((u, weight))
        if u.role == Role.MANAGER:
            staff.managers.setdefault(u.organisation_id, u)
    for people in staff.holders.values():
        people.sort(key=lambda item: item[0].pk)
    staff.busy = next((u for u in users if u.username == BUSY_USERNAME), None)
    return staff


# -- the run ------------------------------------------------------------------------------------------


@dataclass
class Result:
    seconds: float
    open_cases: int
    closed_cases: int
    rows: dict[str, int]
    stages: dict[str, int]
    staff_created: int
    tasks_done: int
    tasks_overdue: int
    busy_open_cases: int
    partners: list[str]
    partners_missing: list[str]
    set_id: int


def final_holder(draft: pop.Draft, today: date) -> int:
    """Where the draft's case will be held at the end (before it is lived through)."""
    holder = draft.transfer[1].id if draft.transfer else draft.first_holder.id
    parole = draft.facts.get("expected_parole_on")
    if draft.is_institution_case and parole and draft.kif and parole <= (draft.closed_on if draft.closed else today):
        holder = draft.kif.id
    return holder


class National:
    def __init__(
        self, *, seed: int = SEED, open_cases: int = NATIONAL_OPEN, closed_cases: int = NATIONAL_CLOSED,
        batch_size: int = CHUNK, out: Callable[[str], None] | None = None, today: date | None = None,
    ):
        self.seed = seed
        self.open_cases, self.closed_cases = open_cases, closed_cases
        self.batch_size = batch_size
        self.out = out or (lambda line: print(line, file=sys.stderr))
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.today = today or timezone.localdate()
        self.clock = Clock(random.Random(seed + 1), self.now)
        self.started = time.monotonic()
        self.audit: list[tuple] = []
        self.stats: Counter = Counter()
        # What case_open writes on step 2, in the language it would write it in.
        self.appointed_evidence = str(APPOINTED_AT_OPENING)

    def say(self, text: str) -> None:
        self.out(f"[{time.monotonic() - self.started:7.1f} s] {text}")

    def run(self) -> Result:
        from koreplan.generate import partners

        started_at = self.now
        with transaction.atomic():
            # The audit chain's lock first: no other writer may append while the generated
            # entries are chained (and on SQLite it takes the write lock for the whole run).
            _chain_lock()
            self.say("reference data (98 municipalities, institutions, KIF departments)")
            reference_data_load()
            world, organisations = world_build(self.today, self.rng)
            self.world, self.organisations = world, organisations
            self.say(f"drawing {self.open_cases:,} open and {self.closed_cases:,} closed cases")
            drafts = pop.draw_drafts(self.rng, world, open_cases=self.open_cases, closed_cases=self.closed_cases)
            # Ids in the order the cases were opened, as they would have been.
            drafts.sort(key=lambda d: (d.opened_on, d.index))
            open_by_holder = Counter(final_holder(d, self.today) for d in drafts if not d.closed)
            staff = staff_create(self.rng, organisations, open_by_holder)
            self.staff = staff
            self.say(f"staff: {staff.created:,} created")
            self.busy_cases = self._busy_cases(drafts)

            writer = BulkWriter(batch_size=self.batch_size)
            self.writer = writer
            self.t_client = writer.table(Client, ["id", "cpr", "birth_date", "first_name", "last_name", "acting_municipality", "created_at"])
            self.t_case = writer.table(Case, [
                "id", "client", "case_type", "status", "sentence", "intake_on", "remanded_until_execution_order",
                "execution_started_on", "expected_parole_on", "release_on", "herstedvester_visitation_completed_on",
                "placement", "supervision_started_on", "supervision_ends_on", "admitted_under_judgment",
                "needs_assistance", "housing_secured", "income_secured", "section_31_leave_possible",
                "holding_organisation", "plan_responsible", "substitute", "substitute_covering", "kif", "kif_officer",
                "plan_required", "roadmap_applies", "release_meeting_recommended", "municipal_coordination_applies",
                "expected_release_on", "opened_at", "closed_at", "revision",
            ])
            self.t_part = writer.table(CaseParticipation, ["id", "case", "organisation", "part", "started_at", "ended_at"])
            self.t_stay = writer.table(Stay, ["id", "case", "organisation", "placement", "started_on", "ended_on", "note"])
            self.t_handover = writer.table(Handover, [
                "id", "case", "kind", "status", "from_organisation", "from_user", "to_organisation", "to_user",
                "placement", "message", "requested_at", "answered_at", "answered_by", "answer_reason",
            ])
            self.t_task = writer.table(Task, [
                "id", "case", "obligation_id", "occurrence", "from_timeline", "who", "responsible_organisation",
                "due_on", "asap", "assumed", "non_working_day", "step", "legal_basis", "title_da", "title_en",
                "completed_on", "completed_by", "evidence", "assignee",
            ])
            self.t_journal = writer.table(JournalEntry, ["id", "case", "author", "kind", "occurred_on", "text", "created_at"])
            self.partners = partners.Partners(self)
            #: draft index → (client id, acting municipality, first name, last name, CPR)
            self.client_ids: dict[int, tuple[int, int, str, str, str]] = {}
            self.cprs = set(Client.objects.values_list("cpr", flat=True))
            self.first_case_id = self.t_case.next_id
            self.lived_sim = pop.Simulator(world, self.rng)

            total = len(drafts)
            for n, draft in enumerate(drafts, 1):
                self._case(draft)
                if n % 25_000 == 0 or n == total:
                    writer.flush()
                    self.say(
                        f"cases {n:,}/{total:,} ({n * 100 // total}%): {self.t_task.written:,} tasks, "
                        f"{len(self.audit):,} audit entries to chain"
                    )
            self.last_case_id = self.t_case.next_id - 1
            self.partners.finish()
            writer.flush()
            self.say(f"audit log: chaining {len(self.audit):,} entries in time order")
            self._audit_write()
            if writer.triggers_off:
                self.say("checking every foreign key written (their per-row triggers were off for the load)")
            rows = writer.finish()
            self.say("id sequences moved on; recording the set")
            seconds = time.monotonic() - self.started
            summary = {
                "rows": rows, "stages": dict(self.stats_stages()), "tasks_done": self.stats["tasks_done"],
                "tasks_overdue": self.stats["tasks_overdue"], "busy_open_cases": self.stats["busy_open"],
                "partners": self.partners.written, "partners_missing": self.partners.missing,
            }
            generated = GeneratedSet.objects.create(
                scale=GeneratedSet.Scale.NATIONAL, seed=self.seed, open_cases=self.open_cases,
                closed_cases=self.closed_cases, first_case_id=self.first_case_id, last_case_id=self.last_case_id,
                started_at=started_at, finished_at=timezone.now(), seconds=seconds, summary=summary,
            )
            audit_record(
                action="koreplan.generate.completed", obj=generated,
                data={"scale": "national", "seed": self.seed, "open_cases": self.open_cases,
                      "closed_cases": self.closed_cases, "seconds": round(seconds, 1)},
            )
            self.say("committing")
        self.say("planner statistics (ANALYZE)")
        writer.analyze()
        seconds = time.monotonic() - self.started
        GeneratedSet.objects.filter(pk=generated.pk).update(seconds=seconds)
        return Result(
            seconds=seconds, open_cases=self.open_cases, closed_cases=self.closed_cases, rows=rows,
            stages=dict(self.stats_stages()), staff_created=staff.created, tasks_done=self.stats["tasks_done"],
            tasks_overdue=self.stats["tasks_overdue"], busy_open_cases=self.stats["busy_open"],
            partners=self.partners.written_names, partners_missing=self.partners.missing, set_id=generated.pk,
        )

    def stats_stages(self):
        return sorted((k.removeprefix("stage:"), v) for k, v in self.stats.items() if k.startswith("stage:"))

    def _busy_cases(self, drafts: list[pop.Draft]) -> set[int]:
        """About sixty open cases at Storstrøm Fængsel for the busy social worker."""
        storstrom = next((o.pk for o in self.organisations.values() if o.name == BUSY_ORGANISATION), None)
        if storstrom is None or self.staff.busy is None:
            return set()
        candidates = [
            d.index for d in drafts
            if not d.closed and final_holder(d, self.today) == storstrom and d.start and d.start <= self.today
        ]
        return set(random.Random(self.seed + 2).sample(candidates, min(BUSY_CASES, len(candidates))))

    # -- one case ------------------------------------------------------------------------------

    def _case(self, draft: pop.Draft) -> None:
        rng, clock, today = self.rng, self.clock, self.today
        lived = self.lived_sim.live(draft)
        staff = self.staff
        organisations = self.organisations
        self.stats[f"stage:{lived.stage}"] += 1

        # People: who held the plan at each organisation the case passed through.
        responsible: dict[int, User | None] = {}
        for organisation_id, _start, _end in lived.holders:
            if organisation_id not in responsible:
                responsible[organisation_id] = staff.pick(rng, organisation_id)
        if draft.index in self.busy_cases and staff.busy is not None:
            responsible[lived.holder_id] = staff.busy
            self.stats["busy_open"] += 1
        awaiting = lived.stage == "awaiting_intake"
        plan_responsible = None if awaiting else responsible.get(lived.holder_id)
        substitute = None
        if plan_responsible is not None and rng.random() < 0.7:
            substitute = staff.pick(rng, lived.holder_id, exclude=plan_responsible)
        covering = substitute is not None and not draft.closed and rng.random() < 0.01
        kif_officer = None
        if lived.kif_id is not None:
            kif_officer = responsible.get(lived.kif_id) or staff.pick(rng, lived.kif_id)
            responsible.setdefault(lived.kif_id, kif_officer)
        manager = staff.managers.get(draft.first_holder.id)

        def person_at(organisation_id: int) -> User | None:
            return responsible.get(organisation_id) or staff.pick(rng, organisation_id) or manager

        # The client (a returning client keeps the client of the earlier case).
        opened_at = clock.at(draft.opened_on, 8, 10)
        facts = draft.facts
        if draft.same_client_as is not None and draft.same_client_as in self.client_ids:
            client_id, municipality_id, first, last, cpr = self.client_ids[draft.same_client_as]
            new_client = False
        else:
            client_id, municipality_id = self.t_client.allocate(), draft.municipality.id
            male = draft.male
            first = rng.choice(_MEN if male else _WOMEN)
            last = rng.choice(_SURNAMES)
            cpr = pop.cpr_for(rng, facts["birth_date"], male=male, taken=self.cprs)
            self.t_client.add((client_id, cpr, facts["birth_date"], first, last, municipality_id, opened_at))
            new_client = True
        self.client_ids[draft.index] = (client_id, municipality_id, first, last, cpr)

        case_id = self.t_case.allocate()
        timeline = lived.timeline
        closed_at = clock.at(draft.closed_on, 14, 16) if draft.closed else None
        self.t_case.add((
            case_id, client_id, facts["case_type"], "closed" if draft.closed else "open", facts.get("sentence", ""),
            facts.get("intake_on"), facts.get("remanded_until_execution_order"), facts.get("execution_started_on"),
            facts.get("expected_parole_on"), facts.get("release_on"), facts.get("herstedvester_visitation_completed_on"),
            lived.placement, facts.get("supervision_started_on"), facts.get("supervision_ends_on"),
            facts.get("admitted_under_judgment"), facts.get("needs_assistance"), facts.get("housing_secured"),
            facts.get("income_secured"), facts.get("section_31_leave_possible"),
            lived.holder_id, _pk(plan_responsible), _pk(substitute), covering, lived.kif_id, _pk(kif_officer),
            timeline.plan_required, timeline.roadmap_applies, timeline.release_meeting_recommended,
            timeline.municipal_coordination_applies, timeline.expected_release_on, opened_at, closed_at, 1,
        ))
        opener = person_at(draft.first_holder.id)
        if new_client:
            self._audit(opened_at, "koreplan.client.created", opener, None, client_id, "cases.client", client_id, {})
        self._audit(opened_at, "koreplan.case.opened", opener, case_id, client_id, "cases.case", case_id,
                    {"case_type": facts["case_type"]})

        # Who holds it, and who held it: one participation per holding, ended on hand-over.
        for organisation_id, start, end in lived.holders:
            started = opened_at if start == draft.opened_on else clock.at(start, 10, 12)
            self.t_part.add((self.t_part.allocate(), case_id, organisation_id, "holder", started,
                             clock.at(end, 10, 12) if end else None))
        if lived.kif_id is not None and lived.kif_involved_on:
            # KIF involved before parole (and still involved once it has taken over).
            self.t_part.add((self.t_part.allocate(), case_id, lived.kif_id, "kif", clock.at(lived.kif_involved_on), None))
        for stay in lived.stays:
            self.t_stay.add((self.t_stay.allocate(), case_id, stay.organisation_id, stay.placement, stay.started_on,
                             stay.ended_on, ""))

        # The hand-overs are written after the tasks, but whether a sender still owes its status
        # at transfer (and so keeps a part in the case) decides where the institution's tasks lie.
        handovers = []
        for h in lived.handovers:
            sender = person_at(h.from_id)
            handovers.append((h, sender, self._status_done(h) if sender is not None else None))
        # (organisation, from, until): the sender sees the case until its status is done.
        previous_holders = [
            (h.from_id, h.answered_on, done) for h, sender, done in handovers
            if sender is not None and h.status == "accepted" and (done is None or done > h.answered_on)
        ]

        def responsible_on(who: str, day: date) -> int:
            """Where case_tasks_sync puts a task of ``who`` on ``day``, as the case stood then."""
            holder_id = pop.holder_on(lived, day)
            holder_is_kif = organisations[holder_id].kind == Organisation.Kind.KIF
            institution = None
            if holder_is_kif:
                stays = [s for s in lived.stays if s.started_on <= day
                         and organisations[s.organisation_id].kind == Organisation.Kind.INSTITUTION]
                last = max(stays, key=lambda s: s.started_on).organisation_id if stays else None
                if any(o == last and start <= day and (end is None or day < end) for o, start, end in previous_holders):
                    institution = last
            involved = lived.kif_involved_on is not None and lived.kif_involved_on <= day
            return responsible_party(
                Who(who), holder=holder_id, holder_is_kif=holder_is_kif,
                kif=lived.kif_id if holder_is_kif or involved else None,
                municipality=municipality_id, institution=institution,
            )

        # Tasks: the timeline's obligations exactly as case_tasks_sync would keep them: open ones
        # where they lie today, done ones where they lay when they were done.
        by_who = {who.value: responsible_on(who.value, today) for who in Who}
        task_ids: dict[tuple[str, int], int] = {}
        appointed_evidence = self.appointed_evidence
        for o in timeline.obligations:
            task_id = self.t_task.allocate()
            task_ids[(o.id, o.occurrence)] = task_id
            done = o.completed_on
            doer = None
            evidence = ""
            if done is not None and o.id == pop.APPOINT_PLAN_RESPONSIBLE:
                # Step 2 is done at opening, by the one who opened the case with its
                # plan-responsible named: case_open's completion, logged right after it.
                doer, evidence = opener, appointed_evidence
                self.stats["tasks_done"] += 1
                self._audit(opened_at + timedelta(microseconds=1), "koreplan.task.completed", doer, case_id, client_id,
                            "cases.task", task_id, {"obligation": o.id, "occurrence": o.occurrence,
                                                    "completed_on": done.isoformat(), "automatic": True})
            elif done is not None:
                # A municipality's task is marked done by the holder's staff.
                doer = person_at(pop.holder_on(lived, done) if o.who == Who.MUNICIPALITY else responsible_on(o.who.value, done))
                evidence = _EVIDENCE.get(o.id, "Udført.")
                self.stats["tasks_done"] += 1
                self._audit(clock.at(done, 9, 16), "koreplan.task.completed", doer, case_id, client_id, "cases.task",
                            task_id, {"obligation": o.id, "occurrence": o.occurrence, "completed_on": done.isoformat()})
            elif not draft.closed and o.due_on < today:
                self.stats["tasks_overdue"] += 1
            self.t_task.add((
                task_id, case_id, o.id, o.occurrence, True, o.who.value,
                by_who[o.who.value] if done is None else responsible_on(o.who.value, done), o.due_on, o.asap,
                o.assumed, o.non_working_day, o.step or "", _basis(o.legal_basis), o.title_da, o.title_en, done,
                _pk(doer), evidence, None,
            ))

        # Hand-overs, with the tasks and participations their services make.
        occurrences: Counter = Counter()
        for h, sender, status_done in handovers:
            self._handover(case_id, client_id, lived, h, occurrences, person_at, sender, status_done)

        # The journal.
        for day, pick in lived.journal:
            kind, text = _JOURNAL[pick % len(_JOURNAL)]
            author = person_at(pop.holder_on(lived, day))
            if author is None:
                continue
            entry_id = self.t_journal.allocate()
            at = clock.at(day, 9, 16)
            self.t_journal.add((entry_id, case_id, author.pk, kind, day, text.format(name=first), at))
            self._audit(at, "koreplan.journal.entry_added", author, case_id, client_id, "cases.journalentry", entry_id, {})
        viewer = plan_responsible or manager
        for day in lived.views:
            self._audit(clock.at(day, 8, 16), "koreplan.case.viewed", viewer, case_id, client_id, "cases.case", case_id,
                        {"method": "GET"})
        if draft.closed:
            self._audit(closed_at, "koreplan.case.closed", plan_responsible or manager, case_id, client_id, "cases.case",
                        case_id, {})
        self.partners.case(
            case_id=case_id, client_id=client_id, municipality_id=municipality_id, lived=lived, task_ids=task_ids,
            person_at=person_at, plan_responsible=plan_responsible, client=(first, last, cpr, facts["birth_date"]),
        )

    def _status_done(self, h: pop.HandoverEvent) -> date | None:
        """The day the sender wrote its status on the plan (cirk. § 8, stk. 1), if it has."""
        if self.rng.random() < 0.9:
            done = h.requested_on + timedelta(days=self.rng.randint(0, 10))
            return done if done <= self.today else None
        return None

    def _handover(self, case_id, client_id, lived: pop.Lived, h: pop.HandoverEvent, occurrences: Counter, person_at,
                  sender: User | None, status_done: date | None) -> None:
        rng, clock, today = self.rng, self.clock, self.today
        organisations = self.organisations
        if sender is None:
            return
        receiver_org = organisations[h.to_id]
        receiver = person_at(h.to_id)
        requested_at = clock.at(h.requested_on, 9, 12)
        answered_at = clock.at(h.answered_on, 12, 15) if h.answered_on else None
        if answered_at is not None and answered_at < requested_at:
            answered_at = requested_at + timedelta(minutes=rng.randint(5, 120))
        answered_by = receiver if h.status in ("accepted", "returned") else (sender if h.status == "withdrawn" else None)
        placement = "kif" if receiver_org.kind == Organisation.Kind.KIF else receiver_org.institution_type
        handover_id = self.t_handover.allocate()
        message = (
            "Prøveløsladelse nærmer sig; vi beder jer overtage tilsynet." if h.kind == "kif_at_parole"
            else "Overførsel; handleplanen er opdateret."
        )
        self.t_handover.add((
            handover_id, case_id, h.kind, h.status, h.from_id, sender.pk, h.to_id, None, placement, message,
            requested_at, answered_at, _pk(answered_by) if h.status != "requested" else None, h.reason,
        ))
        self._audit(requested_at, "koreplan.handover.requested", sender, case_id, client_id, "cases.handover", handover_id,
                    {"kind": h.kind, "to_organisation": h.to_id, "to_user": None})
        # The receiver sees the case while it is asked to take over.
        self.t_part.add((self.t_part.allocate(), case_id, h.to_id, "handover_receiver", requested_at,
                         answered_at if h.status != "requested" else None))
        # The sender's status on the plan (cirk. § 8, stk. 1), made with the request.
        occurrences["status_at_transfer"] += 1
        who = "kif" if organisations[h.from_id].kind == Organisation.Kind.KIF else "institution"
        status_task = self.t_task.allocate()
        self.t_task.add((
            status_task, case_id, "status_at_transfer", occurrences["status_at_transfer"], False, who, h.from_id,
            h.requested_on, False, False, False, "", _json_list(_STATUS_BASIS), OBLIGATIONS["status_at_transfer"].title_da,
            OBLIGATIONS["status_at_transfer"].title_en, status_done, _pk(sender) if status_done else None,
            "Status skrevet i handleplanen." if status_done else "", sender.pk,
        ))
        if status_done:
            self._audit(clock.at(status_done, 9, 16), "koreplan.task.completed", sender, case_id, client_id, "cases.task",
                        status_task, {"obligation": "status_at_transfer", "occurrence": occurrences["status_at_transfer"],
                                      "completed_on": status_done.isoformat()})
        if h.status == "accepted":
            new_responsible = receiver
            self._audit(answered_at, "koreplan.handover.accepted", receiver, case_id, client_id, "cases.handover",
                        handover_id, {"plan_responsible": _pk(new_responsible), "to_organisation": h.to_id})
            if status_done is None or status_done > h.answered_on:
                # The sender keeps sight of the case until its status is done.
                ended = clock.at(status_done, 16, 17) if status_done else None
                self.t_part.add((self.t_part.allocate(), case_id, h.from_id, "previous_holder", answered_at, ended))
            occurrences[_REVIEW[0]] += 1
            review_done = h.answered_on + timedelta(days=rng.randint(0, 14)) if rng.random() < 0.9 else None
            if review_done and review_done > today:
                review_done = None
            who = "kif" if receiver_org.kind == Organisation.Kind.KIF else "institution"
            review_task = self.t_task.allocate()
            self.t_task.add((
                review_task, case_id, _REVIEW[0], occurrences[_REVIEW[0]], False, who, h.to_id, h.answered_on, False,
                False, False, "", _json_list(_REVIEW[3]), _REVIEW[1], _REVIEW[2], review_done,
                _pk(new_responsible) if review_done else None, "Handleplanen gennemgået." if review_done else "",
                _pk(new_responsible),
            ))
            if review_done and new_responsible is not None:
                self._audit(clock.at(review_done, 9, 16), "koreplan.task.completed", new_responsible, case_id, client_id,
                            "cases.task", review_task, {"obligation": _REVIEW[0], "occurrence": occurrences[_REVIEW[0]],
                                                         "completed_on": review_done.isoformat()})
        elif h.status == "returned":
            self._audit(answered_at, "koreplan.handover.returned", receiver, case_id, client_id, "cases.handover",
                        handover_id, {"reason": h.reason})
        elif h.status == "withdrawn":
            self._audit(answered_at, "koreplan.handover.withdrawn", sender, case_id, client_id, "cases.handover",
                        handover_id, {"reason": ""})

    # -- the audit log ---------------------------------------------------------------------------

    def _audit(self, at: datetime, action: str, actor: User | None, case_id, client_id, object_type: str, object_id, data) -> None:
        self.audit.append((
            at, action, actor.pk if actor else None, actor.organisation_id if actor else None, case_id, client_id,
            object_type, str(object_id), data,
        ))

    def _audit_write(self) -> None:
        """Chain the run's entries in time order onto the log's current head.

        The hash is ``AuditEntry.compute_hash``'s, computed here with one reused JSON encoder
        (the model's method builds an encoder per call, which is most of the cost at three
        million entries); every 10,000th entry is checked against the model's method.
        """
        self.audit.sort(key=lambda e: e[0])
        table = self.writer.table(AuditEntry, [
            "id", "created_at", "action", "actor", "actor_organisation", "case_id", "client_id", "object_type",
            "object_id", "ip_address", "user_agent", "purpose", "data", "personal_salt", "personal_digest",
            "pseudonymised_at", "client_pseudonym", "case_pseudonym", "prev_hash", "hash",
        ])
        last = AuditEntry.objects.order_by("-id").only("hash").first()
        prev = last.hash if last else GENESIS_HASH
        check = _Entry()
        check.ip_address, check.user_agent, check.purpose = None, USER_AGENT, ""
        canonical = _CANONICAL.encode
        data_json = _DATA_JSON.encode
        sha256 = hashlib.sha256
        token_hex = secrets.token_hex
        for n, (at, action, actor_id, organisation_id, case_id, client_id, object_type, object_id, data) in enumerate(self.audit, 1):
            salt = token_hex(16)
            personal = {
                "case_id": case_id, "client_id": client_id, "ip_address": None, "user_agent": USER_AGENT,
                "purpose": "", "data": data,
            }
            personal_digest = sha256((salt + canonical(personal)).encode("utf-8")).hexdigest()
            content = {
                "created_at": at.isoformat(timespec="microseconds"),  # already UTC
                "action": action, "actor_id": actor_id, "actor_organisation_id": organisation_id,
                "object_type": object_type, "object_id": object_id, "personal_digest": personal_digest,
            }
            digest = sha256((prev + canonical(content)).encode("utf-8")).hexdigest()
            if n % 10_000 == 1:
                check.created_at, check.action, check.actor_id = at, action, actor_id
                check.actor_organisation_id, check.case_id, check.client_id = organisation_id, case_id, client_id
                check.object_type, check.object_id, check.data, check.prev_hash = object_type, object_id, data, prev
                check.personal_salt, check.personal_digest = salt, personal_digest
                if (
                    AuditEntry.compute_personal_digest(check) != personal_digest
                    or AuditEntry.compute_hash(check) != digest
                ):
                    raise AssertionError("The generator's audit hash differs from AuditEntry.compute_hash.")
            table.add((table.allocate(), at, action, actor_id, organisation_id, case_id, client_id, object_type,
                       object_id, None, USER_AGENT, "", Json(data_json(data)), salt, personal_digest, None, "", "",
                       prev, digest))
            prev = digest
            if n % 1_000_000 == 0:
                self.say(f"audit log: {n:,} chained")
        self.audit = []


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=DjangoJSONEncoder().default)
_DATA_JSON = json.JSONEncoder(ensure_ascii=False, default=DjangoJSONEncoder().default)


class _Entry:
    """The attributes ``AuditEntry.compute_hash`` reads, without a model instance per row."""

    __slots__ = (
        "action",
        "actor_id",
        "actor_organisation_id",
        "case_id",
        "client_id",
        "created_at",
        "data",
        "ip_address",
        "object_id",
        "object_type",
        "personal_digest",
        "personal_salt",
        "prev_hash",
        "purpose",
        "user_agent",
    )


def _pk(user: User | None) -> int | None:
    return user.pk if user is not None else None


_BASIS_CACHE: dict[tuple, Json] = {}


def _basis(citations: tuple) -> Json:
    value = _BASIS_CACHE.get(citations)
    if value is None:
        value = _BASIS_CACHE[citations] = as_json([str(c) for c in citations])
    return value


def _json_list(values: list[str]) -> Json:
    return as_json(values)
