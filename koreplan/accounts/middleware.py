"""Who gets past the login: the session time-outs and the second factor, for every page."""

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from koreplan.accounts.selectors import otp_device_exists

# What a view may be marked with (see the decorators in koreplan.accounts.views):
# EXEMPT views work before the second factor (logging in and out, giving the code);
# ENROLMENT views are where someone who must have a second factor sets it up.
EXEMPT = "exempt"
ENROLMENT = "enrolment"

SESSION_STARTED_KEY = "koreplan_session_started"
# The last request's time, as the signature time of a signed cookie bound to the session.
SEEN_COOKIE = "koreplan_seen"


def redirect_page(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that also leaves the page when htmx asked for a fragment of it."""
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def session_clock_start(sender, request: HttpRequest, user, **kwargs) -> None:
    """At login (user_logged_in): when the session began, for the absolute limit."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED_KEY] = int(time.time())


class SessionTimeoutMiddleware:
    """End a session after SESSION_IDLE_TIMEOUT seconds without a request, and after
    SESSION_COOKIE_AGE seconds since it began however active it was.

    Not SESSION_SAVE_EVERY_REQUEST with a short SESSION_COOKIE_AGE: every save moves the
    session's expiry on, so the absolute limit of a working day would be lost, every request
    would write the session row, and the session would end without telling the user why.
    Instead the last request is a signed cookie (its signature carries the time, and its
    salt the session key, so it can be neither made fresher nor moved to another session):
    exact to the second, checked on the server, and no database write per request. The start
    is written to the session once, at login.
    """

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            reason = self._expired(request)
            if reason:
                # Logged out here, the login requirement (LoginRequiredMiddleware) sends the
                # user to the login page, and back to this page afterwards.
                auth.logout(request)
                messages.info(request, reason)
        response = self.get_response(request)
        # Only for the session's own user: a bearer token (koreplan/api/auth.py) sets
        # request.user too, and must not keep a session alive.
        if request.user.is_authenticated and request.session.get(auth.SESSION_KEY) == str(request.user.pk):
            response.set_signed_cookie(
                SEEN_COOKIE, "1", salt=_seen_salt(request), httponly=True, samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        elif SEEN_COOKIE in request.COOKIES:
            response.delete_cookie(SEEN_COOKIE, samesite="Lax")
        return response

    def _expired(self, request: HttpRequest) -> str | None:
        now = int(time.time())
        started = request.session.setdefault(SESSION_STARTED_KEY, now)
        if now - started > settings.SESSION_COOKIE_AGE:
            return _("You were logged out because your session had lasted %(hours)d hours. Log in again.") % {
                "hours": settings.SESSION_COOKIE_AGE // 3600
            }
        idle = settings.SESSION_IDLE_TIMEOUT
        # No fresh cookie is idle only when the session is older than the limit: right after
        # login there has been no response to carry the cookie yet.
        fresh = request.get_signed_cookie(SEEN_COOKIE, default=None, salt=_seen_salt(request), max_age=idle)
        if fresh is None and now - started > idle:
            return _("You were logged out because you had not used Køreplan for %(minutes)d minutes.") % {
                "minutes": idle // 60
            }
        return None


def _seen_salt(request: HttpRequest) -> str:
    return f"{SEEN_COOKIE}:{request.session.session_key}"


class SecondFactorMiddleware:
    """The one-time code, on every page and every session-authenticated API call.

    A user with a device gives a code after the password; a user who must have one
    (User.second_factor_required) and has none is sent to set one up. A bearer token is
    machine access and decides alone (koreplan/api/auth.py), so it passes untouched.
    """

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable, view_args, view_kwargs) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        marked = getattr(view_func, "second_factor", None)
        if marked == EXEMPT:
            return None
        if "api" in request.resolver_match.namespaces:
            if request.headers.get("Authorization", "").lower().startswith("bearer "):
                return None
            if otp_device_exists(user=user) or user.second_factor_required:
                return JsonResponse(
                    {"detail": _("Log in with your one-time code before using the API with your session.")},
                    status=401,
                )
            return None
        if otp_device_exists(user=user):
            return redirect_page(request, _with_next(request, "accounts:otp_verify"))
        if user.second_factor_required and marked != ENROLMENT:
            return redirect_page(request, _with_next(request, "accounts:otp_enrol"))
        return None


def _with_next(request: HttpRequest, view_name: str) -> str:
    url = resolve_url(view_name)
    if request.method == "GET" and request.headers.get("HX-Request") != "true":
        return f"{url}?{urlencode({'next': request.get_full_path()})}"
    # A form's POST cannot be replayed after the code; htmx fragments are not pages.
    return url
