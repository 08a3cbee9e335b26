"""One shape for every error a client can fix, and status codes that keep secrets.

- A service's ``ValidationError`` becomes 422 with ninja's own shape,
  ``{"detail": [{"loc": ["body", <field>…], "msg": …, "type": "value_error"}]}``, so a
  client handles schema errors and rule errors alike.
- ``PermissionDenied`` is 403; it is only raised about cases the user can see, whose
  existence is no secret. A case the user may not see is ``Http404`` before that.
- A body that is not JSON is 422 at ``["body"]`` (ninja answers 400 with another shape).
- A stale ``revision`` is 409 (:class:`Conflict`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

if TYPE_CHECKING:
    from ninja import NinjaAPI

Loc = tuple[str, ...]


class Conflict(HttpError):
    """409: someone saved since the ``revision`` the change was made from; nothing changed.

    The body (``ConflictOut``) names the field that is out of date, the revision saved now,
    and who saved it and when — what the web's conflict page says (koreplan/web/conflicts.py)
    — so a client can read again, redo the change from the new revision and send it back.
    """

    def __init__(self, message: str, *, field: str = "revision", revision: int | None = None,
                 saved_by: str | None = None, saved_at: datetime | None = None) -> None:
        super().__init__(409, message)
        self.body = {"detail": message, "field": field, "revision": revision, "saved_by": saved_by, "saved_at": saved_at}


def stale_conflict(error: DjangoValidationError, *, revision: int, by, at: datetime | None) -> Conflict:
    """A service's ``StaleRevision`` as 409, with what is saved now: its revision, who, when."""
    return Conflict(
        error.messages[0], revision=revision, saved_by=(by.get_full_name() or by.username) if by else None, saved_at=at
    )


def field_errors(error: DjangoValidationError, locations: Mapping[str, Loc] | None = None) -> list[dict]:
    """A Django ``ValidationError`` as ninja's list of errors, each at its body field.

    ``locations`` maps a service's field name to where the field is in the request body
    when the two differ (``acting_municipality`` → ``acting_municipality_code``).
    """
    locations = locations or {}
    if not hasattr(error, "error_dict"):
        return [{"loc": ["body"], "msg": message, "type": "value_error"} for message in error.messages]
    errors = []
    for field, messages in error.message_dict.items():
        loc = ["body"] if field == NON_FIELD_ERRORS else ["body", *locations.get(field, (field,))]
        errors.extend({"loc": loc, "msg": message, "type": "value_error"} for message in messages)
    return errors


@contextmanager
def service_errors(locations: Mapping[str, Loc] | None = None) -> Iterator[None]:
    """Report a service's ``ValidationError`` at the request's own field names."""
    try:
        yield
    except DjangoValidationError as error:
        raise NinjaValidationError(field_errors(error, locations)) from error


def install_exception_handlers(api: NinjaAPI) -> None:
    def validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return api.create_response(request, {"detail": field_errors(exc)}, status=422)

    def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc, Conflict):
            return api.create_response(request, exc.body, status=409)
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            # The body could not be parsed (ninja raises this from the JSONDecodeError or
            # UnicodeDecodeError): say so in the shape of every other input error.
            detail = [{"loc": ["body"], "msg": f"Invalid JSON: {exc.__cause__}", "type": "json_invalid"}]
            return api.create_response(request, {"detail": detail}, status=422)
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)

    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = api.create_response(request, {"detail": "Unauthorized"}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="koreplan"'
        return response

    api.add_exception_handler(DjangoValidationError, validation_error)
    api.add_exception_handler(PermissionDenied, permission_denied)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(AuthenticationError, unauthenticated)
