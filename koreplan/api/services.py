"""Writes of the API app: making, using and revoking API tokens.

Tokens are made and revoked with an audit entry in the same transaction, like every
other write. Using a token is not audited here: what it was used for is (every read and
write of a case names the token in its audit entry).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from koreplan.accounts.models import User
from koreplan.api.models import ApiToken
from koreplan.audit.services import audit_record

#: Every token starts with this, so that a leaked one is recognisable (secret scanners,
#: log filters) and cannot be mistaken for a password.
TOKEN_PREFIX = "kp_"

#: How stale ``last_used_at`` may get before a request writes it again: a busy
#: integration should not turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def api_token_create(
    *, user: User, name: str, actor: User | None = None, request: HttpRequest | None = None
) -> tuple[ApiToken, str]:
    """Make a token for ``user``; returns it with its plaintext, which is never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name that says what it is for.")})
    if not user.is_active:
        raise ValidationError({"user": _("The user is not active.")})
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, token_hash=api_token_hash(plaintext))
        audit_record(
            action="koreplan.api.token_created", actor=actor, request=request, obj=token,
            data={"user": user.pk, "name": name},
        )
    return token, plaintext


def api_token_revoke(*, token: ApiToken, actor: User | None = None, request: HttpRequest | None = None) -> ApiToken:
    """Revoke a token at once; revoking it again changes nothing."""
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action="koreplan.api.token_revoked", actor=actor, request=request, obj=token,
            data={"user": token.user_id, "name": token.name},
        )
    return token


def api_token_authenticate(*, plaintext: str) -> ApiToken | None:
    """The active token of an active user with this plaintext, else None; notes its use."""
    if not plaintext.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user__organisation")
        .filter(token_hash=api_token_hash(plaintext), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# -- audit of reads -------------------------------------------------------------------------


def _read_data(request: HttpRequest, endpoint: str, **extra) -> dict:
    data = {"endpoint": endpoint, **extra}
    token = getattr(request, "api_token", None)
    if token is not None:
        data["token"] = token.pk  # which integration read it, not only as whom
    return data


def api_case_read_record(*, request: HttpRequest, case, endpoint: str) -> None:
    """Note that the caller read a case (its page, timeline or tasks) through the API."""
    audit_record(
        action="koreplan.api.case_read", request=request, case_id=case.pk, client_id=case.client_id,
        data=_read_data(request, endpoint),
    )


def api_cases_listed_record(*, request: HttpRequest, endpoint: str, case_ids: list[int]) -> None:
    """Note that the caller saw a list of cases: which ones, not what was searched for (a
    search may be a CPR number, and the log keeps no personal data in clear)."""
    audit_record(
        action="koreplan.api.cases_listed", request=request, data=_read_data(request, endpoint, cases=case_ids)
    )
