"""Writing hundreds of thousands of rows fast: COPY on PostgreSQL, batched inserts elsewhere.

Why not ``bulk_create``: for the national data (about three million tasks and as many
audit entries) building a model instance per row and preparing every field of it costs
more than the rest of the generation together. The generator produces plain tuples in
column order instead, and :class:`BulkWriter` sends them with PostgreSQL's COPY (psycopg
3) or, on SQLite and others, ``executemany`` of one parameterised INSERT in batches of
``batch_size`` rows. Columns the generator does not give (added by a later migration,
say) are filled with the field's default, so a new column with a default does not break
generation.

Ids are allocated here, not by the database, so that child rows can name their parent
without reading it back; the writer takes the tables' write lock first (PostgreSQL:
``LOCK TABLE … IN SHARE ROW EXCLUSIVE MODE``; SQLite's IMMEDIATE transaction already
holds the database's) and moves the id sequences past what it wrote at the end.
Everything runs inside the caller's transaction.

**Foreign keys on PostgreSQL.** Django's foreign keys are deferred constraints: checked
row by row, by a trigger, at commit — for millions of rows that is minutes of work and a
long queue of pending checks in memory. Where the role may (a superuser, or one granted
``SET`` on the parameter), the writer turns the per-row triggers off for its transaction
(``SET LOCAL session_replication_role = replica``, as ``pg_restore --disable-triggers``
does) and instead checks every foreign key of every row it wrote at the end, set-wise,
one anti-join per key (:meth:`BulkWriter.verify_foreign_keys`): a dangling reference
aborts the transaction as the constraint would have. Where the role may not, the
constraints are checked at commit as usual. On SQLite the constraints always stay on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, IntegrityError, models
from django.db import connection as default_connection


class Json(str):
    """A value already serialised as JSON text (for a JSONField column)."""

    __slots__ = ()


_ENCODER = DjangoJSONEncoder(ensure_ascii=False)


def as_json(value: Any) -> Json:
    return Json(_ENCODER.encode(value))


class Table:
    """One table being filled: its columns, the next id, and a buffer of rows."""

    def __init__(self, writer: BulkWriter, model: type[models.Model], fields: Sequence[str]):
        self.writer = writer
        self.model = model
        self.db_table = model._meta.db_table
        opts = model._meta
        given = [opts.get_field(name) for name in fields]
        self.with_id = given[0].primary_key
        missing = [
            f for f in opts.concrete_fields
            if f not in given and not f.primary_key
        ]
        self.defaults: tuple[Any, ...] = tuple(self._default(f, writer.connection) for f in missing)
        # A default made per row (a uuid, say) must differ between rows.
        self.factories = [
            (i, lambda f=f: f.get_db_prep_save(f.default(), writer.connection)) for i, f in enumerate(missing)
            if f.has_default() and callable(f.default) and f.default not in (dict, list)
        ]
        self.fields = [*given, *missing]
        self.columns = [f.column for f in self.fields]
        # Per-column conversions SQLite needs (PostgreSQL's COPY takes the Python values).
        self.sqlite = writer.connection.vendor == "sqlite"
        self.adapters: list[tuple[int, Any]] = []
        if self.sqlite:
            for i, f in enumerate(self.fields):
                kind = f.get_internal_type()
                if kind == "DateTimeField":
                    self.adapters.append((i, _sqlite_datetime))
                elif kind == "DateField":
                    self.adapters.append((i, _sqlite_date))
        self.next_id = writer.next_id(model) if self.with_id else None
        self.first_id = self.next_id
        self.rows: list[tuple] = []
        self.written = 0

    @staticmethod
    def _default(field: models.Field, connection) -> Any:
        if field.null and not field.has_default():
            return None
        value = field.get_default()
        if field.get_internal_type() == "JSONField":
            return as_json(value)
        return field.get_db_prep_save(value, connection)

    def allocate(self) -> int:
        value = self.next_id
        self.next_id += 1
        return value

    def add(self, row: tuple) -> None:
        if self.factories:
            defaults = list(self.defaults)
            for i, factory in self.factories:
                defaults[i] = factory()
            row += tuple(defaults)
        elif self.defaults:
            row += self.defaults
        self.rows.append(row)
        if len(self.rows) >= self.writer.batch_size:
            self.flush()

    def extend(self, rows: Iterable[tuple]) -> None:
        for row in rows:
            self.add(row)

    def flush(self) -> None:
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        if self.adapters:
            adapters = self.adapters
            converted = []
            for row in rows:
                row = list(row)
                for i, adapt in adapters:
                    if row[i] is not None:
                        row[i] = adapt(row[i])
                converted.append(row)
            rows = converted
        self.writer.send(self, rows)
        self.written += len(rows)


def _sqlite_datetime(value: datetime) -> str:
    # As Django's SQLite backend stores an aware datetime: naive, in UTC.
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return str(value.replace(tzinfo=None))


def _sqlite_date(value: date) -> str:
    return value.isoformat()


class BulkWriter:
    def __init__(self, *, connection=None, batch_size: int = 5000):
        self.connection = connection or default_connection
        self.batch_size = batch_size
        self.postgresql = self.connection.vendor == "postgresql"
        self.tables: dict[type[models.Model], Table] = {}
        self.triggers_off = False
        if self.postgresql:
            self.triggers_off = self._replica_role()
        if self.connection.vendor == "sqlite":
            # A large page cache for this connection: the whole run is one transaction, and
            # SQLite's default 2 MB cache would spill pages to disk over and over.
            with self.connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -1000000")  # KiB: about 1 GB

    def _replica_role(self) -> bool:
        with self.connection.cursor() as cursor:
            cursor.execute("SAVEPOINT koreplan_replica_role")
            try:
                cursor.execute("SET LOCAL session_replication_role = replica")
            except DatabaseError:  # permission denied: keep the constraints' own checks
                cursor.execute("ROLLBACK TO SAVEPOINT koreplan_replica_role")
                return False
            cursor.execute("RELEASE SAVEPOINT koreplan_replica_role")
        return True

    def table(self, model: type[models.Model], fields: Sequence[str]) -> Table:
        if model in self.tables:
            raise ValueError(f"{model.__name__} is already open")
        if self.postgresql:
            with self.connection.cursor() as cursor:
                cursor.execute(f'LOCK TABLE "{model._meta.db_table}" IN SHARE ROW EXCLUSIVE MODE')
        table = Table(self, model, fields)
        self.tables[model] = table
        return table

    def next_id(self, model: type[models.Model]) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f'SELECT MAX("{model._meta.pk.column}") FROM "{model._meta.db_table}"')
            (last,) = cursor.fetchone()
        return (last or 0) + 1

    def send(self, table: Table, rows: list) -> None:
        columns = ", ".join(f'"{c}"' for c in table.columns)
        with self.connection.cursor() as cursor:
            if self.postgresql:
                raw = cursor.cursor  # the psycopg cursor under Django's wrapper
                with raw.copy(f'COPY "{table.db_table}" ({columns}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(table.columns))
                cursor.executemany(f'INSERT INTO "{table.db_table}" ({columns}) VALUES ({marks})', rows)

    def flush(self) -> None:
        for table in self.tables.values():
            table.flush()

    def verify_foreign_keys(self) -> None:
        """Every foreign key of every row written resolves (one anti-join per key)."""
        with self.connection.cursor() as cursor:
            for table in self.tables.values():
                if not table.written or table.first_id is None:
                    continue
                for f in table.model._meta.concrete_fields:
                    if not f.is_relation or not f.db_constraint:
                        continue
                    parent = f.related_model._meta
                    target = parent.get_field(f.target_field.name).column
                    cursor.execute(
                        f'SELECT COUNT(*) FROM "{table.db_table}" c WHERE c."{table.model._meta.pk.column}" >= %s '
                        f'AND c."{f.column}" IS NOT NULL AND NOT EXISTS '
                        f'(SELECT 1 FROM "{parent.db_table}" p WHERE p."{target}" = c."{f.column}")',
                        [table.first_id],
                    )
                    (dangling,) = cursor.fetchone()
                    if dangling:
                        raise IntegrityError(
                            f"{dangling} rows of {table.db_table}.{f.column} name a missing {parent.db_table} row."
                        )

    def analyze(self) -> None:
        """Fresh planner statistics for the tables written (call after commit)."""
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "sqlite":
                # A full ANALYZE reads every row of every index: at national scale that is
                # tens of minutes on SQLite. A sample of each index (SQLite ≥ 3.32) gives
                # the planner the same choices in seconds.
                cursor.execute("PRAGMA analysis_limit = 1000")
            for table in self.tables.values():
                cursor.execute(f'ANALYZE "{table.db_table}"')

    def finish(self) -> dict[str, int]:
        """Write what is buffered, check the foreign keys if their triggers were off, and
        move the id sequences on; returns rows per table."""
        self.flush()
        if self.triggers_off:
            self.verify_foreign_keys()
            with self.connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")
        if self.postgresql:
            statements = self.connection.ops.sequence_reset_sql(no_style(), list(self.tables))
            with self.connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
        return {table.model._meta.label: table.written for table in self.tables.values()}
