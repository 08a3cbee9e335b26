"""Notices and requests to municipalities, and the municipal inbox, over the JSON API.

A django-ninja router, mounted by the API app (``api.add_router("/", router)``); tests
mount their own (:func:`build_router`). Same rules as the web pages:

- ``/cases/{case_id}/municipal-requests…`` is Kriminalforsorgen's side: ``case_get`` (404
  for a case the caller may not see — municipal staff always get 404 here); only the
  organisation holding the case, or its KIF department, writes (403).
- A request is **previewed** (``…/preview``: the document exactly as the municipality will
  see it, the consent decision per kind of information, what was left out, and a
  ``digest``) and then **sent** with that digest; if anything changed in between the send
  is 422 at ``digest``. Refused by the consent decision: 422 with the reasons. Without
  consent, with ``legal_basis`` and ``justification``, it is created as
  ``awaiting_approval`` and a colleague approves it (``…/approval``).
- ``/inbox…`` is the municipality's side: the entrance sees what came to its
  municipality, a caseworker what was routed to them or their department; anyone else
  gets 404. Opening a request as the entrance marks it received.
- Every read and write is audited.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from koreplan.api.schemas import schema_enum
from koreplan.cases.selectors import case_get
from koreplan.consent.api import READ_ERRORS, WRITE_ERRORS, ErrorOut, OrganisationBriefOut, PersonOut, service_errors
from koreplan.coordination import selectors, services
from koreplan.coordination.letters import RequestInput
from koreplan.coordination.models import Kind, MunicipalRequest
from koreplan.coordination.presentation import left_out_lines
from koreplan.domain import consent as domain
from koreplan.organisations.models import MunicipalDepartment, Organisation

Id = int
RequestKind = schema_enum(Kind, "RequestKind")
RequestStatus = schema_enum(MunicipalRequest.Status, "RequestStatus")


class RequestIn(Schema):
    kind: RequestKind
    municipality_id: int
    departments: list[str] = Field(default_factory=list, description="Municipal department kinds to involve (jobcenter …).")
    purpose_text: str = ""
    expectations: str = ""
    situation_and_wishes: str = ""
    life_areas: list[str] = Field(default_factory=list, description="Life areas to coordinate (or the files are about).")
    area_keys: list[str] = Field(default_factory=list, description="Keys of the plan's areas of effort to share.")
    partner_keys: list[str] = Field(default_factory=list)
    include_causes: bool = False
    plan_attached: bool = True
    plan_not_attached_reason: str = ""
    plan_available_from: str = ""
    kf_options: list[str] = Field(default_factory=list)
    kf_options_note: str = ""
    meeting_proposal: str = ""
    meeting_proposed_on: date | None = None
    message: str = ""
    legal_basis: str = Field("", description="Only where the consent does not cover it (a code from the legal bases).")
    justification: str = ""


class RequestSendIn(RequestIn):
    digest: str = Field(description="The digest of the preview being sent.")


class DecisionRowOut(Schema):
    category: str
    state: str = Field(description="consented, legal_basis (after approval) or refused")
    reasons: list[dict[str, Any]]


class PreviewOut(Schema):
    sendable: bool
    needs_approval: bool
    categories: list[str]
    decision: list[DecisionRowOut]
    general_reasons: list[str]
    left_out: list[str] = Field(description="What the redaction left out of the plan (for the sender only).")
    warnings: list[str]
    digest: str
    document: dict[str, Any] = Field(description="Exactly what the municipality will see (the snapshot).")


class ReminderOut(Schema):
    kind: str
    due_on: date
    sent_at: datetime


class DepartmentOut(Schema):
    id: int
    kind: str
    name: str


class RequestOut(Schema):
    id: int
    case_id: int
    kind: str
    step: str
    status: str
    municipality: OrganisationBriefOut
    departments: list[str]
    sending_organisation: OrganisationBriefOut
    created_by: PersonOut
    created_at: datetime
    sent_at: datetime | None
    received_at: datetime | None
    received_by: PersonOut | None
    accepted_at: datetime | None
    accepted_by: PersonOut | None
    routed_department: DepartmentOut | None
    routed_caseworker: PersonOut | None
    returned_at: datetime | None
    returned_by: PersonOut | None
    return_reason: str
    suggested_municipality: OrganisationBriefOut | None
    reminders: list[ReminderOut]
    disclosure_id: int
    digest: str

    @staticmethod
    def resolve_reminders(obj: MunicipalRequest) -> list:
        return list(obj.reminders.all())


class RequestDetailOut(RequestOut):
    document: dict[str, Any] = Field(alias="snapshot")


class InboxItemOut(Schema):
    """What the municipality sees of a request: never the case's id."""

    id: int
    kind: str
    step: str
    status: str
    citizen: str
    sending_organisation: OrganisationBriefOut
    sent_at: datetime | None
    routed_department: DepartmentOut | None
    routed_caseworker: PersonOut | None
    reminders: list[ReminderOut]

    @staticmethod
    def resolve_citizen(obj: MunicipalRequest) -> str:
        return obj.snapshot.get("client", {}).get("name", "")

    @staticmethod
    def resolve_reminders(obj: MunicipalRequest) -> list:
        return list(obj.reminders.all())


