"""A small browser for the journey tests: read a page's forms and links, fill a form in
the way a person would, post it, and follow the redirect.

It keeps the tests honest about the pages: a form is submitted with what the page itself
renders — its hidden fields (version, revision, the preview's digest), the options it
checks or selects by default — and a value can only be typed into a field the page shows,
or chosen among the options it offers. A field that is missing, disabled or offers no such
option fails the test, as it would stop the persona.

Only the standard library's HTML parser: no browser, no JavaScript. htmx attributes are
ignored; every form here also works as an ordinary post/redirect/get.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as DjangoClient
from django.utils import timezone

from koreplan.organisations.models import Entrance

# -- reading a page ---------------------------------------------------------------------------


@dataclass
class Field:
    tag: str  # input, select, textarea, button
    name: str
    type: str = ""
    value: str = ""
    checked: bool = False
    disabled: bool = False
    multiple: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)

    def named(self, name: str) -> list[Field]:
        return [f for f in self.fields if f.name == name]

    @property
    def names(self) -> set[str]:
        return {f.name for f in self.fields}

    def offered(self, name: str) -> set[str]:
        """The values a person can give the field by clicking: its options, radios or boxes."""
        values: set[str] = set()
        for f in self.named(name):
            if f.tag == "select":
                values |= {value for value, _selected in f.options}
            elif f.type in ("radio", "checkbox"):
                values.add(f.value)
        return values

    def defaults(self) -> dict[str, list[str]]:
        """What a browser would send if the person changed nothing (buttons aside)."""
        data: dict[str, list[str]] = {}
        for f in self.fields:
            if f.disabled or not f.name or f.tag == "button" or f.type in ("submit", "button", "reset", "image", "file"):
                continue
            if f.type in ("checkbox", "radio"):
                if f.checked:
                    data.setdefault(f.name, []).append(f.value)
            elif f.tag == "select":
                chosen = [value for value, selected in f.options if selected]
                if not chosen and not f.multiple and f.options:
                    chosen = [f.options[0][0]]
                data.setdefault(f.name, []).extend(chosen)
            else:
                data.setdefault(f.name, []).append(f.value)
        return data


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: dict[str, Any] | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        disabled = "disabled" in a
        if tag == "input":
            kind = a.get("type", "text").lower()
            # A box or radio without a value attribute sends "on"; value="" sends "".
            value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            self._form.fields.append(Field(
                "input", a.get("name", ""), type=kind, value=value, checked="checked" in a, disabled=disabled,
            ))
        elif tag == "button":
            self._form.fields.append(Field("button", a.get("name", ""), type=a.get("type", "submit").lower(),
                                           value=a.get("value", ""), disabled=disabled))
        elif tag == "select":
            self._select = Field("select", a.get("name", ""), disabled=disabled, multiple="multiple" in a)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._close_option()
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
        elif tag == "textarea":
            self._textarea = Field("textarea", a.get("name", ""), disabled=disabled)
            self._form.fields.append(self._textarea)

    def _close_option(self) -> None:
        if self._option is not None and self._select is not None:
            value = self._option["value"]
            if value is None:
                value = self._option["text"].strip()
            self._select.options.append((value, self._option["selected"]))
        self._option = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "option":
            self._close_option()
        elif tag == "select":
            self._close_option()
            self._select = None
        elif tag == "textarea":
            if self._textarea is not None and self._textarea.value.startswith("\n"):
                self._textarea.value = self._textarea.value[1:]  # HTML drops the first newline
            self._textarea = None
        elif tag == "form":
            self._form = None

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option["text"] += data
        elif self._textarea is not None:
            self._textarea.value += data


def _text(value: Any) -> str:
    if isinstance(value, date | time):
        return value.isoformat(timespec="minutes") if isinstance(value, time) else value.isoformat()
    if isinstance(value, bool):
        return "on" if value else ""
    if hasattr(value, "pk"):
        return str(value.pk)
    return str(value)


class Page:
    """A page as the persona sees it: its text, its links, its forms."""

    def __init__(self, response, url: str):
        self.response = response
        self.url = url
        self.status = response.status_code
        self.html = response.content.decode() if not getattr(response, "streaming", False) else ""
        parser = _PageParser()
        parser.feed(self.html)
        self.forms = parser.forms
        self.links = [unescape(link) for link in parser.links]

    @property
    def text(self) -> str:
        """The page's words without tags, whitespace collapsed: what a reader reads."""
        body = re.sub(r"<(script|style)\b.*?</\1>", " ", self.html, flags=re.DOTALL)
        return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())

    def form(self, action: str | None = None, *, having: str | None = None) -> Form:
        """The form posting to ``action`` (a path, or its end), or the one with a field ``having``."""
        matches = [
            f for f in self.forms
            if (action is None or f.action == action or (f.action or self.url).split("#")[0].endswith(action))
            and (having is None or having in f.names)
        ]
        assert matches, f"{self.url}: no form for action={action!r} having={having!r}; forms: {[f.action for f in self.forms]}"
        return matches[0]

    def has_link(self, href: str) -> bool:
        return any(link == href or link.split("#")[0] == href for link in self.links)

    def errors(self) -> str:
        """The error summary and field errors, to say why a form was not accepted."""
        found = re.findall(r'<span class="form-error-message" id="([^"]*)">.*?</span>(.*?)</span>', self.html, re.DOTALL)
        found += re.findall(r'<div class="alert alert-(error|warning)"[^>]*>(.*?)</div>', self.html, re.DOTALL)
        messages = [f"{where}: " + " ".join(unescape(re.sub(r"<[^>]+>", " ", m)).split()) for where, m in found]
        return " | ".join(messages) or self.text[:2000]


