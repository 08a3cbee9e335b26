"""Who may use the person pages: administrators only.

There is no data-protection role in koreplan.accounts.Role, and none of the existing
roles fits: a manager sees the figures of their own unit, not everything the system
holds about a person in every organisation. The data-protection officer is therefore
given an administrator account. Anyone else gets 404: the pages name persons, and that
a person is in the system is itself personal data.
"""

from django.http import Http404

from koreplan.accounts.models import Role


def may_use_privacy(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or getattr(user, "role", None) == Role.ADMINISTRATOR)
    )


def privacy_access_check(user) -> None:
    if not may_use_privacy(user):
        raise Http404("No such page")
