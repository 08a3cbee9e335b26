"""The audit log: who did what to which case, when, from where and why.

Append-only and hash-chained: every entry carries the hash of the one before it, so that a
row changed or removed behind the application's back breaks the chain, and
`audit_chain_verify` finds where.

Personal data in an entry (PERSONAL_FIELDS) is not hashed into the chain directly but
through `personal_digest`: sha256 over a secret per-entry salt and those fields. The chain
covers the digest. Pseudonymisation (after the retention period) replaces the personal
fields by keyed pseudonyms and erases the salt: the chain still verifies, and the digest
can no longer be linked to the person. See docs/privacy.md.
"""

import hashlib
import secrets
from datetime import UTC

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AuditEntryImmutable(Exception):
    """Raised on any attempt to change or delete an audit entry through the ORM."""


class AuditEntryQuerySet(models.QuerySet):
    def delete(self):
        raise AuditEntryImmutable("Audit entries are never deleted.")

    delete.queryset_only = True


class AuditEntry(models.Model):
    created_at = models.DateTimeField(_("time"), db_index=True)
    # A stable, dotted, past-tense code such as "koreplan.case.viewed": reports and
    # exports key on it, so it never changes once used.
    action = models.CharField(_("action"), max_length=100, db_index=True)
    # PROTECT: users and organisations are deactivated, never deleted, and nulling the
    # reference would rewrite (and so break) the chain.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor's organisation"),
    )
    # Plain ids, not foreign keys: the log outlives and must not constrain the case tables.
    case_id = models.BigIntegerField(_("case"), null=True, blank=True, db_index=True)
    client_id = models.BigIntegerField(_("client"), null=True, blank=True, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    # sha256(personal_salt + the personal fields); the chain hash covers this digest, not
    # the fields, so pseudonymising them does not break the chain.
    personal_salt = models.CharField(_("personal data salt"), max_length=32, blank=True)
    personal_digest = models.CharField(_("personal data digest"), max_length=64)
    # Set by pseudonymisation, which also erases the salt; the pseudonyms let the holder of
    # AUDIT_PSEUDONYM_KEY (and nobody else) still find a person's old entries.
    pseudonymised_at = models.DateTimeField(_("pseudonymised"), null=True, blank=True, db_index=True)
    client_pseudonym = models.CharField(_("client pseudonym"), max_length=64, blank=True, db_index=True)
    case_pseudonym = models.CharField(_("case pseudonym"), max_length=64, blank=True, db_index=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AuditEntryImmutable("Audit entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEntryImmutable("Audit entries are never deleted.")

    def seal(self) -> None:
        """Give a new entry its salt, personal digest and chain hash (prev_hash set)."""
        self.personal_salt = secrets.token_hex(16)
        self.personal_digest = self.compute_personal_digest()
        self.hash = self.compute_hash()

    def compute_personal_digest(self) -> str:
        """sha256 over the secret salt and the canonical JSON of the personal fields."""
        content = {name: getattr(self, name) for name in PERSONAL_FIELDS}
        return hashlib.sha256((self.personal_salt + canonical_json(content)).encode("utf-8")).hexdigest()

    def compute_hash(self) -> str:
        """sha256 over the previous hash and the canonical JSON of the entry's content,
        with the personal fields represented by their digest."""
        content = {
            "created_at": self.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "action": self.action,
            "actor_id": self.actor_id,
            "actor_organisation_id": self.actor_organisation_id,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "personal_digest": self.personal_digest,
        }
        return hashlib.sha256((self.prev_hash + canonical_json(content)).encode("utf-8")).hexdigest()


# The fields that may identify a person (the client, or the member of staff's machine),
# and so are pseudonymised after the retention period. The actor and their organisation
# stay: the log's point is who did it. Changing this list changes every digest.
PERSONAL_FIELDS = ("case_id", "client_id", "ip_address", "user_agent", "purpose", "data")


# One encoder for every entry: building one per call is most of the cost of verifying
# millions of entries. Same output as json.dumps(..., cls=DjangoJSONEncoder) with these options.
_CANONICAL = DjangoJSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(content) -> str:
    return _CANONICAL.encode(content)


class LastChange(models.Model):
    """The newest change the log holds for one case or one client: the entry's id, moved
    on by ``audit_record`` in the change's own transaction. A page that shows a case keeps
    what it rendered under these ids (``koreplan.web.page_cache``), so any recorded change
    to the case or its client is a new key — nothing has to be told to forget."""

    class Subject(models.TextChoices):
        CASE = "case", _("case")
        CLIENT = "client", _("client")

    subject = models.CharField(_("subject"), max_length=6, choices=Subject.choices)
    subject_id = models.BigIntegerField(_("subject id"))
    entry_id = models.BigIntegerField(_("newest change"))

    class Meta:
        verbose_name = _("last change")
        verbose_name_plural = _("last changes")
        constraints = [models.UniqueConstraint(fields=["subject", "subject_id"], name="audit_lastchange_subject")]

    def __str__(self) -> str:
        return f"{self.subject} {self.subject_id}: {self.entry_id}"
