"""What goes in and what comes out: one input and one output schema per operation.

Input schemas forbid unknown fields, so that a misspelt fact is a 422 naming it rather
than silently ignored. Output schemas read the models (and the domain's timeline)
through ``resolve_*`` where the shape differs from the columns.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, StrictBool, WithJsonSchema

from koreplan.cases.models import Case, CaseType, Placement, Task
from koreplan.domain.timeline import status_of
from koreplan.organisations.models import Organisation


def schema_enum(choices, name: str):
    """A TextChoices field that names its own values in the OpenAPI schema.

    django-ninja gathers every model's enums into one table of components by class name, so
    Django's nested ``Kind`` and ``Status`` classes (a case's, a meeting's, an organisation's,
    a request's) overwrote each other there: the schema offered a request's kinds for a
    meeting, and a client built from it was refused. Inlined, each field keeps its own.
    """
    return Annotated[choices, WithJsonSchema({"title": name, "type": "string", "enum": list(choices.values)})]


OrganisationKind = schema_enum(Organisation.Kind, "OrganisationKind")
CaseStatus = schema_enum(Case.Status, "CaseStatus")

#: The largest id a database's bigint column holds; larger numbers are 422, not a crash.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_text(value: Any) -> Any:
    # The domain reads dates as YYYY-MM-DD only; pydantic alone would also take a number
    # as seconds since 1970.
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]


class InSchema(Schema):
    """A request body."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)


class QuerySchema(Schema):
    """Query parameters; others are ignored, as the web has always done."""

    model_config = ConfigDict(use_enum_values=True)


# -- shared pieces ----------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str


class ConflictOut(Schema):
    """409: someone saved since the revision the change was made from, and nothing changed."""

    detail: str
    field: str = Field("revision", description="The field that is out of date: `revision`.")
    revision: int | None = Field(None, description="The revision saved now: read again, redo the change, send it back.")
    saved_by: str | None = Field(None, description="Who saved that revision.")
    saved_at: datetime | None = Field(None, description="When it was saved.")


class FieldErrorOut(Schema):
    loc: list[str | int] = Field(description='Where the error is, e.g. ["body", "facts", "release_on"].')
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


class OrganisationRefOut(Schema):
    id: int
    kind: OrganisationKind
    name: str


# -- organisations ----------------------------------------------------------------------


class OrganisationListIn(QuerySchema):
    kind: OrganisationKind | None = Field(None, description="Only organisations of this kind.")


class OrganisationOut(Schema):
    id: int
    kind: OrganisationKind
    name: str
    code: str = Field(description="The municipality code (municipalities only, else empty).")
    institution_type: str = Field(description="Closed prison, open prison … (institutions only, else empty).")


class RegionOut(Schema):
    code: str
    name: str


class DepartmentOut(Schema):
    id: int
    kind: str
    name: str


class EntranceOut(Schema):
    department: DepartmentOut
    address: str
    phone: str
    secure_email: str
    contact_person: str


class MunicipalityOut(Schema):
    id: int
    code: str
    name: str
    region: RegionOut | None = Field(description="The region the municipality belongs to today.")
    entrance: EntranceOut | None = Field(description="Where in the municipality to turn (indgang).")
    departments: list[DepartmentOut]


class MeOut(Schema):
    id: int
    username: str
    name: str
    role: str
    organisation: OrganisationRefOut | None

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)


# -- cases --------------------------------------------------------------------------------


class FactsIn(InSchema):
    """The case facts the rules read (rules.md, "Case facts"), each optional."""

    sentence: str | None = Field(None, description="ISO 8601 duration, e.g. P4M or P1Y6M.", max_length=20)
    intake_on: IsoDate | None = None
    remanded_until_execution_order: StrictBool | None = None
    execution_started_on: IsoDate | None = None
    expected_parole_on: IsoDate | None = None
    release_on: IsoDate | None = None
    herstedvester_visitation_completed_on: IsoDate | None = None
    placement: Placement | None = None
    supervision_started_on: IsoDate | None = None
    supervision_ends_on: IsoDate | None = None
    admitted_under_judgment: StrictBool | None = None
    needs_assistance: StrictBool | None = None
    housing_secured: StrictBool | None = None
    income_secured: StrictBool | None = None
    section_31_leave_possible: StrictBool | None = None


FACT_NAMES: tuple[str, ...] = tuple(FactsIn.model_fields)


class FactsOut(Schema):
    sentence: str | None
    intake_on: date | None
    remanded_until_execution_order: bool | None
    execution_started_on: date | None
    expected_parole_on: date | None
    release_on: date | None
    herstedvester_visitation_completed_on: date | None
    placement: str | None
    supervision_started_on: date | None
    supervision_ends_on: date | None
    admitted_under_judgment: bool | None
    needs_assistance: bool | None
    housing_secured: bool | None
    income_secured: bool | None
    section_31_leave_possible: bool | None

    @staticmethod
    def resolve_sentence(obj) -> str | None:
        return obj.sentence or None

    @staticmethod
    def resolve_placement(obj) -> str | None:
        return obj.placement or None


class CaseListIn(QuerySchema):
    status: Literal["open", "closed", "all"] = Field("open", description="Open cases unless told otherwise.")
    q: str = Field("", max_length=100, description="Part of the client's name, or the start of the CPR number.")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


