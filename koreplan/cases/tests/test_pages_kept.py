"""The case page and the worklist's rows kept as rendered (koreplan.web.page_cache): a
second view is served from what was kept, until a case or client shown changes, and never
to anyone else.

Every test keeps pages as production does (conftest.py); these check the keeping itself.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from koreplan.audit.services import audit_record
from koreplan.cases import services
from koreplan.cases.models import Task

from .factories import open_case
from .test_views import COPENHAGEN, TODAY, _today, sag  # noqa: F401 (the case pages' day and case)

pytestmark = pytest.mark.django_db


def view(client, case=None, query: str = "") -> tuple[str, int]:
    """The case page's (or the worklist's) HTML, and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/sager/{case.pk}/" if case else f"/opgaver/{query}")
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


def before_the_log(html: str) -> str:
    """The page up to its access log, with the CSRF tokens (new on every render) left out."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.split('id="adgangslog"')[0])


def test_a_second_view_is_the_same_page_from_fewer_queries(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    first, first_queries = view(client, sag)
    second, second_queries = view(client, sag)
    assert before_the_log(second) == before_the_log(first)
    assert second_queries <= first_queries - 8


def test_the_access_log_is_read_anew_on_every_view(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    view(client, sag)
    html, _queries = view(client, sag)
    log = html.split('id="adgangslog"')[1]
    assert log.count("Så sagen") == 2  # both reads, this one included


def test_a_change_through_a_service_shows_on_the_next_view(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    view(client, sag)
    services.journal_entry_add(actor=socialraadgiver, case=sag, kind="contact", occurred_on=TODAY, text="Ringet til Jens")
    html, _queries = view(client, sag)
    assert "Ringet til Jens" in html


def test_a_completed_task_shows_as_done_on_the_next_view(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    task = sag.tasks.get(obligation_id="intake_interview", completed_on__isnull=True)
    html, _queries = view(client, sag)
    assert f'action="/sager/{sag.pk}/opgaver/{task.pk}/udfoer/"' in html
    services.task_complete(actor=socialraadgiver, task=task, completed_on=TODAY)
    html, _queries = view(client, sag)
    assert f'action="/sager/{sag.pk}/opgaver/{task.pk}/udfoer/"' not in html


def test_a_change_recorded_for_the_client_renders_the_page_anew(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    _html, rendered = view(client, sag)
    _html, kept = view(client, sag)
    assert kept < rendered
    audit_record(action="koreplan.client.changed", actor=socialraadgiver, client_id=sag.client_id)
    _html, after = view(client, sag)
    assert after == rendered


def test_a_read_recorded_for_the_case_keeps_the_page(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    _html, rendered = view(client, sag)
    audit_record(action="koreplan.plan.viewed", actor=socialraadgiver, case_id=sag.pk, client_id=sag.client_id)
    _html, after = view(client, sag)
    assert after < rendered


def test_another_viewer_never_gets_what_was_kept_for_the_first(client, socialraadgiver, kollega, sag):
    client.force_login(socialraadgiver)
    _html, rendered = view(client, sag)
    colleague = Client()
    colleague.force_login(kollega)
    _html, theirs = view(colleague, sag)
    assert theirs == rendered


def test_the_next_day_renders_the_page_anew(client, socialraadgiver, sag):
    """Four minutes apart, well within what a page is kept for, but across midnight."""
    with time_machine.travel(datetime(2026, 11, 24, 23, 58, tzinfo=COPENHAGEN), tick=False):
        client.force_login(socialraadgiver)
        _html, rendered = view(client, sag)
        _html, kept = view(client, sag)
    with time_machine.travel(datetime(2026, 11, 25, 0, 2, tzinfo=COPENHAGEN), tick=False):
        _html, next_day = view(client, sag)
    assert kept < rendered
    assert next_day == rendered


def test_the_other_language_is_kept_apart(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    danish, _queries = view(client, sag)
    client.cookies.load({"django_language": "en"})
    english, _queries = view(client, sag)
    assert "Køreplan" in danish and "Hand-overs" in english and "Hand-overs" not in danish


def test_the_forms_on_a_kept_page_post(socialraadgiver, sag):
    client = Client(enforce_csrf_checks=True)
    client.force_login(socialraadgiver)
    view(client, sag)
    html, _queries = view(client, sag)  # kept
    form = html.split(f'action="/sager/{sag.pk}/journal/"')[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = client.post(f"/sager/{sag.pk}/journal/", {
        "csrfmiddlewaretoken": token, "kind": "contact", "occurred_on": TODAY.isoformat(), "text": "Mødt op",
    })
    assert response.status_code == 302
    html, _queries = view(client, sag)
    assert "Mødt op" in html


def test_a_form_shown_again_with_its_errors_is_not_kept(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    view(client, sag)
    refused = client.post(f"/sager/{sag.pk}/journal/", {"kind": "contact", "occurred_on": TODAY.isoformat(), "text": ""})
    assert 'href="#journal_text"' in refused.content.decode()
    html, _queries = view(client, sag)
    assert 'href="#journal_text"' not in html


def test_keeping_off_renders_every_view(client, socialraadgiver, sag, settings):
    settings.KOREPLAN_PAGE_CACHE_SECONDS = 0
    client.force_login(socialraadgiver)
    _html, first = view(client, sag)
    _html, second = view(client, sag)
    assert second == first


def test_what_is_kept_expires(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    _html, rendered = view(client, sag)
    with time_machine.travel(datetime(2026, 11, 24, 9, 6, tzinfo=COPENHAGEN), tick=False):
        _html, later = view(client, sag)
    assert later == rendered


def test_an_overdue_task_is_not_kept_as_due(client, socialraadgiver, sag):
    """The day is part of the key: what was due yesterday is overdue today."""
    task: Task = sag.tasks.filter(completed_on__isnull=True).order_by("due_on").first()
    last_minutes = datetime.combine(task.due_on, datetime.min.time(), COPENHAGEN) + timedelta(hours=23, minutes=58)
    with time_machine.travel(last_minutes, tick=False):
        client.force_login(socialraadgiver)
        html, _queries = view(client, sag)
        assert "overskredet" not in html.split(f'id="task-{task.pk}"')[1].split("</li>")[0].lower()
    with time_machine.travel(last_minutes + timedelta(minutes=4), tick=False):
        html, _queries = view(client, sag)
        assert "overskredet" in html.split(f'id="task-{task.pk}"')[1].split("</li>")[0].lower()


# --- the worklist ------------------------------------------------------------------------------


def rows_of(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.split('id="summary-heading"')[1])


def test_the_worklist_seen_again_has_the_same_rows_from_fewer_queries(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    first, rendered = view(client)
    second, kept = view(client)
    assert rows_of(second) == rows_of(first)
    assert kept < rendered


def test_a_task_completed_leaves_the_worklist_at_once(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    task = sag.tasks.get(obligation_id="intake_interview", completed_on__isnull=True)
    html, _queries = view(client)
    assert f'id="task-{task.pk}"' in html
    services.task_complete(actor=socialraadgiver, task=task, completed_on=TODAY)
    html, _queries = view(client)
    assert f'id="task-{task.pk}"' not in html


def test_a_new_case_s_tasks_show_at_once(client, socialraadgiver, sag, guldborgsund):
    client.force_login(socialraadgiver)
    view(client)
    other = open_case(actor=socialraadgiver, municipality=guldborgsund)
    html, _queries = view(client)
    assert f"/sager/{other.pk}/" in html


def test_a_change_to_a_client_on_the_page_renders_the_rows_anew(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    _html, rendered = view(client)
    audit_record(action="koreplan.client.changed", actor=socialraadgiver, client_id=sag.client_id)
    _html, after = view(client)
    assert after == rendered


def test_a_filtered_worklist_is_kept_apart(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    everything, _queries = view(client)
    step_5, _queries = view(client, query="?step=5")
    assert "Indsættelsessamtale" in everything
    assert "Første handleplan" in step_5 and "Indsættelsessamtale" not in step_5


def test_a_refused_mark_as_done_on_the_worklist_is_not_kept(client, socialraadgiver, sag):
    client.force_login(socialraadgiver)
    view(client)
    task = sag.tasks.get(obligation_id="intake_interview", completed_on__isnull=True)
    refused = client.post(f"/opgaver/{task.pk}/udfoer/", {f"t{task.pk}-completed_on": "2026-12-24"})
    assert "En opgave kan ikke udføres i fremtiden." in refused.content.decode()
    html, _queries = view(client)
    assert "En opgave kan ikke udføres i fremtiden." not in html


# --- the access log, written anew on every view ------------------------------------------------

_TEMPLATE_ROWS = """{% load cases_tags %}{% for entry in access_log %}
      <tr>
        <th scope="row"><time datetime="{{ entry.created_at|date:'c' }}">{{ entry.created_at|date:"SHORT_DATETIME_FORMAT" }}</time></th>
        <td>{{ entry.actor|default:"–" }}</td>
        <td>{{ entry.actor_organisation|default:"–" }}</td>
        <td>{{ entry.action|audit_action }}</td>
      </tr>
      {% endfor %}"""


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_access_log_rows_are_written_as_the_template_wrote_them(language):
    from django.template import engines
    from django.utils import translation

    from koreplan.cases.markup import access_log_rows
    from koreplan.cases.queries_ui import AccessLogRow

    rows = [
        AccessLogRow(datetime(2026, 11, 24, 8, 5, tzinfo=ZoneInfo("UTC")), "koreplan.case.viewed", "Susanne <Holm>", "Storstrøm & Co"),
        AccessLogRow(datetime(2026, 7, 1, 22, 30, tzinfo=ZoneInfo("UTC")), "koreplan.unknown.thing", "", ""),
    ]
    with translation.override(language):
        expected = engines["django"].from_string(_TEMPLATE_ROWS).render({"access_log": rows})
        assert access_log_rows(rows) == expected
    assert "Susanne &lt;Holm&gt;" in expected and "Storstrøm &amp; Co" in expected and "<td>–</td>" in expected
