"""Template helpers for the DKFDS page shell."""

import functools

from django import forms, template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

register = template.Library()

# The vendored versions; scripts/vendor_assets.sh fetches them. Change both together.
DKFDS_STATIC = "vendor/dkfds/11.2.0"
HTMX_STATIC = "vendor/htmx/2.0.11"

_ALERT_LABELS = {
    "info": _("Information"),
    "success": _("Success"),
    "warning": _("Warning"),
    "error": _("Error"),
}


@register.simple_tag
@functools.cache
def dkfds_static(path: str) -> str:
    # Kept: a static file's address is fixed while the process runs (the manifest is read
    # once), and a page asks for the icon sprite's once per icon — dozens of times.
    return static(f"{DKFDS_STATIC}/{path}")


@receiver(setting_changed)
def _static_changed(*, setting: str, **kwargs) -> None:
    if setting in {"STATIC_URL", "STORAGES", "DEBUG"}:
        dkfds_static.cache_clear()


@register.simple_tag
def htmx_static() -> str:
    return static(f"{HTMX_STATIC}/htmx.min.js")


@register.simple_tag
def icon(name: str, label: str = "", classes: str = "") -> SafeString:
    """A DKFDS icon from the sprite. Decorative (hidden from screen readers) unless it has
    a label."""
    sprite = dkfds_static("img/all-svg-icons.svg")
    if label:
        return format_html(
            '<svg class="icon-svg {}" focusable="false" role="img" aria-label="{}">'
            '<use href="{}#{}"></use></svg>',
            classes,
            label,
            sprite,
            name,
        )
    return format_html(
        '<svg class="icon-svg {}" focusable="false" aria-hidden="true">'
        '<use href="{}#{}"></use></svg>',
        classes,
        sprite,
        name,
    )


@register.simple_tag
def alert_icon(level_tag: str) -> SafeString:
    """The icon of a DKFDS alert, named for screen readers by the alert's kind."""
    return icon(level_tag, label=str(_ALERT_LABELS.get(level_tag, "")), classes="alert-icon")


_WIDGET_CLASSES = {
    forms.RadioSelect: "form-radio",
    forms.Select: "form-select",
    forms.SelectMultiple: "form-select",
    forms.CheckboxInput: "form-checkbox",
}


@register.filter
def lower_first(value) -> str:
    """A label inside a sentence: only its first letter lowered, so that an acronym in it
    stays one ("Til KIF ved prøveløsladelse" → "til KIF …", not "til kif …")."""
    text = str(value)
    return text[:1].lower() + text[1:]


@register.filter
def dkfds_widget(field: forms.BoundField) -> SafeString:
    """Render a field's widget with the DKFDS class, and tie its hint and error message to
    it for screen readers (ids as in includes/form_field.html)."""
    css_class = next(
        (css for widget, css in _WIDGET_CLASSES.items() if isinstance(field.field.widget, widget)),
        "form-input",
    )
    # Keep the widget's own classes (a DKFDS width such as input-width-s) next to its kind.
    own_class = field.field.widget.attrs.get("class", "")
    if own_class and css_class not in own_class.split():
        css_class = f"{css_class} {own_class}"
    elif own_class:
        css_class = own_class
    attrs = {"class": css_class}
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    if field.errors:
        attrs["aria-invalid"] = "true"
        described_by.append(f"{field.auto_id}-error")
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


# The layout's parts are written in Python (koreplan.web.layout): every page renders them.
# Imported here, not at the top, because layout uses this module's icon and static tags.


@register.simple_tag(takes_context=True)
def layout_header(context) -> SafeString:
    from koreplan.web import layout

    return layout.header(context)


@register.simple_tag
def layout_stylesheets() -> SafeString:
    from koreplan.web import layout

    return layout.stylesheets()


@register.simple_tag
def layout_scripts() -> SafeString:
    from koreplan.web import layout

    return layout.scripts()
