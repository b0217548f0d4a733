"""The referral deadline: an answer is due by the response date."""

import datetime
from collections.abc import Iterable

from django.db.models import CharField, OuterRef
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from concerns.models import NotificationKind
from concerns.reminders import Due, not_yet_reminded, provider
from partners.models import Role, User
from referrals.models import Referral


def _who_answers(referral: Referral) -> list[User]:
    if referral.receiving_contact_id and referral.receiving_contact.user_id:
        return [referral.receiving_contact.user]
    resource_persons = User.objects.filter(
        is_active=True,
        organisation=referral.receiving_organisation_id,
        roles__code=Role.Code.RESOURCE_PERSON,
    ).distinct()
    return list(resource_persons) or [referral.created_by]


@provider(NotificationKind.REFERRAL_RESPONSE_DUE)
def referral_answers_due(now: datetime.datetime, limit: int) -> Iterable[Due]:
    kind = NotificationKind.REFERRAL_RESPONSE_DUE
    referrals = (
        Referral.objects.filter(
            status=Referral.Status.SENT, response_due__lte=timezone.localdate(now)
        )
        .filter(not_yet_reminded(kind, Cast(OuterRef("response_due"), CharField())))
        .select_related("concern", "receiving_contact__user", "created_by")
        .order_by("response_due", "pk")[:limit]
    )
    for referral in referrals:
        yield Due(
            kind=kind,
            object_id=referral.pk,
            occurrence=referral.response_due.isoformat(),
            due_at=timezone.make_aware(
                datetime.datetime.combine(referral.response_due, datetime.time(8, 0))
            ),
            recipients=_who_answers(referral),
            concern_id=referral.concern_id,
            reference=referral.concern.reference,
            link=reverse("referrals:detail", args=[referral.public_id]),
        )
