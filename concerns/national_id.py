"""Norwegian fødselsnummer and Danish CPR number: validation and the birth date they carry.

An 11-digit number is read as a fødselsnummer, a 10-digit one as a CPR number.
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_FNR_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_FNR_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


@dataclass(frozen=True)
class NationalId:
    country: str  # "NO" or "DK"
    digits: str
    birth_date: datetime.date


def normalise(value: str) -> str:
    return re.sub(r"[\s\-.]", "", value or "")


def _mod11_control(digits: str, weights: tuple[int, ...]) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11
    control = (11 - remainder) % 11
    return None if control == 10 else control


def fnr_control_digits(first_nine: str) -> str | None:
    """Both mod-11 control digits for the first nine digits, or None if no valid pair exists."""
    k1 = _mod11_control(first_nine, _FNR_WEIGHTS_1)
    if k1 is None:
        return None
    k2 = _mod11_control(first_nine + str(k1), _FNR_WEIGHTS_2)
    if k2 is None:
        return None
    return f"{k1}{k2}"


def _fnr_century(individual: int, yy: int) -> int | None:
    if individual <= 499:
        return 1900
    if individual <= 749 and yy >= 54:
        return 1800
    if individual >= 900 and yy >= 40:
        return 1900
    if yy <= 39:
        return 2000
    return None


def parse_fnr(digits: str) -> NationalId:
    if fnr_control_digits(digits[:9]) != digits[9:]:
        raise ValidationError(
            _("The fødselsnummer's control digits do not match."), code="fnr_control"
        )
    day, month, yy = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    if day > 40:  # D-number, given to people without a fødselsnummer
        day -= 40
    if month > 80:  # synthetic test person (Tenor); never a real person
        if not settings.NATIONAL_ID_ALLOW_SYNTHETIC:
            raise ValidationError(
                _("Synthetic test numbers are not accepted here."), code="synthetic"
            )
        month -= 80
    elif month > 40:  # H-number, a temporary health-service number
        month -= 40
    century = _fnr_century(int(digits[6:9]), yy)
    birth_date = _date_or_none(century, yy, month, day)
    if birth_date is None:
        raise ValidationError(
            _("The fødselsnummer does not hold a valid birth date."), code="fnr_date"
        )
    return NationalId("NO", digits, birth_date)


def _cpr_century(seventh: int, yy: int) -> int:
    # The 7th digit and the year together give the century (CPR-kontoret's table).
    if seventh in (0, 1, 2, 3):
        return 1900
    if seventh in (4, 9):
        return 2000 if yy <= 36 else 1900
    if yy <= 57:
        return 2000
    return 1800


def parse_cpr(digits: str) -> NationalId:
    """A CPR number is a date (DDMMYY) plus 4 digits. Since 2007 it has no mod-11 check."""
    day, month, yy = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    birth_date = _date_or_none(_cpr_century(int(digits[6]), yy), yy, month, day)
    if birth_date is None:
        raise ValidationError(
            _("The CPR number does not start with a valid date (DDMMYY)."), code="cpr_date"
        )
    return NationalId("DK", digits, birth_date)


def _date_or_none(century: int | None, yy: int, month: int, day: int) -> datetime.date | None:
    """The birth date, or None when it does not exist or lies in the future."""
    if century is None:
        return None
    try:
        birth_date = datetime.date(century + yy, month, day)
    except ValueError:
        return None
    return birth_date if birth_date <= timezone.localdate() else None


def parse_national_id(value: str) -> NationalId:
    digits = normalise(value)
    if not digits.isdigit() or len(digits) not in (10, 11):
        raise ValidationError(
            _("Enter an 11-digit Norwegian fødselsnummer or a 10-digit Danish CPR number."),
            code="national_id_format",
        )
    return parse_fnr(digits) if len(digits) == 11 else parse_cpr(digits)


def validate_national_id(value: str) -> None:
    parse_national_id(value)
