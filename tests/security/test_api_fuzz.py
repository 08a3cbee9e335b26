"""The API answers whatever it is sent without a server error.

schemathesis generates requests for every operation of the OpenAPI schema — valid ones and
ones that break the schema — and sends them to the WSGI application with Susanne's bearer
token. The ids in the path are the world's (conftest.py), so the bodies reach real objects:
the plan, the meeting, the consent, the notice; with made-up ids nearly everything would
stop at a 404. Only ``not_a_server_error`` is checked: the access matrix checks who gets what.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from config.wsgi import application
from koreplan.api.services import api_token_create

pytestmark = pytest.mark.django_db

#: Examples per operation and mode: 57 operations × 2 modes × this, in well under a minute.
EXAMPLES = 8


@pytest.fixture
def connection_kept_between_requests():
    """The WSGI handler closes the database connection after each request; inside a test's
    transaction that would end the test's connection (on PostgreSQL). Django's test client
    switches this off the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_no_request_makes_a_server_error(world, socialraadgiver, settings, connection_kept_between_requests):
    settings.ALLOWED_HOSTS = ["localhost"]  # the host schemathesis's WSGI requests name
    _token, plaintext = api_token_create(user=socialraadgiver, name="schemathesis")
    headers = {"Authorization": f"Bearer {plaintext}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        path_ids = {
            parameter.name: world.ids[parameter.name]
            for parameter in operation.iter_parameters()
            if parameter.location == "path" and parameter.name in world.ids
        }
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_ids or None)

            @given(case=strategy)
            @hypothesis_settings(
                max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def call(case):
                case.call_and_validate(headers=headers, checks=[not_a_server_error])

            try:
                call()
            except Exception as error:  # noqa: BLE001 — collect every operation's failure, then fail
                failures.append(f"{operation.label} ({mode.value}): {error}")
    assert operations > 50, "the schema's operations were not found"
    assert not failures, "\n\n".join(failures)
