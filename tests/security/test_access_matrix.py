"""Every page and every API operation, asked by every persona: the access matrix.

The URLs are not listed by hand: they come from the URL configuration (every pattern of
every included app) and from the API's OpenAPI schema (every operation). Each must have
an entry below saying which rule guards it; a pattern or operation without one fails the
test, so a new URL cannot slip in without someone deciding who may reach it.

The world (conftest.py) is one case at Susanne's prison with an object of every kind a URL
takes the id of. Each URL's parameters are filled from it, and each persona — and someone
not logged in — asks for it (GET, then POST; the API's operations with their own method).

What must hold:
- not logged in: a page redirects to the login page; an API operation answers 401;
- a persona without a part in the object gets 404, as if it did not exist (403 only for the
  pages listed in EXISTENCE_NOT_SECRET), and never sees the client's name or CPR;
- the persona the object belongs to is not told 404 (so the matrix is not passing merely
  because the ids were wrong);
- nobody ever gets a server error.
"""

from __future__ import annotations

import functools
import json
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from koreplan.api.api import api

from .conftest import SURNAME

pytestmark = pytest.mark.django_db

PERSONAS = [
    "socialraadgiver", "kollega", "fremmed", "kif", "kommune", "sagsbehandler", "anden_kommune", "leder", "admin",
]
ANONYMOUS = "anonymous"

#: Deliberately open without logging in, or not part of the application's own access model.
PUBLIC = {
    # Django's admin has its own login and staff check.
    "admin",
    # Choosing the language must work on the login page; it shows nothing.
    "set_language",
    # Logging in and out: the one-time code after the password, and the broker's (OIDC)
    # round trip, which answers 404 unless configured.
    "login",
    "logout",
    "accounts:otp_verify",
    "oidc_authentication_init",
    "oidc_authentication_callback",
    # The API's schema and docs describe the operations and hold no personal data; the
    # operations themselves are checked below from the schema.
    "api:openapi-json",
    "api:openapi-view",
}

# -- the rules ---------------------------------------------------------------------------------------

#: A page of the case. cases_visible_to gives it to the organisations with a part in the case
#: (Susanne's prison, KIF once involved, the administrator); municipalities never see the
#: case itself, only what was sent to them through the inbox.
CASE = "case"
#: A request in Guldborgsund's inbox, not yet routed: only its entrance (Mette) sees it.
INBOX = "inbox"
#: A notification: only its recipient.
OWN = "own"
#: A hand-over waiting for KIF to accept it: only Karen's KIF department.
RECEIVER = "receiver"
#: No object in the address: each persona gets their own (their list, their tasks), or is
#: refused a page of a role they do not have.
LIST = "list"
#: The pages about a person (their log, the subject-access export): the administrator only.
ADMIN = "admin"

#: Who has no part, per rule (and so must get 404), and whose object it is (must not get 404).
OUTSIDERS = {
    CASE: {"fremmed", "kommune", "sagsbehandler", "anden_kommune"},
    INBOX: set(PERSONAS) - {"kommune"},
    OWN: set(PERSONAS) - {"kommune"},  # the world's notification is Mette's (the notice sent to her)
    RECEIVER: set(PERSONAS) - {"kif"},
    LIST: set(),
    ADMIN: set(PERSONAS) - {"admin"},
}
OWNER = {CASE: "socialraadgiver", INBOX: "kommune", OWN: "kommune", RECEIVER: "kif", LIST: None, ADMIN: "admin"}

#: Personas who have no part in anything in the world: no response to them may name the client.
STRANGERS = {"fremmed", "anden_kommune"}

#: Pages that may answer an outsider 403 rather than 404, because whether the thing exists is
#: no secret. None so far: every object page answers 404.
EXISTENCE_NOT_SECRET: set[str] = set()

#: Where the persona the object belongs to is rightly told 404, and why.
OWNER_404 = {
    # An evaluation is answered once the case is released; before that there is none to post.
    ("dashboards:evaluation", "POST"),
}

