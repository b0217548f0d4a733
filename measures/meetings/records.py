"""Approved minutes in a case's archive package: what the meeting said about that case only."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from concerns.models import JournalEntry
from concerns.records.documents import Sections, document_renderer
from measures.meetings.models import Meeting


@document_renderer(JournalEntry.DocumentKind.MEETING_MINUTES)
def meeting_minutes(entry: JournalEntry) -> Sections:
    meeting = Meeting.objects.filter(public_id=(entry.data or {}).get("meeting")).first()
    if meeting is None:
        return []
    sections = [
        (
            _("Meeting"),
            f"{meeting.kind.translated('name')}, "
            f"{formats.date_format(timezone.localtime(meeting.starts_at).date())}",
        )
    ]
    for item in meeting.items.filter(concern=entry.concern).prefetch_related("decisions"):
        sections.append((_("Presentation"), item.text))
        for decision in item.decisions.all():
            sections.append((decision.get_kind_display(), decision.text))
    return sections
