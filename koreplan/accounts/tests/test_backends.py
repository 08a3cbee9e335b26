"""Who is signed in: the user of a session, read with their organisation in one query.
(The OIDC login's backend does the same: test_oidc.py.)"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from koreplan.accounts.backends import UserWithOrganisationBackend
from koreplan.accounts.models import User

pytestmark = pytest.mark.django_db


def assert_reads_the_user_with_their_organisation(backend, user, organisation):
    with CaptureQueriesContext(connection) as queries:
        found = backend.get_user(user.pk)
        assert found == user and found.organisation == organisation
    assert len(queries) == 1


def assert_no_user_for_a_deactivated_or_deleted_account(backend, user):
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert backend.get_user(user.pk) is None
    assert backend.get_user(user.pk + 1000) is None


def test_the_user_of_a_session_comes_with_their_organisation(socialraadgiver, faengsel):
    assert_reads_the_user_with_their_organisation(UserWithOrganisationBackend(), socialraadgiver, faengsel)


def test_no_user_for_a_deactivated_or_deleted_account(socialraadgiver):
    assert_no_user_for_a_deactivated_or_deleted_account(UserWithOrganisationBackend(), socialraadgiver)


def test_a_page_reads_the_signed_in_users_organisation_with_the_user(socialraadgiver):
    client = Client()
    client.force_login(socialraadgiver)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/opgaver/").status_code == 200
    organisation_table = socialraadgiver.organisation._meta.db_table
    alone = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT") and
             f'FROM "{organisation_table}" WHERE "{organisation_table}"."id" = {socialraadgiver.organisation_id} ' in q["sql"]]
    assert alone == []
