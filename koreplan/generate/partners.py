"""Records in the partner apps for generated cases: plans, consents, requests to the
municipalities, release meetings and outcomes, KIF's involvement, and the evaluation
after release — each app only if it is installed and its models are as expected.

They follow the case's tasks, because in the application recording them is what
completes the tasks: the first plan finished completes ``first_plan``, a request sent
completes its step's task, a release meeting held completes ``release_meeting``, and so
on. So a completed task has its record, dated the day it was done; some open past-due
tasks have a request still waiting for the municipality. Written through the same
:class:`~koreplan.generate.writer.BulkWriter`, in the same transaction.

Left out (no figure reads them yet): readiness lists, meeting participants and agendas,
plan versions after the first, reminders of unanswered requests, notifications, and the
audit entries the partner services would write — the audit log of generated data holds
the case services' entries only.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from koreplan.accounts.models import Role, User
from koreplan.generate import population as pop
from koreplan.generate.writer import Json, as_json
from koreplan.organisations.models import MunicipalDepartment, Organisation

#: life area → (area of effort title, goal, an action): the plans' areas of effort.
_AREAS = {
    "housing": ("Bolig efter løsladelsen", "Har en bolig på løsladelsesdagen", "Skrive sig op hos boligselskaber"),
    "finances": ("Forsørgelse", "Har en indtægt fra første dag", "Søge kontanthjælp før løsladelsen"),
    "education_employment": ("Uddannelse og job", "Starter på et forløb i jobcentret", "Tage AMU-kursus under afsoningen"),
    "substance_use": ("Misbrugsbehandling", "Fortsætter behandlingen efter løsladelsen", "Deltage i behandling i fængslet"),
    "network": ("Netværk", "Har kontakt med familien", "Besøg af familien hver måned"),
    "health_mental": ("Psykisk helbred", "Har kontakt til psykiatrien", "Samtaler med psykolog"),
}
_CATEGORIES_GIVEN = ("sentence", "housing", "finances", "education_employment")
_PURPOSES = ["intake_notice", "case_files", "coordination", "release_planning"]
_REFUSALS = (
    ("opposes", "Ønsker ikke, at kommunen får oplysninger om afsoningen."),
    ("will_not_answer", "Vil ikke tage stilling nu; spørges igen ved næste opfølgning."),
)
_RETURN_REASONS = (
    "Borgeren har ikke bopæl i kommunen; prøv handlekommunen.",
    "Henvendelsen mangler samtykke til at dele oplysninger om misbrug.",
)
_LETTER_KEYS = {
    "departments": [], "purpose_text": "", "expectations": "", "situation_and_wishes": "", "life_areas": [],
    "area_keys": [], "partner_keys": [], "include_causes": False, "plan_attached": False,
    "plan_not_attached_reason": "", "plan_available_from": "", "kf_options": [], "kf_options_note": "",
    "meeting_proposal": "", "meeting_proposed_on": None, "message": "", "areas_of_effort": [],
}


class Missing(Exception):
    pass


class Partners:
    """One per generation run; :meth:`case` is called for every case, in order."""

    def __init__(self, run):
        self.run = run
        self.rng = random.Random(run.seed + 7)
        self.writer = run.writer
        self.written: dict[str, int] = {}
        self.written_names: list[str] = []
        self.missing: list[str] = []
        self.plans = self._open("plans", self._open_plans)
        self.consent = self._open("consent", self._open_consent)
        self.coordination = self._open("coordination", self._open_coordination) if self.consent else False
        if self.consent is False and apps.is_installed("koreplan.coordination"):
            self.missing.append("coordination (needs consent's Disclosure)")
        self.release = self._open("release", self._open_release)
        self.evaluations = self._open("dashboards", self._open_evaluations)
        if self.coordination or self.evaluations or self.release:
            self._municipal_staff()

    def _open(self, app: str, opener) -> bool:
        if not apps.is_installed(f"koreplan.{app}"):
            self.missing.append(f"{app} (app not installed)")
            return False
        try:
            opener()
        except (LookupError, FieldDoesNotExist, Missing) as error:
            self.missing.append(f"{app} ({error})")
            return False
        return True

    # -- opening the tables -----------------------------------------------------------------

    def _open_plans(self) -> None:
        from koreplan.domain import plan as domain

        ActionPlan = apps.get_model("plans", "ActionPlan")
        PlanVersion = apps.get_model("plans", "PlanVersion")
        Evaluation = apps.get_model("plans", "Evaluation")
        PlanStatus = apps.get_model("plans", "PlanStatus")
        w = self.writer
        self.t_plan = w.table(ActionPlan, ["id", "case", "created_at", "created_by"])
        self.t_version = w.table(PlanVersion, [
            "id", "plan", "number", "content", "began_on", "created_at", "created_by", "finished_on", "finished_by",
            "approval_status", "approval_requested_at", "approval_requested_by", "approval_decided_at",
            "approval_decided_by", "revision",
        ])
        self.t_evaluation = w.table(Evaluation, [
            "id", "version", "held_on", "participants", "description_update", "carried_out", "next_agreements",
            "task", "created_by", "created_at",
        ])
        self.t_status = w.table(PlanStatus, ["id", "version", "kind", "stated_on", "note", "task", "created_by", "created_at"])
        # A handful of plans, validated by the domain once, reused as JSON.
        contents = []
        keys = list(_AREAS)
        for n in range(24):
            rng = random.Random(n)
            chosen = rng.sample(keys, rng.randint(1, 3))
            areas = tuple(
                domain.AreaOfEffort(
                    key=f"a{i}", life_area=domain.LifeArea(area), title=_AREAS[area][0],
                    justification="Afdækket ved indsættelsessamtalen.", goal=_AREAS[area][1],
                    actions=(domain.Action(key=f"a{i}x1", what=_AREAS[area][2], when="Under afsoningen"),),
                    client_view=domain.ClientView(stance=domain.ClientStance.AGREES),
                    evaluation="Ved hver opfølgning.",
                )
                for i, area in enumerate(chosen, 1)
            )
            participation = domain.ClientParticipation(
                status=domain.Participation.TOOK_PART if rng.random() < 0.85 else domain.Participation.DECLINED,
                reason="" if rng.random() < 0.85 else "Ønskede ikke at deltage.",
            )
            content = domain.PlanContent(participation=participation, areas=areas)
            domain.PlanContent.from_dict(content.to_dict())  # the domain accepts it
            contents.append(as_json(content.to_dict()))
        self.plan_contents = contents
        self._name("plans")

    def _open_consent(self) -> None:
        Consent = apps.get_model("consent", "Consent")
        Disclosure = apps.get_model("consent", "Disclosure")
        w = self.writer
        self.t_consent = w.table(Consent, [
            "id", "client", "case", "decision", "categories", "recipient_organisation", "recipient_department",
            "purposes", "given_on", "valid_until", "refusal_kind", "refusal_reasons", "note", "withdrawn_on",
            "withdrawn_by", "withdrawn_at", "recorded_by", "recorded_organisation", "recorded_at",
        ])
        self.t_disclosure = w.table(Disclosure, [
            "id", "case", "client", "summary", "categories", "recipient_organisation", "recipient_departments",
            "purpose", "outcome", "legal_basis", "justification", "reasons", "status", "proposed_by",
            "proposing_organisation", "proposed_at", "approved_by", "approved_at", "disclosed_at",
        ])
        Through = Disclosure.consents.through
        self.t_disclosure_consents = w.table(Through, ["id", "disclosure", "consent"])
        self._name("consent")

    def _open_coordination(self) -> None:
        MunicipalRequest = apps.get_model("coordination", "MunicipalRequest")
        self.t_request = self.writer.table(MunicipalRequest, [
            "id", "case", "kind", "step", "municipality", "departments", "sending_organisation", "created_by",
            "created_at", "disclosure", "letter", "snapshot", "digest", "status", "sent_at", "received_at",
            "received_by", "routed_department", "routed_caseworker", "routing_note", "accepted_at", "accepted_by",
            "returned_at", "returned_by", "return_reason", "task",
        ])
        try:
            from koreplan.coordination.letters import SNAPSHOT_SCHEMA
        except ImportError:
            SNAPSHOT_SCHEMA = 1
        self.snapshot_schema = SNAPSHOT_SCHEMA
        self._name("coordination")

    def _open_release(self) -> None:
        Meeting = apps.get_model("release", "Meeting")
        ReleaseOutcome = apps.get_model("release", "ReleaseOutcome")
        KifInvolvement = apps.get_model("release", "KifInvolvement")
        w = self.writer
        self.t_meeting = w.table(Meeting, [
            "id", "case", "kind", "status", "starts_at", "ends_at", "form", "location", "municipality", "department",
            "purpose", "held_on", "task", "created_at", "created_by", "updated_at", "updated_by", "revision",
        ])
        self.t_outcome = w.table(ReleaseOutcome, [
            "id", "case", "moment", "recorded_on", "housing", "income_from_day_one", "employment_or_education",
            "treatment", "released_to_street", "note", "recorded_at", "recorded_by",
        ])
        self.t_kif = w.table(KifInvolvement, [
            "id", "case", "kif", "officer", "involved_on", "note", "task", "created_at", "created_by",
        ])
        self._name("release")

    def _open_evaluations(self) -> None:
        from koreplan.domain import method

        ReleaseEvaluation = apps.get_model("dashboards", "ReleaseEvaluation")
        ChecklistAnswer = apps.get_model("dashboards", "ChecklistAnswer")
        w = self.writer
        self.t_release_evaluation = w.table(ReleaseEvaluation, [
            "id", "case", "organisation", "comment", "created_at", "created_by", "updated_at", "updated_by",
        ])
        self.t_answer = w.table(ChecklistAnswer, ["id", "evaluation", "item", "answer", "comment"])
        # The items each kind of organisation answers: the steps it is responsible for and
        # the prerequisites that concern it. Each item fails with its own likelihood, so
        # that some prerequisites stand out on the dashboards as they would in reality.
        self.checklist: dict[str, list[tuple[str, float]]] = {}
        for party in ("institution", "kif", "municipality"):
            items = []
            for step in method.STEPS:
                if step.responsible is not None and step.responsible.value == party:
                    items.append(step.id)
                items.extend(p.id for p in step.prerequisites if party in {c.value for c in p.concerns})
            self.checklist[party] = [
                (item, 0.05 + 0.4 * (int(hashlib.sha256(item.encode()).hexdigest()[:4], 16) / 0xFFFF) ** 3)
                for item in items
            ]
        self._name("dashboards (evaluations after release)")

    def _name(self, name: str) -> None:
        self.written_names.append(name)

    def _municipal_staff(self) -> None:
        self.entrance: dict[int, User] = {}
        self.caseworkers: dict[int, list[User]] = {}
        self.municipal_staff: dict[int, User] = {}
        for user in User.objects.filter(organisation__kind=Organisation.Kind.MUNICIPALITY).order_by("pk"):
            if user.role == Role.MUNICIPAL_ENTRANCE:
                self.entrance.setdefault(user.organisation_id, user)
            elif user.role == Role.MUNICIPAL_CASEWORKER and user.department_id:
                self.caseworkers.setdefault(user.organisation_id, []).append(user)
            self.municipal_staff.setdefault(user.organisation_id, user)
        self.departments = {
            (d.municipality_id, d.kind): d.pk for d in MunicipalDepartment.objects.all()
        }

    # -- one case ------------------------------------------------------------------------------

    def case(
        self, *, case_id: int, client_id: int, municipality_id: int, lived: pop.Lived,
        task_ids: dict[tuple[str, int], int], person_at, plan_responsible: User | None, client: tuple,
    ) -> None:
        done = {(o.id, o.occurrence): o.completed_on for o in lived.timeline.obligations if o.completed_on}
        due = {(o.id, o.occurrence): o.due_on for o in lived.timeline.obligations}
        ctx = _Case(case_id, client_id, municipality_id, lived, task_ids, person_at, done, due, client)
        if self.plans:
            self._plan(ctx)
        consent_id = None
        if self.consent:
            consent_id = self._consent(ctx)
        if self.coordination:
            self._requests(ctx, consent_id)
        if self.release:
            self._release(ctx)
        if self.evaluations:
            self._evaluations(ctx)

    # -- plans --------------------------------------------------------------------------------------

    def _plan(self, c: _Case) -> None:
        rng, clock = self.rng, self.run.clock
        finished = c.done.get(("first_plan", 1)) or c.done.get(("supervision_plan", 1))
        if finished is None:
            return
        start = c.lived.draft.start or finished
        began = max(start, finished - timedelta(days=rng.randint(3, 25)))
        author = c.person_at(pop.holder_on(c.lived, began))
        finisher = c.person_at(pop.holder_on(c.lived, finished))
        if author is None or finisher is None:
            return
        created_at = clock.at(began, 9, 12)
        plan_id = self.t_plan.allocate()
        self.t_plan.add((plan_id, c.case_id, created_at, author.pk))
        version_id = self.t_version.allocate()
        approved = rng.random() < 0.6
        decider = self.run.staff.managers.get(pop.holder_on(c.lived, finished)) if approved else None
        approved = approved and decider is not None and decider != finisher
        finished_at = clock.at(finished, 12, 16)
        decided_on = min(finished + timedelta(days=rng.randint(1, 14)), self.run.today)
        self.t_version.add((
            version_id, plan_id, 1, self.plan_contents[rng.randrange(len(self.plan_contents))], began, created_at,
            author.pk, finished, finisher.pk, "approved" if approved else "draft",
            finished_at if approved else None, finisher.pk if approved else None,
            clock.at(decided_on, 12, 16) if approved else None, decider.pk if approved else None, 1,
        ))
        for (obligation, occurrence), on in c.done.items():
            if obligation in ("plan_evaluation", "supervision_evaluation"):
                who = c.person_at(pop.holder_on(c.lived, on)) or finisher
                self.t_evaluation.add((
                    self.t_evaluation.allocate(), version_id, on, "Den indsatte og kontaktpersonen",
                    "Planen er gennemgået; beskrivelsen er ajourført.", "Aftalerne er overholdt.", Json("[]"),
                    c.task_ids.get((obligation, occurrence)), who.pk, clock.at(on, 9, 16),
                ))
            elif obligation in ("status_at_release", "status_at_supervision_end"):
                who = c.person_at(pop.holder_on(c.lived, on)) or finisher
                kind = "at_release" if obligation == "status_at_release" else "at_supervision_end"
                self.t_status.add((
                    self.t_status.allocate(), version_id, kind, on, "", c.task_ids.get((obligation, occurrence)),
                    who.pk, clock.at(on, 9, 16),
                ))

    # -- consent ---------------------------------------------------------------------------------------

    def _consent(self, c: _Case) -> int | None:
        """Asked in about six cases of ten, early in the case; given in seven of those."""
        rng, clock, today = self.rng, self.run.clock, self.run.today
        start = c.lived.draft.start
        last = c.lived.draft.closed_on if c.lived.draft.closed else today
        if start is None or start > last or rng.random() > 0.6:
            return None
        given_on = min(start + timedelta(days=rng.randint(0, 20)), last)
        holder = pop.holder_on(c.lived, given_on)
        recorder = c.person_at(holder)
        if recorder is None:
            return None
        given = rng.random() < 0.7
        categories = list(_CATEGORIES_GIVEN) + (["substance_use"] if rng.random() < 0.4 else [])
        refusal_kind, reasons = rng.choice(_REFUSALS) if not given else ("", "")
        withdrawn_on = withdrawn_by = withdrawn_at = None
        if given and rng.random() < 0.02:
            withdrawn_on = min(given_on + timedelta(days=rng.randint(10, 120)), last)
            withdrawn_by, withdrawn_at = recorder.pk, clock.at(withdrawn_on)
        consent_id = self.t_consent.allocate()
        self.t_consent.add((
            consent_id, c.client_id, c.case_id, "given" if given else "refused", as_json(categories), c.municipality_id,
            "", as_json(_PURPOSES), given_on, None, refusal_kind, reasons, "", withdrawn_on, withdrawn_by, withdrawn_at,
            recorder.pk, holder, clock.at(given_on),
        ))
        c.consent_given_on = given_on if given else None
        c.consent_withdrawn_on = withdrawn_on
        return consent_id if given else None

    # -- requests to the municipality --------------------------------------------------------------

    def _requests(self, c: _Case, consent_id: int | None) -> None:
        rng = self.rng
        for obligation, kind, step in (
            ("notify_municipality_of_intake", "intake_notice", "1"),
            ("obtain_case_files", "case_files", "4"),
            ("municipality_coordination", "coordination", "6"),
            ("kif_municipality_coordination", "coordination", "11"),
        ):
            on = c.done.get((obligation, 1))
            if on is not None:
                # Case files are asked for some days before they arrive; the others leave
                # the day the task is done.
                sent = on - timedelta(days=rng.randint(3, 15)) if kind == "case_files" else on
                sent = max(sent, c.lived.draft.opened_on)
                self._request(c, kind, step, sent, consent_id, task_id=c.task_ids.get((obligation, 1)),
                              answer_by=on if kind == "case_files" else None)
            elif kind == "case_files" and (obligation, 1) in c.due and consent_id and rng.random() < 0.4:
                # Asked for, not (yet) received: the request waits at the municipality.
                sent = max(c.due[(obligation, 1)] - timedelta(days=rng.randint(0, 10)), c.lived.draft.opened_on)
                if sent <= (c.lived.draft.closed_on if c.lived.draft.closed else self.run.today):
                    self._request(c, kind, step, sent, consent_id, task_id=None, answer_by=None, still_open=True)

    def _request(
        self, c: _Case, kind: str, step: str, sent: date, consent_id: int | None, *, task_id: int | None,
        answer_by: date | None, still_open: bool = False,
    ) -> None:
        rng, clock, today = self.rng, self.run.clock, self.run.today
        sender_org = pop.holder_on(c.lived, sent)
        if step == "11" and c.lived.kif_id:
            sender_org = c.lived.kif_id
        sender = c.person_at(sender_org)
        if sender is None:
            return
        municipality = c.municipality_id
        sent_at = clock.at(sent, 9, 15)
        # The disclosure that let it leave: the client's consent where one covers it, else
        # a legal basis, justified and approved by a second person.
        consented = (
            consent_id is not None and c.consent_given_on is not None and c.consent_given_on <= sent
            and (c.consent_withdrawn_on is None or sent < c.consent_withdrawn_on)
        )
        categories = ["sentence"] + (["housing", "finances"] if kind == "coordination" else [])
        disclosure_id = self.t_disclosure.allocate()
        approver = None
        if not consented:
            approver = self.run.staff.managers.get(sender_org)
            if approver is None or approver == sender:
                approver = self.run.staff.pick(rng, sender_org, exclude=sender)
            if approver is None:
                return
        self.t_disclosure.add((
            disclosure_id, c.case_id, c.client_id, {"intake_notice": "Notice of intake", "case_files": "Request for case files",
                                                    "coordination": "Request for coordination"}[kind],
            as_json(categories), municipality, as_json([""]), kind, "allowed" if consented else "allowed_on_legal_basis",
            "" if consented else "dbl_8_2_3",
            "" if consented else "Nødvendigt for kommunens afgørelse om hjælp ved løsladelsen.",
            Json("[]"), "disclosed", sender.pk, sender_org, sent_at, approver.pk if approver else None,
            sent_at if approver else None, sent_at,
        ))
        if consented:
            self.t_disclosure_consents.add((self.t_disclosure_consents.allocate(), disclosure_id, consent_id))
        entrance = self.entrance.get(municipality) or self.municipal_staff.get(municipality)
        last = c.lived.draft.closed_on if c.lived.draft.closed else today
        # The municipality's answer: opened by the entrance within days; accepted (a named
        # caseworker takes hold) in most cases, returned in some, still waiting in others.
        status, received_on, answered_on = "sent", None, None
        if entrance is not None and rng.random() < 0.93:
            received_on = sent + timedelta(days=int(rng.expovariate(1 / 2)))
            if received_on > today:
                received_on = None
        if received_on is not None:
            status = "received"
            if kind != "intake_notice" and not still_open:
                answered_on = answer_by or received_on + timedelta(days=1 + int(rng.expovariate(1 / 9)))
                answered_on = max(answered_on, received_on)
                if answered_on > max(last, today) or answered_on > today:
                    answered_on = None
                elif rng.random() < 0.08:
                    status = "returned"
                else:
                    status = "accepted"
        # Routed to a named caseworker in a department: the municipality has hold.
        caseworkers = self.caseworkers.get(municipality) or []
        caseworker = rng.choice(caseworkers) if caseworkers else entrance
        routed_department = caseworker.department_id if caseworker is not None else None
        if routed_department is None:
            routed_department = self.departments.get((municipality, "socialcenter" if kind == "coordination" else "ydelse"))
        accepted = status == "accepted" and caseworker is not None
        if status == "accepted" and not accepted:
            status = "received"
        returned = status == "returned"
        letter = dict(_LETTER_KEYS)
        letter["message"] = "Vi henvender os om en fælles borger." if kind != "coordination" else ""
        letter["purpose_text"] = "Koordinering af handleplanen før løsladelsen." if kind == "coordination" else ""
        client_first, client_last, cpr, birth = c.client
        organisation = self.run.organisations[sender_org]
        snapshot = {
            "schema": self.snapshot_schema, "kind": kind, "step": step,
            "to": {"municipality": self.run.organisations[municipality].name, "municipality_id": municipality,
                   "departments": []},
            "from": {"organisation": organisation.name, "organisation_id": sender_org, "address": organisation.address,
                     "phone": organisation.phone, "email": organisation.email, "person": str(sender),
                     "person_email": sender.email, "role": sender.role},
            "client": {"name": f"{client_first} {client_last}", "cpr": f"{cpr[:6]}-{cpr[6:]}", "birth_date": birth.isoformat()},
            "sentence": {"case_type": c.lived.draft.facts["case_type"], "institution": organisation.name,
                         "placement": c.lived.draft.facts.get("placement", ""),
                         "intake_on": _iso(c.lived.draft.facts.get("intake_on")),
                         "supervision_started_on": _iso(c.lived.draft.facts.get("supervision_started_on")),
                         "expected_release_on": _iso(c.lived.timeline.expected_release_on)},
            "letter": letter, "plan": None, "excerpt": None,
        }
        snapshot_json = as_json(snapshot)
        if c.first_request_at is None:
            # A municipality has a part in the case once something was sent to it
            # (CaseParticipation.Part.MUNICIPALITY); it gives no sight of the case itself.
            c.first_request_at = sent_at
            self.run.t_part.add((self.run.t_part.allocate(), c.case_id, municipality, "municipality", sent_at, None))
        self.t_request.add((
            self.t_request.allocate(), c.case_id, kind, step, municipality, Json("[]"), sender_org, sender.pk, sent_at,
            disclosure_id, as_json(letter), snapshot_json, hashlib.sha256(snapshot_json.encode()).hexdigest(), status,
            sent_at, clock.at(received_on) if received_on else None,
            entrance.pk if received_on and entrance else None,
            routed_department if accepted else None,
            caseworker.pk if accepted else None, "",
            clock.at(answered_on, 12, 16) if accepted else None, (entrance or caseworker).pk if accepted else None,
            clock.at(answered_on, 12, 16) if returned else None, entrance.pk if returned and entrance else None,
            rng.choice(_RETURN_REASONS) if returned else "", task_id,
        ))

    # -- the release ---------------------------------------------------------------------------------

    def _release(self, c: _Case) -> None:
        rng, clock, today = self.rng, self.run.clock, self.run.today
        lived = c.lived
        for obligation, kind in (("release_meeting", "release_meeting"), ("follow_up_meeting_after_release", "follow_up")):
            on = c.done.get((obligation, 1))
            if on is not None:
                self._meeting(c, kind, on, "held", c.task_ids.get((obligation, 1)))
            elif (
                kind == "release_meeting" and not lived.draft.closed and (obligation, 1) in c.due
                and 0 <= (c.due[(obligation, 1)] - today).days <= 30 and rng.random() < 0.5
            ):
                self._meeting(c, kind, c.due[(obligation, 1)], "planned", None)
        booked = c.done.get(("municipal_appointments_on_release_day", 1))
        release = lived.timeline.expected_release_on
        if booked is not None and release is not None:
            for purpose in rng.sample(["advance_payment", "jobcentre", "housing"], rng.randint(1, 2)):
                self._meeting(c, "release_day", release, "held" if release <= today else "planned",
                              c.task_ids.get(("municipal_appointments_on_release_day", 1)), purpose=purpose, booked=booked)
        involved = c.done.get(("involve_kif", 1))
        if involved is not None and lived.kif_id is not None:
            officer = c.person_at(lived.kif_id)
            creator = c.person_at(pop.holder_on(lived, involved))
            if creator is not None:
                self.t_kif.add((
                    self.t_kif.allocate(), c.case_id, lived.kif_id, officer.pk if officer else None, involved,
                    "Prøveløsladelsen planlagt sammen med KIF.", c.task_ids.get(("involve_kif", 1)),
                    clock.at(involved), creator.pk,
                ))
        # The outcome: at release for three in four released, four weeks after for half.
        facts = lived.draft.facts
        last = lived.draft.closed_on if lived.draft.closed else today
        if not lived.draft.is_institution_case or release is None or release > last or rng.random() > 0.75:
            return
        recorder = c.person_at(pop.holder_on(lived, release))
        if recorder is None:
            return
        housing, income = self._outcome_at_release(facts)
        employment = rng.random() < 0.25
        treatment = rng.choices(["started", "not_started", "not_needed"], weights=(20, 15, 65))[0]
        street = housing == "none" or not income
        self.t_outcome.add((
            self.t_outcome.allocate(), c.case_id, "at_release", release, housing, income, employment, treatment, street,
            "", clock.at(release, 12, 16), recorder.pk,
        ))
        later = release + timedelta(weeks=4)
        if later <= last and rng.random() < 0.6:
            if housing in ("none", "shelter") and rng.random() < 0.35:
                housing = "temporary"
            income = income or rng.random() < 0.6
            employment = employment or rng.random() < 0.1
            if treatment == "not_started" and rng.random() < 0.4:
                treatment = "started"
            self.t_outcome.add((
                self.t_outcome.allocate(), c.case_id, "after_four_weeks", later, housing, income, employment, treatment,
                housing == "none" or not income, "", clock.at(later, 12, 16), recorder.pk,
            ))

    def _outcome_at_release(self, facts: dict[str, Any]) -> tuple[str, bool]:
        rng = self.rng
        if facts.get("housing_secured"):
            housing = "own" if rng.random() < 0.7 else "temporary"
        else:
            housing = rng.choices(["none", "shelter", "temporary", "own"], weights=(40, 30, 25, 5))[0]
        income = rng.random() < (0.95 if facts.get("income_secured") else 0.55)
        return housing, income

    def _meeting(self, c: _Case, kind: str, on: date, status: str, task_id: int | None, *, purpose: str = "",
                 booked: date | None = None) -> None:
        rng, clock = self.rng, self.run.clock
        organiser = c.person_at(pop.holder_on(c.lived, min(on, booked or on)))
        if organiser is None:
            return
        starts = clock.at(on, 9, 14) if status == "held" else _future_at(on, rng)
        made = clock.at(min(booked or on, on) - timedelta(days=rng.randint(0, 20)), 8, 16)
        if made > starts:
            made = starts - timedelta(hours=1)
        municipality = c.municipality_id if kind == "release_day" else None
        department = self.departments.get((c.municipality_id, "ydelse")) if kind == "release_day" else None
        self.t_meeting.add((
            self.t_meeting.allocate(), c.case_id, kind, status, starts, starts + timedelta(hours=1),
            rng.choice(["in_person", "in_person", "video", "phone"]), "Mødelokalet" if kind != "release_day" else "Borgerservice",
            municipality, department, purpose, on if status == "held" else None, task_id, made, organiser.pk, made,
            organiser.pk, 1,
        ))

    # -- the evaluation after release -----------------------------------------------------------------

    def _evaluations(self, c: _Case) -> None:
        rng, clock, today = self.rng, self.run.clock, self.run.today
        lived = c.lived
        release = lived.timeline.expected_release_on
        last = lived.draft.closed_on if lived.draft.closed else today
        # The evaluation is new with the method: asked of releases in the last two years.
        if release is None or release > last or not lived.draft.is_institution_case or (today - release).days > 730:
            return
        parties = [("institution", next((s.organisation_id for s in reversed(lived.stays)
                                         if self.run.organisations[s.organisation_id].kind == Organisation.Kind.INSTITUTION), None), 0.25)]
        if lived.kif_id:
            parties.append(("kif", lived.kif_id, 0.15))
        if c.first_request_at is not None:  # the municipality took part: something was sent to it
            parties.append(("municipality", c.municipality_id, 0.08))
        for party, organisation_id, share in parties:
            if organisation_id is None or rng.random() > share:
                continue
            author = (self.municipal_staff.get(organisation_id) if party == "municipality"
                      else c.person_at(organisation_id))
            if author is None:
                continue
            on = min(release + timedelta(days=rng.randint(28, 60)), today)
            at = clock.at(on)
            evaluation_id = self.t_release_evaluation.allocate()
            self.t_release_evaluation.add((evaluation_id, c.case_id, organisation_id, "", at, author.pk, at, author.pk))
            for item, fails in self.checklist[party]:
                draw = rng.random()
                if draw < 0.06:
                    answer = "not_relevant"
                elif draw < 0.06 + fails:
                    answer = "no"
                elif draw < 0.06 + fails * 1.6:
                    answer = "partly"
                else:
                    answer = "yes"
                self.t_answer.add((self.t_answer.allocate(), evaluation_id, item, answer, ""))

    def finish(self) -> None:
        for table in list(self.writer.tables.values()):
            if table.model._meta.app_label in ("plans", "consent", "coordination", "release", "dashboards"):
                table.flush()
                self.written[table.model._meta.label] = table.written


class _Case:
    __slots__ = (
        "case_id",
        "client",
        "client_id",
        "consent_given_on",
        "consent_withdrawn_on",
        "done",
        "due",
        "first_request_at",
        "lived",
        "municipality_id",
        "person_at",
        "task_ids",
    )

    def __init__(self, case_id, client_id, municipality_id, lived, task_ids, person_at, done, due, client):
        self.case_id, self.client_id, self.municipality_id = case_id, client_id, municipality_id
        self.lived, self.task_ids, self.person_at, self.done, self.due = lived, task_ids, person_at, done, due
        self.client = client
        self.consent_given_on = self.consent_withdrawn_on = self.first_request_at = None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _future_at(on: date, rng: random.Random):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.conf import settings

    return datetime(on.year, on.month, on.day, rng.randint(9, 14), 0, tzinfo=ZoneInfo(settings.TIME_ZONE))