class Browser:
    """One persona at their own desk: logged in as them, reading pages, filling in forms."""

    def __init__(self, user):
        self.client = DjangoClient()
        self.user = user
        self._logged_in_at = None
        self._last_request_at = None

    def _log_in(self) -> None:
        """Log in at the start of each working day (a session lasts ten hours), and again
        after a break longer than the idle time-out (settings.SESSION_IDLE_TIMEOUT)."""
        now = timezone.now()
        idle = timedelta(seconds=settings.SESSION_IDLE_TIMEOUT)
        if (
            self._logged_in_at is None
            or not timedelta(0) <= now - self._logged_in_at < timedelta(hours=8)
            or not timedelta(0) <= now - self._last_request_at < idle
        ):
            self.client.force_login(self.user)
            self._logged_in_at = now
        self._last_request_at = now

    def get(self, url: str, *, expect: int = 200, **query) -> Page:
        self._log_in()
        response = self.client.get(url, query or None)
        assert response.status_code == expect, f"{self.user.username} GET {url}: {response.status_code}, expected {expect}"
        return Page(response, url)

    def status(self, url: str) -> int:
        self._log_in()
        return self.client.get(url).status_code

    def click(self, page: Page, href: str, **kwargs) -> Page:
        """Follow a link the page shows."""
        assert page.has_link(href), f"{page.url} has no link to {href}"
        return self.get(href.split("#")[0], **kwargs)

    def submit(
        self,
        page: Page,
        action: str | None = None,
        values: Mapping[str, Any] | None = None,
        *,
        having: str | None = None,
        press: tuple[str, str] | None = None,
        expect: str = "redirect",
        follow: bool = True,
    ) -> Page:
        """Fill in a form of the page and submit it.

        ``values`` replace what the form holds: a list for several boxes or options. A
        radio, box or option must be one the page offers. ``press`` is the button pressed
        (name, value). With ``expect="redirect"`` the post must succeed (post/redirect/get)
        and the page redirected to is returned; with ``expect="page"`` the page is shown again
        (a preview, or a form with errors). ``follow=False`` stops at the redirect, whose
        ``Location`` is then the page's ``url``.
        """
        form = page.form(action, having=having)
        data = form.defaults()
        for name, value in (values or {}).items():
            fields = form.named(name)
            assert fields, f"{page.url}: the form has no field {name!r}; it has {sorted(form.names)}"
            assert not all(f.disabled for f in fields), f"{page.url}: the field {name!r} is disabled"
            given = [_text(v) for v in value] if isinstance(value, list | tuple | set) else [_text(value)]
            offered = form.offered(name)
            if offered or any(f.tag == "select" or f.type in ("radio", "checkbox") for f in fields):
                for v in given:
                    if v == "" and all(f.type == "checkbox" for f in fields):
                        continue
                    assert v in offered, f"{page.url}: {name!r} offers {sorted(offered)}, not {v!r}"
            data[name] = [v for v in given if not (v == "" and all(f.type == "checkbox" for f in fields))]
        if press is not None:
            buttons = [f for f in form.fields if f.tag in ("button", "input") and f.type == "submit"
                       and f.name == press[0] and f.value == press[1]]
            assert buttons, f"{page.url}: no button {press!r} in the form"
            data[press[0]] = [press[1]]
        url = (form.action or page.url).split("#")[0]
        assert form.method == "post", f"{page.url}: the form to {url} is not posted"
        self._log_in()
        response = self.client.post(url, data, follow=follow)
        if not follow:
            assert response.status_code == 302, (
                f"{self.user.username} POST {url} was not accepted ({response.status_code}): {Page(response, url).errors()}"
            )
            return Page(response, response["Location"])
        result = Page(response, response.request["PATH_INFO"])
        if expect == "redirect":
            assert response.redirect_chain, (
                f"{self.user.username} POST {url} was not accepted ({response.status_code}): {result.errors()}"
            )
            assert response.status_code == 200, f"{self.user.username} POST {url} → {response.status_code}"
        else:
            assert not response.redirect_chain, f"{self.user.username} POST {url} redirected to {response.redirect_chain}"
        return result


@pytest.fixture
def browse(db):
    """``browse(persona)``: a browser of that persona's own, who logs in on first use each day."""
    return Browser


@pytest.fixture
def indgang(kommune, guldborgsund):
    """Guldborgsund has named its entrance in Køreplan: the benefits department, where Mette works."""
    return Entrance.objects.create(
        municipality=guldborgsund, department=kommune.department, contact_person="Mette Dahl", phone="54 73 10 00"
    )


