"""The receipt a reporter is sent once her concern is received and assessed.

Aalborg's underretning card asks for it within 6 weekdays (barnets lov § 133):
a real notification to the professional who reported, with the municipality's
own text. The text is copied onto the timeline in every language, so what the
reporter was sent stays as it was when the municipality edits its text later.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from concerns.models import CaseEvent, Concern, JournalEntry, NotificationKind
from concerns.reminders import outbox_add
from concerns.timeline import event_record, texts
from partners.models import User


def reporter_receipt_send(*, concern: Concern, actor: User) -> CaseEvent:
    """Send the reporter the receipt; called inside the service that completes the step."""
    # concerns.records imports the services' models; imported here to keep the order simple.
    from concerns.records.journal import journal_record

    municipality = concern.municipality
    if not municipality.reporter_receipt_nb.strip():
        raise ValidationError(
            _("The municipality has no receipt text yet: a registry admin writes it first."),
            code="no_receipt_text",
        )
    if concern.events.filter(kind=CaseEvent.Kind.RECEIPT_SENT).exists():
        raise ValidationError(_("The reporter has already been sent the receipt."))
    receipt = {
        language: text or municipality.reporter_receipt_nb
        for language, text in texts(municipality, "reporter_receipt").items()
    }
    event = event_record(
        concern=concern, actor=actor, kind=CaseEvent.Kind.RECEIPT_SENT, data={"receipt": receipt}
    )
    outbox_add(
        kind=NotificationKind.REPORTER_RECEIPT,
        concern=concern,
        recipients=[concern.reporter],
        actor=actor,
    )
    journal_record(
        concern=concern,
        document_kind=JournalEntry.DocumentKind.RECEIPT,
        direction=JournalEntry.Direction.OUTGOING,
        actor=actor,
        correspondent=concern.reporter_organisation.name if concern.reporter_organisation else "",
    )
    return event
