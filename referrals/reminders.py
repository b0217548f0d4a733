"""The referral deadline: an answer is due by the response date."""

import datetime
from collections.abc import Iterable

from django.db.models import CharField, OuterRef
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from concerns.models import NotificationKind
from concerns.reminders import Due, Window, not_yet_reminded, provider
from referrals.models import Referral
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
