"""The consent panel of the case page: ``{% include "consent/_case_panel.html" %}`` needs only
``case`` (and the request's ``user``) in the context; the tag reads the rest."""

from __future__ import annotations

from django import template
from django.utils import timezone

from koreplan.consent import selectors
from koreplan.consent.models import Consent, Disclosure

register = template.Library()


@register.simple_tag(takes_context=True)
def consent_panel(context, case) -> dict:
    user = context.get("user") or getattr(context.get("request"), "user", None)
    today = timezone.localdate()
    # Only what the panel names, and no ORDER BY (the panel has no order of its own to
    # keep beyond the model's, applied here): on every case view the ORM spent more time
    # on the joins and the ordering than the database on the query (docs/performance.md).
    consents = sorted(
        Consent.objects.filter(client_id=case.client_id).select_related("recipient_organisation").order_by(),
        key=lambda c: (c.given_on, c.pk), reverse=True,
    )
    in_force = [c for c in consents if c.in_force(today)]
    # Their recipient and proposer read only when one is waiting, which is seldom: joined,
    # the two tables cost every case view half a millisecond for nothing.
    awaiting = sorted(
        Disclosure.objects.filter(case_id=case.pk, status=Disclosure.Status.AWAITING_APPROVAL)
        .prefetch_related("recipient_organisation", "proposed_by").order_by(),
        key=lambda d: (d.proposed_at, d.pk), reverse=True,
    )
    return {
        "given": [c for c in in_force if not c.refused],
        "refused": [c for c in in_force if c.refused],
        "ended": len(consents) - len(in_force),
        "awaiting": [{"disclosure": d, "may_approve": user is not None and selectors.may_approve(user, d)} for d in awaiting],
        "may_record": user is not None and selectors.may_record(user, case),
    }
