"""`koreplan generate --scale national` at a tiny scale: the shapes the services would
have made, on whatever database the tests run (SQLite by default, PostgreSQL in CI)."""

from __future__ import annotations

import random
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q

from koreplan.accounts.models import User
from koreplan.audit.models import AuditEntry
from koreplan.audit.selectors import audit_chain_verify
from koreplan.cases import services
from koreplan.cases.models import Case, CaseParticipation, Client, Handover, Stay, Task
from koreplan.generate.models import GeneratedSet
from koreplan.generate.national import BUSY_USERNAME

OPEN, CLOSED = 200, 2_000


@pytest.fixture(scope="module")
def national(django_db_setup, django_db_blocker):
    """One tiny national set for the module, rolled back at its end (each test runs in a
    savepoint inside this transaction)."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("generate", "--scale", "national", "--open", str(OPEN), "--closed", str(CLOSED),
                     "--seed", "7", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def generated_cases():
    generated = GeneratedSet.objects.get(scale=GeneratedSet.Scale.NATIONAL)
    return Case.objects.filter(pk__gte=generated.first_case_id, pk__lte=generated.last_case_id)


# -- the national set ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_national_makes_the_counts_asked_for(national):
    cases = generated_cases()
    assert cases.filter(status=Case.Status.OPEN).count() == OPEN
    assert cases.filter(status=Case.Status.CLOSED).count() == CLOSED
    assert "National data generated in" in national
    assert Task.objects.filter(case__in=cases).count() > 5 * (OPEN + CLOSED)


@pytest.mark.django_db
def test_every_case_has_its_holder_as_an_active_participation(national):
    holder = CaseParticipation.objects.filter(
        case=OuterRef("pk"), organisation=OuterRef("holding_organisation"), part="holder", ended_at__isnull=True
    )
    assert not generated_cases().exclude(Exists(holder)).exists()
    # And one holder at a time.
    assert not CaseParticipation.objects.filter(part="holder", ended_at__isnull=True).values("case").annotate(
        n=Count("pk")).filter(n__gt=1).exists()


@pytest.mark.django_db
def test_closed_cases_have_closed_at_and_open_ones_do_not(national):
    cases = generated_cases()
    assert not cases.filter(status=Case.Status.CLOSED, closed_at__isnull=True).exists()
    assert not cases.filter(status=Case.Status.OPEN, closed_at__isnull=False).exists()
    assert not cases.filter(closed_at__lt=F("opened_at")).exists()


@pytest.mark.django_db
def test_tasks_are_what_the_timeline_and_case_tasks_sync_make(national):
    """For a sample: the timeline's obligations are the timeline tasks, and syncing the case
    changes nothing — neither the tasks nor the flags."""
    ids = list(generated_cases().values_list("pk", flat=True))
    columns = ("obligation_id", "occurrence", "due_on", "completed_on", "who", "responsible_organisation_id",
               "asap", "assumed", "non_working_day", "step", "legal_basis", "title_da", "title_en")
    for pk in random.Random(3).sample(ids, 120):
        case = Case.objects.select_related("client__acting_municipality", "holding_organisation", "kif").get(pk=pk)
        timeline = services.case_timeline(case)
        tasks = list(case.tasks.filter(from_timeline=True).values_list(*columns).order_by("due_on", "obligation_id", "occurrence"))
        assert [(o.id, o.occurrence, o.due_on, o.completed_on) for o in timeline.obligations] == [t[:4] for t in tasks], pk
        flags = (case.plan_required, case.roadmap_applies, case.expected_release_on)
        assert flags == (timeline.plan_required, timeline.roadmap_applies, timeline.expected_release_on)
        with transaction.atomic():
            services.case_tasks_sync(case=case)
            after = list(case.tasks.filter(from_timeline=True).values_list(*columns).order_by("due_on", "obligation_id", "occurrence"))
            transaction.set_rollback(True)
        assert after == tasks, pk


@pytest.mark.django_db
def test_open_tasks_lie_with_an_organisation_that_has_the_case_and_done_ones_where_they_were_done(national):
    """No open task lies with an organisation that has let go of the case; after parole,
    some of the prison's tasks have passed to KIF while those it did stay counted at it."""
    cases = generated_cases().filter(status=Case.Status.OPEN)
    active = CaseParticipation.objects.filter(
        case=OuterRef("case"), organisation=OuterRef("responsible_organisation"), ended_at__isnull=True
    )
    open_tasks = Task.objects.filter(case__in=cases, completed_on__isnull=True, from_timeline=True).exclude(
        who="municipality"
    )
    assert not open_tasks.exclude(Exists(active)).exists()
    with_kif = Task.objects.filter(case__in=cases.filter(holding_organisation__kind="kif"), who="institution")
    assert with_kif.filter(completed_on__isnull=True, responsible_organisation=F("case__holding_organisation")).exists()
    assert with_kif.filter(completed_on__isnull=False, responsible_organisation__kind="institution").exists()


