"""The release rules as tables: the readiness signal, "released to the street", the
statuses an item may have, the release meeting's agenda and where meetings lie."""

from datetime import date

import pytest

from koreplan.domain.plan import AreaOfEffort, LifeArea
from koreplan.domain.release import (
    AT_RISK_DAYS,
    READINESS_FROM_DAYS,
    Housing,
    Level,
    MeetingKind,
    ReadinessItem,
    ReadinessStatus,
    StatusError,
    agenda_additions,
    check_status,
    meeting_agenda,
    readiness_signal,
    released_to_street,
    timing_note,
)

I, S = ReadinessItem, ReadinessStatus

ALL_IN_PLACE = {item: S.IN_PLACE for item in I}


def everything(**changes):
    """Every item in place, but those named."""
    statuses = dict(ALL_IN_PLACE)
    statuses.update({I(k): v for k, v in changes.items()})
    return statuses


# -- the signal ---------------------------------------------------------------------------------------

SIGNALS = [
    # (what the list says, days to release, level, Danish text)
    pytest.param({}, None, Level.NO_DATE, "Løsladelsesdato ukendt", id="no release date, nothing done"),
    pytest.param(ALL_IN_PLACE, None, Level.READY, "Klar", id="everything in place, no date: ready all the same"),
    pytest.param({}, 200, Level.NOT_YET, "Følges fra 3 måneder før løsladelsen", id="half a year out: not followed yet"),
    pytest.param({}, READINESS_FROM_DAYS + 1, Level.NOT_YET, "Følges fra 3 måneder før løsladelsen", id="a day before the window"),
    pytest.param(ALL_IN_PLACE, 200, Level.READY, "Klar", id="all in place early: ready"),
    pytest.param({}, READINESS_FROM_DAYS, Level.MISSING,
                 "Mangler: bolig, indkomst, job eller uddannelse, behandling, helbred, ID og digital adgang, netværk",
                 id="the window opens: everything missing"),
    pytest.param(everything(housing=S.NOT_STARTED, income=S.IN_PROGRESS), 60, Level.MISSING, "Mangler: bolig, indkomst",
                 id="two months out, housing and income missing"),
    pytest.param(everything(treatment=S.NOT_NEEDED, network=S.NOT_NEEDED), 60, Level.READY, "Klar",
                 id="not needed counts as done"),
    pytest.param(everything(health=S.IN_PROGRESS), 10, Level.MISSING, "Mangler: helbred",
                 id="close to release, only health missing: no street risk"),
    pytest.param(everything(housing=S.IN_PROGRESS), AT_RISK_DAYS + 1, Level.MISSING, "Mangler: bolig",
                 id="a day before four weeks: still only missing"),
    pytest.param(everything(housing=S.IN_PROGRESS), AT_RISK_DAYS, Level.AT_RISK,
                 "Risiko for løsladelse til gaden – mangler: bolig", id="four weeks out, no housing: risk"),
    pytest.param(everything(income=S.NOT_STARTED, network=S.IN_PROGRESS), 3, Level.AT_RISK,
                 "Risiko for løsladelse til gaden – mangler: indkomst, netværk", id="days out, no income: risk"),
    pytest.param(everything(housing=S.NOT_STARTED), 0, Level.AT_RISK,
                 "Risiko for løsladelse til gaden – mangler: bolig", id="release day, no housing"),
    pytest.param(everything(housing=S.NOT_STARTED), -5, Level.AT_RISK,
                 "Risiko for løsladelse til gaden – mangler: bolig", id="after release, no outcome recorded"),
    pytest.param(ALL_IN_PLACE, 0, Level.READY, "Klar", id="release day, all in place"),
]


@pytest.mark.parametrize("statuses, days, level, text_da", SIGNALS)
def test_the_readiness_signal(statuses, days, level, text_da):
    signal = readiness_signal(statuses, days)
    assert signal.level is level
    assert signal.text_da == text_da
    assert signal.days_to_release == days


def test_an_item_nobody_has_looked_at_is_not_started():
    assert readiness_signal({I.HOUSING: S.IN_PLACE}, 50).missing == tuple(i for i in I if i is not I.HOUSING)


def test_the_recorded_outcome_is_the_signal_once_the_client_is_out():
    assert readiness_signal({}, -3, released_to_street=True).level is Level.RELEASED_TO_STREET
    assert readiness_signal({}, -3, released_to_street=True).text_da == "Løsladt til gaden"
    released = readiness_signal({}, -3, released_to_street=False)
    assert released.level is Level.RELEASED and released.text_en == "Released with housing and income"


