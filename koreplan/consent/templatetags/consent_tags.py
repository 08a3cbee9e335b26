"""The consent panel of the case page: ``{% include "consent/_case_panel.html" %}`` needs only
``case`` (and the request's ``user``) in the context; the tag reads the rest."""

from __future__ import annotations

from django import template
from django.utils import timezone

from koreplan.consent import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def consent_panel(context, case) -> dict:
    user = context.get("user") or getattr(context.get("request"), "user", None)
    today = timezone.localdate()
    consents = list(selectors.consents_of(client=case.client))
    in_force = [c for c in consents if c.in_force(today)]
    awaiting = [d for d in selectors.disclosures_of(case=case) if d.status == d.Status.AWAITING_APPROVAL]
    return {
        "given": [c for c in in_force if not c.refused],
        "refused": [c for c in in_force if c.refused],
        "ended": len(consents) - len(in_force),
        "awaiting": [{"disclosure": d, "may_approve": user is not None and selectors.may_approve(user, d)} for d in awaiting],
        "may_record": user is not None and selectors.may_record(user, case),
    }