@pytest.mark.django_db
def test_the_population_is_realistic(national):
    cases = generated_cases()
    imprisonment = cases.filter(case_type="imprisonment")
    short = imprisonment.filter(sentence__in=["P1M", "P2M", "P3M"]).count()
    assert short > imprisonment.count() / 2, "most sentences are short"
    assert imprisonment.filter(expected_parole_on__isnull=False).count() > imprisonment.count() / 5, "parole is common"
    today = services.timezone.localdate()
    overdue = Task.objects.filter(case__in=cases.filter(status="open"), completed_on__isnull=True, due_on__lt=today)
    assert overdue.exists(), "some tasks are overdue"
    assert Task.objects.filter(case__in=cases, completed_on__gt=F("due_on")).exists(), "some were done late"
    assert cases.filter(Q(housing_secured=False) | Q(income_secured=False)).exists()
    # Spread over the real organisations.
    assert cases.values("holding_organisation").distinct().count() > 30
    assert Client.objects.values("acting_municipality").distinct().count() > 50
    assert Handover.objects.filter(case__in=cases, status="accepted").exists()
    assert Handover.objects.filter(case__in=cases, status="requested").exists()
    assert Stay.objects.filter(case__in=cases).count() > cases.count()


@pytest.mark.django_db
def test_the_busy_social_worker_holds_open_cases_at_storstrom(national):
    busy = User.objects.get(username=BUSY_USERNAME)
    assert busy.organisation.name == "Storstrøm Fængsel"
    assert Case.objects.filter(plan_responsible=busy, status="open").exists()
    # Every plan-responsible works where the case is held.
    assert not generated_cases().filter(plan_responsible__isnull=False).exclude(
        plan_responsible__organisation=F("holding_organisation")).exists()


@pytest.mark.django_db
def test_the_audit_chain_verifies_and_generated_entries_are_marked(national):
    assert audit_chain_verify() is None
    generated = AuditEntry.objects.filter(user_agent="koreplan generate")
    assert generated.filter(action="koreplan.case.opened").count() == OPEN + CLOSED
    assert generated.filter(action="koreplan.case.closed").count() == CLOSED
    assert AuditEntry.objects.filter(action="koreplan.generate.completed").exists()
    # In time order: the log reads as it happened.
    times = list(generated.order_by("id").values_list("created_at", flat=True))
    assert times == sorted(times)


@pytest.mark.django_db
def test_partner_records_follow_the_tasks(national):
    if apps.is_installed("koreplan.coordination"):
        MunicipalRequest = apps.get_model("coordination", "MunicipalRequest")
        requests = MunicipalRequest.objects.filter(case__in=generated_cases())
        assert requests.exists()
        assert not requests.filter(disclosure__isnull=True).exists()
        done = Task.objects.filter(obligation_id="notify_municipality_of_intake", completed_on__isnull=False,
                                   case__in=generated_cases())
        assert requests.filter(kind="intake_notice").count() == done.count()
    if apps.is_installed("koreplan.plans"):
        ActionPlan = apps.get_model("plans", "ActionPlan")
        first_plans = Task.objects.filter(obligation_id__in=["first_plan", "supervision_plan"], occurrence=1,
                                          completed_on__isnull=False, case__in=generated_cases())
        assert ActionPlan.objects.filter(case__in=generated_cases()).count() == first_plans.values("case").distinct().count()
    if apps.is_installed("koreplan.release"):
        Meeting = apps.get_model("release", "Meeting")
        held = Task.objects.filter(obligation_id="release_meeting", completed_on__isnull=False, case__in=generated_cases())
        assert Meeting.objects.filter(kind="release_meeting", status="held").count() == held.count()
        ReleaseOutcome = apps.get_model("release", "ReleaseOutcome")
        assert ReleaseOutcome.objects.filter(released_to_street=True).exists(), "some are released to the street"




@pytest.mark.django_db
def test_step_2_is_done_at_opening_where_the_plan_responsible_is_named_from_the_start(national):
    """As case_open does: a case opened with its plan-responsible has step 2 done that day,
    by the one who opened it; a case called in but not yet admitted has none, and step 2 waits."""
    today = services.timezone.localdate()
    appoint = Task.objects.filter(case__in=generated_cases(), obligation_id="appoint_plan_responsible").select_related("case")
    done, waiting = appoint.filter(completed_on__isnull=False), appoint.filter(completed_on__isnull=True)
    assert done.exists() and waiting.exists()
    assert not waiting.exclude(case__intake_on__gt=today).exists()
    assert not waiting.filter(case__plan_responsible__isnull=False).exists()
    evidence = str(services.APPOINTED_AT_OPENING)
    for task in done[:200]:
        opened = AuditEntry.objects.get(action="koreplan.case.opened", case_id=task.case_id)
        assert task.completed_on == services.timezone.localtime(task.case.opened_at).date()
        assert task.completed_on <= (task.case.intake_on or task.case.execution_started_on)
        assert (task.completed_by_id, task.evidence) == (opened.actor_id, evidence)
        completed = AuditEntry.objects.get(action="koreplan.task.completed", object_id=str(task.pk))
        assert completed.data["automatic"] is True and completed.created_at > opened.created_at
