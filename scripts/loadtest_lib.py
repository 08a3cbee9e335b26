"""Pure helpers for the load test (scripts/loadtest.py and its locustfile).

No Django and no locust here, so that tests/operations can test them in milliseconds:
reading the forms out of a page the way a browser would submit them, reading locust's
CSV statistics, splitting failures by the restart window, and finding e-mail that was
delivered more than once.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

# -- forms, as a browser submits them --------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    #: name → value, as submitted without changes: checked boxes and radios only, a select's
    #: selected option (or its first), textareas' text.
    fields: dict[str, str] = field(default_factory=dict)
    #: name → the values a select offers (blank ones left out), for choosing another.
    options: dict[str, list[str]] = field(default_factory=dict)
    #: name → {value: the option's text}, for choosing by what the user reads.
    option_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    #: the names of the radio groups and their values.
    radios: dict[str, list[str]] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_has_selected = False
        self._option_value: str | None = None
        self._option_text = ""
        self._textarea: str | None = None
        self._textarea_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind == "radio":
                form.radios.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    form.fields[name] = a.get("value", "on")
            elif kind == "checkbox":
                if "checked" in a:
                    form.fields[name] = a.get("value", "on")
            else:
                form.fields[name] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea, self._textarea_text = name, []
        elif tag == "select" and name and "disabled" not in a:
            self._select, self._select_has_selected = name, False
            form.options[name] = []
            form.option_labels[name] = {}
        elif tag == "option" and self._select:
            self._option_value = a.get("value")
            self._option_text = ""
            value = a.get("value", "")
            if "selected" in a:
                form.fields[self._select] = value
                self._select_has_selected = True
            elif self._select not in form.fields:
                form.fields[self._select] = value  # the first option, until one is selected

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea_text.append(data)
        if self._select:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        form = self._form
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and form is not None:
            # A browser drops the one newline that follows <textarea>.
            text = "".join(self._textarea_text)
            form.fields[self._textarea] = text[1:] if text.startswith("\n") else text
            self._textarea = None
        elif tag == "option" and self._select and form is not None:
            value = self._option_value if self._option_value is not None else self._option_text.strip()
            if value:
                form.options[self._select].append(value)
                form.option_labels[self._select][value] = " ".join(self._option_text.split())
            self._option_value = None
        elif tag == "select":
            self._select = None


def forms_in(html: str) -> list[Form]:
    """Every form on the page, with the values a browser would submit unchanged."""
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def form_with_action(html: str, pattern: str) -> Form | None:
    """The first form whose action matches the regular expression `pattern`."""
    regex = re.compile(pattern)
    return next((f for f in forms_in(html) if regex.search(f.action)), None)


def links(html: str, pattern: str) -> list[str]:
    """The distinct hrefs on the page matching `pattern` (a regular expression), in order."""
    regex = re.compile(pattern)
    seen: dict[str, None] = {}
    for raw in re.findall(r'href="([^"#]*)', html):
        href = unescape(raw)
        if regex.fullmatch(href):
            seen.setdefault(href, None)
    return list(seen)


def routing_pairs(form: Form) -> list[tuple[str, str]]:
    """The (department, caseworker) pairs of the inbox's routing form that belong together:
    a caseworker is labelled "Name (Department)" and a department "Department, Municipality"."""
    departments = form.option_labels.get("department", {})
    pairs = []
    for person, label in form.option_labels.get("caseworker", {}).items():
        found = re.search(r"\(([^()]+)\)$", label)
        if not found:
            continue
        pairs += [(dept, person) for dept, name in departments.items() if name.split(",")[0].strip() == found.group(1)]
    return pairs


# -- locust's statistics ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StatRow:
    method: str
    name: str
    requests: int
    failures: int
    p50: float | None
    p95: float | None
    p99: float | None
    max: float | None
    rps: float


def _number(value: str) -> float | None:
    value = (value or "").strip()
    if value in {"", "N/A"}:
        return None
    return float(value)


def read_stats(path: Path) -> list[StatRow]:
    """The rows of locust's `<prefix>_stats.csv`, the aggregated row last (its name is
    "Aggregated")."""
    rows = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.append(
                StatRow(
                    method=row["Type"],
                    name=row["Name"],
                    requests=int(row["Request Count"]),
                    failures=int(row["Failure Count"]),
                    p50=_number(row["50%"]),
                    p95=_number(row["95%"]),
                    p99=_number(row["99%"]),
                    max=_number(row["Max Response Time"]),
                    rps=_number(row["Requests/s"]) or 0.0,
                )
            )
    return rows


def stats_table(rows: list[StatRow]) -> str:
    """The statistics as a Markdown table (for the report and docs/operations.md)."""

    def ms(value: float | None) -> str:
        return "–" if value is None else f"{value:.0f}"

    lines = [
        "| request | count | failures | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        label = r.name if r.name == "Aggregated" else f"{r.method} {r.name}"
        lines.append(f"| {label} | {r.requests} | {r.failures} | {ms(r.p50)} | {ms(r.p95)} | {ms(r.p99)} | {ms(r.max)} |")
    return "\n".join(lines)


# -- failures and the restart window ---------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    start: float
    end: float

    def __contains__(self, moment: float) -> bool:
        return self.start <= moment <= self.end


def split_failures(failures: list[dict], windows: list[Window]) -> tuple[list[dict], list[dict]]:
    """(inside any window, outside all): a failure counts as inside when the request was
    under way during the window, i.e. it started before the window's end and ended after
    its start. Each failure has `start` and `end` (epoch seconds)."""
    inside, outside = [], []
    for failure in failures:
        under_way = any(failure["start"] <= w.end and failure["end"] >= w.start for w in windows)
        (inside if under_way else outside).append(failure)
    return inside, outside


# -- e-mail delivered more than once ---------------------------------------------------------------

_MESSAGE_ID = re.compile(r"^Message-ID:\s*(<[^>]+>)\s*$", re.IGNORECASE | re.MULTILINE)


def message_ids_in(text: str) -> list[str]:
    """The Message-ID headers in the text of Django's file-based e-mail backend (one file per
    connection, the messages separated by a line of dashes)."""
    return _MESSAGE_ID.findall(text)


def duplicates(message_ids: list[str]) -> dict[str, int]:
    """The ids delivered more than once, with how often."""
    return {mid: n for mid, n in Counter(message_ids).items() if n > 1}


def parse_duration(text: str) -> int:
    """Seconds from "90", "90s", "3m", "1h30m" (as locust's --run-time takes them)."""
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    parts = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", text)
    if not text or parts is None or not any(parts.groups()):
        raise ValueError(f"DURATION: not a duration: {text!r} (for example 180, 90s or 3m)")
    hours, minutes, seconds = (int(p or 0) for p in parts.groups())
    return hours * 3600 + minutes * 60 + seconds
