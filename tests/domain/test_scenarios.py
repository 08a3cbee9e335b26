"""Scenario tests a lawyer can read: tests/domain/scenarios/*.yaml.

Each scenario names a legal situation, gives the case facts and the date that counts as
today, and lists the obligations the law and the method put on the case. The runner
compares them with the timeline on id, occurrence and due date, and on any other field
a scenario spells out.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from koreplan.domain.facts import FactsError, parse_facts
from koreplan.domain.timeline import compute_timeline

SCENARIO_DIR = Path(__file__).parent / "scenarios"


def _load() -> list:
    cases = []
    for path in sorted(SCENARIO_DIR.glob("*.yaml")):
        for scenario in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            cases.append(pytest.param(scenario, id=f"{path.stem}: {scenario['name']}"))
    return cases


def _plain(value):
    """YAML reads dates as dates; the facts arrive as JSON strings."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _expected(entry) -> dict:
    if isinstance(entry, list):
        obligation_id, occurrence, due_on = entry
        return {"id": obligation_id, "occurrence": occurrence, "due_on": due_on}
    return dict(entry)


def _matches(actual: dict, expected: dict) -> bool:
    return all(actual.get(key) == value for key, value in _plain(expected).items())


SCENARIOS = _load()


def test_there_are_scenarios():
    assert len(SCENARIOS) >= 20


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(scenario):
    today = scenario["today"]
    today = today if isinstance(today, date) else date.fromisoformat(today)
    facts = _plain(scenario["facts"])
    expect = scenario["expect"]

    if "error_field" in expect:
        with pytest.raises(FactsError) as raised:
            parse_facts(facts, today=today)
        # The error may name the field more precisely, e.g. completed.first_plan for completed.
        field = expect["error_field"]
        assert raised.value.field == field or raised.value.field.startswith(field + "."), raised.value
        return

    timeline = compute_timeline(parse_facts(facts, today=today), today=today).to_dict()
    for flag in (
        "plan_required", "roadmap_applies", "release_meeting_recommended",
        "municipal_coordination_applies", "expected_release_on",
    ):
        if flag in expect:
            assert timeline[flag] == _plain(expect[flag]), flag

    actual = timeline["obligations"]
    if "obligations" in expect:
        wanted = [_plain(_expected(e)) for e in expect["obligations"]]
        got = [{"id": o["id"], "occurrence": o["occurrence"], "due_on": o["due_on"]} for o in actual]
        assert got == [{k: w[k] for k in ("id", "occurrence", "due_on")} for w in wanted]
        for obligation, want in zip(actual, wanted):
            assert _matches(obligation, want), (obligation, want)
    for want in expect.get("obligations_include", []):
        want = _plain(_expected(want))
        assert any(_matches(o, want) for o in actual), f"missing {want}; got {[(o['id'], o['occurrence'], o['due_on']) for o in actual]}"
    for field in expect.get("warnings_mention", []):
        assert any(field in w for w in timeline["warnings"]), (field, timeline["warnings"])
