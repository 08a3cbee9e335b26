"""Forms of the consent pages: they read and check input; the services decide and write."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from koreplan.consent.models import Category, Consent, Purpose
from koreplan.organisations.models import MunicipalDepartment, Organisation

DEPARTMENT_CHOICES = [("", _("The whole organisation"))] + list(MunicipalDepartment.Kind.choices)
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def _date_field(label, help_text="", required=True, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label, help_text=help_text, required=required,
        widget=forms.DateInput(attrs={"type": "date", "class": "input-width-s"}, format="%Y-%m-%d"), **kwargs,
    )


def recipient_queryset():
    """Municipalities first, then KIF departments and institutions (never the Directorate)."""
    return Organisation.objects.exclude(kind=Organisation.Kind.DIRECTORATE).order_by("-kind", "name")


class RecipientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name} ({obj.get_kind_display().lower()})"


class ScopeForm(forms.Form):
    """What, to whom, for what: the scope a consent, refusal or consent form covers."""

    categories = forms.MultipleChoiceField(
        label=_("Kinds of information"), choices=Category.choices, widget=forms.CheckboxSelectMultiple,
        help_text=_("Only what the recipient needs for the purpose."),
    )
    recipient_organisation = RecipientChoiceField(label=_("Recipient"), queryset=Organisation.objects.none())
    recipient_department = forms.ChoiceField(
        label=_("Department"), choices=DEPARTMENT_CHOICES, required=False,
        help_text=_("A municipality's department, or the whole municipality (its entrance routes requests inside it)."),
    )
    purposes = forms.MultipleChoiceField(label=_("Purposes"), choices=Purpose.choices, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient_organisation"].queryset = recipient_queryset()
        if case is not None and not self.is_bound:
            self.fields["recipient_organisation"].initial = case.client.acting_municipality_id


class ConsentForm(ScopeForm):
    given_on = _date_field(_("Given on"))
    valid_until = _date_field(_("Valid until"), _("Leave empty if the consent has no end date."), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    signed_copy = forms.FileField(
        label=_("Signed copy"), required=False,
        help_text=_("PDF, JPEG or PNG, at most 10 MB. You can also attach it later."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = timezone.localdate()


class RefusalForm(ScopeForm):
    given_on = _date_field(_("Date of the refusal"))
    refusal_kind = forms.ChoiceField(label=_("How did the client refuse?"), choices=Consent.RefusalKind.choices,
                                     widget=forms.RadioSelect)
    refusal_reasons = forms.CharField(
        label=_("The client's reasons"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("As precisely as possible, in the client's own words where you can (VEJ pkt. 65)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = timezone.localdate()


class PrintForm(ScopeForm):
    """The scope printed on a consent form for the client to sign."""

    valid_until = _date_field(_("Valid until"), _("Leave empty if the consent has no end date."), required=False)
    language = forms.ChoiceField(label=_("Language of the form"), choices=[("da", "Dansk"), ("en", "English")],
                                 initial="da", required=False)


class WithdrawForm(forms.Form):
    withdrawn_on = _date_field(_("Withdrawn on"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("For instance how the client withdrew it (in writing, orally)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["withdrawn_on"].initial = timezone.localdate()


class SignedCopyForm(forms.Form):
    signed_copy = forms.FileField(
        label=_("Signed copy"),
        help_text=_("PDF, JPEG or PNG, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )


class DisclosureDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Your decision"), choices=[("yes", _("Approve: the information may leave")), ("no", _("Reject"))],
        coerce=lambda v: v == "yes", widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason for rejecting"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("approve") is False and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason."))
        return data
