"""The people who use Køreplan: staff of an organisation, each with one role."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from koreplan.organisations.models import Organisation


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("Social worker")
    CONTACT_OFFICER = "contact_officer", _("Prison officer (contact person)")
    KIF_OFFICER = "kif_officer", _("Probation officer (KiF)")
    FEE_PAID_SUPERVISOR = "fee_paid_supervisor", _("Fee-paid supervisor")
    MUNICIPAL_CASEWORKER = "municipal_caseworker", _("Municipal caseworker")
    MUNICIPAL_ENTRANCE = "municipal_entrance", _("Municipal entrance")
    MANAGER = "manager", _("Manager")
    ADMINISTRATOR = "administrator", _("Administrator")


_ANY_ORGANISATION = {Role.MANAGER, Role.ADMINISTRATOR}

# Which roles exist in which kind of organisation.
ROLES_BY_ORGANISATION_KIND: dict[str, set[str]] = {
    Organisation.Kind.INSTITUTION: {Role.SOCIAL_WORKER, Role.CONTACT_OFFICER} | _ANY_ORGANISATION,
    Organisation.Kind.KIF: {Role.KIF_OFFICER, Role.FEE_PAID_SUPERVISOR} | _ANY_ORGANISATION,
    Organisation.Kind.MUNICIPALITY: {Role.MUNICIPAL_CASEWORKER, Role.MUNICIPAL_ENTRANCE}
    | _ANY_ORGANISATION,
    Organisation.Kind.DIRECTORATE: _ANY_ORGANISATION,
}

# Who may be plan-responsible (handleplansansvarlig): Kriminalforsorgen's own staff. Not a
# fee-paid supervisor, who takes part in the plan but is not responsible for making,
# coordinating or following it up (VEJ pkt. 23), and no one in a municipality, which
# coordinates with the plan but does not hold it.
PLAN_HOLDING_ROLES = {Role.SOCIAL_WORKER, Role.CONTACT_OFFICER, Role.KIF_OFFICER, Role.MANAGER}
PLAN_HOLDING_ORGANISATION_KINDS = {Organisation.Kind.INSTITUTION, Organisation.Kind.KIF}

# Who must log in with a one-time code as well as a password: those who see across a
# whole organisation (managers) or change who sees what (administrators, superusers).
SECOND_FACTOR_ROLES = {Role.MANAGER, Role.ADMINISTRATOR}


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organisation"),
    )
    department = models.ForeignKey(
        "organisations.MunicipalDepartment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("municipal department"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)

    class Meta(AbstractUser.Meta):
        constraints = [
            # Only a superuser (who sets the system up) works outside any organisation.
            models.CheckConstraint(
                name="user_organisation_unless_superuser",
                condition=Q(is_superuser=True) | Q(organisation__isnull=False),
            ),
            models.CheckConstraint(
                name="user_role_unless_superuser",
                condition=Q(is_superuser=True) | ~Q(role=""),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @staticmethod
    def name_from(first_name: str | None, last_name: str | None, username: str | None) -> str:
        """A user as ``__str__`` names them, from columns read without the model (a list
        read in SQL or ``values_list``); "" where there is no user."""
        if username is None:
            return ""
        return f"{first_name or ''} {last_name or ''}".strip() or username

    @property
    def may_hold_plan(self) -> bool:
        return (
            self.role in PLAN_HOLDING_ROLES
            and self.organisation is not None
            and self.organisation.kind in PLAN_HOLDING_ORGANISATION_KINDS
        )

    @property
    def second_factor_required(self) -> bool:
        return self.is_superuser or self.role in SECOND_FACTOR_ROLES

    def clean(self) -> None:
        super().clean()
        # Rules that reach across tables, so no database constraint can hold them; the
        # admin form checks them here.
        errors = {}
        if self.organisation is not None and self.role:
            if self.role not in ROLES_BY_ORGANISATION_KIND[self.organisation.kind]:
                errors["role"] = _("This role does not exist in this kind of organisation.")
        if self.department is not None and self.department.municipality_id != self.organisation_id:
            errors["department"] = _("The department must belong to the user's municipality.")
        if errors:
            raise ValidationError(errors)
