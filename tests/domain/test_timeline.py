"""The rules one by one, named after the legal situation."""

from datetime import date

import pytest

from koreplan.domain.facts import FactsError, parse_facts
from koreplan.domain.rules.parameters import DEFAULT_PARAMETERS
from koreplan.domain.timeline import Status, compute_timeline

from .conftest import due, ids

ADULT = "1990-05-01"


def imprisonment(**facts):
    base = {
        "case_type": "imprisonment",
        "birth_date": ADULT,
        "sentence": "P2Y",
        "intake_on": "2026-01-05",
        "release_on": "2028-01-05",
        "housing_secured": True,
        "income_secured": True,
        "section_31_leave_possible": True,
    }
    base.update(facts)
    return {k: v for k, v in base.items() if v is not None}


def test_a_sentence_of_exactly_four_months_the_method_applies_the_legal_duty_does_not(timeline_of):
    t = timeline_of(imprisonment(sentence="P4M", release_on="2026-05-05"))
    assert t.plan_required is False
    assert t.roadmap_applies is True
    assert "first_plan" in ids(t)  # the method's steps are followed "uanset tidsrammer"


def test_a_sentence_just_over_four_months_carries_the_legal_duty(timeline_of):
    t = timeline_of(imprisonment(sentence="P4M1D", release_on="2026-05-06"))
    assert t.plan_required is True


def test_a_short_sentence_with_everything_secured_has_no_obligations(timeline_of):
    t = timeline_of(imprisonment(sentence="P3M", release_on="2026-04-05"))
    assert (t.plan_required, t.roadmap_applies) == (False, False)
    assert t.obligations == ()


@pytest.mark.parametrize(
    "change",
    [{"housing_secured": False}, {"income_secured": False}, {"expected_parole_on": "2026-03-20"}],
)
def test_a_short_sentence_is_covered_when_help_is_needed_after_release(timeline_of, change):
    t = timeline_of(imprisonment(sentence="P3M", release_on="2026-04-05", **change))
    assert t.plan_required and t.roadmap_applies


def test_unknown_housing_counts_as_not_secured_and_warns(timeline_of):
    t = timeline_of(imprisonment(sentence="P3M", release_on="2026-04-05", housing_secured=None))
    assert t.plan_required
    assert any(w.field == "housing_secured" for w in t.warnings)


def test_a_minor_at_intake_is_outside_the_method_but_the_legal_duty_holds(timeline_of):
    t = timeline_of(imprisonment(birth_date="2009-01-06"))
    assert t.roadmap_applies is False
    assert t.plan_required is True
    assert "first_plan" in ids(t)


def test_first_plan_four_weeks_after_intake(timeline_of):
    t = timeline_of(imprisonment())
    assert due(t, "first_plan") == date(2026, 2, 2)
    assert due(t, "obtain_case_files") == date(2026, 2, 2)
    assert due(t, "intake_interview") == date(2026, 1, 19)
    assert [str(c) for c in next(o for o in t.obligations if o.id == "first_plan").legal_basis] == [
        "cirk. § 5, stk. 1",
        "VEJ pkt. 40",
    ]


def test_remanded_until_the_execution_order_counts_from_execution(timeline_of):
    t = timeline_of(imprisonment(remanded_until_execution_order=True, execution_started_on="2026-03-01"))
    assert due(t, "first_plan") == date(2026, 3, 29)
    assert due(t, "intake_interview") == date(2026, 1, 19)  # the interview still follows the intake


def test_herstedvester_visitation_sets_the_first_plan(timeline_of):
    t = timeline_of(imprisonment(herstedvester_visitation_completed_on="2026-04-15"))
    assert due(t, "first_plan") == date(2026, 4, 15)


def test_at_a_pension_no_first_plan_and_evaluations_from_intake(timeline_of):
    t = timeline_of(imprisonment(placement="pension"))
    assert {"first_plan", "obtain_case_files"}.isdisjoint(ids(t))
    assert due(t, "plan_evaluation") == date(2026, 4, 5)


def test_municipality_contact_one_year_before_parole(timeline_of):
    t = timeline_of(imprisonment(sentence="P3Y", release_on="2029-01-05", expected_parole_on="2028-01-05"))
    assert due(t, "municipality_coordination") == date(2027, 1, 5)


def test_municipality_contact_four_weeks_after_start_when_less_than_a_year_remains(timeline_of):
    t = timeline_of(imprisonment(sentence="P1Y", release_on="2027-01-05", expected_parole_on="2026-09-05"))
    assert due(t, "municipality_coordination") == date(2026, 2, 2)


