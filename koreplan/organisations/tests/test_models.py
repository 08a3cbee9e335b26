import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from koreplan.organisations.models import Entrance, MunicipalDepartment, Organisation
from koreplan.organisations.tests.factories import (
    InstitutionFactory,
    MunicipalDepartmentFactory,
    MunicipalityFactory,
)

pytestmark = pytest.mark.django_db


def test_an_institution_must_have_an_institution_type():
    with pytest.raises(IntegrityError):
        InstitutionFactory(institution_type="")


def test_only_an_institution_has_an_institution_type():
    with pytest.raises(IntegrityError):
        MunicipalityFactory(institution_type=Organisation.InstitutionType.ARRESTHUS)


def test_a_municipality_must_have_a_code():
    with pytest.raises(IntegrityError):
        MunicipalityFactory(code="")


def test_municipality_codes_are_unique():
    MunicipalityFactory(code="101", name="København")
    with pytest.raises(IntegrityError):
        MunicipalityFactory(code="101", name="Frederiksberg")


def test_a_municipality_has_one_department_of_each_kind():
    department = MunicipalDepartmentFactory(kind=MunicipalDepartment.Kind.JOBCENTER)
    with pytest.raises(IntegrityError):
        MunicipalDepartment.objects.create(
            municipality=department.municipality,
            kind=MunicipalDepartment.Kind.JOBCENTER,
            name="Jobcenter Syd",
        )


def test_an_entrance_department_must_belong_to_its_municipality():
    entrance = Entrance(
        municipality=MunicipalityFactory(),
        department=MunicipalDepartmentFactory(),
        secure_email="indgang@example.org",
    )
    with pytest.raises(ValidationError) as error:
        entrance.full_clean()
    assert "department" in error.value.message_dict
