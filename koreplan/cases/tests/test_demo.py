"""`manage.py demo`: what `make run` loads on an empty database, and that it loads it once.

Besides the staff and the cases: action plans, consents, notices and requests in the
municipalities' inboxes, and the release — each made through its service, nothing dated
after the day it was loaded.
"""

from collections import Counter
from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from koreplan.accounts.models import Role, User
from koreplan.audit.models import AuditEntry
from koreplan.audit.selectors import audit_chain_verify
from koreplan.cases import selectors
from koreplan.cases.demo import STAFF, URL
from koreplan.cases.tests.once_per_module import rolled_back_world
from koreplan.cases.models import Case, CaseType, Client, Handover, JournalEntry, Task
from koreplan.consent.models import Consent, Disclosure
from koreplan.consent.selectors import disclosures_awaiting_approval_by
from koreplan.coordination import selectors as coordination_selectors
from koreplan.coordination.models import MunicipalRequest
from koreplan.domain.cpr import parse_cpr
from koreplan.domain.release import Level
from koreplan.domain.release import ReadinessItem as Item
from koreplan.notifications.models import Notification, OutboxMessage
from koreplan.organisations.models import Organisation
from koreplan.plans.models import (
    ActionPlan,
    AreaChange,
    Evaluation,
    PlanStatus,
    PlanVersion,
)
from koreplan.release import selectors as release_selectors
from koreplan.release.models import (
    Agreement,
    KifInvolvement,
    Meeting,
    ReadinessItem,
    ReleaseOutcome,
)

TODAY = date(2026, 11, 24)


