"""Every read of action plans. Access is always the case's: callers first get the case
with ``koreplan.cases.selectors.case_get`` (404 unless the user's organisation has a part
in it), and only then the plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.http import Http404
from django.utils import timezone

from koreplan.cases.models import Case
from koreplan.domain import plan as domain
from koreplan.domain.plan_versions import VersionLock
from koreplan.plans.models import ActionPlan, AreaChange, Evaluation, PlanStatus, PlanVersion
from koreplan.plans.services import version_lock_of


@dataclass(frozen=True)
class VersionInfo:
    version: PlanVersion
    lock: VersionLock
    today: date

    @property
    def number(self) -> int:
        return self.version.number

    @property
    def locked(self) -> bool:
        return self.lock.locked

    @property
    def days_left(self) -> int:
        return self.lock.days_left(self.today)

    @property
    def changed_since_approval(self) -> bool:
        v = self.version
        return bool(
            v.approval_status == PlanVersion.Approval.APPROVED
            and v.last_adjusted_at
            and v.approval_decided_at
            and v.last_adjusted_at > v.approval_decided_at
        )


@dataclass
class PlanView:
    """A plan as shown: its versions, the one being read, and what was recorded on it."""

    case: Case
    plan: ActionPlan
    versions: list[VersionInfo]
    shown: VersionInfo
    content: domain.PlanContent
    area_changes: list[AreaChange] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    statuses: list[PlanStatus] = field(default_factory=list)

    @property
    def latest(self) -> VersionInfo:
        return self.versions[-1]

    @property
    def is_latest(self) -> bool:
        return self.shown.number == self.latest.number

    def previous_of(self, number: int) -> VersionInfo | None:
        return next((v for v in self.versions if v.number == number - 1), None)


def plan_of(*, case: Case) -> ActionPlan | None:
    return ActionPlan.objects.filter(case=case).first()


def plan_versions(*, plan: ActionPlan, today: date | None = None) -> list[VersionInfo]:
    today = today or timezone.localdate()
    versions = list(
        plan.versions.select_related(
            "created_by", "last_adjusted_by", "finished_by", "approval_requested_by", "approval_decided_by"
        ).order_by("number")
    )
    latest = versions[-1].number if versions else 0
    return [VersionInfo(v, version_lock_of(v, latest_number=latest, today=today), today) for v in versions]


def plan_view(*, case: Case, number: int | None = None, today: date | None = None) -> PlanView | None:
    """The case's plan with version ``number`` (default: the newest); None if no plan yet.

    Raises Http404 for a version number the plan does not have.
    """
    plan = plan_of(case=case)
    if plan is None:
        return None
    plan.case = case
    versions = plan_versions(plan=plan, today=today)
    shown = versions[-1] if number is None else next((v for v in versions if v.number == number), None)
    if shown is None:
        raise Http404("No such version")
    version = shown.version
    return PlanView(
        case=case,
        plan=plan,
        versions=versions,
        shown=shown,
        content=version.content_value(),
        area_changes=list(version.area_changes.select_related("changed_by")),
        evaluations=list(Evaluation.objects.filter(version__plan=plan).select_related("version", "created_by")),
        statuses=list(PlanStatus.objects.filter(version__plan=plan).select_related("version", "created_by")),
    )


def plan_version_get(*, plan: ActionPlan, number: int) -> PlanVersion:
    try:
        return plan.versions.select_related("plan__case").get(number=number)
    except (PlanVersion.DoesNotExist, ValueError, TypeError):
        raise Http404("No such version") from None


def plan_latest_version(*, plan: ActionPlan) -> PlanVersion:
    return plan.versions.select_related("plan__case").order_by("-number").first()
