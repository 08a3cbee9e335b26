"""The release (GL Bilag 1 steps 8, 9, 9A and 10): meetings, readiness, outcome, KIF.

- :class:`Meeting` — the release meeting (step 8), an appointment at the municipality on
  release day (step 9A) and the follow-up meeting within four weeks of release (step 8):
  one table, because each is a dated event with participants that goes out as a calendar
  invitation, and each completes its task when it is recorded or held.
- :class:`ReadinessItem` — "ingen løslades til gaden": what must be in place on release
  day, each with a status and a responsible organisation. The signal is computed by the
  pure domain (``koreplan.domain.release``) from these and the days to release.
- :class:`ReleaseOutcome` — what actually happened, at release and four weeks after;
  ``released_to_street`` is derived and stored for the dashboards.
- :class:`KifInvolvement` — KIF involved eight weeks before parole (step 9).

Writes go through ``koreplan.release.services`` only.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from koreplan.domain import release as domain
from koreplan.plans.models import LifeArea


class MeetingForm(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    VIDEO = "video", _("By video")


class Party(models.TextChoices):
    """Who takes part in the release (GL Bilag 1 step 8; GL p. 47)."""

    CLIENT = "client", _("The client")
    INSTITUTION = "institution", _("The prison")
    KIF = "kif", _("Probation (KIF)")
    MUNICIPALITY = "municipality", _("The municipality")
    ADDICTION_CENTRE = "addiction_centre", _("The addiction treatment centre")
    OTHER = "other", pgettext_lazy("party", "Other")


class Meeting(models.Model):
    class Kind(models.TextChoices):
        RELEASE_MEETING = "release_meeting", _("Release meeting")
        RELEASE_DAY = "release_day", _("Appointment at the municipality on release day")
        FOLLOW_UP = "follow_up", _("Follow-up meeting after release")

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("meeting status", "Planned")
        HELD = "held", pgettext_lazy("meeting status", "Held")
        CANCELLED = "cancelled", pgettext_lazy("meeting status", "Cancelled")

    class Purpose(models.TextChoices):
        """Why the client goes to the municipality on release day (GL Bilag 1 step 8, 9A)."""

        ADVANCE_PAYMENT = "advance_payment", _("Advance payment (a conto) until the first benefit payment")
        ADDICTION_CENTRE = "addiction_centre", _("Contact with the addiction treatment centre")
        JOBCENTRE = "jobcentre", _("Job centre")
        HOUSING = "housing", _("Housing")
        SOCIAL_SERVICES = "social_services", _("Social services")
        OTHER = "other", pgettext_lazy("purpose", "Other")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="release_meetings")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    # The calendar invitation's UID: the same for every change, so a calendar updates the
    # event instead of adding a second one (RFC 5545 § 3.8.4.7); SEQUENCE is revision − 1.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    form = models.CharField(_("form"), max_length=20, choices=MeetingForm.choices, default=MeetingForm.IN_PERSON)
    location = models.CharField(
        _("place"), max_length=300, blank=True, help_text=_("Address and room, the phone number to call, or the video link.")
    )

    # -- an appointment at the municipality on release day (step 9A) ----------------------
    municipality = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        limit_choices_to={"kind": "municipality"}, verbose_name=_("municipality"),
    )
    department = models.ForeignKey(
        "organisations.MunicipalDepartment", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("department"),
    )
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices, blank=True)
    purpose_note = models.CharField(_("about the purpose"), max_length=300, blank=True)

    # -- what the release meeting agreed (step 8) ------------------------------------------
    plan_holder_after = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("holds the plan after release"),
    )
    plan_holder_after_name = models.CharField(_("named person holding the plan"), max_length=200, blank=True)
    municipal_follow_up = models.TextField(_("how the municipality follows up"), blank=True)
    follow_up_called_by = models.CharField(
        _("calls the follow-up meeting"), max_length=20, choices=Party.choices, blank=True
    )
    follow_up_called_by_name = models.CharField(_("named person calling the follow-up"), max_length=200, blank=True)
    minutes = models.TextField(_("notes from the meeting"), blank=True)

    held_on = models.DateField(_("held on"), null=True, blank=True)
    cancelled_reason = models.TextField(_("why it was cancelled"), blank=True)
    #: The task the meeting completed, if there was one open.
    task = models.ForeignKey("cases.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Optimistic locking: every change bumps it; a change made from an older one is refused.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(name="release_meeting_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))),
            models.CheckConstraint(
                name="release_meeting_held_iff_held_on",
                condition=(Q(status="held") & Q(held_on__isnull=False)) | (~Q(status="held") & Q(held_on__isnull=True)),
            ),
            models.CheckConstraint(
                name="release_meeting_cancelled_has_reason",
                condition=~Q(status="cancelled") | ~Q(cancelled_reason=""),
            ),
            models.CheckConstraint(
                name="release_day_appointment_has_purpose",
                condition=~Q(kind="release_day") | ~Q(purpose=""),
            ),
            # One release meeting and one follow-up meeting per case; a cancelled one may
            # be replaced. Appointments on release day are as many as needed.
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(kind__in=["release_meeting", "follow_up"]) & ~Q(status="cancelled"),
                name="release_one_meeting_of_a_kind_per_case",
            ),
        ]
        indexes = [models.Index(fields=["kind", "status", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def sequence(self) -> int:
        return self.revision - 1


class Participant(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    position = models.PositiveSmallIntegerField(default=0)
    party = models.CharField(_("party"), max_length=20, choices=Party.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("organisation"),
    )
    department = models.ForeignKey(
        "organisations.MunicipalDepartment", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("department"),
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("title or role"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    attended = models.BooleanField(_("took part"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["meeting", "position", "id"]
        constraints = [models.CheckConstraint(name="release_participant_named", condition=~Q(name=""))]

    def __str__(self) -> str:
        return self.name


class AgendaItem(models.Model):
    """A point of the release meeting's agenda: an area of effort of the plan, or an area
    GL step 8 says the meeting agrees on."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(default=0)
    life_area = models.CharField(_("life area"), max_length=30, choices=LifeArea.choices)
    title = models.CharField(_("title"), max_length=300, blank=True)
    goal = models.TextField(_("goal"), blank=True)
    plan_area_key = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "id"]

    def __str__(self) -> str:
        return self.title or self.get_life_area_display()


