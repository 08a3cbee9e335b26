"""Logging in: the password, the lock-out, the one-time code and its set-up, the profile."""

from base64 import b32encode
from binascii import unhexlify
from collections.abc import Callable

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from koreplan.accounts import selectors, services
from koreplan.accounts.forms import OTPEnrolForm, OTPVerifyForm
from koreplan.accounts.middleware import ENROLMENT, EXEMPT

ENROLMENT_KEY_SESSION_KEY = "koreplan_otp_enrolment_key"


def second_factor_exempt(view: Callable) -> Callable:
    """A view that works before the one-time code has been given (SecondFactorMiddleware)."""
    view.second_factor = EXEMPT
    return view


def second_factor_enrolment(view: Callable) -> Callable:
    """Where someone who must have a second factor, and has none, sets one up."""
    view.second_factor = ENROLMENT
    return view


def _login_context() -> dict:
    return {"oidc_enabled": settings.OIDC_ENABLED}


@login_not_required
@second_factor_exempt
def login(request: HttpRequest) -> HttpResponse:
    return auth_views.LoginView.as_view(extra_context=_login_context())(request)


@second_factor_exempt
def logout(request: HttpRequest) -> HttpResponse:
    return auth_views.LogoutView.as_view()(request)


def login_locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes's answer to a locked-out username and address: the login page, saying
    why and for how long (AXES_LOCKOUT_CALLABLE)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {
        **_login_context(),
        "form": form,
        "locked_out": True,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "next": _next_url(request, default=""),
    }
    return render(request, "registration/login.html", context, status=429)


@second_factor_exempt
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The one-time code after the password."""
    next_url = _next_url(request)
    if request.user.is_verified():
        return HttpResponseRedirect(next_url)
    if not selectors.otp_device_exists(user=request.user):
        return redirect("accounts:otp_enrol" if request.user.second_factor_required else next_url)
    form = OTPVerifyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        _session_verify(request, form.device)
        return HttpResponseRedirect(next_url)
    return render(request, "registration/otp_verify.html", {"form": form, "next": next_url})


@second_factor_enrolment
@require_http_methods(["GET", "POST"])
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: its secret as text and as a QR code, then a first code."""
    next_url = _next_url(request)
    if selectors.otp_totp_device_of(user=request.user) is not None:
        messages.info(request, _("You already have an authenticator app. Remove it first to add another."))
        return redirect("accounts:profile")
    # The secret waits in the session until a code proves the app has it: no half-made
    # device is saved, and reloading the page shows the same secret.
    key = request.session.get(ENROLMENT_KEY_SESSION_KEY)
    if not key:
        key = request.session[ENROLMENT_KEY_SESSION_KEY] = default_key()
    form = OTPEnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.otp_totp_enroll(
                user=request.user, key=key, token=form.cleaned_data["otp_token"], request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            del request.session[ENROLMENT_KEY_SESSION_KEY]
            _session_verify(request, device)
            messages.success(request, _("Two-step login is set up."))
            return render(request, "registration/otp_backup_codes.html", {"codes": codes, "next": next_url})
    # Unsaved: only to build the otpauth:// address the app reads.
    device = TOTPDevice(user=request.user, key=key)
    context = {
        "form": form,
        "next": next_url,
        "secret": " ".join(_groups(b32encode(unhexlify(key)).decode(), 4)),
        "qr_svg": _qr_svg(device.config_url),
        "required": request.user.second_factor_required,
    }
    return render(request, "registration/otp_enrol.html", context)


@require_safe
def profile(request: HttpRequest) -> HttpResponse:
    """Min profil: who I am, and how I log in."""
    user = request.user
    context = {
        "totp_device": selectors.otp_totp_device_of(user=user),
        "devices": selectors.otp_devices_of(user=user),
        "backup_codes_left": selectors.otp_backup_codes_left(user=user),
    }
    return render(request, "accounts/profile.html", context)


@require_POST
def otp_backup_codes(request: HttpRequest) -> HttpResponse:
    """A new set of backup codes, shown once."""
    device, codes = services.otp_backup_codes_generate(user=request.user, request=request)
    # The old codes are gone, and with them the device this session may have been verified
    # by; the user holds the new codes in hand.
    _session_verify(request, device)
    return render(request, "registration/otp_backup_codes.html", {"codes": codes, "next": ""})


@require_POST
def otp_remove(request: HttpRequest) -> HttpResponse:
    """Remove the authenticator app and the backup codes."""
    if services.otp_devices_remove(user=request.user, request=request):
        if request.user.second_factor_required:
            messages.info(request, _("Your authenticator app and backup codes are removed. Set up a new app to go on."))
        else:
            messages.success(request, _("Two-step login is turned off: your authenticator app and backup codes are removed."))
    return redirect("accounts:profile")


@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change the password; AUTH_PASSWORD_VALIDATORS decide what is strong enough."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_password_change(user=request.user, password=form.cleaned_data["new_password1"], request=request)
        # Other sessions end with the old password; this one goes on.
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password is changed."))
        return redirect("accounts:profile")
    return render(request, "registration/password_change_form.html", {"form": form})


def _session_verify(request: HttpRequest, device) -> None:
    # A new session key when the session gains the second factor, as at login, so that a
    # key seen before cannot ride on the verification.
    request.session.cycle_key()
    django_otp.login(request, device)


def _next_url(request: HttpRequest, default: str = "/") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _groups(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=16, border=2)
    # Made here from the otpauth:// address alone; no user input reaches the markup.
    return mark_safe(image.to_string(encoding="unicode"))
