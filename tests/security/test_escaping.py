"""Every free-text field is escaped wherever it shows.

Systematic rather than a hand list, so that a new field is covered without anyone
remembering it:

- **Stored values.** The demo (a few dozen cases at every stage, made through the services)
  is loaded, and then every free-text column of every Køreplan model — each ``CharField`` and
  ``TextField`` without choices, and every prose string inside a ``JSONField`` (the plan's
  sections, the letters to the municipality) — is overwritten with script and markup tagged
  with the field's number. The personas then walk the product: every link and htmx link of
  every page they are shown, a few pages per URL pattern, including the PDFs' HTML sources,
  the CSV and Excel exports, the .ics invitations and the API. No raw markup may appear in
  HTML; the tags seen (escaped) show which fields the walk reached, and the fields every
  case shows must be among them.
- **Form input.** Every form in ``koreplan.*.forms`` is discovered; each of its text inputs
  is bound to the same markup and rendered the way the pages render fields (with its error,
  if the value is refused), so a value typed in comes back escaped.
- **Exports** neutralise cells that a spreadsheet would read as a formula; **.ics** files
  keep a newline in a value from starting a property of its own; **e-mail** is plain text.

Model columns that are not free text (hashes, codes, keys of the rules) are listed in
``NOT_FREE_TEXT`` with the reason; a column neither covered nor listed cannot exist.
"""

from __future__ import annotations

import csv
import importlib
import inspect
import io
import re
from collections import Counter
from contextlib import contextmanager
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
import time_machine
from django import forms
from django.apps import apps
from django.core import mail
from django.db import IntegrityError, connection, models, transaction
from django.template.loader import render_to_string
from django.test import Client
from django.urls import Resolver404, resolve

PAYLOAD = '=1+2<script>x({tag})</script>"><img src=x onerror=y({tag})>{{{{7*7}}}}\nX-INJECTED:{tag}'
SHORT = "=1<script>x({tag})</script>{{{{7*7}}}}"
#: What must never reach a page unescaped: the script element, or the break out of an attribute.
RAW = re.compile(r"<script>x\(|<img src=x onerror|\"><img")
ESCAPED_TAG = re.compile(r"&lt;script&gt;x\((\d+)(?:r\d+)?\)&lt;/script&gt;")
JSON_TAG = re.compile(r"<script>x\((\d+)(?:r\d+)?\)</script>")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

TODAY = date(2026, 11, 24)
DEMO_CASES = 40

#: Columns that hold no text a person typed, with the reason.
NOT_FREE_TEXT = {
    "accounts.User.password": "a password hash, never shown",
    "organisations.Organisation.code": "the three-digit code of the reference data",
    "organisations.Region.code": "a region code of the reference data",
    "organisations.Region.slug": "part of a URL, from the reference data",
    "audit.AuditEntry.action": "an action code the services write",
    "audit.AuditEntry.object_type": "a model label the services write",
    "audit.AuditEntry.object_id": "a primary key",
    "audit.AuditEntry.prev_hash": "the hash chain",
    "audit.AuditEntry.hash": "the hash chain",
    "cases.Client.cpr": "a CPR number, validated (ten digits)",
    "cases.Case.sentence": "an ISO 8601 duration the rules compute with",
    "cases.Task.obligation_id": "the key of an obligation in the rules catalogue",
    "cases.Task.step": "a Køreplan step number from the rules",
    "api.ApiToken.token_hash": "a hash, never shown",
    "plans.AreaChange.area_key": "the key of a life area",
    "release.AgendaItem.plan_area_key": "the key of a life area",
    "notifications.Notification.url": "a path inside Køreplan the services build",
    "notifications.Notification.dedupe_key": "a key the services build",
    "notifications.OutboxMessage.dedupe_key": "a key the services build",
    "notifications.OutboxMessage.claimed_by": "a worker's host and process id",
    "dashboards.ChecklistAnswer.item": "the key of a checklist item",
    "dashboards.StoredFigures.unit": "a unit's key (land, org-<id>, region-<id>) the scope builds",
    "dashboards.StoredFigures.case_type": "a case type's key",
    "dashboards.StoredFigures.obligation": "the key of an obligation in the rules catalogue",
    "dashboards.StoredFigures.source": "a database alias from the settings",
    "consent.Consent.signed_copy_type": "a content type set from the checked file",
    "consent.Consent.signed_copy_sha256": "a digest",
    "coordination.MunicipalRequest.step": "a Køreplan step number from the rules",
    "coordination.MunicipalRequest.digest": "a digest of the request",
}

