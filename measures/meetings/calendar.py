"""A meeting as a calendar invitation (.ics, RFC 5545), made with the icalendar package.

It goes into calendars the municipality does not control, so it holds the
kind of meeting, its time and place and a link, and nothing else: no
participant, no chair, no item, no case and no reference number.
"""

import datetime

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from measures.meetings.models import Meeting

PRODID = "-//Bekymring//Meetings//EN"


def invitation(meeting: Meeting) -> bytes:
    link = settings.SITE_URL.rstrip("/") + reverse("meetings:detail", args=[meeting.public_id])
    event = icalendar.Event.new(
        uid=f"{meeting.public_id}@bekymring",
        summary=f"{meeting.kind.name} – {meeting.municipality.name}",
        start=meeting.starts_at.astimezone(datetime.UTC),
        end=meeting.ends_at.astimezone(datetime.UTC),
        location=meeting.place,
        description=_("The agenda is in the system (sign-in required): %(link)s") % {"link": link},
        url=link,
        stamp=timezone.now().astimezone(datetime.UTC),
        # A later download of the same meeting replaces the earlier one in the calendar.
        sequence=int(meeting.updated_at.timestamp()) % 2**31,
        status="CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED",
    )
    calendar = icalendar.Calendar.new(
        prodid=PRODID,
        method="PUBLISH",
        subcomponents=[event],
    )
    return calendar.to_ical()
