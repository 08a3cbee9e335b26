"""Uploads: a signed consent copy is limited in size and type, whatever its name or the
browser's Content-Type say, and a refusal is a clear Danish message that names the field;
nothing is saved and no file is left behind. A request body that is not a file is limited
by DATA_UPLOAD_MAX_MEMORY_SIZE.

The check itself is koreplan/consent/uploads.py (tested there); these tests go through the
pages as a social worker does.
"""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from koreplan.cases.tests.factories import open_case
from koreplan.consent import uploads
from koreplan.consent.models import Consent
from koreplan.consent.tests.factories import a_pdf, an_image, give_consent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def sag(socialraadgiver, guldborgsund):
    return open_case(actor=socialraadgiver, municipality=guldborgsund)


def consent_post(sag, guldborgsund, upload):
    return {
        "categories": ["housing"], "recipient_organisation": guldborgsund.pk, "recipient_department": "",
        "purposes": ["coordination"], "given_on": "2026-11-20", "valid_until": "", "signed_copy": upload,
    }


def field_error(html: str, field: str = "signed_copy") -> str:
    """The message shown in the field's own form group (under its label), in words."""
    match = re.search(
        rf'<label class="form-label" for="id_{field}">([^<]*)</label>.*?'
        rf'<span class="form-error-message" id="id_{field}-error">(.*?)</span>\n',
        html, re.DOTALL,
    )
    assert match, f"no error at the field {field}"
    words = " ".join(unescape(re.sub(r"<[^>]+>", " ", match.group(2))).split())
    return f"{match.group(1).strip()} – {words}"


def error_summary(html: str) -> str:
    match = re.search(r'<div class="alert alert-error" role="alert" id="error-summary">(.*?)</ul>', html, re.DOTALL)
    assert match, "no error summary"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def html_named_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("samtykke.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")


def svg_named_png() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "scan.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', content_type="image/png"
    )


def png_named_pdf() -> SimpleUploadedFile:
    image = an_image("PNG")
    return SimpleUploadedFile("samtykke.pdf", image.read(), content_type="application/pdf")


def exe_named_jpg() -> SimpleUploadedFile:
    return SimpleUploadedFile("foto.jpg", b"MZ\x90\x00" + b"\x00" * 200, content_type="image/jpeg")


def broken_png() -> SimpleUploadedFile:
    return SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n" + b"not really an image" * 10, content_type="image/png")


REFUSED = {
    "too large": (lambda: a_pdf(size=uploads.MAX_BYTES + 1), "Filen er for stor: den må højst fylde 10 MB."),
    "html named .pdf": (html_named_pdf, "Filen er ikke en PDF, JPEG eller PNG."),
    "svg named .png": (svg_named_png, "Filen er ikke en PDF, JPEG eller PNG."),
    "exe named .jpg": (exe_named_jpg, "Filen er ikke en PDF, JPEG eller PNG."),
    "png named .pdf": (png_named_pdf, "Filens navn ender på “.pdf”, men indholdet er image/png."),
    "damaged png": (broken_png, "Billedet er beskadiget"),
}


@pytest.mark.parametrize("kind", REFUSED)
def test_a_consent_with_a_file_that_will_not_do_is_refused_in_danish_at_the_field(
    client, sag, socialraadgiver, guldborgsund, media_root, kind
):
    make, message = REFUSED[kind]
    client.force_login(socialraadgiver)
    response = client.post(reverse("consent:create", args=[sag.pk]), consent_post(sag, guldborgsund, make()))
    assert response.status_code == 422
    html = response.content.decode()
    assert field_error(html).startswith("Underskrevet kopi – Fejl: ")
    assert message in field_error(html)
    # The summary at the top names the field and links to it.
    assert f"Underskrevet kopi: {message}" in error_summary(html)
    assert 'href="#id_signed_copy"' in html
    assert not Consent.objects.exists()
    assert files_under(media_root) == []


@pytest.mark.parametrize("kind", ["too large", "html named .pdf", "png named .pdf"])
def test_attaching_a_file_that_will_not_do_to_a_consent_keeps_the_consent_as_it_was(
    client, sag, socialraadgiver, media_root, kind
):
    consent = give_consent(actor=socialraadgiver, case=sag, categories=["housing"], signed_copy=a_pdf())
    before = (consent.signed_copy.name, consent.signed_copy_sha256)
    stored = files_under(media_root)
    make, message = REFUSED[kind]
    client.force_login(socialraadgiver)
    response = client.post(reverse("consent:signed_copy", args=[sag.pk, consent.pk]), {"signed_copy": make()})
    assert response.status_code == 422
    assert message in unescape(response.content.decode())
    consent.refresh_from_db()
    assert (consent.signed_copy.name, consent.signed_copy_sha256) == before
    assert files_under(media_root) == stored


def test_a_file_at_the_limit_of_each_kind_is_accepted(client, sag, socialraadgiver, guldborgsund, media_root):
    client.force_login(socialraadgiver)
    response = client.post(
        reverse("consent:create", args=[sag.pk]), consent_post(sag, guldborgsund, a_pdf(size=uploads.MAX_BYTES))
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.signed_copy_size == uploads.MAX_BYTES and consent.signed_copy_type == "application/pdf"
    jpeg = an_image("JPEG", "foto.jpeg")
    response = client.post(reverse("consent:signed_copy", args=[sag.pk, consent.pk]), {"signed_copy": jpeg})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.signed_copy_type == "image/jpeg"


def test_the_upload_limits_are_set():
    # Non-file fields of a request; a file above the memory limit is spooled to disk.
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 10


def test_a_request_whose_text_is_larger_than_the_limit_is_refused_and_nothing_is_saved(
    client, sag, socialraadgiver, guldborgsund
):
    client.force_login(socialraadgiver)
    data = consent_post(sag, guldborgsund, a_pdf())
    data["note"] = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(reverse("consent:create", args=[sag.pk]), data)
    assert response.status_code == 400
    assert not Consent.objects.exists()


def test_a_signed_copy_is_served_so_that_no_browser_runs_it(client, sag, socialraadgiver):
    consent = give_consent(actor=socialraadgiver, case=sag, categories=["housing"], signed_copy=a_pdf())
    client.force_login(socialraadgiver)
    response = client.get(reverse("consent:signed_copy", args=[sag.pk, consent.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response
    b"".join(response.streaming_content)
    response.close()
