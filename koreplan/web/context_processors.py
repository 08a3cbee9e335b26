from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from koreplan.dashboards.scopes import may_see_dashboards
from koreplan.privacy.access import may_use_privacy

# The main menu: (path, label). Only what is built is shown; the inbox and the
# managers' dashboards join it when their apps exist.
_MENU = [
    ("/indbakke/", _("Inbox")),
    ("/opgaver/", _("My tasks")),
    ("/sager/", _("Cases")),
    ("/overdragelser/", _("Hand-overs")),
    ("/ledelse/", _("Management")),
    ("/persondata/", _("Personal data")),
    ("/admin/", _("Administration")),
]


def navigation(request: HttpRequest) -> dict:
    """The main menu for the current user, with the current section marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    hidden = set()
    if not user.is_staff:
        hidden.add("/admin/")
    if not may_use_privacy(user):
        hidden.add("/persondata/")
    if not may_see_dashboards(user):
        hidden.add("/ledelse/")
    # The inbox is the municipal staff's: what Kriminalforsorgen sent their municipality.
    if getattr(user.organisation, "kind", None) != "municipality":
        hidden.add("/indbakke/")
    return {
        "navigation": [
            {"href": href, "label": label, "current": request.path.startswith(href)}
            for href, label in _MENU
            if href not in hidden
        ]
    }
