"""The municipality panel of the case page: ``{% include "coordination/_case_panel.html" %}``
needs only ``case`` (and the request's ``user``) in the context; the tag reads the rest."""

from __future__ import annotations

from django import template

from koreplan.cases.selectors import may_edit_open
from koreplan.coordination import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def coordination_panel(context, case) -> dict:
    user = context.get("user") or getattr(context.get("request"), "user", None)
    requests = selectors.requests_for_case_panel(case=case)
    municipality = case.client.acting_municipality
    return {
        "items": [{"req": r, "may_approve": user is not None and selectors.may_approve(user, r)} for r in requests],
        "may_send": user is not None and selectors.may_send(user, case),
        # Read with the case on the case page (selectors.CASE_PAGE_RELATED); a query otherwise.
        "entrance": getattr(municipality, "entrance", None),
        "may_change_municipality": user is not None and user.is_authenticated
        and may_edit_open(user, case),
    }