def test_a_local_agreement_moves_the_municipality_contact(timeline_of):
    local = DEFAULT_PARAMETERS.with_overrides(
        {"municipality_contact_before_parole": "P6M"}, agreement="Storstrøm Fængsel og Guldborgsund Kommune"
    )
    t = timeline_of(
        imprisonment(sentence="P3Y", release_on="2029-01-05", expected_parole_on="2028-01-05"), parameters=local
    )
    obligation = next(o for o in t.obligations if o.id == "municipality_coordination")
    assert obligation.due_on == date(2027, 7, 5)
    assert any("lokal aftale" in str(c) for c in obligation.legal_basis)


def test_as_soon_as_possible_when_the_release_meeting_falls_before_the_start(timeline_of):
    t = timeline_of(imprisonment(sentence="P2M", release_on="2026-03-05", housing_secured=False))
    meeting = next(o for o in t.obligations if o.id == "release_meeting")
    assert meeting.due_on == date(2026, 1, 5) and meeting.asap


def test_parole_expected_brings_kif_and_supervision(timeline_of):
    t = timeline_of(imprisonment(expected_parole_on="2027-05-05", supervision_ends_on="2028-01-05"))
    assert due(t, "involve_kif") == date(2027, 3, 10)
    assert due(t, "supervision_first_meeting") == date(2027, 5, 12)
    assert due(t, "supervision_plan") == date(2027, 5, 12)
    assert due(t, "kif_municipality_coordination") == date(2027, 6, 2)
    assert [o.due_on for o in t.obligations if o.id == "supervision_evaluation"] == [
        date(2027, 8, 12),
        date(2027, 11, 12),
    ]
    assert due(t, "status_at_supervision_end") == date(2028, 1, 5)
    assert "municipal_appointments_on_release_day" not in ids(t)


def test_release_at_full_term_brings_appointments_on_release_day(timeline_of):
    t = timeline_of(imprisonment())
    assert due(t, "municipal_appointments_on_release_day") == date(2027, 12, 8)
    assert {"involve_kif", "supervision_first_meeting"}.isdisjoint(ids(t))
    assert due(t, "follow_up_meeting_after_release") == date(2028, 2, 2)
    assert due(t, "status_at_release") == date(2028, 1, 5)


def test_evaluations_switch_from_six_to_three_months_when_two_years_remain(timeline_of):
    t = timeline_of(imprisonment(sentence="P4Y", release_on="2030-01-05"))
    evaluations = [o.due_on for o in t.obligations if o.id == "plan_evaluation"]
    # first plan 2026-02-02; T − 2 years = 2028-01-05
    assert evaluations[:5] == [
        date(2026, 8, 2),
        date(2027, 2, 2),
        date(2027, 8, 2),
        date(2028, 2, 2),  # min(2028-02-02, 2028-04-05)
        date(2028, 5, 2),
    ]
    assert evaluations[-1] < date(2030, 1, 5)


def test_a_completed_evaluation_moves_the_next_one(timeline_of):
    t = timeline_of(imprisonment(completed={"first_plan": "2026-01-25", "plan_evaluation": ["2026-04-01"]}))
    evaluations = [(o.occurrence, o.due_on, o.status) for o in t.obligations if o.id == "plan_evaluation"]
    assert evaluations[0] == (1, date(2026, 4, 25), Status.DONE)
    assert evaluations[1][1] == date(2026, 7, 1)


def test_status_is_relative_to_today(timeline_of):
    t = timeline_of(imprisonment(completed={"appoint_plan_responsible": "2026-01-05"}), today=date(2026, 1, 25))
    statuses = {o.id: o.status for o in t.obligations if o.occurrence == 1}
    assert statuses["appoint_plan_responsible"] is Status.DONE
    assert statuses["intake_interview"] is Status.OVERDUE
    assert statuses["first_plan"] is Status.DUE_SOON
    assert statuses["release_meeting"] is Status.UPCOMING


def test_non_working_days_are_flagged_not_moved(timeline_of):
    t = timeline_of(imprisonment(intake_on="2026-11-27", release_on="2028-11-27"))  # + 28 days = Christmas Day
    first_plan = next(o for o in t.obligations if o.id == "first_plan")
    assert first_plan.due_on == date(2026, 12, 25) and first_plan.non_working_day


def test_remand_777_has_only_the_plan_and_its_evaluations(timeline_of):
    t = timeline_of(
        {"case_type": "remand_777", "intake_on": "2026-01-05", "completed": {"plan_evaluation": ["2026-05-01"]}}
    )
    assert (t.plan_required, t.roadmap_applies, t.municipal_coordination_applies) == (True, False, False)
    assert [(o.id, o.occurrence, o.due_on) for o in t.obligations] == [
        ("first_plan", 1, date(2026, 2, 2)),
        ("plan_evaluation", 1, date(2026, 5, 2)),
        ("plan_evaluation", 2, date(2026, 8, 1)),
    ]


def test_parole_supervision_without_need_for_assistance_has_no_plan(timeline_of):
    t = timeline_of({"case_type": "parole_supervision", "release_on": "2026-01-05", "needs_assistance": False})
    assert t.plan_required is False and t.obligations == ()


