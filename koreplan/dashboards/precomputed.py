"""Precomputed figures: the dashboard's figures for a scope are computed once a day and
read back by every later request, as a BI dashboard does.

Computing the complete set for the whole country takes some 28 aggregate queries over the
tasks, hand-overs, requests, meetings, outcomes, evaluations and consents — seconds on the
national data, where one raw aggregate takes a fraction of it; no index closes that gap,
since an index speeds up the raw aggregate too. So the set is stored once computed
(``StoredFigures``, a row in the database every web worker shares) and read back by every
later request for the same key:

- the key is everything the figures depend on: the unit (which names its kind and id), the
  period, the case type, the obligation of the monthly trend, the day they are as of
  (past its date, open and pending depend on it: yesterday's figures are never shown as
  today's), the database they are read from, and the payload's format. Never the user:
  who may open a scope is decided before (``scopes.scope_resolve``), and the figures of a
  scope are the same for everyone who may;
- the nightly task (``tasks.precompute_dashboard_figures``) fills the default period of
  every unit, so that the first manager in the morning finds them ready; any other period
  or filter is computed on its first request and kept for the day;
- "Beregn tallene igen" on the page computes a scope's figures again
  (:func:`figures_compute`), replacing the stored ones.

The payload is JSON with a tag for what JSON has no type for (a date, a tuple, a dict
with keys that are not strings, the figures' dataclasses, named in ``selectors``): never
pickled, so a row cannot make the reader run code.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from koreplan.dashboards import selectors
from koreplan.dashboards.models import StoredFigures
from koreplan.dashboards.scopes import Scope, default_period, every_unit_scope

logger = logging.getLogger(__name__)

#: The payload's format: raise it when a figure's dataclass changes shape, and the rows
#: stored by the earlier code are left alone (and cleared by the next night).
FORMAT = 1

#: The dataclasses a payload may name: those of ``selectors``, and nothing else.
_TYPES: dict[str, type] = {
    name: value
    for name, value in vars(selectors).items()
    if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == selectors.__name__
}


@dataclass
class Figures:
    """A scope's figures (``presentation``'s dict) and when they were computed."""

    figures: dict[str, Any]
    computed_at: datetime


# -- the payload ----------------------------------------------------------------------------------


def encode(value: Any) -> Any:
    """The figures as JSON values; a TypeError for anything not foreseen."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if dataclasses.is_dataclass(value) and _TYPES.get(type(value).__name__) is type(value):
        return {"$dc": type(value).__name__, "v": {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, date) and not isinstance(value, datetime):
        return {"$date": value.isoformat()}
    if isinstance(value, tuple):
        return {"$tuple": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        # Keys are dates, ids and (id, name) pairs as often as strings: a list of pairs.
        return {"$dict": [[encode(k), encode(v)] for k, v in value.items()]}
    raise TypeError(f"Cannot store a {type(value).__name__} among the figures")


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$dc" in value:
        return _TYPES[value["$dc"]](**{name: decode(v) for name, v in value["v"].items()})
    if "$date" in value:
        return date.fromisoformat(value["$date"])
    if "$tuple" in value:
        return tuple(decode(v) for v in value["$tuple"])
    if "$dict" in value:
        return {decode(k): decode(v) for k, v in value["$dict"]}
    raise ValueError("Not a stored figure")


# -- computing, storing, reading ----------------------------------------------------------------------


def _compute(scope: Scope, obligation: str) -> dict[str, Any]:
    """Every figure of the dashboard; those of an app not installed are None."""
    with selectors.reporting(scope.alias):
        return {
            "obligations": selectors.obligation_figures(scope, obligation=obligation),
            "handovers": selectors.handover_figures(scope),
            "survey": selectors.survey_figures(scope),
            "evaluation": selectors.evaluation_figures(scope),
            "consent": selectors.consent_figures(scope),
            "requests": selectors.request_figures(scope),
            "meetings": selectors.meeting_figures(scope),
            "outcomes": selectors.outcome_figures(scope),
        }


def _key(scope: Scope, obligation: str) -> dict[str, Any]:
    return {
        "unit": scope.unit,
        "start": scope.start,
        "end": scope.end,
        "case_type": scope.case_type,
        "obligation": obligation,
        "as_of": scope.today,
        "source": scope.alias,
        "version": FORMAT,
    }


def figures_compute(scope: Scope, obligation: str = "") -> Figures:
    """Compute the scope's figures now and store them, replacing any stored for the key."""
    started = time.perf_counter()
    figures = _compute(scope, obligation)
    seconds = time.perf_counter() - started
    computed_at = timezone.now()
    key = _key(scope, obligation)
    # One statement that inserts or replaces: two workers computing the same key at once
    # both succeed, and the later one's figures stay.
    StoredFigures.objects.bulk_create(
        [StoredFigures(**key, payload=encode(figures), computed_at=computed_at, seconds=seconds)],
        update_conflicts=True,
        unique_fields=list(key),
        update_fields=["payload", "computed_at", "seconds"],
    )
    return Figures(figures, computed_at)


def figures_stored(scope: Scope, obligation: str = "") -> Figures | None:
    """The stored figures of the key, if they have been computed today (one query)."""
    row = StoredFigures.objects.filter(**_key(scope, obligation)).values("payload", "computed_at").first()
    if row is None:
        return None
    try:
        return Figures(decode(row["payload"]), row["computed_at"])
    except (KeyError, TypeError, ValueError):
        # A payload this code cannot read is computed again, not shown half-read.
        logger.exception("Stored dashboard figures for %s could not be read; computing them again.", scope.unit)
        return None


def figures_get(scope: Scope, obligation: str = "") -> Figures:
    """The scope's figures as of its day: stored if computed already, else computed now."""
    return figures_stored(scope, obligation) or figures_compute(scope, obligation)


def computed_at(scope: Scope, obligation: str = "") -> datetime | None:
    """When the stored figures of the key were computed, without reading them."""
    return StoredFigures.objects.filter(**_key(scope, obligation)).values_list("computed_at", flat=True).first()


def figures_precompute(*, today: date | None = None, log=logger.info) -> int:
    """Compute the default period of every unit for ``today`` (the nightly run), and clear
    the figures of earlier days, which no request reads again. Returns the number of units."""
    today = today or timezone.localdate()
    start, end = default_period(today)
    started = time.perf_counter()
    count = 0
    for scope in every_unit_scope(start=start, end=end, today=today):
        figures_compute(scope)
        count += 1
    cleared, _ = StoredFigures.objects.filter(Q(as_of__lt=today) | ~Q(version=FORMAT)).delete()
    log(
        f"Precomputed the dashboard figures of {count} units for {start}–{end} in {time.perf_counter() - started:.1f} s; "
        f"cleared {cleared} sets of earlier days."
    )
    return count