class InboxDetailOut(InboxItemOut):
    received_at: datetime | None
    accepted_at: datetime | None
    accepted_by: PersonOut | None
    returned_at: datetime | None
    return_reason: str
    document: dict[str, Any] = Field(alias="snapshot")


class RouteIn(Schema):
    department_id: int
    caseworker_id: int
    note: str = ""


class ReturnIn(Schema):
    reason: str
    suggested_municipality_id: int | None = None


class ApprovalIn(Schema):
    approve: bool
    reason: str = Field("", description="Required to stop it.")


def _input(payload: RequestIn) -> RequestInput:
    municipality = Organisation.objects.filter(pk=payload.municipality_id, kind=Organisation.Kind.MUNICIPALITY).first()
    if municipality is None:
        raise NinjaValidationError([{"loc": ["body", "municipality_id"], "msg": "No such municipality.", "type": "value_error"}])
    return RequestInput(
        kind=payload.kind, municipality=municipality, departments=tuple(payload.departments),
        purpose_text=payload.purpose_text, expectations=payload.expectations,
        situation_and_wishes=payload.situation_and_wishes, life_areas=tuple(payload.life_areas),
        area_keys=tuple(payload.area_keys), partner_keys=tuple(payload.partner_keys),
        include_causes=payload.include_causes, plan_attached=payload.plan_attached if payload.kind == Kind.COORDINATION else False,
        plan_not_attached_reason=payload.plan_not_attached_reason, plan_available_from=payload.plan_available_from,
        kf_options=tuple(payload.kf_options), kf_options_note=payload.kf_options_note,
        meeting_proposal=payload.meeting_proposal, meeting_proposed_on=payload.meeting_proposed_on,
        message=payload.message, legal_basis=payload.legal_basis, justification=payload.justification,
    )


_LOCATIONS = {"municipality": "municipality_id"}


def _preview_out(draft) -> dict[str, Any]:
    decision = draft.decision
    rows = []
    for value in draft.categories:
        category = domain.Category(value)
        state = ("consented" if category in decision.consented else
                 "legal_basis" if category in decision.on_legal_basis else "refused")
        rows.append({
            "category": value, "state": state,
            "reasons": [
                {"code": r.code, "da": r.da, "en": r.en, "department": r.recipient.department if r.recipient else None}
                for r in decision.reasons if r.category == category
            ],
        })
    return {
        "sendable": draft.sendable, "needs_approval": draft.needs_approval, "categories": draft.categories,
        "decision": rows, "general_reasons": [r.da for r in decision.reasons if r.category is None],
        "left_out": left_out_lines(draft.left_out), "warnings": [str(w) for w in draft.warnings],
        "digest": draft.digest, "document": draft.snapshot,
    }


