"""The case pages: Mine opgaver, Sager, a new case, the case page with its Køreplan, hand-overs.

Function views. Each reads through a selector (access is decided by
``selectors.cases_visible_to``, so anyone without a part in a case gets 404) and writes
through a service, whose ``ValidationError`` goes back onto the form field by field.
Every page works without JavaScript: a form posts, and on success the browser is
redirected (post/redirect/get); on an error the page is shown again with the error next
to its field and a summary at the top. htmx only enhances that: completing a task on the
case page swaps the re-rendered Køreplan in place — a named partial of the page's own
template (django-template-partials).

Every read of a case is written to the audit log, and so is each view of a list of
people (Mine opgaver, Sager, Overdragelser).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from koreplan.accounts.models import User
from koreplan.audit.selectors import last_changes
from koreplan.audit.services import audit_record
from koreplan.cases import queries_ui, selectors, services
from koreplan.cases.forms import (
    FACT_BOOLEAN_FIELDS,
    FACT_DATE_FIELDS,
    SENTENCE_FIELDS,
    ActingMunicipalityForm,
    CaseCreateForm,
    CaseFactsForm,
    CaseSearchForm,
    FactsForm,
    HandoverAcceptForm,
    HandoverRequestForm,
    HandoverReturnForm,
    JournalEntryForm,
    ResponsibilityForm,
    TaskCompleteForm,
    WorklistFilterForm,
    add_service_errors,
)
from koreplan.cases.models import Case, Handover, Task
from koreplan.cases.markup import TimelineMarkup, WorklistMarkup, access_log_rows
from koreplan.cases.task_links import TaskLinks
from koreplan.cases.templatetags.cases_tags import task_title
from koreplan.domain.calendar import Period
from koreplan.domain.facts import FactsError
from koreplan.domain.timeline import Status, status_of
from koreplan.organisations.models import Organisation
from koreplan.web import conflicts, page_cache
from koreplan.web.pagination import page_number, query_without_page

CASES_PER_PAGE = 50
#: The facts by the names the forms give them, to name a missing fact in the user's words.
FACT_LABELS = {
    **{name: field.label for name, field in FactsForm.base_fields.items()},
    "sentence": gettext_lazy("Sentence"),
    "birth_date": CaseCreateForm.base_fields["cpr"].label,
}
#: The Køreplan runs to four weeks after release (GL Bilag 1).
AFTER_RELEASE = timedelta(weeks=4)


# -- who may do what (mirrors the services' checks, to show only the forms that will work) --


def _may_complete(user: User, task: Task, case: Case) -> bool:
    return user.is_superuser or user.organisation_id in (task.responsible_organisation_id, case.holding_organisation_id)


def _may_see_access_log(user: User, case: Case) -> bool:
    """The access log is for the case's holders (and administrators)."""
    return selectors.is_administrator(user) or user.organisation_id == case.holding_organisation_id


def _may_open_cases(user: User) -> bool:
    if user.is_superuser:
        return True
    organisation = user.organisation
    return organisation is not None and organisation.kind in (Organisation.Kind.INSTITUTION, Organisation.Kind.KIF)


def _case_url(case: Case, anchor: str = "") -> str:
    url = reverse("cases:case_detail", args=[case.pk])
    return f"{url}#{anchor}" if anchor else url


# -- Mine opgaver ----------------------------------------------------------------------------


@require_safe
def worklist(request: HttpRequest) -> HttpResponse:
    return _render_worklist(request)


@require_POST
def worklist_task_complete(request: HttpRequest, task_id: int) -> HttpResponse:
    """Complete a task from the worklist; the filters travel in the query string."""
    task = selectors.task_get(user=request.user, task_id=task_id)
    form = TaskCompleteForm(request.POST, prefix=TaskCompleteForm.prefix_for(task))
    if form.is_valid():
        try:
            services.task_complete(
                actor=request.user, task=task, completed_on=form.cleaned_data["completed_on"],
                evidence=form.cleaned_data["evidence"], request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("“%(task)s” for %(client)s is marked as done.") % {"task": task_title(task), "client": task.case.client},
            )
            query = request.GET.urlencode()
            return redirect(reverse("cases:worklist") + (f"?{query}" if query else ""))
    return _render_worklist(request, bound_task_id=task.pk, bound_form=form)


