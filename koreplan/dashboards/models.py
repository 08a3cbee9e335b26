"""The evaluation after a release (GL Bilag 1): each organisation that took part answers
the method's checklist — was each step followed, were its prerequisites met.

The dashboards' figures are aggregate queries over the cases, tasks and hand-overs (see
``selectors``); once computed for a scope and day they are kept (``StoredFigures``) so that
the next manager reads them instead of computing them again. The evaluation is new data.

One evaluation per case and organisation, kept up to date by its staff; one answer per
checklist item, keyed by the item's stable id from :mod:`koreplan.domain.method`. An item
left unanswered has no row. Writes go through ``koreplan.dashboards.services`` only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from koreplan.domain import method


class EvaluationAnswer(models.TextChoices):
    YES = method.Answer.YES.value, pgettext_lazy("evaluation answer", "Yes")
    PARTLY = method.Answer.PARTLY.value, pgettext_lazy("evaluation answer", "Partly")
    NO = method.Answer.NO.value, pgettext_lazy("evaluation answer", "No")
    NOT_RELEVANT = method.Answer.NOT_RELEVANT.value, pgettext_lazy("evaluation answer", "Not relevant")


class ReleaseEvaluation(models.Model):
    """One organisation's evaluation of the collaboration on one case after the release."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    comment = models.TextField(_("comment on the collaboration"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("last changed"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("evaluation after release")
        verbose_name_plural = _("evaluations after release")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "organisation"], name="evaluation_one_per_case_and_organisation"),
        ]
        # The dashboards select by the period the evaluation was made in.
        indexes = [models.Index(fields=["updated_at"], name="evaluation_updated")]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.case_id}"


class ChecklistAnswer(models.Model):
    """The answer to one checklist item: a step of the method or one of its prerequisites."""

    evaluation = models.ForeignKey(ReleaseEvaluation, on_delete=models.CASCADE, related_name="answers")
    #: ``"5"`` for step 5 itself, ``"5.2"`` for its second prerequisite, ``"G.1"`` (domain.method).
    item = models.CharField(_("checklist item"), max_length=8)
    answer = models.CharField(_("answer"), max_length=20, choices=EvaluationAnswer.choices)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        ordering = ["evaluation", "id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "item"], name="checklist_answer_one_per_item"),
            models.CheckConstraint(
                name="checklist_answer_known",
                condition=Q(answer__in=[choice.value for choice in EvaluationAnswer]),
            ),
            models.CheckConstraint(name="checklist_item_known", condition=Q(item__in=list(method.CHECKLIST_ITEM_IDS))),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.answer}"


class StoredFigures(models.Model):
    """The dashboard's complete set of figures for one scope, period, filter and day, as
    computed (``koreplan.dashboards.precomputed``), read back by every later request for
    the same key that day — by any web worker, hence a table and not a per-process cache.

    Everything the figures depend on is in the key; the user is not: the figures of a
    scope are the same for everyone who may open it (``scopes.scope_resolve`` decides
    that before the figures are read). ``as_of`` is the day the figures were computed
    for: past its date, open and pending depend on it, so another day never matches.
    """

    unit = models.CharField(max_length=40)
    start = models.DateField()
    end = models.DateField()
    case_type = models.CharField(max_length=30, blank=True)
    obligation = models.CharField(max_length=60, blank=True)
    as_of = models.DateField()
    #: The database the figures were read from (``DASHBOARD_DB_ALIAS``).
    source = models.CharField(max_length=40)
    #: The payload's format (``precomputed.FORMAT``): a deployment that changes the figures'
    #: shape reads none of the older rows.
    version = models.PositiveSmallIntegerField()
    #: The figures as tagged JSON (``precomputed.encode``): never pickled.
    payload = models.JSONField()
    computed_at = models.DateTimeField()
    #: How long computing them took, for the operators.
    seconds = models.FloatField()

    class Meta:
        verbose_name = _("stored dashboard figures")
        verbose_name_plural = _("stored dashboard figures")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "start", "end", "case_type", "obligation", "as_of", "source", "version"],
                name="stored_figures_one_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.start}–{self.end} ({self.as_of})"
