"""/cases/{case_id}/plan…: the action plan over the JSON API.

A django-ninja router, mounted by the API app (``api.add_router("/", router)``). It
handles its own errors, so it behaves the same on any NinjaAPI:

- access is the web application's: ``case_get`` (404 for a case the caller may not see,
  whether or not it exists); only the holding organisation writes (403);
- a rule broken is 422 ``{"detail": [{"loc": ["body", …], "msg", "type"}]}``, with the
  location of the field inside the body — ``["body", "data", "partners", 0, "email"]``;
- 409 when the version changed since the ``revision`` the change was made from, or when
  it is locked (its lock date has passed, or a newer version has begun): read the plan
  again, and start a new version if the one you wrote to is locked;
- every read and write is audited (``koreplan.plan.viewed``, ``koreplan.plan_version.…``).

The content of a version is the domain's JSON (``koreplan.domain.plan``,
``PlanContent.to_dict``): ``participation``, ``description`` (dated entries per life
area), ``causes``, ``assessment`` with the client's views, ``areas`` (areas of effort in
priority order) and ``partners``. Section 1 (master data) is the case itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from koreplan.api.errors import Conflict, stale_conflict
from koreplan.api.schemas import ConflictOut
from koreplan.cases.selectors import case_get
from koreplan.domain import plan as domain
from koreplan.plans import selectors, services
from koreplan.plans.models import ActionPlan, PlanStatus, PlanVersion

Id = int
# Plain literals rather than the models' TextChoices: an enum's schema is named after its
# class ("Kind", "Approval"), which other apps' schemas use too.
ApprovalStatus = Literal[tuple(PlanVersion.Approval.values)]
StatusKind = Literal[tuple(PlanStatus.Kind.values)]

# -- schemas ----------------------------------------------------------------------------------


class PlanErrorOut(Schema):
    detail: str


class PlanFieldErrorOut(Schema):
    loc: list[str | int]
    msg: str
    type: str


class PlanValidationErrorOut(Schema):
    detail: list[PlanFieldErrorOut]


class PlanPersonOut(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)


class PlanApprovalOut(Schema):
    status: ApprovalStatus
    requested_at: datetime | None
    requested_by: PlanPersonOut | None
    decided_at: datetime | None
    decided_by: PlanPersonOut | None
    comment: str


class PlanVersionSummaryOut(Schema):
    number: int
    began_on: date
    created_at: datetime
    last_adjusted_at: datetime | None
    locks_on: date = Field(description="From this day the version can no longer be changed.")
    locked: bool
    superseded: bool = Field(description="A newer version has begun, so this one is closed.")
    finished_on: date | None
    approval_status: ApprovalStatus
    revision: int = Field(description="Send it back with a change; a stale revision is 409.")


class PlanVersionOut(PlanVersionSummaryOut):
    created_by: PlanPersonOut
    last_adjusted_by: PlanPersonOut | None
    approval: PlanApprovalOut
    content: dict[str, Any] = Field(description="The version's content: koreplan.domain.plan's JSON.")


class PlanOut(Schema):
    case_id: int
    created_at: datetime
    versions: list[PlanVersionSummaryOut]
    current: PlanVersionOut


class PlanSectionIn(Schema):
    revision: int
    data: dict[str, Any] = Field(
        description='The section\'s fields, e.g. {"causes": "…", "causes_client_view": {"stance": "agrees", "note": ""}}.'
    )


class PlanAreaIn(Schema):
    revision: int
    priority: int | None = Field(None, ge=1, description="1 is first; left out: last for a new area, unchanged otherwise.")
    area: dict[str, Any] = Field(description="An area of effort as in the content's `areas` (its key is ignored).")
    justification: str = Field(description="Why the plan changes (VEJ pkt. 37).")
    discussed_with_client: bool = Field(description="The change was discussed with the client beforehand.")


class PlanAreaRemoveIn(Schema):
    revision: int
    justification: str
    discussed_with_client: bool


class PlanAgreementIn(Schema):
    who: str = ""
    what: str
    when: str = ""


class PlanEvaluationIn(Schema):
    held_on: date
    participants: str = ""
    description_update: str
    carried_out: str = ""
    not_carried_out: str = ""
    reasons: str = ""
    prevention: str = ""
    next_agreements: list[PlanAgreementIn]


class PlanEvaluationOut(Schema):
    id: int
    version: int
    held_on: date
    participants: str
    description_update: str
    carried_out: str
    not_carried_out: str
    reasons: str
    prevention: str
    next_agreements: list[dict[str, str]]
    task_completed: str | None

    @staticmethod
    def resolve_version(obj) -> int:
        return obj.version.number

    @staticmethod
    def resolve_task_completed(obj) -> str | None:
        return obj.task.obligation_id if obj.task_id else None


class PlanStatusIn(Schema):
    kind: StatusKind
    stated_on: date
    note: str = ""


class PlanStatusOut(Schema):
    id: int
    version: int
    kind: StatusKind
    stated_on: date
    note: str
    task_completed: str | None

    @staticmethod
    def resolve_version(obj) -> int:
        return obj.version.number

    @staticmethod
    def resolve_task_completed(obj) -> str | None:
        return obj.task.obligation_id if obj.task_id else None


class PlanApprovalRequestIn(Schema):
    comment: str = ""


class PlanApprovalDecisionIn(Schema):
    approve: bool
    comment: str = Field("", description="Required when the plan is sent back.")


# -- helpers -------------------------------------------------------------------------------------


def _loc(path: str, prefix: tuple[str, ...]) -> list[str | int]:
    if not path or path == NON_FIELD_ERRORS:
        return ["body"]
    return ["body", *prefix, *(int(p) if p.isdigit() else p for p in path.split("."))]


def _area_loc(path: str) -> list[str | int]:
    """Where an area service's error is in an PlanAreaIn body: the area's own fields are
    inside ``area``; the change's justification and confirmation beside it."""
    beside = {"change_justification": "justification", "discussed_with_client": "discussed_with_client",
              "priority": "priority", "area": "area"}
    if path in beside:
        return ["body", beside[path]]
    return _loc(path, ("area",))


