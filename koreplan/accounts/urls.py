import functools
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.urls import path
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from koreplan.accounts import views
from koreplan.accounts.oidc import KoreplanOIDCCallbackView

app_name = "accounts"

urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("profil/adgangskode/", views.password_change, name="password_change"),
    path("profil/totrin/ny/", views.otp_enrol, name="otp_enrol"),
    path("profil/totrin/reservekoder/", views.otp_backup_codes, name="otp_backup_codes"),
    path("profil/totrin/fjern/", views.otp_remove, name="otp_remove"),
    path("login/kode/", views.otp_verify, name="otp_verify"),
]


def _oidc_view(view: Callable) -> Callable:
    """Open before login and before the second factor, and there only when configured."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return views.second_factor_exempt(login_not_required(wrapped))


# Outside the accounts namespace: mozilla-django-oidc reverses these names as they are.
oidc_urlpatterns = [
    path("authenticate/", _oidc_view(OIDCAuthenticationRequestView.as_view()), name="oidc_authentication_init"),
    path("callback/", _oidc_view(KoreplanOIDCCallbackView.as_view()), name="oidc_authentication_callback"),
]
