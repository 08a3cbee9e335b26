"""Checking an uploaded signed consent: PDF, JPEG or PNG only, at most 10 MB.

The type is read from the file's content, not its name or the browser's Content-Type
(both are the uploader's word): the first bytes must be the format's signature, the
extension must agree with it, a PDF must end as a PDF does, and an image must be one
Pillow can read through. Anything else is refused with a message the user can act on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024

#: content type → (signature, accepted extensions)
FORMATS: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
}


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int
    sha256: str
    name: str


def check_signed_copy(upload: UploadedFile, *, field: str = "signed_copy") -> CheckedFile:
    """The file's checked type, size and digest; ``ValidationError`` on ``field`` if it will not do."""
    size = upload.size or 0
    if size > MAX_BYTES:
        raise ValidationError({field: _("The file is too large: it may be at most %(max)s.") % {"max": "10 MB"}})
    if size == 0:
        raise ValidationError({field: _("The file is empty.")})
    upload.seek(0)
    head = upload.read(16)
    content_type = next((t for t, (signature, _ext) in FORMATS.items() if head.startswith(signature)), None)
    if content_type is None:
        raise ValidationError({field: _("The file is not a PDF, JPEG or PNG. Scan or photograph the signed form as one of those.")})
    extension = Path(upload.name or "").suffix.lower()
    if extension not in FORMATS[content_type][1]:
        raise ValidationError(
            {field: _("The file's name ends in “%(extension)s”, but its content is %(kind)s. Rename it or choose the right file.")
             % {"extension": extension or "–", "kind": content_type}}
        )
    if content_type == "application/pdf":
        upload.seek(max(0, size - 2048))
        if b"%%EOF" not in upload.read():
            raise ValidationError({field: _("The PDF is incomplete or damaged.")})
    else:
        _check_image(upload, field)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(content_type, extension, size, digest.hexdigest(), Path(upload.name or "").name[:200])


def _check_image(upload: UploadedFile, field: str) -> None:
    # Pillow comes with WeasyPrint, which the project uses for its PDFs.
    from PIL import Image, UnidentifiedImageError

    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({field: _("The image is damaged or cannot be read.")}) from None
    finally:
        upload.seek(0)
