from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user

from koreplan.accounts.models import User
from koreplan.accounts.services import otp_token_normalise


class OTPTokenField(forms.CharField):
    def __init__(self, **kwargs) -> None:
        super().__init__(
            label=_("One-time code"),
            max_length=32,
            strip=True,
            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
            **kwargs,
        )


class OTPVerifyForm(forms.Form):
    """The code after the password: from the authenticator app, or a backup code."""

    otp_token = OTPTokenField(
        help_text=_("The six digits your authenticator app shows, or one of your backup codes.")
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = None

    def clean_otp_token(self) -> str:
        token = otp_token_normalise(self.cleaned_data["otp_token"])
        throttled = False
        # Each device checks and records its own throttling (a growing delay after wrong
        # codes), in a transaction so that two tries at once cannot both pass.
        with transaction.atomic():
            for device in devices_for_user(self.user, for_verify=True):
                allowed, _data = device.verify_is_allowed()
                if not allowed:
                    throttled = True
                    continue
                if device.verify_token(token):
                    self.device = device
                    return token
        if throttled:
            raise forms.ValidationError(
                _("Too many wrong codes in a row. Wait a little and try again."), code="throttled"
            )
        raise forms.ValidationError(_("The code is wrong or has expired."), code="invalid")


class OTPEnrolForm(forms.Form):
    """The first code from a newly added app, to show that it was set up right."""

    otp_token = OTPTokenField(help_text=_("The six digits the app shows after you have added Køreplan."))