#: Fields that every walk must show somewhere, so that a walk that reaches nothing fails.
MUST_BE_SEEN = {
    "accounts.User.first_name",
    "organisations.Organisation.name",
    "cases.Client.first_name",
    "cases.Client.last_name",
    "cases.JournalEntry.text",
    "cases.Handover.message",
    "plans.PlanVersion.content",
    "consent.Consent.note",
    "coordination.MunicipalRequest.snapshot",
    "release.Meeting.minutes",
    "plans.Evaluation.reasons",
    "release.Meeting.location",
    "notifications.Notification.body",
}


def koreplan_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("koreplan.")]


def text_columns() -> list[models.Field]:
    """Every CharField/TextField without choices and every JSONField of Køreplan's models."""
    found = []
    for model in koreplan_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField) and not field.choices:
                found.append(field)
            elif isinstance(field, models.JSONField):
                found.append(field)
    return found


def label(field: models.Field) -> str:
    return f"{field.model._meta.label}.{field.name}"


def free_text_columns() -> list[models.Field]:
    return [f for f in text_columns() if label(f) not in NOT_FREE_TEXT]


def test_the_list_of_columns_that_are_not_free_text_names_existing_columns():
    labels = {label(f) for f in text_columns()}
    assert set(NOT_FREE_TEXT) - labels == set()
    assert MUST_BE_SEEN <= {label(f) for f in free_text_columns()}


# -- stored values, the walk -------------------------------------------------------------------


def _payload(field: models.Field, tag: str) -> str:
    text = PAYLOAD.format(tag=tag)
    if field.max_length and len(text) > field.max_length:
        text = SHORT.format(tag=tag)
    assert not field.max_length or len(text) <= field.max_length, label(field)
    return text


def _prose(value, text: str):
    """The JSON value with every string that reads as prose (it has a space) replaced:
    keys, codes, dates and choices have none and are kept, so the value still parses."""
    if isinstance(value, dict):
        return {k: _prose(v, text) for k, v in value.items()}
    if isinstance(value, list):
        return [_prose(v, text) for v in value]
    if isinstance(value, str) and " " in value.strip():
        return text
    return value


#: How many rows of each column hold the markup (for the walk's report).
POISONED: Counter[str] = Counter()


@contextmanager
def audit_trigger_off():
    """On PostgreSQL a trigger refuses to change an audit entry (koreplan/audit migration
    0003). Stored markup in the log is what this test must show escaped, so the set-up
    switches the trigger off inside the test's own transaction, which is rolled back."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        # The deferred foreign-key checks of the entries written so far run first: a table
        # with pending trigger events cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_auditentry_append_only")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_auditentry_append_only")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def poison(columns: list[models.Field]) -> dict[str, str]:
    """Overwrite every column with tagged markup; returns tag number → field label."""
    tags = {}
    for number, field in enumerate(columns, 1):
        tags[str(number)] = label(field)
        model = field.model
        if isinstance(field, models.JSONField):
            text = PAYLOAD.format(tag=number)
            changed = []
            for obj in model.objects.exclude(**{f"{field.attname}__isnull": True}).only("pk", field.attname):
                new = _prose(getattr(obj, field.attname), text)
                if new != getattr(obj, field.attname):
                    setattr(obj, field.attname, new)
                    changed.append(obj)
            model.objects.bulk_update(changed, [field.attname], batch_size=500)
            POISONED[label(field)] = len(changed)
            continue
        unique = field.unique or any(
            field.name in getattr(c, "fields", ()) for c in model._meta.constraints
        ) or any(field.name in together for together in model._meta.unique_together)
        # Every row where the database allows it, so that a column the demo leaves empty
        # is shown too; where a constraint wants it empty ("a given consent has no refusal
        # reasons"), only the rows that hold a value.
        for rows in (model.objects.all(), model.objects.exclude(**{f"{field.attname}__isnull": True}).exclude(**{field.attname: ""})):
            try:
                with transaction.atomic():
                    if unique:
                        for pk in rows.values_list("pk", flat=True):
                            model.objects.filter(pk=pk).update(**{field.attname: _payload(field, f"{number}r{pk}")})
                        POISONED[label(field)] = rows.count()
                    else:
                        POISONED[label(field)] = rows.update(**{field.attname: _payload(field, str(number))})
                break
            except IntegrityError:
                continue
    return tags


class _Links(HTMLParser):
    """Links, htmx links, and GET forms submitted as they stand (their hidden inputs, once
    per submit button: the exports are GET forms that ask for the optional purpose)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, bool]] = []  # (url, is an htmx request)
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append((a["href"], False))
        if a.get("hx-get"):
            self.links.append((a["hx-get"], True))
        if tag == "form" and (a.get("method") or "get").lower() == "get" and a.get("action"):
            self._form = {"action": a["action"], "fields": [], "submits": []}
        elif self._form is not None:
            if tag == "input" and a.get("type") == "hidden" and a.get("name"):
                self._form["fields"].append((a["name"], a.get("value") or ""))
            elif tag == "button" and (a.get("type") or "submit") == "submit":
                extra = [(a["name"], a.get("value") or "")] if a.get("name") else []
                self._form["submits"].append((a.get("formaction") or self._form["action"], extra))

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            form, self._form = self._form, None
            for action, extra in form["submits"] or [(form["action"], [])]:
                query = urlencode(form["fields"] + extra)
                self.links.append((f"{action}?{query}" if query else action, False))


