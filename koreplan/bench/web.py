"""The web benches on the national data: ``koreplan bench`` (run by ``make bench``).

Each figure is measured next to a baseline, in the same process and the same run, and
printed as a ratio — so the figures mean the same on a fast laptop, a slow CI runner or a
machine busy with something else:

==============================  ==========================================  =========
figure                          baseline                                    aim
==============================  ==========================================  =========
the busy social worker's        ``/bench/ping/``: a minimal authenticated    ≤ 3×
worklist (``/opgaver/``), seen  page on the same stack (session, auth,
again (its rows as kept for     every middleware, context processors, a
them)                           template)
the same worklist on its first  the same                                    ≤ 3×
view (nothing kept)
a case page of theirs, seen     the same                                    ≤ 4×
again (``/sager/<id>/``, as
kept for them)
the same case page on its       the same                                    ≤ 4×
first view (nothing kept)
the national dashboard          one raw SQL aggregate over the tasks table   ≤ 5×
(``/ledelse/``, its figures     (done on time / late / open past its date
computed earlier that day)      per obligation, the dashboard's period)
computing the national          the same                                    reported
figures from scratch (the
nightly task, "Beregn
tallene igen")
recomputing every open case     parsing the same cases' facts only          reported
through the ORM                 (pure)
(``case_recalculate_open``)
the pure timeline               the same                                    reported
==============================  ==========================================  =========

One more row is printed for reference: ``/bench/layout/``, the project's page layout
(``base.html``) with no content, against the ping — the share of every page's time that
is the layout's rather than the page's own.

Pages go through Django's test ``Client`` in-process: the real URL routing, middleware,
views, templates and database, without a socket. Each page is warmed up, then page and
baseline are timed turn about (so that a burst of load elsewhere on the machine hits
both) and the medians compared. The settings are production's where they matter to
speed: ``DEBUG=False`` for the duration (no query logging) and templates compiled
without debug information, kept by the cached loader (:func:`production_templates`);
the number of queries each page makes is counted once and printed.

The data: the database's national set (``koreplan generate --scale national``); on an
empty database the bench generates it first. ``--quick`` uses a tiny set and few runs —
for the tests, which check the table is printed, never its timings.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import Count
from django.template import engines
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from koreplan.accounts.models import Role, User
from koreplan.accounts.testing import client_second_factor_verify
from koreplan.cases import selectors, services
from koreplan.cases.models import Case, Task
from koreplan.cases.views import WORKLIST_PER_PAGE
from koreplan.dashboards import precomputed
from koreplan.dashboards.scopes import NATIONAL, default_period, scope_resolve
from koreplan.domain.facts import parse_facts
from koreplan.domain.timeline import compute_timeline
from koreplan.generate import national
from koreplan.organisations.models import Organisation
from koreplan.web import page_cache

QUICK_OPEN, QUICK_CLOSED = 300, 1_500


class BenchError(Exception):
    """The bench cannot run here (a database with other data, a page that fails)."""


@dataclass
class Figure:
    name: str
    median_ms: float
    baseline: str
    baseline_ms: float
    aim: float | None = None
    queries: int | None = None
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.median_ms / self.baseline_ms if self.baseline_ms else float("inf")

    @property
    def verdict(self) -> str:
        if self.aim is None:
            return "—"
        return "OK" if self.ratio <= self.aim else "NOT OK"


# -- the data -------------------------------------------------------------------------------------------


def ensure_data(*, quick: bool, out: Callable[[str], None]):
    """The national set this database holds, generated first if the database is empty."""
    existing = national.national_set()
    if existing is not None:
        out(f"Using the generated set of {existing.started_at:%Y-%m-%d %H:%M} "
            f"({existing.open_cases:,} open, {existing.closed_cases:,} closed cases).")
        if not quick and existing.open_cases < national.NATIONAL_OPEN:
            out("Note: a small set, not the national one: the figures are not national.")
        return existing
    others = Case.objects.count()
    if others:
        raise BenchError(
            f"This database holds {others:,} cases but no generated national set. The bench needs an empty "
            "database (it generates the national data) or one made by `koreplan generate --scale national`."
        )
    open_cases, closed_cases = (QUICK_OPEN, QUICK_CLOSED) if quick else (national.NATIONAL_OPEN, national.NATIONAL_CLOSED)
    out(f"Empty database: generating {open_cases:,} open and {closed_cases:,} closed cases first.")
    national.National(open_cases=open_cases, closed_cases=closed_cases, out=out).run()
    return national.national_set()


def _busy_worker() -> User:
    user = User.objects.filter(username=national.BUSY_USERNAME).select_related("organisation").first()
    if user is None:
        raise BenchError(f"No user {national.BUSY_USERNAME!r}: was the data made by `koreplan generate`?")
    return user


def _national_viewer() -> User:
    viewer = (
        User.objects.filter(is_active=True, organisation__kind=Organisation.Kind.DIRECTORATE, role=Role.ADMINISTRATOR)
        .exclude(is_superuser=True).order_by("pk").first()
        or User.objects.filter(is_active=True, organisation__kind=Organisation.Kind.DIRECTORATE).order_by("pk").first()
    )
    if viewer is None:
        raise BenchError("No one at the Directorate to look at the national dashboard.")
    return viewer


# -- timing ---------------------------------------------------------------------------------------------


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _turn_about(page: Callable[[], object], baseline: Callable[[], object], *, runs: int, warmup: int) -> tuple[float, float]:
    """Medians (ms) of the page and the baseline, timed alternately after a warm-up."""
    for _ in range(warmup):
        page()
        baseline()
    pages, baselines = [], []
    for _ in range(runs):
        pages.append(_timed(page))
        baselines.append(_timed(baseline))
    return statistics.median(pages), statistics.median(baselines)


def _getter(client: Client, path: str) -> Callable[[], object]:
    def get():
        response = client.get(path)
        if response.status_code != 200:
            raise BenchError(f"GET {path} answered {response.status_code}.")
        return response

    return get


def _first_view(get: Callable[[], object]) -> Callable[[], object]:
    """The page with nothing kept for it, as on its first view of the day."""

    def first():
        caches[page_cache.CACHE_ALIAS].clear()
        return get()

    return first


def _queries(fn: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


# -- the figures ------------------------------------------------------------------------------------------


RAW_AGGREGATE = """
SELECT obligation_id,
       SUM(CASE WHEN completed_on IS NOT NULL AND completed_on <= due_on THEN 1 ELSE 0 END),
       SUM(CASE WHEN completed_on IS NOT NULL AND completed_on > due_on THEN 1 ELSE 0 END),
       SUM(CASE WHEN completed_on IS NULL AND due_on < %s THEN 1 ELSE 0 END)
