"""The client's written consents and refusals, and every disclosure made (VEJ pkt. 13, 65).

A consent belongs to the client, not to one case: it names which kinds of information may
go to which recipient for which purposes, and it follows the client from institution to
KIF. A refusal is a row of the same table, with its reasons "med så præcis en angivelse
som muligt af årsagerne hertil" (VEJ pkt. 65). Whether a disclosure may happen is decided
by the pure domain (``koreplan.domain.consent.decide_disclosure``) from these rows.

Writes go through ``koreplan.consent.services`` only.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import F, Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from koreplan.domain import consent as domain
from koreplan.domain.rules.legal_bases import LEGAL_BASES
from koreplan.organisations.models import MunicipalDepartment

# -- the domain's vocabularies, with the words a user reads ---------------------------------


class Category(models.TextChoices):
    HEALTH_PHYSICAL = domain.Category.HEALTH_PHYSICAL.value, _("Physical health")
    HEALTH_MENTAL = domain.Category.HEALTH_MENTAL.value, _("Mental health")
    HOUSING = domain.Category.HOUSING.value, _("Housing")
    EDUCATION_EMPLOYMENT = domain.Category.EDUCATION_EMPLOYMENT.value, _("Education and employment")
    FINANCES = domain.Category.FINANCES.value, _("Finances")
    NETWORK = domain.Category.NETWORK.value, _("Network (family, children)")
    SUBSTANCE_USE = domain.Category.SUBSTANCE_USE.value, _("Substance use and treatment")
    OTHER = domain.Category.OTHER.value, pgettext_lazy("life area", "Other")
    SENTENCE = domain.Category.SENTENCE.value, _("Sentence matters (sentence, dates, placement)")
    OFFENCE = domain.Category.OFFENCE.value, _("The offence and its causes")


class Purpose(models.TextChoices):
    INTAKE_NOTICE = domain.Purpose.INTAKE_NOTICE.value, _("Notice of the intake to the municipality (step 1)")
    CASE_FILES = domain.Purpose.CASE_FILES.value, _("Obtaining case files from other authorities (steps 3–4)")
    COORDINATION = domain.Purpose.COORDINATION.value, _("Coordinating the action plan (steps 6 and 11)")
    RELEASE_PLANNING = domain.Purpose.RELEASE_PLANNING.value, _("Planning the release (steps 8–9A)")


LEGAL_BASIS_CHOICES = [(basis.code, f"{basis.citation}: {basis.title_da}") for basis in LEGAL_BASES]


def category_labels(values) -> list[str]:
    labels = dict(Category.choices)
    order = list(labels)
    return [str(labels[v]) for v in sorted(values, key=lambda v: order.index(v) if v in order else 99)]


def purpose_labels(values) -> list[str]:
    labels = dict(Purpose.choices)
    return [str(labels[v]) for v in values if v in labels]


# -- where signed copies are kept ---------------------------------------------------------------


class SignedCopyStorage(FileSystemStorage):
    """Signed consent forms on disk under MEDIA_ROOT (default ``var/media``), with no URL.

    They are served only by the view that checks access (``consent:signed_copy``): the
    storage has no public address, and ``url()`` refuses, so a template cannot link past
    the check by mistake.
    """

    @cached_property
    def base_location(self):
        return settings.MEDIA_ROOT or str(Path(settings.BASE_DIR) / "var" / "media")

    def url(self, name):
        raise NotImplementedError("Signed copies are served only through the access-checked view.")


_signed_copy_storage = SignedCopyStorage()


def signed_copy_storage() -> SignedCopyStorage:
    return _signed_copy_storage


def signed_copy_path(instance: Consent, filename: str) -> str:
    # Never the uploaded name, which may hold the client's name or anything else: a random
    # one with the extension the content was checked to have.
    extension = Path(filename).suffix.lower()
    return f"consent/{instance.client_id}/{uuid.uuid4().hex}{extension}"


# -- consents ---------------------------------------------------------------------------------


class Consent(models.Model):
    """A written consent to disclose — or the client's refusal, with its reasons."""

    class Decision(models.TextChoices):
        GIVEN = "given", _("Consent given")
        REFUSED = "refused", _("Consent refused")

    class RefusalKind(models.TextChoices):
        # VEJ pkt. 65 names both: opposing the disclosure, and not wanting to take a position.
        OPPOSES = "opposes", _("The client opposes the disclosure")
        WILL_NOT_ANSWER = "will_not_answer", _("The client does not want to take a position")
        OTHER = "other", _("Other reason")

    client = models.ForeignKey("cases.Client", on_delete=models.PROTECT, related_name="consents", verbose_name=_("client"))
    # The case it was asked in; the consent is the client's and holds for every case.
    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    categories = models.JSONField(_("kinds of information"), default=list)
    recipient_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("recipient")
    )
    # Blank: the whole organisation; else one department of a municipality.
    recipient_department = models.CharField(
        _("department"), max_length=20, choices=MunicipalDepartment.Kind.choices, blank=True
    )
    purposes = models.JSONField(_("purposes"), default=list)
    given_on = models.DateField(_("date"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    refusal_kind = models.CharField(_("kind of refusal"), max_length=20, choices=RefusalKind.choices, blank=True)
    refusal_reasons = models.TextField(_("the client's reasons"), blank=True)
    note = models.TextField(_("note"), blank=True)

    signed_copy = models.FileField(
        _("signed copy"), storage=signed_copy_storage, upload_to=signed_copy_path, blank=True, max_length=200
    )
    signed_copy_name = models.CharField(_("file name"), max_length=200, blank=True)
    signed_copy_type = models.CharField(max_length=40, blank=True)
    signed_copy_size = models.PositiveIntegerField(null=True, blank=True)
    signed_copy_sha256 = models.CharField(max_length=64, blank=True)
    signed_copy_uploaded_at = models.DateTimeField(null=True, blank=True)
    signed_copy_uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("withdrawal recorded by"),
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_note = models.TextField(_("note on the withdrawal"), blank=True)

    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="consent_refusal_has_reasons",
                condition=Q(decision="given") | (~Q(refusal_reasons="") & ~Q(refusal_kind="")),
            ),
            models.CheckConstraint(
                name="consent_given_has_no_refusal",
                condition=Q(decision="refused") | (Q(refusal_reasons="") & Q(refusal_kind="")),
            ),
            models.CheckConstraint(
                name="consent_validity_period",
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("given_on")),
            ),
            models.CheckConstraint(
                name="consent_withdrawal_after_given",
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("given_on")),
            ),
            models.CheckConstraint(
                name="consent_withdrawal_recorded_by",
                condition=Q(withdrawn_on__isnull=True, withdrawn_by__isnull=True)
                | Q(withdrawn_on__isnull=False, withdrawn_by__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["client", "recipient_organisation"])]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.recipient_label} ({self.given_on})"

    @property
    def refused(self) -> bool:
        return self.decision == self.Decision.REFUSED

    @property
    def recipient_label(self) -> str:
        if self.recipient_department:
            return f"{self.get_recipient_department_display()}, {self.recipient_organisation}"
        return str(self.recipient_organisation)

    @property
    def category_labels(self) -> list[str]:
        return category_labels(self.categories)

    @property
    def purpose_labels(self) -> list[str]:
        return purpose_labels(self.purposes)

    def record(self) -> domain.ConsentRecord:
        """The row as the pure domain reads it."""
        return domain.ConsentRecord(
            id=self.pk,
            categories=frozenset(domain.Category(c) for c in self.categories),
            recipient=domain.Recipient(self.recipient_organisation_id, self.recipient_department or None),
            purposes=frozenset(domain.Purpose(p) for p in self.purposes),
            given_on=self.given_on,
            valid_until=self.valid_until,
            withdrawn_on=self.withdrawn_on,
            refused=self.refused,
        )

    def in_force(self, on) -> bool:
        return self.record().in_force(on)


