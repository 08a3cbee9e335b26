"""The user administration in Django's admin: what the browser test's axe check found on
the user form, checked here without a browser."""

from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.django_db


class _Form(HTMLParser):
    """The labels' targets, and the fields a person fills in (id, name, class)."""

    def __init__(self):
        super().__init__()
        self.labelled: set[str] = set()
        self.fields: list[tuple[str, str, str]] = []
        self.stylesheets: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label" and attrs.get("for"):
            self.labelled.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit", "button"):
            if attrs.get("aria-label"):
                self.labelled.add(attrs.get("id") or "")
            self.fields.append((attrs.get("id") or "", attrs.get("name") or "", attrs.get("class") or ""))
        elif tag == "link" and attrs.get("rel") == "stylesheet":
            self.stylesheets.append(attrs.get("href") or "")


def _form(client, url: str) -> _Form:
    response = client.get(url)
    assert response.status_code == 200
    parsed = _Form()
    parsed.feed(response.content.decode())
    return parsed


@pytest.mark.parametrize("page", ["change", "add"])
def test_every_field_of_the_user_form_has_a_label(client, admin, socialraadgiver, page):
    client.force_login(admin)
    url = f"/admin/accounts/user/{socialraadgiver.pk}/change/" if page == "change" else "/admin/accounts/user/add/"
    form = _form(client, url)
    assert form.fields
    unlabelled = [field for field in form.fields if field[0] not in form.labelled]
    assert not unlabelled, unlabelled
    # select2's autocomplete and the filter boxes are rendered by script without a name
    # for assistive technology; the form uses plain selects.
    assert not [field for field in form.fields if "admin-autocomplete" in field[2] or "selectfilter" in field[2]]


def test_the_admin_underlines_its_breadcrumb_links(client, admin):
    client.force_login(admin)
    assert any(href.endswith("koreplan/css/admin.css") for href in _form(client, "/admin/").stylesheets)