@contextmanager
def _service_errors(prefix: tuple[str, ...] = (), locate=None, version: PlanVersion | None = None) -> Iterator[None]:
    """A service's refusal as HTTP: 409 for a stale (naming what ``version`` is now) or locked version, 403, or 422."""
    locate = locate or (lambda path: _loc(path, prefix))
    try:
        yield
    except services.StaleRevision as error:
        if version is None:
            raise HttpError(409, error.messages[0]) from error
        fresh = PlanVersion.objects.select_related("last_adjusted_by").get(pk=version.pk)
        raise stale_conflict(error, revision=fresh.revision, by=fresh.last_adjusted_by, at=fresh.last_adjusted_at) from error
    except PermissionDenied as error:
        raise HttpError(403, str(error) or "Forbidden") from error
    except DjangoValidationError as error:
        if hasattr(error, "error_dict") and "version" in error.error_dict:
            raise Conflict(error.message_dict["version"][0], field="version") from error
        if not hasattr(error, "error_dict"):
            raise NinjaValidationError([{"loc": ["body"], "msg": m, "type": "value_error"} for m in error.messages]) from error
        raise NinjaValidationError([
            {"loc": locate(field), "msg": message, "type": "value_error"}
            for field, messages in error.message_dict.items()
            for message in messages
        ]) from error


def _audit_read(request: HttpRequest, case, version: PlanVersion | None, endpoint: str) -> None:
    token = getattr(request, "api_token", None)
    services.plan_read_record(
        actor=request.user, case=case, version=version, request=request, page=f"api:{endpoint}",
        api_token=getattr(token, "pk", None),
    )


def _plan(request: HttpRequest, case_id: int) -> tuple[Any, ActionPlan]:
    case = case_get(user=request.user, case_id=case_id)
    plan = selectors.plan_of(case=case)
    if plan is None:
        raise HttpError(404, "The case has no action plan yet.")
    plan.case = case
    return case, plan


def _version_out(info: selectors.VersionInfo) -> dict[str, Any]:
    v = info.version
    return {
        "number": v.number, "began_on": v.began_on, "created_at": v.created_at, "created_by": v.created_by,
        "last_adjusted_at": v.last_adjusted_at, "last_adjusted_by": v.last_adjusted_by,
        "locks_on": info.lock.locks_on, "locked": info.locked, "superseded": info.lock.superseded,
        "finished_on": v.finished_on, "approval_status": v.approval_status, "revision": v.revision,
        "approval": {
            "status": v.approval_status, "requested_at": v.approval_requested_at, "requested_by": v.approval_requested_by,
            "decided_at": v.approval_decided_at, "decided_by": v.approval_decided_by, "comment": v.approval_comment,
        },
        "content": v.content_value().to_dict(),
    }