class Agreement(models.Model):
    """An agreement at the release meeting: who does what, when."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="agreements")
    who = models.CharField(_("who"), max_length=200)
    what = models.TextField(_("what"))
    when = models.CharField(_("when"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["item", "id"]
        constraints = [
            models.CheckConstraint(name="release_agreement_who_and_what", condition=~Q(who="") & ~Q(what="")),
        ]


# -- "ingen løslades til gaden" ------------------------------------------------------------


class ReadinessItem(models.Model):
    class Item(models.TextChoices):
        HOUSING = domain.ReadinessItem.HOUSING.value, _("Housing")
        INCOME = domain.ReadinessItem.INCOME.value, _("Income from day one")
        EMPLOYMENT_EDUCATION = domain.ReadinessItem.EMPLOYMENT_EDUCATION.value, _("Employment or education")
        TREATMENT = domain.ReadinessItem.TREATMENT.value, _("Treatment")
        HEALTH = domain.ReadinessItem.HEALTH.value, _("Health (doctor, medicine)")
        ID_BANK_DIGITAL = domain.ReadinessItem.ID_BANK_DIGITAL.value, _("ID, bank and digital access")
        NETWORK = domain.ReadinessItem.NETWORK.value, _("Network")

    class Status(models.TextChoices):
        NOT_STARTED = domain.ReadinessStatus.NOT_STARTED.value, pgettext_lazy("readiness", "Not started")
        IN_PROGRESS = domain.ReadinessStatus.IN_PROGRESS.value, pgettext_lazy("readiness", "In progress")
        IN_PLACE = domain.ReadinessStatus.IN_PLACE.value, pgettext_lazy("readiness", "In place")
        NOT_NEEDED = domain.ReadinessStatus.NOT_NEEDED.value, pgettext_lazy("readiness", "Not needed")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="readiness_items")
    item = models.CharField(_("item"), max_length=30, choices=Item.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    responsible_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("responsible organisation"),
    )
    department = models.ForeignKey(
        "organisations.MunicipalDepartment", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("department"),
    )
    #: {"availability_assessment": true, …}: the item's checklist (domain.ITEM_CHECKS).
    checks = models.JSONField(_("checklist"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("readiness item")
        verbose_name_plural = _("readiness items")
        constraints = [
            models.UniqueConstraint(fields=["case", "item"], name="release_readiness_one_per_item"),
            models.CheckConstraint(
                name="release_readiness_essentials_needed",
                condition=~(Q(item__in=sorted(i.value for i in domain.ESSENTIAL)) & Q(status="not_needed")),
            ),
        ]


class ReleaseOutcome(models.Model):
    """What happened: at release, and at the follow-up four weeks after (GL Bilag 2)."""

    class Moment(models.TextChoices):
        AT_RELEASE = "at_release", _("At release")
        AFTER_FOUR_WEEKS = "after_four_weeks", _("Four weeks after release")

    class Housing(models.TextChoices):
        OWN = domain.Housing.OWN.value, _("Own home")
        TEMPORARY = domain.Housing.TEMPORARY.value, _("Temporary (family, friends, a temporary let)")
        SHELTER = domain.Housing.SHELTER.value, _("Shelter (herberg, forsorgshjem)")
        NONE = domain.Housing.NONE.value, _("No housing")

    class Treatment(models.TextChoices):
        STARTED = "started", _("Started")
        NOT_STARTED = "not_started", pgettext_lazy("treatment", "Not started")
        NOT_NEEDED = "not_needed", pgettext_lazy("treatment", "Not needed")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="release_outcomes")
    moment = models.CharField(_("when"), max_length=20, choices=Moment.choices)
    recorded_on = models.DateField(_("date"))
    housing = models.CharField(_("housing"), max_length=20, choices=Housing.choices)
    income_from_day_one = models.BooleanField(_("income from day one"))
    employment_or_education = models.BooleanField(_("employment or education"))
    treatment = models.CharField(_("treatment"), max_length=20, choices=Treatment.choices)
    #: No housing or no income (domain.released_to_street), stored for the dashboards.
    released_to_street = models.BooleanField(_("released to the street"), editable=False)
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(auto_now=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("outcome of the release")
        verbose_name_plural = _("outcomes of releases")
        ordering = ["case", "moment"]
        constraints = [
            models.UniqueConstraint(fields=["case", "moment"], name="release_outcome_one_per_moment"),
            # The derived value can never disagree with what it is derived from.
            models.CheckConstraint(
                name="release_outcome_street_derived",
                condition=(
                    (Q(housing="none") | Q(income_from_day_one=False)) & Q(released_to_street=True)
                ) | (
                    ~Q(housing="none") & Q(income_from_day_one=True) & Q(released_to_street=False)
                ),
            ),
        ]
        indexes = [models.Index(fields=["moment", "recorded_on", "released_to_street"])]


class KifInvolvement(models.Model):
    """KIF involved in planning the parole (GL Bilag 1 step 9; cirk. § 9; VEJ pkt. 45)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="kif_involvements")
    kif = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"kind": "kif"}, verbose_name=_("KIF department"),
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("KIF officer"),
    )
    involved_on = models.DateField(_("involved on"))
    note = models.TextField(_("what was agreed"), blank=True)
    task = models.ForeignKey("cases.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("KIF involvement")
        verbose_name_plural = _("KIF involvements")
        ordering = ["-involved_on", "-id"]