#: Rows on a page of the worklist.
WORKLIST_PER_PAGE = 25


def _render_worklist(request: HttpRequest, *, bound_task_id: int | None = None, bound_form=None) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    keys = selectors.worklist_keys(user=user, today=today)
    filter_form = WorklistFilterForm(request.GET or None, organisation_ids=[key.organisation_id for key in keys])
    filters = filter_form.filters()
    work = selectors.worklist_page(
        selectors.worklist_filter(keys, **filters), today=today, number=page_number(request),
        per_page=WORKLIST_PER_PAGE, containing_task=bound_task_id,
    )
    # Only what the notice names.
    incoming = list(
        selectors.handovers_incoming(user=user).select_related("case__client", "from_organisation").only(
            "case_id", "kind", "requested_at", "case__client__first_name", "case__client__last_name",
            "from_organisation__name",
        )
    )
    unheld = selectors.worklist_unheld(user=user, today=today)
    headings = {
        "overdue": (_("Overdue"), _("The deadline has passed.")),
        "this_week": (_("This week"), _("Due by Sunday.")),
        "later": (_("Later"), _("Due within the next 90 days.")),
    }
    query_string = request.GET.urlencode()
    markup = WorklistMarkup(request, query_string=query_string)

    def render_sections() -> str:
        rows = selectors.worklist_rows(work, today=today)
        links = TaskLinks(user)

        def row(task: Task, section: str) -> SafeString:
            may_complete = _may_complete(user, task, task.case)
            return markup.task_row(
                task, section, signal=rows.signals[task.case_id], may_complete=may_complete,
                link=links.for_task(task, task.case) if may_complete else None,
                bound_form=bound_form if task.pk == bound_task_id else None,
            )

        sections = [
            (key.replace("_", "-"), *headings[key], work.counts[key], [row(task, key) for task in tasks])
            for key, tasks in rows.sections.items()
            if tasks
        ]
        return render_to_string("cases/worklist.html#sections", {"sections": sections}, request=request)

    def subject() -> tuple:
        changes = last_changes(
            case_ids={key.case_id for key in work.keys}, client_ids={key.client_id for key in work.keys}
        )
        return work.keys, changes, query_string

    # The page's rows as this viewer last had them, unless one of their tasks, cases or
    # clients has changed since (koreplan.web.page_cache); never the user's input shown again.
    sections = page_cache.kept("worklist", request, render_sections, subject=None if bound_form is not None else subject)
    audit_record(
        action="koreplan.worklist.viewed",
        request=request,
        data={
            **work.counts,
            "page": work.page.number,
            "handovers_incoming": len(incoming),
            **({"without_plan_responsible": unheld.count} if unheld else {}),
            **{key: value for key, value in filters.items() if value},
            # Which cases the page showed, so that a person's log includes it (koreplan.privacy).
            "case_ids": sorted(
                {key.case_id for key in work.keys} | {h.case_id for h in incoming}
                | {case.pk for case in (unheld.cases if unheld else [])}
            ),
        },
    )
    return render(
        request,
        "cases/worklist.html",
        {
            "filter_form": filter_form,
            "filtered": any(filters.values()),
            "sections": sections,
            "summary": [
                (key.replace("_", "-"), headings[key][0], work.counts[key], work.first_pages.get(key))
                for key in selectors.WORKLIST_SECTIONS
            ],
            "page": work.page,
            "page_query": query_without_page(request),
            "total": work.count,
            "incoming": incoming,
            "unheld": unheld,
            "unheld_items": [markup.unheld_item(case) for case in unheld.cases] if unheld else [],
            "today": today,
            "error_form": bound_form if bound_form is not None and bound_form.errors else None,
            "query_string": query_string,
        },
    )


# -- Sager -----------------------------------------------------------------------------------


