"""Dates written as the `date` template filter writes them, for pages that show many.

The filter formats every value from scratch, 20 to 50 µs each: two dates on
each of an inbox's 50 rows, or a timeline of 60 entries, took a tenth of the
page. A formatter from here is made once per page. The part of the format that
depends on the day alone (day, month and its name, year) is worked out once
per day, the rest (the time of day) per value. The text is the filter's: the
active language's format, Django's own format characters, the value taken to
the current time zone first.
"""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import DateFormat, re_escaped, re_formatchars
from django.utils.formats import get_format

# The format characters of django.utils.dateformat that read the date alone.
# Every other one reads the time of day or the time zone.
_DAY_ONLY = frozenset("bdDEFjlLmMnNoStwWyYz")

Value = datetime.date | datetime.datetime | None


def date_formatter(format_name: str) -> Callable[[Value], str]:
    """`value|date:format_name` as a function; None gives "", as the filter does.

    Make it after the page's language is active, and only for one page: the
    format and the month names are that language's.
    """
    parts: list[tuple[str | None, str | None]] = []  # (text, or format character)
    for index, piece in enumerate(re_formatchars.split(str(get_format(format_name)))):
        if index % 2:
            parts.append((None, piece))
        elif piece:
            parts.append((re_escaped.sub(r"\1", piece), None))
    timed = any(character not in _DAY_ONLY for text, character in parts if character)
    days: dict[datetime.date, list[str | None]] = {}

    def write(value: Value) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime.datetime) and settings.USE_TZ and timezone.is_aware(value):
            value = timezone.localtime(value)
        day = value.date() if isinstance(value, datetime.datetime) else value
        pieces = days.get(day)
        if pieces is None:
            written = DateFormat(value)
            pieces = days[day] = [
                text if character is None else _day_part(written, character)
                for text, character in parts
            ]
        if not timed:
            return "".join(pieces)  # type: ignore[arg-type]
        written = DateFormat(value)
        return "".join(
            piece if piece is not None else str(getattr(written, character)())
            for piece, (_text, character) in zip(pieces, parts, strict=True)
        )

    return write


def _day_part(written: DateFormat, character: str) -> str | None:
    """The character's text for the day, or None when it depends on more than the day."""
    return str(getattr(written, character)()) if character in _DAY_ONLY else None
