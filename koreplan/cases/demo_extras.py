"""The demo beyond the Køreplan: action plans, consents, requests to municipalities, the release.

``koreplan.cases.demo`` makes the staff and the cases and works each case's tasks; this
module gives the cases what the rest of the product shows, through the same services the
web application calls:

- **Action plans** — written at the intake interview (entries per life area, the client's
  participation, the causes), with one to three areas of effort, each justified; the first
  version finished (late where the first-plan deadline has passed), some put before the
  manager for approval — approved, sent back or still waiting. Evaluations and the status
  at release are recorded on the plan as the Køreplan's tasks fall due.
- **Consents** — given at intake, mostly to the acting municipality as a whole; a few
  refused, wholly or for one kind of information, with the client's reasons; two withdrawn.
- **Notices and requests** — notices of intake, requests for case files and for
  coordination to Guldborgsund (the ``kommune`` login's inbox) and to other municipalities:
  some unread, some opened, some routed to a department and a named caseworker, two
  returned with a reason. Two go without consent on a legal basis: one approved by a
  colleague, one waiting for approval.
- **The release** — release meetings with agenda, agreements and who holds the plan
  after, KIF involved eight weeks before parole, follow-up meetings, appointments on
  release day, the readiness list ("Klar", "Mangler", "Risiko for løsladelse til gaden")
  and the outcome at release and after four weeks (about one in eight released to the
  street).

Two kinds of work, two moments. Whatever completes a Køreplan task on a date the service
takes (the intake interview, an evaluation, a meeting held, KIF involved, the status at
release) is done from ``_Generator.work`` through :meth:`Story.complete`, on the day the
generator chose for the task. Whatever the services date today (finishing a plan,
approval, sending a request, routing it) is done afterwards, in :meth:`Story.finish`; the
tasks those complete are done today — late where their deadline has passed. Nothing is
dated after today: meetings are held before today, and no future meeting is planned.

The story draws from its own random generator, so the cases and their facts are the same
as without it, and so are their tasks but for those completed today.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from koreplan.accounts.models import Role, User
from koreplan.cases import services as case_services
from koreplan.cases.models import Case, Task
from koreplan.consent import services as consent_services
from koreplan.coordination import services as coordination_services
from koreplan.coordination.letters import RequestInput
from koreplan.coordination.models import MunicipalRequest
from koreplan.domain.plan import (
    Action,
    ActionStatus,
    AreaOfEffort,
    ClientStance,
    ClientView,
    LifeArea,
    Performer,
    PlanContent,
)
from koreplan.domain.release import Level
from koreplan.organisations.models import MunicipalDepartment, Organisation
from koreplan.plans import services as plan_services
from koreplan.plans.models import PlanStatus, PlanVersion
from koreplan.release import selectors as release_selectors
from koreplan.release import services as release_services
from koreplan.release.models import Meeting, MeetingForm, Party, ReleaseOutcome

GULDBORGSUND, LOLLAND = "376", "360"

_D = MunicipalDepartment.Kind
_L = LifeArea

#: The KIF department that takes over at parole from each institution: the ones with demo staff.
KIF_OF_INSTITUTION = {
    "Storstrøm Fængsel": "KiF Nykøbing F.",
    "Nykøbing Falster Arrest": "KiF Nykøbing F.",
    "Vestre Fængsel": "KiF København",
    "Horserød Fængsel": "KiF København",
    "Enner Mark Fængsel": "KiF Aarhus",
    "Pension Skejby": "KiF Aarhus",
}

#: Municipal caseworkers named in meetings where the municipality has no demo login.
#: Made-up names, as the clients' are.
_MUNICIPAL_NAMES = (
    "Birthe Lykke", "Henrik Wulff", "Susanne Krag", "Per Abildgaard", "Lene Bisgaard",
    "Karsten Due", "Malene Hvid", "Tina Brix", "Flemming Aagaard", "Rikke Storm",
)

# --- what the client says at the intake interview ---------------------------------------------

#: Entries per life area. ``{kommune}`` is the acting municipality; ``{name}`` the first name.
_HOUSING_LOST = (
    "Lejer en toværelses lejlighed i {kommune}. Kan ikke betale huslejen under afsoningen, og udlejer har varslet opsigelse.",
    "Har ingen fast bolig. Boede på skift hos venner de sidste måneder før indsættelsen.",
    "Blev sat ud af sin lejlighed i foråret og er ikke skrevet op til en ny bolig.",
)
_HOUSING_KEPT = (
    "Bor i egen lejlighed i {kommune}; kæresten betaler huslejen under afsoningen.",
    "Bor hos sine forældre i {kommune} og kan vende tilbage dertil efter løsladelsen.",
)
_INCOME_LOST = (
    "Modtog kontanthjælp før indsættelsen. Har gæld til det offentlige og til et inkassofirma, i alt ca. 90.000 kr.",
    "Har ikke styr på sin økonomi og har ikke åbnet Digital Post i flere måneder. Har gæld til det offentlige.",
)
_INCOME_KEPT = (
    "Var i arbejde som chauffør og kan vende tilbage til firmaet. Ingen gæld, men heller ingen opsparing.",
    "Modtager førtidspension, som fortsætter efter løsladelsen.",
)
_ENTRIES: dict[LifeArea, tuple[str, ...]] = {
    _L.EDUCATION_EMPLOYMENT: (
        "Har 9. klasses afgangsprøve og et afbrudt grundforløb som tømrer. Vil gerne gøre uddannelsen færdig.",
        "Har arbejdet som ufaglært i byggeriet og på lager. Ønsker at tage truckcertifikat under afsoningen.",
        "Har ikke været i arbejde i flere år. Vil gerne gå i fængslets skole og tage FVU-dansk.",
        "Har svendebrev som automekaniker og kan måske få arbejde hos sin tidligere arbejdsgiver.",
    ),
    _L.SUBSTANCE_USE: (
        "Røg hash dagligt før indsættelsen. Er motiveret for behandling og vil gerne på behandlingsafdeling.",
        "Tidligere misbrug af kokain; har været stoffri i et år, men frygter tilbagefald efter løsladelsen.",
        "Drikker meget i weekenderne. Ønsker ikke behandling nu, men vil gerne tale om det.",
    ),
    _L.HEALTH_MENTAL: (
        "Har tidligere haft kontakt til distriktspsykiatrien. Sover dårligt og har perioder med angst.",
        "Fik diagnosen ADHD som barn og har ikke taget medicin de sidste år. Ønsker en ny udredning.",
    ),
    _L.HEALTH_PHYSICAL: (
        "Har kroniske rygsmerter efter en arbejdsulykke og får smertestillende medicin.",
        "Har type 2-diabetes, som er velbehandlet. Skal have medicin med ved løsladelsen.",
    ),
    _L.NETWORK: (
        "Har to børn på 4 og 7 år, som bor hos deres mor. Ønsker samvær under afsoningen.",
        "Har god kontakt til sine forældre og en søster, som vil støtte efter løsladelsen.",
        "Vil holde sig fra sin tidligere omgangskreds, men har kun lidt netværk uden for den.",
    ),
}
_CAUSES = (
    "Kriminaliteten hænger efter {name}s egen vurdering sammen med gæld og et dagligt hashforbrug.",
    "{name} forklarer, at kriminaliteten blev begået for at skaffe penge til stoffer.",
    "Omgangskredsen og manglende struktur i hverdagen har ifølge {name} spillet en stor rolle.",
    "{name} peger selv på vrede og manglende impulskontrol og vil gerne deltage i et vredeshåndteringsforløb.",
)
_ASSESSMENTS = (
    "{name} er motiveret for forandring og samarbejder godt. Bolig og forsørgelse efter løsladelsen er det vigtigste.",
    "{name} har brug for struktur og en fast kontakt i kommunen efter løsladelsen. Misbruget skal behandles først.",
    "{name} har ressourcer og netværk, men gælden og den manglende bolig er en risiko for ny kriminalitet.",
)
_DECLINED = (
    "{name} ønsker ikke at deltage i en handleplan og siger, at det hele nok skal gå efter løsladelsen.",
    "{name} vil ikke tale med socialrådgiveren nu; har dårlige erfaringer fra tidligere afsoninger.",
)

# --- the areas of effort ---------------------------------------------------------------------


@dataclass(frozen=True)
class _AreaText:
    title: str
    justification: str
    goal: str
    sub_goals: tuple[str, ...]
    #: (what, who, when, how, status)
    actions: tuple[tuple[str, Performer, str, str, ActionStatus], ...]
    coordination: str
    #: Who agrees what at the release meeting: (who, what, when).
    agreement: tuple[str, str, str]


_S, _C, _P = Performer.STAFF, Performer.CLIENT, Performer.PARTNER
_PLANNED, _GOING, _DONE = ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.DONE

_AREAS: dict[LifeArea, _AreaText] = {
    _L.HOUSING: _AreaText(
        "Bolig efter løsladelsen",
        "{name} har ingen bolig at komme ud til og risikerer at blive løsladt til gaden.",
        "{name} har en bolig på løsladelsesdagen.",
        ("Skrevet op til en bolig i {kommune}", "Ansøgning om midlertidig bolig sendt til kommunen"),
        (
            ("Skriv dig op hos boligselskaberne i {kommune}", _C, "inden for en måned", "med hjælp fra socialrådgiveren", _DONE),
            ("Kontakt kommunens socialcenter om en midlertidig bolig", _S, "senest tre måneder før løsladelsen", "telefon og sikker mail", _GOING),
        ),
        "Koordineres med socialcentret i {kommune} Kommune.",
        ("Socialcentret, {kommune} Kommune", "Anviser en midlertidig bolig fra løsladelsesdagen", "senest to uger før løsladelsen"),
    ),
    _L.FINANCES: _AreaText(
        "Forsørgelse og gæld",
        "Gælden fylder meget for {name}, og der er ingen indtægt fra løsladelsesdagen.",
        "{name} har en indtægt fra første dag og en plan for at afvikle gælden.",
        ("Overblik over gælden", "Ansøgning om kontanthjælp klar før løsladelsen"),
        (
            ("Gennemgå gælden med den frivillige gældsrådgivning", _P, "i løbet af afsoningen", "møde i fængslet", _GOING),
            ("Søg om kontanthjælp fra løsladelsesdagen", _C, "fire uger før løsladelsen", "på borger.dk med hjælp", _PLANNED),
        ),
        "Koordineres med Ydelse og myndighed i {kommune} Kommune.",
        ("Ydelse og myndighed, {kommune} Kommune", "Foretager rådighedsvurdering og udbetaler a conto på løsladelsesdagen", "på løsladelsesdagen"),
    ),
    _L.EDUCATION_EMPLOYMENT: _AreaText(
        "Uddannelse og arbejde",
        "{name} vil gerne i arbejde, og beskæftigelse mindsker risikoen for ny kriminalitet.",
        "{name} er i job eller i gang med en uddannelse senest tre måneder efter løsladelsen.",
        ("Truckcertifikat taget under afsoningen",),
        (
            ("Tag truckcertifikat på fængslets værksted", _C, "i løbet af afsoningen", "værkstedets kursus", _GOING),
            ("Aftal møde med jobcentret før løsladelsen", _S, "to måneder før løsladelsen", "videomøde", _PLANNED),
        ),
        "Koordineres med jobcentret i {kommune} Kommune.",
        ("Jobcentret, {kommune} Kommune", "Indkalder til samtale om job og uddannelse", "i ugen efter løsladelsen"),
    ),
    _L.SUBSTANCE_USE: _AreaText(
        "Behandling for misbrug",
        "Misbruget hænger tæt sammen med kriminaliteten, og {name} er motiveret for behandling.",
        "{name} er i behandling under afsoningen og fortsætter i kommunens misbrugscenter efter løsladelsen.",
        ("Plads på behandlingsafdelingen",),
        (
            ("Visitation til fængslets behandlingsafdeling", _S, "hurtigst muligt", "ansøgning til behandlingsteamet", _DONE),
            ("Aftal overgang til misbrugscentret i {kommune}", _S, "senest en måned før løsladelsen", "fælles samtale", _PLANNED),
        ),
        "Koordineres med misbrugscentret i {kommune} Kommune.",
        ("Misbrugscentret, {kommune} Kommune", "Overtager behandlingen; første samtale ligger før løsladelsen", "senest en uge før løsladelsen"),
    ),
    _L.HEALTH_MENTAL: _AreaText(
        "Psykisk trivsel",
        "{name} har angst og sover dårligt; det gør det svært at holde andre aftaler.",
        "{name} har kontakt til egen læge eller psykiatrien efter løsladelsen.",
        (),
        (
            ("Samtaler med fængslets psykolog", _P, "hver anden uge", "samtaler i fængslet", _GOING),
            ("Henvisning fra egen læge før løsladelsen", _S, "en måned før løsladelsen", "brev til lægen", _PLANNED),
        ),
        "Koordineres med socialpsykiatrien i {kommune} Kommune.",
        ("{name}", "Bestiller tid hos egen læge", "første uge efter løsladelsen"),
    ),
    _L.HEALTH_PHYSICAL: _AreaText(
        "Helbred og medicin",
        "{name} er afhængig af fast medicin, som ikke må slippe op ved løsladelsen.",
        "{name} har medicin og en tid hos egen læge, når {name} løslades.",
        (),
        (("Bestil medicin til de første dage efter løsladelsen", _S, "en uge før løsladelsen", "fængslets sygeplejerske", _PLANNED),),
        "Aftales med fængslets sundhedsafdeling.",
        ("Fængslets sygeplejerske", "Udleverer medicin til de første dage", "på løsladelsesdagen"),
    ),
    _L.NETWORK: _AreaText(
        "Kontakt til børn og familie",
        "{name} vil gerne være en del af børnenes liv, og familien er en vigtig støtte efter løsladelsen.",
        "{name} har fast samvær med børnene.",
        (),
        (
            ("Ansøg om besøg af børnene i besøgslejligheden", _C, "inden for to måneder", "ansøgning til fængslet", _DONE),
            ("Kontakt familieafdelingen om samvær efter løsladelsen", _S, "før løsladelsen", "telefon", _PLANNED),
        ),
        "Koordineres med familieafdelingen i {kommune} Kommune.",
        ("{name}", "Aftaler samvær med børnene gennem familieafdelingen", "efter løsladelsen"),
    ),
}
_DISAGREES = (
    "{name} mener ikke, at det er et problem, og vil selv klare det.",
    "{name} er enig i målet, men vil hellere vente til efter løsladelsen.",
)
_COULD_NOT_ANSWER = ("{name} var meget presset ved samtalen; spørges igen ved næste opfølgning.",)
_AREA_JUSTIFICATIONS = (
    "Aftalt med {name} ved indsættelsessamtalen.",
    "Prioriteret sammen med {name} ud fra indsættelsessamtalen.",
    "{name} peger selv på dette som det vigtigste.",
)

# --- evaluations, status, meetings -------------------------------------------------------------

_EVALUATION_UPDATES = (
    "Situationen er stort set uændret. {name} passer sit arbejde i værkstedet og har ikke haft brud på reglerne.",
    "{name} har fået plads på behandlingsafdelingen og fortæller, at det går bedre.",
    "Boligen er endnu ikke afklaret; kommunen er rykket for svar.",
    "{name} har været på udgang efter § 31 uden problemer og er motiveret for løsladelsen.",
)
_CARRIED_OUT = (
    "Skrevet op hos boligselskaberne. Møde med jobcentret holdt.",
    "Gælden er gennemgået med gældsrådgivningen.",
    "Truckcertifikatet er taget.",
)
_NOT_CARRIED_OUT = (
    ("Samtale med misbrugscentret er ikke holdt.", "Misbrugscentret har ikke haft en ledig tid; ny tid er bestilt."),
    ("Ansøgningen om boligstøtte er ikke sendt.", "{name} ville vente, til der er svar fra boligselskabet."),
)
_NEXT = (
    ("{name}", "Skriver sig op hos endnu et boligselskab", "inden næste opfølgning"),
    ("{staff}", "Rykker kommunen for svar om midlertidig bolig", "i næste uge"),
    ("{name}", "Deltager i værkstedets kursus", "hver dag"),
    ("{staff}", "Indkalder til løsladelsesmøde med kommunen", "senest tre måneder før løsladelsen"),
)
_MINUTES = (
    "Bolig og forsørgelse gennemgået. {name} deltog og er enig i aftalerne.",
    "Mødet gennemgik handleplanens indsatsområder; {name} har selv fulgt op på de fleste aftaler.",
    "{name} deltog og var forberedt. Der mangler fortsat en afklaring af boligen.",
)
_FOLLOW_UP_NOTES = (
    "{name} er kommet godt i gang; bor midlertidigt hos familie og har fået kontanthjælp.",
    "Opfølgende møde holdt på jobcentret. {name} er startet i et forløb med virksomhedspraktik.",
    "{name} mødte op. Boligen er på plads, men misbrugsbehandlingen er ikke startet igen.",
)

# --- consents and requests ---------------------------------------------------------------------

_ALL_PURPOSES = ("intake_notice", "case_files", "coordination", "release_planning")
_REFUSALS = (
    ("opposes", "{name} ønsker ikke, at kommunen inddrages; har dårlige erfaringer med sin tidligere sagsbehandler."),
    ("will_not_answer", "{name} vil ikke tage stilling, før der er talt med en advokat."),
)
_PARTIAL_REFUSALS = {
    _L.SUBSTANCE_USE: "{name} ønsker ikke, at kommunen får oplysninger om misbruget, af frygt for at det får betydning for samværet med børnene.",
    _L.HEALTH_MENTAL: "{name} vil ikke have, at oplysninger om psykisk helbred gives videre; det er private forhold.",
}
_WITHDRAWALS = (
    "{name} trak samtykket tilbage efter løsladelsen og ønsker ikke mere kontakt mellem kommunen og Kriminalforsorgen.",
)
_RETURN_REASONS = {
    "moved": "Borgeren er flyttet til Lolland Kommune pr. 1. oktober. Send venligst henvendelsen til Lolland Kommunes indgang.",
    "case_files": "Det fremgår ikke, hvilke akter I ønsker. Send venligst anmodningen igen med en præcis angivelse af sagerne og perioden.",
    "intake_notice": "Vi kan ikke finde borgeren under dette CPR-nummer. Kontrollér venligst oplysningerne, og send meddelelsen igen.",
    "coordination": "Borgeren har allerede en koordinerende sagsbehandler i Socialcentret. Send venligst anmodningen direkte dertil.",
}
_ROUTING_NOTES = {
    _D.JOBCENTER: "Jonas tager kontakt og aftaler møde før løsladelsen.",
    _D.MISBRUGSCENTER: "Dorthe overtager behandlingen og aftaler første samtale i fængslet.",
    _D.YDELSE: "Ydelsen er stoppet fra indsættelsesdatoen.",
    _D.SOCIALCENTER: "Boligsagen er oprettet.",
    _D.SOCIALPSYKIATRI: "Borgeren kendes i socialpsykiatrien; kontaktpersonen er orienteret.",
}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """The time on the day, in the installation's time zone."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@dataclass
class _CasePlan:
    """What the story knows about a case's plan."""

    version: PlanVersion
    areas: list[AreaOfEffort]
    life_areas: list[LifeArea]
    declined: bool


