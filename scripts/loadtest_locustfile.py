"""The load test's users: the personas' journeys through the pages, as a browser makes them.

Run by scripts/loadtest.py (`make loadtest`), which sets:

- LOADTEST_PERSONAS: a JSON file with the logins ({"social_workers": [...], "entrances":
  [...]}, password "demo") and "managers": each demo manager's username with backup codes
  the script made for the load test (managers and administrators get a second factor
  at login, and log in with the password and one of those codes);
- LOADTEST_OUT: a directory where every write the server confirmed (writes.jsonl) and
  every failed request with its time (failures.jsonl) are appended, one JSON object a
  line, for the checks afterwards.

A write counts as confirmed when the server answered it with its redirect (post/redirect/get):
the service's transaction has committed by then. A refusal the product gives on purpose
under concurrency (another user completed the task first, the plan changed since it was
read: HTTP 422/409 with the form again) is not a failure; it is counted under its own name.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import threading
import time
import uuid
from datetime import date
from pathlib import Path

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadtest_lib import Form, form_with_action, forms_in, links, routing_pairs  # noqa: E402

PERSONAS = json.loads(Path(os.environ["LOADTEST_PERSONAS"]).read_text()) if "LOADTEST_PERSONAS" in os.environ else {}
OUT = Path(os.environ.get("LOADTEST_OUT", "."))
PASSWORD = "demo"
_lock = threading.Lock()  # gevent greenlets share the files; a line is written whole


def _append(name: str, record: dict) -> None:
    with _lock, (OUT / name).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        handle.flush()


@events.request.add_listener
def _record_failure(request_type, name, response_time, exception, start_time=None, **_kwargs):
    if exception is None:
        return
    end = time.time()
    _append(
        "failures.jsonl",
        {"method": request_type, "name": name, "start": start_time or end - response_time / 1000, "end": end,
         "error": str(exception)[:300]},
    )


def _marker() -> str:
    return f"LT-{uuid.uuid4().hex[:16]}"


class _Browser(HttpUser):
    abstract = True
    wait_time = between(1, 4)
    logins: list[str] = []

    def _login(self) -> None:
        username = random.choice(self.logins)
        page = self.client.get("/login/", name="login page")
        # The login form by its action: the page's first form is the language switcher.
        form = form_with_action(page.text, r"^/login/$") if page.ok else None
        if form is None:
            raise RuntimeError("The login page has no form.")
        data = {**form.fields, "username": username, "password": PASSWORD}
        with self.client.post("/login/", data=data, name="login", allow_redirects=False, catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"login as {username}: HTTP {r.status_code}, no redirect")
        self.username = username

    def _csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def _submit(self, form: Form, data: dict, *, name: str, ok_location: str | None = None):
        """POST a form as a browser does, without following the redirect. Returns
        (confirmed, response): confirmed when the server answered with its redirect."""
        with self.client.post(form.action, data=data, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code in (302, 303):
                location = r.headers.get("Location", "")
                if "/login/" in location:
                    r.failure("redirected to the login page")
                    return False, r
                r.success()
                return True, r
            if r.status_code in (409, 422):
                # Refused on purpose (a concurrent change, a stale revision): not a failure.
                r.success()
                r.request_meta["name"] = f"{name} (refused {r.status_code})"
                return False, r
            r.failure(f"HTTP {r.status_code}")
            return False, r

    def _get(self, path: str, *, name: str):
        with self.client.get(path, name=name, catch_response=True) as r:
            if r.ok and "/login/" in r.url:
                r.failure("redirected to the login page")
            return r


class SocialWorker(_Browser):
    """A prison social worker: the worklist, a case, a task done, a journal entry, the plan."""

    weight = 7

    def on_start(self) -> None:
        self.logins = PERSONAS.get("social_workers", [])
        self._login()

    def _a_case(self) -> tuple[int, str] | None:
        page = self._get("/sager/", name="case list")
        cases = links(page.text, r"/sager/\d+/") if page.ok else []
        if not cases:
            return None
        path = random.choice(cases)
        page = self._get(path, name="case page")
        if not page.ok:
            return None
        return int(re.search(r"/sager/(\d+)/", path).group(1)), page.text

    @task(4)
    def worklist(self) -> None:
        self._get("/opgaver/", name="worklist")

    @task(4)
    def case_page(self) -> None:
        self._a_case()

    @task(1)
    def complete_a_task(self) -> None:
        page = self._get("/opgaver/", name="worklist")
        if not page.ok:
            return
        forms = [f for f in forms_in(page.text) if re.search(r"/opgaver/\d+/udfoer/$", f.action)]
        if not forms:
            return
        form = random.choice(forms)
        marker = _marker()
        data = dict(form.fields)
        for key in data:
            if key.endswith("evidence"):
                data[key] = f"Udført under belastningstest {marker}"
            elif key.endswith("completed_on") and not data[key]:
                data[key] = date.today().strftime("%d.%m.%Y")
        confirmed, _r = self._submit(form, data, name="complete task")
        if confirmed:
            task_id = int(re.search(r"/opgaver/(\d+)/udfoer/", form.action).group(1))
            _append("writes.jsonl", {"kind": "task", "task": task_id, "marker": marker, "user": self.username})

    @task(2)
    def write_journal_entry(self) -> None:
        found = self._a_case()
        if found is None:
            return
        case_id, html = found
        form = form_with_action(html, rf"/sager/{case_id}/journal/$")
        if form is None:
            return  # not the user's to edit
        marker = _marker()
        data = {**form.fields, "text": f"Telefonisk kontakt med klienten. {marker}"}
        confirmed, _r = self._submit(form, data, name="write journal entry")
        if confirmed:
            _append("writes.jsonl", {"kind": "journal", "case": case_id, "marker": marker, "user": self.username})

    @task(1)
    def edit_plan_section(self) -> None:
        found = self._a_case()
        if found is None:
            return
        case_id, _html = found
        path = f"/sager/{case_id}/handleplan/rediger/vurdering/"
        with self.client.get(path, name="plan section edit page", catch_response=True) as page:
            if page.status_code in (302, 403, 404):
                page.success()  # no plan, or not this user's to edit: nothing to do here
                return
        form = form_with_action(page.text, r"/handleplan/rediger/vurdering/$") if page.ok else None
        if form is None or "assessment" not in form.fields:
            return
        marker = _marker()
        data = {**form.fields, "assessment": (form.fields["assessment"].rstrip() + f"\nVurderet igen {marker}").strip()}
        confirmed, _r = self._submit(form, data, name="edit plan section")
        if confirmed:
            _append("writes.jsonl", {"kind": "plan", "case": case_id, "marker": marker, "user": self.username})


class MunicipalEntrance(_Browser):
    """The municipality's one entrance: the inbox, and a request accepted (routed)."""

    weight = 2

    def on_start(self) -> None:
        self.logins = PERSONAS.get("entrances", [])
        self._login()

    @task(3)
    def inbox(self) -> None:
        self._get("/indbakke/", name="inbox")

    @task(2)
    def accept_a_request(self) -> None:
        page = self._get("/indbakke/", name="inbox")
        requests = links(page.text, r"/indbakke/\d+/") if page.ok else []
        random.shuffle(requests)
        for path in requests[:3]:
            detail = self._get(path, name="inbox request")
            form = form_with_action(detail.text, r"/indbakke/\d+/fordel/$") if detail.ok else None
            if form is None:
                continue  # answered already
            pairs = routing_pairs(form)
            if not pairs:
                return
            department, caseworker = random.choice(pairs)
            data = {**form.fields, "department": department, "caseworker": caseworker, "note": "Modtaget."}
            confirmed, _r = self._submit(form, data, name="inbox: accept request")
            if confirmed:
                request_id = int(re.search(r"/indbakke/(\d+)/", path).group(1))
                _append("writes.jsonl", {"kind": "route", "request": request_id, "user": self.username})
            return


