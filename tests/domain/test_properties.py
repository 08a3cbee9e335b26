"""Invariants of the timeline, for any consistent facts (hypothesis)."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from koreplan.domain.calendar import Period
from koreplan.domain.facts import CaseType, Placement, parse_facts
from koreplan.domain.timeline import compute_timeline

TODAY = date(2026, 11, 24)
dates = st.dates(min_value=date(2015, 1, 1), max_value=date(2032, 12, 31))
maybe_bool = st.none() | st.booleans()


@st.composite
def case_facts(draw):
    case_type = draw(st.sampled_from(list(CaseType)))
    intake = draw(dates)
    months = draw(st.integers(min_value=0, max_value=12 * 12))
    days = draw(st.integers(min_value=0 if months else 1, max_value=60))
    sentence = Period(months=months, days=days)
    execution_start = intake + timedelta(days=draw(st.integers(0, 200))) if draw(st.booleans()) else intake
    release = sentence.after(execution_start)
    parole = None
    if draw(st.booleans()) and release > execution_start:
        parole = execution_start + timedelta(days=draw(st.integers(0, (release - execution_start).days)))
    supervision_start = intake + timedelta(days=draw(st.integers(0, 3000)))
    facts = {
        "case_type": case_type.value,
        "birth_date": (intake - timedelta(days=draw(st.integers(15 * 365, 70 * 365)))).isoformat(),
        "sentence": sentence.iso(),
        "intake_on": intake.isoformat(),
        "execution_started_on": execution_start.isoformat(),
        "remanded_until_execution_order": draw(maybe_bool),
        "release_on": release.isoformat(),
        "expected_parole_on": parole.isoformat() if parole else None,
        "placement": draw(st.none() | st.sampled_from([p.value for p in Placement])),
        "supervision_started_on": supervision_start.isoformat(),
        "supervision_ends_on": (
            (supervision_start + timedelta(days=draw(st.integers(0, 2000)))).isoformat() if draw(st.booleans()) else None
        ),
        "admitted_under_judgment": draw(maybe_bool),
        "needs_assistance": draw(maybe_bool),
        "housing_secured": draw(maybe_bool),
        "income_secured": draw(maybe_bool),
        "section_31_leave_possible": draw(maybe_bool),
    }
    return {k: v for k, v in facts.items() if v is not None}


def _timeline(raw):
    return compute_timeline(parse_facts(raw, today=TODAY), today=TODAY)


@settings(max_examples=400, deadline=None)
@given(case_facts())
def test_obligations_are_sorted_by_due_date_then_id(raw):
    obligations = _timeline(raw).obligations
    keys = [(o.due_on, o.id) for o in obligations]
    assert keys == sorted(keys)


@settings(max_examples=400, deadline=None)
@given(case_facts())
def test_no_due_date_before_its_phase_starts(raw):
    facts = parse_facts(raw, today=TODAY)
    for o in _timeline(raw).obligations:
        if facts.case_type in (CaseType.IMPRISONMENT, CaseType.REMAND_777):
            assert o.due_on >= min(facts.intake_on, facts.execution_start), o
        elif facts.case_type is CaseType.PAROLE_SUPERVISION:
            assert o.due_on >= (facts.supervision_started_on or facts.release_on), o
        else:
            assert o.due_on >= facts.supervision_started_on or o.due_on >= facts.execution_start, o


@settings(max_examples=400, deadline=None)
@given(case_facts())
def test_recurrences_strictly_increase_and_count_from_one(raw):
    series: dict[str, list] = {}
    for o in _timeline(raw).obligations:
        series.setdefault(o.id, []).append(o)
    for items in series.values():
        items.sort(key=lambda o: o.occurrence)
        assert [o.occurrence for o in items] == list(range(1, len(items) + 1))
        dues = [o.due_on for o in items]
        assert all(a < b for a, b in zip(dues, dues[1:]))


@settings(max_examples=200, deadline=None)
@given(case_facts())
def test_the_same_facts_always_give_the_same_timeline(raw):
    assert _timeline(dict(raw)) == _timeline(dict(raw))


@settings(max_examples=200, deadline=None)
@given(case_facts())
def test_the_asap_flag_means_the_date_was_moved_to_the_start(raw):
    facts = parse_facts(raw, today=TODAY)
    for o in _timeline(raw).obligations:
        if o.asap:
            assert o.due_on == facts.execution_start


@settings(max_examples=200, deadline=None)
@given(case_facts(), st.data())
def test_completing_an_evaluation_late_never_moves_the_next_one_earlier(raw, data):
    base = _timeline(raw)
    evaluations = [o for o in base.obligations if o.id == "plan_evaluation"]
    if not evaluations or raw["case_type"] != "imprisonment":
        return
    late = evaluations[0].due_on + timedelta(days=data.draw(st.integers(1, 40)))
    moved = _timeline({**raw, "completed": {"plan_evaluation": [late.isoformat()]}})
    after = [o for o in moved.obligations if o.id == "plan_evaluation"]
    if len(after) > 1 and len(evaluations) > 1:
        assert after[1].due_on >= evaluations[1].due_on