#: Every page: its rule, and the values of its parameters that are not ids of the world.
PAGES: dict[str, tuple[str, dict[str, str]]] = {
    "home": (LIST, {}),
    "cases:worklist": (LIST, {}),
    "cases:worklist_task_complete": (CASE, {}),
    "cases:case_list": (LIST, {}),
    "cases:case_create": (LIST, {}),
    "cases:case_detail": (CASE, {}),
    "cases:case_facts": (CASE, {}),
    "cases:task_complete": (CASE, {}),
    "cases:case_responsibility": (CASE, {}),
    "cases:handover_request": (CASE, {}),
    "cases:client_municipality": (CASE, {}),
    "cases:handover_withdraw": (CASE, {}),
    "cases:journal_add": (CASE, {}),
    "cases:handover_list": (LIST, {}),
    "cases:handover_accept": (RECEIVER, {}),
    "cases:handover_return": (RECEIVER, {}),
    "plans:plan": (CASE, {}),
    "plans:version": (CASE, {}),
    "plans:start": (CASE, {}),
    "plans:version_create": (CASE, {}),
    "plans:intake_interview": (CASE, {}),
    "plans:description_edit": (CASE, {"area_slug": "bolig"}),
    "plans:section_edit": (CASE, {"slug": "aarsager"}),
    "plans:entry_add": (CASE, {}),
    "plans:area_new": (CASE, {}),
    "plans:area_edit": (CASE, {}),
    "plans:area_remove": (CASE, {}),
    "plans:version_finish": (CASE, {}),
    "plans:approval": (CASE, {}),
    "plans:pdf": (CASE, {}),
    "plans:evaluation": (CASE, {}),
    "plans:status": (CASE, {}),
    "plans:compare": (CASE, {}),
    "plans:parole_draft": (CASE, {}),
    "notifications:list": (LIST, {}),
    "notifications:open": (OWN, {}),
    "notifications:read": (OWN, {}),
    "notifications:read_all": (LIST, {}),
    "notifications:preferences": (LIST, {}),
    "dashboards:dashboard": (LIST, {}),
    "dashboards:recompute": (LIST, {}),
    "dashboards:cases": (LIST, {}),
    "dashboards:export": (LIST, {"table": "alle", "fmt": "xlsx"}),
    "dashboards:survey": (LIST, {}),
    "dashboards:survey_pdf": (LIST, {}),
    "dashboards:evaluations": (LIST, {}),
    "dashboards:evaluation": (CASE, {}),
    "release:release": (CASE, {}),
    "release:readiness_update": (CASE, {"item": "housing"}),
    "release:meeting_new": (CASE, {"kind": "loesladelsesmoede"}),
    "release:meeting_edit": (CASE, {}),
    "release:meeting_held": (CASE, {}),
    "release:meeting_cancel": (CASE, {}),
    "release:meeting_ics": (CASE, {}),
    "release:agreement_add": (CASE, {}),
    "release:agreement_remove": (CASE, {}),
    "release:agenda_update": (CASE, {}),
    "release:outcome": (CASE, {"moment": "ved-loesladelsen"}),
    "release:kif_involve": (CASE, {}),
    "consent:list": (CASE, {}),
    "consent:create": (CASE, {}),
    "consent:refuse": (CASE, {}),
    "consent:print": (CASE, {}),
    "consent:print_pdf": (CASE, {}),
    "consent:withdraw": (CASE, {}),
    "consent:signed_copy": (CASE, {}),
    "consent:disclosure_decide": (CASE, {}),
    "coordination:request_new": (CASE, {"kind_slug": "indsaettelse"}),
    "coordination:request_detail": (CASE, {}),
    "coordination:request_approve": (CASE, {}),
    "coordination:inbox": (LIST, {}),
    "coordination:inbox_detail": (INBOX, {}),
    "coordination:inbox_route": (INBOX, {}),
    "coordination:inbox_return": (INBOX, {}),
    "accounts:profile": (LIST, {}),
    "accounts:password_change": (LIST, {}),
    "accounts:otp_enrol": (LIST, {}),
    "accounts:otp_backup_codes": (LIST, {}),
    "accounts:otp_remove": (LIST, {}),
    "privacy:person_search": (ADMIN, {}),
    "privacy:person_log": (ADMIN, {}),
    "privacy:person_log_export": (ADMIN, {"fmt": "csv"}),
    "privacy:subject_access_export": (ADMIN, {"fmt": "json"}),
}