@require_safe
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseSearchForm(request.GET or None)
    query, status = form.query()
    without_plan_responsible = form.without_plan_responsible()
    cases = selectors.case_list(
        user=request.user, query=query, status=status, without_plan_responsible=without_plan_responsible
    )
    page = Paginator(cases, CASES_PER_PAGE).get_page(page_number(request))
    audit_record(
        action="koreplan.case.searched",
        request=request,
        data={
            "query": query, "status": status or "all", "results": page.paginator.count, "page": page.number,
            **({"without_plan_responsible": True} if without_plan_responsible else {}),
            "case_ids": [case.pk for case in page.object_list],  # which cases the list showed
        },
    )
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "filtered": bool(query) or without_plan_responsible,
            "may_open_cases": _may_open_cases(request.user),
            "page_query": query_without_page(request),
        },
    )


# -- Ny klient og sag ----------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    if not _may_open_cases(request.user):
        raise PermissionDenied
    if request.method == "POST" and "refresh_people" in request.POST:
        # The holding organisation changed: list its staff, keep what was typed, judge nothing yet.
        initial = {key: value for key, value in request.POST.dict().items() if key not in ("csrfmiddlewaretoken", "refresh_people")}
        form = CaseCreateForm(initial=initial, user=request.user)
        if request.htmx:
            return render(request, "cases/case_create.html#people", {"form": form})
        return render(request, "cases/case_create.html", {"form": form})
    if request.method == "POST":
        form = CaseCreateForm(request.POST, user=request.user)
        if form.is_valid():
            response = _open_case(request, form)
            if response is not None:
                return response
    else:
        form = CaseCreateForm(user=request.user)
    return render(request, "cases/case_create.html", {"form": form, "error_form": form if form.errors else None})


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _open_case(request: HttpRequest, form: CaseCreateForm) -> HttpResponse | None:
    """Open the case; a registered CPR number gets the case on the client already there."""
    data = form.cleaned_data
    user = request.user
    client = queries_ui.client_by_cpr(cpr=data["cpr"], today=timezone.localdate())
    if client is not None:
        open_case = queries_ui.client_open_case_visible_to(user=user, client=client)
        if open_case is not None:
            messages.info(
                request,
                _("%(client)s already has an open case that you can see. It is shown here; nothing new was created.")
                % {"client": client},
            )
            return redirect(_case_url(open_case))
        # A mistyped CPR number must not put a case on someone else: the name has to match.
        if not (_same_name(client.first_name, data["first_name"]) and _same_name(client.last_name, data["last_name"])):
            form.add_error(
                "cpr",
                _("A client with this CPR number is registered under another name. Check the CPR number and the name."),
            )
            return None
    try:
        with transaction.atomic():
            # Two services, one transaction: a client is never left behind without its case.
            if client is None:
                client = services.client_create(
                    actor=user, cpr=data["cpr"], first_name=data["first_name"], last_name=data["last_name"],
                    acting_municipality=data["acting_municipality"], request=request,
                )
                existed = False
            else:
                existed = True
            opened = services.case_open(
                actor=user,
                client=client,
                case_type=data["case_type"],
                holding_organisation=data["holding_organisation"],
                plan_responsible=data.get("plan_responsible"),
                substitute=data.get("substitute"),
                facts=form.facts(),
                request=request,
            )
    except ValidationError as error:
        add_service_errors(form, error, aliases=form.service_aliases)
        return None
    case = opened.case
    if existed:
        messages.info(
            request,
            _("The client was already registered, so the case was opened for the registered client. "
              "The registered name and acting municipality were not changed."),
        )
    if selectors.cases_visible_to(user=user).filter(pk=case.pk).exists():
        messages.success(request, _("The case for %(client)s is opened.") % {"client": client})
        return redirect(_case_url(case))
    messages.success(
        request,
        _("The case for %(client)s is opened at %(organisation)s. You have no part in it, so it is not in your list.")
        % {"client": client, "organisation": case.holding_organisation},
    )
    return redirect("cases:case_list")


# -- the case page ---------------------------------------------------------------------------


