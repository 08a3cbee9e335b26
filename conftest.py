"""Test personas, one fixture per person, so that an access test reads like the rule it
checks: Susanne and her colleague Kasper work at the same prison and see its cases; Frede at
another prison sees nothing of theirs; Karen at KiF, the municipality's entrance and its
jobcentre caseworker see what was shared with them; another municipality sees nothing.
"""

import pytest
from django.core.cache import caches
from django.test import Client

from koreplan.accounts.models import Role
from koreplan.accounts.tests.factories import UserFactory
from koreplan.accounts.tests.otp import client_second_factor_verify
from koreplan.organisations.models import MunicipalDepartment, Organisation
from koreplan.organisations.tests.factories import (
    DirectorateFactory,
    InstitutionFactory,
    KifFactory,
    MunicipalDepartmentFactory,
    MunicipalityFactory,
)
from koreplan.web.page_cache import CACHE_ALIAS


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs a good part of a second per persona.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _pages_kept_as_in_production(settings):
    """Case pages kept as rendered, as production keeps them (koreplan.web.page_cache), so
    that every test that changes a case and looks again checks the page shows the change.
    (The settings turn keeping off where DEBUG is on, as it is where the tests run.)"""
    settings.KOREPLAN_PAGE_CACHE_SECONDS = settings.KOREPLAN_PAGE_CACHE_SECONDS_DEFAULT
    caches[CACHE_ALIAS].clear()


@pytest.fixture(autouse=True)
def _force_login_gives_the_one_time_code(request, monkeypatch):
    """force_login skips the password, and here the one-time code too (accounts/tests/otp.py),
    except in the tests of that code, which are marked `second_factor_unverified`."""
    if request.node.get_closest_marker("second_factor_unverified"):
        return
    force_login = Client.force_login

    def force_login_verified(self, user, backend=None):
        force_login(self, user, backend)
        client_second_factor_verify(self, user)

    monkeypatch.setattr(Client, "force_login", force_login_verified)


# --- Organisations ------------------------------------------------------------


@pytest.fixture
def faengsel(db) -> Organisation:
    return InstitutionFactory(name="Storstrøm Fængsel")


@pytest.fixture
def andet_faengsel(db) -> Organisation:
    return InstitutionFactory(name="Østjyllands Fængsel")


@pytest.fixture
def kif_afdeling(db) -> Organisation:
    return KifFactory(name="KiF Nykøbing F.")


@pytest.fixture
def guldborgsund(db) -> Organisation:
    return MunicipalityFactory(name="Guldborgsund", code="376")


@pytest.fixture
def horsens(db) -> Organisation:
    return MunicipalityFactory(name="Horsens", code="615")


@pytest.fixture
def direktoratet(db) -> Organisation:
    return DirectorateFactory()


# --- Personas ---------------------------------------------------------------------


@pytest.fixture
def socialraadgiver(faengsel):
    """Susanne, social worker at a closed prison."""
    return UserFactory(
        username="susanne",
        first_name="Susanne",
        last_name="Holm",
        organisation=faengsel,
        role=Role.SOCIAL_WORKER,
    )


@pytest.fixture
def kollega(faengsel):
    """Kasper, another social worker at Susanne's prison."""
    return UserFactory(
        username="kasper",
        first_name="Kasper",
        last_name="Berg",
        organisation=faengsel,
        role=Role.SOCIAL_WORKER,
    )


@pytest.fixture
def fremmed(andet_faengsel):
    """Frede, a social worker at another prison."""
    return UserFactory(
        username="frede",
        first_name="Frede",
        last_name="Lund",
        organisation=andet_faengsel,
        role=Role.SOCIAL_WORKER,
    )


@pytest.fixture
def kif(kif_afdeling):
    """Karen, probation officer at a KiF department."""
    return UserFactory(
        username="karen",
        first_name="Karen",
        last_name="Friis",
        organisation=kif_afdeling,
        role=Role.KIF_OFFICER,
    )


@pytest.fixture
def kommune(guldborgsund):
    """Mette, who staffs the municipality's entrance (kommunens indgang)."""
    return UserFactory(
        username="mette",
        first_name="Mette",
        last_name="Dahl",
        organisation=guldborgsund,
        role=Role.MUNICIPAL_ENTRANCE,
        department=MunicipalDepartmentFactory(
            municipality=guldborgsund, kind=MunicipalDepartment.Kind.YDELSE
        ),
    )


@pytest.fixture
def sagsbehandler(guldborgsund):
    """Jonas, caseworker at the same municipality's jobcentre."""
    return UserFactory(
        username="jonas",
        first_name="Jonas",
        last_name="Krog",
        organisation=guldborgsund,
        role=Role.MUNICIPAL_CASEWORKER,
        department=MunicipalDepartmentFactory(
            municipality=guldborgsund, kind=MunicipalDepartment.Kind.JOBCENTER
        ),
    )


@pytest.fixture
def anden_kommune(horsens):
    """Anders, at the entrance of another municipality."""
    return UserFactory(
        username="anders",
        first_name="Anders",
        last_name="Vang",
        organisation=horsens,
        role=Role.MUNICIPAL_ENTRANCE,
        department=MunicipalDepartmentFactory(
            municipality=horsens, kind=MunicipalDepartment.Kind.YDELSE
        ),
    )


@pytest.fixture
def leder(faengsel):
    """Lise, manager at Susanne's prison."""
    return UserFactory(
        username="lise",
        first_name="Lise",
        last_name="Mørk",
        organisation=faengsel,
        role=Role.MANAGER,
    )


@pytest.fixture
def admin(direktoratet):
    """Ada, system administrator: a superuser at the Directorate."""
    return UserFactory(
        username="ada",
        first_name="Ada",
        last_name="Skov",
        organisation=direktoratet,
        role=Role.ADMINISTRATOR,
        is_staff=True,
        is_superuser=True,
    )
