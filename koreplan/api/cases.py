"""/cases: list, open, read, change the facts, the timeline and the tasks of a case.

Access is the web application's: ``cases_visible_to`` through ``case_get`` (404 for a case
the caller may not see, whether or not it exists), and every read is audited.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.errors import ValidationError as NinjaValidationError

from koreplan.api.errors import service_errors, stale_conflict
from koreplan.api.schemas import (
    FACT_NAMES,
    ActingMunicipalityIn,
    CaseCreateIn,
    CaseListIn,
    CaseListOut,
    CaseOut,
    CaseUpdateIn,
    ConflictOut,
    ErrorOut,
    Id,
    TaskOut,
    TimelineIn,
    TimelineOut,
    ValidationErrorOut,
)
from koreplan.api.selectors import client_by_cpr, municipality_by_code, organisation_by_id, staff_by_id
from koreplan.api.services import api_case_read_record, api_cases_listed_record
from koreplan.cases import selectors, services
from koreplan.cases.models import Case

router = Router(tags=["cases"])

#: Where a service's field is in the request body, when the names differ.
FACT_LOCATIONS = {name: ("facts", name) for name in FACT_NAMES}
CREATE_LOCATIONS = {
    **FACT_LOCATIONS,
    "acting_municipality": ("acting_municipality_code",),
    "holding_organisation": ("holding_organisation_id",),
    "plan_responsible": ("plan_responsible_id",),
    "substitute": ("substitute_id",),
}

READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}


def _invalid(field: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ["body", field], "msg": message, "type": "value_error"}])


@router.get("/cases", response={200: CaseListOut, **READ_ERRORS}, summary="The cases you can see")
def cases_list(request: HttpRequest, filters: Query[CaseListIn]):
    status = "" if filters.status == "all" else filters.status
    cases = selectors.case_list(user=request.user, query=filters.q, status=status)
    start = (filters.page - 1) * filters.page_size
    items = list(cases[start : start + filters.page_size])
    count = cases.count()
    api_cases_listed_record(request=request, endpoint="cases_list", case_ids=[case.pk for case in items])
    return {"count": count, "page": filters.page, "page_size": filters.page_size, "items": items}


@router.post("/cases", response={201: CaseOut, **WRITE_ERRORS}, summary="Open a case (and create its client)")
def case_create(request: HttpRequest, payload: CaseCreateIn):
    user = request.user
    holder = organisation_by_id(organisation_id=payload.holding_organisation_id)
    if holder is None:
        raise _invalid("holding_organisation_id", _("No such organisation."))
    if not selectors.is_administrator(user) and holder.pk != user.organisation_id:
        raise PermissionDenied(_("You can only open a case at your own organisation."))
    people = {}
    for field in ("plan_responsible_id", "substitute_id"):
        user_id = getattr(payload, field)
        if user_id is not None:
            people[field] = staff_by_id(user_id=user_id)
            if people[field] is None:
                raise _invalid(field, _("No such user."))
    # The client and the case are one change: a case that cannot be opened leaves no
    # client behind.
    with transaction.atomic(), service_errors(CREATE_LOCATIONS):
        client = client_by_cpr(cpr=payload.cpr)
        if client is None:
            municipality = municipality_by_code(code=payload.acting_municipality_code)
            if municipality is None:
                raise _invalid("acting_municipality_code", _("Give the code of the client's acting municipality."))
            client = services.client_create(
                actor=user, cpr=payload.cpr, first_name=payload.first_name, last_name=payload.last_name,
                acting_municipality=municipality, request=request,
            )
        opened = services.case_open(
            actor=user,
            client=client,
            case_type=payload.case_type,
            holding_organisation=holder,
            plan_responsible=people.get("plan_responsible_id"),
            substitute=people.get("substitute_id"),
            facts=payload.facts.model_dump(exclude_none=True),
            request=request,
        )
    return Status(201, selectors.case_get(user=user, case_id=opened.case.pk))


@router.get("/cases/{case_id}", response={200: CaseOut, **READ_ERRORS}, summary="A case")
def case_detail(request: HttpRequest, case_id: Path[Id]):
    case = selectors.case_get(user=request.user, case_id=case_id)
    api_case_read_record(request=request, case=case, endpoint="case_detail")
    return case


@router.patch(
    "/cases/{case_id}",
    response={200: CaseOut, 409: ConflictOut, **WRITE_ERRORS},
    summary="Change the facts of a case",
    description=(
        "Only the facts sent change, and `null` clears one. `revision` is the case's revision "
        "the change was made from: if someone saved in between, nothing changes and the "
        "answer is 409 — read the case again and redo the change."
    ),
)
def case_update(request: HttpRequest, case_id: Path[Id], payload: CaseUpdateIn):
    case = selectors.case_get(user=request.user, case_id=case_id)
    changes = payload.facts.model_dump(exclude_unset=True)
    if "case_type" in payload.model_fields_set:
        changes["case_type"] = payload.case_type
    with service_errors(FACT_LOCATIONS):
        try:
            services.case_facts_update(
                actor=request.user, case=case, revision=payload.revision, changes=changes, request=request
            )
        except services.StaleRevision as error:
            # Over HTTP a stale revision is a conflict that says what is saved now.
            fresh = Case.objects.select_related("revised_by").get(pk=case.pk)
            raise stale_conflict(error, revision=fresh.revision, by=fresh.revised_by, at=fresh.revised_at) from error
    return selectors.case_get(user=request.user, case_id=case.pk)


@router.post(
    "/cases/{case_id}/acting-municipality",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="Change the client's acting municipality",
    description=(
        "The client's acting municipality (handlekommune) changes for all of the client's cases; "
        "the open municipality tasks of every open case move to it, tasks already done stay where "
        "they were done, and requests already sent stay with the municipality they were sent to. "
        "Only the organisation holding the open case may change it."
    ),
)
def case_acting_municipality_change(request: HttpRequest, case_id: Path[Id], payload: ActingMunicipalityIn):
    case = selectors.case_get(user=request.user, case_id=case_id)
    # An unknown id is the service's "choose a municipality", after its check of who may.
    municipality = organisation_by_id(organisation_id=payload.municipality_id)
    with service_errors({"municipality": ("municipality_id",)}):
        services.client_municipality_change(
            actor=request.user, case=case, municipality=municipality, reason=payload.reason, request=request
        )
    return selectors.case_get(user=request.user, case_id=case.pk)


@router.get(
    "/cases/{case_id}/timeline",
    response={200: TimelineOut, **READ_ERRORS},
    summary="The roadmap of a case",
    description="Exactly the JSON that `koreplan timeline CASE.json` prints for the case's facts.",
)
def case_timeline(request: HttpRequest, case_id: Path[Id], params: Query[TimelineIn]):
    case = selectors.case_get(user=request.user, case_id=case_id)
    timeline = services.case_timeline(case)
    api_case_read_record(request=request, case=case, endpoint="case_timeline")
    return timeline.to_dict(lang=params.lang)


@router.get("/cases/{case_id}/tasks", response={200: list[TaskOut], **READ_ERRORS}, summary="The tasks of a case")
def case_tasks(request: HttpRequest, case_id: Path[Id]):
    case = selectors.case_get(user=request.user, case_id=case_id)
    tasks = selectors.case_tasks(case=case)
    api_case_read_record(request=request, case=case, endpoint="case_tasks")
    return tasks
