"""The project's form renderer (``FORM_RENDERER``)."""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


class Renderer(DjangoTemplates):
    """Django's renderer, with one shortcut: a ``<select>`` is written here, not through
    a template per option.

    A select of staff or institutions has tens of options, and each went through
    ``select_option.html`` and ``attrs.html`` — on the case page, with its hand-over and
    responsibility forms, a quarter of the page's time. The markup is Django's own,
    character for character (``koreplan/web/tests/test_forms.py`` compares them), so a
    select looks and behaves as before; any other widget, or a select given a template of
    its own, is rendered by Django's templates as always.
    """

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if template_name == SELECT_TEMPLATE else None
        if widget is None or any(
            option["template_name"] != OPTION_TEMPLATE for _, options, _ in widget["optgroups"] for option in options
        ):
            return super().render(template_name, context, request=request)
        return _select(widget)


def _attrs(attrs: dict) -> SafeString:
    """``attrs.html``: `` name="value"`` each, a bare name for True, nothing for False."""
    if not attrs:  # most options
        return SafeString("")
    return format_html_join(
        "", "{}", ((format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
                   for name, value in attrs.items() if value is not False),
    )


def _select(widget: dict) -> SafeString:
    parts = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in options:
            parts.append(format_html(
                '\n  <option value="{}"{}>{}</option>\n', option["value"], _attrs(option["attrs"]), option["label"]
            ))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")  # Django strips what its templates end with
    return SafeString("".join(parts))
