"""The project's form renderer (``FORM_RENDERER``)."""

from __future__ import annotations

from collections.abc import Callable

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, SafeString

WIDGETS = "django/forms/widgets/"
# The input widgets' templates: each only includes input.html.
INPUT_TEMPLATES = tuple(
    f"{WIDGETS}{name}.html"
    for name in (
        "input", "text", "number", "email", "url", "password", "hidden", "date", "datetime", "time",
        "search", "tel", "color", "file", "checkbox",
    )
)
TEXTAREA_TEMPLATE = f"{WIDGETS}textarea.html"
SELECT_TEMPLATE = f"{WIDGETS}select.html"
OPTION_TEMPLATE = f"{WIDGETS}select_option.html"
CHOICES_TEMPLATES = tuple(f"{WIDGETS}{name}.html" for name in ("radio", "checkbox_select", "multiple_input"))
# What a radio or checkbox option's template adds after its input and label: input_option.html
# ends with a newline, and radio_option.html and checkbox_option.html each add one more.
CHOICE_OPTION_ENDINGS = {
    f"{WIDGETS}input_option.html": "\n",
    f"{WIDGETS}radio_option.html": "\n\n",
    f"{WIDGETS}checkbox_option.html": "\n\n",
}

INPUT_KEYS = frozenset(("name", "type", "value", "attrs"))
CHOICE_OPTION_KEYS = INPUT_KEYS | {"label", "wrap_label", "template_name"}

# How the form renderer's templates render a variable: autoescaped, localized with the settings.
TEMPLATE_CONTEXT = Context(autoescape=True)


class Renderer(DjangoTemplates):
    """Django's renderer, with the common widgets written here rather than through their
    templates: inputs, textareas, selects and groups of radios or checkboxes.

    A select of staff or institutions has tens of options, and each went through
    ``select_option.html`` and ``attrs.html`` — on the case page, with its hand-over and
    responsibility forms, a quarter of the page's time; every input and radio of the
    page's many small forms went through two or three templates more. The markup is
    Django's own, character for character (``koreplan/web/tests/test_forms.py`` compares
    them over these widgets and every form of the project), so a widget looks and behaves
    as before. Any other widget, a widget given a template of its own, or a context these
    functions do not know is rendered by Django's templates as always.
    """

    def render(self, template_name, context, request=None):
        write = WRITERS.get(template_name)
        widget = context.get("widget") if write is not None else None
        markup = write(widget) if isinstance(widget, dict) else None
        if markup is None:
            return super().render(template_name, context, request=request)
        return markup


def _text(value) -> str:
    """``{{ value }}``."""
    if isinstance(value, str):  # what localizing leaves as it is
        return conditional_escape(value)
    return render_value_in_context(value, TEMPLATE_CONTEXT)


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``: the filter keeps a safe string safe."""
    text = str(value)
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict) -> str:
    """``attrs.html``: `` name="value"`` each, a bare name for True, nothing for False."""
    if not attrs:  # most options
        return ""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        for name, value in attrs.items() if value is not False
    )


def _input(widget: dict) -> str:
    """``input.html``, without the newline it ends with."""
    value = widget["value"]
    # The template compares with !=, not with `is not`.
    value_attr = f' value="{_formatted(value)}"' if value != None else ""  # noqa: E711
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value_attr}{_attrs(widget["attrs"])}>'


def _input_widget(widget: dict) -> SafeString | None:
    if not INPUT_KEYS <= widget.keys():
        return None
    return SafeString(_input(widget))


def _textarea(widget: dict) -> SafeString | None:
    if not {"name", "value", "attrs"} <= widget.keys():
        return None
    value = widget["value"]
    # The newline after the opening tag is the template's: a browser drops the first one.
    return SafeString(
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{_text(value) if value else ""}</textarea>'
    )


def _select(widget: dict) -> SafeString | None:
    if not {"name", "attrs", "optgroups"} <= widget.keys() or any(
        option["template_name"] != OPTION_TEMPLATE for _, options, _ in widget["optgroups"] for option in options
    ):
        return None
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>{_text(option["label"])}</option>\n'
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")  # Django strips what its templates end with
    return SafeString("".join(parts))


def _choices(widget: dict) -> SafeString | None:
    """``multiple_input.html``: a radio or checkbox per option, each in a div."""
    if not {"attrs", "optgroups"} <= widget.keys() or any(
        option.get("template_name") not in CHOICE_OPTION_ENDINGS or not CHOICE_OPTION_KEYS <= option.keys()
        for _, options, _ in widget["optgroups"] for option in options
    ):
        return None
    attrs = widget["attrs"]
    element_id, css_class = attrs.get("id"), attrs.get("class")
    id_attr = f' id="{_text(element_id)}"' if element_id else ""
    class_attr = f' class="{_text(css_class)}"' if css_class else ""
    parts = [f"<div{id_attr}{class_attr}>"]
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_text(group)}</label>")
        for option in options:
            parts.append(f"<div>\n    {_choice_option(option)}</div>")
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>")  # Django strips what its templates end with
    return SafeString("".join(parts))


def _choice_option(option: dict) -> str:
    """``input_option.html``, with what the option's template adds after it."""
    markup = _input(option) + "\n"
    if option["wrap_label"]:
        option_id = option["attrs"].get("id")
        label_for = f' for="{_text(option_id)}"' if option_id else ""
        markup = f'<label{label_for}>{markup} {_text(option["label"])}</label>'
    return markup + CHOICE_OPTION_ENDINGS[option["template_name"]]


WRITERS: dict[str, Callable[[dict], SafeString | None]] = {
    **dict.fromkeys(INPUT_TEMPLATES, _input_widget),
    TEXTAREA_TEMPLATE: _textarea,
    SELECT_TEMPLATE: _select,
    **dict.fromkeys(CHOICES_TEMPLATES, _choices),
}
