"""The purpose of a read: from the "Formål" field (query string) or an API call's X-Purpose header."""

import pytest
from django.test import RequestFactory

from koreplan.audit.models import AuditEntry
from koreplan.audit.services import audit_record, request_purpose
from koreplan.cases.tests.factories import open_case

pytestmark = pytest.mark.django_db


def test_the_purpose_comes_from_the_query_string_or_the_header():
    factory = RequestFactory()
    assert request_purpose(factory.get("/", {"purpose": "  Klage   over  afgørelse "})) == "Klage over afgørelse"
    # HTTP hands a header over as Latin-1; a UTF-8 "Formål" is read back as UTF-8.
    header = "Formål: tilsyn".encode().decode("latin-1")
    assert request_purpose(factory.get("/", HTTP_X_PURPOSE=header)) == "Formål: tilsyn"
    assert request_purpose(factory.get("/", HTTP_X_PURPOSE="Tilsyn")) == "Tilsyn"
    assert len(request_purpose(factory.get("/", {"purpose": "x" * 1000}))) == 300
    # A POST body's purpose field is something else (a release appointment's purpose).
    assert request_purpose(factory.post("/", {"purpose": "housing"})) == ""


def test_an_explicit_purpose_wins_over_the_requests():
    request = RequestFactory().get("/", {"purpose": "fra adressen"})
    request.user = None
    assert audit_record(action="koreplan.test.done", request=request, purpose="givet").purpose == "givet"
    assert audit_record(action="koreplan.test.done", request=request).purpose == "fra adressen"


def test_the_case_search_records_its_purpose_field_and_the_cases_it_showed(client, socialraadgiver, guldborgsund):
    sag = open_case(actor=socialraadgiver, municipality=guldborgsund)
    client.force_login(socialraadgiver)
    response = client.get("/sager/", {"q": "Hansen", "purpose": "Forberedelse af møde"})
    assert 'name="purpose"' in response.content.decode()
    entry = AuditEntry.objects.filter(action="koreplan.case.searched").get()
    assert entry.purpose == "Forberedelse af møde"
    assert entry.data["case_ids"] == [sag.pk]


@pytest.mark.parametrize(
    "how", [{"data": {"purpose": "Tilsyn"}}, {"HTTP_X_PURPOSE": "Tilsyn"}], ids=["query parameter", "header"]
)
def test_api_reads_record_the_purpose(client, socialraadgiver, guldborgsund, how):
    sag = open_case(actor=socialraadgiver, municipality=guldborgsund)
    client.force_login(socialraadgiver)
    assert client.get(f"/api/v1/cases/{sag.pk}", **how).status_code == 200
    assert client.get("/api/v1/cases", **how).status_code == 200
    entries = AuditEntry.objects.filter(action__in=["koreplan.api.case_read", "koreplan.api.cases_listed"])
    assert sorted((e.action, e.purpose) for e in entries) == [
        ("koreplan.api.case_read", "Tilsyn"), ("koreplan.api.cases_listed", "Tilsyn"),
    ]
