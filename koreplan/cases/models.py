"""Clients, their cases (forløb), who holds them, hand-overs, tasks and the journal.

The case keeps the facts the rules read (rules.md, "Case facts") as plain columns; the
pure domain turns them into obligations, which are kept here as tasks so that worklists,
reminders and dashboards are ordinary indexed queries. Writes go through
``koreplan.cases.services`` only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from koreplan.domain.facts import CaseType as DomainCaseType
from koreplan.domain.facts import Placement as DomainPlacement
from koreplan.domain.rules.obligations import Who as DomainWho


class Client(models.Model):
    """The person in prison or under supervision (den indsatte / klienten / borgeren)."""

    cpr = models.CharField(_("CPR number"), max_length=10, unique=True)
    birth_date = models.DateField(_("date of birth"))
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    # Handlekommune: the municipality of the last registered address (GL Bilag 2).
    acting_municipality = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="acting_for_clients",
        limit_choices_to={"kind": "municipality"},
        verbose_name=_("acting municipality"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def cpr_display(self) -> str:
        return f"{self.cpr[:6]}-{self.cpr[6:]}"


class CaseType(models.TextChoices):
    IMPRISONMENT = DomainCaseType.IMPRISONMENT.value, _("Imprisonment")
    REMAND_777 = DomainCaseType.REMAND_777.value, _("Remand transferred under rpl. § 777")
    PAROLE_SUPERVISION = DomainCaseType.PAROLE_SUPERVISION.value, _("Parole with supervision")
    CONDITIONAL_SUPERVISION = DomainCaseType.CONDITIONAL_SUPERVISION.value, _("Conditional sentence with supervision")
    MEASURE_68_69 = DomainCaseType.MEASURE_68_69.value, _("Measure under strfl. §§ 68–69")
    YOUTH_HOME_DETENTION = DomainCaseType.YOUTH_HOME_DETENTION.value, _("15–17-year-old in home detention")


class Placement(models.TextChoices):
    CLOSED_PRISON = DomainPlacement.CLOSED_PRISON.value, _("Closed prison")
    OPEN_PRISON = DomainPlacement.OPEN_PRISON.value, _("Open prison")
    ARRESTHUS = DomainPlacement.ARRESTHUS.value, _("Arresthus")
    PENSION = DomainPlacement.PENSION.value, _("Pension")
    KIF = DomainPlacement.KIF.value, _("Probation (KIF)")


class Case(models.Model):
    """One continuous course (forløb) of a client with Kriminalforsorgen."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("case status", "Open")
        CLOSED = "closed", pgettext_lazy("case status", "Closed")

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cases", verbose_name=_("client"))
    case_type = models.CharField(_("case type"), max_length=30, choices=CaseType.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)

    # -- the facts the rules read ----------------------------------------------------
    sentence = models.CharField(_("sentence"), max_length=20, blank=True, help_text=_("ISO 8601, e.g. P4M or P1Y6M"))
    intake_on = models.DateField(_("intake"), null=True, blank=True)
    remanded_until_execution_order = models.BooleanField(_("remanded until the execution order"), null=True, blank=True)
    execution_started_on = models.DateField(_("execution started"), null=True, blank=True)
    expected_parole_on = models.DateField(_("expected parole"), null=True, blank=True)
    release_on = models.DateField(_("release at full term"), null=True, blank=True)
    herstedvester_visitation_completed_on = models.DateField(
        _("Herstedvester visitation completed"), null=True, blank=True
    )
    placement = models.CharField(_("placement"), max_length=20, choices=Placement.choices, blank=True)
    supervision_started_on = models.DateField(_("supervision started"), null=True, blank=True)
    supervision_ends_on = models.DateField(_("supervision ends"), null=True, blank=True)
    admitted_under_judgment = models.BooleanField(_("admitted under the judgment"), null=True, blank=True)
    needs_assistance = models.BooleanField(_("needs assistance"), null=True, blank=True)
    housing_secured = models.BooleanField(_("housing secured after release"), null=True, blank=True)
    income_secured = models.BooleanField(_("income secured after release"), null=True, blank=True)
    section_31_leave_possible = models.BooleanField(_("§ 31 leave possible"), null=True, blank=True)

    # -- who holds it ------------------------------------------------------------------
    holding_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="held_cases",
        verbose_name=_("holding organisation"),
    )
    plan_responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_for_cases",
        verbose_name=_("plan-responsible"),
    )
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substitute_for_cases",
        verbose_name=_("substitute"),
    )
    # cirk. § 4, stk. 1: the substitute covers during the plan-responsible's longer absence.
    substitute_covering = models.BooleanField(_("substitute covers (absence)"), default=False)
    kif = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="kif_cases",
        limit_choices_to={"kind": "kif"},
        verbose_name=_("probation department (KIF)"),
    )
    kif_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="kif_officer_for_cases",
        verbose_name=_("KIF officer"),
    )

    # -- what the rules said last time they ran (for lists and dashboards) -------------
    plan_required = models.BooleanField(_("action plan required"), default=False)
    roadmap_applies = models.BooleanField(_("the roadmap applies"), default=False)
    release_meeting_recommended = models.BooleanField(_("release meeting recommended"), default=False)
    municipal_coordination_applies = models.BooleanField(_("municipal coordination"), default=False)
    expected_release_on = models.DateField(_("expected release"), null=True, blank=True, db_index=True)

    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Optimistic locking: every write of the facts bumps it; a stale form is refused.
    revision = models.PositiveIntegerField(default=1)
    # Who made the current revision, and when: a refused form names them (nothing lost).
    revised_at = models.DateTimeField(_("last changed"), null=True, blank=True)
    revised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("last changed by"),
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(
                name="case_substitute_differs",
                condition=Q(substitute__isnull=True) | ~Q(substitute=F("plan_responsible")),
            ),
            models.CheckConstraint(
                name="case_covering_needs_substitute",
                condition=Q(substitute_covering=False) | Q(substitute__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["holding_organisation", "status"])]

    def __str__(self) -> str:
        return f"{self.client} – {self.get_case_type_display()}"

    @property
    def acting_responsible(self):
        """Who acts for the plan today: the substitute while covering, else the plan-responsible."""
        return self.substitute if self.substitute_covering else self.plan_responsible

    @property
    def began_on(self):
        """The first day of the case: the earliest of intake, execution start and supervision
        start that is known (a remand's intake comes before the sentence's execution), or None."""
        known = [day for day in (self.intake_on, self.execution_started_on, self.supervision_started_on) if day]
        return min(known, default=None)