#: Every API operation (by its operationId): its rule, and parameters that are not ids.
OPERATIONS: dict[str, tuple[str, dict[str, str]]] = {
    "cases_list": (LIST, {}),
    "case_create": (LIST, {}),
    "case_detail": (CASE, {}),
    "case_update": (CASE, {}),
    "case_acting_municipality_change": (CASE, {}),
    "case_timeline": (CASE, {}),
    "case_tasks": (CASE, {}),
    "worklist": (LIST, {}),
    "task_complete": (CASE, {}),
    "organisations": (LIST, {}),
    # Municipalities and their entrances are public facts, shown to every user.
    "municipality": (LIST, {}),
    "me": (LIST, {}),
    "plan_detail": (CASE, {}),
    "plan_create": (CASE, {}),
    "version_detail": (CASE, {}),
    "version_create": (CASE, {}),
    "section_update": (CASE, {"section": "causes"}),
    "area_add": (CASE, {}),
    "area_change": (CASE, {}),
    "area_remove": (CASE, {}),
    "version_finish": (CASE, {}),
    "evaluation_create": (CASE, {}),
    "status_create": (CASE, {}),
    "approval_request": (CASE, {}),
    "approval_decide": (CASE, {}),
    "release_detail": (CASE, {}),
    "readiness_detail": (CASE, {}),
    "readiness_update": (CASE, {"item": "housing"}),
    "meeting_list": (CASE, {}),
    "meeting_create": (CASE, {}),
    "meeting_detail": (CASE, {}),
    "meeting_update": (CASE, {}),
    "meeting_held": (CASE, {}),
    "meeting_cancel": (CASE, {}),
    "meeting_ics": (CASE, {}),
    "agreement_create": (CASE, {}),
    "agreement_delete": (CASE, {}),
    "outcome_list": (CASE, {}),
    "outcome_put": (CASE, {"moment": "at_release"}),
    "kif_involve": (CASE, {}),
    "consents_list": (CASE, {}),
    "consent_create": (CASE, {}),
    "consent_withdraw": (CASE, {}),
    "consent_signed_copy": (CASE, {}),
    "disclosures_list": (CASE, {}),
    "disclosure_decide": (CASE, {}),
    "requests_list": (CASE, {}),
    "request_send": (CASE, {}),
    "request_preview": (CASE, {}),
    "request_detail": (CASE, {}),
    "request_approval": (CASE, {}),
    "inbox_list": (LIST, {}),
    "inbox_detail": (INBOX, {}),
    "inbox_route": (INBOX, {}),
    "inbox_return": (INBOX, {}),
    "dashboard_units": (LIST, {}),
    "dashboard_figures": (LIST, {}),
    "dashboard_cases": (LIST, {}),
}

# -- the URLs ----------------------------------------------------------------------------------------


def _patterns(resolvers, prefix: str = "", namespace: str = ""):
    """(route, name) of every pattern, through every include."""
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            if inner == "admin":
                yield str(entry.pattern), "admin"
                continue
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}:{entry.name}" if namespace else entry.name


def page_patterns() -> list[tuple[str, str]]:
    """Every pattern that is not public and not an API operation (those come from the schema)."""
    return [
        (route, name) for route, name in _patterns(get_resolver().url_patterns)
        if name not in PUBLIC and not route.startswith("api/v1/")
    ]