def test_parole_supervision_case(timeline_of):
    t = timeline_of(
        {
            "case_type": "parole_supervision",
            "release_on": "2026-01-05",
            "supervision_started_on": "2026-01-09",
            "supervision_ends_on": "2026-10-01",
        }
    )
    assert [(o.id, o.due_on) for o in t.obligations] == [
        ("supervision_first_meeting", date(2026, 1, 9)),
        ("supervision_plan", date(2026, 1, 9)),
        ("kif_municipality_coordination", date(2026, 2, 6)),
        ("supervision_evaluation", date(2026, 4, 9)),
        ("supervision_evaluation", date(2026, 7, 9)),
        ("status_at_supervision_end", date(2026, 10, 1)),
    ]
    assert all(o.who == "kif" for o in t.obligations)


def test_conditional_sentence_with_supervision(timeline_of):
    t = timeline_of(
        {"case_type": "conditional_supervision", "supervision_started_on": "2026-01-10", "supervision_ends_on": "2026-12-31"}
    )
    assert due(t, "first_plan") == date(2026, 2, 7)
    assert due(t, "kif_municipality_coordination") == date(2026, 2, 7)
    assert [o.due_on for o in t.obligations if o.id == "supervision_evaluation"] == [
        date(2026, 5, 7),
        date(2026, 8, 7),
        date(2026, 11, 7),
    ]


def test_measure_68_69_admitted_under_judgment_leaves_the_municipality_to_the_chief_physician(timeline_of):
    facts = {
        "case_type": "measure_68_69",
        "supervision_started_on": "2026-01-10",
        "supervision_ends_on": "2027-12-31",
        "admitted_under_judgment": True,
    }
    t = timeline_of(facts)
    assert t.municipal_coordination_applies is False
    assert "kif_municipality_coordination" not in ids(t)
    assert [o.due_on for o in t.obligations if o.id == "supervision_evaluation"][:2] == [
        date(2026, 8, 7),
        date(2027, 2, 7),
    ]
    facts["admitted_under_judgment"] = False
    assert "kif_municipality_coordination" in ids(timeline_of(facts))


def test_youth_home_detention_is_assumed(timeline_of):
    t = timeline_of({"case_type": "youth_home_detention", "birth_date": "2010-03-01", "supervision_started_on": "2026-01-10"})
    assert [(o.id, o.due_on, o.assumed) for o in t.obligations] == [
        ("first_plan", date(2026, 2, 7), True),
        ("kif_municipality_coordination", date(2026, 2, 7), True),
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"release_on": "2025-12-31"}, "release_on"),
        ({"expected_parole_on": "2028-02-01"}, "expected_parole_on"),
        ({"birth_date": "2027-01-01"}, "birth_date"),
        ({"sentence": "P4X"}, "sentence"),
        ({"sentence": "4 months"}, "sentence"),
        ({"colour": "blue"}, "colour"),
        ({"housing_secured": "yes"}, "housing_secured"),
        ({"intake_on": "05-01-2026"}, "intake_on"),
        ({"intake_on": "2026-02-30"}, "intake_on"),
        ({"case_type": "probation"}, "case_type"),
        ({"completed": {"first_plan": ["2026-01-01", "2026-02-01"]}}, "completed.first_plan"),
        ({"completed": {"no_such": "2026-01-01"}}, "completed.no_such"),
    ],
)
def test_bad_facts_name_the_field(change, field):
    with pytest.raises(FactsError) as raised:
        parse_facts(imprisonment(**change), today=date(2026, 1, 1))
    assert raised.value.field == field


def test_missing_case_type_is_refused():
    with pytest.raises(FactsError) as raised:
        parse_facts({"intake_on": "2026-01-01"}, today=date(2026, 1, 1))
    assert raised.value.field == "case_type"


def test_values_in_force_are_chosen_by_the_date_of_the_legal_fact():
    from dataclasses import replace

    from koreplan.domain.calendar import weeks
    from koreplan.domain.rules.parameters import ParameterSet, ParameterValue

    law = DEFAULT_PARAMETERS["first_plan_within"]
    amended = replace(law, history=law.history + (ParameterValue(date(2027, 1, 1), weeks(3), law.history[0].citations),))
    parameters = ParameterSet({**DEFAULT_PARAMETERS.parameters, "first_plan_within": amended})
    today = date(2027, 6, 1)
    before = compute_timeline(parse_facts(imprisonment(), today=today), today=today, parameters=parameters)
    after = compute_timeline(
        parse_facts(imprisonment(intake_on="2027-01-04", release_on="2029-01-04"), today=today),
        today=today,
        parameters=parameters,
    )
    assert due(before, "first_plan") == date(2026, 2, 2)  # four weeks: the law at intake
    assert due(after, "first_plan") == date(2027, 1, 25)  # three weeks: the amended law
