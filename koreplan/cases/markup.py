"""The long lists of the worklist and the case page, written in Python: the worklist's
task rows and its notice of cases without a plan-responsible, the Køreplan's rows and the
access log's.

A worklist page has 25 rows and the notice up to 10 cases, a Køreplan 30 rows or more,
and in the Django template language a row cost a millisecond or more — most of either
page's time (docs/performance.md). The markup is what the templates wrote, with the same
tags for the deadline, the citations, the statuses, the task's link and "Mark as done";
what every row shares is worked out once per page (the words in the reader's language,
the addresses' patterns), and what repeats from page to page is kept per language (a
date in words, the names of case types and of who acts).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from django.db import models
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.html import format_html, urlize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from koreplan.cases.forms import TaskCompleteForm
from koreplan.cases.models import Case, CaseType, Task
from koreplan.cases.queries_ui import AccessLogRow
from koreplan.cases.selectors import UnheldCase
from koreplan.cases.task_links import ID, Link, url_pattern
from koreplan.cases.templatetags.cases_tags import (
    audit_action,
    citations,
    date_words,
    due,
    mark_as_done,
    mark_as_done_unbound,
    status_badge,
    task_link,
    task_title,
    time_element,
)
from koreplan.domain.timeline import status_of
from koreplan.domain.release import Signal
from koreplan.release.templatetags.release_tags import worklist_badge


@lru_cache(maxsize=32)
def _names(choices: type[models.TextChoices], language: str) -> dict[str, str]:
    """The choices' names in ``language`` (the active one; it keys the cache)."""
    return {value: str(label) for value, label in choices.choices}


def _step(task: Task) -> str:
    return _("Step %(step)s") % {"step": task.step}


def _mark_as_done(request: HttpRequest, task: Task, action: str, title: str, bound_form, **options) -> SafeString:
    """"Mark as done" for the task: the user's input shown again (``bound_form``), or the
    unbound form, copied."""
    if bound_form is not None:
        return mark_as_done(request, bound_form, action, title, **options)
    return mark_as_done_unbound(request, TaskCompleteForm, TaskCompleteForm.prefix_for(task), action, title, **options)


class WorklistMarkup:
    """The rows and notice items of one page of the worklist, as ``cases/worklist.html`` lays them out."""

    def __init__(self, request: HttpRequest, *, query_string: str):
        self.request = request
        self.query_string = query_string
        self.language = get_language() or ""
        self.case_types = _names(CaseType, self.language)
        self.overdue = format_html('<span class="sr-only">{} </span>', _("Overdue:"))
        self.case_url = url_pattern("cases:case_detail", ID)
        self.complete_url = url_pattern("cases:worklist_task_complete", ID)
        self.responsibility_url = url_pattern("cases:case_responsibility", ID)

    def task_row(
        self, task: Task, section: str, *, signal: Signal, may_complete: bool, link: Link | None, bound_form=None
    ) -> SafeString:
        """One task's row in ``section`` (overdue, this_week, later), with its case's release
        ``signal``: its link to where it is done and "Mark as done" if the user may complete
        it — ``bound_form`` if the user's input for this task is being shown again."""
        case = task.case
        title = task_title(task)
        actions = task_link(link, title) if link is not None else SafeString("")
        if may_complete:
            before, after = self.complete_url
            actions += _mark_as_done(self.request, task, f"{before}{task.pk}{after}", title, bound_form, query=self.query_string)
        before, after = self.case_url
        return format_html(
            '\n      <tr id="task-{}">\n        <th scope="row">{}</th>\n'
            '        <td><a href="{}{}{}#task-{}">{}</a><br><span class="small-text">{}, {}</span>{}</td>\n'
            "        <td>{}{}</td>\n"
            "        <td>{}{}</td>\n"
            "        <td>{}</td>\n      </tr>\n      ",
            task.pk, title,
            before, task.case_id, after, task.pk, case.client,
            self.case_types.get(case.case_type, case.case_type), task.responsible_organisation, worklist_badge(signal),
            self.overdue if section == "overdue" else "", due(task),
            (_step(task) + (": " if task.legal_basis else "")) if task.step else "", citations(task),
            actions,
        )

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


