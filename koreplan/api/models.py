"""API tokens: how another system authenticates to /api/v1 as one named user.

Only the SHA-256 of a token is stored; the token itself is shown once, when it is made
(``manage.py api_token_create``), and cannot be recovered. A token acts as its user: the
same access rules, the same audit trail. It is revoked, never deleted, so that the audit
log's references to it stay meaningful.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. the system that uses it.")
    )
    # Hex SHA-256 of the token. A token has 256 random bits, so an unsalted fast hash is
    # enough: there is nothing to guess, and the hash is the lookup key.
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(name="api_token_name_not_blank", condition=~Q(name="")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
