#!/usr/bin/env python3
"""`make loadtest`: the product as production runs it, under load, through a database restart
and a killed task worker — and afterwards, nothing confirmed lost and no e-mail sent twice.

1. A fresh PostgreSQL database on loopback (`<prefix>_run`), migrated, with the demo and
   `--seed-requests` more notices of intake waiting in the municipal inboxes (through the
   same service the pages use), so that accepting requests has work for the whole run.
2. gunicorn (`config.wsgi`, DEBUG off, persistent connections with health checks) and two
   task workers (`manage.py task_worker`). E-mail goes to files (scripts/loadtest_settings.py).
3. locust, headless, USERS users for DURATION (scripts/loadtest_locustfile.py): social
   workers, municipal entrances and managers on their journeys.
4. During the run: PostgreSQL is restarted once (at 35 % of the run) and a task worker is
   killed with SIGKILL (at 60 %) and another started. The script also acts as the process
   supervisor a deployment has (systemd's Restart=always): a worker that exits by itself is
   started again, but fails the run — the product must recover by itself.
5. Afterwards: the workers drain the outbox. The messages the killed worker had claimed wait
   for their lease (`delivery.LEASE`, 10 minutes); the script moves those claims back by the
   lease instead of waiting, and runs the safety sweep (`manage.py schedule_outbox`), so the
   take-over of a dead worker's messages is exercised in minutes.
6. The checks (exit status 1 if one fails): every write the server confirmed is in the
   database; no request failed outside the restart window; the outbox is empty (nothing
   pending, claimed or failed); every sent message was delivered, and none twice (by
   Message-ID). The report gives requests, failures inside and outside the window, and
   p50/p95/p99 per request type from locust's CSV, in var/loadtest/<time>/report.md.

Only loopback: the database, gunicorn and locust all listen on or talk to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
sys.path[:0] = [str(SCRIPTS), str(ROOT)]

from loadtest_lib import (  # noqa: E402
    Window,
    duplicates,
    message_ids_in,
    parse_duration,
    read_stats,
    split_failures,
    stats_table,
)

BIN = Path(sys.executable).parent
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql],
        check=True,
    )


def pg_accepts() -> bool:
    import psycopg

    try:
        with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=1):
            return True
    except psycopg.OperationalError:
        return False


def pg_restart() -> None:
    versions = sorted(os.listdir("/etc/postgresql"))
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "restart"],
        check=True, stdout=subprocess.DEVNULL,
    )


@dataclass
class Run:
    args: argparse.Namespace
    out: Path
    env: dict[str, str]
    url: str
    workers: dict[int, subprocess.Popen] = field(default_factory=dict)
    killed_pids: list[int] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    windows: list[Window] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    next_worker: int = 1

    def event(self, what: str, **data) -> None:
        self.events.append({"at": time.time(), "what": what, **data})
        log(what + (f" {data}" if data else ""))

    def manage(self, *args: str, quiet: bool = False) -> None:
        subprocess.run(
            [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=self.env, check=True,
            stdout=subprocess.DEVNULL if quiet else None,
        )

    def start_worker(self) -> subprocess.Popen:
        number = self.next_worker
        self.next_worker += 1
        logfile = (self.out / f"worker-{number}.log").open("w")
        process = subprocess.Popen(
            [str(BIN / "python"), "manage.py", "task_worker", "--interval", "1"],
            cwd=ROOT, env=self.env, stdout=logfile, stderr=subprocess.STDOUT,
        )
        self.workers[number] = process
        return process

    def supervise(self) -> None:
        """Start again a worker that exited by itself, as systemd would; record it."""
        for number, process in list(self.workers.items()):
            if process.poll() is not None and process.pid not in self.killed_pids:
                del self.workers[number]
                self.event("worker exited by itself; started again", worker=number, pid=process.pid, status=process.returncode)
                # The product must recover by itself: a worker that needed the supervisor fails the run.
                self.problems.append(f"task worker {number} exited by itself (status {process.returncode})")
                self.start_worker()


def _environment(args: argparse.Namespace, out: Path, database: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}",
        "DJANGO_SETTINGS_MODULE": "loadtest_settings",
        "PYTHONPATH": os.pathsep.join([str(SCRIPTS), str(ROOT)]),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on loopback: cookies without the Secure flag, or the clients drop them.
        "SECURE_COOKIES": "0",
        # Persistent connections, as production runs: the health check must find the
        # connections the restart broke.
        "DB_CONN_MAX_AGE": "60",
        "EMAIL_FILE_PATH": str(out / "mail"),
        "SITE_URL": f"http://127.0.0.1:{args.port}",
        "DEFAULT_FROM_EMAIL": "koreplan@loadtest.invalid",
    }


def prepare(run: Run) -> dict:
    """The database, the demo, the extra requests, the personas."""
    database = run.env["DATABASE_URL"].rsplit("/", 1)[-1]
    psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{database}"')
    log(f"database {database}: migrate, demo (about a minute)")
    run.manage("migrate", "--no-input", "-v", "0")
    run.manage("demo", quiet=True)
    run.manage("collectstatic", "--no-input", "-v", "0")

    os.environ.update(run.env)
    import django

    django.setup()
    from django.db import connections
    from django.test import Client

    from koreplan.accounts.models import Role, User
    from koreplan.cases.models import Case
    from koreplan.coordination import services as coordination
    from koreplan.coordination.letters import RequestInput

    entrances = list(User.objects.filter(role=Role.MUNICIPAL_ENTRANCE, is_active=True).order_by("username"))
    with_entrance = {u.organisation_id for u in entrances}
    seeded = 0
    cases = Case.objects.filter(closed_at__isnull=True).select_related("client").order_by("pk")
    for case in cases:
        if seeded >= run.args.seed_requests:
            break
        municipality = case.client.acting_municipality
        actor = case.acting_responsible
        if municipality is None or municipality.pk not in with_entrance or actor is None:
            continue
        inp = RequestInput(kind="intake_notice", municipality=municipality, message="Underretning om indsættelse (belastningstest).")
        draft = coordination.request_preview(actor=actor, case=case, inp=inp)
        if draft.sendable:
            coordination.request_send(actor=actor, case=case, inp=inp, digest=draft.digest)
            seeded += 1
    log(f"{seeded} notices of intake sent to the municipal entrances")

    def session(user: User) -> str:
        client = Client()
        client.force_login(user)
        return client.cookies["sessionid"].value

    social_workers = [
        u.username for u in User.objects.filter(role=Role.SOCIAL_WORKER, is_active=True, organisation__kind="institution")
    ]
    managers = User.objects.filter(role=Role.MANAGER, is_active=True).exclude(is_superuser=True)
    personas = {
        "social_workers": social_workers,
        "entrances": [u.username for u in entrances],
        "manager_sessions": [session(u) for u in managers],
        "probe_session": session(User.objects.get(username=social_workers[0])),
    }
    (run.out / "personas.json").write_text(json.dumps(personas, indent=1))
    connections.close_all()
    return personas


def wait_for_http(url: str, *, timeout: float, cookie: str = "", request_timeout: float = 30) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
            with urllib.request.urlopen(request, timeout=request_timeout) as response:
                # 200 at the address asked for, not at the login page it redirected to.
                if response.status == 200 and response.url == url:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    return False


def load(run: Run, personas: dict) -> None:
    args = run.args
    duration = args.duration
    locust_log = (run.out / "locust.log").open("w")
    locust = subprocess.Popen(
        [
            str(BIN / "locust"), "-f", str(SCRIPTS / "loadtest_locustfile.py"), "--headless",
            "--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", f"{duration}s",
            "--host", run.url, "--csv", str(run.out / "locust"), "--only-summary", "--stop-timeout", "10",
            "--exit-code-on-error", "0", "--loglevel", "WARNING",
        ],
        cwd=ROOT, env={**run.env, "LOADTEST_PERSONAS": str(run.out / "personas.json"), "LOADTEST_OUT": str(run.out)},
        stdout=locust_log, stderr=subprocess.STDOUT,
    )
    started = time.time()
    run.event("load started", users=args.users, duration_s=duration, load_average=os.getloadavg()[0])
    restart_at, kill_at = started + 0.35 * duration, started + 0.60 * duration
    restart: threading.Thread | None = None
    killed = False
    probe = f"sessionid={personas['probe_session']}"
    while locust.poll() is None:
        run.supervise()
        now = time.time()
        if restart is None and now >= restart_at:
            # In a thread, so that the supervisor goes on watching the workers meanwhile.
            restart = threading.Thread(target=_restart_database, args=(run, probe), daemon=True)
            restart.start()
        if not killed and now >= kill_at:
            # The newest worker: one the supervisor may have started after the restart, so
            # that a healthy worker dies, not one already on its way out. Killed while it
            # holds outbox claims if that happens within 20 s, so that the lease is tested.
            number, victim = max((n, p) for n, p in run.workers.items() if p.poll() is None)
            busy = _claims_held(victim.pid, run)
            if busy or now >= kill_at + 20:
                killed = True
                run.killed_pids.append(victim.pid)
                os.kill(victim.pid, signal.SIGKILL)
                victim.wait()
                del run.workers[number]
                run.start_worker()
                run.event("task worker killed with SIGKILL; another started", worker=number, pid=victim.pid,
                          outbox_claims_held=busy)
        time.sleep(0.2)
    if restart is not None:
        restart.join()
    run.event("load finished", locust_status=locust.returncode, load_average=os.getloadavg()[0])


def _restart_database(run: Run, probe_cookie: str) -> None:
    begin = time.time()
    run.event("PostgreSQL restart begins")
    pg_restart()
    while not pg_accepts():
        time.sleep(0.1)
    ready = time.time()
    run.windows.append(Window(begin, ready))
    run.event("PostgreSQL accepts connections again", down_s=round(ready - begin, 2))
    # A page that reads the database, as a logged-in user: when does the web serve again?
    served = wait_for_http(f"{run.url}/opgaver/", timeout=90, cookie=probe_cookie)
    run.event(
        "the web served the worklist again" if served else "the web did NOT serve again within 90 s",
        answered_s_after_ready=round(time.time() - ready, 2),
    )
    if not served:
        run.problems.append("The web did not serve a database page within 90 s of the restart.")


def _claims_held(pid: int, run: Run) -> int:
    from django.db import close_old_connections

    from koreplan.notifications.models import OutboxMessage

    close_old_connections()
    try:
        return OutboxMessage.objects.filter(
            status=OutboxMessage.Status.SENDING, claimed_by__startswith=f"{socket.gethostname()[:40]}:{pid}:"
        ).count()
    except Exception as error:  # noqa: BLE001 - a count for the report, not a check
        log(f"could not count the claims of {pid}: {error}")
        return -1


def drain(run: Run) -> dict:
    """Wait for the workers to empty the outbox; take over the killed worker's claims."""
    from django.db import close_old_connections
    from django.db.models import F

    from koreplan.notifications.delivery import LEASE
    from koreplan.notifications.models import OutboxMessage

    close_old_connections()
    waiting = OutboxMessage.objects.filter(status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING])
    dead = [f"{socket.gethostname()[:40]}:{pid}:" for pid in run.killed_pids]
    aged = 0
    deadline = time.time() + run.args.drain_timeout
    while time.time() < deadline:
        run.supervise()
        left = list(waiting.values_list("claimed_by", flat=True))
        if not left:
            break
        orphans = [c for c in left if any(c.startswith(prefix) for prefix in dead)]
        if orphans and len(orphans) == len(left):
            # Only the dead worker's claims are left: let its lease run out now rather than
            # in LEASE, and run the safety sweep that cron runs.
            for prefix in dead:
                aged += OutboxMessage.objects.filter(
                    status=OutboxMessage.Status.SENDING, claimed_by__startswith=prefix
                ).update(claimed_at=F("claimed_at") - LEASE)
            run.event("the killed worker's claims aged past the lease; sweep", messages=aged)
            run.manage("schedule_outbox", quiet=True)
        time.sleep(1)
    left = waiting.count()
    run.event("outbox drained" if not left else "outbox NOT drained", waiting=left)
    return {"taken_over_from_killed_worker": aged, "left_waiting": left}


