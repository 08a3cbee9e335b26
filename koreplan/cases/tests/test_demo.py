"""`manage.py demo`: what `make run` loads on an empty database, and that it loads it once."""

from collections import Counter
from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.test import override_settings

from koreplan.accounts.models import Role, User
from koreplan.audit.models import AuditEntry
from koreplan.audit.selectors import audit_chain_verify
from koreplan.cases import selectors
from koreplan.cases.demo import STAFF, URL
from koreplan.cases.models import Case, CaseType, Client, Handover, JournalEntry, Task
from koreplan.domain.cpr import parse_cpr
from koreplan.organisations.models import Organisation

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
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Load the demo once for this module's tests (it takes seconds), on a fixed day, on
    an empty database, inside a transaction rolled back after the last of them."""
    with (
        django_db_blocker.unblock(),
        time_machine.travel(TODAY, tick=False),
        # As the suite's other tests hash passwords (conftest.py), so check_password works.
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            assert not User.objects.exists() and not Organisation.objects.exists()
            out = StringIO()
            call_command("demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


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


def test_the_demo_is_made_through_the_services(demo):
    for client in Client.objects.all():
        assert parse_cpr(client.cpr, today=TODAY) == (client.cpr, client.birth_date)
    opened = AuditEntry.objects.filter(action="koreplan.case.opened").count()
    assert opened == Case.objects.count()
    assert AuditEntry.objects.filter(action="koreplan.task.completed").count() == Task.objects.filter(
        completed_on__isnull=False, from_timeline=True
    ).count()
    assert audit_chain_verify() is None


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
