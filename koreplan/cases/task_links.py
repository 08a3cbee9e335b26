"""Where each obligation of the Køreplan is done in the system.

Almost every task is done on a page of its own — the action plan, the letters to the
municipality, the release, who holds the case — and doing it there completes the task
(the services of ``koreplan.plans``, ``koreplan.coordination``, ``koreplan.release`` and
``koreplan.cases`` call ``task_complete``). A task row offers that page as its first way
to the work; "Mark as done" stays for work done outside the system.

A link is offered only to a user who may open the page and whose work there completes the
task: the rules are the pages' own (``plans.services.may_write``,
``coordination.selectors.may_send``, ``release.services.may_write_meetings``), so a link
never leads to a 403. An obligation with no such page (the first meeting with probation,
the review after a hand-over) has no entry and no link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from koreplan.accounts.models import User
from koreplan.cases.models import Case, Task
from koreplan.cases.selectors import may_edit_open
from koreplan.coordination.letters import obligation_of
from koreplan.coordination.models import Kind
from koreplan.coordination.selectors import may_send
from koreplan.organisations.models import Organisation
from koreplan.plans.services import may_write as may_write_plan
from koreplan.release.services import may_write_meetings


def _may_edit_case(user: User, task: Task, case: Case) -> bool:
    # The responsibility page's rule (cases.views._case_form_page).
    return may_edit_open(user, case)


def _plan_writer(user: User, task: Task, case: Case) -> bool:
    return may_write_plan(user, case)


def _plan_status(user: User, task: Task, case: Case) -> bool:
    """A status completes only its own organisation's task (plans.services.plan_status_record);
    at transfer the previous holder records it without holding the case."""
    if not (user.is_superuser or user.organisation_id == task.responsible_organisation_id):
        return False
    return may_write_plan(user, case) or (
        task.obligation_id == "status_at_transfer" and case.status == Case.Status.OPEN
    )


def _sender(user: User, task: Task, case: Case) -> bool:
    return may_send(user, case)


def _coordination_sender(user: User, task: Task, case: Case) -> bool:
    # Who a request for coordination is from decides which task it completes: KIF's or the institution's.
    sender = user.organisation or case.holding_organisation
    return may_send(user, case) and obligation_of(Kind.COORDINATION, sender) == task.obligation_id


def _release_holder(user: User, task: Task, case: Case) -> bool:
    return may_write_meetings(user, case)


def _kif_involver(user: User, task: Task, case: Case) -> bool:
    # As the release page's KIF section: a case KIF holds has no KIF to involve.
    return may_write_meetings(user, case) and case.holding_organisation.kind != Organisation.Kind.KIF


@dataclass(frozen=True)
class Place:
    """The page where an obligation is done: its URL name, the arguments after the case's
    id, the section, the words of the link, and who may use it there."""

    url_name: str
    label: Promise
    may_use: Callable[[User, Task, Case], bool]
    args: tuple[str, ...] = ()
    anchor: str = ""


_PLAN = _("Open the action plan")
_RELEASE = _("Go to the release")

#: Obligation id → where its work is done. Each entry's page completes the task through
#: its service; koreplan/cases/tests/test_task_links.py holds every entry to that.
PLACES: dict[str, Place] = {
    # Step 1, 4, 6 and 11: the letters to the municipality (coordination.services._on_sent).
    "notify_municipality_of_intake": Place(
        "coordination:request_new", _("Send the notice to the municipality"), _sender, args=("indsaettelse",)
    ),
    "obtain_case_files": Place("coordination:request_new", _("Request the case files"), _sender, args=("sagsakter",)),
    "municipality_coordination": Place(
        "coordination:request_new", _("Write to the municipality"), _coordination_sender, args=("koordinering",)
    ),
    "kif_municipality_coordination": Place(
        "coordination:request_new", _("Write to the municipality"), _coordination_sender, args=("koordinering",)
    ),
    # Step 2: naming the plan-responsible (cases.services.case_responsibility_set).
    "appoint_plan_responsible": Place("cases:case_responsibility", _("Appoint the plan-responsible"), _may_edit_case),
    # Steps 3, 5, 7 and the statuses: the action plan (plans.services).
    "intake_interview": Place("plans:intake_interview", _("Write the intake interview into the plan"), _plan_writer),
    "first_plan": Place("plans:plan", _PLAN, _plan_writer),
    "supervision_plan": Place("plans:plan", _PLAN, _plan_writer),
    "plan_evaluation": Place("plans:plan", _("Record the evaluation"), _plan_writer, anchor="opfoelgninger"),
    "supervision_evaluation": Place("plans:plan", _("Record the evaluation"), _plan_writer, anchor="opfoelgninger"),
    "status_at_release": Place("plans:plan", _("Record the status"), _plan_status, anchor="status"),
    "status_at_supervision_end": Place("plans:plan", _("Record the status"), _plan_status, anchor="status"),
    "status_at_transfer": Place("plans:plan", _("Record the status"), _plan_status, anchor="status"),
    # Steps 8, 9 and 9A: the release (release.services).
    "release_meeting": Place("release:release", _RELEASE, _release_holder, anchor="loesladelsesmoede"),
    "municipal_appointments_on_release_day": Place(
        "release:release", _RELEASE, _release_holder, anchor="loesladelsesdagen"
    ),
    "follow_up_meeting_after_release": Place("release:release", _RELEASE, _release_holder, anchor="opfoelgning"),
    "involve_kif": Place("release:release", _("Involve KIF"), _kif_involver, anchor="kif"),
}


@dataclass(frozen=True)
class Link:
    label: Promise
    url: str


#: Stands in for an id in the one ``reverse()`` per place and page; no real path contains it.
_ID_PLACEHOLDER = 987_654_321_012_345
#: Where ``url_pattern`` leaves the rows' ids.
ID = object()


def url_pattern(url_name: str, *args) -> tuple[str, str]:
    """The path of ``url_name`` with ``args``, before and after the one given as ``ID``:
    reversed once for a page whose rows each put their own id between."""
    url = reverse(url_name, args=[_ID_PLACEHOLDER if arg is ID else arg for arg in args])
    before, placeholder, after = url.partition(str(_ID_PLACEHOLDER))
    assert placeholder, f"{url_name} has no id in its path"
    return before, after


class TaskLinks:
    """The links of one page's task rows: one ``reverse()`` per place, the case's id put
    into it for each row (a worklist page has 25 rows, and reversing is a real part of a
    row's time — docs/performance.md)."""

    def __init__(self, user: User):
        self.user = user
        self._urls: dict[tuple[str, tuple[str, ...], str], tuple[str, str]] = {}

    def _url(self, place: Place, case_id: int) -> str:
        key = (place.url_name, place.args, place.anchor)
        parts = self._urls.get(key)
        if parts is None:
            before, after = url_pattern(place.url_name, ID, *place.args)
            parts = self._urls[key] = (before, after + (f"#{place.anchor}" if place.anchor else ""))
        return f"{parts[0]}{case_id}{parts[1]}"

    def for_task(self, task: Task, case: Case) -> Link | None:
        """Where the open ``task`` is done, if anywhere and if this user may do it there."""
        place = PLACES.get(task.obligation_id)
        if place is None or not place.may_use(self.user, task, case):
            return None
        return Link(place.label, self._url(place, case.pk))
