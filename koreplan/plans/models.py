"""The action plan (handleplan) of a case, its versions, and what is recorded on them.

One plan per case: a case is the client's continuous course, and the plan follows the
client from institution to institution and on to KIF — carried on, never restarted
(VEJ pkt. 9, 44). A version's content is one JSON value whose shape and rules live in the
pure domain (``koreplan.domain.plan``); when a version locks is decided there too
(``koreplan.domain.plan_versions``), from the dates kept here — nothing stores "locked".

Writes go through ``koreplan.plans.services`` only.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from koreplan.domain import plan as domain

# -- the domain's vocabularies, with the words a user reads ---------------------------------


class LifeArea(models.TextChoices):
    HEALTH_PHYSICAL = domain.LifeArea.HEALTH_PHYSICAL.value, _("Physical health")
    HEALTH_MENTAL = domain.LifeArea.HEALTH_MENTAL.value, _("Mental health")
    HOUSING = domain.LifeArea.HOUSING.value, _("Housing")
    EDUCATION_EMPLOYMENT = domain.LifeArea.EDUCATION_EMPLOYMENT.value, _("Education and employment")
    FINANCES = domain.LifeArea.FINANCES.value, _("Finances")
    NETWORK = domain.LifeArea.NETWORK.value, _("Network (family, children)")
    SUBSTANCE_USE = domain.LifeArea.SUBSTANCE_USE.value, _("Substance use and treatment")
    OTHER = domain.LifeArea.OTHER.value, pgettext_lazy("life area", "Other")


class Participation(models.TextChoices):
    TOOK_PART = domain.Participation.TOOK_PART.value, _("The client took part")
    DECLINED = domain.Participation.DECLINED.value, _("The client did not want to take part")


class ClientStance(models.TextChoices):
    AGREES = domain.ClientStance.AGREES.value, _("Agrees")
    DISAGREES = domain.ClientStance.DISAGREES.value, _("Disagrees")
    COULD_NOT_ANSWER = domain.ClientStance.COULD_NOT_ANSWER.value, _("Could not answer")


class Performer(models.TextChoices):
    CLIENT = domain.Performer.CLIENT.value, _("The client")
    STAFF = domain.Performer.STAFF.value, _("Staff member")
    PARTNER = domain.Performer.PARTNER.value, _("Partner")
    MENTOR = domain.Performer.MENTOR.value, _("Mentor")


class ActionStatus(models.TextChoices):
    PLANNED = domain.ActionStatus.PLANNED.value, pgettext_lazy("action status", "Planned")
    IN_PROGRESS = domain.ActionStatus.IN_PROGRESS.value, pgettext_lazy("action status", "In progress")
    DONE = domain.ActionStatus.DONE.value, pgettext_lazy("action status", "Done")
    NOT_DONE = domain.ActionStatus.NOT_DONE.value, pgettext_lazy("action status", "Not done")


# -- the plan and its versions ----------------------------------------------------------------


class ActionPlan(models.Model):
    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="action_plan", verbose_name=_("case")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self) -> str:
        return str(_("Action plan for %(client)s") % {"client": self.case.client})


class PlanVersion(models.Model):
    """One version of the plan; the newest is the one being written until it locks."""

    class Approval(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("approval", "Not submitted")
        REQUESTED = "requested", pgettext_lazy("approval", "Awaiting approval")
        APPROVED = "approved", pgettext_lazy("approval", "Approved")
        SENT_BACK = "sent_back", pgettext_lazy("approval", "Sent back")

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    content = models.JSONField(_("content"), default=dict, encoder=DjangoJSONEncoder)
    # The first version's lock runs from its creation, later ones' from when they began;
    # both are the day the version was made.
    began_on = models.DateField(_("began"))
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    last_adjusted_at = models.DateTimeField(_("last adjusted"), null=True, blank=True)
    last_adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # "Finished": the plan-responsible declares the version a plan (the first one
    # completes the `first_plan` task). It stays writable until it locks.
    finished_on = models.DateField(_("finished"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Approval at a department meeting or the like (VEJ pkt. 20).
    approval_status = models.CharField(
        _("approval"), max_length=20, choices=Approval.choices, default=Approval.DRAFT
    )
    approval_requested_at = models.DateTimeField(null=True, blank=True)
    approval_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approval_decided_at = models.DateTimeField(null=True, blank=True)
    approval_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approval_comment = models.TextField(_("comment"), blank=True)

    # Optimistic locking: every write bumps it; a form or request made from an older
    # revision is refused instead of overwriting what someone else saved.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique_number"),
            models.CheckConstraint(name="plan_version_number_positive", condition=Q(number__gte=1)),
            models.CheckConstraint(
                name="plan_version_sent_back_has_comment",
                condition=~Q(approval_status="sent_back") | ~Q(approval_comment=""),
            ),
            models.CheckConstraint(
                name="plan_version_requested_has_requester",
                condition=Q(approval_status="draft") | Q(approval_requested_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Version %(number)s") % {"number": self.number})

    def content_value(self) -> domain.PlanContent:
        return domain.PlanContent.from_dict(self.content or {})


class AreaChange(models.Model):
    """Why an area of effort was added, changed or removed (VEJ pkt. 37).

    "Ændringer i handleplanen skal dog altid begrundes og må ikke finde sted uden en
    forudgående drøftelse med den dømte."
    """

    class Kind(models.TextChoices):
        ADDED = "added", pgettext_lazy("area change", "Added")
        CHANGED = "changed", pgettext_lazy("area change", "Changed")
        REMOVED = "removed", pgettext_lazy("area change", "Removed")

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="area_changes")
    area_key = models.CharField(max_length=20)
    area_title = models.CharField(_("area of effort"), max_length=300)
    kind = models.CharField(_("change"), max_length=10, choices=Kind.choices)
    justification = models.TextField(_("justification"))
    # False only where the plan records that the client does not take part (VEJ pkt. 8).
    discussed_with_client = models.BooleanField(_("discussed with the client"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("change to an area of effort")
        verbose_name_plural = _("changes to areas of effort")
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.CheckConstraint(name="area_change_justified", condition=~Q(justification="")),
        ]


class Evaluation(models.Model):
    """An evaluation (opfølgning) of the plan: what VEJ pkt. 50 lists."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="evaluations")
    held_on = models.DateField(_("held on"))
    participants = models.TextField(_("participants"), blank=True)
    description_update = models.TextField(_("updated description and assessment"))
    carried_out = models.TextField(_("agreements carried out as planned"), blank=True)
    not_carried_out = models.TextField(_("agreements not carried out as planned"), blank=True)
    reasons = models.TextField(_("why they were not carried out"), blank=True)
    prevention = models.TextField(_("what can prevent the same situation again"), blank=True)
    #: [{"who": …, "what": …, "when": …}, …]: the agreements for the coming period.
    next_agreements = models.JSONField(_("agreements for the coming period"), default=list)
    task = models.ForeignKey("cases.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(name="evaluation_has_description", condition=~Q(description_update="")),
        ]


class PlanStatus(models.Model):
    """The plan is reviewed and up to date: at transfer, release, end of supervision.

    VEJ pkt. 53 and 57: "Ved status forstås, at handleplanen er ajourført og indeholder
    alle relevante oplysninger."
    """

    class Kind(models.TextChoices):
        AT_TRANSFER = "at_transfer", _("At transfer to another plan-responsible")
        AT_RELEASE = "at_release", _("At release")
        AT_SUPERVISION_END = "at_supervision_end", _("At the end of supervision")

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="statuses")
    kind = models.CharField(_("occasion"), max_length=20, choices=Kind.choices)
    stated_on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    task = models.ForeignKey("cases.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("status on the plan")
        verbose_name_plural = _("statuses on the plan")
        ordering = ["-stated_on", "-id"]


#: The task each kind of status completes.
STATUS_OBLIGATIONS = {
    PlanStatus.Kind.AT_TRANSFER: "status_at_transfer",
    PlanStatus.Kind.AT_RELEASE: "status_at_release",
    PlanStatus.Kind.AT_SUPERVISION_END: "status_at_supervision_end",
}