def _task_person(task: Task, case: Case) -> User | None:
    """Who acts on the task: its named assignee, else the plan's holder on that side."""
    if task.assignee_id:
        return task.assignee
    if task.responsible_organisation_id == case.holding_organisation_id:
        return case.acting_responsible
    if case.kif_id and task.responsible_organisation_id == case.kif_id:
        return case.kif_officer
    return None


def _timeline_rows(
    request: HttpRequest,
    case: Case,
    tasks: list[Task],
    *,
    today: date,
    bound_task_id: int | None = None,
    bound_form: TaskCompleteForm | None = None,
    just_completed: int | None = None,
) -> list[SafeString]:
    """The Køreplan's rows (``cases.markup``): the tasks, and the milestones among them."""
    user = request.user
    markup = TimelineMarkup(request, case, today=today)
    links = TaskLinks(user)
    rows: list[tuple[date, int, SafeString]] = []
    for task in tasks:
        may_complete = task.completed_on is None and case.status == Case.Status.OPEN and _may_complete(user, task, case)
        rows.append((task.due_on, 1, markup.task(
            task, person=_task_person(task, case), may_complete=may_complete,
            link=links.for_task(task, case) if may_complete else None,
            bound_form=bound_form if task.pk == bound_task_id else None, just_completed=task.pk == just_completed,
        )))
    start = case.intake_on or case.supervision_started_on
    if start:
        rows.append((start, 0, markup.milestone(start, _("Intake") if case.intake_on else _("Supervision started"))))
    if case.expected_release_on:
        rows.append((case.expected_release_on, 0, markup.milestone(case.expected_release_on, _("Expected release"))))
        after = case.expected_release_on + AFTER_RELEASE
        rows.append((after, 0, markup.milestone(after, _("Four weeks after release"))))
    # Milestones first on their day: the intake comes before what is due on it.
    rows.sort(key=lambda row: row[:2])
    return [html for _on, _order, html in rows]


def _timeline_context(request: HttpRequest, case: Case, tasks: list[Task], *, today: date, **rows_kwargs) -> dict[str, Any]:
    """What the Køreplan partial shows: its rows and how many tasks are open and overdue."""
    return {
        "rows": _timeline_rows(request, case, tasks, today=today, **rows_kwargs),
        "open_count": sum(1 for t in tasks if t.completed_on is None),
        "overdue_count": sum(1 for t in tasks if status_of(t.due_on, t.completed_on, today) == Status.OVERDUE),
    }


def _sentence_words(iso: str) -> str:
    try:
        period = Period.parse(iso)
    except ValueError:
        return iso
    years, months = divmod(period.months, 12)
    parts = []
    if years:
        parts.append(ngettext("%(count)d year", "%(count)d years", years) % {"count": years})
    if months:
        parts.append(ngettext("%(count)d month", "%(count)d months", months) % {"count": months})
    if period.days:
        parts.append(ngettext("%(count)d day", "%(count)d days", period.days) % {"count": period.days})
    return " ".join(parts) if len(parts) < 2 else ", ".join(parts[:-1]) + " " + _("and") + " " + parts[-1]


def _fact_rows(case: Case) -> list[tuple[str, str]]:
    """The facts as label and text, in the order of the form that edits them."""
    labels = {name: field.label for name, field in FactsForm.base_fields.items()}
    unknown = _("Unknown")
    rows = [(labels["case_type"], case.get_case_type_display())]
    rows.append((_("Sentence"), _sentence_words(case.sentence) if case.sentence else unknown))
    for name in FACT_DATE_FIELDS:
        value = getattr(case, name)
        rows.append((labels[name], formats.date_format(value) if value else "—"))
    rows.append((labels["placement"], case.get_placement_display() or "—"))
    for name in FACT_BOOLEAN_FIELDS:
        value = getattr(case, name)
        rows.append((labels[name], unknown if value is None else (_("Yes") if value else _("No"))))
    return rows


def _case_page_context(
    request: HttpRequest,
    case: Case,
    *,
    bound: dict[str, Any] | None = None,
    bound_task_id: int | None = None,
    bound_task_form: TaskCompleteForm | None = None,
) -> dict[str, Any]:
    user = request.user
    bound = bound or {}
    today = timezone.localdate()
    may_edit = selectors.may_edit_open(user, case)
    tasks = queries_ui.case_page_tasks(case=case)
    try:
        timeline = services.case_timeline(case, today=today, tasks=tasks)
    except FactsError:
        timeline = None
    handovers = list(selectors.case_handovers(case=case))
    pending = next((h for h in handovers if h.status == Handover.Status.REQUESTED), None)
    lang_da = (request.LANGUAGE_CODE or "da").startswith("da")
    return {
        "case": case,
        "client": case.client,
        "today": today,
        "timeline": timeline,
        "warnings": [
            (FACT_LABELS.get(w.field, w.field), w.da if lang_da else w.en) for w in timeline.warnings
        ] if timeline else [],
        **_timeline_context(request, case, tasks, today=today, bound_task_id=bound_task_id, bound_form=bound_task_form),
        "facts": _fact_rows(case),
        "stays": queries_ui.case_stays(case=case),
        "handovers": handovers,
        "pending_handover": pending,
        "participations": queries_ui.case_participations(case=case),
        "journal": queries_ui.case_journal(case=case),
        "may_see_log": _may_see_access_log(user, case),
        "may_edit": may_edit,
        "journal_form": bound.get("journal") or (JournalEntryForm() if may_edit else None),
    }


def _render_case_page(request: HttpRequest, case: Case, *, error_form=None, **bound) -> HttpResponse:
    # Recorded before the page is built, so the access log on the page includes this read.
    audit_record(
        action="koreplan.case.viewed",
        request=request,
        case_id=case.pk,
        client_id=case.client_id,
        obj=case,
        data={"method": request.method},
    )

    def render_body() -> str:
        # Read again with everyone and everything the page names: the view's read was only
        # what finds a kept page (case_detail).
        named = selectors.case_get(user=request.user, case_id=case.pk, related=selectors.CASE_PAGE_RELATED)
        context = {**_case_page_context(request, named, **bound), "error_form": error_form}
        return render_to_string("cases/case_detail.html#body", context, request=request)

    def subject() -> tuple:
        return case.pk, last_changes(case_ids=[case.pk], client_ids=[case.client_id])

    # Everything but the access log, as this viewer last had it, unless the case or its
    # client has changed since (koreplan.web.page_cache); never the user's input shown again.
    shown_again = error_form is not None or bool(bound)
    body = page_cache.kept("case", request, render_body, subject=None if shown_again else subject)
    may_see_log = _may_see_access_log(request.user, case)
    access_log, access_total = queries_ui.case_access_log(case=case) if may_see_log else ([], 0)
    return render(request, "cases/case_detail.html", {
        "case": case, "client": case.client, "body": body,
        "may_see_log": may_see_log, "access_log": access_log, "access_total": access_total,
        "access_log_rows": access_log_rows(access_log),
    })


@require_safe
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    # Enough to check access, find a kept page and name the client: on PostgreSQL, planning
    # the join of everything the page names takes longer than serving a kept page.
    case = selectors.case_get(user=request.user, case_id=case_id, related=("client",))
    return _render_case_page(request, case)


def _case_task(user: User, case: Case, task_id: int) -> Task:
    task = selectors.task_get(user=user, task_id=task_id)
    if task.case_id != case.pk:
        raise Http404("No such task")
    return task


