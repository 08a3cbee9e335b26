"""Changing how a user logs in: the one-time-code devices and the password. Every change is
written to the audit log in the same transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from koreplan.accounts.models import User
from koreplan.audit.services import audit_record

BACKUP_CODE_COUNT = 10


def otp_token_normalise(token: str) -> str:
    """As typed: "123 456" and "ABCD EFGH" are the code 123456 and backup code abcdefgh."""
    return "".join(token.split()).lower()


def otp_totp_enroll(*, user: User, key: str, token: str, request: HttpRequest | None = None) -> tuple[TOTPDevice, list[str]]:
    """Add an authenticator app with the secret `key` once it has given a valid `token`,
    with a new set of backup codes; returns the device and the codes (shown once)."""
    with transaction.atomic():
        # Saved first, because verify_token saves what it learns (the last time step used,
        # throttling); a wrong code rolls the device back out with the error.
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), key=key, confirmed=True)
        if not device.verify_token(otp_token_normalise(token)):
            raise ValidationError(
                {"otp_token": _("The code is wrong or has expired. Enter the code the app shows now.")}
            )
        codes = _backup_codes_replace(user=user)
        audit_record(action="koreplan.accounts.otp_enrolled", actor=user, request=request, obj=device)
    return device, codes


def otp_backup_codes_generate(*, user: User, request: HttpRequest | None = None) -> tuple[StaticDevice, list[str]]:
    """Replace the user's backup codes with a new set (the old ones stop working)."""
    with transaction.atomic():
        codes = _backup_codes_replace(user=user)
        device = StaticDevice.objects.filter(user=user).order_by("id").first()
        audit_record(
            action="koreplan.accounts.otp_backup_codes_generated", actor=user, request=request, obj=device,
            data={"count": len(codes)},
        )
    return device, codes


def otp_devices_remove(*, user: User, request: HttpRequest | None = None) -> int:
    """Remove the user's authenticator apps and backup codes; returns how many devices.

    All at once: backup codes without the app they back up would keep asking for a code
    the user means to stop using. Someone who must have a second factor is asked to set up
    a new one at the next page (koreplan.accounts.middleware)."""
    with transaction.atomic():
        removed = [f"totp:{pk}" for pk in TOTPDevice.objects.filter(user=user).values_list("pk", flat=True)]
        removed += [f"static:{pk}" for pk in StaticDevice.objects.filter(user=user).values_list("pk", flat=True)]
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        if removed:
            audit_record(
                action="koreplan.accounts.otp_removed", actor=user, request=request, obj=user,
                data={"devices": removed},
            )
    return len(removed)


def user_password_change(*, user: User, password: str, request: HttpRequest | None = None) -> None:
    """Set a password that has passed the validators (AUTH_PASSWORD_VALIDATORS)."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(action="koreplan.accounts.password_changed", actor=user, request=request, obj=user)


def _backup_codes_replace(*, user: User) -> list[str]:
    # One set of backup codes per user: any other set (say, one made in the admin) goes.
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Backup codes"), confirmed=True)
    codes = [StaticToken.random_token() for _i in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes
