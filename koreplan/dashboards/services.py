"""The dashboards' writes: the evaluation after a release, and the audit entries of reads.

Every dashboard view, export and list of cases is written to the audit log
(``koreplan.dashboard.viewed``, ``koreplan.dashboard.exported``,
``koreplan.dashboard.cases_listed``, ``koreplan.dashboard.recomputed``) with the unit and the period: figures are about
people even when they show no name, and a list of cases shows names. Writes go to the
default database, also when the figures are read from a replica.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from koreplan.accounts.models import User
from koreplan.audit.services import audit_record
from koreplan.cases.models import Case, CaseParticipation
from koreplan.dashboards.models import (
    ChecklistAnswer,
    EvaluationAnswer,
    ReleaseEvaluation,
)
from koreplan.dashboards.scopes import Scope
from koreplan.dashboards.selectors import partner_model
from koreplan.domain import method

# -- audit of reads -------------------------------------------------------------------------------


def _scope_data(scope: Scope) -> dict[str, Any]:
    return {
        "unit": scope.unit,
        "from": scope.start.isoformat(),
        "to": scope.end.isoformat(),
        "case_type": scope.case_type,
    }


def dashboard_viewed_record(*, request: HttpRequest, scope: Scope, page: str = "dashboard") -> None:
    audit_record(action="koreplan.dashboard.viewed", request=request, data={**_scope_data(scope), "page": page})


def dashboard_recomputed_record(*, request: HttpRequest, scope: Scope, obligation: str) -> None:
    audit_record(
        action="koreplan.dashboard.recomputed", request=request, data={**_scope_data(scope), "obligation": obligation}
    )


def dashboard_exported_record(*, request: HttpRequest, scope: Scope, table: str, fmt: str) -> None:
    audit_record(
        action="koreplan.dashboard.exported", request=request, data={**_scope_data(scope), "table": table, "format": fmt}
    )


def dashboard_cases_listed_record(
    *, request: HttpRequest, scope: Scope | None, figure: str, case_ids: list[int], hidden: int = 0
) -> None:
    data = {**(_scope_data(scope) if scope else {}), "figure": figure, "case_ids": case_ids, "hidden": hidden}
    audit_record(action="koreplan.dashboard.cases_listed", request=request, data=data)


# -- the evaluation after release ---------------------------------------------------------------------


def case_released(case: Case, today: date | None = None) -> bool:
    """Has the release happened — so that the collaboration can be evaluated? (GL Bilag 1:
    "efter løsladelsesforløbet".) A closed case, an expected release today or earlier, a
    case that began under supervision, outside prison, or an outcome recorded at release."""
    today = today or timezone.localdate()
    if (
        case.status == Case.Status.CLOSED
        or (case.expected_release_on is not None and case.expected_release_on <= today)
        or (case.intake_on is None and case.supervision_started_on is not None and case.supervision_started_on <= today)
    ):
        return True
    # The release app records what was in place on the day: then the release has happened.
    ReleaseOutcome = partner_model("release", "ReleaseOutcome")
    return ReleaseOutcome is not None and ReleaseOutcome.objects.filter(case=case, moment="at_release").exists()


def took_part(user: User, case: Case) -> bool:
    """Did the user's organisation have a part in the case, at any time?"""
    if user.organisation_id is None:
        return False
    return CaseParticipation.objects.filter(case=case, organisation_id=user.organisation_id).exists()


def evaluation_save(
    *,
    actor: User,
    case: Case,
    answers: dict[str, tuple[str, str]],
    comment: str = "",
    request: HttpRequest | None = None,
) -> ReleaseEvaluation:
    """Save the actor's organisation's evaluation of the case: the answers given replace
    the earlier ones; an item not given has no answer."""
    if not took_part(actor, case):
        raise Http404("No such case")
    if not case_released(case):
        raise ValidationError(_("The collaboration is evaluated after the release."))
    unknown = set(answers) - set(method.CHECKLIST_ITEM_IDS)
    if unknown:
        raise ValidationError(_("Unknown checklist items: %(items)s") % {"items": ", ".join(sorted(unknown))})
    for answer, _comment in answers.values():
        EvaluationAnswer(answer)  # ValueError for an unknown answer
    now = timezone.now()
    with transaction.atomic():
        evaluation, created = ReleaseEvaluation.objects.select_for_update().get_or_create(
            case=case,
            organisation_id=actor.organisation_id,
            defaults={"created_by": actor, "updated_by": actor, "updated_at": now, "comment": comment.strip()},
        )
        if not created:
            evaluation.comment, evaluation.updated_at, evaluation.updated_by = comment.strip(), now, actor
            evaluation.save(update_fields=["comment", "updated_at", "updated_by"])
        existing = {answer.item: answer for answer in evaluation.answers.all()}
        ChecklistAnswer.objects.filter(evaluation=evaluation).exclude(item__in=list(answers)).delete()
        to_create, to_update = [], []
        for item, (answer, text) in answers.items():
            row = existing.get(item)
            if row is None:
                to_create.append(ChecklistAnswer(evaluation=evaluation, item=item, answer=answer, comment=text))
            elif (row.answer, row.comment) != (answer, text):
                row.answer, row.comment = answer, text
                to_update.append(row)
        ChecklistAnswer.objects.bulk_create(to_create)
        ChecklistAnswer.objects.bulk_update(to_update, ["answer", "comment"])
        not_met = sorted(item for item, (answer, _t) in answers.items() if answer == EvaluationAnswer.NO)
        audit_record(
            action="koreplan.evaluation.created" if created else "koreplan.evaluation.changed",
            actor=actor,
            request=request,
            case_id=case.pk,
            client_id=case.client_id,
            obj=evaluation,
            data={"organisation": actor.organisation_id, "answered": len(answers), "not_met": not_met},
        )
    return evaluation