@dataclass
class _CaseConsent:
    given: bool
    #: The life areas the consent covers (besides sentence matters).
    categories: list[str] = field(default_factory=list)


@dataclass
class StoryCounts:
    plans: int = 0
    plans_finished: int = 0
    plans_finished_late: int = 0
    plans_approved: int = 0
    plans_awaiting_approval: int = 0
    evaluations: int = 0
    consents_given: int = 0
    consents_refused: int = 0
    requests: int = 0
    requests_unread_at_kommune: int = 0
    release_meetings: int = 0
    kif_involved: int = 0
    outcomes: int = 0
    released_to_street: int = 0
    ready: int = 0
    at_risk: int = 0


class Story:
    """Plans, consents, requests and the release for the demo's cases (see the module)."""

    def __init__(self, *, rng: random.Random, today: date, staff: dict[str, User]):
        self.rng = rng
        self.today = today
        self.staff = staff
        self.counts = StoryCounts()
        self.stages: dict[int, str] = {}
        self.plans: dict[int, _CasePlan] = {}
        self.consents: dict[int, _CaseConsent] = {}
        self.with_plan: set[int] = set()
        #: case id → obligations the story leaves open for a service to complete today.
        self.deferred: dict[int, set[str]] = {}
        #: The tasks left open, with the day the generator would have completed them.
        self.left: list[tuple[Task, date]] = []
        self.organisations = {o.name: o for o in Organisation.objects.exclude(kind=Organisation.Kind.MUNICIPALITY)}
        self.municipalities = {o.code: o for o in Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)}
        self.departments = {(d.municipality_id, d.kind): d for d in MunicipalDepartment.objects.all()}
        self.handlers: dict[str, Callable[[Case, Task, date], bool]] = {
            "intake_interview": self._intake_interview,
            "first_plan": self._first_plan,
            "plan_evaluation": self._evaluation,
            "release_meeting": self._release_meeting,
            "involve_kif": self._involve_kif,
            "status_at_release": self._status_at_release,
            "follow_up_meeting_after_release": self._follow_up_meeting,
        }

    # -- helpers -------------------------------------------------------------------------------

    def pick(self, options):
        return self.rng.choice(options)

    @staticmethod
    def _text(template: str, case: Case) -> str:
        return template.format(name=case.client.first_name, kommune=case.client.acting_municipality.name)

    def _people(self, organisation: Organisation, *roles: str) -> list[User]:
        return [u for u in self.staff.values() if u.organisation_id == organisation.pk and (not roles or u.role in roles)]

    def _municipal_person(self, municipality: Organisation, kind: str) -> tuple[str, str]:
        """(name, role) of the municipal caseworker a meeting names."""
        people = [u for u in self._people(municipality) if u.department and u.department.kind == kind]
        department = self.departments[(municipality.pk, kind)]
        role = f"Sagsbehandler, {department.name}"
        if people:
            return people[0].get_full_name(), role
        return _MUNICIPAL_NAMES[(municipality.pk + len(kind)) % len(_MUNICIPAL_NAMES)], role

    def kif_of(self, case: Case) -> Organisation:
        return self.organisations[KIF_OF_INSTITUTION.get(case.holding_organisation.name, "KiF København")]

    def kif_officer_of(self, case: Case) -> User | None:
        officers = self._people(self.kif_of(case), Role.KIF_OFFICER)
        return officers[case.pk % len(officers)] if officers else None

    # -- before and during the generator's work on a case -------------------------------------

    def case_opened(self, case: Case, stage: str) -> None:
        """Decide what the story does with a case before its tasks are worked."""
        self.stages[case.pk] = stage
        if case.holding_organisation.kind != Organisation.Kind.INSTITUTION or stage == "awaiting_intake":
            return
        if self.rng.random() < 0.9:
            self.with_plan.add(case.pk)
        # The newest arrivals' notices go through Køreplan: left open for the request to
        # complete; those no request carries are completed on their day afterwards.
        if stage == "just_admitted":
            self.deferred[case.pk] = {"notify_municipality_of_intake"}

    def complete(self, case: Case, task: Task, done_on: date) -> str | None:
        """Do the work that completes the task, through its service, on ``done_on``.

        ``"done"`` when a service completed it; ``"open"`` when the story leaves it for
        later; None when the generator should complete it itself.
        """
        if task.obligation_id in self.deferred.get(case.pk, ()):
            self.left.append((task, done_on))
            return "open"
        if case.holding_organisation.kind != Organisation.Kind.INSTITUTION:
            return None  # the story is the prisons'; KIF's cases keep their plain completions
        handler = self.handlers.get(task.obligation_id)
        if handler is None or not handler(case, task, done_on):
            return None
        if Task.objects.filter(pk=task.pk, completed_on__isnull=False).exists():
            return "done"
        return None

    def _intake_interview(self, case: Case, task: Task, done_on: date) -> bool:
        """The intake interview, written into the plan; it completes its task."""
        if case.pk not in self.with_plan:
            return False
        self._write_plan(case, held_on=done_on)
        return True

    def _first_plan(self, case: Case, task: Task, done_on: date) -> bool:
        """Where the Køreplan has no intake interview to start it (remand under § 777), the
        plan is written when the first plan is made; the generator then completes the task
        on its day, as finishing a version could only do it today."""
        if (
            case.pk in self.with_plan and case.pk not in self.plans
            and not case.tasks.filter(obligation_id="intake_interview").exists()
        ):
            self._write_plan(case, held_on=done_on)
        return False

    def _write_plan(self, case: Case, *, held_on: date) -> None:
        """The plan with what came up at the first conversation, and its areas of effort."""
        rng, actor = self.rng, case.acting_responsible
        needs: list[LifeArea] = []
        entries = {
            _L.HOUSING.value: self._text(self.pick(_HOUSING_KEPT if case.housing_secured else _HOUSING_LOST), case),
            _L.FINANCES.value: self._text(self.pick(_INCOME_KEPT if case.income_secured else _INCOME_LOST), case),
        }
        if not case.housing_secured:
            needs.append(_L.HOUSING)
        if not case.income_secured:
            needs.append(_L.FINANCES)
        for area, share in ((_L.SUBSTANCE_USE, 0.45), (_L.EDUCATION_EMPLOYMENT, 0.6), (_L.HEALTH_MENTAL, 0.2),
                            (_L.NETWORK, 0.35), (_L.HEALTH_PHYSICAL, 0.1)):
            if rng.random() < share:
                entries[area.value] = self._text(self.pick(_ENTRIES[area]), case)
                needs.append(area)
        if not needs:
            needs.append(_L.EDUCATION_EMPLOYMENT)
            entries.setdefault(_L.EDUCATION_EMPLOYMENT.value, self._text(self.pick(_ENTRIES[_L.EDUCATION_EMPLOYMENT]), case))
        declined = rng.random() < 0.08
        version = plan_services.plan_intake_interview_record(
            actor=actor, case=case, held_on=held_on,
            participation="declined" if declined else "took_part",
            participation_reason=self._text(self.pick(_DECLINED), case) if declined else "",
            entries=entries, causes="" if declined else self._text(self.pick(_CAUSES), case),
        )
        if not declined:
            view = PlanContent(
                assessment=self._text(self.pick(_ASSESSMENTS), case),
                assessment_client_view=ClientView(ClientStance.AGREES),
            )
            version = plan_services.plan_section_update(
                actor=actor, version=version, revision=version.revision, section="assessment",
                data=view.section_dict("assessment"),
            )
        saved: list[AreaOfEffort] = []
        for life_area in needs[: rng.choice((1, 2, 2, 3, 3))]:
            version = plan_services.plan_area_save(
                actor=actor, version=version, revision=version.revision, area=self._area(case, life_area, declined),
                priority=None, justification=self._text(self.pick(_AREA_JUSTIFICATIONS), case),
                discussed_with_client=not declined,
            )
            saved.append(version.content_value().areas[-1])
        self.plans[case.pk] = _CasePlan(version, saved, [a.life_area for a in saved], declined)
        self.counts.plans += 1

    def _area(self, case: Case, life_area: LifeArea, declined: bool) -> AreaOfEffort:
        text, rng = _AREAS[life_area], self.rng
        staff_name = case.acting_responsible.get_full_name()
        # Just admitted: nothing has happened yet; later, the actions have moved on.
        fresh = self.stages.get(case.pk) == "just_admitted"
        if declined:
            view = ClientView()
        else:
            roll = rng.random()
            if roll < 0.82:
                view = ClientView(ClientStance.AGREES)
            elif roll < 0.94:
                view = ClientView(ClientStance.DISAGREES, self._text(self.pick(_DISAGREES), case))
            else:
                view = ClientView(ClientStance.COULD_NOT_ANSWER, self._text(self.pick(_COULD_NOT_ANSWER), case))
        return AreaOfEffort(
            key="",
            life_area=life_area,
            title=text.title,
            justification=self._text(text.justification, case),
            goal=self._text(text.goal, case),
            sub_goals=tuple(self._text(g, case) for g in text.sub_goals),
            actions=tuple(
                Action("", self._text(what, case), who, staff_name if who == _S else "", when, how,
                       _PLANNED if fresh or rng.random() >= 0.7 else status)
                for what, who, when, how, status in text.actions
            ),
            client_view=view,
            coordination=self._text(text.coordination, case),
            evaluation="Ved hver opfølgning på handleplanen.",
        )

    def _evaluation(self, case: Case, task: Task, done_on: date) -> bool:
        plan = self.plans.get(case.pk)
        earlier = case.tasks.filter(obligation_id=task.obligation_id, completed_on__isnull=True).order_by(
            "due_on", "occurrence"
        ).first()
        if plan is None or earlier is None or earlier.pk != task.pk:
            return False
        staff = case.acting_responsible.get_full_name()
        fill = {"name": case.client.first_name, "staff": staff, "kommune": case.client.acting_municipality.name}
        not_done = self.pick(_NOT_CARRIED_OUT) if self.rng.random() < 0.35 else ("", "")
        next_agreements = [
            {"who": who.format(**fill), "what": what, "when": when} for who, what, when in self.rng.sample(_NEXT, 2)
        ]
        plan_services.plan_evaluation_record(
            actor=case.acting_responsible, version=plan.version, held_on=done_on,
            description_update=self.pick(_EVALUATION_UPDATES).format(**fill),
            carried_out=self.pick(_CARRIED_OUT),
            not_carried_out=not_done[0], reasons=not_done[1].format(**fill),
            next_agreements=next_agreements, participants=f"{case.client.first_name} {case.client.last_name}, {staff}",
        )
        self.counts.evaluations += 1
        return True

    def _status_at_release(self, case: Case, task: Task, done_on: date) -> bool:
        plan = self.plans.get(case.pk)
        if plan is None:
            return False
        plan_services.plan_status_record(
            actor=case.acting_responsible, version=plan.version, kind=PlanStatus.Kind.AT_RELEASE, stated_on=done_on,
            note=self._text("Handleplanen er ajourført og gennemgået med {name} før løsladelsen.", case),
        )
        return True

    def _involve_kif(self, case: Case, task: Task, done_on: date) -> bool:
        release_services.kif_involve(
            actor=case.acting_responsible, case=case, kif=self.kif_of(case), officer=self.kif_officer_of(case), involved_on=done_on,
            note=self._text("KIF deltager i løsladelsesmødet og overtager tilsynet med {name} ved prøveløsladelsen.", case),
        )
        self.counts.kif_involved += 1
        return True

    def _participants(self, case: Case, *, municipal_kinds: tuple[str, ...]) -> list[release_services.ParticipantData]:
        client = case.client
        staff = case.acting_responsible
        people = [
            release_services.ParticipantData(Party.CLIENT, f"{client.first_name} {client.last_name}"),
            release_services.ParticipantData(
                Party.INSTITUTION, staff.get_full_name(), str(staff.get_role_display()).capitalize(), staff.email
            ),
        ]
        for kind in municipal_kinds:
            name, role = self._municipal_person(client.acting_municipality, kind)
            party = Party.ADDICTION_CENTRE if kind == _D.MISBRUGSCENTER else Party.MUNICIPALITY
            people.append(release_services.ParticipantData(
                party, name, role, department=self.departments[(client.acting_municipality_id, kind)]
            ))
        # KIF takes part where parole is expected: it holds the plan afterwards.
        officer = self.kif_officer_of(case) if case.expected_parole_on else None
        if officer is not None:
            people.append(release_services.ParticipantData(Party.KIF, officer.get_full_name(), "Kif-medarbejder", officer.email))
        return people

    def _release_meeting(self, case: Case, task: Task, done_on: date) -> bool:
        """The release meeting (step 8), held on the day the task was done: agenda from the
        plan, agreements on its first points, and who holds the plan afterwards."""
        if done_on >= self.today:
            return False  # held before today only: a meeting today could start later than now
        rng, actor = self.rng, case.acting_responsible
        plan = self.plans.get(case.pk)
        kinds = [_D.JOBCENTER] if rng.random() < 0.6 else [_D.SOCIALCENTER]
        if plan and _L.SUBSTANCE_USE in plan.life_areas:
            kinds.append(_D.MISBRUGSCENTER)
        form = rng.choices((MeetingForm.IN_PERSON, MeetingForm.VIDEO, MeetingForm.PHONE), weights=(6, 3, 1))[0]
        hour = rng.choice((9, 10, 13))
        meeting = release_services.meeting_create(
            actor=actor, case=case, kind=Meeting.Kind.RELEASE_MEETING, starts_at=at(done_on, hour),
            ends_at=at(done_on, hour + 1), form=form,
            location=f"{case.holding_organisation.name}, mødelokalet" if form == MeetingForm.IN_PERSON else
            ("Videomøde via Kriminalforsorgens videolink" if form == MeetingForm.VIDEO else "Telefonmøde"),
            participants=self._participants(case, municipal_kinds=tuple(kinds)),
        )
        items = list(meeting.agenda_items.all())
        planned = [i for i in items if i.plan_area_key] or [i for i in items if i.life_area in (_L.HOUSING, _L.FINANCES)]
        for item in planned[:3]:
            who, what, when = _AREAS[LifeArea(item.life_area)].agreement
            release_services.agreement_add(
                actor=actor, item=item, who=self._text(who, case), what=what, when=when,
            )
        municipality = case.client.acting_municipality
        caseworker, _role = self._municipal_person(municipality, kinds[0])
        # On parole KIF holds the plan afterwards and calls the follow-up; else the municipality.
        officer = self.kif_officer_of(case) if case.expected_parole_on else None
        holder_after, holder_name = (self.kif_of(case), officer.get_full_name()) if officer else (municipality, caseworker)
        present = [p.pk for p in meeting.participants.all() if p.party != Party.MUNICIPALITY or rng.random() < 0.9]
        release_services.meeting_hold(
            actor=actor, meeting=meeting, revision=meeting.revision, held_on=done_on, attended=present,
            plan_holder_after=holder_after, plan_holder_after_name=holder_name,
            municipal_follow_up=self._text(
                "Kommunens sagsbehandler holder samtale med {name} i ugen efter løsladelsen.", case
            ),
            follow_up_called_by=Party.KIF if officer else Party.MUNICIPALITY,
            follow_up_called_by_name=holder_name,
            minutes=self._text(self.pick(_MINUTES), case),
        )
        self.counts.release_meetings += 1
        return True

    def _follow_up_meeting(self, case: Case, task: Task, done_on: date) -> bool:
        if done_on >= self.today or case.pk not in self.plans:
            return False
        municipality = case.client.acting_municipality
        meeting = release_services.meeting_create(
            actor=case.acting_responsible, case=case, kind=Meeting.Kind.FOLLOW_UP, starts_at=at(done_on, 13),
            ends_at=at(done_on, 13, 45), form=MeetingForm.IN_PERSON,
            location=f"Jobcentret, {municipality.name} Kommune",
            participants=self._participants(case, municipal_kinds=(_D.JOBCENTER,)),
        )
        release_services.meeting_hold(
            actor=case.acting_responsible, meeting=meeting, revision=meeting.revision, held_on=done_on,
            minutes=self._text(self.pick(_FOLLOW_UP_NOTES), case),
        )
        return True

    # -- after every case is made ---------------------------------------------------------------

    def finish(self, made: list[tuple[Case, str]]) -> None:
        """What the services date today, and what needs the whole population to choose from."""
        institution = [
            (case, stage) for case, stage in made
            if case.holding_organisation.kind == Organisation.Kind.INSTITUTION and stage != "awaiting_intake"
        ]
        for case, _stage in institution:
            case.refresh_from_db()
        self.plans_finish(institution)
        self.consents_record(institution)
        self.readiness(institution)
        self.outcomes(institution)
        self.release_day_appointments(institution)
        self.requests(institution)
        self.left_complete()

    def left_complete(self) -> None:
        """The notices of intake no request carried went by secure mail, on the day the
        generator chose: the timeline is the one it would have been."""
        for task, done_on in self.left:
            if Task.objects.filter(pk=task.pk, completed_on__isnull=True).exists():
                task.refresh_from_db()
                case_services.task_complete(
                    actor=task.case.acting_responsible, task=task, completed_on=done_on,
                    evidence="Underretning sendt til kommunens indgang med sikker mail.",
                )

    def plans_finish(self, cases: list[tuple[Case, str]]) -> None:
        """Finish first versions; put some before the manager for approval."""
        rng = self.rng
        share = {"just_admitted": 0.5, "serving": 0.9, "release_near": 0.95, "released": 0.95, "closed": 1.0}
        for case, stage in cases:
            plan = self.plans.get(case.pk)
            if plan is None or rng.random() >= share[stage]:
                continue
            first_plan = case.tasks.filter(obligation_id="first_plan", completed_on__isnull=True).first()
            actor = case.acting_responsible
            version = plan_services.plan_version_finish(actor=actor, version=plan.version)
            self.counts.plans_finished += 1
            if first_plan is not None and first_plan.due_on < self.today:
                self.counts.plans_finished_late += 1
            if stage in ("closed", "released") or rng.random() >= 0.45:
                plan.version = version
                continue
            version = plan_services.plan_approval_request(
                actor=actor, version=version, comment="Til godkendelse på afdelingsmødet." if rng.random() < 0.5 else "",
            )
            deciders = [
                u for u in self._people(case.holding_organisation, Role.MANAGER) if u.pk != actor.pk
            ] or [u for u in self._people(case.holding_organisation) if u.pk != actor.pk and u.may_hold_plan]
            roll = rng.random()
            if deciders and roll < 0.6:
                version = plan_services.plan_approval_decide(
                    actor=deciders[0], version=version, approve=True,
                    comment="Godkendt på afdelingsmødet." if rng.random() < 0.5 else "",
                )
                self.counts.plans_approved += 1
            elif deciders and roll < 0.72:
                version = plan_services.plan_approval_decide(
                    actor=deciders[0], version=version, approve=False,
                    comment=f"Indsatsområdet »{plan.areas[0].title}« mangler et delmål med en dato. "
                    "Tilføj det, og send planen igen." if plan.areas else "Beskriv målene mere konkret.",
                )
            else:
                self.counts.plans_awaiting_approval += 1
            plan.version = version

    def consents_record(self, cases: list[tuple[Case, str]]) -> None:
        """Consents asked at intake: most given to the acting municipality, a few refused."""
        rng = self.rng
        withdrawn = 0
        for case, stage in cases:
            actor, client = case.acting_responsible, case.client
            start = case.intake_on or case.execution_started_on
            if start is None or start > self.today:
                continue
            on = min(start + timedelta(days=rng.randint(0, 6)), self.today)
            municipality = client.acting_municipality
            plan = self.plans.get(case.pk)
            areas = [a.value for a in (plan.life_areas if plan else [])]
            roll = rng.random()
            if roll < 0.04:
                continue  # not asked yet
            if roll < 0.10:
                kind, reasons = self.pick(_REFUSALS)
                consent_services.consent_refuse(
                    actor=actor, case=case, categories=["sentence", "housing", "finances", "education_employment"],
                    recipient_organisation=municipality, purposes=list(_ALL_PURPOSES), refused_on=on,
                    refusal_kind=kind, reasons=self._text(reasons, case),
                )
                self.consents[case.pk] = _CaseConsent(given=False)
                self.counts.consents_refused += 1
                continue
            categories = ["sentence", "housing", "finances", "education_employment", "network", "health_physical"]
            sensitive = [a for a in (_L.SUBSTANCE_USE, _L.HEALTH_MENTAL) if a.value in areas or rng.random() < 0.3]
            refused = [a for a in sensitive if rng.random() < 0.08]
            categories += [a.value for a in sensitive if a not in refused]
            consent_services.consent_give(
                actor=actor, case=case, categories=categories, recipient_organisation=municipality,
                purposes=list(_ALL_PURPOSES), given_on=on,
                note="Samtykkeerklæring underskrevet ved indsættelsessamtalen." if rng.random() < 0.5 else "",
            )
            self.counts.consents_given += 1
            for area in refused:
                consent_services.consent_refuse(
                    actor=actor, case=case, categories=[area.value], recipient_organisation=municipality,
                    purposes=list(_ALL_PURPOSES), refused_on=on, refusal_kind="opposes",
                    reasons=self._text(_PARTIAL_REFUSALS[area], case),
                )
                self.counts.consents_refused += 1
            self.consents[case.pk] = _CaseConsent(given=True, categories=[c for c in categories if c != "sentence"])
            if stage == "closed" and withdrawn < 2 and case.expected_release_on and case.expected_release_on < self.today:
                consent = client.consents.filter(decision="given").order_by("-pk").first()
                consent_services.consent_withdraw(
                    actor=actor, case=case, consent=consent,
                    withdrawn_on=min(case.expected_release_on + timedelta(days=3), self.today),
                    note=self._text(self.pick(_WITHDRAWALS), case),
                )
                withdrawn += 1

    # -- the release ------------------------------------------------------------------------------

    def _readiness_set(self, case: Case, item: str, status: str, *, checks=None, note: str = "", department=None) -> None:
        municipality = case.client.acting_municipality
        responsible = municipality if department else case.holding_organisation
        release_services.readiness_item_set(
            actor=case.acting_responsible, case=case, item=item, status=status,
            responsible_organisation=responsible,
            department=self.departments[(municipality.pk, department)] if department else None,
            checks=checks, note=self._text(note, case),
        )

    def readiness(self, cases: list[tuple[Case, str]]) -> None:
        """The readiness list for those released within three months.

        Housing and income follow the case's facts (secured or not); the rest is mostly in
        place the nearer the release is. At least one case four weeks or less from release
        lacks housing: "Risiko for løsladelse til gaden".
        """
        rng = self.rng
        near = sorted(
            (case for case, stage in cases if stage == "release_near" and case.expected_release_on
             and 0 <= (case.expected_release_on - self.today).days <= 92),
            key=lambda c: (c.expected_release_on, c.pk),
        )
        # Four weeks or less before release, half of those whose housing was not secured
        # still lack it — at least two, if a lease was lost since (a risk of the street).
        within = [c for c in near if (c.expected_release_on - self.today).days <= 28]
        unsecured = [c for c in within if not c.housing_secured]
        homeless = unsecured[: max(2, (len(unsecured) + 1) // 2)]
        homeless += [c for c in within if c not in homeless][: max(0, 2 - len(homeless))]
        for case in near:
            days = (case.expected_release_on - self.today).days
            plan = self.plans.get(case.pk)
            if days <= 28:
                housing = case not in homeless
            else:
                # What was not secured at intake is often arranged by now.
                housing = bool(case.housing_secured) or rng.random() < 0.25
            income = bool(case.income_secured) or rng.random() < (0.75 if days <= 28 else 0.4)
            ready_odds = 0.9 if days <= 28 else 0.55
            others_ready = rng.random() < ready_odds
            self._readiness_set(
                case, "housing", "in_place" if housing else rng.choice(("in_progress", "in_progress", "not_started")),
                department=_D.SOCIALCENTER,
                note="Bor hos familie efter løsladelsen." if housing else "Ansøgning om midlertidig bolig er sendt; afventer svar.",
            )
            self._readiness_set(
                case, "income", "in_place" if income else "in_progress", department=_D.YDELSE,
                checks={"availability_assessment": True, "advance_payment": income},
                note="A conto aftalt på løsladelsesdagen." if income else "Rådighedsvurdering aftalt; a conto mangler.",
            )
            treatment_needed = bool(plan and _L.SUBSTANCE_USE in plan.life_areas)
            self._readiness_set(
                case, "treatment",
                ("in_place" if others_ready else "in_progress") if treatment_needed else "not_needed",
                department=_D.MISBRUGSCENTER if treatment_needed else None,
                checks={"addiction_centre_contact": others_ready} if treatment_needed else None,
            )
            self._readiness_set(case, "health", "in_place", checks={"doctor": True, "medicine": others_ready or days > 28})
            self._readiness_set(
                case, "id_bank_digital", "in_place" if others_ready else "in_progress",
                checks={"id": True, "bank": True, "mitid": others_ready, "digital_post": others_ready},
            )
            if days <= 60 or others_ready:
                self._readiness_set(
                    case, "employment_education", "in_place" if others_ready else "not_started",
                    department=_D.JOBCENTER,
                    note="Møde på jobcentret i ugen efter løsladelsen." if others_ready else "",
                )
                self._readiness_set(case, "network", "in_place" if rng.random() < 0.7 else "not_needed")
        for case in near:
            level = release_selectors.case_release_signal(case=case, today=self.today).level
            self.counts.ready += level is Level.READY
            self.counts.at_risk += level is Level.AT_RISK

    def outcomes(self, cases: list[tuple[Case, str]]) -> None:
        """The outcome at release (and four weeks after) for everyone released; about one in
        eight to the street, chosen among those whose housing or income was not secured."""
        rng = self.rng
        released = [
            case for case, stage in cases
            if stage in ("released", "closed") and case.expected_release_on and case.expected_release_on < self.today
        ]
        if not released:
            return
        street_n = max(1, round(len(released) * 0.12))
        exposed = [c for c in released if not (c.housing_secured and c.income_secured)]
        street = {c.pk for c in rng.sample(exposed, min(street_n, len(exposed)))}
        for case in released:
            release_on = case.expected_release_on
            plan = self.plans.get(case.pk)
            treatment = (
                rng.choice(("started", "started", "not_started")) if plan and _L.SUBSTANCE_USE in plan.life_areas
                else "not_needed"
            )
            if case.pk in street:
                housing, income = rng.choice((("none", True), ("none", False), ("temporary", False)))
                note = self._text("{name} blev løsladt uden fast bolig; henvist til kommunens boligsociale team.", case)
            else:
                housing = rng.choices(("own", "temporary", "shelter"), weights=(55, 33, 12))[0]
                income, note = True, ""
            employment = rng.random() < 0.35
            actor = case.acting_responsible
            release_services.outcome_record(
                actor=actor, case=case, moment=ReleaseOutcome.Moment.AT_RELEASE,
                recorded_on=min(release_on + timedelta(days=rng.randint(0, 2)), self.today), housing=housing,
                income_from_day_one=income, employment_or_education=employment, treatment=treatment, note=note,
            )
            self.counts.outcomes += 1
            self.counts.released_to_street += case.pk in street
            four_weeks = release_on + timedelta(days=28 + rng.randint(0, 5))
            if four_weeks <= self.today:
                settled = housing if housing == "own" else rng.choice((housing, "own", "temporary"))
                release_services.outcome_record(
                    actor=actor, case=case, moment=ReleaseOutcome.Moment.AFTER_FOUR_WEEKS, recorded_on=four_weeks,
                    housing=settled, income_from_day_one=income or rng.random() < 0.6,
                    employment_or_education=employment or rng.random() < 0.2,
                    treatment="started" if treatment == "not_started" and rng.random() < 0.5 else treatment,
                )
            if self.stages.get(case.pk) == "released":
                # What the list said on release day, as the outcome bears out.
                self._readiness_set(
                    case, "housing", "in_progress" if housing == "none" else "in_place", department=_D.SOCIALCENTER,
                    note="Ingen bolig på løsladelsesdagen." if housing == "none" else "",
                )
                self._readiness_set(
                    case, "income", "in_place" if income else "in_progress", department=_D.YDELSE,
                    checks={"availability_assessment": True, "advance_payment": income},
                )

    def release_day_appointments(self, cases: list[tuple[Case, str]]) -> None:
        """Appointments at the municipality on release day (step 9A), for those released at
        full term in the last four weeks — each held on the day."""
        for case, stage in cases:
            if stage != "released" or case.expected_parole_on or not case.release_on or case.release_on >= self.today:
                continue
            if case.pk not in self.plans:
                continue
            municipality = case.client.acting_municipality
            for hour, kind, purpose in ((9, _D.YDELSE, Meeting.Purpose.ADVANCE_PAYMENT), (11, _D.JOBCENTER, Meeting.Purpose.JOBCENTRE)):
                meeting = release_services.meeting_create(
                    actor=case.acting_responsible, case=case, kind=Meeting.Kind.RELEASE_DAY,
                    starts_at=at(case.release_on, hour), ends_at=at(case.release_on, hour, 30),
                    location=f"Borgerservice, {municipality.name} Rådhus",
                    municipality=municipality, department=self.departments[(municipality.pk, kind)], purpose=purpose,
                    participants=self._participants(case, municipal_kinds=(kind,)),
                )
                release_services.meeting_hold(
                    actor=case.acting_responsible, meeting=meeting, revision=meeting.revision, held_on=case.release_on,
                )

    # -- notices and requests to municipalities ---------------------------------------------------------

    def _send(self, case: Case, inp: RequestInput, *, actor: User | None = None) -> MunicipalRequest | None:
        actor = actor or case.acting_responsible
        draft = coordination_services.request_preview(actor=actor, case=case, inp=inp)
        if not draft.sendable:
            return None
        req = coordination_services.request_send(actor=actor, case=case, inp=inp, digest=draft.digest)
        self.counts.requests += 1
        return req

    def _notice(self, case: Case, municipality: Organisation, **extra) -> RequestInput:
        name, institution = case.client.first_name, case.holding_organisation.name
        message = (
            f"{name} er indsat i {institution} den {case.intake_on:%d.%m.%Y}. Vi beder jer standse ydelserne fra "
            f"indsættelsesdatoen og tage stilling til huslejen, så boligen kan bevares."
        )
        return RequestInput(kind="intake_notice", municipality=municipality, message=message, **extra)

    def _case_files(self, case: Case, municipality: Organisation) -> RequestInput:
        consent = self.consents.get(case.pk)
        wanted = [a for a in ("housing", "finances", "substance_use") if consent and a in consent.categories]
        return RequestInput(
            kind="case_files", municipality=municipality, life_areas=tuple(wanted[:2] or ["housing"]),
            message=(
                "Til brug for den første handleplan beder vi om kommunens seneste handleplan efter serviceloven § 141 "
                "og oplysninger om boligsag og forsørgelse fra det seneste år."
            ),
        )

    def _coordination(self, case: Case, municipality: Organisation) -> RequestInput | None:
        plan, consent = self.plans.get(case.pk), self.consents.get(case.pk)
        if plan is None or consent is None or not consent.given or plan.version.finished_on is None:
            return None
        areas = [a for a in plan.version.content_value().areas if a.life_area.value in consent.categories]
        if not areas:
            return None
        departments = []
        for area in areas:
            kind = {
                _L.HOUSING: _D.SOCIALCENTER, _L.EDUCATION_EMPLOYMENT: _D.JOBCENTER, _L.SUBSTANCE_USE: _D.MISBRUGSCENTER,
                _L.HEALTH_MENTAL: _D.SOCIALPSYKIATRI,
            }.get(area.life_area)
            if kind and kind not in departments:
                departments.append(kind)
        name = case.client.first_name
        release = case.expected_release_on
        return RequestInput(
            kind="coordination", municipality=municipality, departments=tuple(departments),
            purpose_text=f"Koordinering af {name}s handleplan med kommunens indsats før og efter løsladelsen.",
            expectations="At kommunen udpeger en fast sagsbehandler og afklarer bolig og forsørgelse før løsladelsen.",
            situation_and_wishes=self._text(
                "{name} ønsker egen bolig i {kommune} og vil gerne i arbejde eller uddannelse efter løsladelsen.", case
            ),
            area_keys=tuple(a.key for a in areas),
            plan_attached=True,
            kf_options=("leave", "day_release") if case.section_31_leave_possible else ("leave",),
            meeting_proposal=(
                f"Vi foreslår et møde i {case.holding_organisation.name} "
                + ("hurtigst muligt." if not release else
                   f"hurtigst muligt; løsladelsen er den {release:%d.%m.%Y}." if (release - self.today).days < 100 else
                   f"senest tre måneder før løsladelsen den {release:%d.%m.%Y}.")
            ),
        )

    def requests(self, cases: list[tuple[Case, str]]) -> None:
        """Notices and requests to the acting municipalities, answered or not.

        Guldborgsund's entrance (``kommune``) finds some unread, some opened, some routed
        to a department and a named caseworker, and two returned; other municipalities get
        theirs too. Two go on a legal basis without consent: one approved by a colleague,
        one still waiting.
        """
        open_cases = [(c, s) for c, s in cases if s in ("just_admitted", "serving", "release_near")]
        # Answers per municipality, in order of sending: what its entrance did with each.
        plans = {
            # 6 unread, 2 opened, 7 routed to a caseworker, 2 returned.
            GULDBORGSUND: [
                "unread", "routed", "unread", "routed", "opened", "unread", "routed", "returned", "unread",
                "routed", "opened", "unread", "routed", "returned:moved", "routed", "unread", "routed",
            ],
            LOLLAND: ["unread", "routed", "opened"],
            "370": ["routed", "unread", "routed", "opened"],
            "101": ["unread", "routed", "routed", "unread"],
            "751": ["routed", "unread", "opened"],
        }
        sent: dict[str, list[MunicipalRequest]] = {code: [] for code in plans}
        others: list[MunicipalRequest] = []
        by_municipality: dict[str, list[tuple[Case, str]]] = {}
        for case, stage in open_cases:
            by_municipality.setdefault(case.client.acting_municipality.code, []).append((case, stage))

        def candidates(code: str) -> list[tuple[Case, RequestInput]]:
            found = []
            for case, stage in by_municipality.get(code, []):
                consent = self.consents.get(case.pk)
                if consent is None or not consent.given:
                    continue
                municipality = case.client.acting_municipality
                open_tasks = set(case.tasks.filter(completed_on__isnull=True).values_list("obligation_id", flat=True))
                if stage == "just_admitted" and "notify_municipality_of_intake" in open_tasks:
                    found.append((case, self._notice(case, municipality)))
                if stage in ("serving", "release_near") and (inp := self._coordination(case, municipality)):
                    found.append((case, inp))
                elif stage in ("just_admitted", "serving") and "obtain_case_files" in open_tasks:
                    found.append((case, self._case_files(case, municipality)))
            # Notices first, then the rest in a mixed order.
            notices = [f for f in found if f[1].kind == "intake_notice"]
            rest = [f for f in found if f[1].kind != "intake_notice"]
            self.rng.shuffle(rest)
            return notices[:6] + rest + notices[6:]

        for code, answers in plans.items():
            for case, inp in candidates(code):
                if len(sent[code]) >= len(answers):
                    break
                req = self._send(case, inp)
                if req is not None:
                    sent[code].append(req)
        # A handful to municipalities where no one uses Køreplan yet: they wait.
        for code in sorted(by_municipality):
            if code in plans or len(others) >= 6:
                continue
            for case, inp in candidates(code)[:1]:
                if (req := self._send(case, inp)) is not None:
                    others.append(req)
        self._legal_basis_requests(open_cases)
        for code, requests in sent.items():
            municipality = self.municipalities[code]
            entrance = next((u for u in self._people(municipality, Role.MUNICIPAL_ENTRANCE)), None)
            if entrance is None:
                continue
            for req, answer in zip(requests, plans[code], strict=False):
                self._answer(req, answer, entrance)
        # Requests still sent, not opened: what the entrance has not read yet.
        kommune = self.staff["kommune"]
        self.counts.requests_unread_at_kommune = MunicipalRequest.objects.filter(
            municipality_id=kommune.organisation_id, status=MunicipalRequest.Status.SENT
        ).count()

    def _answer(self, req: MunicipalRequest, answer: str, entrance: User) -> None:
        if answer == "unread":
            return
        req = coordination_services.request_open(actor=entrance, req=req, page="inbox")
        if answer == "opened":
            return
        municipality = req.municipality
        if answer.startswith("returned"):
            reason = answer.partition(":")[2] or req.kind
            coordination_services.request_return(
                actor=entrance, req=req, reason=_RETURN_REASONS[reason],
                suggested_municipality=self.municipalities[LOLLAND] if reason == "moved" and municipality.code != LOLLAND else None,
            )
            return
        # Routed to the department its content is for, to a named caseworker there.
        wanted = {
            "intake_notice": [_D.YDELSE],
            "case_files": [_D.YDELSE, _D.SOCIALCENTER],
            "coordination": [*req.departments, _D.JOBCENTER, _D.YDELSE],
        }[req.kind]
        people = [u for u in self._people(municipality, Role.MUNICIPAL_CASEWORKER, Role.MUNICIPAL_ENTRANCE) if u.department]
        for kind in wanted:
            caseworker = next((u for u in people if u.department.kind == kind), None)
            if caseworker is not None:
                break
        else:
            caseworker = entrance
        coordination_services.request_route(
            actor=entrance, req=req, department=caseworker.department, caseworker=caseworker,
            note=_ROUTING_NOTES.get(caseworker.department.kind, "") if municipality.code == GULDBORGSUND else "",
        )

    def _legal_basis_requests(self, open_cases: list[tuple[Case, str]]) -> None:
        """Two notices of intake to Guldborgsund without consent, on a legal basis: one
        approved by a colleague (and so sent), one waiting for the second person."""
        municipality = self.municipalities[GULDBORGSUND]
        storstrom = self.organisations["Storstrøm Fængsel"]
        candidates = [
            case for case, stage in open_cases
            if case.holding_organisation_id == storstrom.pk and case.client.acting_municipality_id == municipality.pk
            and not self.consents.get(case.pk, _CaseConsent(given=False)).given and case.intake_on
            and not case.municipal_requests.exists()
        ]
        colleagues = self._people(storstrom)
        for n, case in enumerate(candidates[:2]):
            proposer = case.acting_responsible
            if n == 1 and proposer == self.staff["socialraadgiver"]:
                proposer = next(u for u in colleagues if u.may_hold_plan and u != proposer)
            inp = self._notice(
                case, municipality, legal_basis="dbl_8_2_3",
                justification=(
                    "Kommunen skal vide, at klienten er indsat, for at kunne standse forsørgelsesydelsen fra "
                    "indsættelsesdatoen. Klienten har ikke givet samtykke."
                ),
            )
            req = self._send(case, inp, actor=proposer)
            if req is not None and n == 0:
                approver = next(u for u in colleagues if u.pk != proposer.pk and u.role == Role.MANAGER)
                coordination_services.request_approve(actor=approver, req=req)

    def summary(self) -> dict[str, int]:
        return dict(vars(self.counts))