SKIP = ("/admin/", "/logout/", "/i18n/", "/static/", "/api/v1/docs")
PER_ROUTE = 3
MAX_PAGES = 500  # per persona


class Walk:
    """What the personas' walk met: tags seen escaped, and every finding."""

    def __init__(self, tags: dict[str, str]) -> None:
        self.tags = tags
        self.seen: Counter[str] = Counter()
        self.findings: list[str] = []
        self.pages = 0
        self.kinds: Counter[str] = Counter()
        self.routes: set[str] = set()
        self.neutralised: Counter[str] = Counter()  # export format → cells defused with an apostrophe

    def html(self, where: str, text: str) -> None:
        raw = RAW.search(text)
        if raw:
            start = max(0, raw.start() - 200)
            self.findings.append(f"{where}: unescaped markup …{text[start:raw.end() + 40]}…")
        found = ESCAPED_TAG.findall(text)
        for number in found:
            self.seen[self.tags.get(number, number)] += 1
        if found and "{{7*7}}" not in text:
            self.findings.append(f"{where}: the template syntax in a value was evaluated")

    def csv(self, where: str, body: bytes) -> None:
        for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))):
            for cell in row:
                self._cell(where, cell)

    def xlsx(self, where: str, body: bytes) -> None:
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(body))
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        self.findings.append(f"{where}: a formula in {sheet.title}!{cell.coordinate}: {cell.value!r}")
                    elif isinstance(cell.value, str):
                        self._cell(where, cell.value)

    def _cell(self, where: str, cell: str) -> None:
        if cell.startswith("'") and cell[1:].startswith(FORMULA_START):
            self.neutralised[where.split("?")[0].rsplit(".", 1)[-1]] += 1
        if cell.startswith(FORMULA_START) and not re.fullmatch(r"-?\d+([.,]\d+)?", cell):
            self.findings.append(f"{where}: a cell a spreadsheet reads as a formula: {cell[:60]!r}")

    def ics(self, where: str, text: str) -> None:
        if re.search(r"^X-INJECTED", text, re.MULTILINE):
            self.findings.append(f"{where}: a value's newline started a property of its own")

    def json(self, where: str, text: str) -> None:
        for number in JSON_TAG.findall(text):
            self.seen[self.tags.get(number, number)] += 1


def api_urls(client: Client, case_ids: set[int]) -> list[str]:
    """Every GET in the API's schema with no parameter but the case, for these cases."""
    schema = client.get("/api/v1/openapi.json").json()
    urls = []
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        names = set(re.findall(r"\{(\w+)\}", path))
        if not names:
            urls.append(path)
        elif names == {"case_id"}:
            urls.extend(path.replace("{case_id}", str(pk)) for pk in sorted(case_ids))
    return urls


def cases_to_walk(user, limit: int = 4) -> set[int]:
    """A few of the user's cases that together hold a row of every model that belongs to a
    case (a plan, an evaluation, a meeting, an outcome…), chosen greedily."""
    from koreplan.cases.models import Case
    from koreplan.cases.selectors import cases_visible_to

    visible = set(cases_visible_to(user=user).values_list("pk", flat=True))
    holds: dict[int, set[str]] = {}
    for model in koreplan_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is Case:
                for case_id in set(model.objects.values_list(field.attname, flat=True)) & visible:
                    holds.setdefault(case_id, set()).add(model._meta.label)
    chosen: set[int] = set()
    covered: set[str] = set()
    while holds and len(chosen) < limit:
        best = max(sorted(holds), key=lambda pk: len(holds[pk] - covered))
        if not holds[best] - covered:
            break
        chosen.add(best)
        covered |= holds.pop(best)
    return chosen