def stop(run: Run, gunicorn: subprocess.Popen | None) -> None:
    processes = list(run.workers.values()) + ([gunicorn] if gunicorn else [])
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def check(run: Run, drained: dict) -> tuple[list[str], dict]:
    from django.db import close_old_connections
    from django.db.models import TextField
    from django.db.models.functions import Cast
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from koreplan.cases.models import JournalEntry, Task
    from koreplan.coordination.models import MunicipalRequest
    from koreplan.notifications.delivery import message_id
    from koreplan.notifications.models import OutboxMessage
    from koreplan.plans.models import PlanVersion

    close_old_connections()
    problems: list[str] = list(run.problems)
    figures: dict = {}

    # Every confirmed write is in the database.
    writes = _jsonl(run.out / "writes.jsonl")
    missing = []
    for w in writes:
        if w["kind"] == "journal":
            found = JournalEntry.objects.filter(case_id=w["case"], text__contains=w["marker"]).exists()
        elif w["kind"] == "task":
            found = Task.objects.filter(pk=w["task"], completed_on__isnull=False, evidence__contains=w["marker"]).exists()
        elif w["kind"] == "plan":
            found = (
                PlanVersion.objects.filter(plan__case_id=w["case"])
                .annotate(text=Cast("content", TextField())).filter(text__contains=w["marker"]).exists()
            )
        elif w["kind"] == "route":
            found = MunicipalRequest.objects.filter(pk=w["request"], status=MunicipalRequest.Status.ACCEPTED).exists()
        else:
            raise ValueError(f"unknown write {w}")
        if not found:
            missing.append(w)
    kinds: dict[str, int] = {}
    for w in writes:
        kinds[w["kind"]] = kinds.get(w["kind"], 0) + 1
    figures["confirmed_writes"] = kinds
    figures["confirmed_writes_missing"] = missing
    if missing:
        problems.append(f"{len(missing)} confirmed writes are not in the database: {missing[:5]}")
    if not writes:
        problems.append("No write was confirmed: the load did not exercise the writes.")

    # No request failed outside the restart window.
    failures = _jsonl(run.out / "failures.jsonl")
    inside, outside = split_failures(failures, run.windows)
    figures["failures_in_restart_window"] = len(inside)
    figures["failures_outside_restart_window"] = len(outside)
    figures["failures_outside_examples"] = outside[:10]
    if outside:
        problems.append(f"{len(outside)} requests failed outside the restart window, e.g. {outside[:3]}")

    # The outbox: empty, and each message delivered once.
    statuses = {s: OutboxMessage.objects.filter(status=s).count() for s in OutboxMessage.Status.values}
    figures["outbox"] = statuses
    if drained["left_waiting"] or statuses.get("failed"):
        problems.append(f"The outbox is not empty after the drain: {statuses}")
    delivered: list[str] = []
    for path in sorted((run.out / "mail").glob("*")):
        delivered += message_ids_in(path.read_text(encoding="utf-8", errors="replace"))
    expected = {message_id(m) for m in OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT)}
    twice = duplicates(delivered)
    never = expected - set(delivered)
    stray = set(delivered) - expected
    figures["emails"] = {
        "delivered": len(delivered), "distinct": len(set(delivered)), "outbox_sent": len(expected),
        "duplicates": twice, "not_delivered": sorted(never)[:10], "unknown": sorted(stray)[:10],
        **drained,
    }
    if twice:
        problems.append(f"{len(twice)} messages were delivered more than once: {list(twice.items())[:5]}")
    if never:
        problems.append(f"{len(never)} messages marked sent were not delivered: {sorted(never)[:5]}")
    if stray:
        problems.append(f"{len(stray)} delivered messages are not in the outbox as sent: {sorted(stray)[:5]}")
    figures["tasks_left_running"] = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count()
    figures["tasks_failed"] = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count()
    if figures["tasks_failed"]:
        problems.append(f"{figures['tasks_failed']} background tasks failed (see the worker logs)")
    return problems, figures


