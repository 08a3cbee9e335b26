"""The municipality panel of the case page: ``{% include "coordination/_case_panel.html" %}``
needs only ``case`` (and the request's ``user``) in the context; the tag reads the rest."""

from __future__ import annotations

from django import template

from koreplan.cases.selectors import may_edit_open
from koreplan.coordination import selectors
from koreplan.coordination.letters import entrance_of

register = template.Library()


@register.simple_tag(takes_context=True)
def coordination_panel(context, case) -> dict:
    user = context.get("user") or getattr(context.get("request"), "user", None)
    # No ORDER BY in SQL: with the fourteen tables the status line needs, Django's
    # ordering alone cost a millisecond per case view (docs/performance.md); newest first
    # as the model orders them.
    requests = sorted(selectors.requests_of(case=case).order_by(), key=lambda r: (r.created_at, r.pk), reverse=True)
    return {
        "items": [{"req": r, "may_approve": user is not None and selectors.may_approve(user, r)} for r in requests],
        "may_send": user is not None and selectors.may_send(user, case),
        "entrance": entrance_of(case.client.acting_municipality),
        "may_change_municipality": user is not None and user.is_authenticated
        and may_edit_open(user, case),
    }
