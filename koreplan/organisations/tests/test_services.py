from datetime import date

import pytest
from django.core.management import call_command

from koreplan.audit.models import AuditEntry
from koreplan.organisations.models import (
    Entrance,
    MunicipalDepartment,
    Organisation,
    Region,
    RegionMembership,
)
from koreplan.organisations.selectors import region_of
from koreplan.organisations.services import reference_data_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    return reference_data_load()


def municipality(code: str) -> Organisation:
    return Organisation.objects.get(kind=Organisation.Kind.MUNICIPALITY, code=code)


def test_all_98_municipalities_are_loaded(loaded):
    assert loaded.municipalities == 98
    assert Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).count() == 98
    assert municipality("101").name == "København"


def test_each_municipality_gets_five_departments_and_a_demo_entrance(loaded):
    copenhagen = municipality("101")
    assert set(copenhagen.departments.values_list("kind", flat=True)) == set(
        MunicipalDepartment.Kind.values
    )
    assert MunicipalDepartment.objects.count() == 98 * 5
    entrance = copenhagen.entrance
    assert entrance.department.kind == MunicipalDepartment.Kind.YDELSE
    assert entrance.address == "København Kommune, Borgerservice"
    assert entrance.secure_email == "indgang@koebenhavn.kommune.dk"
    assert entrance.is_demo_data
    assert Entrance.objects.count() == 98


def test_institutions_kif_departments_and_the_directorate_are_loaded(loaded):
    institutions = Organisation.objects.filter(kind=Organisation.Kind.INSTITUTION)
    assert institutions.count() == loaded.institutions > 0
    assert not institutions.filter(institution_type="").exists()
    storstroem = institutions.get(name="Storstrøm Fængsel")
    assert storstroem.institution_type == Organisation.InstitutionType.CLOSED_PRISON
    assert storstroem.located_in == municipality("376")
    assert Organisation.objects.filter(kind=Organisation.Kind.KIF).count() == loaded.kif_departments
    assert Organisation.objects.get(kind=Organisation.Kind.DIRECTORATE).name == (
        "Direktoratet for Kriminalforsorgen"
    )


def test_copenhagen_moves_from_hovedstaden_to_oestdanmark_on_1_january_2027(loaded):
    copenhagen = municipality("101")
    assert region_of(municipality=copenhagen, on=date(2026, 12, 31)).slug == "hovedstaden"
    assert region_of(municipality=copenhagen, on=date(2027, 1, 1)).slug == "oestdanmark"


def test_a_municipality_in_sjaelland_also_moves_to_oestdanmark(loaded):
    roskilde = municipality("265")
    assert region_of(municipality=roskilde, on=date(2026, 12, 31)).slug == "sjaelland"
    assert region_of(municipality=roskilde, on=date(2027, 1, 1)).slug == "oestdanmark"


def test_a_municipality_in_jutland_keeps_its_region(loaded):
    aarhus = municipality("751")
    assert region_of(municipality=aarhus, on=date(2026, 12, 31)).slug == "midtjylland"
    assert region_of(municipality=aarhus, on=date(2027, 1, 1)).slug == "midtjylland"


def test_no_region_before_the_regions_existed(loaded):
    assert region_of(municipality=municipality("101"), on=date(2006, 12, 31)) is None


def test_loading_again_creates_nothing_twice(loaded):
    counts = (
        Organisation.objects.count(),
        Region.objects.count(),
        RegionMembership.objects.count(),
        MunicipalDepartment.objects.count(),
        Entrance.objects.count(),
    )
    again = reference_data_load()
    assert again.entrances_created == 0
    assert counts == (
        Organisation.objects.count(),
        Region.objects.count(),
        RegionMembership.objects.count(),
        MunicipalDepartment.objects.count(),
        Entrance.objects.count(),
    )


def test_loading_again_keeps_what_the_municipality_has_entered(loaded):
    entrance = municipality("101").entrance
    entrance.secure_email = "indgang@kk.dk"
    entrance.is_demo_data = False
    entrance.save()
    reference_data_load()
    entrance.refresh_from_db()
    assert entrance.secure_email == "indgang@kk.dk"
    assert not entrance.is_demo_data


def test_loading_is_audited(loaded):
    entry = AuditEntry.objects.get(action="koreplan.reference_data.loaded")
    assert entry.data["municipalities"] == 98


def test_the_management_command_loads_the_data(capsys):
    call_command("load_reference_data")
    assert "98 municipalities" in capsys.readouterr().out
    assert Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).count() == 98