class ClientRefOut(Schema):
    id: int
    cpr: str
    first_name: str
    last_name: str


class CaseListItemOut(Schema):
    id: int
    status: CaseStatus
    case_type: CaseType
    client: ClientRefOut
    holding_organisation: OrganisationRefOut
    plan_responsible: PersonOut | None
    expected_release_on: date | None
    opened_at: datetime


class CaseListOut(Schema):
    count: int = Field(description="The number of cases that match, on all pages.")
    page: int
    page_size: int
    items: list[CaseListItemOut]


class MunicipalityRefOut(Schema):
    id: int
    code: str
    name: str


class ClientOut(Schema):
    id: int
    cpr: str
    birth_date: date
    first_name: str
    last_name: str
    acting_municipality: MunicipalityRefOut


class CaseOut(Schema):
    id: int
    status: CaseStatus
    case_type: CaseType
    revision: int = Field(description="Send it back with PATCH: a stale one is refused with 409.")
    client: ClientOut
    facts: FactsOut
    holding_organisation: OrganisationRefOut
    plan_responsible: PersonOut | None
    substitute: PersonOut | None
    substitute_covering: bool
    kif: OrganisationRefOut | None
    kif_officer: PersonOut | None
    plan_required: bool
    roadmap_applies: bool
    release_meeting_recommended: bool
    municipal_coordination_applies: bool
    expected_release_on: date | None
    opened_at: datetime
    closed_at: datetime | None

    @staticmethod
    def resolve_facts(obj) -> Case:
        return obj


class CaseCreateIn(InSchema):
    """A case for a client; the client is created first if the CPR number is new.

    For a client who already exists only ``cpr`` is read of the client fields: the names
    and acting municipality on record are kept.
    """

    cpr: str = Field(max_length=20, description="DDMMÅÅ-XXXX or DDMMÅÅXXXX.")
    first_name: str = Field("", max_length=100, description="Required for a new client.")
    last_name: str = Field("", max_length=100, description="Required for a new client.")
    acting_municipality_code: str = Field(
        "", max_length=3, description="The handlekommune's three-digit code. Required for a new client."
    )
    case_type: CaseType
    holding_organisation_id: Id
    plan_responsible_id: Id | None = None
    substitute_id: Id | None = None
    facts: FactsIn = Field(default_factory=FactsIn)


class CaseUpdateIn(InSchema):
    """Change the facts. Only the fields sent change; ``null`` clears a fact."""

    revision: int = Field(ge=1, le=MAX_ID, description="The revision the change was made from (from GET).")
    case_type: CaseType | None = None
    facts: FactsIn = Field(default_factory=FactsIn)


class ActingMunicipalityIn(InSchema):
    """The client's new acting municipality (handlekommune), and why it changes."""

    municipality_id: Id = Field(description="The id of the new acting municipality (GET /organisations?kind=municipality).")
    reason: str = Field(max_length=4000, description="Why it changes; written in the case's journal.")


class TimelineIn(QuerySchema):
    lang: Literal["da", "en"] = Field("da", description="The language of the warnings, as `koreplan timeline --lang`.")


class ObligationOut(Schema):
    id: str
    occurrence: int
    who: str
    due_on: str
    asap: bool
    assumed: bool
    non_working_day: bool
    status: str
    completed_on: str | None
    step: str | None
    legal_basis: list[str]
    title_da: str
    title_en: str


class TimelineOut(Schema):
    """Exactly the JSON of ``koreplan timeline CASE.json`` for the case's facts."""

    plan_required: bool
    roadmap_applies: bool
    release_meeting_recommended: bool
    municipal_coordination_applies: bool
    expected_release_on: str | None
    obligations: list[ObligationOut]
    warnings: list[str]


# -- tasks ----------------------------------------------------------------------------------


class TaskOut(Schema):
    id: int
    case_id: int
    obligation_id: str
    occurrence: int
    step: str | None
    title_da: str
    title_en: str
    legal_basis: list[str]
    who: Task.Who
    responsible_organisation: OrganisationRefOut
    assignee_id: int | None
    due_on: date
    asap: bool
    assumed: bool
    non_working_day: bool
    status: Literal["done", "overdue", "due_soon", "upcoming"]
    completed_on: date | None
    completed_by: PersonOut | None
    evidence: str

    @staticmethod
    def resolve_step(obj) -> str | None:
        return obj.step or None

    @staticmethod
    def resolve_status(obj) -> str:
        return status_of(obj.due_on, obj.completed_on, timezone.localdate()).value


class CaseRefOut(Schema):
    id: int
    case_type: CaseType
    client: ClientRefOut


class WorklistTaskOut(TaskOut):
    case: CaseRefOut


class WorklistIn(QuerySchema):
    case_type: CaseType | None = None
    step: str = Field("", max_length=4, description="A step of the roadmap, e.g. 3 or 9A.")
    organisation_id: Id | None = Field(None, description="Only tasks this organisation is responsible for.")


class WorklistOut(Schema):
    overdue: list[WorklistTaskOut]
    this_week: list[WorklistTaskOut]
    later: list[WorklistTaskOut]


class TaskCompleteIn(InSchema):
    completed_on: IsoDate = Field(description="When it was done: today or earlier.")
    evidence: str = Field("", max_length=2000, description="A comment or a link that shows it was done.")
