"""The release-readiness signal and the release panel, for any page that has a case.

The signal is always said in words, with an icon; colour only repeats it (WCAG 1.4.1).
On a list, prefetch what it reads (``release.selectors.with_release_signal``), or every
row costs two queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django import template
from django.template.loader import render_to_string
from django.utils.translation import get_language

from koreplan.domain import release as domain
from koreplan.release import selectors
from koreplan.release.models import Meeting, ReleaseOutcome

register = template.Library()

#: Level → DKFDS badge and icon.
LOOKS = {
    domain.Level.RELEASED_TO_STREET: ("badge-error", "error"),
    domain.Level.AT_RISK: ("badge-error", "warning"),
    domain.Level.MISSING: ("badge-warning", "flag"),
    domain.Level.READY: ("badge-success", "success"),
    domain.Level.RELEASED: ("badge-success", "how-to-reg"),
    domain.Level.NOT_YET: ("badge-info", "calendar-month"),
    domain.Level.NO_DATE: ("badge-info", "help"),
}
#: Levels a worklist row leaves out: they would say the same on most rows.
QUIET = {domain.Level.NOT_YET, domain.Level.NO_DATE}


def _da() -> bool:
    return (get_language() or "da").startswith("da")


@register.simple_tag
def release_signal(case, today: date | None = None) -> domain.Signal:
    return selectors.case_release_signal(case=case, today=today)


@register.simple_tag
def worklist_signal(case) -> str:
    """A worklist row's release signal: quiet until three months before release. Prefetch
    what it reads (``release.selectors.with_release_signal``)."""
    signal = selectors.case_release_signal(case=case)
    if signal.level in QUIET:
        return ""
    return render_to_string("release/_signal.html", signal_badge(signal, compact=True))


@register.filter
def signal_text(signal: domain.Signal) -> str:
    return signal.text_da if _da() else signal.text_en


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def absolute(number: int) -> int:
    return abs(number)


@register.inclusion_tag("release/_signal.html")
def signal_badge(signal: domain.Signal, compact: bool = False) -> dict:
    css, icon_name = LOOKS[signal.level]
    return {
        "signal": signal,
        "show": not (compact and signal.level in QUIET),
        "css": css,
        "icon_name": icon_name,
        "text": signal_text(signal),
        "compact": compact,
    }


@dataclass
class Panel:
    signal: domain.Signal
    release_meeting: Meeting | None
    appointments: int
    follow_up: Meeting | None
    outcome_at_release: ReleaseOutcome | None
    readiness_in_place: int
    readiness_total: int


@register.simple_tag
def release_panel(case) -> Panel:
    """What the case page shows of the release: three small queries, for one case."""
    # Only the columns the signal and the counts read: a prefetch of the whole rows cost
    # twice as much.
    statuses = dict(case.readiness_items.values_list("item", "status"))
    at_release = next(iter(case.release_outcomes.filter(moment=ReleaseOutcome.Moment.AT_RELEASE)), None)
    meetings = list(case.release_meetings.exclude(status=Meeting.Status.CANCELLED).order_by("starts_at"))
    return Panel(
        signal=selectors.release_signal_of(case, statuses, at_release),
        release_meeting=next((m for m in meetings if m.kind == Meeting.Kind.RELEASE_MEETING), None),
        appointments=sum(1 for m in meetings if m.kind == Meeting.Kind.RELEASE_DAY),
        follow_up=next((m for m in meetings if m.kind == Meeting.Kind.FOLLOW_UP), None),
        outcome_at_release=at_release,
        readiness_in_place=sum(1 for status in statuses.values() if status in ("in_place", "not_needed")),
        readiness_total=len(domain.ReadinessItem),
    )
