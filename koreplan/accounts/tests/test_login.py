"""The password: how strong it must be, the lock-out after failed attempts, and how long a
session lasts."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from koreplan.accounts.tests.factories import PASSWORD
from koreplan.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def attempt(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


# -- lock-out ------------------------------------------------------------------------------------


def test_the_lock_out_is_configured_as_the_deployment_says():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=30)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_five_failures_lock_the_username_from_that_address_with_a_clear_message(client, socialraadgiver):
    for _ in range(4):
        assert attempt(client, "susanne", "forkert").status_code == 200
    response = attempt(client, "susanne", "forkert")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Du kan ikke logge ind lige nu" in html
    assert "Prøv igen om 30 minutter, eller bed en administrator om at ophæve spærringen." in html
    assert 'role="alert"' in html

    # Now even the right password is refused, with the same page.
    response = attempt(client, "susanne", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_is_on_username_and_address_together(client, socialraadgiver, kollega):
    for _ in range(5):
        attempt(client, "susanne", "forkert")
    # The same person from another machine, and a colleague from this one, still get in.
    assert attempt(Client(), "susanne", PASSWORD, address="10.0.0.2").status_code == 302
    assert attempt(Client(), "kasper", PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, socialraadgiver):
    for _ in range(5):
        attempt(client, "susanne", "forkert")
    assert attempt(client, "susanne", PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert attempt(client, "susanne", PASSWORD).status_code == 302


def test_an_administrator_lifts_the_lock(client, socialraadgiver):
    for _ in range(5):
        attempt(client, "susanne", "forkert")
    assert AccessAttempt.objects.filter(username="susanne").exists()
    call_command("axes_reset_username", "susanne")
    assert attempt(client, "susanne", PASSWORD).status_code == 302


def test_the_lock_outs_are_in_the_admin(client, admin, socialraadgiver):
    for _ in range(5):
        attempt(Client(), "susanne", "forkert")
    client.force_login(admin)
    response = client.get("/admin/axes/accessattempt/")
    assert response.status_code == 200
    assert "susanne" in response.content.decode()


def test_a_successful_login_forgets_earlier_failures(client, socialraadgiver):
    for _ in range(4):
        attempt(client, "susanne", "forkert")
    assert attempt(client, "susanne", PASSWORD).status_code == 302
    client.post("/logout/")
    for _ in range(4):
        attempt(client, "susanne", "forkert")
    assert attempt(client, "susanne", PASSWORD).status_code == 302


# -- session time-out ------------------------------------------------------------------------


def test_a_session_ends_after_thirty_idle_minutes_and_says_why(client, socialraadgiver):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(socialraadgiver)
        assert client.get("/opgaver/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get("/opgaver/").status_code == 200
    # Idle is counted from the last request, not from the login.
    with time_machine.travel(start + timedelta(minutes=58), tick=False):
        assert client.get("/opgaver/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=89), tick=False):
        response = client.get("/opgaver/")
        assert response.status_code == 302
        assert response["Location"] == "/login/?next=/opgaver/"
        html = client.get(response["Location"]).content.decode()
        assert "Du blev logget ud, fordi du ikke havde brugt Køreplan i 30 minutter." in html
        assert "_auth_user_id" not in client.session


def test_a_busy_session_still_ends_after_the_absolute_age(client, socialraadgiver):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(socialraadgiver)
    hours = settings.SESSION_COOKIE_AGE // 3600
    for minutes in range(20, hours * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get("/opgaver/").status_code == 200
            if minutes == 5 * 60:
                # Written during the day (a one-time code, a new password), the session's own
                # expiry moves on; the day's limit must not.
                session = client.session
                session["written"] = minutes
                session.save()
    with time_machine.travel(start + timedelta(hours=hours, minutes=10), tick=False):
        response = client.get("/opgaver/")
        assert response.status_code == 302
        assert f"Du blev logget ud, fordi du havde været logget ind i {hours} timer." in client.get(
            "/login/"
        ).content.decode()


def test_the_idle_limit_follows_the_setting(client, socialraadgiver, settings):
    settings.SESSION_IDLE_TIMEOUT = 5 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(socialraadgiver)
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        assert client.get("/opgaver/").status_code == 302


def test_a_bearer_token_has_no_session_to_time_out(socialraadgiver):
    from koreplan.api.services import api_token_create

    _token, plaintext = api_token_create(user=socialraadgiver, name="integration")
    caller = Client(headers={"authorization": f"Bearer {plaintext}"})
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        response = caller.get("/api/v1/me/tasks")
        assert response.status_code == 200
        assert "koreplan_seen" not in response.cookies


def test_every_page_renews_the_last_request_cookie(client, socialraadgiver):
    client.force_login(socialraadgiver)
    response = client.get("/opgaver/")
    cookie = response.cookies["koreplan_seen"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    client.post("/logout/")
    assert client.cookies["koreplan_seen"].value == ""


# -- the password policy -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kort-kode", "Denne adgangskode er for kort. Den skal indeholde mindst 12 tegn."),
        ("123456789012345", "Denne adgangskode er udelukkende numerisk."),
        ("password1234", "Denne adgangskode er for almindelig."),
        ("susanneholm1", "Din adgangskode minder for meget om"),
    ],
)
def test_a_weak_password_is_refused_at_the_field(client, socialraadgiver, password, message):
    client.force_login(socialraadgiver)
    response = client.post(
        "/profil/adgangskode/",
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["new_password2"]
    assert any(message in error for error in errors), errors
    socialraadgiver.refresh_from_db()
    assert socialraadgiver.check_password(PASSWORD)


def test_a_strong_password_is_set_audited_and_the_session_goes_on(client, socialraadgiver):
    client.force_login(socialraadgiver)
    new = "lang-og-sjaelden-saetning-42"
    response = client.post(
        "/profil/adgangskode/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    socialraadgiver.refresh_from_db()
    assert socialraadgiver.check_password(new)
    assert AuditEntry.objects.filter(action="koreplan.accounts.password_changed", actor=socialraadgiver).exists()
    assert client.get("/opgaver/").status_code == 200


def test_the_wrong_old_password_is_an_error_at_its_field(client, socialraadgiver):
    client.force_login(socialraadgiver)
    new = "lang-og-sjaelden-saetning-42"
    response = client.post("/profil/adgangskode/", {"old_password": "forkert", "new_password1": new, "new_password2": new})
    assert "old_password" in response.context["form"].errors


def test_the_admin_refuses_a_weak_password_for_a_new_user(client, admin, faengsel):
    client.force_login(admin)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "ny",
            "password1": "kort",
            "password2": "kort",
            "usable_password": "true",
            "organisation": faengsel.pk,
            "role": "social_worker",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert any("mindst 12 tegn" in error for error in errors["password2"]), errors
