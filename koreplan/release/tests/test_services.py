"""The release's services: meetings complete their tasks, the readiness list keeps its
rules, "released to the street" is derived, KIF's involvement opens the case to KIF —
and every write is audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from koreplan.audit.models import AuditEntry
from koreplan.cases import selectors as case_selectors
from koreplan.cases.models import CaseParticipation, Handover
from koreplan.cases.services import handover_accept, handover_request
from koreplan.domain.release import Level
from koreplan.plans.tests.factories import written_plan
from koreplan.release import selectors, services
from koreplan.release.models import Meeting, Party, ReadinessItem, ReleaseOutcome

from .conftest import PAROLE, RELEASE, TODAY, at

pytestmark = pytest.mark.django_db

CLIENT = services.ParticipantData(Party.CLIENT, "Jens Hansen")


def open_task(case, obligation_id):
    return case.tasks.get(obligation_id=obligation_id)


def actions(case) -> list[str]:
    return list(AuditEntry.objects.filter(case_id=case.pk).order_by("id").values_list("action", flat=True))


def release_meeting(actor, case, **changes):
    values = dict(
        kind=Meeting.Kind.RELEASE_MEETING, starts_at=at(TODAY + timedelta(days=2), 10),
        ends_at=at(TODAY + timedelta(days=2), 11), form="phone", participants=[CLIENT],
    )
    values.update(changes)
    return services.meeting_create(actor=actor, case=case, **values)


# -- the release meeting (step 8) ----------------------------------------------------------------------


def test_holding_the_release_meeting_completes_its_task(socialraadgiver, kif_afdeling, sag):
    meeting = release_meeting(socialraadgiver, sag, starts_at=at(TODAY, 8), ends_at=at(TODAY, 9))
    assert open_task(sag, "release_meeting").completed_on is None
    held = services.meeting_hold(
        actor=socialraadgiver, meeting=meeting, revision=meeting.revision, held_on=TODAY,
        attended=[p.pk for p in meeting.participants.all()], plan_holder_after=sag.holding_organisation,
        plan_holder_after_name="Susanne Holm", municipal_follow_up="Jobcentret ringer ugen efter løsladelsen.",
        follow_up_called_by=Party.MUNICIPALITY, follow_up_called_by_name="Jonas Krog",
    )
    task = open_task(sag, "release_meeting")
    assert task.completed_on == TODAY and task.completed_by == socialraadgiver
    assert "Løsladelsesmøde" in task.evidence or "Release meeting" in task.evidence
    assert held.status == Meeting.Status.HELD and held.task == task
    assert held.participants.get().attended is True
    assert actions(sag)[-3:] == ["koreplan.release.meeting_planned", "koreplan.task.completed", "koreplan.release.meeting_held"]


def test_a_release_meeting_must_agree_on_the_three_things_gl_asks(socialraadgiver, sag):
    meeting = release_meeting(socialraadgiver, sag)
    with pytest.raises(ValidationError) as error:
        services.meeting_hold(actor=socialraadgiver, meeting=meeting, held_on=TODAY)
    assert set(error.value.message_dict) == {"plan_holder_after", "municipal_follow_up", "follow_up_called_by"}
    assert open_task(sag, "release_meeting").completed_on is None


def test_a_meeting_is_not_held_in_the_future(socialraadgiver, sag):
    meeting = release_meeting(socialraadgiver, sag)
    with pytest.raises(ValidationError) as error:
        services.meeting_hold(
            actor=socialraadgiver, meeting=meeting, held_on=TODAY + timedelta(days=1), plan_holder_after=sag.holding_organisation,
            municipal_follow_up="x", follow_up_called_by=Party.INSTITUTION,
        )
    assert "held_on" in error.value.message_dict


def test_the_agenda_is_made_from_the_plans_areas_of_effort(socialraadgiver, sag):
    written_plan(actor=socialraadgiver, case=sag, held_on=TODAY)
    meeting = release_meeting(socialraadgiver, sag)
    items = list(meeting.agenda_items.all())
    assert items[0].title == "Bolig efter løsladelsen" and items[0].life_area == "housing" and items[0].plan_area_key
    assert [i.life_area for i in items[1:]] == [
        "health_physical", "health_mental", "education_employment", "finances", "network", "substance_use", "other",
    ]
    agreement = services.agreement_add(
        actor=socialraadgiver, item=items[0], who="Jonas Krog, jobcentret", what="Boligstøtte søges", when="1. december"
    )
    assert agreement.item == items[0]
    assert "koreplan.release.agreement_added" in actions(sag)
    assert services.agenda_update_from_plan(actor=socialraadgiver, meeting=meeting) == []


def test_one_release_meeting_per_case_until_it_is_cancelled(socialraadgiver, sag):
    meeting = release_meeting(socialraadgiver, sag)
    with pytest.raises(ValidationError):
        release_meeting(socialraadgiver, sag)
    services.meeting_cancel(actor=socialraadgiver, meeting=meeting, reason="Klienten er syg.")
    again = release_meeting(socialraadgiver, sag)
    assert again.pk != meeting.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(
            case=sag, kind=Meeting.Kind.RELEASE_MEETING, starts_at=again.starts_at, ends_at=again.ends_at,
            created_by=socialraadgiver, updated_by=socialraadgiver,
        )


def test_a_change_from_an_old_revision_is_refused(socialraadgiver, kollega, sag):
    meeting = release_meeting(socialraadgiver, sag)
    services.meeting_update(actor=kollega, meeting=meeting, revision=1, changes={"location": "Lokale 2"})
    with pytest.raises(services.StaleRevision):
        services.meeting_update(actor=socialraadgiver, meeting=meeting, revision=1, changes={"location": "Lokale 3"})
    assert Meeting.objects.get(pk=meeting.pk).location == "Lokale 2"


def test_a_meeting_ends_after_it_starts(socialraadgiver, sag):
    with pytest.raises(ValidationError) as error:
        release_meeting(socialraadgiver, sag, ends_at=at(TODAY + timedelta(days=2), 9))
    assert "ends_at" in error.value.message_dict


def test_only_the_holder_plans_meetings(kif, fremmed, sag):
    for person in (kif, fremmed):
        with pytest.raises(PermissionDenied):
            release_meeting(person, sag)


# -- release day (9A) and the follow-up ----------------------------------------------------------------------


def test_recording_an_appointment_on_release_day_completes_step_9a(socialraadgiver, ydelse, sag):
    assert open_task(sag, "municipal_appointments_on_release_day").completed_on is None
    appointment = services.meeting_create(
        actor=socialraadgiver, case=sag, kind=Meeting.Kind.RELEASE_DAY, starts_at=at(RELEASE, 10),
        ends_at=at(RELEASE, 10, 30), department=ydelse, purpose=Meeting.Purpose.ADVANCE_PAYMENT,
        location="Parkvej 37, Nykøbing F.", participants=[CLIENT],
    )
    task = open_task(sag, "municipal_appointments_on_release_day")
    assert task.completed_on == TODAY and appointment.task == task
    assert appointment.municipality == sag.client.acting_municipality
    # A second appointment is recorded too; the task is already done.
    services.meeting_create(
        actor=socialraadgiver, case=sag, kind=Meeting.Kind.RELEASE_DAY, starts_at=at(RELEASE, 13),
        ends_at=at(RELEASE, 14), purpose=Meeting.Purpose.ADDICTION_CENTRE,
    )
    assert sag.release_meetings.filter(kind=Meeting.Kind.RELEASE_DAY).count() == 2


def test_an_appointment_says_what_it_is_for_and_where(socialraadgiver, sag, horsens):
    from koreplan.organisations.tests.factories import MunicipalDepartmentFactory

    elsewhere = MunicipalDepartmentFactory(municipality=horsens)
    with pytest.raises(ValidationError) as error:
        services.meeting_create(
            actor=socialraadgiver, case=sag, kind=Meeting.Kind.RELEASE_DAY, starts_at=at(RELEASE, 10),
            ends_at=at(RELEASE, 11), department=elsewhere,
        )
    assert set(error.value.message_dict) == {"purpose", "department"}


def test_holding_the_follow_up_meeting_completes_its_task(socialraadgiver, sag):
    follow_up = services.meeting_create(
        actor=socialraadgiver, case=sag, kind=Meeting.Kind.FOLLOW_UP, starts_at=at(TODAY, 8), ends_at=at(TODAY, 9),
        participants=[CLIENT],
    )
    services.meeting_hold(actor=socialraadgiver, meeting=follow_up, held_on=TODAY)
    assert open_task(sag, "follow_up_meeting_after_release").completed_on == TODAY


# -- "ingen løslades til gaden" --------------------------------------------------------------------------------


def test_readiness_items_and_the_signal(socialraadgiver, ydelse, sag):
    assert selectors.case_release_signal(case=sag).level is Level.AT_RISK  # 26 days out, nothing done
    for item in ReadinessItem.Item.values:
        services.readiness_item_set(actor=socialraadgiver, case=sag, item=item, status="in_place")
    assert selectors.case_release_signal(case=sag).level is Level.READY
    row = services.readiness_item_set(
        actor=socialraadgiver, case=sag, item="income", status="in_progress", department=ydelse,
        checks={"availability_assessment": True},
    )
    assert row.responsible_organisation == sag.client.acting_municipality
    assert row.checks == {"availability_assessment": True, "advance_payment": False}
    signal = selectors.case_release_signal(case=sag)
    assert signal.level is Level.AT_RISK and signal.text_da == "Risiko for løsladelse til gaden – mangler: indkomst"
    audit = AuditEntry.objects.filter(action="koreplan.release.readiness_updated").order_by("id").last()
    assert audit.data["previous_status"] == "in_place" and audit.data["status"] == "in_progress"


def test_housing_is_never_not_needed(socialraadgiver, sag):
    with pytest.raises(ValidationError) as error:
        services.readiness_item_set(actor=socialraadgiver, case=sag, item="housing", status="not_needed")
    assert "status" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.readiness_item_set(actor=socialraadgiver, case=sag, item="housing", status="in_place", checks={"bank": True})
    assert "checks" in error.value.message_dict


def test_the_suggested_responsible_is_the_municipalitys_department(socialraadgiver, sag, misbrugscenter):
    rows = {r.item: r for r in selectors.readiness_rows(case=sag)}
    assert rows["treatment"].department == misbrugscenter and rows["treatment"].row is None
    assert rows["health"].responsible_organisation == sag.holding_organisation


# -- the outcome -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "housing, income, street",
    [("own", True, False), ("shelter", True, False), ("none", True, True), ("temporary", False, True)],
)
def test_released_to_the_street_is_derived_and_stored(socialraadgiver, sag, housing, income, street):
    outcome = services.outcome_record(
        actor=socialraadgiver, case=sag, moment="at_release", recorded_on=TODAY, housing=housing,
        income_from_day_one=income, employment_or_education=False, treatment="not_needed",
    )
    assert outcome.released_to_street is street
    assert ReleaseOutcome.objects.get(pk=outcome.pk).released_to_street is street
    assert selectors.case_release_signal(case=sag).level is (Level.RELEASED_TO_STREET if street else Level.RELEASED)


def test_the_database_refuses_a_street_flag_that_disagrees(socialraadgiver, sag):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReleaseOutcome.objects.create(
            case=sag, moment="at_release", recorded_on=TODAY, housing="none", income_from_day_one=True,
            employment_or_education=False, treatment="started", released_to_street=False, recorded_by=socialraadgiver,
        )


def test_a_second_outcome_corrects_the_first(socialraadgiver, sag):
    args = dict(actor=socialraadgiver, case=sag, moment="after_four_weeks", recorded_on=TODAY,
                employment_or_education=True, treatment="started")
    services.outcome_record(housing="none", income_from_day_one=True, **args)
    services.outcome_record(housing="own", income_from_day_one=True, **args)
    assert sag.release_outcomes.get().released_to_street is False
    assert AuditEntry.objects.filter(action="koreplan.release.outcome_recorded").order_by("id").last().data["corrected"] is True


# -- KIF (step 9) ----------------------------------------------------------------------------------------------


def test_involving_kif_lets_kif_see_the_case_and_completes_the_task(socialraadgiver, kif, kif_afdeling, proeve):
    assert not case_selectors.cases_visible_to(user=kif).filter(pk=proeve.pk).exists()
    involvement = services.kif_involve(
        actor=socialraadgiver, case=proeve, kif=kif_afdeling, officer=kif, involved_on=TODAY, note="Aftalt overdragelse."
    )
    assert case_selectors.cases_visible_to(user=kif).filter(pk=proeve.pk).exists()
    proeve.refresh_from_db()
    assert proeve.kif == kif_afdeling and proeve.kif_officer == kif
    assert proeve.participations.filter(organisation=kif_afdeling, part=CaseParticipation.Part.KIF, ended_at=None).exists()
    task = open_task(proeve, "involve_kif")
    assert task.completed_on == TODAY and involvement.task == task
    # KIF's own tasks now belong to the KIF department, and show on Karen's list.
    assert open_task(proeve, "supervision_first_meeting").responsible_organisation == kif_afdeling
    assert proeve.tasks.filter(case_selectors.my_tasks_q(kif), obligation_id="supervision_first_meeting").exists()
    # The holder keeps the case: responsibility passes at parole through the hand-over.
    assert proeve.holding_organisation == socialraadgiver.organisation
    audit = AuditEntry.objects.get(action="koreplan.release.kif_involved")
    assert audit.data["kif"] == kif_afdeling.pk and audit.data["task"] == "involve_kif"
    # KIF may now keep the readiness list, but not plan the meetings.
    services.readiness_item_set(actor=kif, case=proeve, item="network", status="in_progress")
    with pytest.raises(PermissionDenied):
        release_meeting(kif, proeve)


def test_responsibility_passes_to_kif_at_parole_through_the_hand_over(socialraadgiver, kif, kif_afdeling, proeve):
    services.kif_involve(actor=socialraadgiver, case=proeve, kif=kif_afdeling, officer=kif)
    handover = handover_request(actor=socialraadgiver, case=proeve, kind=Handover.Kind.KIF_AT_PAROLE, to_organisation=kif_afdeling)
    handover_accept(actor=kif, handover=handover)
    proeve.refresh_from_db()
    assert proeve.holding_organisation == kif_afdeling and proeve.plan_responsible == kif
    assert selectors.release_overview(case=proeve).kif_handover.status == Handover.Status.ACCEPTED


def test_only_a_kif_officer_at_the_department_is_named(socialraadgiver, kollega, kif_afdeling, proeve):
    with pytest.raises(ValidationError) as error:
        services.kif_involve(actor=socialraadgiver, case=proeve, kif=kif_afdeling, officer=kollega)
    assert "officer" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.kif_involve(actor=socialraadgiver, case=proeve, kif=proeve.holding_organisation)
    assert "kif" in error.value.message_dict


def test_changing_the_kif_department_ends_the_first_ones_part(socialraadgiver, kif, kif_afdeling, proeve):
    from koreplan.organisations.tests.factories import KifFactory

    services.kif_involve(actor=socialraadgiver, case=proeve, kif=kif_afdeling)
    other = KifFactory(name="KiF Sjælland")
    services.kif_involve(actor=socialraadgiver, case=proeve, kif=other)
    assert not case_selectors.cases_visible_to(user=kif).filter(pk=proeve.pk).exists()
    assert proeve.kif_involvements.count() == 2


def test_no_date_is_in_the_future(socialraadgiver, kif_afdeling, proeve):
    with pytest.raises(ValidationError):
        services.kif_involve(actor=socialraadgiver, case=proeve, kif=kif_afdeling, involved_on=PAROLE)
    with pytest.raises(ValidationError):
        services.outcome_record(
            actor=socialraadgiver, case=proeve, moment="at_release", recorded_on=date(2027, 1, 2), housing="own",
            income_from_day_one=True, employment_or_education=True, treatment="started",
        )
