import datetime

import pytest

from concerns.models import AgeBand, age_band_for

D = datetime.date


@pytest.mark.parametrize(
    ("birth_date", "birth_year", "on", "band"),
    [
        (D(2008, 11, 23), None, D(2026, 11, 22), AgeBand.UNDER_18),  # turns 18 tomorrow
        (D(2008, 11, 22), None, D(2026, 11, 22), AgeBand.ADULT),  # 18 today
        (None, 2008, D(2026, 11, 22), AgeBand.UNDER_18),  # may still be 17: child duties apply
        (None, 2007, D(2026, 1, 1), AgeBand.ADULT),
        (None, None, D(2026, 1, 1), AgeBand.UNDER_18),
    ],
)
def test_age_band(birth_date, birth_year, on, band):
    assert age_band_for(birth_date=birth_date, birth_year=birth_year, on=on) == band
