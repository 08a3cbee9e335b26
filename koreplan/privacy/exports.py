"""A person's audit log and the subject-access export, as CSV, JSON and PDF."""

from __future__ import annotations

import csv
import io
import json

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone

from koreplan.audit.models import AuditEntry
from koreplan.plans.pdf import render_pdf
from koreplan.privacy.selectors import SubjectData

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
PDF_CONTENT_TYPE = "application/pdf"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    # A text cell a spreadsheet would run as a formula gets an apostrophe (as in dashboards).
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def entry_row(entry: AuditEntry) -> dict:
    return {
        "id": entry.pk,
        "time": timezone.localtime(entry.created_at).isoformat(timespec="seconds"),
        "actor": (entry.actor.get_full_name() or entry.actor.username) if entry.actor else "",
        "username": entry.actor.username if entry.actor else "",
        "organisation": str(entry.actor_organisation) if entry.actor_organisation else "",
        "action": entry.action,
        "case": entry.case_id if entry.case_id is not None else entry.case_pseudonym,
        "purpose": entry.purpose,
        "pseudonymised": entry.pseudonymised_at is not None,
        "data": entry.data,
    }


CSV_COLUMNS = ["id", "time", "actor", "username", "organisation", "action", "case", "purpose", "pseudonymised", "data"]


def entries_csv(entries) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        row = entry_row(entry)
        row["data"] = json.dumps(row["data"], ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder)
        writer.writerow([_cell(row[column]) for column in CSV_COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def entries_pdf(*, client, entries, filters, request) -> bytes:
    html = render_to_string(
        "privacy/person_log_pdf.html",
        {"client": client, "rows": [entry_row(e) for e in entries], "filters": filters, "made_at": timezone.now()},
        request=request,
    )
    return render_pdf(html)


def subject_access_document(subject: SubjectData) -> dict:
    """Every row as Django serialises it (model, pk, fields), grouped by model, and the audit
    entries about the person."""
    tables: dict[str, list] = {}
    for item in serializers.serialize("python", subject.objects):
        tables.setdefault(item["model"], []).append({"id": item["pk"], **item["fields"]})
    return {
        "made_at": timezone.now(),
        "client": {"id": subject.client.pk, "cpr": subject.client.cpr, "name": str(subject.client)},
        "data": tables,
        "audit_entries": [entry_row(e) for e in subject.entries],
    }


def subject_access_json(subject: SubjectData) -> bytes:
    return json.dumps(subject_access_document(subject), ensure_ascii=False, indent=2, cls=DjangoJSONEncoder).encode()


def subject_access_pdf(subject: SubjectData, *, request) -> bytes:
    document = subject_access_document(subject)
    tables = [
        {"model": model, "rows": [sorted(row.items()) for row in rows]} for model, rows in document["data"].items()
    ]
    html = render_to_string(
        "privacy/subject_access_pdf.html",
        {"document": document, "tables": tables, "client": subject.client},
        request=request,
    )
    return render_pdf(html)