@require_POST
def task_complete(request: HttpRequest, case_id: int, task_id: int) -> HttpResponse:
    """Mark an obligation done. htmx gets the Køreplan back; a plain form post a redirect."""
    case = selectors.case_get(user=request.user, case_id=case_id)
    task = _case_task(request.user, case, task_id)
    form = TaskCompleteForm(request.POST, prefix=TaskCompleteForm.prefix_for(task))
    if form.is_valid():
        try:
            services.task_complete(
                actor=request.user, task=task, completed_on=form.cleaned_data["completed_on"],
                evidence=form.cleaned_data["evidence"], request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message = _("“%(task)s” is marked as done.") % {"task": task_title(task)}
            if request.htmx:
                return _timeline_response(request, case, status_message=message, just_completed=task.pk)
            messages.success(request, message)
            return redirect(_case_url(case, "koreplan"))
    if request.htmx:
        return _timeline_response(
            request, case, bound_task_id=task.pk, bound_form=form,
            status_message=_("“%(task)s” was not marked as done: see the error in the form.") % {"task": task_title(task)},
        )
    return _render_case_page(request, case, error_form=form, bound_task_id=task.pk, bound_task_form=form)


def _timeline_response(request: HttpRequest, case: Case, *, status_message: str, **rows_kwargs) -> HttpResponse:
    """The Køreplan partial, and the status line beside it swapped out of band.

    The status line stays in the page (only its text changes), so screen readers announce it.
    """
    context = {
        "case": case,
        **_timeline_context(request, case, queries_ui.case_page_tasks(case=case), today=timezone.localdate(), **rows_kwargs),
        "timeline_status": status_message,
        "oob": True,
    }
    html = render_to_string("cases/case_detail.html#timeline", context, request=request)
    html += render_to_string("cases/case_detail.html#timeline_status", context, request=request)
    return HttpResponse(html)


@require_http_methods(["GET", "HEAD", "POST"])
def case_facts(request: HttpRequest, case_id: int) -> HttpResponse:
    """Ret oplysninger: the facts, with the revision they were read at (optimistic locking)."""
    case = selectors.case_get(user=request.user, case_id=case_id)
    if not selectors.may_edit(request.user, case):
        raise PermissionDenied
    conflict = None
    if request.method == "POST":
        form = CaseFactsForm(request.POST)
        if form.is_valid():
            try:
                services.case_facts_update(
                    actor=request.user, case=case, revision=form.cleaned_data["revision"],
                    changes=form.facts(), request=request,
                )
            except services.StaleRevision:
                # Someone saved in between. Nothing was written, and nothing of this person's is lost.
                form, conflict = _facts_conflict(request, form, case)
            except ValidationError as error:
                add_service_errors(form, error, aliases=form.service_aliases)
            else:
                messages.success(request, _("The facts are saved, and the Køreplan is recalculated."))
                return redirect(_case_url(case, "oplysninger"))
    else:
        form = CaseFactsForm(initial={**FactsForm.initial_from_case(case), "revision": case.revision})
        services.case_read_record(actor=request.user, case=case, request=request, page="facts_form")
    return render(
        request,
        "cases/case_facts.html",
        {
            "case": case, "form": form, "error_form": form if form.errors and not conflict else None,
            "conflict": conflict, "heading": _("Edit the facts"), "anchor": "oplysninger",
        },
        status=conflicts.status(request, conflict),
    )


def _facts_conflict(request: HttpRequest, form: CaseFactsForm, case: Case) -> tuple[CaseFactsForm, conflicts.Conflict]:
    """The facts as saved now and who saved them, and the form again with the revision saved now."""
    fresh = Case.objects.select_related("revised_by").get(pk=case.pk)
    values = {**dict.fromkeys(SENTENCE_FIELDS), **FactsForm.initial_from_case(fresh)}
    values["placement"] = values["placement"] or None  # "follows from the holding organisation", as the form says
    saved = conflicts.lines(form.fields, values)
    mine = {**form.cleaned_data, "placement": form.cleaned_data.get("placement") or None}
    return conflicts.rebound(request, form, fresh.revision), conflicts.Conflict(
        by=fresh.revised_by, at=fresh.revised_at, saved=[("", saved)], mine=[("", conflicts.lines(form.fields, mine))]
    )


def _post_case_form(request: HttpRequest, case_id: int, *, make_form, bound: str, save, done: str, anchor: str):
    """The case page's small forms: validate, call the service, redirect — or show the page with the errors."""
    case = selectors.case_get(user=request.user, case_id=case_id)
    if not selectors.may_edit(request.user, case):
        raise PermissionDenied
    bound_form = make_form(request.POST, case)
    if bound_form.is_valid():
        try:
            save(actor=request.user, case=case, request=request, **bound_form.cleaned_data)
        except ValidationError as error:
            add_service_errors(bound_form, error)
        else:
            messages.success(request, done)
            return redirect(_case_url(case, anchor))
    return _render_case_page(request, case, error_form=bound_form, bound={bound: bound_form})


def _case_form_page(
    request: HttpRequest, case_id: int, *, template_name: str, heading: str, anchor: str, page: str, make_form, save,
    extra_context=lambda case: {},
) -> HttpResponse:
    """A form of its own about who holds the case: shown on GET; on POST validated and
    saved by ``save`` (which returns where to go next), or shown again with its errors.

    Pages of their own, not forms on the case page: they are used now and then, and their
    lists of people and organisations were a sixth of every case page's time. Each shows
    the client and the case, so a GET is recorded as a read of it (``page`` names which);
    a POST is recorded by the service that saves it."""
    case = selectors.case_get(user=request.user, case_id=case_id)
    if not selectors.may_edit_open(request.user, case):
        raise PermissionDenied
    if request.method != "POST":
        services.case_read_record(actor=request.user, case=case, request=request, page=page)
    form = make_form(request.POST if request.method == "POST" else None, case)
    if request.method == "POST" and form.is_valid():
        try:
            return save(case, form)
        except ValidationError as error:
            add_service_errors(form, error, aliases=form.service_aliases() if hasattr(form, "service_aliases") else None)
    return render(request, template_name, {
        "case": case, "form": form, "error_form": form if form.errors else None, "heading": heading, "anchor": anchor,
        **extra_context(case),
    })


@require_http_methods(["GET", "HEAD", "POST"])
def case_responsibility(request: HttpRequest, case_id: int) -> HttpResponse:
    def save(case: Case, form: ResponsibilityForm) -> HttpResponse:
        services.case_responsibility_set(actor=request.user, case=case, request=request, **form.cleaned_data)
        messages.success(request, _("Who holds the plan is saved."))
        return redirect(_case_url(case, "ansvar"))

    return _case_form_page(
        request, case_id, template_name="cases/responsibility.html", anchor="ansvar", page="responsibility",
        heading=_("Change the plan-responsible or the substitute"),
        make_form=lambda data, case: ResponsibilityForm(data, case=case), save=save,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def client_municipality(request: HttpRequest, case_id: int) -> HttpResponse:
    """Skift handlekommune: the client's acting municipality, with the reason, from the case."""
    def save(case: Case, form: ActingMunicipalityForm) -> HttpResponse:
        services.client_municipality_change(actor=request.user, case=case, request=request, **form.cleaned_data)
        messages.success(
            request,
            _("The acting municipality is now %(municipality)s.")
            % {"municipality": form.cleaned_data["municipality"]},
        )
        return redirect(_case_url(case, "kommune"))

    suggested = queries_ui.municipality_in_query(request)
    return _case_form_page(
        request, case_id, template_name="cases/client_municipality.html", anchor="kommune", page="client_municipality",
        heading=_("Change the acting municipality"),
        make_form=lambda data, case: ActingMunicipalityForm(data, suggested=suggested), save=save,
        extra_context=lambda case: {"current_municipality": case.client.acting_municipality},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def handover_request(request: HttpRequest, case_id: int) -> HttpResponse:
    def save(case: Case, form: HandoverRequestForm) -> HttpResponse:
        handover = services.handover_request(actor=request.user, case=case, request=request, **form.service_arguments())
        receiver = handover.to_user or handover.to_organisation
        messages.success(
            request,
            _("The hand-over is sent to %(receiver)s. You hold the case until it is accepted.") % {"receiver": receiver},
        )
        return redirect(_case_url(case, "overdragelser"))

    return _case_form_page(
        request, case_id, template_name="cases/handover_request.html", anchor="overdragelser", page="handover_request",
        heading=_("Hand the case over"),
        make_form=lambda data, case: HandoverRequestForm(data, case=case), save=save,
        extra_context=lambda case: {"pending_handover": selectors.handover_pending(case=case)},
    )


@require_POST
def handover_withdraw(request: HttpRequest, case_id: int, handover_id: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, case_id=case_id)
    handover = selectors.case_handovers(case=case).filter(pk=handover_id).first()
    if handover is None:
        raise Http404("No such hand-over")
    try:
        services.handover_withdraw(actor=request.user, handover=handover, request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The hand-over is withdrawn."))
    return redirect(_case_url(case, "overdragelser"))


@require_POST
def journal_add(request: HttpRequest, case_id: int) -> HttpResponse:
    return _post_case_form(
        request, case_id, make_form=lambda data, case: JournalEntryForm(data), bound="journal",
        save=services.journal_entry_add, done=_("The journal entry is saved."), anchor="journal",
    )


# -- Overdragelser ---------------------------------------------------------------------------


@require_safe
def handover_list(request: HttpRequest) -> HttpResponse:
    return _render_handover_list(request)


def _render_handover_list(request: HttpRequest, *, bound_id: int | None = None, bound_form=None) -> HttpResponse:
    user = request.user
    handovers = list(
        selectors.handovers_incoming(user=user).select_related(*selectors.HANDOVER_PARTIES, "case__holding_organisation")
    )
    holders = queries_ui.plan_holders_by_organisation(organisation_ids={h.to_organisation_id for h in handovers})
    items = []
    for handover in handovers:
        accept_form = HandoverAcceptForm(
            prefix=f"a{handover.pk}", handover=handover, holders=holders.get(handover.to_organisation_id, []), user=user
        )
        return_form = HandoverReturnForm(prefix=f"r{handover.pk}")
        if handover.pk == bound_id:
            if isinstance(bound_form, HandoverAcceptForm):
                accept_form = bound_form
            else:
                return_form = bound_form
        items.append({"handover": handover, "accept_form": accept_form, "return_form": return_form})
    audit_record(
        action="koreplan.handover.list_viewed", request=request,
        data={"incoming": len(handovers), "case_ids": sorted({h.case_id for h in handovers})},
    )
    return render(
        request,
        "cases/handover_list.html",
        {"items": items, "error_form": bound_form if bound_form is not None and bound_form.errors else None},
    )


@require_POST
def handover_accept(request: HttpRequest, handover_id: int) -> HttpResponse:
    handover = selectors.handover_get_for_receiver(user=request.user, handover_id=handover_id)
    holders = queries_ui.plan_holders_by_organisation(organisation_ids=[handover.to_organisation_id])
    form = HandoverAcceptForm(
        request.POST, prefix=f"a{handover.pk}", handover=handover,
        holders=holders.get(handover.to_organisation_id, []), user=request.user,
    )
    if form.is_valid():
        try:
            services.handover_accept(
                actor=request.user, handover=handover, plan_responsible=form.cleaned_data["plan_responsible"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("You have taken over the case of %(client)s. Review the action plan at once (VEJ pkt. 49).")
                % {"client": handover.case.client},
            )
            if selectors.cases_visible_to(user=request.user).filter(pk=handover.case_id).exists():
                return redirect(_case_url(handover.case))
            return redirect("cases:handover_list")
    return _render_handover_list(request, bound_id=handover.pk, bound_form=form)


@require_POST
def handover_return(request: HttpRequest, handover_id: int) -> HttpResponse:
    handover = selectors.handover_get_for_receiver(user=request.user, handover_id=handover_id)
    form = HandoverReturnForm(request.POST, prefix=f"r{handover.pk}")
    if form.is_valid():
        try:
            services.handover_return(
                actor=request.user, handover=handover, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            add_service_errors(form, error, aliases={"answer_reason": "reason"})
        else:
            messages.success(
                request,
                _("The hand-over is returned to %(sender)s, who keeps the case.") % {"sender": handover.from_organisation},
            )
            return redirect("cases:handover_list")
    return _render_handover_list(request, bound_id=handover.pk, bound_form=form)

