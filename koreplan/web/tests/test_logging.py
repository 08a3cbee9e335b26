"""A server error is logged with its traceback when DEBUG is off, as in production."""

import subprocess
import sys

from django.conf import settings


def test_a_server_error_is_logged_with_debug_off():
    script = (
        "import django, logging;"
        "django.setup();"
        "from django.test import RequestFactory;"
        "from django.core.handlers.exception import response_for_exception;"
        "request = RequestFactory().get('/boom/');"
        "response_for_exception(request, RuntimeError('kaboom'))"
    )
    env = {"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "testserver",
           "DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=60)
    assert "Internal Server Error: /boom/" in result.stderr
    assert "RuntimeError: kaboom" in result.stderr