FROM {table}
WHERE due_on >= %s AND due_on <= %s
GROUP BY obligation_id
"""


def _raw_aggregate(today: date) -> Callable[[], object]:
    start, end = default_period(today)
    sql = RAW_AGGREGATE.format(table=Task._meta.db_table)

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, [today, start, end])
            return cursor.fetchall()

    return run


def _logged_in(user: User) -> Client:
    """A client logged in as the user, with the one-time code given if the user must give
    one (managers and administrators; a backup-code device is made on the generated data
    the first time)."""
    client = Client()
    client.force_login(user)
    client_second_factor_verify(client, user)
    return client


def _open_case_facts() -> list[dict]:
    cases = (
        Case.objects.filter(status=Case.Status.OPEN)
        .select_related("client")
        .prefetch_related("tasks")
        .order_by("pk")
    )
    return [services.case_fact_values(case) for case in cases.iterator(chunk_size=2000)]


@contextmanager
def production_templates() -> Iterator[None]:
    """Templates as production renders them, for the duration.

    The engine is built when Django starts, with ``debug`` following ``DEBUG`` — on, on a
    development machine — and the cached loader has templates compiled in debug mode.
    Production runs with ``DEBUG=False``: templates compiled without debug information,
    read once and kept by the cached loader. So the engine's debug flag is turned off and
    its cached loader emptied, and both put back after.
    """
    engine = engines["django"].engine
    was = engine.debug
    engine.debug = False
    _reset_loaders(engine)
    try:
        yield
    finally:
        engine.debug = was
        _reset_loaders(engine)


def _reset_loaders(engine) -> None:
    for loader in engine.template_loaders:
        if hasattr(loader, "reset"):
            loader.reset()


def run(
    *, quick: bool = False, runs: int | None = None, pages_only: bool = False, out: Callable[[str], None] = print
) -> list[Figure]:
    runs = runs or (3 if quick else 15)
    warmup = 1 if quick else 3
    ensure_data(quick=quick, out=out)
    today = timezone.localdate()
    busy, viewer = _busy_worker(), _national_viewer()
    case = (
        Case.objects.filter(plan_responsible=busy, status=Case.Status.OPEN)
        .annotate(n=Count("tasks")).order_by("-n", "pk").first()
    )
    if case is None:
        raise BenchError(f"{busy.username} holds no open case.")
    figures: list[Figure] = []
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    # Case pages kept as production keeps them (its default applies with DEBUG off).
    kept_seconds = settings.KOREPLAN_PAGE_CACHE_SECONDS or settings.KOREPLAN_PAGE_CACHE_SECONDS_DEFAULT
    with override_settings(
        DEBUG=False, ALLOWED_HOSTS=hosts, ROOT_URLCONF="koreplan.bench.urlconf", KOREPLAN_PAGE_CACHE_SECONDS=kept_seconds,
    ), production_templates():
        client, viewer_client = _logged_in(busy), _logged_in(viewer)
        ping = _getter(client, "/bench/ping/")
        layout = _getter(client, "/bench/layout/")
        ms, base = _turn_about(layout, ping, runs=runs, warmup=warmup)
        figures.append(Figure(
            "empty page in the layout /bench/layout/ (for reference)", ms, "ping", base, None, _queries(layout),
            "the project's base.html with no content: the part of every page's time the layout takes",
        ))
        open_cases = Case.objects.filter(plan_responsible=busy, status=Case.Status.OPEN).count()
        tasks = len(selectors.worklist_keys(user=busy, today=today))
        worklist = _getter(client, "/opgaver/")
        ms, base = _turn_about(worklist, ping, runs=runs, warmup=warmup)
        figures.append(Figure(
            f"worklist /opgaver/ ({busy.username}, {open_cases} open cases), seen again", ms, "ping", base, 3.0,
            _queries(worklist),
            f"{tasks} tasks in the next 90 days, the first {min(tasks, WORKLIST_PER_PAGE)} on the page; "
            "their cases unchanged since the worker last saw them: the rows as kept for them",
        ))
        first_view = _first_view(worklist)
        ms, base = _turn_about(first_view, ping, runs=runs, warmup=warmup)
        figures.append(Figure(
            "worklist /opgaver/, first view", ms, "ping", base, 3.0, _queries(first_view),
            "the first view of the day, or after a task on the page changed: the rows rendered in full",
        ))
        page = _getter(client, f"/sager/{case.pk}/")
        ms, base = _turn_about(page, ping, runs=runs, warmup=warmup)
        figures.append(Figure(
            f"case page /sager/{case.pk}/ ({case.n} tasks), seen again", ms, "ping", base, 4.0, _queries(page),
            "the case unchanged since the worker last saw it: the page as kept for them (koreplan.web.page_cache)",
        ))
        first_view = _first_view(page)
        ms, base = _turn_about(first_view, ping, runs=runs, warmup=warmup)
        figures.append(Figure(
            f"case page /sager/{case.pk}/, first view", ms, "ping", base, 4.0, _queries(first_view),
            "the first view of the day, or after the case changed: rendered in full",
        ))
        ping_queries = _queries(ping)
        # Computing the national figures from scratch, as the nightly task or "Beregn tallene
        # igen" does: reported next to the page, so that the page's ratio (figures computed
        # earlier) is not mistaken for the cost of the figures themselves. It also stores
        # them, as the night does before the first manager comes.
        national_scope = scope_resolve(user=viewer, unit=NATIONAL)
        compute = lambda: precomputed.figures_compute(national_scope)  # noqa: E731
        ms, base = _turn_about(compute, _raw_aggregate(today), runs=max(2, runs // 5), warmup=0)
        compute_figure = Figure(
            "national figures computed from scratch", ms, "raw SQL aggregate", base, None, _queries(compute),
            "what the nightly task and \"Beregn tallene igen\" take for the whole country; the page reads them stored",
        )
        dashboard = _getter(viewer_client, "/ledelse/")
        ms, base = _turn_about(dashboard, _raw_aggregate(today), runs=max(3, runs // 3), warmup=1)
        figures.append(Figure(
            "national dashboard /ledelse/", ms, "raw SQL aggregate", base, 5.0, _queries(dashboard),
            "as a manager gets it: the figures computed earlier that day (precomputed)",
        ))
        figures.append(compute_figure)

    if pages_only:
        out("")
        out(render(figures, runs=runs, ping_queries=ping_queries))
        return figures
    # The nightly recalculation, against parsing the same facts (pure, in-process).
    facts = _open_case_facts()
    parse_ms = statistics.median(_timed(lambda: [parse_facts(f, today=today) for f in facts]) for _ in range(3))
    pure_ms = statistics.median(
        _timed(lambda: [compute_timeline(parse_facts(f, today=today), today=today) for f in facts]) for _ in range(3)
    )
    started = time.perf_counter()
    with override_settings(DEBUG=False):
        recalculated = services.case_recalculate_open(today=today)
    orm_ms = (time.perf_counter() - started) * 1000
    n = max(len(facts), 1)
    figures.append(Figure(
        f"recompute {recalculated:,} open cases, ORM (per case)", orm_ms / max(recalculated, 1), "parse only",
        parse_ms / n, None, None, f"{recalculated / (orm_ms / 1000):,.0f} cases/s; {orm_ms / 1000:.1f} s in all",
    ))
    figures.append(Figure(
        f"timeline of {len(facts):,} open cases, pure (per case)", pure_ms / n, "parse only", parse_ms / n, None, None,
        f"{len(facts) / (pure_ms / 1000):,.0f} cases/s; parse only {len(facts) / (parse_ms / 1000):,.0f} cases/s",
    ))
    out("")
    out(render(figures, runs=runs, ping_queries=ping_queries))
    return figures


def render(figures: list[Figure], *, runs: int, ping_queries: int | None = None) -> str:
    head = ("figure", "median ms", "baseline", "baseline ms", "ratio", "aim", "", "queries")
    rows = [head]
    for f in figures:
        rows.append((
            f.name, _ms(f.median_ms), f.baseline, _ms(f.baseline_ms), f"{f.ratio:.1f}×",
            f"≤ {f.aim:g}×" if f.aim else "—", f.verdict, "" if f.queries is None else str(f.queries),
        ))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    numeric = {1, 3, 4, 7}
    lines = []
    for index, row in enumerate(rows):
        cells = [cell.rjust(w) if i in numeric and index else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    vendor = connection.vendor
    lines.append("")
    lines.append(
        f"{vendor} database {connection.settings_dict.get('NAME')}; production-like settings (DEBUG off, "
        f"templates cached and compiled without debug); pages: median of {runs} after warm-up, "
        "each timed turn about with its baseline; ping makes "
        f"{ping_queries if ping_queries is not None else '?'} queries."
    )
    for f in figures:
        if f.note:
            lines.append(f"  {f.name}: {f.note}")
    return "\n".join(lines)


def _ms(value: float) -> str:
    return f"{value:.3f}" if value < 1 else f"{value:.1f}"
