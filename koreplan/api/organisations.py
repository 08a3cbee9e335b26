"""/organisations, /municipalities/{code} and /me: what a client needs to find ids."""

from __future__ import annotations

from typing import Annotated

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router
from pydantic import StringConstraints

from koreplan.api.schemas import ErrorOut, MeOut, MunicipalityOut, OrganisationListIn, OrganisationOut
from koreplan.api.selectors import municipality_detail, organisations_list
from koreplan.organisations.selectors import region_of

router = Router(tags=["organisations"])

MunicipalityCode = Annotated[str, StringConstraints(pattern=r"^\d{3}$")]


@router.get("/organisations", response={200: list[OrganisationOut], 401: ErrorOut}, summary="Organisations")
def organisations(request: HttpRequest, filters: Query[OrganisationListIn]):
    return organisations_list(kind=filters.kind)


@router.get(
    "/municipalities/{code}",
    response={200: MunicipalityOut, 401: ErrorOut, 404: ErrorOut},
    summary="A municipality, its entrance and departments",
)
def municipality(request: HttpRequest, code: Path[MunicipalityCode]):
    found = municipality_detail(code=code)
    if found is None:
        raise Http404("No such municipality")
    region = region_of(municipality=found, on=timezone.localdate())
    entrance = getattr(found, "entrance", None)
    return {
        "id": found.pk,
        "code": found.code,
        "name": found.name,
        "region": region,
        "entrance": entrance,
        "departments": list(found.departments.all()),
    }


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="Who you are")
def me(request: HttpRequest):
    return request.user
