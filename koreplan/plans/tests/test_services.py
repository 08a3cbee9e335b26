"""The plan services: versions that lock with time, every write path, tasks and audit."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from koreplan.audit.models import AuditEntry
from koreplan.cases import services as case_services
from koreplan.cases.models import Handover, Task
from koreplan.cases.tests.factories import open_case
from koreplan.domain.plan import ActionStatus, LifeArea
from koreplan.plans import services
from koreplan.plans.models import AreaChange, PlanStatus, PlanVersion

from .factories import a_housing_area, latest, start_plan, written_plan

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 24)
FIRST_LOCKS = TODAY + timedelta(days=30)  # 24 December 2026


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def sag(socialraadgiver, guldborgsund):
    return open_case(actor=socialraadgiver, municipality=guldborgsund)


def actions(case_id):
    return list(AuditEntry.objects.filter(case_id=case_id).order_by("id").values_list("action", flat=True))


def test_a_plan_starts_with_an_empty_first_version_created_today(sag, socialraadgiver):
    plan, version = start_plan(actor=socialraadgiver, case=sag)
    assert (version.number, version.began_on, version.content_value().is_empty) == (1, TODAY, True)
    assert version.approval_status == PlanVersion.Approval.DRAFT
    assert services.version_lock_of(version, latest_number=1).locks_on == FIRST_LOCKS
    assert actions(sag.pk)[-2:] == ["koreplan.plan.created", "koreplan.plan_version.created"]


def test_a_case_has_one_plan_carried_on_never_restarted(sag, socialraadgiver):
    start_plan(actor=socialraadgiver, case=sag)
    with pytest.raises(ValidationError):
        services.plan_start(actor=socialraadgiver, case=sag)


def test_only_the_holding_organisation_writes_the_plan(sag, socialraadgiver, kollega, fremmed, kif, leder, admin):
    with pytest.raises(PermissionDenied):
        services.plan_start(actor=fremmed, case=sag)
    with pytest.raises(PermissionDenied):
        services.plan_start(actor=kif, case=sag)
    plan, version = start_plan(actor=kollega, case=sag)
    for actor in (socialraadgiver, leder, admin):
        version = services.plan_entry_add(
            actor=actor, version=version, revision=version.revision, area="housing", on=TODAY, text=f"Fra {actor}"
        )
    assert len(version.content_value().description) == 3


def test_the_intake_interview_is_written_into_the_plan_and_completes_its_task(sag, socialraadgiver):
    version = services.plan_intake_interview_record(
        actor=socialraadgiver, case=sag, held_on=TODAY - timedelta(days=2), participation="took_part",
        entries={"housing": "Bor alene i lejebolig.", "finances": "Gæld til SKAT.", "network": ""},
        causes="Gæld og hashmisbrug.",
    )
    content = version.content_value()
    assert [(e.area, e.on, e.from_intake_interview) for e in content.description] == [
        (LifeArea.HOUSING, TODAY - timedelta(days=2), True),
        (LifeArea.FINANCES, TODAY - timedelta(days=2), True),
    ]
    assert content.participation.status == "took_part" and content.causes == "Gæld og hashmisbrug."
    task = sag.tasks.get(obligation_id="intake_interview")
    assert task.completed_on == TODAY - timedelta(days=2) and "version 1" in task.evidence
    assert "koreplan.plan_version.intake_interview_recorded" in actions(sag.pk)


def test_a_plan_is_made_even_when_the_client_will_not_take_part_and_the_reason_is_recorded(sag, socialraadgiver):
    with pytest.raises(ValidationError) as raised:
        services.plan_intake_interview_record(
            actor=socialraadgiver, case=sag, held_on=TODAY, participation="declined", entries={}
        )
    assert "participation.reason" in raised.value.message_dict
    version = services.plan_intake_interview_record(
        actor=socialraadgiver, case=sag, held_on=TODAY, participation="declined",
        participation_reason="Ønsker ingen kontakt med socialrådgiveren.", entries={},
    )
    # With a declined client, an area of effort is still justified, but cannot be discussed.
    version = services.plan_area_save(
        actor=socialraadgiver, version=version, revision=version.revision, area=a_housing_area(), priority=1,
        justification="Institutionen arbejder hen imod en bolig ved løsladelsen.", discussed_with_client=False,
    )
    services.plan_version_finish(actor=socialraadgiver, version=version)
    assert sag.tasks.get(obligation_id="first_plan").completed_on == TODAY


# -- areas of effort: justified and discussed (VEJ pkt. 37) ----------------------------------------


@pytest.mark.parametrize(
    ("justification", "discussed", "field"),
    [("", True, "change_justification"), ("  ", True, "change_justification"), ("Fordi.", False, "discussed_with_client")],
)
def test_a_change_to_an_area_of_effort_needs_a_justification_and_a_discussion_with_the_client(
    sag, socialraadgiver, justification, discussed, field
):
    _, version = start_plan(actor=socialraadgiver, case=sag)
    with pytest.raises(ValidationError) as raised:
        services.plan_area_save(
            actor=socialraadgiver, version=version, revision=version.revision, area=a_housing_area(), priority=1,
            justification=justification, discussed_with_client=discussed,
        )
    assert field in raised.value.message_dict
    version.refresh_from_db()
    assert version.content_value().areas == () and not AreaChange.objects.exists()


def test_every_change_to_an_area_is_logged_with_its_justification(sag, socialraadgiver):
    version = written_plan(actor=socialraadgiver, case=sag, held_on=TODAY)
    area = version.content_value().areas[0]
    assert area.key == "a1" and [a.key for a in area.actions] == ["h1", "h2"]
    changed = a_housing_area(area.key, actions=(
        area.actions[0].__class__(**{**{f: getattr(area.actions[0], f) for f in area.actions[0].__dataclass_fields__},
                                     "status": ActionStatus.NOT_DONE, "not_done_reason": "Fik afslag.", "try_again": True}),
    ))
    version = services.plan_area_save(
        actor=socialraadgiver, version=version, revision=version.revision, area=changed, priority=None,
        justification="Ansøgningen fik afslag; vi prøver igen.", discussed_with_client=True,
    )
    version = services.plan_area_remove(
        actor=socialraadgiver, version=version, revision=version.revision, key="a1",
        justification="Klienten har selv fundet en bolig.", discussed_with_client=True,
    )
    log = list(AreaChange.objects.order_by("id").values_list("kind", "area_key", "justification"))
    assert log == [
        ("added", "a1", "Klienten risikerer at blive løsladt til gaden."),
        ("changed", "a1", "Ansøgningen fik afslag; vi prøver igen."),
        ("removed", "a1", "Klienten har selv fundet en bolig."),
    ]
    assert {"koreplan.plan_version.area_added", "koreplan.plan_version.area_changed",
            "koreplan.plan_version.area_removed"} <= set(actions(sag.pk))


def test_an_area_of_effort_is_named_justified_and_has_a_goal(sag, socialraadgiver):
    _, version = start_plan(actor=socialraadgiver, case=sag)
    with pytest.raises(ValidationError) as raised:
        services.plan_area_save(
            actor=socialraadgiver, version=version, revision=version.revision,
            area=a_housing_area(justification="", goal=""), priority=1, justification="Ny", discussed_with_client=True,
        )
    assert {"justification", "goal"} <= set(raised.value.message_dict)


def test_areas_are_kept_in_priority_order(sag, socialraadgiver):
    version = written_plan(actor=socialraadgiver, case=sag, held_on=TODAY)
    version = services.plan_area_save(
        actor=socialraadgiver, version=version, revision=version.revision,
        area=a_housing_area(title="Misbrugsbehandling", life_area=LifeArea.SUBSTANCE_USE), priority=1,
        justification="Hashmisbruget hænger sammen med kriminaliteten.", discussed_with_client=True,
    )
    assert [a.title for a in version.content_value().areas] == ["Misbrugsbehandling", "Bolig efter løsladelsen"]


# -- optimistic locking ------------------------------------------------------------------------------


def test_a_change_made_from_an_old_revision_is_refused_and_nothing_is_written(sag, socialraadgiver, kollega):
    _, version = start_plan(actor=socialraadgiver, case=sag)
    stale = version.revision
    services.plan_section_update(
        actor=kollega, version=version, revision=stale, section="causes", data={"causes": "Kollegaens tekst."}
    )
    with pytest.raises(services.StaleRevision) as raised:
        services.plan_section_update(
            actor=socialraadgiver, version=version, revision=stale, section="causes", data={"causes": "Min tekst."}
        )
    assert "revision" in raised.value.message_dict
    version.refresh_from_db()
    assert version.content_value().causes == "Kollegaens tekst."


def test_a_section_update_sets_the_last_adjusted_date_and_who(sag, socialraadgiver):
    _, version = start_plan(actor=socialraadgiver, case=sag)
    assert version.last_adjusted_at is None
    with time_machine.travel(TODAY + timedelta(days=3), tick=False):
        version = services.plan_section_update(
            actor=socialraadgiver, version=version, revision=version.revision, section="causes", data={"causes": "x"}
        )
    assert version.last_adjusted_at.date() == TODAY + timedelta(days=3) and version.last_adjusted_by == socialraadgiver
    assert version.created_at.date() == TODAY


def test_a_section_is_validated_with_the_path_of_every_error(sag, socialraadgiver):
    _, version = start_plan(actor=socialraadgiver, case=sag)
    with pytest.raises(ValidationError) as raised:
        services.plan_section_update(
            actor=socialraadgiver, version=version, revision=version.revision, section="partners",
            data={"partners": [{"name": "", "email": "x"}]},
        )
    assert set(raised.value.message_dict) == {"partners.0.name", "partners.0.email"}
    with pytest.raises(ValidationError):
        services.plan_section_update(
            actor=socialraadgiver, version=version, revision=version.revision, section="areas", data={"areas": []}
        )


# -- versions that lock ----------------------------------------------------------------------------


def test_the_first_version_can_be_written_the_day_before_it_locks(sag, socialraadgiver):
    _, version = start_plan(actor=socialraadgiver, case=sag)
    with time_machine.travel(FIRST_LOCKS - timedelta(days=1), tick=False):
        services.plan_entry_add(
            actor=socialraadgiver, version=version, revision=version.revision, area="housing",
            on=FIRST_LOCKS - timedelta(days=1), text="Sidste dag.",
        )


@pytest.fixture
def locked(sag, socialraadgiver, kollega):
    """Version 1 written, finished, awaiting approval — then 30 days pass."""
    version = written_plan(actor=socialraadgiver, case=sag, held_on=TODAY)
    version = services.plan_approval_request(actor=socialraadgiver, version=version)
    traveller = time_machine.travel(FIRST_LOCKS, tick=False)
    traveller.start()
    yield version
    traveller.stop()


WRITE_PATHS = {
    "section": lambda v, me, other: services.plan_section_update(
        actor=me, version=v, revision=v.revision, section="causes", data={"causes": "Ændret."}),
    "participation": lambda v, me, other: services.plan_section_update(
        actor=me, version=v, revision=v.revision, section="participation",
        data={"participation": {"status": "declined", "reason": "x"}}),
    "entry": lambda v, me, other: services.plan_entry_add(
        actor=me, version=v, revision=v.revision, area="housing", on=timezone.localdate(), text="Ny oplysning."),
    "intake interview": lambda v, me, other: services.plan_intake_interview_record(
        actor=me, case=v.plan.case, held_on=timezone.localdate(), participation="took_part", entries={"housing": "x"}),
    "area added": lambda v, me, other: services.plan_area_save(
        actor=me, version=v, revision=v.revision, area=a_housing_area(title="Job"), priority=1,
        justification="Ny.", discussed_with_client=True),
    "area changed": lambda v, me, other: services.plan_area_save(
        actor=me, version=v, revision=v.revision, area=a_housing_area("a1", title="Ændret"), priority=1,
        justification="Ændret.", discussed_with_client=True),
    "area removed": lambda v, me, other: services.plan_area_remove(
        actor=me, version=v, revision=v.revision, key="a1", justification="Væk.", discussed_with_client=True),
    "finish": lambda v, me, other: services.plan_version_finish(actor=me, version=v),
    "approval requested": lambda v, me, other: services.plan_approval_request(actor=me, version=v),
    "approved": lambda v, me, other: services.plan_approval_decide(actor=other, version=v, approve=True),
    "sent back": lambda v, me, other: services.plan_approval_decide(actor=other, version=v, approve=False, comment="Nej."),
    "evaluation": lambda v, me, other: services.plan_evaluation_record(
        actor=me, version=v, held_on=timezone.localdate(), description_update="x", carried_out="x",
        next_agreements=[{"who": "x", "what": "x", "when": "x"}]),
    "status": lambda v, me, other: services.plan_status_record(
        actor=me, version=v, kind=PlanStatus.Kind.AT_RELEASE, stated_on=timezone.localdate()),
}


@pytest.mark.parametrize("path", list(WRITE_PATHS))
def test_a_locked_version_is_never_changed_by_any_write_path(locked, socialraadgiver, kollega, path):
    before = PlanVersion.objects.values().get(pk=locked.pk)
    audit_count = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as raised:
        WRITE_PATHS[path](locked, socialraadgiver, kollega)
    assert "version" in raised.value.message_dict
    assert "låst" in raised.value.message_dict["version"][0]  # Danish, the default language
    assert PlanVersion.objects.values().get(pk=locked.pk) == before
    assert AuditEntry.objects.count() == audit_count
    assert not locked.evaluations.exists() and not locked.statuses.exists()
    assert locked.plan.versions.count() == 1


# The intake interview is written into the newest version, whichever it is.
@pytest.mark.parametrize("path", [p for p in WRITE_PATHS if p != "intake interview"])
def test_an_older_version_is_closed_once_a_newer_one_has_begun(sag, socialraadgiver, kollega, path):
    version = written_plan(actor=socialraadgiver, case=sag, held_on=TODAY)
    version = services.plan_approval_request(actor=socialraadgiver, version=version)
    services.plan_version_create(actor=socialraadgiver, plan=version.plan)  # well before its lock date
    with pytest.raises(ValidationError) as raised:
        WRITE_PATHS[path](version, socialraadgiver, kollega)
    assert "version" in raised.value.message_dict


def test_the_next_version_starts_as_a_copy_and_locks_three_months_after_it_began(locked, socialraadgiver):
    v2 = services.plan_version_create(actor=socialraadgiver, plan=locked.plan)
    assert (v2.number, v2.began_on) == (2, FIRST_LOCKS)
    assert v2.content == locked.content and v2.content_value() == locked.content_value()
    assert v2.approval_status == PlanVersion.Approval.DRAFT and v2.finished_on is None
    state = services.version_lock_of(v2, latest_number=2)
    assert state.locks_on == date(2027, 3, 24) and not state.locked
    # The copy is written, the original is not.
    v2 = services.plan_section_update(
        actor=socialraadgiver, version=v2, revision=v2.revision, section="causes", data={"causes": "Ny vurdering."}
    )
    locked.refresh_from_db()
    assert locked.content_value().causes == "" and v2.content_value().causes == "Ny vurdering."
    with time_machine.travel(date(2027, 3, 23), tick=False):
        services.plan_section_update(actor=socialraadgiver, version=v2, revision=v2.revision, section="causes", data={"causes": "y"})
    v2.refresh_from_db()
    with time_machine.travel(date(2027, 3, 24), tick=False), pytest.raises(ValidationError):
        services.plan_section_update(actor=socialraadgiver, version=v2, revision=v2.revision, section="causes", data={"causes": "z"})


def test_a_transfer_carries_the_plan_on_to_the_next_institution(sag, socialraadgiver, fremmed, andet_faengsel):
    version = written_plan(actor=socialraadgiver, case=sag, held_on=TODAY)
    handover = case_services.handover_request(
        actor=socialraadgiver, case=sag, kind=Handover.Kind.INSTITUTION, to_organisation=andet_faengsel
    )
    case_services.handover_accept(actor=fremmed, handover=handover, plan_responsible=fremmed)
    # The sender states the plan's status after the hand-over (cirk. § 8, stk. 1) …
    status = services.plan_status_record(
        actor=socialraadgiver, version=version, kind=PlanStatus.Kind.AT_TRANSFER, stated_on=TODAY
    )
    assert status.task.obligation_id == "status_at_transfer" and status.task.completed_on == TODAY
    # … but no longer writes the plan, which the receiver carries on in a new version.
    with pytest.raises(PermissionDenied):
        services.plan_entry_add(actor=socialraadgiver, version=version, revision=version.revision, area="housing", on=TODAY, text="x")
    v2 = services.plan_version_create(actor=fremmed, plan=version.plan)
    assert v2.number == 2 and v2.content_value().areas == version.content_value().areas


# -- finishing, approval, evaluation, status -------------------------------------------------------


def test_finishing_the_first_version_completes_the_first_plan_task(sag, socialraadgiver):
    _, version = start_plan(actor=socialraadgiver, case=sag)
    with pytest.raises(ValidationError) as raised:
        services.plan_version_finish(actor=socialraadgiver, version=version)
    assert set(raised.value.message_dict) == {"participation", "areas"}
    version = written_plan(actor=socialraadgiver, case=sag, held_on=TODAY)
    version = services.plan_version_finish(actor=socialraadgiver, version=version)
    assert version.finished_on == TODAY
    task = sag.tasks.get(obligation_id="first_plan")
    assert task.completed_on == TODAY and task.completed_by == socialraadgiver
    with pytest.raises(ValidationError):
        services.plan_version_finish(actor=socialraadgiver, version=version)
    assert "koreplan.plan_version.finished" in actions(sag.pk)


def test_approval_is_asked_for_and_decided_by_a_colleague_or_manager(sag, socialraadgiver, kollega, leder, fremmed):
    version = written_plan(actor=socialraadgiver, case=sag, held_on=TODAY)
    with pytest.raises(ValidationError):
        services.plan_approval_decide(actor=kollega, version=version, approve=True)  # nothing asked yet
    version = services.plan_approval_request(actor=socialraadgiver, version=version)
    assert version.approval_status == PlanVersion.Approval.REQUESTED
    assert not services.may_decide_approval(socialraadgiver, version) and services.may_decide_approval(kollega, version)
    with pytest.raises(PermissionDenied):
        services.plan_approval_decide(actor=socialraadgiver, version=version, approve=True)
    with pytest.raises(PermissionDenied):
        services.plan_approval_decide(actor=fremmed, version=version, approve=True)
    with pytest.raises(ValidationError) as raised:
        services.plan_approval_decide(actor=leder, version=version, approve=False, comment=" ")
    assert "comment" in raised.value.message_dict
    version = services.plan_approval_decide(actor=leder, version=version, approve=False, comment="Mangler delmål.")
    assert (version.approval_status, version.approval_decided_by) == (PlanVersion.Approval.SENT_BACK, leder)
    version = services.plan_approval_request(actor=socialraadgiver, version=version)
    version = services.plan_approval_decide(actor=kollega, version=version, approve=True)
    assert version.approval_status == PlanVersion.Approval.APPROVED
    assert [a for a in actions(sag.pk) if "approv" in a or "sent_back" in a] == [
        "koreplan.plan_version.approval_requested", "koreplan.plan_version.sent_back",
        "koreplan.plan_version.approval_requested", "koreplan.plan_version.approved",
    ]


def test_an_evaluation_records_what_vej_50_lists_and_completes_the_evaluation_task(sag, socialraadgiver):
    version = written_plan(actor=socialraadgiver, case=sag, held_on=TODAY)
    with pytest.raises(ValidationError) as raised:
        services.plan_evaluation_record(actor=socialraadgiver, version=version, held_on=TODAY, description_update="",
                                        not_carried_out="Boligstøtte ikke søgt.")
    assert set(raised.value.message_dict) == {"description_update", "reasons", "next_agreements"}
    evaluation = services.plan_evaluation_record(
        actor=socialraadgiver, version=version, held_on=TODAY, participants="Klienten, socialrådgiveren",
        description_update="Klienten har fået afslag på boligstøtte.", carried_out="Kontakt til boligkontoret.",
        not_carried_out="Boligstøtte ikke søgt.", reasons="Klienten manglede NemID.", prevention="Hjælp med MitID.",
        next_agreements=[{"who": "Klienten", "what": "Søg boligstøtte", "when": "inden 1. januar"}, {"who": "", "what": "", "when": ""}],
    )
    assert evaluation.next_agreements == [{"who": "Klienten", "what": "Søg boligstøtte", "when": "inden 1. januar"}]
    assert evaluation.task.obligation_id == "plan_evaluation" and evaluation.task.occurrence == 1
    assert evaluation.task.completed_on == TODAY
    # The rules set the next evaluation from this one.
    assert sag.tasks.filter(obligation_id="plan_evaluation", completed_on__isnull=True).exists()
    assert "koreplan.plan_evaluation.recorded" in actions(sag.pk)


def test_a_status_at_release_completes_its_task(sag, socialraadgiver):
    version = written_plan(actor=socialraadgiver, case=sag, held_on=TODAY)
    status = services.plan_status_record(
        actor=socialraadgiver, version=version, kind=PlanStatus.Kind.AT_RELEASE, stated_on=TODAY, note="Ajourført."
    )
    task = Task.objects.get(case=sag, obligation_id="status_at_release")
    assert status.task == task and task.completed_on == TODAY
    assert "koreplan.plan_status.recorded" in actions(sag.pk)


def test_a_status_with_no_task_open_is_recorded_all_the_same(sag, socialraadgiver):
    version = written_plan(actor=socialraadgiver, case=sag, held_on=TODAY)
    status = services.plan_status_record(
        actor=socialraadgiver, version=version, kind=PlanStatus.Kind.AT_SUPERVISION_END, stated_on=TODAY
    )
    assert status.task is None


def test_dates_in_the_future_are_refused(sag, socialraadgiver):
    version = written_plan(actor=socialraadgiver, case=sag, held_on=TODAY)
    tomorrow = TODAY + timedelta(days=1)
    with pytest.raises(ValidationError):
        services.plan_entry_add(actor=socialraadgiver, version=version, revision=version.revision, area="housing", on=tomorrow, text="x")
    with pytest.raises(ValidationError):
        services.plan_status_record(actor=socialraadgiver, version=version, kind="at_release", stated_on=tomorrow)
    with pytest.raises(ValidationError):
        services.plan_evaluation_record(actor=socialraadgiver, version=version, held_on=tomorrow, description_update="x",
                                        carried_out="x", next_agreements=[{"what": "x"}])


def test_a_closed_case_has_a_read_only_plan(sag, socialraadgiver):
    _, version = start_plan(actor=socialraadgiver, case=sag)
    case_services.case_close(actor=socialraadgiver, case=sag)
    version.plan.case.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.plan_entry_add(actor=socialraadgiver, version=version, revision=version.revision, area="housing", on=TODAY, text="x")


def test_reads_are_audited(sag, socialraadgiver):
    _, version = start_plan(actor=socialraadgiver, case=sag)
    services.plan_read_record(actor=socialraadgiver, case=sag, version=version)
    entry = AuditEntry.objects.filter(case_id=sag.pk).order_by("-id").first()
    assert entry.action == "koreplan.plan.viewed" and entry.data["number"] == 1
    assert latest(version.plan) == version
