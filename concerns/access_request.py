"""The data subject's access request (GDPR art. 15): everything held about one person.

The coordinator exports, for one person (and every person linked to them as
the same), each submitted concern in the municipalities they coordinate:
what was reported, the timeline, the referrals with what they shared and
their notes, the list of files, and every access-log row with its purpose.
Staff are named by organisation, not by name: the person learns who holds
and read their data, which is what article 15 asks.

Drafts a reporter has not submitted are left out: they are the reporter's
alone until submitted and are deleted after 30 days (concerns.retention).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from concerns.models import AccessLog, CaseEvent, Concern, Subject
from concerns.permissions import coordinated_municipality_ids
from concerns.selectors import chronology_for
from partners.models import User
from referrals.models import Referral


@dataclass
class Export:
    person: Subject
    made_at: datetime.datetime
    concerns: list[Concern] = field(default_factory=list)
    access_log: list[AccessLog] = field(default_factory=list)


def concerns_for_access_request(subject: Subject, user: User) -> list[Concern]:
    """The person's concerns the user coordinates; empty for anyone who coordinates none."""
    municipalities = coordinated_municipality_ids(user)
    if not municipalities:
        return []
    return list(chronology_for(subject, user).filter(municipality__in=municipalities))


def build_export(subject: Subject, concerns: list[Concern]) -> Export:
    ids = [concern.pk for concern in concerns]
    full = list(
        Concern.objects.filter(pk__in=ids)
        .select_related("subject__district", "phenomenon", "reporter_organisation", "municipality")
        .prefetch_related(
            "signs",
            "attachments",
            Prefetch("events", queryset=CaseEvent.objects.order_by("at", "pk")),
            Prefetch(
                "referrals",
                queryset=Referral.objects.select_related("receiving_organisation")
                .prefetch_related("notes", "shared_attachments")
                .order_by("created_at"),
            ),
        )
        .order_by("submitted_at", "pk")
    )
    log = list(
        AccessLog.objects.filter(concern__in=ids)
        .select_related("organisation", "concern")
        .order_by("at", "pk")
    )
    return Export(person=subject, made_at=timezone.now(), concerns=full, access_log=log)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export_as_data(export: Export) -> dict:
    """The export as plain data for JSON: codes beside their words, ISO dates."""
    person = export.person
    return {
        "made_at": _iso(export.made_at),
        "person": {
            "name": person.name,
            "birth_date": _iso(person.birth_date),
            "birth_year": person.birth_year,
            "national_id": person.national_id,
            "district": str(person.district) if person.district else None,
            "school_or_workplace": person.school_or_workplace,
        },
        "concerns": [
            {
                "reference": concern.reference,
                "status": concern.status,
                "submitted_at": _iso(concern.submitted_at),
                "closed_at": _iso(concern.closed_at),
                "outcome": concern.outcome,
                "reporter_organisation": concern.reporter_organisation.name,
                "described_as": concern.subject.name,
                "observed_on": _iso(concern.observed_on),
                "observations": concern.observations,
                "phenomenon": str(concern.phenomenon) if concern.phenomenon else None,
                "signs": [str(sign) for sign in concern.signs.all()],
                "urgency": concern.urgency,
                "timeline": [
                    {
                        "at": _iso(event.at),
                        "kind": event.kind,
                        "what": str(event.get_kind_display()),
                        "text": event.text,
                    }
                    for event in concern.events.all()
                ],
                "referrals": [
                    {
                        "to": referral.receiving_organisation.name,
                        "status": referral.status,
                        "sent_at": _iso(referral.sent_at),
                        "reason": referral.reason,
                        "shared_information": referral.shared_information,
                        "files_shared": [a.name for a in referral.shared_attachments.all()],
                        "notes": [
                            {"at": _iso(note.at), "text": note.text}
                            for note in referral.notes.all()
                        ],
                    }
                    for referral in concern.referrals.all()
                ],
                "files": [
                    {
                        "name": attachment.name,
                        "kind": attachment.kind,
                        "size": attachment.size,
                        "added_at": _iso(attachment.uploaded_at),
                    }
                    for attachment in concern.attachments.all()
                ],
            }
            for concern in export.concerns
        ],
        "access_log": [
            {
                "at": _iso(entry.at),
                "concern": entry.concern.reference,
                "organisation": entry.organisation.name if entry.organisation else None,
                "purpose": entry.purpose,
                "purpose_text": str(entry.get_purpose_display()),
                "reason": entry.reason,
            }
            for entry in export.access_log
        ],
    }
