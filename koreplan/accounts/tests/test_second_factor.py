"""The one-time code: required for managers, administrators and superusers, asked of
everyone who has set it up, on every page and every session-authenticated API call."""

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from koreplan.accounts.models import Role
from koreplan.accounts.tests.factories import PASSWORD, UserFactory
from koreplan.accounts.tests.otp import authenticator_app_give, backup_codes_give, totp_code
from koreplan.api.services import api_token_create
from koreplan.audit.models import AuditEntry

# Here force_login leaves the code ungiven (conftest.py): these tests are of the enforcement.
pytestmark = [pytest.mark.django_db, pytest.mark.second_factor_unverified]

ENROL = "/profil/totrin/ny/"
VERIFY = "/login/kode/"


def logged_in(user) -> Client:
    """A browser that has given the password, through the login page."""
    client = Client()
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


@pytest.mark.parametrize(
    ("persona", "required"),
    [("socialraadgiver", False), ("kif", False), ("kommune", False), ("leder", True), ("admin", True)],
)
def test_who_must_have_a_second_factor(request, persona, required):
    assert request.getfixturevalue(persona).second_factor_required is required


def test_a_superuser_without_a_role_must_have_one(direktoratet):
    assert UserFactory(organisation=None, role="", is_superuser=True).second_factor_required


# -- a manager without a device is led to set one up -----------------------------------------


def test_a_manager_without_a_device_is_led_to_the_set_up_after_login(leder):
    client = logged_in(leder)
    response = client.get("/opgaver/")
    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2Fopgaver%2F"


@pytest.mark.parametrize("path", ["/", "/opgaver/", "/sager/", "/ledelse/", "/admin/", "/profil/", "/meddelelser/"])
def test_no_page_escapes_the_set_up(admin, path):
    client = Client()
    client.force_login(admin)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(ENROL)


def test_the_set_up_page_shows_the_secret_and_a_qr_code(leder):
    client = logged_in(leder)
    response = client.get(ENROL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "<script" not in html.split("<main", 1)[1]
    secret = response.context["secret"].replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    # The same secret until it is confirmed, and nothing saved before that.
    assert client.get(ENROL).context["secret"].replace(" ", "") == secret
    assert not TOTPDevice.objects.filter(user=leder).exists()


def test_a_wrong_first_code_is_refused_at_the_field_and_saves_nothing(leder):
    client = logged_in(leder)
    client.get(ENROL)
    response = client.post(ENROL, {"otp_token": "000000"})
    assert response.status_code == 200
    assert response.context["form"].errors["otp_token"] == ["Koden er forkert eller udløbet. Skriv den kode, appen viser nu."]
    assert not TOTPDevice.objects.filter(user=leder).exists()
    assert client.get("/opgaver/").status_code == 302


def test_the_right_first_code_sets_it_up_shows_backup_codes_and_is_audited(leder):
    client = logged_in(leder)
    client.get(ENROL)
    key = client.session["koreplan_otp_enrolment_key"]
    code = totp_code(TOTPDevice(key=key))
    response = client.post(ENROL, {"otp_token": code, "next": "/sager/"})
    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=leder)
    assert device.confirmed and device.key == key
    codes = response.context["codes"]
    assert len(codes) == 10
    assert set(StaticToken.objects.filter(device__user=leder).values_list("token", flat=True)) == set(codes)
    for backup_code in codes:
        assert backup_code in response.content.decode()
    entry = AuditEntry.objects.get(action="koreplan.accounts.otp_enrolled")
    assert entry.actor == leder and entry.object_id == str(device.pk)
    # This session gave the code; the pages open.
    assert client.get("/sager/").status_code == 200


def test_the_set_up_is_not_needed_by_a_social_worker(socialraadgiver):
    client = logged_in(socialraadgiver)
    assert client.get("/opgaver/").status_code == 200


# -- a user with a device is asked for the code ---------------------------------------------


