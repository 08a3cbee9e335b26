"""`koreplan generate`: the demo through the services, refusing a database with cases it
did not make, and the bulk writer's own check of foreign keys."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from koreplan.accounts.models import User
from koreplan.audit.selectors import audit_chain_verify
from koreplan.cases import services
from koreplan.cases.models import Case, Stay, Task
from koreplan.generate.models import GeneratedSet
from koreplan.generate.national import foreign_cases
from koreplan.generate.writer import BulkWriter
from koreplan.organisations.models import Organisation
from koreplan.organisations.services import reference_data_load

# -- the demo ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_scale_makes_cases_with_tasks_through_the_services():
    out = StringIO()
    call_command("generate", "--scale", "demo", "--cases", "20", stdout=out)
    assert "Demo generated" in out.getvalue()
    assert Case.objects.count() >= 10
    assert Task.objects.values("case").distinct().count() >= 10
    demo = GeneratedSet.objects.get(scale=GeneratedSet.Scale.DEMO)
    assert demo.first_case_id == Case.objects.order_by("pk").first().pk
    assert foreign_cases() == 0
    assert audit_chain_verify() is None


# -- refusing, and the writer ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_refuses_a_database_with_cases_it_did_not_make_unless_forced():
    reference_data_load()
    prison = Organisation.objects.get(name="Storstrøm Fængsel")
    admin = User.objects.create_superuser("root", "root@example.invalid", "x")
    client = services.client_create(
        actor=admin, cpr="0101801235", first_name="Per", last_name="Hansen",
        acting_municipality=Organisation.objects.get(code="376"),
    )
    services.case_open(actor=admin, client=client, case_type="imprisonment", holding_organisation=prison)
    with pytest.raises(CommandError, match="not generated"):
        call_command("generate", "--scale", "national", "--open", "5", "--closed", "5", stdout=StringIO())
    call_command("generate", "--scale", "national", "--open", "5", "--closed", "5", "--force", stdout=StringIO())
    assert Case.objects.count() == 11
    assert foreign_cases() == 1
    assert audit_chain_verify() is None


@pytest.mark.django_db(transaction=False)
def test_the_writer_finds_a_dangling_foreign_key():
    reference_data_load()
    with transaction.atomic():
        writer = BulkWriter()
        stays = writer.table(Stay, ["id", "case", "organisation", "placement", "started_on"])
        stays.add((stays.allocate(), 10**9, Organisation.objects.first().pk, "kif", services.timezone.localdate()))
        writer.flush()
        with pytest.raises(IntegrityError, match="cases_stay.case_id"):
            writer.verify_foreign_keys()
        transaction.set_rollback(True)
