"""Personal data leaves the chain hash for a salted digest (see models.py, docs/privacy.md).

Existing entries are re-sealed: the old chain is verified first with the old formula, and
the migration refuses (naming the entry) if it is broken — re-sealing a tampered log would
launder the tampering. Chunked, so it runs on millions of rows.
"""

import hashlib
import json
import secrets
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models

GENESIS_HASH = "0" * 64
PERSONAL_FIELDS = ("case_id", "client_id", "ip_address", "user_agent", "purpose", "data")
CHUNK = 2000


def _canonical(content) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder)


def _old_hash(e) -> str:
    content = {
        "created_at": e.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "action": e.action,
        "actor_id": e.actor_id,
        "actor_organisation_id": e.actor_organisation_id,
        "case_id": e.case_id,
        "client_id": e.client_id,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "ip_address": e.ip_address,
        "user_agent": e.user_agent,
        "purpose": e.purpose,
        "data": e.data,
    }
    return hashlib.sha256((e.prev_hash + _canonical(content)).encode("utf-8")).hexdigest()


def _new_hashes(e, prev: str) -> None:
    e.personal_salt = secrets.token_hex(16)
    personal = {name: getattr(e, name) for name in PERSONAL_FIELDS}
    e.personal_digest = hashlib.sha256((e.personal_salt + _canonical(personal)).encode("utf-8")).hexdigest()
    content = {
        "created_at": e.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "action": e.action,
        "actor_id": e.actor_id,
        "actor_organisation_id": e.actor_organisation_id,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "personal_digest": e.personal_digest,
    }
    e.prev_hash = prev
    e.hash = hashlib.sha256((prev + _canonical(content)).encode("utf-8")).hexdigest()


def reseal(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    expected_old = GENESIS_HASH
    new_prev = GENESIS_HASH
    last_id = 0
    while True:
        chunk = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:CHUNK])
        if not chunk:
            return
        for e in chunk:
            if e.prev_hash != expected_old or e.hash != _old_hash(e):
                raise RuntimeError(
                    f"The audit chain is broken at entry {e.id} ({e.created_at:%Y-%m-%d %H:%M:%S}); "
                    "it is not re-sealed. Investigate before migrating."
                )
            expected_old = e.hash
            _new_hashes(e, new_prev)
            new_prev = e.hash
        # Hashes are unique: a new hash never equals an old one (different content), so
        # updating row by row within the chunk cannot collide.
        AuditEntry.objects.bulk_update(chunk, ["personal_salt", "personal_digest", "prev_hash", "hash"])
        last_id = chunk[-1].id


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="personal_salt",
            field=models.CharField(blank=True, max_length=32, verbose_name="personal data salt"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="personal_digest",
            field=models.CharField(default="", max_length=64, verbose_name="personal data digest"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="pseudonymised_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True, verbose_name="pseudonymised"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="client_pseudonym",
            field=models.CharField(blank=True, db_index=True, max_length=64, verbose_name="client pseudonym"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="case_pseudonym",
            field=models.CharField(blank=True, db_index=True, max_length=64, verbose_name="case pseudonym"),
        ),
        migrations.RunPython(reseal, migrations.RunPython.noop, elidable=True),
    ]
