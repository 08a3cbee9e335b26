"""The load test's pure helpers: forms as a browser submits them, locust's statistics, the
restart window, duplicate e-mail. No database."""

from __future__ import annotations

import pytest
from loadtest_lib import (
    Window,
    duplicates,
    form_with_action,
    forms_in,
    links,
    message_ids_in,
    parse_duration,
    read_stats,
    routing_pairs,
    split_failures,
    stats_table,
)

PAGE = """
<form method="post" action="/sager/7/journal/">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok">
  <input type="radio" name="kind" value="contact" checked><input type="radio" name="kind" value="attempt">
  <input type="checkbox" name="urgent" value="1"><input type="checkbox" name="seen" checked>
  <input type="text" name="occurred_on" value="03.12.2026"><input type="submit" name="go" value="Gem">
  <textarea name="text">
Første linje &amp; mere</textarea>
</form>
<form method="post" action="/indbakke/38/fordel/">
  <select name="department"><option value="" selected>---------</option>
    <option value="217">Jobcenter, Guldborgsund</option><option value="216">Ydelse og myndighed, Guldborgsund</option></select>
  <select name="caseworker"><option value="">---------</option>
    <option value="32">Jonas Krog (Jobcenter)</option><option value="31">Mette Lauridsen (Ydelse og myndighed)</option>
    <option value="40">Someone (Elsewhere)</option></select>
</form>
<a href="/sager/1/">a</a> <a href="/sager/1/">again</a> <a href="/sager/2/#x">b</a> <a href="/sager/2/handleplan/">plan</a>
<a href="/ledelse/sager/?tal=overdue&amp;side=2">figure</a>
"""


def test_a_form_holds_what_a_browser_would_submit_unchanged():
    form = form_with_action(PAGE, r"/journal/$")
    assert form.method == "post"
    assert form.fields == {
        "csrfmiddlewaretoken": "tok", "kind": "contact", "seen": "on", "occurred_on": "03.12.2026",
        "text": "Første linje & mere",  # the newline after <textarea> dropped, entities decoded
    }
    assert form.radios == {"kind": ["contact", "attempt"]}


def test_a_select_submits_its_selected_option_and_offers_the_others():
    form = forms_in(PAGE)[1]
    assert form.fields["department"] == ""
    assert form.fields["caseworker"] == ""  # the first option when none is selected
    assert form.options["department"] == ["217", "216"]
    assert form.option_labels["caseworker"]["31"] == "Mette Lauridsen (Ydelse og myndighed)"


def test_routing_pairs_match_a_caseworker_to_the_department_in_the_label():
    assert sorted(routing_pairs(forms_in(PAGE)[1])) == [("216", "31"), ("217", "32")]


def test_no_form_matches_an_unknown_action():
    assert form_with_action(PAGE, r"/nowhere/") is None


def test_links_are_distinct_whole_matches_without_fragments_and_unescaped():
    assert links(PAGE, r"/sager/\d+/") == ["/sager/1/", "/sager/2/"]
    assert links(PAGE, r"/ledelse/sager/\?.*") == ["/ledelse/sager/?tal=overdue&side=2"]


STATS = """Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%
GET,worklist,120,2,140,180.5,40,2200,30000,2.0,0.03,140,160,180,200,300,450,900,1300,2200,2200,2200
POST,write journal entry,0,0,0,0,0,0,0,0,0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A
,Aggregated,120,2,140,180.5,40,2200,30000,2.0,0.03,140,160,180,200,300,450,900,1300,2200,2200,2200
"""


def test_locust_stats_are_read_with_percentiles_and_missing_values(tmp_path):
    path = tmp_path / "locust_stats.csv"
    path.write_text(STATS)
    rows = read_stats(path)
    assert [(r.method, r.name, r.requests, r.failures, r.p50, r.p95, r.p99) for r in rows] == [
        ("GET", "worklist", 120, 2, 140.0, 450.0, 1300.0),
        ("POST", "write journal entry", 0, 0, None, None, None),
        ("", "Aggregated", 120, 2, 140.0, 450.0, 1300.0),
    ]
    table = stats_table(rows)
    assert "| GET worklist | 120 | 2 | 140 | 450 | 1300 | 2200 |" in table
    assert "| POST write journal entry | 0 | 0 | – | – | – | 0 |" in table
    assert "| Aggregated | 120 |" in table


def test_a_failure_counts_in_the_window_when_the_request_was_under_way_during_it():
    window = Window(100.0, 110.0)
    before = {"start": 90.0, "end": 99.9}
    overlapping_start = {"start": 99.0, "end": 100.5}
    inside = {"start": 104.0, "end": 105.0}
    overlapping_end = {"start": 109.5, "end": 112.0}
    after = {"start": 110.1, "end": 111.0}
    got_in, got_out = split_failures([before, overlapping_start, inside, overlapping_end, after], [window])
    assert got_in == [overlapping_start, inside, overlapping_end]
    assert got_out == [before, after]
    assert 105.0 in window and 111.0 not in window


def test_without_a_window_every_failure_is_outside():
    assert split_failures([{"start": 1, "end": 2}], []) == ([], [{"start": 1, "end": 2}])


MAIL = """Content-Type: text/plain; charset="utf-8"
Subject: =?utf-8?q?K=C3=B8replan=3A_Ny_anmodning?=
Message-ID: <koreplan.outbox.17.20261203072400@loadtest.invalid>

Body mentioning Message-ID: <not.a.header@x> inline.
-------------------------------------------------------------------------------
Subject: Another
message-id: <koreplan.outbox.18.20261203072401@loadtest.invalid>

Body
-------------------------------------------------------------------------------
"""


def test_message_ids_are_read_from_the_headers_of_every_message_in_a_file():
    assert message_ids_in(MAIL) == [
        "<koreplan.outbox.17.20261203072400@loadtest.invalid>",
        "<koreplan.outbox.18.20261203072401@loadtest.invalid>",
    ]


def test_duplicates_are_the_ids_delivered_more_than_once():
    assert duplicates(["<a>", "<b>", "<a>", "<c>", "<a>"]) == {"<a>": 3}
    assert duplicates(["<a>", "<b>"]) == {}


@pytest.mark.parametrize(("text", "seconds"), [("180", 180), ("90s", 90), ("3m", 180), ("1h30m", 5400), ("2m30s", 150)])
def test_durations_read_as_locust_takes_them(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "3 minutes", "m", "-5", "1.5m"])
def test_a_bad_duration_is_refused_naming_the_setting(text):
    with pytest.raises(ValueError, match="DURATION"):
        parse_duration(text)
