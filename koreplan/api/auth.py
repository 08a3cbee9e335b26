"""Who is calling: a bearer token, or the browser's Django session.

The token is tried first. A request that presents a bearer token is decided by it alone:
a revoked or unknown token is 401 even if the browser also sends a session cookie.
Session requests that change something must carry the CSRF token, as on every form.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer

from koreplan.api.services import api_token_authenticate


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer kp_…`` with a token from ``manage.py api_token_create``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = api_token_authenticate(plaintext=token.strip())
        if api_token is None:
            raise AuthenticationError()
        # From here on the request is the token's user's: the selectors, the services and
        # the audit log see who it is.
        request.user = api_token.user
        request.api_token = api_token
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The Django session of someone logged in to the web application."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        # Someone not logged in is told 401, not that their CSRF token is missing; the CSRF
        # check (which ninja's own session auth runs first) only matters for a session.
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if request.user.is_authenticated and request.user.is_active:
            return request.user
        return None


def auth_methods() -> list:
    return [BearerTokenAuth(), SessionAuth()]
