"""Login through an OpenID Connect broker (MitID Erhverv), with the broker's answers
mocked: the token and userinfo calls of mozilla-django-oidc's backend are patched."""

from unittest import mock
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client

from koreplan.accounts.oidc import KoreplanOIDCBackend

from .test_backends import (
    assert_no_user_for_a_deactivated_or_deleted_account,
    assert_reads_the_user_with_their_organisation,
)

pytestmark = pytest.mark.django_db

BROKER = "https://broker.example.invalid/oidc"


@pytest.fixture
def oidc(settings):
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "koreplan"
    settings.OIDC_RP_CLIENT_SECRET = "hemmelig"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{BROKER}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{BROKER}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{BROKER}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{BROKER}/jwks"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid email"
    settings.OIDC_USE_PKCE = True
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "koreplan.accounts.oidc.KoreplanOIDCBackend"]
    return settings


def broker_login(client: Client, claims: dict, *, next_url: str = ""):
    """Start at Køreplan, come back from the broker with a code; the broker's token and
    userinfo answers are `claims`."""
    start = client.get("/oidc/authenticate/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    redirect = urlparse(start["Location"])
    assert f"{redirect.scheme}://{redirect.netloc}{redirect.path}" == f"{BROKER}/authorize"
    query = parse_qs(redirect.query)
    assert query["client_id"] == ["koreplan"] and "code_challenge" in query
    state, nonce = query["state"][0], query["nonce"][0]
    with (
        mock.patch.object(KoreplanOIDCBackend, "get_token", return_value={"id_token": "id", "access_token": "at"}) as get_token,
        mock.patch.object(KoreplanOIDCBackend, "verify_token", return_value={"nonce": nonce, "sub": "x"}),
        mock.patch.object(KoreplanOIDCBackend, "get_userinfo", return_value=claims),
    ):
        response = client.get("/oidc/callback/", {"code": "engangs", "state": state})
    payload = get_token.call_args.args[0]
    assert payload["code"] == "engangs" and payload["code_verifier"]
    return response


def test_without_configuration_there_is_no_button_and_no_route(client):
    assert "MitID Erhverv" not in client.get("/login/").content.decode()
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/").status_code == 404


def test_the_login_page_offers_mitid_erhverv_when_configured(client, oidc):
    html = client.get("/login/").content.decode()
    assert 'href="/oidc/authenticate/"' in html and "Log ind med MitID Erhverv" in html


def test_a_person_matched_by_email_is_logged_in(client, oidc, socialraadgiver):
    response = broker_login(client, {"email": "SUSANNE@example.org", "sub": "x"}, next_url="/sager/")
    assert response.status_code == 302
    assert response["Location"] == "/sager/"
    assert client.session["_auth_user_id"] == str(socialraadgiver.pk)
    assert client.get("/sager/").status_code == 200


def test_a_person_matched_by_a_username_claim_is_logged_in(client, oidc, socialraadgiver):
    oidc.OIDC_MATCH_CLAIM = "preferred_username"
    oidc.OIDC_MATCH_FIELD = "username"
    broker_login(client, {"preferred_username": "susanne", "sub": "x"})
    assert client.session["_auth_user_id"] == str(socialraadgiver.pk)


def test_no_account_is_made_for_an_unknown_person_and_the_login_page_says_why(client, oidc, socialraadgiver):
    from koreplan.accounts.models import User

    users = User.objects.count()
    response = broker_login(client, {"email": "ukendt@example.org", "sub": "y"})
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == users
    html = client.get("/login/").content.decode()
    assert "Du blev genkendt, men der er ingen konto i Køreplan, der passer til dig." in html


def test_a_deactivated_account_is_not_matched(client, oidc, socialraadgiver):
    socialraadgiver.is_active = False
    socialraadgiver.save()
    broker_login(client, {"email": "susanne@example.org", "sub": "x"})
    assert "_auth_user_id" not in client.session


def test_an_answer_without_the_claim_is_refused_with_a_reason(client, oidc, socialraadgiver):
    broker_login(client, {"sub": "x"})
    assert "_auth_user_id" not in client.session
    assert "Login-tjenesten oplyste ikke, hvem du er." in client.get("/login/").content.decode()


def test_two_accounts_with_the_same_address_are_refused(client, oidc, socialraadgiver, kollega):
    kollega.email = socialraadgiver.email
    kollega.save()
    broker_login(client, {"email": socialraadgiver.email, "sub": "x"})
    assert "_auth_user_id" not in client.session
    assert "Mere end én konto i Køreplan passer til dig." in client.get("/login/").content.decode()


@pytest.mark.second_factor_unverified
def test_a_manager_logging_in_with_mitid_still_gives_the_one_time_code(client, oidc, leder):
    broker_login(client, {"email": "lise@example.org", "sub": "z"})
    assert client.session["_auth_user_id"] == str(leder.pk)
    assert client.get("/opgaver/")["Location"].startswith("/profil/totrin/ny/")


# -- the session's user ---------------------------------------------------------------------------


def test_the_user_of_an_oidc_session_comes_with_their_organisation(oidc, socialraadgiver, faengsel):
    assert_reads_the_user_with_their_organisation(KoreplanOIDCBackend(), socialraadgiver, faengsel)


def test_no_user_for_an_oidc_session_of_a_deactivated_or_deleted_account(oidc, socialraadgiver):
    assert_no_user_for_a_deactivated_or_deleted_account(KoreplanOIDCBackend(), socialraadgiver)
