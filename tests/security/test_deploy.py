"""`manage.py check --deploy` with production settings: what docs/operations.md
("Security settings") tells a deployment to set, and nothing more, passes with no warning;
the secure defaults come from DEBUG being off, not from the operator remembering them.

Each check runs in its own process, as a deployment starts, because settings are read
from the environment once, at import.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: What docs/operations.md says a production deployment sets (a fake, strong key).
PRODUCTION = {
    "DEBUG": "False",
    "SECRET_KEY": "k7Qz-3vLr9Xp_2mWc8NtYb4Hs6Jd1Fg5Ae0Ku7Ri9Oy3Tl2Vx8Zn4Bq6Cw1Ej5Gh7Mo0Ps",
    "ALLOWED_HOSTS": "koreplan.kriminalforsorgen.example",
    "CSRF_TRUSTED_ORIGINS": "https://koreplan.kriminalforsorgen.example",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION and not k.startswith(("SECURE_", "DJANGO_"))}
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_the_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
    assert "WARNING" not in result.stderr and "WARNINGS" not in result.stdout


def test_behind_a_tls_terminating_load_balancer_it_is_clean_too():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env={**PRODUCTION, "SECURE_PROXY_SSL_HEADER": "True", "SECURE_REDIRECT_EXEMPT": "^healthz$"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_check_fails_when_a_secure_default_is_turned_off():
    # The test above can fail: the same check with HSTS off warns and exits non-zero.
    result = manage("check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION, "SECURE_HSTS_SECONDS": "0"})
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_a_secret_key_or_allowed_hosts(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert f"{missing} must be set when DEBUG is off" in result.stderr


def test_production_settings_are_secure_by_default():
    script = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.LANGUAGE_COOKIE_SECURE)"
    )
    result = manage("shell", "-v", "0", "-c", script, env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "31536000", "True", "True", "True", "True", "True"]


def test_a_developers_laptop_keeps_plain_http():
    result = manage("shell", "-v", "0", "-c", "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)",
                    env={"DEBUG": "True"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "0"]
