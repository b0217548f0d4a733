"""Fødselsnummer (both mod-11 control digits) and CPR (a date plus 4 digits).

The numbers below belong to nobody: a synthetic test person (month + 80), or
birth dates in the 1850s, decades before either register existed.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from concerns.national_id import parse_national_id

SYNTHETIC_FNR = "01811050047"  # 1 Jan 2010, month + 80 marks a test person
REGULAR_FNR = "01015560041"  # 1 Jan 1855, individual number 600
D_NUMBER = "41015560035"  # the same birth date as a D-number (day + 40)


@pytest.mark.parametrize(
    ("value", "birth_date"),
    [
        (SYNTHETIC_FNR, datetime.date(2010, 1, 1)),
        (REGULAR_FNR, datetime.date(1855, 1, 1)),
        ("010155 600 41", datetime.date(1855, 1, 1)),
        (D_NUMBER, datetime.date(1855, 1, 1)),
    ],
)
def test_valid_fodselsnummer_gives_its_birth_date(value, birth_date):
    parsed = parse_national_id(value)
    assert parsed.country == "NO"
    assert parsed.birth_date == birth_date


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("01015560042", "fnr_control"),  # second control digit wrong
        ("01015560031", "fnr_control"),  # first control digit wrong
        ("41015560041", "fnr_control"),  # a D-number needs its own control digits
        ("31025560054", "fnr_date"),  # control digits match, but 31 February does not exist
        ("12345", "national_id_format"),
        ("0101556004a", "national_id_format"),
    ],
)
def test_invalid_numbers_are_refused_with_a_reason(value, code):
    with pytest.raises(ValidationError) as error:
        parse_national_id(value)
    assert error.value.code == code


def test_synthetic_numbers_are_refused_where_real_people_are_filed(settings):
    settings.NATIONAL_ID_ALLOW_SYNTHETIC = False
    with pytest.raises(ValidationError) as error:
        parse_national_id(SYNTHETIC_FNR)
    assert error.value.code == "synthetic"


@pytest.mark.parametrize(
    ("value", "birth_date"),
    [
        ("0101585234", datetime.date(1858, 1, 1)),  # 7th digit 5, year 58 → 1800s
        ("010158-5234", datetime.date(1858, 1, 1)),
        ("2902605234", datetime.date(1860, 2, 29)),  # a leap day
    ],
)
def test_valid_cpr_gives_its_birth_date(value, birth_date):
    parsed = parse_national_id(value)
    assert parsed.country == "DK"
    assert parsed.birth_date == birth_date


@pytest.mark.parametrize(
    "value",
    [
        "3102585234",  # 31 February
        "0113585234",  # month 13
        "2902575234",  # 29 February 1857 was no leap day
        "0000585234",
        "0101364004",  # 7th digit 4 with year 36 → 2036, in the future
    ],
)
def test_cpr_without_a_valid_date_is_refused(value):
    with pytest.raises(ValidationError) as error:
        parse_national_id(value)
    assert error.value.code == "cpr_date"
