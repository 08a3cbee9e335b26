"""Nothing lost when two people save the same thing: the conflict page of a revision-checked form.

A form carries the ``revision`` it was made from. When someone else saved in between, the
service refuses (a ``StaleRevision``) and nothing is written. The view then answers with
the same form, still holding what this person wrote but now naming the revision saved
since, beside a :class:`Conflict`: who saved, when, and what is saved now — so saving again
is a deliberate choice made after seeing the other text. Without htmx the answer is 409;
under htmx it is the form partial (htmx swaps only a 2xx answer).

Given ``mine`` — what this person tried to save, in the same blocks and labels — the page
marks each line where the two differ, in words and not by colour alone, and counts them at
the top, so that 17 facts need not be read side by side to find the one that moved. Only
the revision number is kept of what the form started from, not its values, so the page can
say that a line differs but not which of the two changed it.

The template is ``web/includes/conflict.html``; include it above the form with a
``heading`` that names what was saved ("this section", "the facts", "the meeting").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.db import models
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import gettext as _

#: (heading, [(label, value)]): what is saved now, block by block, as a reader reads it.
Saved = list[tuple[str, list[tuple[str, str]]]]


@dataclass(frozen=True)
class Line:
    """One line of what is saved now, beside what this person tried to save there."""

    label: str
    value: str
    yours: str | None = None  # None: a line this person's form does not have, so nothing to compare

    @property
    def differs(self) -> bool:
        return self.yours is not None and _same(self.yours) != _same(self.value)


def _same(text: str) -> str:
    # A browser posts a textarea's line breaks as CRLF; what is saved may have either.
    return text.replace("\r\n", "\n").strip()


@dataclass(frozen=True)
class Conflict:
    """What someone else saved while this person was editing the same thing."""

    by: Any  # the User who saved last (None if not recorded)
    at: Any  # when (None if not recorded)
    saved: Saved  # (heading, [(label, value)]) as saved now
    #: What this person tried to save, as blocks with the same headings and labels; None
    #: where the page has nothing to compare. A block of ``saved`` whose heading is not in
    #: ``mine`` is not compared (the meeting's status is nothing this person wrote); within a
    #: compared block a label on one side only reads as empty on the other.
    mine: Saved | None = None

    @cached_property
    def blocks(self) -> list[tuple[str, list[Line]]]:
        """``saved`` line by line, each beside this person's value where there is one."""
        mine = {heading: dict(block) for heading, block in self.mine or []}
        blocks = []
        for heading, block in self.saved:
            if heading not in mine:
                blocks.append((heading, [Line(label, value) for label, value in block]))
                continue
            yours = mine[heading]
            labels = dict(block)
            rows = [Line(label, value, yours.get(label, "")) for label, value in block]
            rows += [Line(label, "", value) for label, value in yours.items() if label not in labels]
            blocks.append((heading, rows))
        return blocks

    @property
    def compared(self) -> bool:
        return self.mine is not None

    @property
    def differences(self) -> int:
        return sum(line.differs for _heading, block in self.blocks for line in block)


def shown_value(field: forms.Field, value: Any) -> str:
    """A field's value as a reader reads it: a choice by its label, a date, a time, yes/no.

    ``None`` in a field whose choices name the empty value ("Unknown") reads as that label;
    an empty string stays empty, as a select's "Choose …" is no value.
    """
    choices = None if isinstance(field, forms.ModelChoiceField) else getattr(field, "choices", None)
    if value is None and choices is not None:
        labels = {str(key): label for key, label in choices}
        if "" in labels:
            return str(labels[""])
    if value in (None, "", [], ()):
        return ""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, models.Model):
        return field.label_from_instance(value) if isinstance(field, forms.ModelChoiceField) else str(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(shown_value(field, item) for item in value)
    if choices is not None:
        labels = {str(key): label for key, label in choices}
        return str(labels.get(str(value), value))
    if isinstance(field, forms.ModelChoiceField):
        found = field.queryset.filter(pk=getattr(value, "pk", value)).first() if field.queryset is not None else None
        return field.label_from_instance(found) if found is not None else str(value)
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, time):
        return formats.time_format(value, "H:i")
    return str(value)


def lines(fields: Mapping[str, forms.Field], values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of a form's visible fields, in the form's order, as a reader reads them."""
    return [
        (str(field.label), shown_value(field, values.get(name)))
        for name, field in fields.items()
        if not field.widget.is_hidden and name in values
    ]


def posted(form: forms.Form) -> dict[str, Any]:
    """What a bound form holds: a field's cleaned value where it is valid, else what was typed."""
    form.is_valid()  # cleaned_data exists only once the form is validated (at most once: it is cached)
    cleaned = form.cleaned_data
    return {name: cleaned[name] if name in cleaned else form[name].value() for name in form.fields}


def rebound(request: HttpRequest, form: forms.Form, revision: int, make: Callable[..., forms.Form] | None = None) -> forms.Form:
    """The form again with what this person posted, but naming the revision saved now.

    ``make(data)`` builds the form when its class needs more than the data (``case=``…);
    by default it is the form's own class with its initial values and prefix.
    """
    data = request.POST.copy()
    data[form.add_prefix("revision")] = str(revision)
    form = make(data) if make is not None else type(form)(data, initial=form.initial, prefix=form.prefix)
    form.is_valid()
    return form


def status(request: HttpRequest, conflict: Conflict | None) -> int:
    """409 for a page without JavaScript; 200 under htmx, which swaps only a 2xx answer."""
    return 409 if conflict is not None and not getattr(request, "htmx", False) else 200
