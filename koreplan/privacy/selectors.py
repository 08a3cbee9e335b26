"""Reads for the person pages: finding a client, their audit entries, and everything the
system holds about them."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import connection, models
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from koreplan.audit.models import AuditEntry
from koreplan.audit.pseudonyms import pseudonym
from koreplan.cases.models import Case, Client

SEARCH_LIMIT = 50

# Apps whose rows describe staff, organisations or the log itself, not the client: the
# traversal does not walk into them (the log is exported separately).
_NOT_ABOUT_THE_CLIENT = {"accounts", "organisations", "audit", "privacy", "api", "notifications", "generate"}


def clients_find(*, query: str) -> QuerySet[Client]:
    """Clients by CPR number (with or without the dash; six digits match the birth date
    part) or by name (every word must match the first or last name)."""
    query = query.strip()
    if not query:
        return Client.objects.none()
    digits = query.replace("-", "").replace(" ", "")
    if digits.isdigit():
        return Client.objects.filter(cpr__startswith=digits)[:SEARCH_LIMIT]
    condition = Q()
    for word in re.split(r"\s+", query):
        condition &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return Client.objects.filter(condition)[:SEARCH_LIMIT]


def person_entries(
    *,
    client: Client,
    since: date | None = None,
    until: date | None = None,
    organisation=None,
    action: str = "",
) -> QuerySet[AuditEntry]:
    """Every audit entry about the client: on the client or one of their cases, and —
    after pseudonymisation — under their pseudonyms. Newest first."""
    case_ids = list(Case.objects.filter(client=client).values_list("pk", flat=True))
    about = (
        Q(client_id=client.pk)
        | Q(case_id__in=case_ids)
        | Q(client_pseudonym=pseudonym("client", client.pk))
        | Q(case_pseudonym__in=[pseudonym("case", pk) for pk in case_ids])
        | _listed(case_ids)
    )
    entries = AuditEntry.objects.filter(about).select_related("actor", "actor_organisation")
    if since:
        entries = entries.filter(created_at__gte=timezone.make_aware(datetime.combine(since, time.min)))
    if until:
        entries = entries.filter(created_at__lt=timezone.make_aware(datetime.combine(until, time.max)))
    if organisation is not None:
        entries = entries.filter(actor_organisation=organisation)
    if action:
        entries = entries.filter(action=action)
    return entries.order_by("-created_at", "-id")


# Reads of a list record which of the client's things it showed under one of these keys of
# `data`: case ids (the case search, worklist, hand-overs, the dashboards' case lists:
# case_ids; the API's case list: cases) or municipal request ids (the municipal inbox).
# Only the list actions are searched, so that the index on `action` narrows the scan.
LIST_READS = {
    "koreplan.case.searched": "case_ids",
    "koreplan.worklist.viewed": "case_ids",
    "koreplan.handover.list_viewed": "case_ids",
    "koreplan.dashboard.cases_listed": "case_ids",
    "koreplan.api.cases_listed": "cases",
    "koreplan.coordination.inbox.viewed": "requests",
}


def _listed(case_ids: list[int]) -> Q:
    """Entries of list reads that showed one of the client's cases (or their requests). Not
    pseudonymised entries: there the ids have become pseudonyms per list position."""
    from koreplan.coordination.models import MunicipalRequest

    ids = {
        "case_ids": case_ids,
        "cases": case_ids,
        "requests": list(MunicipalRequest.objects.filter(case_id__in=case_ids).values_list("pk", flat=True)),
    }
    condition = Q(pk__in=[])
    for action, key in LIST_READS.items():
        wanted = ids[key]
        if not wanted:
            continue
        if connection.vendor == "postgresql":
            contains = Q(pk__in=[])
            for pk in wanted:
                contains |= Q(**{f"data__{key}__contains": [pk]})
        else:
            # SQLite has no JSON containment: look the ids up with json_each.
            marks = ", ".join(["%s"] * len(wanted))
            contains = Q(pk__in=RawSQL(
                f"SELECT a.id FROM audit_auditentry a, json_each(a.data, '$.{key}') j "
                f"WHERE a.action = %s AND json_type(a.data, '$.{key}') = 'array' AND j.value IN ({marks})",
                [action, *wanted],
            ))
        condition |= Q(action=action, pseudonymised_at__isnull=True) & contains
    return condition


@dataclass
class SubjectData:
    client: Client
    objects: list[models.Model]
    entries: list[AuditEntry]


def subject_data_collect(*, client: Client) -> SubjectData:
    """Everything the system holds about the client: the client row and every row reached
    from it by following references back (cases, then their tasks, plans and versions,
    consents, disclosures, coordination requests, release records, journal …), found from
    the model graph so that a table added later is included without a change here."""
    return SubjectData(
        client=client,
        objects=related_tree(client),
        entries=list(person_entries(client=client).order_by("created_at", "id")),
    )


def related_tree(root: models.Model) -> list[models.Model]:
    """`root` and every row that refers to it, directly or through other such rows, in
    breadth-first order (so reversed, rows come before what they refer to)."""
    seen: set[tuple[str, object]] = set()
    order: list[models.Model] = []
    queue = deque([root])
    while queue:
        obj = queue.popleft()
        key = (obj._meta.label, obj.pk)
        if key in seen:
            continue
        seen.add(key)
        order.append(obj)
        for relation in _reverse_relations(type(obj)):
            queue.extend(relation.related_model._base_manager.filter(**{relation.field.name: obj}).order_by("pk"))
    return order


def _reverse_relations(model: type[models.Model]) -> list:
    return [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created
        and not field.concrete
        and (field.one_to_many or field.one_to_one)
        and field.related_model._meta.app_label not in _NOT_ABOUT_THE_CLIENT
        and field.related_model.__module__.startswith("koreplan.")
    ]