def _jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def report(run: Run, problems: list[str], figures: dict) -> str:
    rows = read_stats(run.out / "locust_stats.csv")
    total = next((r for r in rows if r.name == "Aggregated"), None)
    started = run.events[0]["at"] if run.events else time.time()
    lines = [
        f"# Load test {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))}",
        "",
        f"{run.args.users} users for {run.args.duration} s against gunicorn ({run.args.web_workers} workers) "
        f"and 2 task workers on PostgreSQL, all on loopback.",
        "",
        f"Requests: {total.requests if total else 0}, failed: {total.failures if total else 0} "
        f"({figures['failures_in_restart_window']} while PostgreSQL restarted, "
        f"{figures['failures_outside_restart_window']} outside that window).",
        "",
        stats_table(rows),
        "",
        "## Events",
        "",
        *[f"- +{e['at'] - started:6.1f} s {e['what']} "
          f"{ {k: v for k, v in e.items() if k not in ('at', 'what')} or ''}" for e in run.events],
        "",
        "## Checks",
        "",
        f"- confirmed writes: {figures['confirmed_writes']}, missing from the database: {len(figures['confirmed_writes_missing'])}",
        f"- outbox after the run: {figures['outbox']}",
        f"- e-mail: {json.dumps(figures['emails'])}",
        f"- task workers that exited by themselves and were started again by the supervisor: "
        f"{sum(1 for e in run.events if e['what'].startswith('worker exited'))}",
        f"- background tasks left running (the killed worker's): {figures['tasks_left_running']}, failed: {figures['tasks_failed']}",
        "",
        "Result: " + ("PASSED" if not problems else "FAILED\n\n" + "\n".join(f"- {p}" for p in problems)),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=parse_duration, default=parse_duration("3m"), help="e.g. 180, 90s, 3m")
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed-requests", type=int, default=100)
    parser.add_argument("--drain-timeout", type=int, default=240)
    parser.add_argument("--database", default="loadtest_run")
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args(argv)
    if args.users < 1:
        parser.error("--users: at least 1")
    if args.duration < 30:
        parser.error("--duration: at least 30 s, to fit a restart and a kill")

    out = ROOT / "var" / "loadtest" / time.strftime("%Y%m%d-%H%M%S")
    (out / "mail").mkdir(parents=True)
    run = Run(args=args, out=out, env=_environment(args, out, args.database), url=f"http://127.0.0.1:{args.port}")
    gunicorn = None
    status = 1
    try:
        personas = prepare(run)
        gunicorn = subprocess.Popen(
            [
                str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{args.port}",
                "--workers", str(args.web_workers), "--timeout", "60", "--graceful-timeout", "10",
                "--error-logfile", str(out / "gunicorn.log"), "--no-control-socket",
            ],
            cwd=ROOT, env=run.env,
        )
        run.start_worker()
        run.start_worker()
        if not wait_for_http(f"{run.url}/login/", timeout=60):
            raise RuntimeError("gunicorn did not answer within 60 s; see gunicorn.log")
        load(run, personas)
        drained = drain(run)
        stop(run, gunicorn)
        gunicorn = None
        problems, figures = check(run, drained)
        text = report(run, problems, figures)
        (out / "report.md").write_text(text)
        (out / "summary.json").write_text(json.dumps({"problems": problems, **figures}, indent=1, default=str))
        print(text)
        log(f"report and logs in {out}")
        status = 1 if problems else 0
    finally:
        stop(run, gunicorn)
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep_database:
            psql(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    return status


if __name__ == "__main__":
    sys.exit(main())
