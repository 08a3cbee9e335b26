"""The dashboard's filter (unit, period, case type) and the evaluation checklist."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from koreplan.cases.models import CaseType
from koreplan.dashboards.models import EvaluationAnswer
from koreplan.dashboards.scopes import (
    MAX_MONTHS,
    Scope,
    UnknownUnit,
    dashboard_access_check,
    scope_resolve,
    units_for,
)
from koreplan.dashboards.tables import obligation_title
from koreplan.domain import method
from koreplan.domain.calendar import add_months
from koreplan.domain.rules.obligations import EVENT_OBLIGATIONS, OBLIGATIONS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ScopeForm(forms.Form):
    """What a dashboard is about: the unit, the period, the case type and the trend's
    obligation. Every entry point — the dashboard, the cases behind a figure, the exports,
    the Målepunkter report and its PDF, and the JSON API — reads its parameters through
    this form (``scope_from_query``), so each is refused for the same reasons in the same
    words.

    Validating it resolves the unit (``scopes.scope_resolve``): a unit the user may not see
    raises ``PermissionDenied`` out of ``is_valid()`` — a refusal, not a field error — and
    a unit that does not exist is an error on ``enhed`` for those who may see every unit.
    Once validated, ``scope`` is the scope asked for, with each field in error left at its
    default (the dashboard shows those figures under the errors; the other pages refuse).
    """

    enhed = forms.CharField(label=_("Unit"), required=False, widget=forms.Select)
    fra = forms.DateField(label=_("From"), required=False, widget=DateInput())
    til = forms.DateField(label=_("To"), required=False, widget=DateInput())
    sagstype = forms.ChoiceField(label=_("Case type"), required=False)
    forpligtelse = forms.ChoiceField(label=_("Obligation in the monthly trend"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.scope: Scope | None = None
        self.units = units_for(user)
        choices: list = []
        for group, options in self.units:
            if group:
                choices.append((group, options))
            else:
                choices.extend(options)
        self.fields["enhed"].widget.choices = choices
        self.fields["sagstype"].choices = [("", _("All case types")), *CaseType.choices]
        self.fields["forpligtelse"].choices = [("", _("All obligations"))] + [
            (obligation_id, obligation_title(obligation_id))
            for obligation_id in OBLIGATIONS
            if obligation_id not in EVENT_OBLIGATIONS
        ]

    @property
    def has_unit_choice(self) -> bool:
        return len(self.units) > 1 or len(self.units[0][1]) > 1

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("fra"), cleaned.get("til")
        if start and end:
            if start > end:
                self.add_error("til", _("The end of the period must be on or after its start."))
            elif add_months(start, MAX_MONTHS) <= end:
                self.add_error("til", _("Choose a period of at most five years."))
        values = self.values()
        common = {"start": values["start"], "end": values["end"], "case_type": values["case_type"]}
        try:
            self.scope = scope_resolve(user=self.user, unit=cleaned.get("enhed") or None, **common)
        except UnknownUnit as error:
            self.add_error("enhed", str(error))
            self.scope = scope_resolve(user=self.user, unit=None, **common)
        return cleaned

    def values(self) -> dict:
        """The valid values, with empty ones for what did not validate."""
        data = self.cleaned_data if self.is_bound else {}
        errors = self.errors if self.is_bound else {}
        period_invalid = "fra" in errors or "til" in errors
        return {
            "start": None if period_invalid else data.get("fra"),
            "end": None if period_invalid else data.get("til"),
            "case_type": "" if "sagstype" in errors else data.get("sagstype", ""),
            "obligation": "" if "forpligtelse" in errors else data.get("forpligtelse", ""),
        }


def scope_from_query(query, *, user) -> tuple[Scope, ScopeForm, str]:
    """The one way a dashboard entry point reads its parameters: the scope, the form (with
    its errors, if any: ``form.errors`` names each field and what is wrong) and the obligation
    the monthly trend is about.

    403 (``PermissionDenied``) for someone who may not see the dashboards, or the unit. With
    no parameters at all the form comes back unbound, filled in with the default scope.
    """
    dashboard_access_check(user)
    if query:
        form = ScopeForm(query, user=user)
        form.is_valid()
        return form.scope, form, form.values()["obligation"]
    scope = scope_resolve(user=user, unit=None)
    form = ScopeForm(user=user, initial={"enhed": scope.unit, "fra": scope.start, "til": scope.end})
    return scope, form, ""


def _field_key(item_id: str) -> str:
    return item_id.replace(".", "_")


class EvaluationForm(forms.Form):
    """The checklist of GL Bilag 1: each step — was it followed — and its prerequisites.

    Every item is optional: an organisation may save what it knows and come back. An item
    answered earlier and left blank now keeps no answer.
    """

    comment = forms.CharField(
        label=_("Comment on the collaboration"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What worked, what did not, and what should change — for the managers who read the summary."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = get_language() or "da"
        for item in method.CHECKLIST_ITEM_IDS:
            key = _field_key(item)
            self.fields[f"svar_{key}"] = forms.ChoiceField(
                label=method.item_text(item, language),
                choices=EvaluationAnswer.choices,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "form-radio"}),
            )
            self.fields[f"kommentar_{key}"] = forms.CharField(
                label=_("Comment on item %(item)s") % {"item": item},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @staticmethod
    def initial_from(evaluation) -> dict:
        if evaluation is None:
            return {}
        initial = {"comment": evaluation.comment}
        for answer in evaluation.answers.all():
            key = _field_key(answer.item)
            initial[f"svar_{key}"] = answer.answer
            initial[f"kommentar_{key}"] = answer.comment
        return initial

    def answers(self) -> dict[str, tuple[str, str]]:
        """item → (answer, comment), for the items answered."""
        result = {}
        for item in method.CHECKLIST_ITEM_IDS:
            key = _field_key(item)
            answer = self.cleaned_data.get(f"svar_{key}")
            if answer:
                result[item] = (answer, self.cleaned_data.get(f"kommentar_{key}", "").strip())
        return result

    def clean(self):
        cleaned = super().clean()
        for item in method.CHECKLIST_ITEM_IDS:
            key = _field_key(item)
            if cleaned.get(f"kommentar_{key}", "").strip() and not cleaned.get(f"svar_{key}"):
                self.add_error(f"svar_{key}", _("Choose an answer for the comment to be kept."))
        return cleaned

    def groups(self):
        """The form laid out by step: [(step, step field or None, [(item, answer field, comment field)])]."""
        language = get_language() or "da"
        english = language.startswith("en")
        groups = []
        for step in method.STEPS:
            items = [] if step.is_general else [step.id]
            items += [p.id for p in step.prerequisites]
            groups.append(
                {
                    "step": step,
                    "title": step.title_en if english else step.title_da,
                    "items": [
                        {
                            "id": item,
                            "is_step": method.is_step_item(item),
                            "answer": self[f"svar_{_field_key(item)}"],
                            "comment": self[f"kommentar_{_field_key(item)}"],
                        }
                        for item in items
                    ],
                }
            )
        return groups

