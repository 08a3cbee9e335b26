"""On PostgreSQL, audit rows cannot be changed or deleted — by any role, the owner too.

A trigger raises on DELETE, and on UPDATE unless the transaction has set
`koreplan.audit_maintenance` to 'on' (SET LOCAL, done only by the pseudonymisation in
koreplan/audit/services.py). Even then it allows only pseudonymisation: the personal-data
columns may change, a row is pseudonymised once, and every other column — the hashes,
the digest, time, action, actor — must stay as it was. Columns added later are protected
by default (the check compares the whole row minus the listed ones).

TRUNCATE is not covered: Django's test runner empties tables with it; deployments revoke
it from the application role (docs/privacy.md). SQLite has no such guard; the ORM refuses
instead, and `manage.py audit verify` finds what changed behind its back.
"""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION koreplan_audit_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    personal text[] := ARRAY['case_id', 'client_id', 'ip_address', 'user_agent', 'purpose', 'data',
                             'personal_salt', 'pseudonymised_at', 'client_pseudonym', 'case_pseudonym'];
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit entries are never deleted (entry %)', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF coalesce(current_setting('koreplan.audit_maintenance', true), '') <> 'on' THEN
        RAISE EXCEPTION 'audit entries are never changed (entry %); only pseudonymisation may, see docs/privacy.md', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (to_jsonb(NEW) - personal) IS DISTINCT FROM (to_jsonb(OLD) - personal) THEN
        RAISE EXCEPTION 'pseudonymisation changes only personal data, never the hashes (entry %)', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.pseudonymised_at IS NOT NULL OR NEW.pseudonymised_at IS NULL OR NEW.personal_salt <> '' THEN
        RAISE EXCEPTION 'an entry is pseudonymised once, with its salt erased (entry %)', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
"""

TRIGGER = """
CREATE TRIGGER audit_auditentry_append_only
BEFORE UPDATE OR DELETE ON audit_auditentry
FOR EACH ROW EXECUTE FUNCTION koreplan_audit_guard();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS koreplan_audit_guard();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)
        schema_editor.execute(TRIGGER, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_personal_digest"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
