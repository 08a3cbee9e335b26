"""The release-readiness signal and the release panel, for any page that has a case.

The signal is always said in words, with an icon; colour only repeats it (WCAG 1.4.1).
On a list, read the signals at once (``release.selectors.release_signals``), or every
row costs two queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from koreplan.domain import release as domain
from koreplan.release import selectors
from koreplan.release.models import Meeting, ReleaseOutcome
from koreplan.web.templatetags.koreplan_web import icon

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


def worklist_badge(signal: domain.Signal) -> SafeString:
    """A worklist row's release signal: quiet until three months before release
    (``release.selectors.release_signals`` reads a page's signals at once)."""
    badge = signal_badge(signal, compact=True)
    # Set apart from the text before it by a space, as a badge in running text is.
    return format_html("\n{}\n", badge) if badge else badge


@register.filter
def signal_text(signal: domain.Signal) -> str:
    return signal.text_da if _da() else signal.text_en


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def absolute(number: int) -> int:
    return abs(number)


@register.simple_tag
def signal_badge(signal: domain.Signal, compact: bool = False) -> SafeString:
    """The readiness signal: words and an icon; the colour only repeats them (WCAG 1.4.1).

    ``compact`` (a row of a list) names it "Release:" for screen readers and leaves out the
    levels that would say the same on most rows. Python rather than a template: a worklist
    page has one on many of its rows (docs/performance.md).
    """
    if compact and signal.level in QUIET:
        return SafeString("")
    css, icon_name = LOOKS[signal.level]
    return format_html(
        '<span class="badge {} koreplan-status release-signal release-signal--{}">{}{}{}</span>',
        css, signal.level, icon(icon_name),
        format_html('<span class="sr-only">{} </span>', _("Release:")) if compact else "",
        signal_text(signal),
    )


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
    """What the case page shows of the release: two small queries, for one case."""
    statuses_of, at_release_of = selectors.readiness_and_outcomes_at_release([case.pk])
    statuses, at_release = statuses_of[case.pk], at_release_of.get(case.pk)
    meetings = list(case.release_meetings.exclude(status=Meeting.Status.CANCELLED).order_by("starts_at"))
    return Panel(
        signal=selectors.release_signal_of(case, statuses, at_release.released_to_street if at_release else None),
        release_meeting=next((m for m in meetings if m.kind == Meeting.Kind.RELEASE_MEETING), None),
        appointments=sum(1 for m in meetings if m.kind == Meeting.Kind.RELEASE_DAY),
        follow_up=next((m for m in meetings if m.kind == Meeting.Kind.FOLLOW_UP), None),
        outcome_at_release=at_release,
        readiness_in_place=sum(1 for status in statuses.values() if status in ("in_place", "not_needed")),
        readiness_total=len(domain.ReadinessItem),
    )
