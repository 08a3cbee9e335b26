"""Formatting the dashboard's cells, and links to the cases behind a figure."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html_join

from koreplan.dashboards.tables import COUNT, DAYS, SHARE, TEXT, Cell, Column

register = template.Library()


def format_value(value, kind: str) -> str:
    if value is None:
        return "–"
    if kind == SHARE:
        return f"{formats.number_format(value * 100, decimal_pos=1)} %"
    if kind == DAYS:
        return formats.number_format(value, decimal_pos=1 if value % 1 else 0)
    if kind == COUNT and isinstance(value, int):
        return formats.number_format(value, force_grouping=True)
    return str(value)


@register.filter
def cell_text(cell: Cell, column: Column) -> str:
    return format_value(cell.value, column.kind)


@register.filter
def is_numeric(column: Column) -> bool:
    return column.kind != TEXT


@register.simple_tag
def figure_url(scope, figure: str) -> str:
    """The list of the cases behind a figure, for the same unit and period."""
    return reverse("dashboards:cases") + "?" + urlencode(scope.query(tal=figure))


@register.simple_tag
def export_url(scope, table: str, fmt: str, obligation: str = "") -> str:
    query = scope.query(forpligtelse=obligation)
    return reverse("dashboards:export", kwargs={"table": table, "fmt": fmt}) + "?" + urlencode(query)


@register.simple_tag
def scope_url(name: str, scope, **extra) -> str:
    return reverse(name) + "?" + urlencode(scope.query(**{k: str(v) for k, v in extra.items() if v}))


@register.simple_tag
def scope_hidden_inputs(scope, obligation: str = "", **extra):
    """The scope (and the obligation) as hidden inputs, for the small GET forms that ask
    for the purpose before an export: the form submits the same query as the old link."""
    query = scope.query(forpligtelse=obligation, **{k: str(v) for k, v in extra.items() if v})
    return format_html_join("", '<input type="hidden" name="{}" value="{}">', query.items())


@register.simple_tag
def export_action(table: str, fmt: str) -> str:
    return reverse("dashboards:export", kwargs={"table": table, "fmt": fmt})


@register.filter
def share(value) -> str:
    return format_value(value, SHARE)


@register.filter
def count(value) -> str:
    return format_value(value, COUNT)


@register.filter
def survey_label(point_id: str) -> str:
    from koreplan.dashboards.tables import survey_point_label

    return survey_point_label(point_id)
