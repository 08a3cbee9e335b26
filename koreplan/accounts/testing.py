"""Signing in without the forms, for the test suite and the bench (never for a request).

`client.force_login(user)` skips the password; `client_second_factor_verify` then skips the
one-time code through django-otp's own login: the session is marked verified by a device
of the user's, made for the purpose if the user must have one and has none.
"""

import django_otp
from django.http import HttpRequest
from django.test import Client
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from koreplan.accounts.models import User


def backup_codes_give(user: User, *codes: str) -> StaticDevice:
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    for code in codes or ("reserve01",):
        StaticToken.objects.create(device=device, token=code)
    return device


def client_second_factor_verify(client: Client, user: User) -> None:
    """Mark the client's session as having given the one-time code."""
    device = next(iter(devices_for_user(user, confirmed=True)), None)
    if device is None:
        if not user.second_factor_required:
            return
        device = backup_codes_give(user)
    request = HttpRequest()
    request.session = client.session
    request.user = user
    django_otp.login(request, device)
    request.session.save()
