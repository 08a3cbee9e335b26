"""The lists of Mine opgaver — the tasks' rows and the notice of cases without a
plan-responsible — written in Python.

A page of the worklist has 25 rows and the notice up to 10 cases, and in the Django
template language each cost about a millisecond and a half and half a millisecond — most
of the page's time (docs/performance.md). The markup is what the template would write,
with the same tags for the deadline, the citations, the release signal, the task's link
and "Mark as done"; what every row shares is worked out once per page (the words in the
reader's language, the addresses' patterns).
"""

from __future__ import annotations

from functools import lru_cache

from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from koreplan.cases.models import CaseType, Task
from koreplan.cases.selectors import UnheldCase
from koreplan.cases.task_links import Link, url_pattern
from koreplan.cases.forms import TaskCompleteForm
from koreplan.cases.templatetags.cases_tags import (
    citations,
    due,
    mark_as_done,
    mark_as_done_unbound,
    task_link,
    task_title,
    time_element,
)
from koreplan.release.templatetags.release_tags import worklist_signal


@lru_cache(maxsize=16)
def _case_types(language: str) -> dict[str, str]:
    """The case types' names in ``language`` (the active one; it keys the cache)."""
    return {value: str(label) for value, label in CaseType.choices}


class WorklistMarkup:
    """The rows and notice items of one page of the worklist, as ``cases/worklist.html`` lays them out."""

    def __init__(self, request: HttpRequest, *, query_string: str):
        self.request = request
        self.query_string = query_string
        self.language = get_language() or ""
        self.case_types = _case_types(self.language)
        self.overdue = format_html('<span class="sr-only">{} </span>', _("Overdue:"))
        self.step = _("Step %(step)s")
        self.case_url = url_pattern("cases:case_detail")
        self.complete_url = url_pattern("cases:worklist_task_complete")
        self.responsibility_url = url_pattern("cases:case_responsibility")

    def task_row(self, task: Task, section: str, *, may_complete: bool, link: Link | None, bound_form=None) -> SafeString:
        """One task's row in ``section`` (overdue, this_week, later): its link to where it
        is done and "Mark as done" if the user may complete it — ``bound_form`` if the user's
        input for this task is being shown again."""
        case = task.case
        title = task_title(task)
        actions = task_link(link, title) if link is not None else SafeString("")
        if may_complete:
            before, after = self.complete_url
            action = f"{before}{task.pk}{after}"
            actions += (
                mark_as_done(self.request, bound_form, action, title, query=self.query_string) if bound_form is not None
                else mark_as_done_unbound(
                    self.request, TaskCompleteForm, TaskCompleteForm.prefix_for(task), action, title, query=self.query_string
                )
            )
        before, after = self.case_url
        return format_html(
            '\n      <tr id="task-{}">\n        <th scope="row">{}</th>\n'
            '        <td><a href="{}{}{}#task-{}">{}</a><br><span class="small-text">{}, {}</span>{}</td>\n'
            "        <td>{}{}</td>\n"
            "        <td>{}{}</td>\n"
            "        <td>{}</td>\n      </tr>\n      ",
            task.pk, title,
            before, task.case_id, after, task.pk, case.client,
            self.case_types.get(case.case_type, case.case_type), task.responsible_organisation, worklist_signal(case),
            self.overdue if section == "overdue" else "", due(task),
            self._step(task), citations(task),
            actions,
        )

    def _step(self, task: Task) -> SafeString:
        if not task.step:
            return SafeString("")
        return format_html("{}{}", self.step % {"step": task.step}, ": " if task.legal_basis else "")

    def unheld_item(self, case: UnheldCase) -> SafeString:
        """A case in the notice of cases without a plan-responsible: since when it has been
        open, who has left, and how long its deadlines have been passing."""
        before, after = self.case_url
        if case.intake_on:
            since = format_html("{} {}", _("intake"), time_element(case.intake_on))
        else:
            since = format_html("{} {}", _("opened"), time_element(timezone.localtime(case.opened_at).date()))
        left = (
            format_html("; {}", _("%(person)s has left") % {"person": case.former_plan_responsible})
            if case.former_plan_responsible else ""
        )
        overdue = (
            format_html("; {} {}", _("overdue since"), time_element(case.oldest_overdue_on))
            if case.oldest_overdue_on else ""
        )
        appoint_before, appoint_after = self.responsibility_url
        return format_html(
            '\n        <li>\n          <a href="{}{}{}">{}</a> – {},\n          {}{}{}\n'
            '          – <a href="{}{}{}">{}<span class="sr-only"> {}</span></a>\n        </li>\n        ',
            before, case.pk, after, case.client, self.case_types.get(case.case_type, case.case_type),
            since, left, overdue,
            appoint_before, case.pk, appoint_after, _("Appoint the plan-responsible"),
            _("for %(client)s") % {"client": case.client},
        )
