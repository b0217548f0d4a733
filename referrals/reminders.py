"""The deadlines of referrals and case transfers: an answer is due by the response date."""

import datetime
from collections.abc import Iterable

from django.db.models import CharField, OuterRef
from django.db.models.functions import Cast, TruncDate
from django.urls import reverse
from django.utils import timezone

from concerns.models import NotificationKind
from concerns.permissions import coordinators_of
from concerns.reminders import Due, Window, not_yet_reminded, provider
from referrals.models import Referral, Transfer
from referrals.permissions import receivers_to_notify, resource_persons_of


@provider(NotificationKind.REFERRAL_RESPONSE_DUE)
def referral_answers_due(window: Window) -> Iterable[Due]:
    kind = NotificationKind.REFERRAL_RESPONSE_DUE
    referrals = Referral.objects.filter(status=Referral.Status.SENT, response_due__lte=window.today)
    if window.since is not None:
        referrals = referrals.filter(response_due__gte=window.after_date())
    referrals = (
        referrals.filter(not_yet_reminded(kind, Cast(OuterRef("response_due"), CharField())))
        .select_related("concern", "receiving_contact__user", "created_by")
        .order_by("response_due", "pk")[: window.limit]
    )
    for referral in referrals:
        yield Due(
            kind=kind,
            object_id=referral.pk,
            occurrence=referral.response_due.isoformat(),
            due_at=timezone.make_aware(
                datetime.datetime.combine(referral.response_due, datetime.time(8, 0))
            ),
            recipients=receivers_to_notify(
                referral,
                lambda organisation_id: window.recipients.memo(
                    resource_persons_of, organisation_id
                ),
            )
            or [referral.created_by],
            concern_id=referral.concern_id,
            reference=referral.concern.reference,
            link=reverse("referrals:detail", args=[referral.public_id]),
        )


@provider(NotificationKind.TRANSFER_RECEIVED)
def transfer_answers_due(window: Window) -> Iterable[Due]:
    """A transfer nobody has answered by its due time: its receiving coordinators are reminded.

    One reminder per due day (the occurrence): sending it again sets a new
    due time, and with it a new reminder.
    """
    kind = NotificationKind.TRANSFER_RECEIVED
    transfers = Transfer.objects.filter(
        status__in=Transfer.PENDING_STATUSES, response_due__lte=window.now
    )
    if window.since is not None:
        transfers = transfers.filter(response_due__gte=window.after())
    # The due day, in the local calendar, as the occurrence is written below.
    transfers = (
        transfers.annotate(due_day=Cast(TruncDate("response_due"), CharField()))
        .filter(not_yet_reminded(kind, OuterRef("due_day")))
        .order_by("response_due", "pk")[: window.limit]
    )
    for transfer in transfers:
        yield Due(
            kind=kind,
            object_id=transfer.pk,
            occurrence=timezone.localdate(transfer.response_due).isoformat(),
            due_at=transfer.response_due,
            recipients=window.recipients.memo(coordinators_of, transfer.receiving_municipality_id),
            concern_id=transfer.source_concern_id,
            reference=transfer.reference,
            link=reverse("referrals:transfer", args=[transfer.public_id]),
        )
