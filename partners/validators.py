import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_PHONE_NOISE = re.compile(r"[\s\-().]")


def normalise_phone(value: str) -> str:
    """'+47 952 63 621' → '+4795263621'; a bare 8-digit number is kept as it is."""
    return _PHONE_NOISE.sub("", value or "")


def validate_nordic_phone(value: str) -> None:
    """A Norwegian or Danish phone number: 8 digits, optionally after +47/+45 or 0047/0045."""
    number = normalise_phone(value)
    if re.fullmatch(r"(\+|00)(47|45)\d{8}", number) or re.fullmatch(r"\d{8}", number):
        return
    raise ValidationError(
        _("Enter a Norwegian or Danish phone number: 8 digits, optionally after +47 or +45."),
        code="invalid_phone",
    )
