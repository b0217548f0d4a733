import pytest
from django.core.exceptions import ValidationError

from partners.validators import validate_nordic_phone


@pytest.mark.parametrize(
    "number", ["952 63 621", "73 89 90 90", "+47 952 63 621", "+45 98 12 34 56", "004773899090"]
)
def test_norwegian_and_danish_numbers_are_accepted(number):
    validate_nordic_phone(number)


@pytest.mark.parametrize(
    "number", ["112", "952 63 62", "+46 70 123 45 67", "phone me", "+47 952 63 6211"]
)
def test_other_numbers_are_refused(number):
    with pytest.raises(ValidationError):
        validate_nordic_phone(number)