def test_the_words_in_english():
    signal = readiness_signal(everything(housing=S.NOT_STARTED, id_bank_digital=S.IN_PROGRESS), 10)
    assert signal.text_en == "Risk of release to the street – missing: housing, ID and digital access"
    assert signal.essential_missing == (I.HOUSING,)


def test_levels_order_a_worklist_worst_first():
    levels = sorted(Level, key=lambda level: level.severity)
    assert levels[:3] == [Level.RELEASED_TO_STREET, Level.AT_RISK, Level.MISSING]
    assert levels[-1] is Level.RELEASED


# -- released to the street ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "housing, income, street",
    [
        (Housing.OWN, True, False),
        (Housing.TEMPORARY, True, False),
        (Housing.SHELTER, True, False),  # a roof: counted apart, not as the street
        (Housing.NONE, True, True),
        (Housing.OWN, False, True),
        (Housing.SHELTER, False, True),
        (Housing.NONE, False, True),
        ("none", True, True),
    ],
)
def test_released_to_the_street_is_no_housing_or_no_income(housing, income, street):
    assert released_to_street(housing, income) is street


# -- statuses ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("item", [I.HOUSING, I.INCOME])
def test_housing_and_income_are_never_not_needed(item):
    with pytest.raises(StatusError) as error:
        check_status(item, S.NOT_NEEDED)
    assert error.value.code == "essential_needed"


@pytest.mark.parametrize("item", [I.TREATMENT, I.NETWORK, I.EMPLOYMENT_EDUCATION, I.HEALTH, I.ID_BANK_DIGITAL])
def test_other_items_may_be_not_needed(item):
    check_status(item, S.NOT_NEEDED)


def test_checks_belong_to_their_item():
    check_status(I.INCOME, S.IN_PROGRESS, {"availability_assessment": True, "advance_payment": False})
    with pytest.raises(StatusError) as error:
        check_status(I.HOUSING, S.IN_PLACE, {"advance_payment": True})
    assert error.value.code == "unknown_check"


# -- the agenda ---------------------------------------------------------------------------------------------


def area(key, life_area, title):
    return AreaOfEffort(key=key, life_area=life_area, title=title, justification="j", goal=f"Mål for {title}")


def test_the_agenda_is_the_plans_areas_first_then_the_areas_no_effort_covers():
    agenda = meeting_agenda([area("a2", LifeArea.HOUSING, "Egen bolig"), area("a1", LifeArea.SUBSTANCE_USE, "Behandling")])
    assert [(e.life_area, e.title, e.plan_area_key) for e in agenda[:2]] == [
        (LifeArea.HOUSING, "Egen bolig", "a2"), (LifeArea.SUBSTANCE_USE, "Behandling", "a1"),
    ]
    assert [e.life_area for e in agenda[2:]] == [
        LifeArea.HEALTH_PHYSICAL, LifeArea.HEALTH_MENTAL, LifeArea.EDUCATION_EMPLOYMENT, LifeArea.FINANCES,
        LifeArea.NETWORK, LifeArea.OTHER,
    ]
    assert agenda[0].goal == "Mål for Egen bolig"


def test_without_a_plan_the_agenda_is_every_area_of_step_8():
    assert len(meeting_agenda()) == len(LifeArea)


def test_bringing_the_agenda_up_to_date_adds_only_new_areas_of_effort():
    areas = [area("a1", LifeArea.HOUSING, "Bolig"), area("a2", LifeArea.FINANCES, "Gæld")]
    assert [e.plan_area_key for e in agenda_additions(areas, {"a1"})] == ["a2"]
    assert agenda_additions(areas, {"a1", "a2"}) == ()


# -- where meetings lie ---------------------------------------------------------------------------------------

RELEASE = date(2026, 12, 20)


@pytest.mark.parametrize(
    "kind, on, note",
    [
        (MeetingKind.RELEASE_MEETING, date(2026, 9, 20), None),
        (MeetingKind.RELEASE_MEETING, date(2026, 12, 21), "after_release"),
        (MeetingKind.RELEASE_DAY, RELEASE, None),
        (MeetingKind.RELEASE_DAY, date(2026, 12, 21), "not_release_day"),
        (MeetingKind.FOLLOW_UP, date(2027, 1, 17), None),
        (MeetingKind.FOLLOW_UP, date(2027, 1, 18), "later_than_four_weeks"),
        (MeetingKind.FOLLOW_UP, date(2026, 12, 19), "before_release"),
    ],
)
def test_a_meeting_where_gl_does_not_put_it_gets_a_note(kind, on, note):
    assert timing_note(kind, on, RELEASE) == note


def test_no_note_without_a_release_date():
    assert timing_note(MeetingKind.FOLLOW_UP, date(2030, 1, 1), None) is None