def api_operations() -> list[tuple[str, str, str]]:
    """(method, path, operationId) of every operation in the OpenAPI schema."""
    schema = api.get_openapi_schema()
    return [
        (method.upper(), path, operation["operationId"])
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


@functools.cache
def valid_bodies() -> dict[str, tuple[str, object]]:
    """One request body per write operation that fits the schema (schemathesis makes it), so
    that an outsider's write passes ninja's validation and reaches the view's access check
    — an empty body would be refused with 422 before it, whatever the id."""
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.core import NotSet

    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    bodies = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        found = []

        @given(case=operation.as_strategy())
        @settings(max_examples=1, derandomize=True, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def pick(case):
            found.append(case)

        pick()
        case = found[0]
        if not isinstance(case.body, NotSet):
            bodies[operation.label] = (case.media_type, case.body)
    return bodies


def api_request(client: Client, method: str, path: str, url: str):
    """The operation with a body that fits its schema (none for GET and DELETE)."""
    media_type, body = valid_bodies().get(f"{method} {path}", (None, None))
    if media_type is None:
        return client.generic(method, url)
    if media_type == "multipart/form-data":
        from django.core.files.uploadedfile import SimpleUploadedFile

        # schemathesis's Binary (a str subclass) holds a file's bytes in ``data``.
        data = {
            name: SimpleUploadedFile(name, bytes(value.data)) if hasattr(value, "data") else value
            for name, value in body.items()
        }
        return client.post(url, data)
    return client.generic(method, url, json.dumps(body), content_type=media_type)


def fill(template: str, pattern: str, values: dict[str, object], where: str) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        assert name in values, f"{where}: no value for the parameter {name!r}; add it to the world or the entry"
        return str(values[name])

    return re.sub(pattern, value, template)


def test_every_url_has_an_access_rule():
    """A new page or operation fails here until someone writes down who may reach it."""
    pages = {name for _route, name in page_patterns()}
    assert pages - PAGES.keys() == set(), "pages without an access rule in PAGES"
    assert PAGES.keys() - pages == set(), "entries in PAGES for pages that no longer exist"
    operations = {operation_id for _m, _p, operation_id in api_operations()}
    assert operations - OPERATIONS.keys() == set(), "API operations without an access rule in OPERATIONS"
    assert OPERATIONS.keys() - operations == set(), "entries in OPERATIONS for operations that no longer exist"


def _client(request, persona: str) -> Client:
    client = Client()
    if persona != ANONYMOUS:
        client.force_login(request.getfixturevalue(persona))
    return client


def _body(response) -> str:
    return b"".join(response.streaming_content).decode(errors="replace") if response.streaming else (
        response.content.decode(errors="replace")
    )


def _check(persona, rule, name, method, url, response, world, problems, *, owner_may_miss=False):
    status = response.status_code
    where = f"{persona} {method} {url} ({name}) → {status}"
    if status >= 500:
        problems.append(f"{where}: server error")
        return
    if persona == ANONYMOUS:
        if url.startswith("/api/"):
            if status != 401:
                problems.append(f"{where}: expected 401")
        elif not (status == 302 and response["Location"].startswith("/login/")):
            problems.append(f"{where}: expected a redirect to the login page")
        return
    if persona in OUTSIDERS[rule]:
        # 405: the method is refused before anything is looked up, whatever the id.
        allowed = {404, 405} | ({403} if name in EXISTENCE_NOT_SECRET else set())
        if status not in allowed:
            problems.append(f"{where}: a persona without a part must get 404")
    if persona == OWNER[rule] and status == 404 and (name, method) not in OWNER_404 and not owner_may_miss:
        problems.append(f"{where}: the persona it belongs to was told it does not exist (wrong id in the matrix?)")
    if persona in STRANGERS:
        body = _body(response)
        if SURNAME in body or world.cpr in body or world.cpr[:6] + "-" + world.cpr[6:] in body:
            problems.append(f"{where}: shows the client to a stranger")


#: Pages whose POST changes the persona's own sign-in (removing the one-time-code device sends
#: a manager to enrolment on every page after it): requested last.
SIGN_IN_CHANGING = {"accounts:otp_remove"}


@pytest.mark.parametrize("persona", [*PERSONAS, ANONYMOUS])
def test_pages(request, persona, world):
    client = _client(request, persona)
    problems: list[str] = []
    for route, name in sorted(page_patterns(), key=lambda pattern: pattern[1] in SIGN_IN_CHANGING):
        rule, extra = PAGES[name]
        url = "/" + fill(route, r"<(?:\w+:)?(\w+)>", {**world.ids, **extra}, name)
        for method in ("GET", "POST"):
            response = getattr(client, method.lower())(url)
            _check(persona, rule, name, method, url, response, world, problems)
            # Again as htmx asks: a view that answers htmx with a partial must decide access
            # before it decides what to render. The owner's POST above may have removed what
            # this one addresses (an agreement deleted), so only the others are held to 404.
            response = getattr(client, method.lower())(url, headers={"HX-Request": "true"})
            _check(persona, rule, name, f"{method} (htmx)", url, response, world, problems, owner_may_miss=method == "POST")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("persona", [*PERSONAS, ANONYMOUS])
def test_api(request, persona, world):
    client = _client(request, persona)
    problems: list[str] = []
    for method, path, operation_id in api_operations():
        rule, extra = OPERATIONS[operation_id]
        url = fill(path, r"\{(\w+)\}", {**world.ids, **extra}, operation_id)
        response = api_request(client, method, path, url)
        _check(persona, rule, operation_id, method, url, response, world, problems)
    assert not problems, "\n".join(problems)


#: Ids of things that belong to a case, which a URL takes beside the case's own id.
OBJECT_IDS = {"task_id", "handover_id", "consent_id", "disclosure_id", "request_id", "meeting_id", "agreement_id"}


@pytest.fixture
def fredes_case(fremmed, horsens):
    """A case of Frede's own, at his prison: he may open it, but not Susanne's things through it."""
    from koreplan.cases.tests.factories import open_case

    return open_case(actor=fremmed, municipality=horsens)


def _mixed(template: str, pattern: str) -> bool:
    names = set(re.findall(pattern, template))
    return "case_id" in names and bool(names & OBJECT_IDS)


def test_another_case_does_not_open_this_cases_objects(client, fremmed, world, fredes_case):
    """Frede's own case in the address, the id of something of Susanne's case after it: 404."""
    client.force_login(fremmed)
    ids = {**world.ids, "case_id": fredes_case.pk}
    problems: list[str] = []
    checked = 0
    for route, name in page_patterns():
        rule, extra = PAGES[name]
        if not _mixed(route, r"<(?:\w+:)?(\w+)>"):
            continue
        url = "/" + fill(route, r"<(?:\w+:)?(\w+)>", {**ids, **extra}, name)
        for method in ("GET", "POST"):
            checked += 1
            _check("fremmed", CASE, name, method, url, getattr(client, method.lower())(url), world, problems)
    for method, path, operation_id in api_operations():
        rule, extra = OPERATIONS[operation_id]
        if not _mixed(path, r"\{(\w+)\}"):
            continue
        url = fill(path, r"\{(\w+)\}", {**ids, **extra}, operation_id)
        checked += 1
        _check("fremmed", CASE, operation_id, method, url, api_request(client, method, path, url), world, problems)
    assert checked > 30, "the mixed addresses were not found: has the case id's name changed?"
    assert client.get(f"/sager/{fredes_case.pk}/").status_code == 200
    assert not problems, "\n".join(problems)



#: Personas the world shows the client to somewhere (the others see them nowhere).
SHOWN_TO = {"socialraadgiver", "kollega", "kif", "kommune", "leder", "admin"}

#: Pages that name the client without being a read of the case, and why.
NOT_A_READ = {
    # The reader's own notices: what they were told was recorded with the event that told
    # them (a hand-over asked for, a request sent); reading it again reveals nothing more.
    "notifications:list", "notifications:open",
}


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in STRANGERS])
def test_every_page_that_shows_the_client_is_in_the_clients_log(request, persona, world):
    """Criminal-offence data (GDPR art. 10): a page that names the client to someone is in the
    log of who has seen that person (koreplan.privacy's person log) — whatever the page,
    whoever the reader."""
    from koreplan.audit.models import AuditEntry
    from koreplan.privacy.selectors import person_entries

    client = _client(request, persona)
    unrecorded: list[str] = []
    shown = 0
    for route, name in page_patterns():
        if name in SIGN_IN_CHANGING or name in NOT_A_READ:
            continue
        url = "/" + fill(route, r"<(?:\w+:)?(\w+)>", {**world.ids, **PAGES[name][1]}, name)
        last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = client.get(url)
        if response.status_code != 200:
            continue
        body = _body(response)
        if SURNAME not in body and world.cpr not in body and world.cpr[:6] + "-" + world.cpr[6:] not in body:
            continue
        shown += 1
        if not person_entries(client=world.case.client).filter(id__gt=last).exists():
            unrecorded.append(f"{persona} GET {url} ({name})")
    assert bool(shown) == (persona in SHOWN_TO), f"{persona} was shown the client on {shown} pages"
    assert not unrecorded, "pages that show the client without recording the read:\n" + "\n".join(unrecorded)