def walk(walker: Walk, user, start: str = "/") -> None:
    """Follow links and htmx links from the start page: every page of the chosen cases once,
    other pages up to PER_ROUTE times per URL pattern."""
    client = Client()
    client.force_login(user)
    cases = cases_to_walk(user)
    queue: list[tuple[str, bool]] = [
        (start, False), ("/meddelelser/", False), *((f"/sager/{pk}/", False) for pk in sorted(cases)),
        *((url, False) for url in api_urls(client, cases)),
    ]
    visited: set[tuple[str, bool]] = set()
    per_route: Counter[str] = Counter()
    pages = 0
    while queue and pages < MAX_PAGES:
        url, htmx = queue.pop(0)
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or url.startswith(("#", "mailto:", "tel:")):
            continue
        path = parts.path
        if (url, htmx) in visited or path.startswith(SKIP):
            continue
        visited.add((url, htmx))
        try:
            match = resolve(path)
        except Resolver404:
            continue
        case_id = match.kwargs.get("case_id")
        if case_id is not None and int(case_id) not in cases:
            continue
        # Ids vary the object; words (a section, a table, a format) vary the page itself.
        words = sorted((k, v) for k, v in match.kwargs.items() if not isinstance(v, int))
        route = f"{match.route}|{htmx}|{case_id}|{words}"
        if per_route[route] >= PER_ROUTE:
            continue
        per_route[route] += 1
        walker.routes.add(match.route)
        pages += 1
        response = client.get(url, headers={"HX-Request": "true"} if htmx else {})
        walker.pages += 1
        where = f"{user.pk}:{'htmx ' if htmx else ''}{url}"
        if response.status_code in (301, 302, 303):
            queue.append((urljoin(url, response["Location"]), False))
            continue
        if response.status_code != 200:
            continue
        kind = response.get("Content-Type", "").split(";")[0]
        walker.kinds[kind] += 1
        if path.startswith("/api/") and kind != "application/json":
            # The API's values are escaped by its clients: it must never answer in HTML.
            walker.findings.append(f"{where}: the API answered {kind}")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if kind == "text/html":
            text = body.decode()
            walker.html(where, text)
            parser = _Links()
            parser.feed(text)
            queue.extend((urljoin(url, link), is_htmx) for link, is_htmx in parser.links)
        elif kind == "text/csv":
            walker.csv(where, body)
        elif kind == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
            walker.xlsx(where, body)
        elif kind == "text/calendar":
            walker.ics(where, body.decode())
        elif kind == "application/json":
            walker.json(where, body.decode())


@pytest.fixture(scope="module")
def poisoned(django_db_setup, django_db_blocker):
    """The demo with every free-text column holding tagged markup (rolled back afterwards)."""
    from koreplan.cases.demo import DEMO_LOGINS, demo_load
    from koreplan.cases.tests.once_per_module import rolled_back_world

    with rolled_back_world(django_db_blocker, today=TODAY):
        demo_load(cases=DEMO_CASES)
        from koreplan.accounts.models import User

        personas = list(User.objects.filter(username__in=DEMO_LOGINS).order_by("username"))
        with audit_trigger_off():
            tags = poison(free_text_columns())
        yield personas, tags


@pytest.fixture
def pdf_sources(monkeypatch):
    """The HTML each PDF is made from, captured instead of running WeasyPrint."""
    sources: list[str] = []

    def capture(html: str) -> bytes:
        sources.append(html)
        return b"%PDF-1.7\n%%EOF"

    # Every module of Køreplan that holds a PDF renderer, however it imported it (the URL
    # configuration imports every view, and with them their modules).
    import sys

    import config.urls  # noqa: F401

    for module in [m for name, m in sys.modules.items() if name.startswith("koreplan.") and m is not None]:
        for attribute in ("render_pdf", "html_pdf"):
            if callable(getattr(module, attribute, None)):
                monkeypatch.setattr(module, attribute, capture)
    return sources


