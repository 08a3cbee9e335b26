from django import forms
from django.utils.translation import gettext_lazy as _

from koreplan.notifications.models import Kind


class PreferencesForm(forms.Form):
    email_kinds = forms.MultipleChoiceField(
        label=_("Send me an e-mail about"),
        help_text=_(
            "Everything is also shown under Notifications. The e-mail says only what has "
            "happened and links to Køreplan; it never contains information about a client."
        ),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
