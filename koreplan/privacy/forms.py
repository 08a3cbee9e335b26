from django import forms
from django.utils.translation import gettext_lazy as _

from koreplan.organisations.models import Organisation

PURPOSE_MAX = 300


class PurposeField(forms.CharField):
    """The optional "Formål": why the user looks, recorded on the audit entry."""

    def __init__(self, **kwargs):
        super().__init__(
            label=_("Purpose"),
            required=False,
            max_length=PURPOSE_MAX,
            help_text=_("Optional. Recorded in the audit log with what you see."),
            **kwargs,
        )


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("CPR number or name"),
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    purpose = PurposeField()


class PersonLogFilterForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), required=False, queryset=Organisation.objects.order_by("name"),
        empty_label=_("All organisations"),
    )
    action = forms.CharField(label=_("Action"), required=False, max_length=100)
    purpose = PurposeField()

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end of the period is before its start."))
        return cleaned

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "since": data.get("since"),
            "until": data.get("until"),
            "organisation": data.get("organisation"),
            "action": (data.get("action") or "").strip(),
        }
