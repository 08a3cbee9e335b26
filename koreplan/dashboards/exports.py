"""Tables out of Køreplan: CSV, Excel (openpyxl) and the Målepunkter report as PDF (WeasyPrint).

Exports hold figures, never persons: the lists of cases behind a figure are not exported.

- **CSV**: UTF-8 with a byte-order mark (so Excel reads æ, ø and å), comma-separated,
  one header row; a share is a percentage with a decimal point (``43.6``), a median a
  number of days. A text cell that a spreadsheet would read as a formula is prefixed with
  an apostrophe.
- **Excel**: one sheet per table, its title above the header row, shares formatted as
  percentages, the notes under the table.
- **PDF**: the printable report rendered by WeasyPrint with its stylesheet inlined and a
  URL fetcher that refuses everything, so a PDF never makes a network request.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from django.contrib.staticfiles import finders
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from koreplan.dashboards.tables import COUNT, DAYS, SHARE, Table

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_value(value, kind: str):
    if value is None:
        return ""
    if kind == SHARE:
        return f"{value * 100:.1f}"
    if kind == DAYS:
        return f"{value:g}"
    if isinstance(value, str):
        return _safe_text(value)
    return value


def table_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([f"{c.label} (%)" if c.kind == SHARE else c.label for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_value(cell.value, column.kind) for column, cell in zip(table.columns, row, strict=True)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sheet_title(title: str, taken: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique in the workbook.
    base = re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or "Tabel"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def tables_xlsx(tables: Sequence[Table], *, heading: str = "") -> bytes:
    """One workbook, one sheet per table."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, taken))
        row = 1
        if heading:
            sheet.cell(row=row, column=1, value=_safe_text(heading)).font = Font(italic=True)
            row += 1
        sheet.cell(row=row, column=1, value=_safe_text(table.title)).font = Font(bold=True, size=13)
        row += 2
        header_row = row
        for col, column in enumerate(table.columns, 1):
            cell = sheet.cell(row=row, column=col, value=column.label)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for cells in table.rows:
            row += 1
            for col, (column, item) in enumerate(zip(table.columns, cells, strict=True), 1):
                value = item.value
                if isinstance(value, str):
                    value = _safe_text(value)
                cell = sheet.cell(row=row, column=col, value=value)
                if column.kind == SHARE and value is not None:
                    cell.number_format = "0.0%"
                elif column.kind == DAYS and value is not None:
                    cell.number_format = "0.0"
                elif column.kind == COUNT:
                    cell.number_format = "0"
                if item.header:
                    cell.font = Font(bold=True)
        for note in table.notes:
            row += 2
            sheet.cell(row=row, column=1, value=_safe_text(note)).font = Font(italic=True)
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
        for col, column in enumerate(table.columns, 1):
            sheet.column_dimensions[get_column_letter(col)].width = 48 if col == 1 else max(12, min(len(column.label) + 2, 24))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def stylesheet_text(path: str) -> str:
    """A static stylesheet's text, for inlining into a document WeasyPrint renders."""
    found = finders.find(path)
    if not found:
        return ""
    with open(found, encoding="utf-8") as file:
        return file.read()


def html_pdf(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class RefuseEverything(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"The report fetches nothing, not {url}")

    return HTML(string=html, base_url="https://koreplan.invalid/", url_fetcher=RefuseEverything()).write_pdf()
