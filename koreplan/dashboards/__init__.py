"""Measurement for managers (issue 6, "Dashboards"): /ledelse/.

- ``scopes`` — a unit (institution, KIF department, municipality, region by date, the
  country) and a period; who may see which (403 for a unit you may not see, 404 for none).
- ``selectors`` — every figure as one or two aggregate queries (``Count(…, filter=Q(…))``
  grouped by obligation and date, status, waiting days or checklist item), read through
  ``settings.DASHBOARD_DB_ALIAS``; the cases behind a figure, shown through
  ``cases_visible_to``; figures from the consent, coordination and release apps when they
  are installed.
- ``tables`` / ``presentation`` / ``charts`` — the figures as tables (with the figure string
  behind every count), sections and server-drawn SVG charts.
- ``exports`` — CSV, Excel and the Målepunkter report as PDF.
- ``models`` / ``services`` — the evaluation after release (GL Bilag 1's checklist, from
  ``koreplan.domain.method``), and the audit of every dashboard read.
- ``api`` — the same over JSON, as a django-ninja router for /api/v1.
"""
