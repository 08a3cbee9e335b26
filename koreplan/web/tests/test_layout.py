"""The layout written in Python (koreplan.web.layout) gives the page base.html gave.

old_base.html is base.html as it was before the header, stylesheets and scripts moved to
Python; it is never edited. Each page is fetched twice, once with each base, and the two
must be the same but for whitespace and the CSRF tokens (new on every request).
"""

import copy
import difflib
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from koreplan.accounts.tests.factories import UserFactory
from koreplan.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

OLD_BASE = (Path(__file__).parent / "old_base.html").read_text(encoding="utf-8")
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def normalised(html: str) -> str:
    return _CSRF.sub('name="csrfmiddlewaretoken" value="…"', " ".join(html.split()))


def _old_base_templates() -> list[dict]:
    """TEMPLATES with base.html read from old_base.html and everything else as before."""
    templates = copy.deepcopy(django_settings.TEMPLATES)
    engine = templates[0]
    engine["APP_DIRS"] = False
    # Wrapped as template_partials wraps the default loaders, for the pages' partials.
    engine["OPTIONS"]["loaders"] = [("template_partials.loader.Loader", [
        ("django.template.loaders.locmem.Loader", {"base.html": OLD_BASE}),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ])]
    return templates


def assert_same(new: str, old: str) -> None:
    """new == old, shown on failure as a diff of one tag a line."""
    if new != old:
        diff = difflib.unified_diff(
            old.replace("> <", ">\n<").splitlines(), new.replace("> <", ">\n<").splitlines(), "old", "new", lineterm=""
        )
        pytest.fail("\n".join(diff))


def both(client, settings, path: str) -> tuple[str, str]:
    """The page with the new base, then with the old."""
    new = client.get(path)
    assert new.status_code == 200, path
    original = settings.TEMPLATES
    settings.TEMPLATES = _old_base_templates()
    try:
        old = client.get(path)
    finally:
        settings.TEMPLATES = original
    assert old.status_code == 200, path
    return normalised(new.content.decode()), normalised(old.content.decode())


def tell(user, n: int = 1) -> None:
    for i in range(n):
        Notification.objects.create(recipient=user, kind=Kind.HANDOVER_REQUESTED, subject=f"Besked {i}")


def in_english(client) -> None:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(params=["da", "en"])
def language(request, client) -> str:
    if request.param == "en":
        in_english(client)
    return request.param


def test_the_old_base_is_really_in_use(client, settings, socialraadgiver):
    # Guards the comparison itself: were the old base not read, every test below would
    # compare the new layout with itself.
    client.force_login(socialraadgiver)
    settings.TEMPLATES = _old_base_templates()
    response = client.get("/opgaver/")
    loaders = {type(t.origin.loader).__module__ for t in response.templates if t.name == "base.html"}
    assert loaders == {"django.template.loaders.locmem"}


@pytest.mark.parametrize("path", ["/login/", "/login/?next=/sager/%3Fq%3D%3Cb%3E"])
def test_the_login_page(client, settings, language, path):
    new, old = both(client, settings, path)
    assert_same(new, old)
    assert "portal-info" not in new


@pytest.mark.parametrize("path", ["/opgaver/", "/sager/", "/meddelelser/", "/meddelelser/indstillinger/", "/profil/"])
def test_a_social_worker_s_pages(client, settings, language, socialraadgiver, path):
    tell(socialraadgiver, 3)
    client.force_login(socialraadgiver)
    new, old = both(client, settings, path)
    assert_same(new, old)
    assert "(3)" in new


def test_the_current_section_is_marked(client, settings, socialraadgiver):
    client.force_login(socialraadgiver)
    for path, marked in [("/meddelelser/", "notifications"), ("/profil/", "profile")]:
        new, old = both(client, settings, path)
        assert_same(new, old)
        link = f'koreplan-{marked}-link d-print-none"><a href="{path}" class="function-link" aria-current="page"'
        assert link in new


def test_a_municipal_user_with_the_inbox(client, settings, language, kommune):
    client.force_login(kommune)
    new, old = both(client, settings, "/indbakke/")
    assert_same(new, old)
    assert "Guldborgsund" in new


def test_a_manager(client, settings, leder):
    client.force_login(leder)
    new, old = both(client, settings, "/ledelse/")
    assert_same(new, old)


def test_an_administrator(client, settings, language, admin):
    tell(admin)
    client.force_login(admin)
    new, old = both(client, settings, "/sager/")
    assert_same(new, old)
    assert "/admin/" in new


def test_a_user_without_an_organisation(client, settings, language):
    user = UserFactory(
        username="root", first_name="Rod", last_name="Bruger", organisation=None, role="", is_superuser=True
    )
    client.force_login(user)
    new, old = both(client, settings, "/sager/")
    assert_same(new, old)
    assert '<p class="user">Rod Bruger</p>' in new


def test_names_and_paths_are_escaped_alike(client, settings, faengsel):
    faengsel.name = 'Fængsel <"&\'>'
    faengsel.save()
    user = UserFactory(username="x", first_name='<b>"O\'Brien"</b>', last_name="&", organisation=faengsel)
    client.force_login(user)
    new, old = both(client, settings, "/opgaver/?q=%3Cscript%3E%22'&x=1")
    assert_same(new, old)
    assert "<b>" not in new and "<script>" not in new


def test_the_layout_follows_a_changed_setting(client, settings, socialraadgiver):
    client.force_login(socialraadgiver)
    assert '/static/koreplan/css/koreplan.css"' in client.get("/opgaver/").content.decode()

    settings.STATIC_URL = "/elsewhere/"

    html = client.get("/opgaver/").content.decode()
    assert '"/elsewhere/koreplan/css/koreplan.css"' in html
    assert '"/elsewhere/koreplan/js/koreplan.js"' in html
    assert "/static/" not in html


def test_the_unread_count_is_read_once_per_page(client, socialraadgiver):
    # Shown in the header and again in the drawer, it is counted once.
    tell(socialraadgiver, 2)
    client.force_login(socialraadgiver)
    with CaptureQueriesContext(connection) as queries:
        client.get("/opgaver/")
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"] and "notification" in q["sql"]]
    assert len(counts) == 1
