import pytest

from koreplan.cases import services as case_services
from koreplan.cases.tests.factories import open_case
from koreplan.consent.tests.factories import give_consent
from koreplan.plans.tests.factories import start_plan


@pytest.fixture
def sag(socialraadgiver, guldborgsund):
    """Jens Hansen's case at Susanne's prison, with a journal entry, a plan and a consent."""
    case = open_case(actor=socialraadgiver, municipality=guldborgsund)
    case_services.journal_entry_add(
        actor=socialraadgiver, case=case, kind="contact", occurred_on=case.intake_on,
        text="Samtale om bolig; klienten bor hos sin søster.",
    )
    start_plan(actor=socialraadgiver, case=case)
    give_consent(actor=socialraadgiver, case=case, categories=["housing"], note="Underskrevet ved samtalen.")
    return case
