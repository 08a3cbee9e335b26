"""A real browser against a real server, for the journeys as a person walks them.

The server is `manage.py runserver` in a subprocess on a fresh SQLite file with the demo's
organisations, logins and a handful of demo cases (``demo_load``), as `make run` would show
them. A subprocess rather than pytest-django's ``live_server``: the server then runs as it
does for a person (its own process, its own clock and database connection), and the tests
need neither a transactional test database nor Django's async-safety switch, which
Playwright's event loop in the test process would otherwise trip. What the tests assert
they read from the pages, as a person would.

The browser is Debian's Chromium (`/usr/bin/chromium`), driven by Playwright; Playwright
never downloads a browser of its own here. Chromium's background connections (updates,
sync, QUIC) are switched off: the network is closed and they would only be refused.

Every page a test visits, and every state an htmx swap leaves, is checked with axe-core
(vendored in ``vendor/``, see ``vendor/fetch-axe.sh``): a violation of impact serious or
critical fails the test with the rule, its help and the offending elements.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
CHROMIUM = os.environ.get("KOREPLAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: The demo's password for every demo login (koreplan/cases/demo.py, DEMO_PASSWORD).
PASSWORD = "demo"
#: Where the server fixture leaves the demo's one-time backup codes, by username: the
#: managers and administrators need one at every login (each code works once).
BACKUP_CODES = "backup-codes.json"
#: Few demo cases: enough for lists, inboxes and worklists to have rows, quick to load.
DEMO_CASES = 12
#: Playwright's wait for a selector or a navigation; generous for 2 busy cores.
TIMEOUT_MS = 20_000
FAILING_IMPACTS = ("serious", "critical")


# -- the server --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _manage(env: dict[str, str], *args: str, log: Path) -> None:
    with log.open("a") as out:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=300
        )
    if done.returncode:
        pytest.fail(f"manage.py {args[0]} failed ({done.returncode}):\n{log.read_text()[-4000:]}", pytrace=False)


@pytest.fixture(scope="session")
def server_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("server")


@pytest.fixture(scope="session")
def server(server_dir) -> Iterator[str]:
    """The base URL of a running server with the demo logins; its log is shown if it dies."""
    where = server_dir
    log = where / "server.log"
    env = {
        **os.environ,
        # Always its own SQLite file, whatever DATABASE_URL the shell has: nothing else is touched.
        "DATABASE_URL": f"sqlite:///{where / 'db.sqlite3'}",
        # DEBUG serves the static files (the design system's CSS, needed for the contrast checks).
        "DEBUG": "True",
        "PYTHONUNBUFFERED": "1",
    }
    _manage(env, "migrate", "--no-input", "-v", "0", log=log)
    # The backup codes as `manage.py demo` prints them, for the logins that ask for a second factor.
    load = (
        "import json, pathlib; from koreplan.cases.demo import demo_load; "
        f"loaded = demo_load(cases={DEMO_CASES}); "
        f"pathlib.Path({str(where / BACKUP_CODES)!r}).write_text("
        "json.dumps({login.username: list(login.backup_codes) for login in loaded.logins}))"
    )
    _manage(env, "shell", "-c", load, log=log)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("a") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server stopped ({process.returncode}):\n{log.read_text()[-4000:]}", pytrace=False)
            try:
                with urllib.request.urlopen(f"{url}/login/", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer within 60 s:\n{log.read_text()[-4000:]}", pytrace=False)
            time.sleep(0.2)  # polling a subprocess's port: there is no event to wait for
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- the browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def backup_codes(server, server_dir) -> dict[str, list[str]]:
    """The unused backup codes by username; a login takes one off its list."""
    return json.loads((server_dir / BACKUP_CODES).read_text())


@pytest.fixture(scope="session")
def browser_context(server, tmp_path_factory):
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test-browser` installs Debian's chromium", pytrace=False)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),  # new and empty
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            base_url=server,
            locale="da-DK",  # the UI's first language
            # axe is injected as an inline script: a strict Content-Security-Policy must not stop the check.
            bypass_csp=True,
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()


#: Rules whose "needs review" answers are findings all the same. axe leaves an id used twice
#: by labels or ARIA for review (it cannot tell which element was meant), but a label that
#: points at two inputs is wrong whichever was meant.
REVIEW_IS_FAILURE = ("duplicate-id-aria",)


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations', 'incomplete']})")
    found = results["violations"] + [r for r in results["incomplete"] if r["id"] in REVIEW_IS_FAILURE]
    return [v for v in found if v.get("impact") in FAILING_IMPACTS]


def describe_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{url}: {len(violations)} serious or critical accessibility violation(s)"]
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:300]}")
            summary = (node.get("failureSummary") or "").replace("\n", " / ")
            if summary:
                lines.append(f"      {summary[:400]}")
        if len(v["nodes"]) > 10:
            lines.append(f"    … and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


class Desk:
    """One person at the browser: logs in, follows links, fills in and sends forms.

    Every page reached, and every page an htmx answer changed, is checked with axe; the
    test fails on the first serious or critical violation. ``checked`` lists what was
    checked, so a test can show it walked the pages it meant to."""

    def __init__(self, context, page, backup_codes: dict[str, list[str]]):
        self.context = context
        self.page = page
        self.backup_codes = backup_codes
        self.checked: list[str] = []

    # -- the accessibility check --

    def check(self) -> None:
        self.page.wait_for_load_state("load")
        violations = axe_violations(self.page)
        if violations:
            pytest.fail(describe_violations(self.page.url, violations), pytrace=False)
        self.checked.append(self.page.url)

    # -- moving about --

    def path(self) -> str:
        return "/" + self.page.url.split("/", 3)[3] if self.page.url.count("/") >= 3 else "/"

    def goto(self, path: str) -> None:
        self.page.goto(path)
        self.check()

    def navigate(self, action: Callable[[], None]) -> None:
        """Do something that loads a new page (a link, a form without htmx), then check it."""
        with self.page.expect_navigation(wait_until="load"):
            action()
        self.check()

    def swap(self, action: Callable[[], None], url_part: str) -> None:
        """Do something that htmx answers by swapping part of the page, then check the page."""
        with self.page.expect_response(lambda r: url_part in r.url and r.request.method == "POST"):
            action()
        # htmx marks what it is swapping and settling; the check waits until it is done.
        self.page.wait_for_function(
            "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
        )
        self.check()

    def follow(self, name: str | re.Pattern, *, within: str = "main") -> None:
        """Click the link called ``name`` (its accessible name) in ``within``."""
        self.navigate(lambda: self._one("link", name, within).click())

    def press(self, name: str | re.Pattern, *, within: str = "main") -> None:
        """Press the button called ``name``, which sends its form and loads the answer."""
        self.navigate(lambda: self._one("button", name, within).click())

    def sees(self, text: str, *, within: str = "main") -> str:
        """Assert the page shows ``text`` (whitespace as read); return what it shows."""
        shown = " ".join(self.page.locator(within).first.inner_text().split())
        assert text in shown, f"{self.page.url} does not say {text!r} in {within}; it says: {shown[:3000]}"
        return shown

    def fill(self, values: dict[str, object], *, within: str = "main form") -> None:
        """Fill in fields by name, as a person types, picks and ticks: text, dates and numbers
        are typed; a select takes the option whose label (else value) is given; radios and
        checkboxes are ticked by value (a list ticks several). A field the page does not
        show fails the test, as it would stop the person."""
        form = self.page.locator(within)
        for name, value in values.items():
            fields = form.locator(f'[name="{name}"]')
            if not fields.count():
                pytest.fail(f"{self.page.url} has no field {name!r}", pytrace=False)
            first = fields.first
            tag = first.evaluate("e => e.tagName.toLowerCase()")
            kind = first.get_attribute("type") or ""
            if tag == "select":
                options = first.evaluate("e => [...e.options].map(o => [o.value, o.text.trim()])")
                chosen = []
                for v in value if isinstance(value, list) else [value]:
                    match = [o for o, text in options if str(v) in (o, text)]
                    if not match:
                        pytest.fail(f"{self.page.url}: {name!r} offers no {v!r}, only {options[:40]}", pytrace=False)
                    chosen.append(match[0])
                first.select_option(value=chosen)
            elif kind in ("radio", "checkbox"):
                for v in value if isinstance(value, list) else [value]:
                    form.locator(f'[name="{name}"][value="{v}"]').check()
            else:
                first.fill(value.isoformat() if isinstance(value, date) else str(value))

    def _one(self, role: str, name: str | re.Pattern, within: str):
        """The first ``role`` called ``name``; if the page has none, fail saying what it has."""
        found = self.page.locator(within).get_by_role(role, name=name, exact=isinstance(name, str))
        try:
            found.first.wait_for(state="visible")
        except PlaywrightTimeout:
            offered = self.page.locator(within).get_by_role(role).all_inner_texts()
            pytest.fail(
                f"{self.page.url} has no {role} called {name!r}; its {role}s: {[' '.join(o.split()) for o in offered]}\n"
                f"The page says: {' '.join(self.page.locator('main').inner_text().split())[:1500]}",
                pytrace=False,
            )
        return found.first

    def log_in(self, username: str) -> None:
        self.context.clear_cookies()
        self.goto("/login/")
        self.page.get_by_label("Brugernavn").fill(username)
        self.page.get_by_label("Adgangskode").fill(PASSWORD)
        self.press("Log ind")
        if self.path().startswith("/login/kode/"):
            # A manager or an administrator: the second factor, with one of the demo's backup codes.
            codes = self.backup_codes.get(username)
            assert codes, f"{username} is asked for a one-time code and has no backup code left"
            self.page.get_by_label("Engangskode").fill(codes.pop(0))
            self.press("Fortsæt")
        assert "/login/" not in self.page.url, f"{username} could not log in: {self.page.inner_text('main')[:500]}"


@pytest.fixture
def desk(browser_context, backup_codes) -> Iterator[Desk]:
    page = browser_context.new_page()
    try:
        yield Desk(browser_context, page, backup_codes)
    finally:
        page.close()
