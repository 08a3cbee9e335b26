#!/usr/bin/env python3
"""`make backup-check`: a backup is only a backup once it has been restored.

The round trip of docs/operations.md ("Backup and restore"), checked end to end on loopback:

1. a database `<prefix>_source`, migrated, with the demo (`manage.py demo`);
2. `pg_dump -Fc` of it into var/backup-check/;
3. `pg_restore` into a new database `<prefix>_restored`;
4. the comparison: the same tables with the same number of rows each, the same sequence
   positions (or new rows after a restore would collide with old ids), the audit chain
   intact in the restored copy (`koreplan.audit.selectors.audit_chain_verify`, which
   recomputes every entry's hash from the restored rows) and ending in the same newest hash;
5. both databases dropped (`--keep` keeps them).

Exit status 1 on any difference, 2 if a step of the round trip itself fails.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST, PORT, USER = "127.0.0.1", "5432", "postgres"
PG = ["-h", HOST, "-p", PORT, "-U", USER]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def url(database: str) -> str:
    return f"postgres://{USER}@{HOST}:{PORT}/{database}"


def psql(sql: str) -> None:
    subprocess.run(["psql", *PG, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True)


def manage(database: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url(database)}
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def inventory(database: str) -> dict:
    """Rows per table and each sequence's position, straight from PostgreSQL."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(host=HOST, port=PORT, user=USER, dbname=database) as conn:
        tables = [
            name for (name,) in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        ]
        rows = {
            table: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
            for table in tables
        }
        sequences = dict(
            conn.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1")
        )
    return {"rows": rows, "sequences": sequences}


def audit(database: str) -> dict:
    """The audit chain of `database`, verified by the product's own code in a child process
    (Django is set up once per process, for one database)."""
    code = (
        "import django, json; django.setup()\n"
        "from koreplan.audit.models import AuditEntry\n"
        "from koreplan.audit.selectors import audit_chain_verify\n"
        "broken = audit_chain_verify()\n"
        "newest = AuditEntry.objects.order_by('-id').first()\n"
        "print(json.dumps({'entries': AuditEntry.objects.count(), 'broken_at': broken.pk if broken else None,"
        " 'newest_hash': newest.hash if newest else None}))\n"
    )
    env = {**os.environ, "DATABASE_URL": url(database), "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run([str(BIN / "python"), "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def differences(source: dict, restored: dict) -> list[str]:
    """What differs between two inventories plus audit results (empty: the same)."""
    found = []
    for kind in ("rows", "sequences"):
        a, b = source[kind], restored[kind]
        for name in sorted(set(a) | set(b)):
            if a.get(name) != b.get(name):
                found.append(f"{kind} {name}: source {a.get(name)}, restored {b.get(name)}")
    if restored["audit"]["broken_at"] is not None:
        found.append(f"audit chain of the restored copy breaks at entry {restored['audit']['broken_at']}")
    if source["audit"]["broken_at"] is not None:
        found.append(f"audit chain of the source breaks at entry {source['audit']['broken_at']}")
    for key in ("entries", "newest_hash"):
        if source["audit"][key] != restored["audit"][key]:
            found.append(f"audit {key}: source {source['audit'][key]}, restored {restored['audit'][key]}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prefix", default="loadtest_backup", help="database names: <prefix>_source, <prefix>_restored")
    parser.add_argument("--keep", action="store_true", help="keep both databases and the dump")
    args = parser.parse_args(argv)
    source, restored = f"{args.prefix}_source", f"{args.prefix}_restored"
    out = ROOT / "var" / "backup-check"
    out.mkdir(parents=True, exist_ok=True)
    dump = out / f"{source}.dump"
    try:
        for database in (source, restored):
            psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        psql(f'CREATE DATABASE "{source}"')
        log(f"{source}: migrate and load the demo")
        manage(source, "migrate", "--no-input", "-v", "0")
        manage(source, "demo")
        log(f"pg_dump -Fc {source} -> {dump}")
        subprocess.run(["pg_dump", *PG, "-Fc", "-f", str(dump), source], check=True)
        log(f"dump: {dump.stat().st_size / 1e6:.1f} MB")
        psql(f'CREATE DATABASE "{restored}"')
        log(f"pg_restore {dump} -> {restored}")
        subprocess.run(["pg_restore", *PG, "--no-owner", "--exit-on-error", "-d", restored, str(dump)], check=True)
        a = {**inventory(source), "audit": audit(source)}
        b = {**inventory(restored), "audit": audit(restored)}
    except (subprocess.CalledProcessError, OSError) as error:
        log(f"the round trip failed: {error}")
        return 2
    finally:
        if not args.keep:
            for database in (source, restored):
                psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            dump.unlink(missing_ok=True)
    found = differences(a, b)
    log(
        f"{len(a['rows'])} tables, {sum(a['rows'].values())} rows, {len(a['sequences'])} sequences, "
        f"{a['audit']['entries']} audit entries (newest hash {a['audit']['newest_hash']}); dump {dump.name}"
    )
    if found:
        log("DIFFERENT after the round trip:")
        for line in found:
            print(f"  {line}")
        return 1
    log("restored copy is the same: rows per table, sequences, audit chain verified, same newest hash")
    return 0


if __name__ == "__main__":
    sys.exit(main())
