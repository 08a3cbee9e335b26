"""Keyed pseudonyms for personal data in old audit entries.

A pseudonym is HMAC-SHA256 under AUDIT_PSEUDONYM_KEY of a kind and a value: the same
client always gets the same pseudonym, so whoever holds the key can still find a person's
old entries (a subject-access request, a legal claim), and nobody without it can reverse
or guess it — client ids and CPR numbers are too few to survive an unkeyed hash.
"""

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

PREFIX = "ps:"


def _key() -> bytes:
    key = getattr(settings, "AUDIT_PSEUDONYM_KEY", "") or ("koreplan.audit.pseudonym:" + settings.SECRET_KEY)
    return key.encode("utf-8")


def pseudonym(kind: str, value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, cls=DjangoJSONEncoder)
    digest = hmac.new(_key(), f"{kind}:{text}".encode(), hashlib.sha256).hexdigest()
    return PREFIX + digest[:40]


def pseudonymise_data(value: Any, path: str = "data") -> Any:
    """The same structure with every leaf replaced by its pseudonym: what kind of thing was
    recorded stays readable (the keys), who it was about does not."""
    if isinstance(value, dict):
        return {key: pseudonymise_data(item, f"{path}.{key}") for key, item in value.items()}
    if isinstance(value, list):
        return [pseudonymise_data(item, path) for item in value]
    if value is None or isinstance(value, bool):
        return value
    return pseudonym(path, value)
