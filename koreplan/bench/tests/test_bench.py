"""The bench runs end to end on a tiny data set and prints its table (timings are never
asserted: they depend on the machine); its baseline page is closed to anonymous users;
and the pages it measures make as many queries for many cases as for few."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from koreplan.accounts.models import User
from koreplan.bench import web
from koreplan.cases import services
from koreplan.cases.models import Case
from koreplan.dashboards.models import StoredFigures
from koreplan.generate.national import BUSY_USERNAME, National
from koreplan.organisations.models import Organisation
from koreplan.organisations.services import reference_data_load

BENCH_URLS = override_settings(ROOT_URLCONF="koreplan.bench.urlconf")


@pytest.mark.django_db
def test_bench_quick_generates_a_tiny_set_and_prints_the_table():
    out = StringIO()
    call_command("bench", "--quick", "--runs", "1", stdout=out)
    text = out.getvalue()
    assert "Empty database: generating" in text
    header = next(line for line in text.splitlines() if line.startswith("figure"))
    for column in ("median ms", "baseline", "ratio", "aim", "queries"):
        assert column in header
    for figure in ("worklist /opgaver/", "case page /sager/", "national dashboard", "recompute", "timeline of"):
        assert figure in text, figure
    # Both pages seen again (as kept) and on their first view (rendered in full), with fewer queries kept.
    rows = {line.split("  ")[0]: line for line in text.splitlines()}
    for page in ("worklist /opgaver/", "case page /sager/"):
        again = next(line for name, line in rows.items() if name.startswith(page) and name.endswith("seen again"))
        first = next(line for name, line in rows.items() if name.startswith(page) and name.endswith("first view"))
        assert int(again.split()[-1]) < int(first.split()[-1])
    assert "cases/s" in text
    # A second run reuses the set it made.
    out = StringIO()
    call_command("bench", "--quick", "--runs", "1", stdout=out)
    assert "Using the generated set" in out.getvalue()


@pytest.mark.django_db
def test_bench_refuses_a_database_with_other_cases():
    reference_data_load()
    admin = User.objects.create_superuser("root", "root@example.invalid", "x")
    client = services.client_create(
        actor=admin, cpr="0101801235", first_name="Per", last_name="Hansen",
        acting_municipality=Organisation.objects.get(code="376"),
    )
    services.case_open(
        actor=admin, client=client, case_type="imprisonment",
        holding_organisation=Organisation.objects.get(name="Storstrøm Fængsel"),
    )
    with pytest.raises(CommandError, match="no generated national set"):
        call_command("bench", "--quick", stdout=StringIO())


@pytest.mark.django_db
@BENCH_URLS
def test_the_ping_is_for_logged_in_users_only():
    reference_data_load()
    user = User.objects.create_user(
        "sofie", password="x", organisation=Organisation.objects.get(name="Storstrøm Fængsel"), role="social_worker",
    )
    client = Client()
    response = client.get("/bench/ping/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(user)
    assert client.get("/bench/ping/").status_code == 200
    assert client.get("/bench/layout/").status_code == 200
    assert client.post("/bench/ping/").status_code == 405


def test_the_ping_is_not_mounted_unless_asked_for():
    from django.urls import NoReverseMatch, reverse

    from koreplan.bench import bench_enabled

    if bench_enabled():
        pytest.skip("KOREPLAN_BENCH is set in this environment")
    with pytest.raises(NoReverseMatch):
        reverse("bench:ping")


def test_the_table_marks_what_misses_its_aim():
    figures = [web.Figure("a page", 30.0, "ping", 10.0, 3.0), web.Figure("b page", 31.0, "ping", 10.0, 3.0),
               web.Figure("c", 1.0, "parse", 0.5, None, None, "2 cases/s")]
    assert [f.verdict for f in figures] == ["OK", "NOT OK", "—"]
    table = web.render(figures, runs=5, ping_queries=3)
    assert "3.0×" in table and "3.1×" in table and "NOT OK" in table and "c: 2 cases/s" in table


# -- query counts do not grow with the number of cases ------------------------------------------------------


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured.captured_queries)


def _computed(client: Client) -> int:
    """The dashboard's queries with its figures computed for the request (none stored)."""
    StoredFigures.objects.all().delete()
    return _queries(client, "/ledelse/")


def _busiest_case(user: User) -> Case:
    return (
        Case.objects.filter(plan_responsible=user, status="open").annotate(n=Count("tasks")).order_by("-n", "pk").first()
    )


@pytest.mark.django_db
@BENCH_URLS
def test_page_queries_stay_constant_with_the_number_of_cases(settings):
    """The worklist, a case page and the national dashboard make the same number of queries
    when the busy social worker holds many more cases and the country many more."""
    settings.KOREPLAN_PAGE_CACHE_SECONDS = 0  # what rendering the case page costs, every time
    National(open_cases=250, closed_cases=100, seed=1, out=lambda line: None).run()
    busy = User.objects.get(username=BUSY_USERNAME)
    viewer = User.objects.get(username="eva.lindberg")
    client, viewer_client = Client(), Client()
    client.force_login(busy)
    viewer_client.force_login(viewer)
    small_cases = Case.objects.filter(plan_responsible=busy, status="open").count()
    case = _busiest_case(busy)
    few = {
        "worklist": _queries(client, "/opgaver/"),
        "case page": _queries(client, f"/sager/{case.pk}/"),
        "dashboard, figures computed": _computed(viewer_client),
        "dashboard, figures stored": _queries(viewer_client, "/ledelse/"),
    }

    National(open_cases=2_500, closed_cases=500, seed=2, out=lambda line: None).run()
    assert Case.objects.filter(plan_responsible=busy, status="open").count() > small_cases * 3
    many = {
        "worklist": _queries(client, "/opgaver/"),
        "case page": _queries(client, f"/sager/{case.pk}/"),
        "dashboard, figures computed": _computed(viewer_client),
        "dashboard, figures stored": _queries(viewer_client, "/ledelse/"),
    }
    assert many == few
    # The stored figures are read in one query instead of the aggregates (17 on this set).
    assert few["dashboard, figures stored"] < few["dashboard, figures computed"] - 10
    # And a case with more tasks costs no more than one with few: at most the same queries —
    # fewer where it has nothing to prefetch (no requests to the municipality, say: Django
    # skips a prefetch of nothing).
    busiest = _busiest_case(busy)
    assert busiest.tasks.count() >= case.tasks.count()
    assert _queries(client, f"/sager/{busiest.pk}/") <= few["case page"]
