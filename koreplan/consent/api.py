"""/cases/{case_id}/consents and …/disclosures: consent and disclosure over the JSON API.

A django-ninja router, mounted by the API app (``api.add_router("/", router)``); tests
mount their own (:func:`build_router`). It handles its own errors, so it behaves the same
on any NinjaAPI:

- access is the web application's: ``case_get`` (404 for a case the caller may not see,
  whether or not it exists — so municipal staff get 404); only the organisation holding
  the case or its KIF department records (403);
- a rule broken is 422 ``{"detail": [{"loc": ["body", <field>], "msg", "type"}]}``;
- every read and write is audited (``koreplan.consent.viewed``, ``….given``, ``….refused``,
  ``….withdrawn``, ``koreplan.disclosure.approved`` …).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Literal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, File, Path, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile

from koreplan.cases.selectors import case_get
from koreplan.consent import selectors, services
from koreplan.consent.models import Category, Consent, Disclosure, Purpose
from koreplan.organisations.models import Organisation

Id = int

# -- shared with the coordination router ----------------------------------------------------


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]


class PersonOut(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)


class OrganisationBriefOut(Schema):
    id: int
    name: str
    kind: str


READ_ERRORS = {401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}


@contextmanager
def service_errors(locations: dict[str, str] | None = None) -> Iterator[None]:
    """A service's refusal as HTTP: 403, or 422 at the body's field."""
    locations = locations or {}
    try:
        yield
    except PermissionDenied as error:
        raise HttpError(403, str(error) or "Forbidden") from error
    except DjangoValidationError as error:
        if not hasattr(error, "error_dict"):
            raise NinjaValidationError([{"loc": ["body"], "msg": m, "type": "value_error"} for m in error.messages]) from error
        raise NinjaValidationError([
            {"loc": ["body"] if field == NON_FIELD_ERRORS else ["body", locations.get(field, field)], "msg": m, "type": "value_error"}
            for field, messages in error.message_dict.items()
            for m in messages
        ]) from error


# -- schemas ------------------------------------------------------------------------------------

CategoryValue = Literal[tuple(Category.values)]  # type: ignore[valid-type]
PurposeValue = Literal[tuple(Purpose.values)]  # type: ignore[valid-type]


class ConsentOut(Schema):
    id: int
    decision: str
    categories: list[str]
    recipient: OrganisationBriefOut = Field(alias="recipient_organisation")
    recipient_department: str = Field(description="Empty: the whole organisation.")
    purposes: list[str]
    given_on: date
    valid_until: date | None
    in_force: bool
    refusal_kind: str
    refusal_reasons: str
    note: str
    withdrawn_on: date | None
    withdrawn_by: PersonOut | None
    recorded_by: PersonOut
    recorded_at: datetime
    signed_copy: bool = Field(description="Whether the signed form is attached (fetched on the web page).")

    @staticmethod
    def resolve_in_force(obj: Consent) -> bool:
        return obj.in_force(timezone.localdate())

    @staticmethod
    def resolve_signed_copy(obj: Consent) -> bool:
        return bool(obj.signed_copy)


class ConsentIn(Schema):
    decision: Literal["given", "refused"] = "given"
    categories: list[CategoryValue]  # type: ignore[valid-type]
    recipient_organisation_id: int
    recipient_department: str = Field("", description="A municipal department kind (jobcenter …), or empty.")
    purposes: list[PurposeValue]  # type: ignore[valid-type]
    given_on: date = Field(description="The day it was given (or refused).")
    valid_until: date | None = None
    note: str = ""
    refusal_kind: str = Field("", description="For a refusal: opposes, will_not_answer or other.")
    refusal_reasons: str = Field("", description="For a refusal: the client's reasons, as precisely as possible.")


class WithdrawIn(Schema):
    withdrawn_on: date
    note: str = ""


class DisclosureOut(Schema):
    id: int
    summary: str
    categories: list[str]
    recipient: OrganisationBriefOut = Field(alias="recipient_organisation")
    recipient_departments: list[str]
    purpose: str
    outcome: str
    legal_basis: str
    justification: str
    consent_ids: list[int]
    status: str
    proposed_by: PersonOut
    proposed_at: datetime
    approved_by: PersonOut | None
    approved_at: datetime | None
    disclosed_at: datetime | None
    rejection_reason: str

    @staticmethod
    def resolve_consent_ids(obj: Disclosure) -> list[int]:
        return [c.pk for c in obj.consents.all()]


class DisclosureDecisionIn(Schema):
    approve: bool
    reason: str = Field("", description="Required to reject.")


def _recipient(organisation_id: int) -> Organisation:
    organisation = Organisation.objects.filter(pk=organisation_id).exclude(kind=Organisation.Kind.DIRECTORATE).first()
    if organisation is None:
        raise NinjaValidationError([{"loc": ["body", "recipient_organisation_id"], "msg": "No such organisation.", "type": "value_error"}])
    return organisation


# -- the router ------------------------------------------------------------------------------------


def build_router() -> Router:
    """A fresh router with the consent endpoints (a router can be mounted on one API only)."""
    router = Router(tags=["consent"])

    @router.get("/cases/{case_id}/consents", response={200: list[ConsentOut], **READ_ERRORS},
                summary="The client's consents and refusals")
    def consents_list(request: HttpRequest, case_id: Path[Id]):
        case = case_get(user=request.user, case_id=case_id)
        services.consents_read_record(actor=request.user, case=case, request=request, page="api:consents_list")
        return list(selectors.consents_of(client=case.client))

    @router.post("/cases/{case_id}/consents", response={201: ConsentOut, **WRITE_ERRORS},
                 summary="Record a consent, or a refusal with its reasons")
    def consent_create(request: HttpRequest, case_id: Path[Id], payload: ConsentIn):
        case = case_get(user=request.user, case_id=case_id)
        scope = dict(
            categories=payload.categories, recipient_organisation=_recipient(payload.recipient_organisation_id),
            recipient_department=payload.recipient_department, purposes=payload.purposes,
        )
        with service_errors({"recipient_organisation": "recipient_organisation_id"}):
            if payload.decision == "refused":
                consent = services.consent_refuse(
                    actor=request.user, case=case, **scope, refused_on=payload.given_on,
                    refusal_kind=payload.refusal_kind, reasons=payload.refusal_reasons, request=request,
                )
            else:
                consent = services.consent_give(
                    actor=request.user, case=case, **scope, given_on=payload.given_on,
                    valid_until=payload.valid_until, note=payload.note, request=request,
                )
        return Status(201, selectors.consent_get(case=case, consent_id=consent.pk))

    @router.post("/cases/{case_id}/consents/{consent_id}/withdrawal", response={200: ConsentOut, **WRITE_ERRORS},
                 summary="Record that the client withdrew a consent (or took back a refusal)")
    def consent_withdraw(request: HttpRequest, case_id: Path[Id], consent_id: Path[Id], payload: WithdrawIn):
        case = case_get(user=request.user, case_id=case_id)
        consent = selectors.consent_get(case=case, consent_id=consent_id)
        with service_errors():
            services.consent_withdraw(
                actor=request.user, case=case, consent=consent, withdrawn_on=payload.withdrawn_on,
                note=payload.note, request=request,
            )
        return selectors.consent_get(case=case, consent_id=consent_id)

    @router.post("/cases/{case_id}/consents/{consent_id}/signed-copy", response={200: ConsentOut, **WRITE_ERRORS},
                 summary="Attach the signed form (PDF, JPEG or PNG, at most 10 MB; multipart field `file`)")
    def consent_signed_copy(request: HttpRequest, case_id: Path[Id], consent_id: Path[Id], file: File[UploadedFile]):
        case = case_get(user=request.user, case_id=case_id)
        consent = selectors.consent_get(case=case, consent_id=consent_id)
        with service_errors({"signed_copy": "file"}):
            services.consent_signed_copy_attach(actor=request.user, case=case, consent=consent, upload=file, request=request)
        return selectors.consent_get(case=case, consent_id=consent_id)

    @router.get("/cases/{case_id}/disclosures", response={200: list[DisclosureOut], **READ_ERRORS},
                summary="What was disclosed in the case, to whom, on which ground")
    def disclosures_list(request: HttpRequest, case_id: Path[Id]):
        case = case_get(user=request.user, case_id=case_id)
        services.consents_read_record(actor=request.user, case=case, request=request, page="api:disclosures_list")
        return list(selectors.disclosures_of(case=case))

    @router.post("/cases/{case_id}/disclosures/{disclosure_id}/decision", response={200: DisclosureOut, **WRITE_ERRORS},
                 summary="Approve or reject a disclosure without consent (a second person of the same organisation)")
    def disclosure_decide(request: HttpRequest, case_id: Path[Id], disclosure_id: Path[Id], payload: DisclosureDecisionIn):
        case = case_get(user=request.user, case_id=case_id)
        disclosure = selectors.disclosure_get(case=case, disclosure_id=disclosure_id)
        if getattr(disclosure, "municipal_request", None) is not None:
            raise HttpError(409, "This disclosure is a request to a municipality: decide it at its /approval endpoint.")
        with service_errors():
            if payload.approve:
                services.disclosure_approve(actor=request.user, disclosure=disclosure, request=request)
            else:
                services.disclosure_reject(actor=request.user, disclosure=disclosure, reason=payload.reason, request=request)
        return selectors.disclosure_get(case=case, disclosure_id=disclosure_id)

    return router


router = build_router()