@pytest.mark.django_db
def test_no_page_export_or_pdf_shows_a_stored_value_unescaped(poisoned, pdf_sources):
    personas, tags = poisoned
    walker = Walk(tags)
    with time_machine.travel(TODAY, tick=False):
        for user in personas:
            walk(walker, user)
    for number, source in enumerate(pdf_sources):
        walker.html(f"PDF source {number}", source)
    assert walker.findings == []
    # The walk reached the product: pages of every kind, and the fields every case shows.
    assert walker.pages > 100
    assert walker.kinds["text/html"] > 100 and walker.kinds["application/json"] > 0
    assert walker.kinds["text/csv"] > 0 and walker.kinds["text/calendar"] > 0
    assert pdf_sources, "no PDF was made"
    # A stored value that starts like a formula (the markup does) reached both exports, defused.
    assert walker.neutralised["csv"] > 0 and walker.neutralised["xlsx"] > 0, walker.neutralised
    unseen = sorted((field, rows) for field, rows in POISONED.items() if rows and field not in walker.seen)
    assert MUST_BE_SEEN - set(walker.seen) == set(), f"not shown anywhere (field, rows holding markup): {unseen}"


def test_the_walk_would_notice_unescaped_markup():
    walker = Walk({"7": "cases.JournalEntry.text"})
    walker.html("page", '<p>&lt;script&gt;x(7)&lt;/script&gt; {{7*7}}</p><p><script>x(7)</script></p>')
    walker.html("attribute", '<input value="=1"><img src=x onerror=y(7)>">')
    walker.html("template", "<p>&lt;script&gt;x(7)&lt;/script&gt; 49</p>")
    walker.csv("csv", "Navn,Antal\r\n=1+2,3\r\n-5,4\r\n".encode())
    walker.ics("ics", "BEGIN:VEVENT\r\nLOCATION:a\r\nX-INJECTED:7\r\nEND:VEVENT\r\n")
    assert len(walker.findings) == 5, walker.findings
    assert walker.seen["cases.JournalEntry.text"] == 2


# -- form input ---------------------------------------------------------------------------------


def koreplan_forms() -> list[type[forms.BaseForm]]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("koreplan."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def text_inputs(form_class: type[forms.BaseForm]) -> list[str]:
    return [
        name for name, field in form_class.base_fields.items()
        # A CharField drawn as a select offers choices: nothing typed is shown back.
        if isinstance(field, forms.CharField)
        and not isinstance(field.widget, forms.HiddenInput | forms.PasswordInput | forms.widgets.ChoiceWidget)
    ]


def test_the_forms_and_their_text_inputs_are_found():
    classes = koreplan_forms()
    assert len(classes) > 10
    inputs = {f"{cls.__name__}.{name}" for cls in classes for name in text_inputs(cls)}
    assert {"ConsentForm.note", "RefusalForm.refusal_reasons"} <= inputs


@pytest.mark.parametrize(
    ("form_class", "name"),
    [(cls, name) for cls in koreplan_forms() for name in text_inputs(cls)],
    ids=lambda value: value.__name__ if isinstance(value, type) else value,
)
def test_a_value_typed_into_a_text_input_comes_back_escaped(form_class, name):
    # The field alone, as the pages render it (includes/form_field.html), bound to the
    # markup and validated, so that an error message that repeats the value is shown too.
    field = form_class.base_fields[name]
    single = type("Single", (forms.Form,), {name: field})
    text = PAYLOAD.format(tag=1)
    if field.max_length and len(text) > field.max_length:
        text = SHORT.format(tag=1)
    form = single(data={name: text})
    form.is_valid()
    html = render_to_string("includes/form_field.html", {"field": form[name]})
    assert not RAW.search(html), html
    assert "&lt;script&gt;x(1)&lt;/script&gt;" in html or form.errors, html


# -- e-mail ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_e_mail_is_plain_text_and_keeps_markup_as_typed(socialraadgiver, settings):
    from koreplan.notifications import delivery
    from koreplan.notifications.models import Kind, OutboxMessage
    from koreplan.notifications.services import notify

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The e-mail shows the recipient's name and the notification's subject (never its body).
    text = "<script>x(1)</script>&amp;"
    socialraadgiver.email = "susanne@example.dk"
    socialraadgiver.first_name = text
    socialraadgiver.save()
    with transaction.atomic():
        notify(recipients=[socialraadgiver], kind=Kind.values[0], subject="<b>Ny besked</b>", body="brødtekst")
    # Only this test's messages: the module's walk may have left markup in others.
    messages = OutboxMessage.objects.filter(recipient=socialraadgiver)
    assert messages.exists(), "the persona gets no e-mail of this kind"
    connection = mail.get_connection()
    for message in messages:
        email = delivery._as_email(message, connection).message()
        assert email.get_content_type() == "text/plain"
        assert not email.is_multipart()
        assert "\n" not in email["Subject"].replace("\n ", "")
        # Plain text keeps what was typed, as typed (HTML escaping would garble it).
        assert text in email.get_payload(decode=True).decode()
        assert "<b>Ny besked</b>" in message.subject
