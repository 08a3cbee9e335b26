"""Notices and requests from Kriminalforsorgen to a municipality's entrance, and how they
were answered (GL Bilag 1 steps 1, 4, 6 and 11; VEJ Afsnit VI).

A :class:`MunicipalRequest` is what left for the municipality: its cover letter and the
plan excerpt exactly as the recipient sees it (``snapshot``, frozen when it left), the
:class:`~koreplan.consent.models.Disclosure` that allowed it, and its course — sent →
received (opened by the entrance) → accepted (routed to a department and a named
caseworker: the municipality **has hold**), or returned with a reason. Unanswered
requests are reminded and escalated after the days a local :class:`CollaborationAgreement`
sets (GL: "samarbejdsaftaler"), or the defaults.

Municipal staff never see the case: only what a request disclosed, in their inbox.
Writes go through ``koreplan.coordination.services`` only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _, pgettext_lazy

#: When no collaboration agreement says otherwise: remind after a week, escalate after two.
DEFAULT_REMIND_AFTER_DAYS = 7
DEFAULT_ESCALATE_AFTER_DAYS = 14


class CollaborationAgreement(models.Model):
    """A local agreement between an institution (or KIF department) and a municipality on
    how long a request may go unanswered before it is reminded and escalated."""

    institution = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+",
        limit_choices_to={"kind__in": ["institution", "kif"]}, verbose_name=_("institution or KIF department"),
    )
    municipality = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+",
        limit_choices_to={"kind": "municipality"}, verbose_name=_("municipality"),
    )
    remind_after_days = models.PositiveSmallIntegerField(_("remind after (days)"), default=DEFAULT_REMIND_AFTER_DAYS)
    escalate_after_days = models.PositiveSmallIntegerField(_("escalate after (days)"), default=DEFAULT_ESCALATE_AFTER_DAYS)
    note = models.TextField(_("note"), blank=True, help_text=_("What else the agreement says, or where it can be read."))

    class Meta:
        verbose_name = _("collaboration agreement")
        verbose_name_plural = _("collaboration agreements")
        ordering = ["institution", "municipality"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "municipality"], name="agreement_one_per_pair"),
            models.CheckConstraint(name="agreement_remind_at_least_a_day", condition=Q(remind_after_days__gte=1)),
            models.CheckConstraint(
                name="agreement_escalate_after_reminder", condition=Q(escalate_after_days__gt=F("remind_after_days"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} – {self.municipality}"


class Kind(models.TextChoices):
    INTAKE_NOTICE = "intake_notice", _("Notice of intake")
    CASE_FILES = "case_files", _("Request for case files")
    COORDINATION = "coordination", _("Request for coordination")


class KfOption(models.TextChoices):
    """What Kriminalforsorgen can offer in the case (GL "Samarbejde og koordinering")."""

    SECONDMENT = "secondment", _("Secondment (udstationering)")
    SECTION_78 = "section_78", _("Serving the sentence outside prison under straffuldbyrdelsesloven § 78")
    DAY_RELEASE = "day_release", _("Day release (frigang) for work or education")
    TREATMENT_UNIT = "treatment_unit", _("A treatment unit in the prison")
    LEAVE = "leave", _("Leave to meet the municipality before release")


class MunicipalRequest(models.Model):
    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting a second person's approval")
        SENT = "sent", pgettext_lazy("request status", "Sent")
        RECEIVED = "received", pgettext_lazy("request status", "Received")
        ACCEPTED = "accepted", pgettext_lazy("request status", "Accepted")
        RETURNED = "returned", pgettext_lazy("request status", "Returned")
        CANCELLED = "cancelled", pgettext_lazy("request status", "Cancelled")

    #: Not yet answered by the municipality.
    OPEN = (Status.SENT, Status.RECEIVED)

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="municipal_requests")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    step = models.CharField(_("step"), max_length=4)
    municipality = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="incoming_requests",
        verbose_name=_("municipality"),
    )
    #: The departments the sender asks to be involved (MunicipalDepartment.Kind values).
    departments = models.JSONField(_("departments"), default=list, blank=True)
    sending_organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("written"))
    disclosure = models.OneToOneField(
        "consent.Disclosure", on_delete=models.PROTECT, related_name="municipal_request"
    )
    #: What the sender wrote (the form's data).
    letter = models.JSONField(default=dict)
    #: Exactly what the recipient sees, frozen when it was written; rendered by
    #: coordination/_request_document.html, for the sender's preview and the inbox alike.
    snapshot = models.JSONField(default=dict)
    digest = models.CharField(max_length=64)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    routed_department = models.ForeignKey(
        "organisations.MunicipalDepartment", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("department"),
    )
    routed_caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="routed_requests",
        verbose_name=_("caseworker"),
    )
    routing_note = models.TextField(_("note"), blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    return_reason = models.TextField(_("reason"), blank=True)
    suggested_municipality = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("try instead"),
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    #: The task of the case that sending it completed.
    task = models.ForeignKey("cases.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("request to a municipality")
        verbose_name_plural = _("requests to municipalities")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="request_accepted_has_hold",
                condition=~Q(status="accepted")
                | Q(routed_department__isnull=False, routed_caseworker__isnull=False, accepted_by__isnull=False,
                    accepted_at__isnull=False),
            ),
            models.CheckConstraint(
                name="request_returned_has_reason", condition=~Q(status="returned") | ~Q(return_reason="")
            ),
            models.CheckConstraint(
                name="request_sent_has_time",
                condition=Q(status__in=["awaiting_approval", "cancelled"]) | Q(sent_at__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "status"]),
            models.Index(fields=["status", "sent_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.municipality}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def has_hold(self) -> bool:
        return self.status == self.Status.ACCEPTED

    def approval_url(self) -> str:
        return reverse("coordination:request_approve", args=[self.case_id, self.pk])

    def sender_url(self) -> str:
        return reverse("coordination:request_detail", args=[self.case_id, self.pk])

    def inbox_url(self) -> str:
        return reverse("coordination:inbox_detail", args=[self.pk])


class RequestReminder(models.Model):
    """A reminder or escalation of an unanswered request: recorded so that it goes once."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminder")
        ESCALATION = "escalation", _("Escalation")

    request = models.ForeignKey(MunicipalRequest, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_on = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [models.UniqueConstraint(fields=["request", "kind"], name="reminder_once_per_kind")]