def build_router() -> Router:
    """A fresh router with the coordination endpoints (a router is mounted on one API only)."""
    router = Router(tags=["coordination with municipalities"])
    base = "/cases/{case_id}/municipal-requests"

    @router.get(base, response={200: list[RequestOut], **READ_ERRORS}, summary="The case's notices and requests to municipalities")
    def requests_list(request: HttpRequest, case_id: Path[Id]):
        case = case_get(user=request.user, case_id=case_id)
        items = list(selectors.requests_of(case=case))
        for item in items:
            services.request_read_record(actor=request.user, req=item, http_request=request, page="api:requests_list")
        return items

    @router.post(base + "/preview", response={200: PreviewOut, **WRITE_ERRORS},
                 summary="Preview a notice or request exactly as the municipality will see it")
    def request_preview(request: HttpRequest, case_id: Path[Id], payload: RequestIn):
        case = case_get(user=request.user, case_id=case_id)
        with service_errors(_LOCATIONS):
            draft = services.request_preview(actor=request.user, case=case, inp=_input(payload))
        return _preview_out(draft)

    @router.post(base, response={201: RequestDetailOut, **WRITE_ERRORS},
                 summary="Send what was previewed (or, without consent, propose it for a colleague's approval)")
    def request_send(request: HttpRequest, case_id: Path[Id], payload: RequestSendIn):
        case = case_get(user=request.user, case_id=case_id)
        with service_errors(_LOCATIONS):
            req = services.request_send(actor=request.user, case=case, inp=_input(payload), digest=payload.digest, http_request=request)
        return Status(201, selectors.request_of_case(case=case, request_id=req.pk))

    @router.get(base + "/{request_id}", response={200: RequestDetailOut, **READ_ERRORS}, summary="A request and what was sent")
    def request_detail(request: HttpRequest, case_id: Path[Id], request_id: Path[Id]):
        case = case_get(user=request.user, case_id=case_id)
        req = selectors.request_of_case(case=case, request_id=request_id)
        services.request_read_record(actor=request.user, req=req, http_request=request, page="api:request_detail")
        return req

    @router.post(base + "/{request_id}/approval", response={200: RequestDetailOut, **WRITE_ERRORS},
                 summary="Approve a request without consent (a colleague: it leaves now), or stop it")
    def request_approval(request: HttpRequest, case_id: Path[Id], request_id: Path[Id], payload: ApprovalIn):
        case = case_get(user=request.user, case_id=case_id)
        req = selectors.request_of_case(case=case, request_id=request_id)
        with service_errors():
            if payload.approve:
                services.request_approve(actor=request.user, req=req, http_request=request)
            else:
                if not selectors.may_send(request.user, case):
                    raise HttpError(403, "Only the organisation that wrote the request decides on it.")
                services.request_cancel(actor=request.user, req=req, reason=payload.reason, http_request=request)
        return selectors.request_of_case(case=case, request_id=request_id)

    # -- the municipality's inbox ------------------------------------------------------------------

    @router.get("/inbox", response={200: list[InboxItemOut], 401: ErrorOut}, summary="The municipal inbox")
    def inbox_list(request: HttpRequest, status: RequestStatus | None = None):
        # A status that is none of a request's is a 422 naming it, not an empty inbox.
        items = list(selectors.inbox_list(user=request.user, status=status or "")[:500])
        services.inbox_read_record(actor=request.user, requests=items, http_request=request, page="api:inbox_list")
        return items

    @router.get("/inbox/{request_id}", response={200: InboxDetailOut, **READ_ERRORS},
                summary="A request in the inbox (the entrance opening it marks it received)")
    def inbox_detail(request: HttpRequest, request_id: Path[Id]):
        req = selectors.inbox_get(user=request.user, request_id=request_id)
        return services.request_open(actor=request.user, req=req, http_request=request, page="api:inbox_detail")

    @router.post("/inbox/{request_id}/routing", response={200: InboxDetailOut, **WRITE_ERRORS},
                 summary="Route to a department and a named caseworker: the municipality has hold")
    def inbox_route(request: HttpRequest, request_id: Path[Id], payload: RouteIn):
        req = selectors.inbox_get(user=request.user, request_id=request_id)
        department = MunicipalDepartment.objects.filter(pk=payload.department_id).first()
        caseworker = get_user_model().objects.filter(pk=payload.caseworker_id).first()
        with service_errors({"department": "department_id", "caseworker": "caseworker_id"}):
            services.request_route(actor=request.user, req=req, department=department, caseworker=caseworker,
                                   note=payload.note, http_request=request)
        return selectors.inbox_get(user=request.user, request_id=request_id)

    @router.post("/inbox/{request_id}/return", response={200: InboxDetailOut, **WRITE_ERRORS},
                 summary="Return to the sender with a reason (and the municipality to try instead)")
    def inbox_return(request: HttpRequest, request_id: Path[Id], payload: ReturnIn):
        req = selectors.inbox_get(user=request.user, request_id=request_id)
        suggested = None
        if payload.suggested_municipality_id is not None:
            suggested = Organisation.objects.filter(pk=payload.suggested_municipality_id).first()
            if suggested is None:
                raise NinjaValidationError([{"loc": ["body", "suggested_municipality_id"], "msg": "No such municipality.", "type": "value_error"}])
        with service_errors({"suggested_municipality": "suggested_municipality_id"}):
            services.request_return(actor=request.user, req=req, reason=payload.reason,
                                    suggested_municipality=suggested, http_request=request)
        return selectors.inbox_get(user=request.user, request_id=request_id)

    return router


router = build_router()
