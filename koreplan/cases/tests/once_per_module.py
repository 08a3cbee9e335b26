"""For module-scoped fixtures that build a large world once (the demo) for many tests."""

from contextlib import contextmanager
from datetime import date

import time_machine
from django.db import transaction
from django.test import override_settings


@contextmanager
def rolled_back_world(django_db_blocker, *, today: date):
    """The database open to a module-scoped fixture, the clock on ``today``, the suite's fast
    password hashing (conftest.py), and one transaction rolled back when the module is done."""
    with (
        django_db_blocker.unblock(),
        time_machine.travel(today, tick=False),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        try:
            yield
        finally:
            transaction.set_rollback(True)
