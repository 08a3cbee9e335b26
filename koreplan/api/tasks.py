"""/me/tasks (the worklist) and /tasks/{id}/complete."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Path, Query, Router

from koreplan.api.errors import service_errors
from koreplan.api.schemas import ErrorOut, Id, TaskCompleteIn, TaskOut, ValidationErrorOut, WorklistIn, WorklistOut
from koreplan.api.services import api_cases_listed_record
from koreplan.cases import selectors, services

router = Router(tags=["tasks"])


@router.get(
    "/me/tasks",
    response={200: WorklistOut, 401: ErrorOut, 422: ValidationErrorOut},
    summary="My tasks (Mine opgaver)",
    description=(
        "Open tasks of the cases you hold the plan of, cover as substitute or supervise as "
        "KIF officer: overdue, due this week, and later (the next 90 days)."
    ),
)
def worklist(request: HttpRequest, filters: Query[WorklistIn]):
    result = selectors.worklist(
        user=request.user,
        case_type=filters.case_type or "",
        step=filters.step,
        organisation_id=filters.organisation_id,
    )
    tasks = [*result.overdue, *result.this_week, *result.later]
    api_cases_listed_record(
        request=request, endpoint="worklist", case_ids=sorted({task.case_id for task in tasks})
    )
    return result


@router.post(
    "/tasks/{task_id}/complete",
    response={200: TaskOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Mark a task done",
    description=(
        "`completed_on` is today or earlier. For a recurring obligation the next occurrence "
        "moves with it. 403 if the task is another organisation's (on a case you can see)."
    ),
)
def task_complete(request: HttpRequest, task_id: Path[Id], payload: TaskCompleteIn):
    task = selectors.task_get(user=request.user, task_id=task_id)
    with service_errors():
        services.task_complete(
            actor=request.user, task=task, completed_on=payload.completed_on, evidence=payload.evidence,
            request=request,
        )
    return selectors.task_get(user=request.user, task_id=task.pk)