def snapshot() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "organisations": Organisation.objects.count(),
        "clients": Client.objects.count(),
        "cases": Case.objects.count(),
        "tasks": Task.objects.count(),
        "tasks_done": Task.objects.filter(completed_on__isnull=False).count(),
        "handovers": Handover.objects.count(),
        "journal": JournalEntry.objects.count(),
        "audit": AuditEntry.objects.count(),
        "plans": ActionPlan.objects.count(),
        "plan_versions": PlanVersion.objects.count(),
        "area_changes": AreaChange.objects.count(),
        "evaluations": Evaluation.objects.count(),
        "consents": Consent.objects.count(),
        "disclosures": Disclosure.objects.count(),
        "requests": MunicipalRequest.objects.count(),
        "meetings": Meeting.objects.count(),
        "readiness": ReadinessItem.objects.count(),
        "outcomes": ReleaseOutcome.objects.count(),
        "kif_involvements": KifInvolvement.objects.count(),
        "notifications": Notification.objects.count(),
        "outbox": OutboxMessage.objects.count(),
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Load the demo once for this module's tests (it takes seconds), on a fixed day, on
    an empty database, inside a transaction rolled back after the last of them."""
    with rolled_back_world(django_db_blocker, today=TODAY):
        assert not User.objects.exists() and not Organisation.objects.exists()
        out = StringIO()
        call_command("demo", stdout=out)
        yield out.getvalue()


pytestmark = pytest.mark.django_db


def test_the_demo_logins_are_the_ones_the_readme_promises(demo):
    users = {u.username: u for u in User.objects.filter(username__in=["socialraadgiver", "kif", "kommune", "leder", "admin"])}
    social_worker = users["socialraadgiver"]
    assert social_worker.role == Role.SOCIAL_WORKER
    assert social_worker.organisation.institution_type == Organisation.InstitutionType.CLOSED_PRISON
    assert users["kif"].role == Role.KIF_OFFICER and users["kif"].organisation.kind == Organisation.Kind.KIF
    assert users["leder"].role == Role.MANAGER and users["leder"].organisation == social_worker.organisation
    assert users["admin"].is_superuser and users["admin"].role == Role.ADMINISTRATOR
    # kommune staffs the entrance of the municipality most demo clients belong to.
    most_clients = Counter(Client.objects.values_list("acting_municipality", flat=True)).most_common(1)[0][0]
    assert users["kommune"].role == Role.MUNICIPAL_ENTRANCE
    assert users["kommune"].organisation_id == most_clients
    assert all(user.check_password("demo") for user in users.values())
    for name in users:
        assert name in demo
    assert URL in demo


@pytest.mark.second_factor_unverified
@pytest.mark.parametrize("username", ["leder", "admin"])
def test_the_manager_and_the_administrator_log_in_with_a_printed_one_time_code(demo, username):
    from django.test import Client as Browser

    lines = demo.splitlines()
    at = next(i for i, line in enumerate(lines) if line.split()[:1] == [username])
    assert "one-time code" in lines[at + 1]
    codes = lines[at + 1].split(":", 1)[1].split()
    assert len(codes) == 10
    browser = Browser()
    assert browser.post("/login/", {"username": username, "password": "demo"}).status_code == 302
    assert browser.get("/opgaver/")["Location"].startswith("/login/kode/")
    response = browser.post("/login/kode/", {"otp_token": codes[0], "next": "/opgaver/"})
    assert response["Location"] == "/opgaver/"
    assert browser.get("/opgaver/").status_code == 200


def test_every_demo_manager_and_administrator_has_backup_codes(demo):
    from koreplan.accounts.selectors import otp_backup_codes_left

    for user in User.objects.filter(username__in=[m.username for m in STAFF]):
        assert (otp_backup_codes_left(user=user) == 10) is user.second_factor_required, user.username


def test_the_demo_has_the_reference_data_and_staff_in_every_role(demo):
    assert Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).count() == 98
    assert Organisation.objects.filter(kind=Organisation.Kind.INSTITUTION, name="Storstrøm Fængsel").exists()
    staff = User.objects.filter(username__in=[m.username for m in STAFF])
    assert 35 <= staff.count() <= 45
    assert set(staff.values_list("role", flat=True)) == set(Role.values)
    for user in staff:
        user.full_clean()  # every role exists in its kind of organisation


def test_the_demo_has_cases_at_every_stage(demo):
    today = TODAY
    assert Case.objects.count() >= 250
    assert set(Case.objects.values_list("case_type", flat=True)) == set(CaseType.values)
    assert Case.objects.filter(status=Case.Status.CLOSED).exists()
    assert Case.objects.filter(intake_on__gt=today).exists()  # called in, not yet admitted
    assert Case.objects.filter(status=Case.Status.OPEN, expected_release_on__lt=today).exists()  # just released
    assert Case.objects.filter(holding_organisation__kind=Organisation.Kind.KIF).exists()
    # Tasks done on time, done late, and overdue — never done in the future.
    done = Task.objects.filter(completed_on__isnull=False)
    assert done.filter(completed_on__lte=F("due_on")).exists()
    assert done.filter(completed_on__gt=F("due_on")).exists()
    assert not done.filter(completed_on__gt=today).exists()
    assert Task.objects.filter(completed_on__isnull=True, due_on__lt=today, case__status=Case.Status.OPEN).exists()
    # Hand-overs waiting between institutions and to KIF at parole.
    pending = Handover.objects.filter(status=Handover.Status.REQUESTED)
    assert pending.filter(kind=Handover.Kind.INSTITUTION).exists()
    assert pending.filter(kind=Handover.Kind.KIF_AT_PAROLE).exists()
    assert JournalEntry.objects.exists()
    assert not JournalEntry.objects.filter(occurred_on__gt=today).exists()


def test_every_case_opened_with_its_plan_responsible_has_step_2_done(demo):
    """Every demo case is opened at its intake with its plan-responsible named: step 2 is
    done then (today for those called in but not yet admitted), by the one who opened it."""
    appoint = Task.objects.filter(obligation_id="appoint_plan_responsible").select_related("case")
    assert appoint.count() > 100
    assert not appoint.filter(completed_on__isnull=True).exists()
    for task in appoint:
        case = task.case
        assert task.completed_on == min(case.intake_on or case.execution_started_on, TODAY)
        assert task.evidence == "Handleplansansvarlig var udpeget, da sagen blev oprettet."
        opened = AuditEntry.objects.get(action="koreplan.case.opened", case_id=case.pk)
        assert task.completed_by_id == opened.actor_id
        assert AuditEntry.objects.filter(
            action="koreplan.task.completed", object_id=str(task.pk), data__automatic=True
        ).count() == 1


def test_the_demo_is_made_through_the_services(demo):
    for client in Client.objects.all():
        assert parse_cpr(client.cpr, today=TODAY) == (client.cpr, client.birth_date)
    opened = AuditEntry.objects.filter(action="koreplan.case.opened").count()
    assert opened == Case.objects.count()
    assert AuditEntry.objects.filter(action="koreplan.task.completed").count() == Task.objects.filter(
        completed_on__isnull=False, from_timeline=True
    ).count()
    # The plans, consents, requests and meetings too: each has the entry its service writes.
    audited = Counter(AuditEntry.objects.values_list("action", flat=True))
    assert audited["koreplan.plan.created"] == ActionPlan.objects.count()
    assert audited["koreplan.plan_version.finished"] == PlanVersion.objects.filter(finished_on__isnull=False).count()
    assert audited["koreplan.plan_evaluation.recorded"] == Evaluation.objects.count()
    assert audited["koreplan.consent.given"] + audited["koreplan.consent.refused"] == Consent.objects.count()
    assert audited["koreplan.disclosure.recorded"] == Disclosure.objects.count() == MunicipalRequest.objects.count()
    assert audited["koreplan.release.meeting_planned"] == Meeting.objects.count()
    assert audited["koreplan.release.outcome_recorded"] == ReleaseOutcome.objects.count()
    assert audited["koreplan.release.kif_involved"] == KifInvolvement.objects.count()
    assert audit_chain_verify() is None


def test_nothing_is_dated_after_the_day_it_was_loaded(demo):
    now = timezone.now()
    assert not Consent.objects.filter(given_on__gt=TODAY).exists()
    assert not Consent.objects.filter(withdrawn_on__gt=TODAY).exists()
    assert not Evaluation.objects.filter(held_on__gt=TODAY).exists()
    assert not PlanStatus.objects.filter(stated_on__gt=TODAY).exists()
    assert not PlanVersion.objects.filter(finished_on__gt=TODAY).exists()
    # No meeting is planned ahead: those in the demo were held, before today.
    assert not Meeting.objects.filter(ends_at__gt=now).exists()
    assert not Meeting.objects.exclude(status=Meeting.Status.HELD).exists()
    assert not Meeting.objects.filter(held_on__gte=TODAY).exists()
    assert not ReleaseOutcome.objects.filter(recorded_on__gt=TODAY).exists()
    assert not KifInvolvement.objects.filter(involved_on__gt=TODAY).exists()
    assert not MunicipalRequest.objects.filter(sent_at__gt=now).exists()
    for version in PlanVersion.objects.all():
        assert all(entry.on <= TODAY for entry in version.content_value().description)


# -- what the rest of the product shows --------------------------------------------------------


def test_most_prison_cases_have_an_action_plan_written_at_the_intake_interview(demo):
    admitted = Case.objects.filter(
        status=Case.Status.OPEN, holding_organisation__kind=Organisation.Kind.INSTITUTION,
        case_type=CaseType.IMPRISONMENT, intake_on__lte=TODAY, plan_required=True,
    )
    with_plan = admitted.filter(action_plan__isnull=False)
    assert with_plan.count() >= 0.6 * admitted.count()
    for case in with_plan.select_related("action_plan"):
        version = case.action_plan.versions.order_by("-number").first()
        content = version.content_value()
        assert content.participation.status is not None
        assert any(entry.from_intake_interview for entry in content.description)
        assert 1 <= len(content.areas) <= 3
        assert all(area.justification and area.goal for area in content.areas)
        # Every area of effort was added with a justification (VEJ pkt. 37).
        assert version.area_changes.filter(kind=AreaChange.Kind.ADDED).count() == len(content.areas)
    assert not AreaChange.objects.filter(justification="").exists()
    titles = {area.title for v in PlanVersion.objects.all() for area in v.content_value().areas}
    assert "Bolig efter løsladelsen" in titles  # in Danish
    # Some took no part; their plan says why (VEJ pkt. 8).
    declined = [v for v in PlanVersion.objects.all() if v.content_value().participation.status == "declined"]
    assert declined and all(v.content_value().participation.reason for v in declined)


def test_first_versions_are_finished_some_late_and_some_approved(demo):
    finished = PlanVersion.objects.filter(finished_on=TODAY)
    assert finished.count() >= 0.7 * PlanVersion.objects.count()
    # Finishing completes the first plan: on time where it is not due yet, late where it was.
    first_plans = Task.objects.filter(obligation_id="first_plan", completed_on=TODAY, evidence__contains="version 1")
    assert first_plans.filter(due_on__lt=TODAY).exists()
    assert first_plans.filter(due_on__gte=TODAY).exists()
    assert finished.filter(approval_status=PlanVersion.Approval.APPROVED).exists()
    awaiting = finished.filter(approval_status=PlanVersion.Approval.REQUESTED)
    assert awaiting.filter(plan__case__holding_organisation__name="Storstrøm Fængsel").exists()  # for leder
    assert not awaiting.filter(approval_requested_by__isnull=True).exists()
    # Evaluations recorded on the plan complete the Køreplan's tasks.
    assert Evaluation.objects.filter(task__isnull=False).count() == Evaluation.objects.count() > 0


def test_consents_are_mostly_given_to_the_acting_municipality_a_few_refused_with_reasons(demo):
    given = Consent.objects.filter(decision=Consent.Decision.GIVEN)
    refused = Consent.objects.filter(decision=Consent.Decision.REFUSED)
    assert given.count() >= 4 * refused.count() > 0
    assert given.filter(recipient_organisation=F("client__acting_municipality")).count() == given.count()
    assert not refused.filter(refusal_reasons="").exists()
    assert Consent.objects.filter(withdrawn_on__isnull=False).exists()


def test_guldborgsunds_inbox_has_requests_unread_routed_and_returned(demo):
    kommune = User.objects.get(username="kommune")
    inbox = coordination_selectors.inbox_for(user=kommune)
    statuses = Counter(inbox.values_list("status", flat=True))
    S = MunicipalRequest.Status
    assert statuses[S.SENT] >= 3 and statuses[S.RECEIVED] >= 1
    assert statuses[S.ACCEPTED] >= 3 and statuses[S.RETURNED] >= 1
    assert set(inbox.values_list("kind", flat=True)) == {"intake_notice", "case_files", "coordination"}
    assert not inbox.filter(status=S.RETURNED, return_reason="").exists()
    routed = inbox.filter(status=S.ACCEPTED)
    assert {r.routed_caseworker.organisation_id for r in routed} == {kommune.organisation_id}
    assert coordination_selectors.inbox_for(user=User.objects.get(username="jonas.krog")).exists()
    # Everything delivered left on consent, or on a legal basis a colleague approved.
    for request in MunicipalRequest.objects.filter(status__in=coordination_selectors.DELIVERED):
        assert request.disclosure.status == Disclosure.Status.DISCLOSED
    assert inbox.filter(disclosure__outcome=Disclosure.Outcome.ALLOWED_ON_LEGAL_BASIS).exists()
    # One still waits for the second person: in no inbox, but socialraadgiver may approve it.
    waiting = MunicipalRequest.objects.filter(status=S.AWAITING_APPROVAL)
    assert waiting.exists() and not inbox.filter(pk__in=waiting).exists()
    assert disclosures_awaiting_approval_by(user=User.objects.get(username="socialraadgiver")).exists()
    # Other municipalities have theirs.
    assert MunicipalRequest.objects.exclude(municipality_id=kommune.organisation_id).count() >= 10


def test_cases_near_release_have_meetings_readiness_and_kif(demo):
    held = Meeting.objects.filter(kind=Meeting.Kind.RELEASE_MEETING, status=Meeting.Status.HELD)
    assert held.count() >= 20
    assert not held.filter(plan_holder_after__isnull=True).exists()
    assert not held.filter(municipal_follow_up="").exists()
    assert held.filter(task__obligation_id="release_meeting").count() == held.count()
    assert Agreement.objects.filter(item__meeting__in=held).exists()
    assert Meeting.objects.filter(kind=Meeting.Kind.RELEASE_DAY).exists()
    assert Meeting.objects.filter(kind=Meeting.Kind.FOLLOW_UP).exists()
    # The readiness list: some all in place, some missing housing four weeks before release.
    signals = [
        release_selectors.case_release_signal(case=case, today=TODAY)
        for case in Case.objects.filter(status=Case.Status.OPEN, expected_release_on__gte=TODAY,
                                        readiness_items__isnull=False).distinct()
    ]
    assert sum(s.level is Level.READY for s in signals) >= 3
    assert any(s.level is Level.AT_RISK and Item.HOUSING in s.missing for s in signals)
    # KIF is involved where parole is expected, and sees the case.
    involved = KifInvolvement.objects.select_related("case")
    assert involved.exists()
    assert all(i.case.expected_parole_on is not None and i.task is not None for i in involved)
    kif = User.objects.get(username="kif")
    assert selectors.cases_visible_to(user=kif).filter(kif_involvements__kif=kif.organisation).exists()


def test_released_prisoners_have_an_outcome_about_one_in_eight_to_the_street(demo):
    released = Case.objects.filter(
        status=Case.Status.OPEN, holding_organisation__kind=Organisation.Kind.INSTITUTION,
        case_type=CaseType.IMPRISONMENT, expected_release_on__lt=TODAY,
    )
    assert released.exists()
    assert not released.exclude(release_outcomes__moment=ReleaseOutcome.Moment.AT_RELEASE).exists()
    at_release = ReleaseOutcome.objects.filter(moment=ReleaseOutcome.Moment.AT_RELEASE)
    assert at_release.count() >= 30
    share = at_release.filter(released_to_street=True).count() / at_release.count()
    assert 0.08 <= share <= 0.16
    assert ReleaseOutcome.objects.filter(moment=ReleaseOutcome.Moment.AFTER_FOUR_WEEKS).exists()
    # Once the outcome is there, it is the signal.
    street = at_release.filter(released_to_street=True, case__status=Case.Status.OPEN).first()
    assert release_selectors.case_release_signal(case=street.case, today=TODAY).level is Level.RELEASED_TO_STREET


def test_the_social_worker_has_a_realistic_worklist(demo):
    social_worker = User.objects.get(username="socialraadgiver")
    holds = Case.objects.filter(plan_responsible=social_worker, status=Case.Status.OPEN).count()
    covers = Case.objects.filter(substitute=social_worker, substitute_covering=True).count()
    assert 20 <= holds + covers <= 30
    with time_machine.travel(TODAY, tick=False):
        work = selectors.worklist(user=social_worker)
    assert work.overdue and work.later
    assert selectors.handovers_incoming(user=social_worker).exists()
    assert selectors.handovers_incoming(user=User.objects.get(username="kif")).exists()


def test_a_second_run_changes_nothing_and_prints_the_logins(demo):
    before = snapshot()
    out = StringIO()
    call_command("demo", stdout=out)
    assert snapshot() == before
    assert "already loaded" in out.getvalue()
    assert "socialraadgiver" in out.getvalue() and URL in out.getvalue()
    # `make run PORT=…` names the address the server will really answer at.
    out = StringIO()
    call_command("demo", "--url", "http://127.0.0.1:8123", stdout=out)
    assert "Open http://127.0.0.1:8123 and log in" in out.getvalue()
