"""The consent pages: who may see them, recording, withdrawing, the signed copy (type and
size checked by content), the consent form for signature, and the second approval."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from koreplan.audit.models import AuditEntry
from koreplan.cases.tests.factories import open_case
from koreplan.consent import services, uploads
from koreplan.consent.models import Consent, Disclosure

from .factories import a_pdf, an_image, give_consent

TODAY = date(2026, 11, 24)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def sag(socialraadgiver, guldborgsund):
    return open_case(actor=socialraadgiver, municipality=guldborgsund)


def as_user(client, user):
    client.force_login(user)
    return client


def test_the_consent_page_is_for_those_with_a_part_in_the_case(client, sag, socialraadgiver, kollega, fremmed, kommune, sagsbehandler):
    url = reverse("consent:list", args=[sag.pk])
    for user in (socialraadgiver, kollega):
        assert as_user(client, user).get(url).status_code == 200
    for user in (fremmed, kommune, sagsbehandler):
        assert as_user(client, user).get(url).status_code == 404
        assert as_user(client, user).get(reverse("consent:create", args=[sag.pk])).status_code == 404
    assert AuditEntry.objects.filter(action="koreplan.consent.viewed", case_id=sag.pk).count() == 2


def test_a_consent_is_recorded_with_its_signed_copy(client, sag, socialraadgiver, guldborgsund):
    as_user(client, socialraadgiver)
    response = client.post(reverse("consent:create", args=[sag.pk]), {
        "categories": ["housing", "finances"], "recipient_organisation": guldborgsund.pk, "recipient_department": "",
        "purposes": ["coordination", "release_planning"], "given_on": "2026-11-20", "valid_until": "2027-11-20",
        "signed_copy": a_pdf(),
    })
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.categories == ["housing", "finances"] and consent.purposes == ["coordination", "release_planning"]
    assert consent.signed_copy_type == "application/pdf" and len(consent.signed_copy_sha256) == 64
    # Stored under a name of its own, never the uploaded one.
    assert consent.signed_copy.name.startswith(f"consent/{sag.client_id}/") and "samtykke" not in consent.signed_copy.name
    page = client.get(reverse("consent:list", args=[sag.pk]))
    assert "Guldborgsund" in page.content.decode()


def test_a_refusal_needs_its_reasons(client, sag, socialraadgiver, guldborgsund):
    as_user(client, socialraadgiver)
    url = reverse("consent:refuse", args=[sag.pk])
    data = {"categories": ["health_mental"], "recipient_organisation": guldborgsund.pk, "purposes": ["coordination"],
            "given_on": "2026-11-24", "refusal_kind": "will_not_answer", "refusal_reasons": ""}
    assert client.post(url, data).status_code == 422
    data["refusal_reasons"] = "Ønsker ikke at forholde sig til det, før han har talt med sin advokat."
    assert client.post(url, data).status_code == 302
    assert Consent.objects.get().get_refusal_kind_display()


def test_a_consent_is_withdrawn(client, sag, socialraadgiver):
    consent = give_consent(actor=socialraadgiver, case=sag, categories=["housing"], given_on=date(2026, 10, 1))
    as_user(client, socialraadgiver)
    response = client.post(reverse("consent:withdraw", args=[sag.pk, consent.pk]), {"withdrawn_on": "2026-11-23", "note": "Skriftligt"})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == date(2026, 11, 23) and consent.withdrawn_by == socialraadgiver


# -- the signed copy: content, not the name, decides ---------------------------------------------


@pytest.mark.parametrize("upload", [a_pdf(), an_image("PNG", "scan.png"), an_image("JPEG", "foto.JPG")], ids=["pdf", "png", "jpeg"])
def test_pdf_png_and_jpeg_are_accepted(upload):
    checked = uploads.check_signed_copy(upload)
    assert checked.content_type in {"application/pdf", "image/png", "image/jpeg"}


def _refused(upload) -> str:
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with pytest.raises(ValidationError) as error, translation.override("en"):
        uploads.check_signed_copy(upload)
    return " ".join(error.value.message_dict["signed_copy"])


def test_a_file_that_only_claims_to_be_a_pdf_is_refused():
    from django.core.files.uploadedfile import SimpleUploadedFile

    assert "not a PDF, JPEG or PNG" in _refused(SimpleUploadedFile("samtykke.pdf", b"MZ\x90\x00 an executable", "application/pdf"))
    assert "not a PDF, JPEG or PNG" in _refused(SimpleUploadedFile("samtykke.pdf", b"<html><script>", "application/pdf"))


def test_the_name_must_agree_with_the_content():
    assert "content is image/png" in _refused(an_image("PNG", "samtykke.pdf"))
    assert "content is application/pdf" in _refused(a_pdf("samtykke.docx"))


def test_a_damaged_file_is_refused():
    from django.core.files.uploadedfile import SimpleUploadedFile

    assert "incomplete or damaged" in _refused(SimpleUploadedFile("x.pdf", b"%PDF-1.4\nno end", "application/pdf"))
    assert "damaged" in _refused(SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image/png"))
    assert "empty" in _refused(SimpleUploadedFile("x.pdf", b"", "application/pdf"))


def test_a_file_over_10_mb_is_refused():
    assert "at most 10 MB" in _refused(a_pdf(size=uploads.MAX_BYTES + 1))
    assert uploads.check_signed_copy(a_pdf(size=uploads.MAX_BYTES)).size == uploads.MAX_BYTES


def test_the_upload_view_refuses_what_the_check_refuses(client, sag, socialraadgiver):
    from django.core.files.uploadedfile import SimpleUploadedFile

    consent = give_consent(actor=socialraadgiver, case=sag, categories=["housing"])
    as_user(client, socialraadgiver)
    url = reverse("consent:signed_copy", args=[sag.pk, consent.pk])
    response = client.post(url, {"signed_copy": SimpleUploadedFile("a.pdf", b"GIF89a....", "application/pdf")})
    assert response.status_code == 422
    consent.refresh_from_db()
    assert not consent.signed_copy
    assert client.post(url, {"signed_copy": an_image("PNG", "scan.png")}).status_code == 302
    consent.refresh_from_db()
    assert consent.signed_copy_type == "image/png"


def test_the_signed_copy_is_served_only_to_those_who_may_see_the_case(client, sag, socialraadgiver, kollega, fremmed, kommune):
    consent = give_consent(actor=socialraadgiver, case=sag, categories=["housing"], signed_copy=a_pdf())
    url = reverse("consent:signed_copy", args=[sag.pk, consent.pk])
    response = as_user(client, kollega).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert AuditEntry.objects.filter(action="koreplan.consent.signed_copy_viewed", actor=kollega).exists()
    for user in (fremmed, kommune):
        assert as_user(client, user).get(url).status_code == 404
    # Nor can anyone reach it with another case's number.
    other = open_case(actor=fremmed, municipality=sag.client.acting_municipality)
    assert as_user(client, fremmed).get(reverse("consent:signed_copy", args=[other.pk, consent.pk])).status_code == 404
    with pytest.raises(NotImplementedError):
        consent.signed_copy.url


def test_the_others_cannot_upload(client, sag, socialraadgiver, kommune):
    consent = give_consent(actor=socialraadgiver, case=sag, categories=["housing"])
    response = as_user(client, kommune).post(reverse("consent:signed_copy", args=[sag.pk, consent.pk]), {"signed_copy": a_pdf()})
    assert response.status_code == 404


# -- the consent form for signature ------------------------------------------------------------------


def test_the_consent_form_prints_in_danish_as_html_and_pdf(client, sag, socialraadgiver, guldborgsund):
    as_user(client, socialraadgiver)
    query = {"categories": ["housing", "substance_use"], "recipient_organisation": guldborgsund.pk,
             "recipient_department": "jobcenter", "purposes": ["coordination"], "language": "da"}
    html = client.get(reverse("consent:print", args=[sag.pk]), query)
    assert html.status_code == 200
    text = html.content.decode()
    assert 'lang="da"' in text and "Guldborgsund" in text and sag.client.cpr_display in text
    assert "Samtykke" in text
    pdf = client.get(reverse("consent:print_pdf", args=[sag.pk]), query)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="koreplan.consent.form_printed", case_id=sag.pk).count() == 2
    # Without a scope it asks for one.
    assert client.get(reverse("consent:print", args=[sag.pk])).status_code == 200


# -- the second person --------------------------------------------------------------------------------


def test_a_colleague_approves_a_disclosure_without_consent(client, sag, socialraadgiver, kollega):
    disclosure, _ = services.disclosure_propose(
        actor=socialraadgiver, case=sag, summary="Misbrugsbehandling", categories=["substance_use"],
        recipient_organisation=sag.client.acting_municipality, departments=["misbrugscenter"], purpose="release_planning",
        legal_basis="dbl_8_2_3", justification="Behandlingen skal fortsætte uden afbrydelse.",
    )
    url = reverse("consent:disclosure_decide", args=[sag.pk, disclosure.pk])
    assert as_user(client, socialraadgiver).get(url).status_code == 403
    assert as_user(client, kollega).get(url).status_code == 200
    assert client.post(url, {"approve": "yes"}).status_code == 302
    disclosure.refresh_from_db()
    assert disclosure.status == Disclosure.Status.DISCLOSED and disclosure.approved_by == kollega
