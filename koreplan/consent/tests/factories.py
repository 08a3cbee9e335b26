"""Consents and files built the way the application builds them: through the services."""

from __future__ import annotations

import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from koreplan.consent import services

COORDINATION = ("coordination",)


def give_consent(
    *, actor, case, categories, recipient=None, department: str = "", purposes=COORDINATION, given_on: date | None = None,
    **kwargs,
):
    return services.consent_give(
        actor=actor, case=case, categories=list(categories),
        recipient_organisation=recipient or case.client.acting_municipality, recipient_department=department,
        purposes=list(purposes), given_on=given_on or timezone.localdate(), **kwargs,
    )


def a_pdf(name: str = "samtykke.pdf", size: int = 0) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
    if size:
        body += b"0" * max(0, size - len(body) - 7)
    return SimpleUploadedFile(name, body + b"\n%%EOF\n", content_type="application/pdf")


def an_image(fmt: str = "PNG", name: str = "samtykke.png") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")
