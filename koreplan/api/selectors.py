"""Reads the API needs that no other app offers yet.

Each is a plain lookup by a key the client sends. ``client_by_cpr`` and the organisation
reads belong in ``koreplan.cases.selectors`` and ``koreplan.organisations.selectors``;
they are here until those apps take them.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from koreplan.accounts.models import User
from koreplan.cases.models import Client
from koreplan.domain.cpr import parse_cpr
from koreplan.organisations.models import Organisation


def client_by_cpr(*, cpr: str) -> Client | None:
    """The client with this CPR number, if any (None also for a malformed number)."""
    try:
        number, _birth = parse_cpr(cpr, today=timezone.localdate())
    except ValueError:
        return None
    return Client.objects.select_related("acting_municipality").filter(cpr=number).first()


def organisation_by_id(*, organisation_id: int) -> Organisation | None:
    return Organisation.objects.filter(pk=organisation_id).first()


def staff_by_id(*, user_id: int) -> User | None:
    return User.objects.select_related("organisation").filter(pk=user_id, is_active=True).first()


def organisations_list(*, kind: str | None = None) -> QuerySet[Organisation]:
    organisations = Organisation.objects.order_by("kind", "name")
    if kind:
        organisations = organisations.filter(kind=kind)
    return organisations


def municipality_by_code(*, code: str) -> Organisation | None:
    if not code:
        return None
    return Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY, code=code).first()


def municipality_detail(*, code: str) -> Organisation | None:
    """The municipality with its entrance and departments, or None."""
    return (
        Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY, code=code)
        .select_related("entrance__department")
        .prefetch_related("departments")
        .first()
    )
