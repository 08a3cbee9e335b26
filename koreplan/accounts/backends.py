"""The password login's authentication backend."""

from django.contrib.auth.backends import ModelBackend

from koreplan.accounts.models import User


class UserWithOrganisationBackend(ModelBackend):
    """Django's model backend, reading the signed-in user's organisation in the same query:
    every page names it in the header and most of them decide access by it, so it would
    otherwise cost a query of its own on every request."""

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("organisation").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
