from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from koreplan.accounts.models import Role

# The main menu: (path, label). Paths rather than URL names, because most of these apps
# are still being written.
_MENU = [
    ("/opgaver/", _("My tasks")),
    ("/sager/", _("Cases")),
    ("/overdragelser/", _("Hand-overs")),
    ("/indbakke/", _("Inbox")),
    ("/ledelse/", _("Management")),
    ("/admin/", _("Administration")),
]


def navigation(request: HttpRequest) -> dict:
    """The main menu for the current user, with the current section marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    hidden = set()
    if not (user.is_superuser or user.role in {Role.MANAGER, Role.ADMINISTRATOR}):
        hidden.add("/ledelse/")
    if not user.is_staff:
        hidden.add("/admin/")
    return {
        "navigation": [
            {"href": href, "label": label, "current": request.path.startswith(href)}
            for href, label in _MENU
            if href not in hidden
        ]
    }