# -- disclosures ----------------------------------------------------------------------------------


class Disclosure(models.Model):
    """Information about a client that left (or is waiting to leave) Kriminalforsorgen.

    What (categories), to whom, for what purpose, on which ground — the consents the
    decision used, or a legal basis with its written justification and a second person's
    approval — who proposed it and when it left. Nothing leaves while it is awaiting
    approval.
    """

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        DISCLOSED = "disclosed", _("Disclosed")
        REJECTED = "rejected", pgettext_lazy("disclosure", "Rejected")

    class Outcome(models.TextChoices):
        ALLOWED = domain.Outcome.ALLOWED.value, _("On the client's consent")
        ALLOWED_ON_LEGAL_BASIS = domain.Outcome.ALLOWED_ON_LEGAL_BASIS.value, _("On a legal basis without consent")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="disclosures")
    client = models.ForeignKey("cases.Client", on_delete=models.PROTECT, related_name="disclosures")
    summary = models.CharField(_("what"), max_length=200)
    categories = models.JSONField(_("kinds of information"), default=list)
    recipient_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("recipient")
    )
    # The departments that read it ("" for the organisation as a whole); empty: the whole organisation.
    recipient_departments = models.JSONField(_("departments"), default=list, blank=True)
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    outcome = models.CharField(_("ground"), max_length=30, choices=Outcome.choices)
    consents = models.ManyToManyField(Consent, blank=True, related_name="disclosures", verbose_name=_("consents"))
    legal_basis = models.CharField(_("legal basis"), max_length=30, choices=LEGAL_BASIS_CHOICES, blank=True)
    justification = models.TextField(_("justification"), blank=True)
    #: The decision's reasons as the domain gave them: [{"code", "category", "da", "en", "department"}].
    reasons = models.JSONField(default=list, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)

    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposing_organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(_("reason"), blank=True)
    disclosed_at = models.DateTimeField(_("disclosed"), null=True, blank=True)

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="disclosure_second_person_approves",
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("proposed_by")),
            ),
            models.CheckConstraint(
                name="disclosure_legal_basis_justified",
                condition=Q(legal_basis="") | ~Q(justification=""),
            ),
            models.CheckConstraint(
                name="disclosure_without_consent_is_approved",
                condition=~Q(outcome="allowed_on_legal_basis", status="disclosed") | Q(approved_by__isnull=False),
            ),
            models.CheckConstraint(
                name="disclosure_on_legal_basis_names_it",
                condition=~Q(outcome="allowed_on_legal_basis") | ~Q(legal_basis=""),
            ),
            models.CheckConstraint(
                name="disclosure_disclosed_has_time",
                condition=~Q(status="disclosed") | Q(disclosed_at__isnull=False),
            ),
            models.CheckConstraint(
                name="disclosure_rejected_has_reason",
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
            ),
        ]
        indexes = [models.Index(fields=["proposing_organisation", "status"])]

    def __str__(self) -> str:
        return f"{self.summary} → {self.recipient_organisation}"

    @property
    def category_labels(self) -> list[str]:
        return category_labels(self.categories)

    @property
    def department_labels(self) -> list[str]:
        labels = {"": _("The whole organisation"), **dict(MunicipalDepartment.Kind.choices)}
        return [str(labels.get(k, k)) for k in self.recipient_departments]

    @property
    def needs_approval(self) -> bool:
        return self.status == self.Status.AWAITING_APPROVAL
