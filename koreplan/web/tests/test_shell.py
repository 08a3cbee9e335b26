import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.staticfiles import finders
from django.shortcuts import render
from django.test import RequestFactory

from koreplan.accounts.tests.factories import PASSWORD
from koreplan.web.templatetags.koreplan_web import DKFDS_STATIC, HTMX_STATIC

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_the_login_page_is_in_danish(client):
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="da">' in html
    assert "Gå til indhold" in html
    assert "<h1>Log ind</h1>" in html
    assert '<label class="form-label" for="id_username">Brugernavn</label>' in html
    assert '<label class="form-label" for="id_password">Adgangskode</label>' in html


def test_the_browsers_language_does_not_override_danish(client):
    response = client.get("/login/", headers={"accept-language": "en"})
    assert '<html lang="da">' in response.content.decode()


def test_the_language_can_be_switched_to_english_without_javascript(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/login/"

    html = client.get("/login/").content.decode()
    assert '<html lang="en">' in html
    assert "Skip to content" in html
    assert "<h1>Log in</h1>" in html


def test_logging_in_lands_on_the_home_page(client, socialraadgiver):
    response = client.post("/login/", {"username": "susanne", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_failed_login_says_so(client, socialraadgiver):
    response = client.post("/login/", {"username": "susanne", "password": "forkert"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="alert alert-error" role="alert"' in html
    assert "Du kunne ikke logges ind" in html


def test_the_home_page_is_my_tasks(client, socialraadgiver):
    client.force_login(socialraadgiver)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/opgaver/"


def test_the_page_shell_shows_the_user_and_the_main_menu(client, socialraadgiver):
    client.force_login(socialraadgiver)
    response = client.get("/opgaver/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Susanne Holm, Storstrøm Fængsel" in html
    # The current section is marked for screen readers, not by styling alone.
    assert '<a href="/opgaver/" class="nav-link" aria-current="page"><span>Mine opgaver</span></a>' in html
    for href, label in [
        ("/sager/", "Sager"),
        ("/overdragelser/", "Overdragelser"),
    ]:
        assert f'<a href="{href}" class="nav-link"><span>{label}</span></a>' in html
    # The admin is for those who may use it.
    assert 'href="/admin/"' not in html
    assert '<main id="main-content"' in html
    assert 'action="/logout/" method="post"' in html


def test_an_administrator_sees_the_admin(client, admin):
    client.force_login(admin)
    assert 'href="/admin/"' in client.get("/opgaver/").content.decode()


def test_logging_out_is_a_post(client, socialraadgiver):
    client.force_login(socialraadgiver)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_messages_show_as_dkfds_alerts(socialraadgiver):
    request = RequestFactory().get("/")
    request.user = socialraadgiver
    request.session = {}
    request._messages = FallbackStorage(request)
    messages.success(request, "Planen er gemt.")
    messages.error(request, "Samtykket mangler.")

    html = render(request, "base.html").content.decode()

    assert 'class="alert alert-success"' in html
    assert 'class="alert alert-error" role="alert"' in html
    assert "Planen er gemt." in html


def test_the_pages_load_their_assets_from_the_vendored_static_files(client):
    html = client.get("/login/").content.decode()
    for path in [
        f"{DKFDS_STATIC}/css/dkfds.min.css",
        f"{DKFDS_STATIC}/js/dkfds.min.js",
        f"{DKFDS_STATIC}/img/all-svg-icons.svg",
        f"{HTMX_STATIC}/htmx.min.js",
        "koreplan/js/koreplan.js",
    ]:
        assert finders.find(path), path
    assert f'<script defer src="/static/{HTMX_STATIC}/htmx.min.js"></script>' in html
    assert "<script>" not in html
