"""The demo: what `make run` shows a first-time visitor.

The national reference data, about forty staff across every role at real institutions,
KIF departments and municipalities, and about three hundred cases at every stage of the
roadmap — some waiting for intake, some just admitted, some near release, some released,
some under supervision, some closed — with tasks done on time, done late and overdue,
hand-overs waiting for an answer, and journal entries. The prison cases also have what
the rest of the product shows (``koreplan.cases.demo_extras``): action plans written at
the intake interview, finished and approved; consents given and refused; notices and
requests in the municipalities' inboxes; release meetings, KIF involved, the readiness
list and the outcome at release.

Everything below the organisations and users is made through the services, exactly as
the web application would make it, so the demo also exercises the rules, the audit log and
the constraints. The services take "today" from the clock, so the generator never dates a
completion or a journal entry after today; it spreads the cases over time by moving each
case's facts, not the clock.

Seeded: the same seed on the same day gives the same demo. Loading is all-or-nothing (one
transaction), and a database that already has the demo logins is left alone.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from koreplan.accounts.models import Role, User
from koreplan.accounts.selectors import otp_backup_codes_of
from koreplan.accounts.services import otp_backup_codes_generate
from koreplan.audit.services import audit_record
from koreplan.cases import services
from koreplan.cases.demo_extras import Story
from koreplan.cases.models import Case, CaseType, Handover, JournalEntry, Task
from koreplan.organisations.models import MunicipalDepartment, Organisation
from koreplan.organisations.services import DIRECTORATE_NAME, reference_data_load
from koreplan.synthetic import synthetic_facts

SEED = 1977
DEMO_PASSWORD = "demo"
DEMO_CASES = 300
URL = "http://127.0.0.1:8000"

#: The logins the README promises, in the order they are printed.
DEMO_LOGINS = ("socialraadgiver", "kif", "kommune", "leder", "admin")

_INSTITUTION, _KIF = Organisation.Kind.INSTITUTION, Organisation.Kind.KIF
_MUNICIPALITY, _DIRECTORATE = Organisation.Kind.MUNICIPALITY, Organisation.Kind.DIRECTORATE
_D = MunicipalDepartment.Kind

# --- the staff ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffMember:
    username: str
    first_name: str
    last_name: str
    kind: str
    #: The organisation's name, or for a municipality its three-digit code.
    organisation: str
    role: str
    department: str = ""
    superuser: bool = False


# Storstrøm Fængsel (a closed prison) lies in Guldborgsund, as does KiF Nykøbing F.: the
# demo logins work together on the same people. Guldborgsund is also the demo clients'
# most common acting municipality (see _MUNICIPALITY_WEIGHTS), so `kommune` sees the
# most of what is sent to a municipality.
STAFF: tuple[StaffMember, ...] = (
    # Storstrøm Fængsel
    StaffMember("socialraadgiver", "Sofie", "Kjær", _INSTITUTION, "Storstrøm Fængsel", Role.SOCIAL_WORKER),
    StaffMember("jesper.lund", "Jesper", "Lund", _INSTITUTION, "Storstrøm Fængsel", Role.SOCIAL_WORKER),
    StaffMember("camilla.noergaard", "Camilla", "Nørgaard", _INSTITUTION, "Storstrøm Fængsel", Role.SOCIAL_WORKER),
    StaffMember("henrik.dam", "Henrik", "Dam", _INSTITUTION, "Storstrøm Fængsel", Role.CONTACT_OFFICER),
    StaffMember("pia.thomsen", "Pia", "Thomsen", _INSTITUTION, "Storstrøm Fængsel", Role.CONTACT_OFFICER),
    StaffMember("leder", "Lars", "Brandt", _INSTITUTION, "Storstrøm Fængsel", Role.MANAGER),
    # Enner Mark Fængsel
    StaffMember("anne.soerensen", "Anne", "Sørensen", _INSTITUTION, "Enner Mark Fængsel", Role.SOCIAL_WORKER),
    StaffMember("mads.kristensen", "Mads", "Kristensen", _INSTITUTION, "Enner Mark Fængsel", Role.SOCIAL_WORKER),
    StaffMember("bo.jeppesen", "Bo", "Jeppesen", _INSTITUTION, "Enner Mark Fængsel", Role.CONTACT_OFFICER),
    StaffMember("helle.vestergaard", "Helle", "Vestergaard", _INSTITUTION, "Enner Mark Fængsel", Role.MANAGER),
    # Horserød Fængsel (open)
    StaffMember("maria.poulsen", "Maria", "Poulsen", _INSTITUTION, "Horserød Fængsel", Role.SOCIAL_WORKER),
    StaffMember("thomas.bach", "Thomas", "Bach", _INSTITUTION, "Horserød Fængsel", Role.SOCIAL_WORKER),
    StaffMember("lone.iversen", "Lone", "Iversen", _INSTITUTION, "Horserød Fængsel", Role.CONTACT_OFFICER),
    # Vestre Fængsel (arresthus)
    StaffMember("rasmus.holm", "Rasmus", "Holm", _INSTITUTION, "Vestre Fængsel", Role.SOCIAL_WORKER),
    StaffMember("nadia.hussain", "Nadia", "Hussain", _INSTITUTION, "Vestre Fængsel", Role.SOCIAL_WORKER),
    StaffMember("kim.frandsen", "Kim", "Frandsen", _INSTITUTION, "Vestre Fængsel", Role.CONTACT_OFFICER),
    StaffMember("birgitte.lind", "Birgitte", "Lind", _INSTITUTION, "Vestre Fængsel", Role.MANAGER),
    # Nykøbing Falster Arrest
    StaffMember("line.winther", "Line", "Winther", _INSTITUTION, "Nykøbing Falster Arrest", Role.SOCIAL_WORKER),
    StaffMember("ole.mortensen", "Ole", "Mortensen", _INSTITUTION, "Nykøbing Falster Arrest", Role.CONTACT_OFFICER),
    # Pension Skejby
    StaffMember("julie.oestergaard", "Julie", "Østergaard", _INSTITUTION, "Pension Skejby", Role.SOCIAL_WORKER),
    StaffMember("peter.bjerre", "Peter", "Bjerre", _INSTITUTION, "Pension Skejby", Role.CONTACT_OFFICER),
    # KIF
    StaffMember("kif", "Karin", "Møller", _KIF, "KiF Nykøbing F.", Role.KIF_OFFICER),
    StaffMember("soeren.villadsen", "Søren", "Villadsen", _KIF, "KiF Nykøbing F.", Role.KIF_OFFICER),
    StaffMember("jens.fog", "Jens", "Fog", _KIF, "KiF Nykøbing F.", Role.FEE_PAID_SUPERVISOR),
    StaffMember("amalie.friis", "Amalie", "Friis", _KIF, "KiF København", Role.KIF_OFFICER),
    StaffMember("omar.rahimi", "Omar", "Rahimi", _KIF, "KiF København", Role.KIF_OFFICER),
    StaffMember("ida.strand", "Ida", "Strand", _KIF, "KiF København", Role.FEE_PAID_SUPERVISOR),
    StaffMember("morten.koch", "Morten", "Koch", _KIF, "KiF København", Role.MANAGER),
    StaffMember("katrine.bak", "Katrine", "Bak", _KIF, "KiF Aarhus", Role.KIF_OFFICER),
    StaffMember("niels.dalgaard", "Niels", "Dalgaard", _KIF, "KiF Aarhus", Role.KIF_OFFICER),
    # Municipalities (by code)
    StaffMember("kommune", "Mette", "Lauridsen", _MUNICIPALITY, "376", Role.MUNICIPAL_ENTRANCE, _D.YDELSE),
    StaffMember("jonas.krog", "Jonas", "Krog", _MUNICIPALITY, "376", Role.MUNICIPAL_CASEWORKER, _D.JOBCENTER),
    StaffMember("dorthe.svendsen", "Dorthe", "Svendsen", _MUNICIPALITY, "376", Role.MUNICIPAL_CASEWORKER, _D.MISBRUGSCENTER),
    StaffMember("gitte.rasmussen", "Gitte", "Rasmussen", _MUNICIPALITY, "360", Role.MUNICIPAL_ENTRANCE, _D.YDELSE),
    StaffMember("hanne.bruun", "Hanne", "Bruun", _MUNICIPALITY, "370", Role.MUNICIPAL_ENTRANCE, _D.YDELSE),
    StaffMember("kasper.nygaard", "Kasper", "Nygaard", _MUNICIPALITY, "370", Role.MUNICIPAL_CASEWORKER, _D.SOCIALCENTER),
    StaffMember("signe.holt", "Signe", "Holt", _MUNICIPALITY, "101", Role.MUNICIPAL_ENTRANCE, _D.YDELSE),
    StaffMember("ahmed.yilmaz", "Ahmed", "Yilmaz", _MUNICIPALITY, "101", Role.MUNICIPAL_CASEWORKER, _D.SOCIALPSYKIATRI),
    StaffMember("louise.kirk", "Louise", "Kirk", _MUNICIPALITY, "751", Role.MUNICIPAL_ENTRANCE, _D.YDELSE),
    # The Directorate
    StaffMember("admin", "Anders", "Skov", _DIRECTORATE, DIRECTORATE_NAME, Role.ADMINISTRATOR, superuser=True),
    StaffMember("eva.lindberg", "Eva", "Lindberg", _DIRECTORATE, DIRECTORATE_NAME, Role.ADMINISTRATOR),
)

# --- where the cases are held ------------------------------------------------------------

#: (holding organisation, number of cases, plan-holders' usernames with weights).
#: socialraadgiver holds about 25 of Storstrøm's cases: a full, realistic worklist.
HOLDERS: tuple[tuple[str, int, dict[str, int]], ...] = (
    ("Storstrøm Fængsel", 58, {"socialraadgiver": 11, "jesper.lund": 4, "camilla.noergaard": 4, "henrik.dam": 2, "pia.thomsen": 2}),
    ("Enner Mark Fængsel", 42, {"anne.soerensen": 3, "mads.kristensen": 3, "bo.jeppesen": 1, "helle.vestergaard": 1}),
    ("Horserød Fængsel", 35, {"maria.poulsen": 3, "thomas.bach": 3, "lone.iversen": 1}),
    ("Vestre Fængsel", 45, {"rasmus.holm": 3, "nadia.hussain": 3, "kim.frandsen": 1}),
    ("Nykøbing Falster Arrest", 20, {"line.winther": 3, "ole.mortensen": 1}),
    ("Pension Skejby", 20, {"julie.oestergaard": 3, "peter.bjerre": 1}),
    ("KiF Nykøbing F.", 27, {"kif": 3, "soeren.villadsen": 2}),
    ("KiF København", 32, {"amalie.friis": 3, "omar.rahimi": 3, "morten.koch": 1}),
    ("KiF Aarhus", 21, {"katrine.bak": 1, "niels.dalgaard": 1}),
)

#: Acting municipalities by code with weights; the other 90 share what is left.
_MUNICIPALITY_WEIGHTS = {
    "376": 20, "360": 8, "370": 7, "101": 10, "751": 7, "461": 4, "851": 3, "615": 3,
}
_OTHER_MUNICIPALITIES_WEIGHT = 38

_INSTITUTION_CASE_TYPES = {CaseType.IMPRISONMENT, CaseType.REMAND_777}
_KIF_CASE_TYPES = {
    CaseType.PAROLE_SUPERVISION, CaseType.CONDITIONAL_SUPERVISION,
    CaseType.MEASURE_68_69, CaseType.YOUTH_HOME_DETENTION,
}
_DATE_FACTS = (
    "birth_date", "intake_on", "execution_started_on", "expected_parole_on", "release_on",
    "herstedvester_visitation_completed_on", "supervision_started_on", "supervision_ends_on",
)

# --- Danish names --------------------------------------------------------------------------

_MEN = (
    "Mads", "Mikkel", "Frederik", "Jonas", "Rasmus", "Emil", "Kasper", "Martin", "Thomas",
    "Michael", "Jesper", "Morten", "Nikolaj", "Christian", "Anders", "Søren", "Henrik",
    "Lars", "Kim", "Brian", "Dennis", "Jannik", "Patrick", "Sebastian", "Oliver", "Lucas",
    "Mathias", "Tobias", "Ali", "Mohammed", "Ahmad", "Kenneth", "René", "Torben", "Bjarne",
    "Jan", "Per", "Ole", "Steen", "Johnny", "Tommy", "Danny", "Nicolai", "Simon", "Magnus",
)
_WOMEN = (
    "Anne", "Mette", "Camilla", "Louise", "Sarah", "Julie", "Maria", "Line", "Katrine",
    "Signe", "Emma", "Ida", "Sofie", "Laura", "Cecilie", "Pernille", "Tina", "Helle",
    "Susanne", "Charlotte", "Nadia", "Fatima", "Jeanette", "Stine", "Lone",
)
_SURNAMES = (
    "Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen",
    "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen",
    "Thomsen", "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen", "Knudsen",
    "Jakobsen", "Mikkelsen", "Olesen", "Frederiksen", "Laursen", "Henriksen", "Lund",
    "Schmidt", "Eriksen", "Holm", "Kristiansen", "Clausen", "Simonsen", "Svendsen",
    "Andreasen", "Iversen", "Jeppesen", "Mogensen", "Jacobsen", "Carlsen", "Vestergaard",
    "Nissen", "Lauridsen", "Kjær", "Dam", "Bach", "Friis", "Ahmed", "Hussein", "Yilmaz",
)

# What the person who did a task writes as evidence.
_EVIDENCE = {
    "notify_municipality_of_intake": "Underretning sendt til kommunens indgang med sikker mail.",
    "intake_interview": "Indsættelsessamtale holdt; behov for bolig og forsørgelse afdækket.",
    "obtain_case_files": "Sagsakter indhentet fra kommunen og fra kriminalforsorgen i frihed.",
    "first_plan": "Første handleplan udarbejdet sammen med den indsatte og underskrevet.",
    "municipality_coordination": "Kommunen kontaktet; koordineret samarbejde aftalt.",
    "plan_evaluation": "Handleplanen gennemgået og justeret med den indsatte.",
    "release_meeting": "Løsladelsesmøde holdt med kommune og KIF.",
    "involve_kif": "KIF inddraget; prøveløsladelsen planlagt sammen.",
    "municipal_appointments_on_release_day": "Møder på jobcenter og i borgerservice aftalt til løsladelsesdagen.",
    "status_at_release": "Status på handleplanen skrevet ved løsladelsen.",
    "supervision_first_meeting": "Første tilsynsmøde holdt.",
    "supervision_plan": "Handleplanen videreført i tilsynet.",
    "kif_municipality_coordination": "Kommunen kontaktet om koordinering i tilsynsperioden.",
    "supervision_evaluation": "Handleplanen fulgt op i tilsynet.",
    "follow_up_meeting_after_release": "Opfølgende møde holdt efter løsladelsen.",
    "status_at_supervision_end": "Status skrevet ved tilsynets afslutning.",
}
_JOURNAL = (
    ("contact", "Samtale med {name} om bolig efter løsladelsen. Har skrevet sig op hos boligselskabet."),
    ("contact", "Samtale med {name} om forsørgelse. Ansøgning om kontanthjælp forberedes til kommunen."),
    ("contact", "Telefonmøde med jobcentret om {name}s uddannelsesønske."),
    ("contact", "{name} deltog i netværksmøde med familie og kontaktperson."),
    ("contact", "Samtale med {name}: motiveret for misbrugsbehandling, henvisning drøftet."),
    ("attempt", "Forsøgt kontakt til {name} på afdelingen; ønskede ikke samtale i dag."),
    ("attempt", "Ringet til kommunens indgang om {name}; ingen svar, lagt besked."),
    ("note", "{name} har fået job i værkstedet fra næste uge."),
    ("note", "Udgang efter § 31 drøftet med {name}; afventer vurdering."),
)


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    role: str
    organisation: str
    #: The unused one-time backup codes of a login that needs a second factor (leder, admin).
    backup_codes: tuple[str, ...] = ()


@dataclass
class DemoLoaded:
    created: bool
    logins: list[DemoLogin]
    staff: int = 0
    cases: int = 0
    open_cases: int = 0
    tasks_done: int = 0
    tasks_overdue: int = 0
    handovers_pending: int = 0
    journal_entries: int = 0
    seconds: float = 0.0
    stages: dict[str, int] = field(default_factory=dict)
    #: Plans, consents, requests and the release (demo_extras.StoryCounts).
    story: dict[str, int] = field(default_factory=dict)


def demo_logins() -> list[DemoLogin]:
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_LOGINS).select_related("organisation")}
    return [
        DemoLogin(
            username=name,
            name=users[name].get_full_name(),
            role=str(users[name].get_role_display() or ""),
            organisation=str(users[name].organisation or ""),
            backup_codes=tuple(otp_backup_codes_of(user=users[name])),
        )
        for name in DEMO_LOGINS
        if name in users
    ]


def demo_exists() -> bool:
    return User.objects.filter(username__in=DEMO_LOGINS).exists()


def demo_load(*, seed: int = SEED, cases: int = DEMO_CASES) -> DemoLoaded:
    """Load the demo unless its logins exist; all or nothing."""
    if demo_exists():
        return DemoLoaded(created=False, logins=demo_logins())
    started = time.monotonic()
    with transaction.atomic():
        reference_data_load()
        result = _Generator(random.Random(seed), timezone.localdate(), seed=seed).run(cases=cases)
        audit_record(
            action="koreplan.demo.loaded",
            data={"seed": seed, "staff": result.staff, "cases": result.cases, **result.story},
        )
    result.logins = demo_logins()
    result.seconds = time.monotonic() - started
    return result


# --- the generator -----------------------------------------------------------------------


class _Generator:
    def __init__(self, rng: random.Random, today: date, *, seed: int = SEED):
        self.rng = rng
        self.today = today
        self.cprs: set[str] = set()
        self.stages: Counter[str] = Counter()
        # The plans, consents, requests and release draw from their own generator, so that
        # the cases are the same with or without them, and so are the days their tasks were
        # done — but for those a service completes today (see demo_extras).
        self.story_rng = random.Random(f"{seed}/story")
        self.story: Story | None = None

    # -- people --------------------------------------------------------------------------

    def staff_create(self) -> dict[str, User]:
        # One hash for all: hashing "demo" forty times would cost most of the load time.
        password = make_password(DEMO_PASSWORD)
        organisations = {
            (o.kind, o.code if o.kind == _MUNICIPALITY else o.name): o for o in Organisation.objects.all()
        }
        users: dict[str, User] = {}
        for member in STAFF:
            organisation = organisations[(member.kind, member.organisation)]
            department = (
                MunicipalDepartment.objects.get(municipality=organisation, kind=member.department)
                if member.department
                else None
            )
            user = User(
                username=member.username,
                first_name=member.first_name,
                last_name=member.last_name,
                email=f"{member.username}@demo.koreplan.invalid",
                organisation=organisation,
                department=department,
                role=member.role,
                is_staff=member.superuser,
                is_superuser=member.superuser,
                password=password,
            )
            user.full_clean()
            user.save()
            if user.second_factor_required:
                # Managers and administrators log in with a one-time code as well; backup
                # codes (printed with the logins) let a person trying the demo do so
                # without setting up an authenticator app.
                otp_backup_codes_generate(user=user)
            users[member.username] = user
        return users

    def cpr(self, birth: date, *, male: bool) -> str:
        """A CPR number with a real date that fails the old modulus-11 check.

        Numbers that pass it are more likely to belong to a living person; the
        application never rejects on the check (koreplan.domain.cpr), so these are valid.
        """
        if birth.year >= 2000:
            century = "4"  # with a year of 00–36: born in the 2000s
        else:
            century = str(self.rng.randint(0, 3))
        while True:
            middle = f"{self.rng.randint(0, 99):02d}"
            last = self.rng.choice("13579" if male else "02468")
            number = f"{birth:%d%m%y}{century}{middle}{last}"
            weights = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
            if sum(w * int(n) for w, n in zip(weights, number)) % 11 == 0:
                continue
            if number not in self.cprs:
                self.cprs.add(number)
                return number

    def municipality(self, municipalities: dict[str, Organisation]) -> Organisation:
        others = [m for code, m in municipalities.items() if code not in _MUNICIPALITY_WEIGHTS]
        choices = [*(_MUNICIPALITY_WEIGHTS), "other"]
        weights = [*(_MUNICIPALITY_WEIGHTS.values()), _OTHER_MUNICIPALITIES_WEIGHT]
        code = self.rng.choices(choices, weights=weights)[0]
        return self.rng.choice(others) if code == "other" else municipalities[code]

    # -- facts ----------------------------------------------------------------------------

    def facts(self, holder: Organisation) -> tuple[dict[str, Any], str]:
        """Synthetic facts for a case this holder would have, moved to a stage.

        The stage is chosen first and facts are drawn until they fit it: synthetic_facts
        draws admissions, where short sentences dominate, but the people held on a given
        day are more often serving longer ones. The demo's history reaches three years
        back, so a sentence that would have begun earlier than that is drawn again.
        """
        institution = holder.kind == _INSTITUTION
        wanted = _INSTITUTION_CASE_TYPES if institution else _KIF_CASE_TYPES
        if institution:
            stage = self.rng.choices(
                ("awaiting_intake", "just_admitted", "serving", "release_near", "released", "closed"),
                weights=(4, 14, 42, 15, 10, 15),
            )[0]
        else:
            stage = self.rng.choices(
                ("supervision_starting", "supervision", "supervision_ending", "closed"), weights=(20, 55, 15, 10)
            )[0]
        earliest = self.today - timedelta(days=3 * 365)
        while True:
            facts = synthetic_facts(self.rng, around=self.today)
            if facts["case_type"] not in wanted:
                continue
            facts = {k: date.fromisoformat(v) if k in _DATE_FACTS else v for k, v in facts.items()}
            facts["placement"] = holder.institution_type if institution else "kif"
            delta = self._institution_shift(facts, stage) if institution else self._supervision_shift(facts, stage)
            if delta is None:
                continue
            facts = {k: v + timedelta(days=delta) if k in _DATE_FACTS else v for k, v in facts.items()}
            if all(v >= earliest for k, v in facts.items() if k in _DATE_FACTS and k != "birth_date"):
                break
        if facts["case_type"] == CaseType.YOUTH_HOME_DETENTION:
            # synthetic_facts makes adults; home detention is for 15–17-year-olds.
            start = facts["supervision_started_on"]
            facts["birth_date"] = start - timedelta(days=self.rng.randint(15 * 365 + 4, 17 * 365 + 360))
        self.stages[stage] += 1
        return facts, stage

    def _institution_shift(self, facts: dict[str, Any], stage: str) -> int | None:
        """Days to move imprisonment facts by to put them at the stage; None if they cannot be.

        Placed by the expected release T (parole, else full term); a remand without a
        known release by its intake.
        """
        rng, intake = self.rng, facts["intake_on"]
        t = facts.get("expected_parole_on") or facts.get("release_on")
        if t is None:
            offsets = {"just_admitted": (-30, 0), "serving": (-400, -31), "awaiting_intake": (5, 120)}
            if stage not in offsets:
                return None
            return (self.today + timedelta(days=rng.randint(*offsets[stage])) - intake).days
        length = (t - intake).days
        if stage == "awaiting_intake":
            # Called in to serve (tilsigelse) within the coming year.
            target = length + rng.randint(5, 330)
        elif stage == "just_admitted":
            target = length - rng.randint(0, min(30, length))
        elif stage == "serving":
            # Admitted more than a month ago, T more than three months ahead.
            if length < 122:
                return None
            target = rng.randint(91, length - 31)
        elif stage == "release_near":
            target = rng.randint(0, min(90, length))
        elif stage == "released":
            target = -rng.randint(1, 28)
        else:  # closed: released more than four weeks ago
            target = -rng.randint(29, 3 * 365)
        return (self.today + timedelta(days=target) - t).days

    def _supervision_shift(self, facts: dict[str, Any], stage: str) -> int:
        rng, start, end = self.rng, facts["supervision_started_on"], facts["supervision_ends_on"]
        length = (end - start).days
        if stage == "supervision_starting":
            offset = -rng.randint(0, 30)
        elif stage == "supervision":
            offset = -rng.randint(31, length - 61)
        elif stage == "supervision_ending":
            offset = -(length - rng.randint(0, 60))
        else:
            offset = -(length + rng.randint(1, 365))
        return (self.today + timedelta(days=offset) - start).days

    # -- work done on a case ---------------------------------------------------------------

    def work(self, case: Case, *, stage: str, municipal_staff: dict[int, User]) -> None:
        """Complete the case's tasks as its staff would have: mostly on time, some late,
        some left overdue — the more recent the deadline, the likelier it is still open."""
        rng, today = self.rng, self.today
        start = case.intake_on or case.execution_started_on or case.supervision_started_on or today
        # How the people on this case keep up: most do, some are behind.
        keeping_up = rng.choices((0.92, 0.65, 0.25), weights=(60, 30, 10))[0]
        left_open: set[int] = set()
        horizon = today + timedelta(days=14)
        # Step 2 was done at opening (the plan-responsible named). Its turn is still drawn
        # for, and the draw thrown away, so that every other task and case is worked as it
        # was before step 2 completed itself: the seed gives the demo the README describes.
        drawn_only = {t.pk for t in case.tasks.all() if t.obligation_id == services.APPOINT_PLAN_RESPONSIBLE and t.is_done}
        while True:
            # The services read the case's tasks through case.tasks.all(): prefetched with
            # their organisations, a completion costs one query for them instead of one per
            # task. The task completed must be the prefetched instance, so that the list the
            # rules read sees its completion.
            prefetch_related_objects(
                [case], Prefetch("tasks", queryset=Task.objects.select_related("responsible_organisation"))
            )
            tasks = case.tasks.all()
            task = min(
                (
                    t for t in tasks
                    if (t.completed_on is None or t.pk in drawn_only) and t.due_on <= horizon and t.pk not in left_open
                ),
                key=lambda t: (t.due_on, t.obligation_id, t.occurrence),
                default=None,
            )
            if task is None:
                return
            days_ago = (today - task.due_on).days
            if days_ago < 0:
                do_it, late = rng.random() < 0.12, False  # done early, ahead of the deadline
            elif stage == "closed" or days_ago > 45:
                do_it, late = True, rng.random() < 0.3
            else:
                do_it, late = rng.random() < keeping_up, rng.random() < 0.25
            if not do_it or start > today:
                left_open.add(task.pk)
                continue
            if days_ago < 0:
                done_on = today - timedelta(days=rng.randint(0, 3))
            elif late:
                done_on = task.due_on + timedelta(days=rng.randint(1, 30))
            else:
                done_on = task.due_on - timedelta(days=rng.randint(0, 10))
            if task.pk in drawn_only:
                left_open.add(task.pk)
                continue
            # Recurring completions must stay in order; nothing is done before the case began.
            previous = max(
                (t.completed_on for t in tasks if t.obligation_id == task.obligation_id and t.completed_on),
                default=start,
            )
            done_on = min(max(done_on, start, previous), today)
            # The intake interview, an evaluation, a meeting or KIF's involvement completes
            # its task through its own service (demo_extras); the newest notices of intake
            # are left for the request that will carry them.
            done = self.story.complete(case, task, done_on) if self.story else None
            if done == "open":
                left_open.add(task.pk)
                continue
            if done is None:
                actor = municipal_staff.get(task.responsible_organisation_id) or case.acting_responsible
                services.task_complete(
                    actor=actor, task=task, completed_on=done_on, evidence=_EVIDENCE.get(task.obligation_id, "Udført.")
                )
            case._prefetched_objects_cache.pop("tasks", None)

    def journal(self, case: Case, *, author: User) -> None:
        start = case.intake_on or case.supervision_started_on
        if start is None or start > self.today:
            return
        span = (self.today - start).days
        for _ in range(self.rng.choices((0, 1, 2, 3, 4), weights=(15, 25, 30, 20, 10))[0]):
            kind, text = self.rng.choice(_JOURNAL)
            services.journal_entry_add(
                actor=author,
                case=case,
                kind=kind,
                occurred_on=start + timedelta(days=self.rng.randint(0, span)),
                text=text.format(name=case.client.first_name),
            )

    # -- the whole demo -----------------------------------------------------------------------

    def run(self, *, cases: int) -> DemoLoaded:
        rng, today = self.rng, self.today
        staff = self.staff_create()
        self.story = Story(rng=self.story_rng, today=today, staff=staff)
        registrar = staff["admin"]
        municipalities = {o.code: o for o in Organisation.objects.filter(kind=_MUNICIPALITY)}
        organisations = {o.name: o for o in Organisation.objects.filter(kind__in=(_INSTITUTION, _KIF))}
        municipal_staff = {
            u.organisation_id: u for u in staff.values() if u.role == Role.MUNICIPAL_CASEWORKER
        }
        scale = cases / sum(n for _, n, _ in HOLDERS)
        made: list[tuple[Case, str]] = []
        for holder_name, count, holders in HOLDERS:
            holder = organisations[holder_name]
            colleagues = [staff[name] for name in holders]
            for _ in range(max(1, round(count * scale))):
                facts, stage = self.facts(holder)
                male = rng.random() < 0.9  # nine in ten in prison and on probation are men
                birth = facts.pop("birth_date")
                client = services.client_create(
                    actor=registrar,
                    cpr=self.cpr(birth, male=male),
                    first_name=rng.choice(_MEN if male else _WOMEN),
                    last_name=rng.choice(_SURNAMES),
                    acting_municipality=self.municipality(municipalities),
                )
                responsible = rng.choices(colleagues, weights=list(holders.values()))[0]
                others = [c for c in colleagues if c != responsible]
                substitute = rng.choice(others) if others and rng.random() < 0.7 else None
                # The case is opened at intake with its plan-responsible named, which is
                # step 2 done (registered today, so the day is told).
                start = facts.get("intake_on") or facts.get("execution_started_on")
                case = services.case_open(
                    actor=responsible,
                    client=client,
                    case_type=facts.pop("case_type"),
                    holding_organisation=holder,
                    plan_responsible=responsible,
                    substitute=substitute,
                    facts=facts,
                    appointed_on=min(start, today) if start else None,
                ).case
                self.story.case_opened(case, stage)
                self.work(case, stage=stage, municipal_staff=municipal_staff)
                self.journal(case, author=responsible)
                made.append((case, stage))

        self.story.finish(made)
        self.cover_absence(made, staff)
        self.hand_overs(made, staff, organisations)
        for case, stage in made:
            if stage == "closed":
                services.case_close(actor=case.plan_responsible, case=case)

        return DemoLoaded(
            created=True,
            logins=[],
            staff=len(staff),
            cases=len(made),
            open_cases=Case.objects.filter(status=Case.Status.OPEN).count(),
            tasks_done=Task.objects.filter(completed_on__isnull=False).count(),
            tasks_overdue=Task.objects.filter(
                completed_on__isnull=True, due_on__lt=today, case__status=Case.Status.OPEN
            ).count(),
            handovers_pending=Handover.objects.filter(status=Handover.Status.REQUESTED).count(),
            journal_entries=JournalEntry.objects.count(),
            stages=dict(sorted(self.stages.items())),
            story=self.story.summary(),
        )

    def cover_absence(self, made: list[tuple[Case, str]], staff: dict[str, User]) -> None:
        """Camilla is on leave: socialraadgiver covers three of her cases (cirk. § 4, stk. 1)."""
        covering = [
            case for case, stage in made
            if stage not in ("closed", "awaiting_intake") and case.plan_responsible == staff["camilla.noergaard"]
        ][:3]
        for case in covering:
            services.case_responsibility_set(
                actor=staff["leder"], case=case, plan_responsible=case.plan_responsible,
                substitute=staff["socialraadgiver"], substitute_covering=True,
            )

    def hand_overs(
        self, made: list[tuple[Case, str]], staff: dict[str, User], organisations: dict[str, Organisation]
    ) -> None:
        """A few hand-overs waiting for an answer, a few answered today.

        The services date an accepted transfer's stays today, so the accepted and returned
        ones are the day's news rather than history.
        """

        def candidates(holder: str, stages: tuple[str, ...], *, parole: bool = False) -> list[Case]:
            found = [
                case for case, stage in made
                if case.holding_organisation.name == holder and stage in stages
                and (not parole or (case.expected_parole_on and case.expected_parole_on >= self.today))
            ]
            return [c for c in found if not c.handovers.exists()]

        plans = [
            # Between institutions: towards the open prison and the pension, and from the
            # arresthuse to the prisons — two of them waiting for Storstrøm to answer.
            ("Storstrøm Fængsel", "Horserød Fængsel", Handover.Kind.INSTITUTION, ("serving",), 2, "requested"),
            ("Enner Mark Fængsel", "Pension Skejby", Handover.Kind.INSTITUTION, ("release_near",), 1, "requested"),
            ("Vestre Fængsel", "Storstrøm Fængsel", Handover.Kind.INSTITUTION, ("just_admitted", "serving"), 2, "requested"),
            ("Nykøbing Falster Arrest", "Storstrøm Fængsel", Handover.Kind.INSTITUTION, ("just_admitted",), 1, "requested"),
            # To KIF at parole, for parole in the weeks ahead.
            ("Storstrøm Fængsel", "KiF Nykøbing F.", Handover.Kind.KIF_AT_PAROLE, ("release_near",), 3, "requested"),
            ("Vestre Fængsel", "KiF København", Handover.Kind.KIF_AT_PAROLE, ("release_near",), 2, "requested"),
            ("Pension Skejby", "KiF Aarhus", Handover.Kind.KIF_AT_PAROLE, ("release_near",), 1, "requested"),
            # Answered today.
            ("Vestre Fængsel", "Enner Mark Fængsel", Handover.Kind.INSTITUTION, ("serving",), 2, "accepted"),
            ("Horserød Fængsel", "Pension Skejby", Handover.Kind.INSTITUTION, ("serving",), 1, "returned"),
            ("Nykøbing Falster Arrest", "KiF Nykøbing F.", Handover.Kind.KIF_AT_PAROLE, ("release_near",), 1, "accepted"),
        ]
        for sender, receiver_name, kind, stages, number, outcome in plans:
            receiver = organisations[receiver_name]
            parole = kind == Handover.Kind.KIF_AT_PAROLE
            for case in candidates(sender, stages, parole=parole)[:number]:
                case.refresh_from_db()
                to_user = staff["kif"] if receiver_name == "KiF Nykøbing F." and outcome == "requested" else None
                handover = services.handover_request(
                    actor=case.plan_responsible,
                    case=case,
                    kind=kind,
                    to_organisation=receiver,
                    to_user=to_user,
                    message=(
                        f"{case.client.first_name} prøveløslades snart; vi beder jer overtage tilsynet."
                        if parole
                        else f"{case.client.first_name} overføres; handleplanen er opdateret."
                    ),
                )
                receiving_staff = [
                    u for u in staff.values() if u.organisation_id == receiver.pk and u.may_hold_plan
                ]
                if outcome == "accepted":
                    services.handover_accept(actor=receiving_staff[0], handover=handover)
                elif outcome == "returned":
                    services.handover_return(
                        actor=receiving_staff[0], handover=handover,
                        reason="Ingen ledig plads før i det nye år; send gerne anmodningen igen i januar.",
                    )
        # A colleague asks socialraadgiver in person to take over one of his cases.
        own = [
            case for case, stage in made
            if case.plan_responsible == staff["jesper.lund"] and stage in ("serving", "just_admitted")
            and not case.handovers.exists() and case.substitute != staff["socialraadgiver"]
        ]
        if own:
            services.handover_request(
                actor=staff["jesper.lund"], case=own[0], kind=Handover.Kind.PERSON,
                to_organisation=own[0].holding_organisation, to_user=staff["socialraadgiver"],
                message="Jeg går på orlov; vil du overtage handleplanen?",
            )
