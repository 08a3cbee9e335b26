"""Template helpers for the plan pages and the PDF."""

from django import template
from django.utils.translation import gettext as _, ngettext

from koreplan.domain.calendar import Period
from koreplan.plans.presentation import label_of

register = template.Library()


@register.filter
def plan_label(value) -> str:
    """The user's word for a value of the plan (a life area, a status, the client's view)."""
    return label_of(value)


@register.filter
def yes_no_unknown(value) -> str:
    if value is None:
        return _("Not stated")
    return _("Yes") if value else _("No")


@register.filter
def sentence_words(iso: str) -> str:
    """An ISO 8601 sentence (P1Y6M) in words."""
    if not iso:
        return ""
    try:
        period = Period.parse(iso)
    except ValueError:
        return iso
    years, months = divmod(period.months, 12)
    parts = []
    if years:
        parts.append(ngettext("%(count)d year", "%(count)d years", years) % {"count": years})
    if months:
        parts.append(ngettext("%(count)d month", "%(count)d months", months) % {"count": months})
    if period.days:
        parts.append(ngettext("%(count)d day", "%(count)d days", period.days) % {"count": period.days})
    return ", ".join(parts)