class CaseParticipation(models.Model):
    """An organisation with a part in a case: the one rule behind who may see it.

    The holder, KIF once involved, the receiver of a pending hand-over, and a
    municipality once something was sent to it. Ended participations are kept as history.
    """

    class Part(models.TextChoices):
        HOLDER = "holder", _("Holds the case")
        HANDOVER_RECEIVER = "handover_receiver", _("Asked to take over")
        # The sender after a hand-over, until its status on the plan is done (cirk. § 8, stk. 1).
        PREVIOUS_HOLDER = "previous_holder", _("Held the case before")
        KIF = "kif", _("Probation (KIF)")
        MUNICIPALITY = "municipality", _("Municipality")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participations")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    part = models.CharField(max_length=20, choices=Part.choices)
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organisation", "part"],
                condition=Q(ended_at__isnull=True),
                name="participation_one_active_per_part",
            )
        ]
        indexes = [models.Index(fields=["organisation", "ended_at"])]


class Stay(models.Model):
    """A stay at an institution (or with KIF): the case's placement history."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stays")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    placement = models.CharField(_("placement"), max_length=20, choices=Placement.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["started_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="stay_period", condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on"))
            )
        ]


class Handover(models.Model):
    """A request to take over responsibility; the sender stays responsible until accepted."""

    class Kind(models.TextChoices):
        PERSON = "person", _("To another person")
        INSTITUTION = "institution", _("To another institution")
        KIF_AT_PAROLE = "kif_at_parole", _("To probation (KIF) at parole")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="handovers")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    from_organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    to_organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    placement = models.CharField(_("new placement"), max_length=20, choices=Placement.choices, blank=True)
    message = models.TextField(_("message"), blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="requested"), name="handover_one_pending_per_case"
            ),
            models.CheckConstraint(
                name="handover_returned_has_reason",
                condition=~Q(status="returned") | ~Q(answer_reason=""),
            ),
        ]
        indexes = [
            # The hand-overs waiting for an organisation's answer, on every worklist: a few
            # among the organisation's thousands answered long ago.
            models.Index(fields=["to_organisation", "status"], name="handover_to_org_status_idx"),
        ]


class Task(models.Model):
    """An obligation of the case (from the rules core) or of an event (a transfer)."""

    class Who(models.TextChoices):
        INSTITUTION = DomainWho.INSTITUTION.value, _("Institution")
        KIF = DomainWho.KIF.value, _("Probation (KIF)")
        MUNICIPALITY = DomainWho.MUNICIPALITY.value, _("Municipality")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    obligation_id = models.CharField(_("obligation"), max_length=60)
    occurrence = models.PositiveSmallIntegerField(default=1)
    from_timeline = models.BooleanField(default=True, help_text="False for event tasks (transfer, review).")
    who = models.CharField(_("who"), max_length=20, choices=Who.choices)
    responsible_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="tasks"
    )
    due_on = models.DateField(_("due"), db_index=True)
    asap = models.BooleanField(default=False)
    assumed = models.BooleanField(default=False)
    non_working_day = models.BooleanField(default=False)
    step = models.CharField(_("step"), max_length=4, blank=True)
    legal_basis = models.JSONField(default=list)
    title_da = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    completed_on = models.DateField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evidence = models.TextField(_("comment or link"), blank=True)
    # Event tasks name their person (the sender's status, the receiver's review);
    # timeline tasks follow the case's plan-responsible and are left unassigned.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="assigned_tasks"
    )

    class Meta:
        ordering = ["due_on", "obligation_id", "occurrence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "obligation_id", "occurrence"], name="task_unique_occurrence"),
        ]
        indexes = [
            models.Index(fields=["responsible_organisation", "completed_on", "due_on"]),
            models.Index(fields=["obligation_id", "due_on"]),
            # A case's open tasks by deadline: the worklist's tasks of the user's cases, and
            # the oldest overdue deadline of each case without a plan-responsible.
            models.Index(fields=["case", "completed_on", "due_on"], name="task_case_open_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title_da

    @property
    def is_done(self) -> bool:
        return self.completed_on is not None


class JournalEntry(models.Model):
    """The personjournal: contacts and attempts (VEJ pkt. 11). Results go into the plan."""

    class Kind(models.TextChoices):
        CONTACT = "contact", _("Contact")
        ATTEMPT = "attempt", _("Attempted contact")
        NOTE = "note", _("Note")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="journal")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CONTACT)
    occurred_on = models.DateField(_("date"))
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
