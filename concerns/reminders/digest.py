"""The coordinators' weekly digest: counts and overdue reference numbers, never a name."""

import datetime

from django.urls import reverse
from django.utils import timezone

from concerns.models import Concern, NotificationKind
from concerns.reminders.delivery import enqueue_delivery
from concerns.reminders.engine import Due, create_reminders
from partners.models import Role, User


def digest_for(user: User, today: datetime.date) -> dict:
    week_ago = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=7), datetime.time())
    )
    municipalities = (
        list(user.organisation.municipalities.values_list("pk", flat=True))
        if user.organisation_id
        else []
    )
    concerns = Concern.objects.filter(municipality__in=municipalities).exclude(
        status=Concern.Status.DRAFT
    )
    overdue = concerns.filter(status__in=Concern.OPEN_STATUSES, follow_up_on__lt=today)
    return {
        "new": concerns.filter(submitted_at__gte=week_ago).count(),
        "open": concerns.filter(status__in=Concern.OPEN_STATUSES).count(),
        "overdue": overdue.count(),
        "closed": concerns.filter(status=Concern.Status.CLOSED, closed_at__gte=week_ago).count(),
        "overdue_references": list(
            overdue.order_by("follow_up_on").values_list("reference", flat=True)[:100]
        ),
    }


def create_weekly_digests(now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    today = timezone.localdate(now)
    year, week, _weekday = today.isocalendar()
    coordinators = User.objects.filter(is_active=True, roles__code=Role.Code.COORDINATOR).distinct()
    made = create_reminders(
        [
            Due(
                kind=NotificationKind.WEEKLY_DIGEST,
                object_id=user.pk,
                occurrence=f"{year}-W{week:02d}",
                due_at=now,
                recipients=[user],
                link=reverse("concerns:inbox"),
                data=digest_for(user, today),
            )
            for user in coordinators
        ]
    )
    enqueue_delivery(now)
    return made