class Manager(_Browser):
    """A manager: the dashboard. Logs in with the password and then a one-time code, as
    managers must (the script gave each demo manager backup codes, one used per login)."""

    weight = 1
    wait_time = between(3, 8)

    def on_start(self) -> None:
        managers = [m for m in PERSONAS.get("managers", []) if m["codes"]]
        if not managers:
            raise RuntimeError("No manager backup codes left in LOADTEST_PERSONAS.")
        manager = random.choice(managers)
        self.logins = [manager["username"]]
        self._login()
        page = self.client.get("/login/kode/", name="one-time code page")
        form = form_with_action(page.text, r"^/login/kode/$") if page.ok else None
        if form is None:
            raise RuntimeError("The one-time code page has no form.")
        data = {**form.fields, "otp_token": manager["codes"].pop()}
        with self.client.post("/login/kode/", data=data, name="one-time code", allow_redirects=False,
                              catch_response=True) as r:
            if r.status_code != 302 or "/login/" in r.headers.get("Location", ""):
                r.failure(f"one-time code for {manager['username']}: HTTP {r.status_code}")

    @task(3)
    def dashboard(self) -> None:
        self._get("/ledelse/", name="dashboard")

    @task(1)
    def dashboard_figure(self) -> None:
        """The dashboard, and the cases behind one of its figures."""
        page = self._get("/ledelse/", name="dashboard")
        figures = links(page.text, r"/ledelse/sager/\?.*") if page.ok else []
        if figures:
            self._get(random.choice(figures), name="dashboard: cases behind a figure")
