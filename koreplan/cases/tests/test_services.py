"""The case services: atomic writes, the rules' tasks, hand-overs and access."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.formats import date_format

from koreplan.audit.models import AuditEntry
from koreplan.cases import selectors, services
from koreplan.cases.models import Case, Client, Handover, Task

from .factories import a_cpr, open_case

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def sag(socialraadgiver, guldborgsund):
    return open_case(actor=socialraadgiver, municipality=guldborgsund)


def test_opening_a_case_makes_its_tasks_from_the_rules(sag):
    ids = set(sag.tasks.values_list("obligation_id", flat=True))
    assert {"first_plan", "intake_interview", "release_meeting", "plan_evaluation"} <= ids
    first_plan = sag.tasks.get(obligation_id="first_plan")
    assert first_plan.due_on == date(2026, 11, 4) + timedelta(days=28)
    assert first_plan.legal_basis == ["cirk. § 5, stk. 1", "VEJ pkt. 40"]
    assert sag.plan_required and sag.roadmap_applies
    assert AuditEntry.objects.filter(action="koreplan.case.opened", case_id=sag.pk).exists()


def test_the_cpr_number_is_checked_but_never_on_modulus_11(socialraadgiver, guldborgsund):
    client = services.client_create(
        actor=socialraadgiver, cpr="010190-1235", first_name="A", last_name="B", acting_municipality=guldborgsund
    )
    assert client.birth_date == date(1990, 1, 1)  # 0101901235 fails modulus 11 and is accepted


@pytest.mark.parametrize("bad", ["3102901234", "12345", "01019012345", "abcdefghij"])
def test_a_cpr_number_must_be_ten_digits_with_a_real_date(socialraadgiver, guldborgsund, bad):
    with pytest.raises(ValidationError) as raised:
        services.client_create(
            actor=socialraadgiver, cpr=bad, first_name="A", last_name="B", acting_municipality=guldborgsund
        )
    assert "cpr" in raised.value.message_dict


def test_a_cpr_number_born_in_the_future_is_refused(socialraadgiver, guldborgsund):
    with pytest.raises(ValidationError) as raised:
        services.client_create(
            actor=socialraadgiver, cpr="0101274234", first_name="A", last_name="B", acting_municipality=guldborgsund
        )  # 1 January 2027 (seventh digit 4, year 27 → 2027)
    assert "fremtiden" in raised.value.message_dict["cpr"][0]


def test_bad_facts_name_the_field_and_nothing_is_saved(socialraadgiver, guldborgsund):
    client = services.client_create(
        actor=socialraadgiver, cpr=a_cpr(), first_name="A", last_name="B", acting_municipality=guldborgsund
    )
    with pytest.raises(ValidationError) as raised:
        services.case_open(
            actor=socialraadgiver,
            client=client,
            case_type="imprisonment",
            holding_organisation=socialraadgiver.organisation,
            facts={"intake_on": date(2026, 1, 5), "release_on": date(2025, 1, 5), "sentence": "P1Y"},
        )
    assert "release_on" in raised.value.message_dict
    assert Case.objects.count() == 0


def test_changing_facts_moves_the_tasks_in_the_same_transaction(sag, socialraadgiver):
    services.case_facts_update(
        actor=socialraadgiver, case=sag, revision=sag.revision, changes={"expected_parole_on": date(2027, 11, 4)}
    )
    ids = set(sag.tasks.values_list("obligation_id", flat=True))
    assert {"involve_kif", "supervision_first_meeting"} <= ids
    assert "municipal_appointments_on_release_day" not in ids


def test_a_stale_form_is_refused_and_nothing_is_lost(sag, socialraadgiver, kollega):
    revision = sag.revision
    services.case_facts_update(actor=kollega, case=sag, revision=revision, changes={"housing_secured": True})
    with pytest.raises(ValidationError) as raised:
        services.case_facts_update(actor=socialraadgiver, case=sag, revision=revision, changes={"income_secured": False})
    assert "revision" in raised.value.message_dict
    sag.refresh_from_db()
    assert sag.housing_secured is True and sag.income_secured is True


def test_a_task_cannot_be_completed_in_the_future(sag, socialraadgiver):
    task = sag.tasks.get(obligation_id="first_plan")
    with pytest.raises(ValidationError) as raised:
        services.task_complete(actor=socialraadgiver, task=task, completed_on=TODAY + timedelta(days=1))
    assert "completed_on" in raised.value.message_dict


def test_a_task_cannot_be_done_before_the_case_began(sag, socialraadgiver):
    task = sag.tasks.get(obligation_id="first_plan")
    began = sag.began_on
    assert began is not None
    with translation.override("da"), pytest.raises(ValidationError) as raised:
        services.task_complete(actor=socialraadgiver, task=task, completed_on=began - timedelta(days=1))
    assert raised.value.message_dict["completed_on"] == [
        f"En opgave kan ikke være udført, før sagen begyndte ({date_format(began, 'DATE_FORMAT', use_l10n=True)})."
    ]
    task.refresh_from_db()
    assert task.completed_on is None
    # The first day itself is fine.
    services.task_complete(actor=socialraadgiver, task=task, completed_on=began)
    assert task.completed_on == began


def test_the_case_began_on_the_earliest_start_it_knows(sag):
    sag.intake_on, sag.execution_started_on, sag.supervision_started_on = date(2026, 3, 2), date(2026, 2, 1), None
    assert sag.began_on == date(2026, 2, 1)
    sag.intake_on = sag.execution_started_on = None
    assert sag.began_on is None


def test_completing_a_recurring_task_moves_the_next(sag, socialraadgiver):
    services.task_complete(
        actor=socialraadgiver, task=sag.tasks.get(obligation_id="first_plan"), completed_on=date(2026, 11, 20)
    )
    evaluation = sag.tasks.get(obligation_id="plan_evaluation", occurrence=1)
    assert evaluation.due_on == date(2027, 2, 20)


def test_another_prison_cannot_complete_a_task(sag, fremmed):
    with pytest.raises(PermissionDenied):
        services.task_complete(actor=fremmed, task=sag.tasks.first(), completed_on=TODAY)


def test_fee_paid_supervisors_and_municipal_staff_never_hold_a_plan(sag, socialraadgiver, kommune):
    with pytest.raises(ValidationError) as raised:
        services.case_responsibility_set(actor=socialraadgiver, case=sag, plan_responsible=kommune, substitute=None)
    assert "plan_responsible" in raised.value.message_dict


def test_nobody_lets_go_before_another_has_hold(sag, socialraadgiver, fremmed, andet_faengsel):
    handover = services.handover_request(
        actor=socialraadgiver, case=sag, kind=Handover.Kind.INSTITUTION, to_organisation=andet_faengsel, message="Overførsel"
    )
    # Until accepted: the sender still holds it, and both see it.
    sag.refresh_from_db()
    assert sag.holding_organisation == socialraadgiver.organisation
    assert selectors.cases_visible_to(user=socialraadgiver).filter(pk=sag.pk).exists()
    assert selectors.cases_visible_to(user=fremmed).filter(pk=sag.pk).exists()
    status_task = sag.tasks.get(obligation_id="status_at_transfer")
    assert status_task.assignee == socialraadgiver

    services.handover_accept(actor=fremmed, handover=handover)
    sag.refresh_from_db()
    assert (sag.holding_organisation, sag.plan_responsible) == (andet_faengsel, fremmed)
    # A new revision of the case: a facts form opened before it names who made it.
    assert sag.revision == 2 and sag.revised_by == fremmed and sag.revised_at is not None
    assert sag.tasks.get(obligation_id="review_after_transfer").assignee == fremmed
    assert sag.stays.count() == 2 and sag.stays.get(ended_on=None).organisation == andet_faengsel
    # The sender keeps sight until its status on the plan is handed over, then lets go.
    assert selectors.cases_visible_to(user=socialraadgiver).filter(pk=sag.pk).exists()
    services.task_complete(actor=socialraadgiver, task=status_task, completed_on=TODAY)
    assert not selectors.cases_visible_to(user=socialraadgiver).filter(pk=sag.pk).exists()
    actions = list(AuditEntry.objects.filter(case_id=sag.pk).values_list("action", flat=True))
    assert "koreplan.handover.requested" in actions and "koreplan.handover.accepted" in actions


def test_a_returned_hand_over_needs_a_reason_and_the_sender_keeps_the_case(sag, socialraadgiver, fremmed, andet_faengsel):
    handover = services.handover_request(
        actor=socialraadgiver, case=sag, kind=Handover.Kind.INSTITUTION, to_organisation=andet_faengsel
    )
    with pytest.raises(ValidationError):
        services.handover_return(actor=fremmed, handover=handover, reason="  ")
    services.handover_return(actor=fremmed, handover=handover, reason="Ikke vores område")
    sag.refresh_from_db()
    assert sag.holding_organisation == socialraadgiver.organisation
    assert not selectors.cases_visible_to(user=fremmed).filter(pk=sag.pk).exists()


def test_only_the_receiver_answers_a_hand_over(sag, socialraadgiver, andet_faengsel, kif):
    handover = services.handover_request(
        actor=socialraadgiver, case=sag, kind=Handover.Kind.INSTITUTION, to_organisation=andet_faengsel
    )
    with pytest.raises(PermissionDenied):
        services.handover_accept(actor=kif, handover=handover)


def test_hand_over_to_kif_at_parole(sag, socialraadgiver, kif, kif_afdeling):
    handover = services.handover_request(
        actor=socialraadgiver, case=sag, kind=Handover.Kind.KIF_AT_PAROLE, to_organisation=kif_afdeling
    )
    services.handover_accept(actor=kif, handover=handover)
    sag.refresh_from_db()
    assert sag.kif == kif_afdeling and sag.placement == "kif" and sag.plan_responsible == kif


def test_after_parole_the_institutions_open_tasks_pass_to_kif_once_the_prison_has_let_go(
    socialraadgiver, kif, kif_afdeling, guldborgsund
):
    """What the prison has done stays counted at the prison; what is left of its part (the
    status at release, the follow-up) passes to KIF when the prison lets go, and the
    worklists follow: nothing lies with an organisation that no longer has the case."""
    prison = socialraadgiver.organisation
    sag = open_case(
        actor=socialraadgiver, municipality=guldborgsund, sentence="P6M",
        intake_on=TODAY - timedelta(days=150), release_on=TODAY + timedelta(days=30),
    )
    institution_tasks = ("status_at_release", "follow_up_meeting_after_release")
    services.task_complete(actor=socialraadgiver, task=sag.tasks.get(obligation_id="intake_interview"), completed_on=TODAY)
    handover = services.handover_request(
        actor=socialraadgiver, case=sag, kind=Handover.Kind.KIF_AT_PAROLE, to_organisation=kif_afdeling
    )
    services.handover_accept(actor=kif, handover=handover)
    sag.refresh_from_db()
    # While the prison still owes its status at transfer it has a part, and its tasks stay with it …
    for obligation in institution_tasks:
        assert sag.tasks.get(obligation_id=obligation).responsible_organisation == prison, obligation
    services.task_complete(actor=socialraadgiver, task=sag.tasks.get(obligation_id="release_meeting"), completed_on=TODAY)
    services.task_complete(actor=socialraadgiver, task=sag.tasks.get(obligation_id="status_at_transfer"), completed_on=TODAY)
    assert not selectors.cases_visible_to(user=socialraadgiver).filter(pk=sag.pk).exists()  # let go
    # … and once it has let go, what is open passes to KIF, what is done stays the prison's.
    for obligation in institution_tasks:
        task = sag.tasks.get(obligation_id=obligation)
        assert task.completed_on is None and task.responsible_organisation == kif_afdeling, obligation
    assert not sag.tasks.filter(completed_on=None, responsible_organisation=prison).exists()
    for obligation in ("intake_interview", "release_meeting", "status_at_transfer"):
        assert sag.tasks.get(obligation_id=obligation).responsible_organisation == prison, obligation
    services.case_tasks_sync(case=sag)  # a later sync does not take the done ones from the prison
    assert set(sag.tasks.filter(completed_on__isnull=False).values_list("responsible_organisation", flat=True)) == {prison.pk}
    # The worklists: the prison's worker has nothing of the case left, the KIF officer has its tasks.
    def on_worklist(user):
        return {key.obligation_id for key in selectors.worklist_keys(user=user, today=TODAY)
                if Task.objects.get(pk=key.task_id).case_id == sag.pk}

    assert on_worklist(socialraadgiver) == set()
    assert set(institution_tasks) <= on_worklist(kif)
    assert {"intake_interview", "release_meeting"}.isdisjoint(on_worklist(kif))


def test_visibility_personas(sag, socialraadgiver, kollega, leder, fremmed, kif, kommune, sagsbehandler, admin):
    visible = {u.username: selectors.cases_visible_to(user=u).filter(pk=sag.pk).exists()
               for u in (socialraadgiver, kollega, leder, fremmed, kif, kommune, sagsbehandler, admin)}
    assert visible == {
        "susanne": True, "kasper": True, "lise": True, "frede": False,
        "karen": False, "mette": False, "jonas": False, "ada": True,
    }


def test_the_worklist_shows_my_tasks_and_those_i_cover(sag, socialraadgiver, kollega):
    mine = selectors.worklist(user=socialraadgiver)
    # Step 2 was done when she was named at opening; the intake interview waits for her.
    assert "intake_interview" in {t.obligation_id for t in mine.overdue}
    assert selectors.worklist(user=kollega).count == 0
    services.case_responsibility_set(
        actor=socialraadgiver, case=sag, plan_responsible=socialraadgiver, substitute=kollega, substitute_covering=True
    )
    assert selectors.worklist(user=kollega).count == mine.count
    assert selectors.worklist(user=socialraadgiver).count == 0


def test_the_worklist_finds_exactly_the_tasks_my_tasks_q_names(
    socialraadgiver, kollega, kif, kif_afdeling, guldborgsund, faengsel
):
    """worklist_keys decides whose a task is in Python, case by case; my_tasks_q says it in
    SQL. Over holders, covering and non-covering substitutes, KIF officers, named
    assignees and a closed case, the two agree."""
    from datetime import timedelta

    from django.utils import timezone

    from koreplan.cases.models import Case, Task
    from koreplan.cases.tests.factories import open_case

    held = open_case(actor=socialraadgiver, municipality=guldborgsund)
    covered = open_case(actor=socialraadgiver, municipality=guldborgsund)
    Case.objects.filter(pk=covered.pk).update(substitute=kollega, substitute_covering=True)
    not_covered = open_case(actor=socialraadgiver, municipality=guldborgsund)
    Case.objects.filter(pk=not_covered.pk).update(substitute=kollega, substitute_covering=False)
    with_kif = open_case(actor=socialraadgiver, municipality=guldborgsund)
    Case.objects.filter(pk=with_kif.pk).update(kif=kif_afdeling, kif_officer=kif)
    Task.objects.filter(case=with_kif).filter(pk__in=Task.objects.filter(case=with_kif).values("pk")[:3]).update(
        responsible_organisation=kif_afdeling
    )
    Task.objects.filter(case=held).filter(pk__in=Task.objects.filter(case=held).values("pk")[:2]).update(assignee=kollega)
    # Held by KIF after parole, the prison let go: its open tasks are KIF's, the done ones its own.
    paroled = open_case(actor=socialraadgiver, municipality=guldborgsund)
    handover = services.handover_request(
        actor=socialraadgiver, case=paroled, kind=Handover.Kind.KIF_AT_PAROLE, to_organisation=kif_afdeling
    )
    services.handover_accept(actor=kif, handover=handover)
    services.task_complete(actor=socialraadgiver, task=paroled.tasks.get(obligation_id="status_at_transfer"),
                           completed_on=timezone.localdate())
    closed = open_case(actor=socialraadgiver, municipality=guldborgsund)
    Task.objects.filter(case=closed).update(assignee=kollega)
    Case.objects.filter(pk=closed.pk).update(status=Case.Status.CLOSED)
    today = timezone.localdate()
    for user in (socialraadgiver, kollega, kif):
        expected = set(
            Task.objects.filter(
                completed_on__isnull=True, due_on__lte=today + timedelta(days=selectors.WORKLIST_HORIZON_DAYS),
                case__status=Case.Status.OPEN,
            ).filter(selectors.my_tasks_q(user)).values_list("pk", flat=True)
        )
        found = [key.task_id for key in selectors.worklist_keys(user=user, today=today)]
        assert expected, user.username  # each person has some, so the comparison means something
        assert sorted(found) == sorted(expected) and len(found) == len(set(found)), user.username


def test_the_journal_refuses_future_dates_and_empty_text(sag, socialraadgiver):
    with pytest.raises(ValidationError) as raised:
        services.journal_entry_add(actor=socialraadgiver, case=sag, kind="contact", occurred_on=TODAY + timedelta(days=2), text="")
    assert set(raised.value.message_dict) == {"occurred_on", "text"}
    entry = services.journal_entry_add(actor=socialraadgiver, case=sag, kind="attempt", occurred_on=TODAY, text="Ringede til jobcentret")
    assert entry.pk and AuditEntry.objects.filter(action="koreplan.journal.entry_added").exists()


def test_the_nightly_recalculation_restores_tampered_tasks(sag):
    Task.objects.filter(case=sag, completed_on__isnull=True).delete()
    assert services.case_recalculate_open() == 1
    assert sag.tasks.filter(obligation_id="first_plan").exists()


def test_clients_are_unique_by_cpr(socialraadgiver, guldborgsund):
    cpr = a_cpr()
    services.client_create(actor=socialraadgiver, cpr=cpr, first_name="A", last_name="B", acting_municipality=guldborgsund)
    with pytest.raises(ValidationError):
        services.client_create(actor=socialraadgiver, cpr=cpr, first_name="A", last_name="B", acting_municipality=guldborgsund)
    assert Client.objects.count() == 1


def test_fact_errors_are_danish_in_the_danish_ui(socialraadgiver, guldborgsund):
    client = services.client_create(
        actor=socialraadgiver, cpr=a_cpr(), first_name="A", last_name="B", acting_municipality=guldborgsund
    )
    with pytest.raises(ValidationError) as raised:
        services.case_open(
            actor=socialraadgiver, client=client, case_type="imprisonment",
            holding_organisation=socialraadgiver.organisation,
            facts={"intake_on": date(2026, 1, 5), "release_on": date(2025, 1, 5), "sentence": None},
        )
    assert raised.value.message_dict["release_on"] == [
        "Løsladelse efter endt straf (5. januar 2025) ligger før indsættelsesdato (5. januar 2026)."
    ]


# -- step 2: naming the plan-responsible is the task to appoint one ----------------------------


def appoint_task(case: Case) -> Task:
    return case.tasks.get(obligation_id="appoint_plan_responsible")


def open_without_plan_responsible(actor, municipality) -> Case:
    client = services.client_create(
        actor=actor, cpr=a_cpr(), first_name="Jens", last_name="Hansen", acting_municipality=municipality
    )
    return services.case_open(
        actor=actor, client=client, case_type="imprisonment", holding_organisation=actor.organisation,
        facts={"sentence": "P2Y", "intake_on": TODAY - timedelta(days=20), "release_on": TODAY + timedelta(days=710)},
    ).case


def test_a_case_opened_with_its_plan_responsible_has_step_2_done(socialraadgiver, guldborgsund):
    case = open_case(actor=socialraadgiver, municipality=guldborgsund)
    task = appoint_task(case)
    assert (task.completed_on, task.completed_by) == (TODAY, socialraadgiver)
    assert task.evidence == "Handleplansansvarlig var udpeget, da sagen blev oprettet."
    assert task.pk not in [key.task_id for key in selectors.worklist_keys(user=socialraadgiver, today=TODAY)]
    assert "appoint_plan_responsible" not in {t.obligation_id for t in selectors.worklist(user=socialraadgiver).overdue}
    entry = AuditEntry.objects.get(action="koreplan.task.completed", case_id=case.pk)
    assert entry.actor == socialraadgiver and entry.object_id == str(task.pk)
    assert entry.data == {
        "obligation": "appoint_plan_responsible", "occurrence": 1, "completed_on": TODAY.isoformat(), "automatic": True,
    }
    # Logged after the opening, in the same transaction.
    opened = AuditEntry.objects.get(action="koreplan.case.opened", case_id=case.pk)
    assert opened.pk < entry.pk


def test_the_timeline_returned_at_opening_shows_step_2_done(socialraadgiver, guldborgsund):
    client = services.client_create(
        actor=socialraadgiver, cpr=a_cpr(), first_name="A", last_name="B", acting_municipality=guldborgsund
    )
    opened = services.case_open(
        actor=socialraadgiver, client=client, case_type="imprisonment", holding_organisation=socialraadgiver.organisation,
        plan_responsible=socialraadgiver,
        facts={"sentence": "P2Y", "intake_on": TODAY, "release_on": TODAY + timedelta(days=730)},
    )
    step_2 = next(o for o in opened.timeline.obligations if o.id == "appoint_plan_responsible")
    assert step_2.completed_on == TODAY


def test_a_case_opened_without_a_plan_responsible_keeps_step_2_open(socialraadgiver, leder, guldborgsund):
    case = open_without_plan_responsible(leder, guldborgsund)
    assert case.plan_responsible is None
    task = appoint_task(case)
    assert task.completed_on is None and task.completed_by is None and task.evidence == ""
    assert not AuditEntry.objects.filter(action="koreplan.task.completed", case_id=case.pk).exists()


def test_naming_the_plan_responsible_later_completes_step_2(socialraadgiver, leder, kollega, guldborgsund):
    case = open_without_plan_responsible(leder, guldborgsund)
    with time_machine.travel(TODAY + timedelta(days=3), tick=False):
        services.case_responsibility_set(actor=leder, case=case, plan_responsible=socialraadgiver, substitute=kollega)
    task = appoint_task(case)
    assert (task.completed_on, task.completed_by) == (TODAY + timedelta(days=3), leder)
    assert task.evidence == "Handleplansansvarlig blev udpeget på sagen."
    assert AuditEntry.objects.filter(
        action="koreplan.task.completed", case_id=case.pk, object_id=str(task.pk), data__automatic=True
    ).count() == 1
    # Changing who holds the plan again does not touch the task done.
    services.case_responsibility_set(actor=leder, case=case, plan_responsible=kollega, substitute=None)
    task.refresh_from_db()
    assert (task.completed_on, task.completed_by) == (TODAY + timedelta(days=3), leder)
    assert AuditEntry.objects.filter(action="koreplan.task.completed", case_id=case.pk).count() == 1


def test_naming_only_a_substitute_leaves_step_2_open(socialraadgiver, leder, guldborgsund):
    case = open_without_plan_responsible(leder, guldborgsund)
    services.case_responsibility_set(actor=leder, case=case, plan_responsible=None, substitute=socialraadgiver)
    assert appoint_task(case).completed_on is None


def test_a_plan_responsible_named_before_the_intake_is_known_completes_step_2_when_it_is(socialraadgiver, guldborgsund):
    case = open_case(actor=socialraadgiver, municipality=guldborgsund, intake_on=None, release_on=None)
    assert not case.tasks.filter(obligation_id="appoint_plan_responsible").exists()
    services.case_facts_update(
        actor=socialraadgiver, case=case, revision=case.revision,
        changes={"intake_on": TODAY - timedelta(days=2), "release_on": TODAY + timedelta(days=700)},
    )
    task = appoint_task(case)
    assert (task.completed_on, task.completed_by) == (TODAY, socialraadgiver)
    assert task.evidence == "Sagen havde allerede en handleplansansvarlig."


def test_step_2_says_in_english_what_was_done_for_an_english_user(socialraadgiver, guldborgsund):
    with translation.override("en"):
        case = open_case(actor=socialraadgiver, municipality=guldborgsund)
    assert appoint_task(case).evidence == "The plan-responsible was named when the case was opened."


def test_the_sync_and_the_nightly_sweep_keep_step_2_done(sag, socialraadgiver):
    task = appoint_task(sag)
    assert task.completed_on == TODAY
    services.case_facts_update(
        actor=socialraadgiver, case=sag, revision=sag.revision, changes={"intake_on": TODAY - timedelta(days=10)}
    )
    with time_machine.travel(TODAY + timedelta(days=1), tick=False):
        assert services.case_recalculate_open() == 1
    again = sag.tasks.filter(obligation_id="appoint_plan_responsible")
    assert again.count() == 1
    assert (again[0].pk, again[0].completed_on, again[0].completed_by) == (task.pk, TODAY, socialraadgiver)
    assert again[0].due_on == TODAY - timedelta(days=10)
    assert AuditEntry.objects.filter(action="koreplan.task.completed", case_id=sag.pk).count() == 1


def test_accepting_a_hand_over_names_the_plan_responsible_and_completes_step_2(
    socialraadgiver, leder, fremmed, andet_faengsel, guldborgsund
):
    case = open_without_plan_responsible(leder, guldborgsund)
    handover = services.handover_request(
        actor=leder, case=case, kind=Handover.Kind.INSTITUTION, to_organisation=andet_faengsel
    )
    services.handover_accept(actor=fremmed, handover=handover)
    task = appoint_task(case)
    assert (task.completed_on, task.completed_by) == (TODAY, fremmed)
    assert task.responsible_organisation == andet_faengsel


def test_opening_with_step_2_done_on_an_earlier_day(socialraadgiver, guldborgsund):
    case = open_case(actor=socialraadgiver, municipality=guldborgsund)
    client = services.client_create(
        actor=socialraadgiver, cpr=a_cpr(), first_name="A", last_name="B", acting_municipality=guldborgsund
    )
    with pytest.raises(ValidationError) as raised:
        services.case_open(
            actor=socialraadgiver, client=client, case_type="imprisonment", holding_organisation=case.holding_organisation,
            plan_responsible=socialraadgiver, facts={"intake_on": TODAY}, appointed_on=TODAY + timedelta(days=1),
        )
    assert "plan_responsible" in raised.value.message_dict
    opened = services.case_open(
        actor=socialraadgiver, client=client, case_type="imprisonment", holding_organisation=case.holding_organisation,
        plan_responsible=socialraadgiver, facts={"intake_on": TODAY - timedelta(days=40)},
        appointed_on=TODAY - timedelta(days=40),
    )
    assert appoint_task(opened.case).completed_on == TODAY - timedelta(days=40)