def _version_response(plan: ActionPlan, number: int) -> dict[str, Any]:
    info = next(i for i in selectors.plan_versions(plan=plan) if i.number == number)
    return _version_out(info)


def _version(plan: ActionPlan, number: int) -> PlanVersion:
    version = selectors.plan_version_get(plan=plan, number=number)
    version.plan = plan
    return version


READ_ERRORS = {401: PlanErrorOut, 404: PlanErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: PlanErrorOut, 409: ConflictOut, 422: PlanValidationErrorOut}
_VERSION = "/cases/{case_id}/plan/versions/{number}"


# -- the router -----------------------------------------------------------------------------------


def build_router() -> Router:
    """A fresh router with the plan's endpoints (a router can be mounted on one API only;
    tests mount their own)."""
    router = Router(tags=["action plans"])

    @router.get("/cases/{case_id}/plan", response={200: PlanOut, **READ_ERRORS}, summary="The action plan of a case")
    def plan_detail(request: HttpRequest, case_id: Path[Id]):
        case, plan = _plan(request, case_id)
        versions = selectors.plan_versions(plan=plan)
        _audit_read(request, case, versions[-1].version, "plan_detail")
        return {
            "case_id": case.pk, "created_at": plan.created_at,
            "versions": [_version_out(v) for v in versions], "current": _version_out(versions[-1]),
        }

    @router.post("/cases/{case_id}/plan", response={201: PlanOut, **WRITE_ERRORS}, summary="Make the case's plan")
    def plan_create(request: HttpRequest, case_id: Path[Id]):
        case = case_get(user=request.user, case_id=case_id)
        with _service_errors():
            services.plan_start(actor=request.user, case=case, request=request)
        return Status(201, plan_detail(request, case_id))

    @router.get(_VERSION, response={200: PlanVersionOut, **READ_ERRORS}, summary="One version of the plan")
    def version_detail(request: HttpRequest, case_id: Path[Id], number: Path[Id]):
        case, plan = _plan(request, case_id)
        version = _version(plan, number)
        _audit_read(request, case, version, "version_detail")
        return _version_response(plan, number)

    @router.post(
        "/cases/{case_id}/plan/versions", response={201: PlanVersionOut, **WRITE_ERRORS},
        summary="Begin the next version, as a copy of the newest",
    )
    def version_create(request: HttpRequest, case_id: Path[Id]):
        _, plan = _plan(request, case_id)
        with _service_errors():
            version = services.plan_version_create(actor=request.user, plan=plan, request=request)
        return Status(201, _version_response(plan, version.number))

    @router.patch(
        _VERSION + "/sections/{section}", response={200: PlanVersionOut, **WRITE_ERRORS},
        summary="Replace one section of a version",
        description="`section` is participation, description, causes, assessment or partners. Areas of effort "
                    "change one at a time, with a justification (…/areas).",
    )
    def section_update(request: HttpRequest, case_id: Path[Id], number: Path[Id], section: Path[str], payload: PlanSectionIn):
        _, plan = _plan(request, case_id)
        version = _version(plan, number)
        with _service_errors(("data",), version=version):
            services.plan_section_update(
                actor=request.user, version=version, revision=payload.revision, section=section, data=payload.data,
                request=request,
            )
        return _version_response(plan, number)

    def _area(payload: PlanAreaIn, key: str) -> domain.AreaOfEffort:
        try:
            content = domain.PlanContent.from_dict({"areas": [{**payload.area, "key": key}]})
        except domain.PlanContentError as error:
            raise NinjaValidationError([
                {"loc": _loc(e.path.removeprefix("areas.0."), ("area",)), "msg": e.message, "type": "value_error"}
                for e in error.errors
            ]) from error
        return content.areas[0]

    @router.post(_VERSION + "/areas", response={201: PlanVersionOut, **WRITE_ERRORS}, summary="Add an area of effort")
    def area_add(request: HttpRequest, case_id: Path[Id], number: Path[Id], payload: PlanAreaIn):
        _, plan = _plan(request, case_id)
        version = _version(plan, number)
        with _service_errors(locate=_area_loc, version=version):
            services.plan_area_save(
                actor=request.user, version=version, revision=payload.revision, area=_area(payload, ""),
                priority=payload.priority, justification=payload.justification,
                discussed_with_client=payload.discussed_with_client, request=request,
            )
        return Status(201, _version_response(plan, number))

    @router.put(_VERSION + "/areas/{key}", response={200: PlanVersionOut, **WRITE_ERRORS}, summary="Change an area of effort")
    def area_change(request: HttpRequest, case_id: Path[Id], number: Path[Id], key: Path[str], payload: PlanAreaIn):
        _, plan = _plan(request, case_id)
        version = _version(plan, number)
        with _service_errors(locate=_area_loc, version=version):
            services.plan_area_save(
                actor=request.user, version=version, revision=payload.revision, area=_area(payload, key),
                priority=payload.priority, justification=payload.justification,
                discussed_with_client=payload.discussed_with_client, request=request,
            )
        return _version_response(plan, number)

    @router.post(
        _VERSION + "/areas/{key}/removal", response={200: PlanVersionOut, **WRITE_ERRORS}, summary="Remove an area of effort"
    )
    def area_remove(request: HttpRequest, case_id: Path[Id], number: Path[Id], key: Path[str], payload: PlanAreaRemoveIn):
        _, plan = _plan(request, case_id)
        version = _version(plan, number)
        with _service_errors(locate=_area_loc, version=version):
            services.plan_area_remove(
                actor=request.user, version=version, revision=payload.revision, key=key,
                justification=payload.justification, discussed_with_client=payload.discussed_with_client, request=request,
            )
        return _version_response(plan, number)

    @router.post(
        _VERSION + "/finish", response={200: PlanVersionOut, **WRITE_ERRORS},
        summary="Mark the version finished (the first completes the task first_plan)",
    )
    def version_finish(request: HttpRequest, case_id: Path[Id], number: Path[Id]):
        _, plan = _plan(request, case_id)
        with _service_errors():
            services.plan_version_finish(actor=request.user, version=_version(plan, number), request=request)
        return _version_response(plan, number)

    @router.post(
        _VERSION + "/evaluations", response={201: PlanEvaluationOut, **WRITE_ERRORS},
        summary="Record an evaluation (completes the open evaluation task)",
    )
    def evaluation_create(request: HttpRequest, case_id: Path[Id], number: Path[Id], payload: PlanEvaluationIn):
        _, plan = _plan(request, case_id)
        with _service_errors():
            evaluation = services.plan_evaluation_record(
                actor=request.user, version=_version(plan, number), held_on=payload.held_on,
                participants=payload.participants, description_update=payload.description_update,
                carried_out=payload.carried_out, not_carried_out=payload.not_carried_out, reasons=payload.reasons,
                prevention=payload.prevention, next_agreements=[a.model_dump() for a in payload.next_agreements],
                request=request,
            )
        return Status(201, evaluation)

    @router.post(
        _VERSION + "/statuses", response={201: PlanStatusOut, **WRITE_ERRORS},
        summary="Record a status: the plan is up to date (completes the status task)",
    )
    def status_create(request: HttpRequest, case_id: Path[Id], number: Path[Id], payload: PlanStatusIn):
        _, plan = _plan(request, case_id)
        with _service_errors():
            status = services.plan_status_record(
                actor=request.user, version=_version(plan, number), kind=payload.kind, stated_on=payload.stated_on,
                note=payload.note, request=request,
            )
        return Status(201, status)

    @router.post(_VERSION + "/approval-requests", response={200: PlanVersionOut, **WRITE_ERRORS}, summary="Ask for approval")
    def approval_request(request: HttpRequest, case_id: Path[Id], number: Path[Id], payload: PlanApprovalRequestIn):
        _, plan = _plan(request, case_id)
        with _service_errors():
            services.plan_approval_request(
                actor=request.user, version=_version(plan, number), comment=payload.comment, request=request
            )
        return _version_response(plan, number)

    @router.post(
        _VERSION + "/approval-decisions", response={200: PlanVersionOut, **WRITE_ERRORS},
        summary="Approve, or send back with a comment (not by the one who asked)",
    )
    def approval_decide(request: HttpRequest, case_id: Path[Id], number: Path[Id], payload: PlanApprovalDecisionIn):
        _, plan = _plan(request, case_id)
        with _service_errors():
            services.plan_approval_decide(
                actor=request.user, version=_version(plan, number), approve=payload.approve, comment=payload.comment,
                request=request,
            )
        return _version_response(plan, number)

    return router


router = build_router()
