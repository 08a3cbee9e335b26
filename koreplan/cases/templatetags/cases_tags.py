"""Template helpers for the case pages: titles in the reader's language, citations, statuses."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
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


@register.filter
def citation_title(citation: str) -> str:
    """The full name of the document a citation such as "VEJ pkt. 40" points into."""
    for source, document in sorted(DOCUMENTS.items(), key=lambda item: -len(item[0].value)):
        if citation.startswith(source.value):
            return f"{document.title} ({document.identifier})"
    return ""


@register.simple_tag
def status_badge(status: str) -> SafeString:
    label, css, icon_name = STATUSES[Status(status)]
    return format_html('<span class="badge {} koreplan-status">{}{}</span>', css, icon(icon_name), label)


@register.filter
def audit_action(code: str) -> str:
    return AUDIT_ACTIONS.get(code, code)


#: Stands in for a form's prefix in the one rendering of an unbound form that
#: ``form_fields_for`` copies; no real prefix or text contains it.
_PREFIX_PLACEHOLDER = "koreplan-form-prefix-0f3a"


@register.simple_tag(takes_context=True)
def form_fields_for(context: template.Context, form, *names: str) -> SafeString:
    """The named fields of a form, each as ``includes/form_field.html`` renders it.

    A list of tasks carries one small unbound form per task (Mark as done) that differs
    from the others only in its prefix. Rendering every widget through Django's widget
    templates is most of such a page's time, so an unbound form is rendered once per
    request, with a placeholder for the prefix, and copied with each form's prefix put in.
    A bound form (the one with the user's input or errors) is always rendered in full.
    """
    field_template = context.template.engine.get_template("includes/form_field.html")

    def render(the_form) -> str:
        with context.push():
            return "".join(field_template.render(context.new({"field": the_form[name]})) for name in names)

    request = context.get("request")
    if form.is_bound or not form.prefix or request is None:
        return SafeString(render(form))
    # Kept on the request: each included template gets a render context of its own.
    cache = request.__dict__.setdefault("_koreplan_form_fields", {})
    key = (type(form), names, get_language())
    if key not in cache:
        cache[key] = render(type(form)(prefix=_PREFIX_PLACEHOLDER))
    return SafeString(cache[key].replace(_PREFIX_PLACEHOLDER, form.prefix))
