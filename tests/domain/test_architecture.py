"""The domain core never imports Django (the import-linter contract in pyproject.toml)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_domain_core_imports_no_django():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, env={**os.environ}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout


def test_the_domain_runs_without_django_installed_in_sys_modules():
    code = (
        "import sys\n"
        "import koreplan.domain.timeline, koreplan.domain.plan_holder, koreplan.cli\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_rules_page_is_generated_from_the_code():
    from koreplan.domain.rules.catalogue import render_markdown

    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == render_markdown(), (
        "docs/rules.md is out of date: run `.venv/bin/koreplan rules > docs/rules.md`"
    )


def test_every_obligation_has_a_due_rule_in_words():
    from koreplan.domain.rules.catalogue import DUE_RULES
    from koreplan.domain.rules.obligations import OBLIGATIONS

    assert set(DUE_RULES) == set(OBLIGATIONS)
