"""The ``koreplan timeline`` command as a user runs it: the installed console script."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

KOREPLAN = str(Path(sys.executable).with_name("koreplan"))
CASE = {
    "case_type": "imprisonment",
    "birth_date": "1990-05-01",
    "sentence": "P2Y",
    "intake_on": "2026-01-05",
    "expected_parole_on": "2027-05-05",
    "release_on": "2028-01-05",
    "housing_secured": True,
    "income_secured": False,
    "section_31_leave_possible": True,
}


def run(*args, stdin=None):
    return subprocess.run([KOREPLAN, *args], input=stdin, capture_output=True, text=True)


@pytest.fixture
def case_file(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE), encoding="utf-8")
    return path


def test_json_follows_the_contract(case_file):
    result = run("timeline", str(case_file), "--today", "2026-03-01", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == [
        "plan_required", "roadmap_applies", "release_meeting_recommended",
        "municipal_coordination_applies", "expected_release_on", "obligations", "warnings",
    ]
    first = next(o for o in data["obligations"] if o["id"] == "first_plan")
    assert first == {
        "id": "first_plan",
        "occurrence": 1,
        "who": "institution",
        "due_on": "2026-02-02",
        "asap": False,
        "assumed": False,
        "non_working_day": False,
        "status": "overdue",
        "completed_on": None,
        "step": "5",
        "legal_basis": ["cirk. § 5, stk. 1", "VEJ pkt. 40"],
        "title_da": "Første handleplan",
        "title_en": "First action plan",
    }
    assert data["expected_release_on"] == "2027-05-05"


def test_json_is_the_default_when_not_on_a_terminal(case_file):
    result = run("timeline", str(case_file), "--today", "2026-03-01")
    assert json.loads(result.stdout)["plan_required"] is True


def test_the_table_reads_like_a_worklist(case_file):
    result = run("timeline", str(case_file), "--today", "2026-03-01", "--format", "table", "--lang", "da")
    assert result.returncode == 0
    assert "Første handleplan" in result.stdout
    assert "cirk. § 5, stk. 1" in result.stdout
    assert "overskredet" in result.stdout
    english = run("timeline", str(case_file), "--today", "2026-03-01", "--format", "table", "--lang", "en")
    assert "First action plan" in english.stdout and "overdue" in english.stdout


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"release_on": "2025-01-01"}, "release_on"),
        ({"expected_parole_on": "2029-01-01"}, "expected_parole_on"),
        ({"birth_date": "2030-01-01"}, "birth_date"),
        ({"sentence": "P4X"}, "sentence"),
        ({"unknown": 1}, "unknown"),
        ({"income_secured": "no"}, "income_secured"),
    ],
)
def test_bad_facts_exit_2_with_one_line_naming_the_field(tmp_path, change, field):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**CASE, **change}), encoding="utf-8")
    result = run("timeline", str(path), "--today", "2026-03-01")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and field in lines[0]


def test_a_missing_file_exits_2(tmp_path):
    result = run("timeline", str(tmp_path / "nope.json"))
    assert result.returncode == 2 and "no such file" in result.stderr


def test_a_file_that_is_not_json_exits_2(tmp_path):
    path = tmp_path / "case.json"
    path.write_text("{not json", encoding="utf-8")
    result = run("timeline", str(path))
    assert result.returncode == 2 and "not valid JSON" in result.stderr


def test_a_bad_today_exits_2(case_file):
    result = run("timeline", str(case_file), "--today", "tomorrow")
    assert result.returncode == 2 and "--today" in result.stderr


def test_a_local_agreement_override(case_file):
    result = run(
        "timeline", str(case_file), "--today", "2026-03-01",
        "--override", "municipality_contact_before_parole=P6M", "--agreement", "Lokal aftale 2026",
    )
    data = json.loads(result.stdout)
    contact = next(o for o in data["obligations"] if o["id"] == "municipality_coordination")
    assert contact["due_on"] == "2026-11-05"
    assert "lokal aftale, Lokal aftale 2026" in contact["legal_basis"]
    bad = run("timeline", str(case_file), "--override", "no_such=P1M")
    assert bad.returncode == 2 and "no_such" in bad.stderr


def test_standard_input(case_file):
    result = run("timeline", "-", "--today", "2026-03-01", stdin=case_file.read_text())
    assert result.returncode == 0 and json.loads(result.stdout)["obligations"]
