"""Who is signed in: the user of a session, read with their organisation in one query."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from koreplan.accounts.backends import UserWithOrganisationBackend
from koreplan.accounts.models import User
from koreplan.accounts.oidc import KoreplanOIDCBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def oidc_endpoints(settings):
    """What the OIDC backend insists on being configured before it can be made."""
    for name in ("AUTHORIZATION", "TOKEN", "USER", "JWKS"):
        setattr(settings, f"OIDC_OP_{name}_ENDPOINT", "https://broker.example/")
    settings.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_SECRET = "koreplan"


@pytest.mark.parametrize("backend", [UserWithOrganisationBackend, KoreplanOIDCBackend])
def test_the_user_of_a_session_comes_with_their_organisation(backend, socialraadgiver, faengsel, oidc_endpoints):
    with CaptureQueriesContext(connection) as queries:
        user = backend().get_user(socialraadgiver.pk)
        assert user == socialraadgiver and user.organisation == faengsel
    assert len(queries) == 1


@pytest.mark.parametrize("backend", [UserWithOrganisationBackend, KoreplanOIDCBackend])
def test_no_user_for_a_deactivated_or_deleted_account(backend, socialraadgiver, oidc_endpoints):
    User.objects.filter(pk=socialraadgiver.pk).update(is_active=False)
    assert backend().get_user(socialraadgiver.pk) is None
    assert backend().get_user(socialraadgiver.pk + 1000) is None


def test_a_page_reads_the_signed_in_users_organisation_with_the_user(socialraadgiver):
    client = Client()
    client.force_login(socialraadgiver)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/opgaver/").status_code == 200
    organisation_table = socialraadgiver.organisation._meta.db_table
    alone = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT") and
             f'FROM "{organisation_table}" WHERE "{organisation_table}"."id" = {socialraadgiver.organisation_id} ' in q["sql"]]
    assert alone == []
