import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.migrations.loader import MigrationLoader

from koreplan.accounts.models import Role, User
from koreplan.accounts.tests.factories import UserFactory
from koreplan.organisations.models import MunicipalDepartment
from koreplan.organisations.tests.factories import KifFactory, MunicipalDepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "may_hold_plan"),
    [
        ("socialraadgiver", True),
        ("kif", True),
        ("leder", True),
        ("kommune", False),
        ("sagsbehandler", False),
        ("admin", False),
    ],
)
def test_who_may_hold_a_plan(request, persona, may_hold_plan):
    assert request.getfixturevalue(persona).may_hold_plan is may_hold_plan


def test_a_fee_paid_supervisor_takes_part_but_does_not_hold_the_plan():
    """VEJ pkt. 23: honorarlønnede tilsynsførende are involved in the plan but not
    responsible for making, coordinating or following it up."""
    supervisor = UserFactory(organisation=KifFactory(), role=Role.FEE_PAID_SUPERVISOR)
    assert not supervisor.may_hold_plan


def test_a_manager_in_a_municipality_does_not_hold_plans(guldborgsund):
    assert not UserFactory(organisation=guldborgsund, role=Role.MANAGER).may_hold_plan


def test_everyone_but_a_superuser_belongs_to_an_organisation():
    with pytest.raises(IntegrityError):
        UserFactory(organisation=None)


def test_a_superuser_may_be_outside_any_organisation():
    user = User.objects.create_superuser("root", "root@example.org", "x")
    assert user.organisation is None
    assert not user.may_hold_plan


def test_everyone_but_a_superuser_has_a_role(faengsel):
    with pytest.raises(IntegrityError):
        UserFactory(organisation=faengsel, role="")


def test_a_role_must_exist_in_the_users_kind_of_organisation(faengsel):
    user = UserFactory.build(organisation=faengsel, role=Role.MUNICIPAL_CASEWORKER)
    with pytest.raises(ValidationError) as error:
        user.full_clean()
    assert "role" in error.value.message_dict


def test_the_department_must_belong_to_the_users_municipality(guldborgsund, horsens):
    user = UserFactory.build(
        organisation=guldborgsund,
        role=Role.MUNICIPAL_CASEWORKER,
        department=MunicipalDepartmentFactory(
            municipality=horsens, kind=MunicipalDepartment.Kind.JOBCENTER
        ),
    )
    with pytest.raises(ValidationError) as error:
        user.full_clean()
    assert "department" in error.value.message_dict


def test_the_personas_are_valid(
    socialraadgiver, kollega, fremmed, kif, kommune, sagsbehandler, anden_kommune, leder, admin
):
    for user in [
        socialraadgiver,
        kollega,
        fremmed,
        kif,
        kommune,
        sagsbehandler,
        anden_kommune,
        leder,
        admin,
    ]:
        user.full_clean()


def test_the_first_accounts_migration_creates_the_user_model():
    # Every later migration that points at the user must find it here: swapping the user
    # model after the first migration is not supported by Django.
    migration = MigrationLoader(None).get_migration("accounts", "0001_initial")
    assert [op.name for op in migration.operations if hasattr(op, "name")][0] == "User"
