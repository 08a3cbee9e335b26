from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def behind_the_applications_back():
    """Tamper with the log as someone with a superuser's keys could: on PostgreSQL the
    enclosed statements run with triggers off (session_replication_role = replica, which
    only a superuser may set — the test database's role is one)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            yield
        finally:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = DEFAULT")
