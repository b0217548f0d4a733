"""The second factor: setting it up, checking a code, recovery codes, and resetting it.

TOTP and recovery codes come from django-otp (docs/adr/0001). A TOTP device
remembers the time step of the last code it accepted, so a code is good once;
we check it under a row lock, so two requests with the same code cannot both
pass. Wrong codes make the device wait longer before the next try.
"""

from base64 import b32encode
from dataclasses import dataclass

import segno
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.identity.models import SecurityEvent
from partners.models import User
from partners.permissions import is_platform_admin

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"


def security_event_record(
    *,
    user: User | None,
    kind: str,
    actor: User | None,
    username: str = "",
    ip_address: str | None = None,
    detail: str = "",
) -> SecurityEvent:
    event = SecurityEvent(
        user=user,
        username=username or (user.username if user else ""),
        kind=kind,
        actor=actor,
        ip_address=ip_address,
        detail=detail[:200],
    )
    event._history_user = actor
    event.save()
    return event


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The device being set up: made once, shown until its first code is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an SVG QR code, drawn here: the secret never leaves our server."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def totp_secret_for_typing(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for someone who cannot scan the code."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _recovery_codes_replace(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    recovery_codes: list[str]


@transaction.atomic
def totp_device_confirm(
    *, user: User, token: str, ip_address: str | None = None
) -> Enrolment | None:
    """Confirm the pending device with its first code. None when the code is wrong."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("pk")
        .first()
    )
    if device is None or not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Any older device goes: one authenticator per account, the one just proven.
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _recovery_codes_replace(user)
    security_event_record(
        user=user, kind=SecurityEvent.Kind.SECOND_FACTOR_ENROLLED, actor=user, ip_address=ip_address
    )
    return Enrolment(device=device, recovery_codes=codes)


@dataclass(frozen=True)
class Verification:
    device: object | None  # the device that accepted the code
    wait_seconds: int = 0  # > 0: throttled, try again later


def _throttle_wait(device) -> int:
    allowed, data = device.verify_is_allowed()
    if allowed:
        return 0
    locked_until = (data or {}).get("locked_until")
    if locked_until is None:
        return 1
    return max(1, int((locked_until - timezone.now()).total_seconds()) + 1)


@transaction.atomic
def second_factor_verify(*, user: User, token: str, ip_address: str | None = None) -> Verification:
    """Check a code from the authenticator, or a one-time recovery code.

    Devices are locked while their code is checked, so one code passes once
    even when two requests bring it at the same instant.
    """
    token = "".join(token.split())
    # Six digits come from the app; anything else is a recovery code. Each is
    # checked only against its own kind, so a mistyped recovery code never
    # slows down the authenticator, nor the other way round.
    model = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    for device in model.objects.select_for_update().filter(user=user, confirmed=True):
        wait = _throttle_wait(device)
        if wait:
            return Verification(device=None, wait_seconds=wait)
        if device.verify_token(token):
            kind = (
                SecurityEvent.Kind.RECOVERY_CODE_USED
                if model is StaticDevice
                else SecurityEvent.Kind.SECOND_FACTOR_PASSED
            )
            security_event_record(user=user, kind=kind, actor=user, ip_address=ip_address)
            return Verification(device=device)
    security_event_record(
        user=user, kind=SecurityEvent.Kind.SECOND_FACTOR_FAILED, actor=user, ip_address=ip_address
    )
    return Verification(device=None)


@transaction.atomic
def recovery_codes_renew(*, user: User, ip_address: str | None = None) -> list[str]:
    codes = _recovery_codes_replace(user)
    security_event_record(
        user=user, kind=SecurityEvent.Kind.RECOVERY_CODES_RENEWED, actor=user, ip_address=ip_address
    )
    return codes


@transaction.atomic
def second_factor_reset(*, user: User, actor: User) -> None:
    """Remove an account's devices (a lost phone). The next sign-in sets up a new one.

    Only a platform admin may, and never for their own account: whoever
    resets a second factor could otherwise take the account over.
    """
    if not is_platform_admin(actor) or actor.pk == user.pk:
        raise PermissionDenied
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    security_event_record(user=user, kind=SecurityEvent.Kind.SECOND_FACTOR_RESET, actor=actor)


def access_denied_record(*, user: User, what: str) -> None:
    """An existing object was asked for by someone who may not see it.

    The answer is the same 404 as for a missing object; this row lets the
    platform admin see who probes, without telling the prober anything.
    """
    security_event_record(
        user=user if user.is_authenticated else None,
        kind=SecurityEvent.Kind.ACCESS_DENIED,
        actor=user if user.is_authenticated else None,
        detail=what,
    )
