"""Helpers for the case pages — titles in the reader's language, citations, statuses, "Mark as done" — as template tags and for the rows written in Python (cases.markup)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from django import template
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import formats
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from koreplan.domain.citations import DOCUMENTS
from koreplan.domain.timeline import Status
from koreplan.web.templatetags.koreplan_web import icon

register = template.Library()

#: Status of an obligation: its words, DKFDS badge and icon. The words carry the meaning;
#: colour and icon only repeat it (WCAG 1.4.1).
STATUSES = {
    Status.DONE: (pgettext_lazy("task status", "Done"), "badge-success", "success"),
    Status.OVERDUE: (pgettext_lazy("task status", "Overdue"), "badge-error", "error"),
    Status.DUE_SOON: (pgettext_lazy("task status", "Due soon"), "badge-warning", "hourglass"),
    Status.UPCOMING: (pgettext_lazy("task status", "Upcoming"), "badge-info", "calendar-month"),
}

#: The audit log's action codes as the access log names them.
AUDIT_ACTIONS = {
    "koreplan.case.viewed": _("Viewed the case"),
    "koreplan.case.opened": _("Opened the case"),
    "koreplan.case.facts_updated": _("Changed the facts"),
    "koreplan.case.responsibility_changed": _("Changed who holds the plan"),
    "koreplan.case.closed": _("Closed the case"),
    "koreplan.client.municipality_changed": _("Changed the acting municipality"),
    "koreplan.task.completed": _("Marked a task as done"),
    "koreplan.handover.requested": _("Requested a hand-over"),
    "koreplan.handover.accepted": _("Accepted a hand-over"),
    "koreplan.handover.returned": _("Returned a hand-over"),
    "koreplan.handover.withdrawn": _("Withdrew a hand-over"),
    "koreplan.journal.entry_added": _("Added a journal entry"),
}


@register.filter
def task_title(task) -> str:
    """The task's title in the language the page is shown in."""
    return task.title_da if (get_language() or "da").startswith("da") else task.title_en


#: The sources, longest abbreviation first, so that "VEJ" does not claim "VEJL".
_DOCUMENTS_LONGEST_FIRST = sorted(DOCUMENTS.items(), key=lambda item: -len(item[0].value))


@register.filter
def citation_title(citation: str) -> str:
    """The full name of the document a citation such as "VEJ pkt. 40" points into."""
    for source, document in _DOCUMENTS_LONGEST_FIRST:
        if citation.startswith(source.value):
            return f"{document.title} ({document.identifier})"
    return ""


@register.simple_tag
def citations(task) -> SafeString:
    """The task's legal basis: each citation in text, the document's full name on hover."""
    return _citations(tuple(task.legal_basis))


@lru_cache(maxsize=1024)
def _citations(legal_basis: tuple[str, ...]) -> SafeString:
    # Kept: a page has one per row, and the documents' names do not change while the process runs.
    return format_html_join(
        "; ", '<span class="koreplan-citation" title="{}">{}</span>',
        ((citation_title(citation), citation) for citation in legal_basis),
    )


#: A deadline's flags: the task's attribute, the words shown and what they mean on hover.
DEADLINE_FLAGS = (
    ("asap", _("as soon as possible"),
     _("The deadline lay before the phase began: act as soon as possible (VEJ pkt. 45).")),
    ("assumed", _("assumed deadline"),
     _("The sources give no exact date; this deadline is the project’s reading (docs/rules.md).")),
    ("non_working_day", _("weekend or public holiday"),
     _("Deadlines are not moved: plan to act on the working day before.")),
)


@register.simple_tag
def due(task) -> SafeString:
    """A task's deadline with its flags in words.

    A tag rather than an include, its words kept per language: every row of the worklist
    and the Køreplan has one (docs/performance.md).
    """
    day = time_element(task.due_on)
    flags = [(words, meaning) for attribute, words, meaning in _deadline_flags(get_language() or "") if getattr(task, attribute)]
    if not flags:
        return day
    return format_html(
        '{}\n<ul class="inline-list koreplan-flags">{}</ul>', day,
        format_html_join("", '<li><span class="koreplan-flag" title="{}">{}</span></li>', ((m, w) for w, m in flags)),
    )


