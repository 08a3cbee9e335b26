"""The REVOKE/GRANT of docs/privacy.md, run as written against a separate application role."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from koreplan.audit.models import AuditEntry
from koreplan.audit.selectors import audit_chain_verify
from koreplan.audit.services import audit_pseudonymise, audit_record

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and grants are PostgreSQL's"),
]

ROLE = "koreplan_app_grants_test"


def _documented_grants() -> str:
    text = (Path(settings.BASE_DIR) / "docs" / "privacy.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- audit-grants:.*?-->\n```sql\n(.*?)```", text, re.S)
    assert block, "docs/privacy.md has lost its audit-grants block"
    return block.group(1).replace("koreplan_app", ROLE)


def _as_app(sql: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {ROLE}")
        cursor.execute(sql, params)


def test_the_application_role_appends_and_pseudonymises_but_cannot_change_or_remove():
    entry = audit_record(action="koreplan.case.viewed", client_id=7, case_id=4)
    with connection.cursor() as cursor:
        # CREATE ROLE is transactional: the test's rollback removes it again.
        cursor.execute(f"CREATE ROLE {ROLE}")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {ROLE}")
        cursor.execute(_documented_grants())

    for statement in (
        "UPDATE audit_auditentry SET action = 'x' WHERE id = %s",
        "UPDATE audit_auditentry SET hash = repeat('0', 64) WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="permission denied"):
            _as_app(statement, [entry.pk])
    with pytest.raises(DatabaseError, match="permission denied"):
        _as_app("TRUNCATE audit_auditentry")

    # What the application does: append, and pseudonymise through the maintenance path.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {ROLE}")
        audit_record(action="koreplan.test.as_app")
        assert audit_pseudonymise(before=datetime(2999, 1, 1, tzinfo=UTC)) == 2
        cursor.execute("RESET ROLE")

    entry.refresh_from_db()
    assert entry.client_id is None and entry.pseudonymised_at is not None
    assert AuditEntry.objects.filter(action="koreplan.audit.pseudonymised").exists()
    assert audit_chain_verify() is None
