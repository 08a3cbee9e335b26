"""Login through an OpenID Connect provider (mozilla-django-oidc), e.g. the broker through
which a Danish authority offers MitID Erhverv. Switched on by OIDC_RP_CLIENT_ID; see
docs/authentication.md.

A login is matched to an existing, active account by one claim (OIDC_MATCH_CLAIM against
the account's OIDC_MATCH_FIELD). No account is ever made from a login: an account needs an
organisation and a role, which only an administrator can give.
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

from koreplan.accounts.backends import UserWithOrganisationBackend

# Why a login failed, left on the request for the callback view to tell the user.
FAILURE_ATTRIBUTE = "koreplan_oidc_failure"
NO_CLAIM, NO_ACCOUNT, MANY_ACCOUNTS = "no_claim", "no_account", "many_accounts"


class KoreplanOIDCBackend(OIDCAuthenticationBackend):
    def get_user(self, user_id):
        # As after a password login: the organisation in the same query, and an account
        # deactivated since the login ends the session.
        return UserWithOrganisationBackend().get_user(user_id)

    def verify_claims(self, claims) -> bool:
        if claims.get(settings.OIDC_MATCH_CLAIM):
            return True
        setattr(self.request, FAILURE_ATTRIBUTE, NO_CLAIM)
        return False

    def filter_users_by_claims(self, claims):
        value = str(claims.get(settings.OIDC_MATCH_CLAIM, "")).strip()
        if not value:
            return self.UserModel.objects.none()
        users = self.UserModel.objects.filter(**{f"{settings.OIDC_MATCH_FIELD}__iexact": value}, is_active=True)
        count = users.count()
        if count == 0:
            setattr(self.request, FAILURE_ATTRIBUTE, NO_ACCOUNT)
        elif count > 1:
            setattr(self.request, FAILURE_ATTRIBUTE, MANY_ACCOUNTS)
        return users

    def describe_user_by_claims(self, claims) -> str:
        return f"{settings.OIDC_MATCH_CLAIM} {claims.get(settings.OIDC_MATCH_CLAIM)!r}"

    def create_user(self, claims):  # pragma: no cover - OIDC_CREATE_USER is always False
        raise NotImplementedError("Accounts are made by an administrator, never by a login.")


class KoreplanOIDCCallbackView(OIDCAuthenticationCallbackView):
    """The broker's redirect back: on failure, the login page with the reason in Danish."""

    def login_failure(self):
        reason = getattr(self.request, FAILURE_ATTRIBUTE, None)
        if reason == NO_ACCOUNT:
            text = _(
                "You were identified, but no Køreplan account matches you. An account needs an "
                "organisation and a role: ask your administrator to create one for you."
            )
        elif reason == MANY_ACCOUNTS:
            text = _("More than one Køreplan account matches you. Ask your administrator to correct the accounts.")
        elif reason == NO_CLAIM:
            text = _("The login service did not say who you are. Ask your administrator to check the set-up.")
        else:
            text = _("The login with MitID Erhverv did not succeed. Try again, or log in with your password.")
        messages.error(self.request, text)
        return redirect("login")