@pytest.mark.parametrize("persona", ["leder", "socialraadgiver"])
def test_a_user_with_a_device_is_asked_for_the_code_after_the_password(request, persona):
    user = request.getfixturevalue(persona)
    device = authenticator_app_give(user)
    client = logged_in(user)
    response = client.get("/sager/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fsager%2F"

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Engangskode" in page.content.decode()

    response = client.post(VERIFY, {"otp_token": totp_code(device), "next": "/sager/"})
    assert response.status_code == 302
    assert response["Location"] == "/sager/"
    assert client.get("/sager/").status_code == 200


def test_a_wrong_code_is_an_error_at_the_field(leder):
    authenticator_app_give(leder)
    client = logged_in(leder)
    response = client.post(VERIFY, {"otp_token": "123456"})
    assert response.status_code == 200
    assert response.context["form"].errors["otp_token"] == ["Koden er forkert eller udløbet."]
    html = response.content.decode()
    assert 'id="id_otp_token-error"' in html
    assert client.get("/opgaver/").status_code == 302


def test_an_empty_code_is_an_error_at_the_field(leder):
    authenticator_app_give(leder)
    client = logged_in(leder)
    response = client.post(VERIFY, {"otp_token": ""})
    assert "otp_token" in response.context["form"].errors


def test_a_backup_code_works_once(leder):
    authenticator_app_give(leder)
    backup_codes_give(leder, "abcd2345")
    client = logged_in(leder)
    assert client.post(VERIFY, {"otp_token": "ABCD 2345"}).status_code == 302
    assert client.get("/opgaver/").status_code == 200

    again = logged_in(leder)
    response = again.post(VERIFY, {"otp_token": "abcd2345"})
    assert response.status_code == 200
    assert "otp_token" in response.context["form"].errors


def test_the_verify_page_does_not_send_the_user_to_another_site(leder):
    device = authenticator_app_give(leder)
    client = logged_in(leder)
    response = client.post(VERIFY, {"otp_token": totp_code(device), "next": "https://example.com/"})
    assert response["Location"] == "/"


def test_a_next_that_is_a_bare_word_is_an_address_not_a_view_name(leder):
    # redirect() would try to reverse "sager" as a view name and fail with a 500.
    device = authenticator_app_give(leder)
    client = logged_in(leder)
    response = client.post(VERIFY, {"otp_token": totp_code(device), "next": "sager"})
    assert response.status_code == 302
    assert response["Location"] == "sager"
    assert client.get(f"{VERIFY}?next=sager")["Location"] == "sager"


def test_logging_out_and_choosing_a_language_work_before_the_code(leder):
    authenticator_app_give(leder)
    client = logged_in(leder)
    assert client.post("/i18n/setlang/", {"language": "en", "next": VERIFY})["Location"] == VERIFY
    assert client.post("/logout/").status_code == 302
    assert client.get("/opgaver/")["Location"].startswith("/login/")


def test_an_htmx_request_is_sent_to_the_whole_page(leder):
    authenticator_app_give(leder)
    client = logged_in(leder)
    response = client.get("/opgaver/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == VERIFY


# -- the API: the session needs the code, a bearer token does not --------------------------------


def test_a_session_api_call_needs_the_code_and_a_bearer_token_does_not(leder):
    client = logged_in(leder)
    response = client.get("/api/v1/me/tasks")
    assert response.status_code == 401
    assert "engangskode" in response.json()["detail"]

    _token, plaintext = api_token_create(user=leder, name="integration")
    assert Client(headers={"authorization": f"Bearer {plaintext}"}).get("/api/v1/me/tasks").status_code == 200
    # The token decides alone, also beside the unverified session's cookie.
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {plaintext}"
    assert client.get("/api/v1/me/tasks").status_code == 200


def test_a_session_api_call_after_the_code_is_answered(leder):
    device = authenticator_app_give(leder)
    client = logged_in(leder)
    client.post(VERIFY, {"otp_token": totp_code(device)})
    assert client.get("/api/v1/me/tasks").status_code == 200


def test_a_social_worker_without_a_device_uses_the_api_with_the_session(socialraadgiver):
    assert logged_in(socialraadgiver).get("/api/v1/me/tasks").status_code == 200


# -- the profile: add, remove, new backup codes ---------------------------------------------------


def verified(user, device) -> Client:
    client = logged_in(user)
    assert client.post(VERIFY, {"otp_token": totp_code(device)}).status_code == 302
    return client


def test_the_profile_is_linked_from_every_page_and_shows_the_devices(socialraadgiver):
    client = logged_in(socialraadgiver)
    html = client.get("/opgaver/").content.decode()
    assert 'href="/profil/"' in html and "Min profil" in html
    page = client.get("/profil/").content.decode()
    assert "Du har ingen godkendelsesapp." in page
    assert f'href="{ENROL}"' in page


def test_a_social_worker_may_set_it_up_from_the_profile_and_turn_it_off(socialraadgiver):
    client = logged_in(socialraadgiver)
    client.get(ENROL)
    code = totp_code(TOTPDevice(key=client.session["koreplan_otp_enrolment_key"]))
    assert client.post(ENROL, {"otp_token": code}).status_code == 200
    assert "Godkendelsesapp tilføjet" in client.get("/profil/").content.decode()

    response = client.post("/profil/totrin/fjern/")
    assert response["Location"] == "/profil/"
    assert not TOTPDevice.objects.filter(user=socialraadgiver).exists()
    assert not StaticDevice.objects.filter(user=socialraadgiver).exists()
    entry = AuditEntry.objects.get(action="koreplan.accounts.otp_removed")
    assert entry.actor == socialraadgiver and len(entry.data["devices"]) == 2
    # No device left: no code asked.
    assert logged_in(socialraadgiver).get("/opgaver/").status_code == 200


def test_a_manager_who_removes_the_app_must_set_up_a_new_one(leder):
    client = verified(leder, authenticator_app_give(leder))
    client.post("/profil/totrin/fjern/")
    assert client.get("/opgaver/")["Location"].startswith(ENROL)


def test_new_backup_codes_replace_the_old_and_are_audited(leder):
    device = authenticator_app_give(leder)
    backup_codes_give(leder, "old22222")
    client = verified(leder, device)
    response = client.post("/profil/totrin/reservekoder/")
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and "old22222" not in codes
    assert not StaticToken.objects.filter(token="old22222").exists()
    assert AuditEntry.objects.filter(action="koreplan.accounts.otp_backup_codes_generated", actor=leder).exists()
    # The session stays verified.
    assert client.get("/opgaver/").status_code == 200
    assert "10 ubrugte reservekoder" in client.get("/profil/").content.decode()


def test_the_profile_changes_only_take_post(leder):
    client = verified(leder, authenticator_app_give(leder))
    assert client.get("/profil/totrin/fjern/").status_code == 405
    assert client.get("/profil/totrin/reservekoder/").status_code == 405
    assert TOTPDevice.objects.filter(user=leder).exists()


def test_a_user_with_an_app_is_not_offered_a_second(leder):
    client = verified(leder, authenticator_app_give(leder))
    assert client.get(ENROL)["Location"] == "/profil/"


def test_the_test_suites_force_login_gives_the_code_through_django_otp(leder):
    """What conftest.py does for every other test, tried here by hand."""
    from koreplan.accounts.tests.otp import client_second_factor_verify

    client = Client()
    client.force_login(leder)
    assert client.get("/opgaver/").status_code == 302
    client_second_factor_verify(client, leder)
    assert client.get("/opgaver/").status_code == 200
    assert client.session["otp_device_id"].startswith("otp_static.staticdevice/")


def test_a_role_without_the_requirement_is_still_asked_when_it_has_a_device(faengsel):
    officer = UserFactory(organisation=faengsel, role=Role.CONTACT_OFFICER)
    backup_codes_give(officer)
    assert logged_in(officer).get("/opgaver/")["Location"].startswith(VERIFY)
