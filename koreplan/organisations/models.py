"""The organisations that take part in a release: Kriminalforsorgen's institutions, KIF
departments and Directorate, and the 98 municipalities with their departments."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """Every organisation is one row, so that a user, a case or a message can point at
    "an organisation" without knowing which kind it is."""

    class Kind(models.TextChoices):
        INSTITUTION = "institution", _("Institution")
        KIF = "kif", _("Probation department (KiF)")
        DIRECTORATE = "directorate", _("Directorate")
        MUNICIPALITY = "municipality", _("Municipality")

    class InstitutionType(models.TextChoices):
        CLOSED_PRISON = "closed_prison", _("Closed prison")
        OPEN_PRISON = "open_prison", _("Open prison")
        ARRESTHUS = "arresthus", _("Arresthus (local prison)")
        PENSION = "pension", _("Pension (halfway house)")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    institution_type = models.CharField(
        _("institution type"), max_length=20, choices=InstitutionType.choices, blank=True
    )
    code = models.CharField(
        _("municipality code"),
        max_length=3,
        blank=True,
        help_text=_("The three-digit municipality code. Municipalities only."),
    )
    name = models.CharField(_("name"), max_length=200)
    located_in = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations_located_here",
        limit_choices_to={"kind": Kind.MUNICIPALITY},
        verbose_name=_("located in municipality"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                name="organisation_institution_type_iff_institution",
                condition=(Q(kind="institution") & ~Q(institution_type=""))
                | (~Q(kind="institution") & Q(institution_type="")),
            ),
            models.CheckConstraint(
                name="organisation_code_iff_municipality",
                condition=(Q(kind="municipality") & ~Q(code=""))
                | (~Q(kind="municipality") & Q(code="")),
            ),
            models.UniqueConstraint(
                fields=["code"], condition=~Q(code=""), name="organisation_unique_code"
            ),
            models.UniqueConstraint(fields=["kind", "name"], name="organisation_unique_kind_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    """A Danish region for a period: the five regions of 2007, and Region Østdanmark which
    replaces Hovedstaden and Sjælland on 2027-01-01."""

    code = models.CharField(_("region code"), max_length=4, unique=True)
    code_assumed = models.BooleanField(
        _("code assumed"),
        default=False,
        help_text=_("The code is not yet officially published and may change."),
    )
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="region_valid_period",
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RegionMembership(models.Model):
    """Which region a municipality belongs to, and when. Dated rather than a plain foreign
    key because a case spans the 2027 merger and must be reported by the date of the fact."""

    municipality = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="region_memberships",
        limit_choices_to={"kind": Organisation.Kind.MUNICIPALITY},
        verbose_name=_("municipality"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("region")
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("region membership")
        verbose_name_plural = _("region memberships")
        ordering = ["municipality", "valid_from"]
        constraints = [
            models.CheckConstraint(
                name="region_membership_valid_period",
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
            ),
            models.UniqueConstraint(
                fields=["municipality", "valid_from"], name="region_membership_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} → {self.region} ({self.valid_from}–{self.valid_to or ''})"


class MunicipalDepartment(models.Model):
    """One of the five municipal departments a release involves (GL Bilag 1)."""

    class Kind(models.TextChoices):
        YDELSE = "ydelse", _("Benefits and authority")
        JOBCENTER = "jobcenter", _("Job centre")
        SOCIALCENTER = "socialcenter", _("Social services centre")
        MISBRUGSCENTER = "misbrugscenter", _("Substance abuse treatment centre")
        SOCIALPSYKIATRI = "socialpsykiatri", _("Community mental health services")

    municipality = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="departments",
        limit_choices_to={"kind": Organisation.Kind.MUNICIPALITY},
        verbose_name=_("municipality"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The municipality's own name for the department, as data: it is what its letters say.
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("municipal department")
        verbose_name_plural = _("municipal departments")
        ordering = ["municipality", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "kind"], name="municipal_department_unique_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.municipality}"


class Entrance(models.Model):
    """The municipality's one named entrance ("indgang"): where a prison sends the notice of
    intake and every request for coordination (GL Bilag 1, prerequisite of step 3)."""

    municipality = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="entrance",
        limit_choices_to={"kind": Organisation.Kind.MUNICIPALITY},
        verbose_name=_("municipality"),
    )
    department = models.ForeignKey(
        MunicipalDepartment,
        on_delete=models.PROTECT,
        related_name="entrances",
        verbose_name=_("department"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    secure_email = models.EmailField(_("secure e-mail"), blank=True)
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    is_demo_data = models.BooleanField(
        _("demo data"),
        default=False,
        help_text=_(
            "The address and e-mail are placeholders made when the reference data was "
            "loaded. Replace them with the municipality's real entrance and untick this."
        ),
    )

    class Meta:
        verbose_name = _("municipal entrance")
        verbose_name_plural = _("municipal entrances")
        ordering = ["municipality"]

    def __str__(self) -> str:
        return str(self.municipality)

    def clean(self) -> None:
        # A constraint cannot reach across tables, so the admin form checks it here.
        if self.department_id and self.department.municipality_id != self.municipality_id:
            raise ValidationError(
                {"department": _("The department must belong to the same municipality.")}
            )
