"""The second factor in tests.

`client.force_login(user)` skips the password; conftest.py makes it skip the one-time code
too, through django-otp's own login (the session is marked verified by a device of the
user's, made for the purpose if the user must have one and has none). Tests of the
enforcement itself are marked `second_factor_unverified` and get the plain force_login.
"""

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from koreplan.accounts.models import User
from koreplan.accounts.testing import backup_codes_give, client_second_factor_verify

__all__ = ["authenticator_app_give", "backup_codes_give", "client_second_factor_verify", "totp_code"]


def authenticator_app_give(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def totp_code(device: TOTPDevice) -> str:
    """The code the user's app shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
