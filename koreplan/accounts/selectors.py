"""Reading a user's second factor."""

from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from koreplan.accounts.models import User


def otp_devices_of(*, user: User) -> list:
    """The user's confirmed devices: an authenticator app and/or a set of backup codes."""
    return list(devices_for_user(user, confirmed=True))


def otp_device_exists(*, user: User) -> bool:
    return user_has_device(user, confirmed=True)


def otp_totp_device_of(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def otp_backup_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def otp_backup_codes_of(*, user: User) -> list[str]:
    """The unused backup codes (the demo prints them; django-otp keeps them in clear)."""
    return list(
        StaticToken.objects.filter(device__user=user, device__confirmed=True)
        .order_by("id")
        .values_list("token", flat=True)
    )
