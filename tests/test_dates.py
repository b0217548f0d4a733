"""The page formatters write exactly what the `date` template filter writes."""

import datetime
import zoneinfo

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import timezone, translation

from config.dates import date_formatter

FORMATS = ["DATE_FORMAT", "SHORT_DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATETIME_FORMAT"]
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def _moments() -> list[datetime.datetime]:
    """Midnight, noon, the summer-time changes, a leap day and a year's turn, in UTC."""
    utc = datetime.UTC
    moments = [
        datetime.datetime(2026, 3, 29, hour, minute, tzinfo=utc)  # summer time starts
        for hour in range(0, 3)
        for minute in (0, 30, 59)
    ]
    moments += [datetime.datetime(2026, 10, 25, hour, 15, tzinfo=utc) for hour in range(0, 3)]
    moments += [
        datetime.datetime(2026, 1, 1, 0, 0, tzinfo=OSLO),  # midnight
        datetime.datetime(2026, 6, 1, 12, 0, tzinfo=OSLO),  # noon
        datetime.datetime(2028, 2, 29, 23, 59, tzinfo=OSLO),
        datetime.datetime(2026, 12, 31, 23, 30, tzinfo=utc),  # already next year in Oslo
        datetime.datetime(2026, 5, 17, 8, 5, tzinfo=utc),
    ]
    return moments


@pytest.mark.parametrize("language", ["nb", "da", "en"])
@pytest.mark.parametrize("format_name", FORMATS)
def test_datetimes_are_written_as_the_filter_writes_them(language, format_name):
    with translation.override(language), timezone.override(OSLO):
        write = date_formatter(format_name)
        for moment in _moments() * 2:  # the second round comes from the day's memory
            expected = date_filter(timezone.template_localtime(moment), format_name)
            assert write(moment) == expected, (moment, language, format_name)


@pytest.mark.parametrize("language", ["nb", "da", "en"])
@pytest.mark.parametrize("format_name", ["DATE_FORMAT", "SHORT_DATE_FORMAT"])
def test_days_are_written_as_the_filter_writes_them(language, format_name):
    with translation.override(language):
        write = date_formatter(format_name)
        for day in [
            datetime.date(2026, 1, 1),
            datetime.date(2028, 2, 29),
            datetime.date(999, 12, 3),
        ]:
            assert write(day) == date_filter(day, format_name)


def test_nothing_is_written_for_no_date():
    assert date_formatter("SHORT_DATE_FORMAT")(None) == ""