def time_element(day: date) -> SafeString:
    """``<time>`` with the date in words, as ``{{ day|date }}`` writes it."""
    return format_html('<time datetime="{}">{}</time>', day.isoformat(), date_words(day))


def date_words(day: date) -> str:
    """``day`` as ``{{ day|date }}`` writes it, kept per language: a page writes dozens."""
    return _date_words(day, get_language() or "")


@lru_cache(maxsize=4096)
def _date_words(day: date, language: str) -> str:
    """``day`` as the active language writes it; ``language`` (the active one) keys the cache."""
    return formats.date_format(day)


@lru_cache(maxsize=16)
def _deadline_flags(language: str) -> tuple[tuple[str, str, str], ...]:
    return tuple((attribute, str(words), str(meaning)) for attribute, words, meaning in DEADLINE_FLAGS)


@register.simple_tag
def status_badge(status: str) -> SafeString:
    label, css, icon_name = STATUSES[Status(status)]
    return format_html('<span class="badge {} koreplan-status">{}{}</span>', css, icon(icon_name), label)


@register.simple_tag
def task_link(link, title: str) -> SafeString:
    """Where a task is done in the system (``cases.task_links``): the row's first action,
    named for its task to screen readers, as "Mark as done" is."""
    return format_html(
        '<a href="{}" class="button button-secondary koreplan-task-link">{}{}<span class="sr-only">: {}</span></a>',
        link.url, icon("arrow-forward"), link.label, title,
    )


@register.filter
def audit_action(code: str) -> str:
    return AUDIT_ACTIONS.get(code, code)


#: Stand in for a form's prefix, action and title in the one rendering of an unbound
#: form that ``mark_as_done_unbound`` copies; no real value contains them.
_PREFIX_PLACEHOLDER = "koreplan-form-prefix-0f3a"
_ACTION_PLACEHOLDER = "koreplan-form-action-0f3a"
_TITLE_PLACEHOLDER = "koreplan-form-title-0f3a"
COMPLETE_FORM_TEMPLATE = "cases/includes/complete_form.html"


def mark_as_done(request: HttpRequest, form, action: str, title: str, *, query: str = "", htmx_target: str = "") -> SafeString:
    """"Mark as done" for one task: ``cases/includes/complete_form.html`` posting to
    ``action`` (with ``query`` as its query string, if any). A bound form (the user's input
    or errors) is rendered in full; an unbound one is copied (:func:`mark_as_done_unbound`)."""
    if form.is_bound or not form.prefix:
        return _complete_form_render(request, form, f"{action}?{query}" if query else action, title, htmx_target)
    return mark_as_done_unbound(request, type(form), form.prefix, action, title, query=query, htmx_target=htmx_target)


def mark_as_done_unbound(
    request: HttpRequest, form_class, prefix: str, action: str, title: str, *, query: str = "", htmx_target: str = ""
) -> SafeString:
    """"Mark as done" for one task, its form unbound with ``prefix``.

    A list of tasks carries one such block per task, and rendering its widgets through
    Django's widget templates is most of a row's time; the blocks differ only in the form's
    prefix, its action and the task's title. So one is rendered once per request with
    placeholders, and copied with each task's values escaped as the template escapes them.
    """
    cache = request.__dict__.setdefault("_koreplan_complete_forms", {})
    key = (form_class, htmx_target, get_language())
    if key not in cache:
        cache[key] = _complete_form_render(
            request, form_class(prefix=_PREFIX_PLACEHOLDER), _ACTION_PLACEHOLDER, _TITLE_PLACEHOLDER, htmx_target
        )
    return SafeString(
        cache[key]
        .replace(_PREFIX_PLACEHOLDER, prefix)
        .replace(_ACTION_PLACEHOLDER, conditional_escape(f"{action}?{query}" if query else action))
        .replace(_TITLE_PLACEHOLDER, conditional_escape(title))
    )


def _complete_form_render(request: HttpRequest, form, action: str, title: str, htmx_target: str) -> SafeString:
    return SafeString(get_template(COMPLETE_FORM_TEMPLATE).render({
        "form": form, "action": action, "title": title, "htmx_target": htmx_target, "csrf_token": get_token(request),
    }))