class TimelineMarkup:
    """The rows of a case's Køreplan, as ``cases/case_detail.html#timeline`` lays them out."""

    def __init__(self, request: HttpRequest, case: Case, *, today: date):
        self.request = request
        self.today = today
        self.who = _names(Task.Who, get_language() or "")
        self.words = {"who": _("Who"), "legal_basis": _("Legal basis"), "done": _("Done"), "evidence": _("Comment or link")}
        self.complete_url = url_pattern("cases:task_complete", case.pk, ID)

    def milestone(self, on: date, name: str) -> SafeString:
        return format_html(
            '\n      <li class="koreplan-milestone">\n        <span class="koreplan-timeline-date">{}</span>\n'
            "        <strong>{}</strong>\n      </li>\n      ",
            time_element(on), name,
        )

    def task(self, task: Task, *, person, may_complete: bool, link: Link | None, bound_form=None,
             just_completed: bool = False) -> SafeString:
        """One task: its deadline, status, who acts, why, and — if open and the user may do
        it — where it is done and "Mark as done" (``bound_form`` if the user's input for
        this task is being shown again)."""
        title = task_title(task)
        status = status_of(task.due_on, task.completed_on, self.today).value
        who = format_html("{} – {}", self.who.get(task.who, task.who), task.responsible_organisation)
        if person is not None:
            who = format_html("{} ({})", who, person)
        facts = [format_html("<div><dt>{}</dt><dd>{}</dd></div>", self.words["who"], who)]
        if task.legal_basis:
            facts.append(format_html("<div><dt>{}</dt><dd>{}</dd></div>", self.words["legal_basis"], citations(task)))
        if task.completed_on:
            done = _("%(day)s by %(who)s") % {
                "day": date_words(task.completed_on), "who": task.completed_by or "–",
            }
            facts.append(format_html("<div><dt>{}</dt><dd>{}</dd></div>", self.words["done"], done))
            if task.evidence:
                # As the template's urlize: the text escaped, its addresses made links.
                facts.append(format_html(
                    "<div><dt>{}</dt><dd>{}</dd></div>", self.words["evidence"], mark_safe(urlize(task.evidence, nofollow=True, autoescape=True))
                ))
        actions = []
        if link is not None:
            actions.append(task_link(link, title))
        if may_complete:
            before, after = self.complete_url
            actions.append(
                _mark_as_done(self.request, task, f"{before}{task.pk}{after}", title, bound_form, htmx_target="#timeline")
            )
        return format_html(
            '\n      <li class="koreplan-task koreplan-task--{}" id="task-{}">\n'
            '        <div class="koreplan-timeline-date">{}</div>\n'
            '        <h3 class="h4 koreplan-task-title"{}>\n          {}{}\n        </h3>\n'
            '        <p class="mt-2 mb-2">{}</p>\n'
            '        <dl class="koreplan-task-facts">\n          {}\n        </dl>\n'
            "        {}\n      </li>\n      ",
            status, task.pk,
            due(task),
            SafeString(' tabindex="-1" autofocus') if just_completed else "",
            format_html('<span class="koreplan-step">{}:</span> ', _step(task)) if task.step else "", title,
            status_badge(status),
            SafeString("\n          ".join(facts)),
            SafeString("\n        ".join(actions)),
        )


def access_log_rows(rows: list[AccessLogRow]) -> SafeString:
    """The access log's rows, as ``cases/case_detail.html`` lays them out: the one part of
    a case page read and written anew on every view (``koreplan.web.page_cache``)."""
    html = []
    for row in rows:
        at = timezone.localtime(row.created_at)
        html.append(format_html(
            '\n      <tr>\n        <th scope="row"><time datetime="{}">{}</time></th>\n'
            "        <td>{}</td>\n        <td>{}</td>\n        <td>{}</td>\n      </tr>\n      ",
            formats.date_format(at, "c"), formats.date_format(at, "SHORT_DATETIME_FORMAT"),
            row.actor or "–", row.actor_organisation or "–", audit_action(row.action),
        ))
    return SafeString("".join(html))
