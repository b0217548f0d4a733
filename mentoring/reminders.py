"""The next meeting of a mentorship feeds the reminders: the mentor hears of it on the day."""

from collections.abc import Iterable

from django.db.models import CharField, OuterRef
from django.db.models.functions import Cast
from django.urls import reverse

from concerns.models import NotificationKind
from concerns.reminders import Due, Window, not_yet_reminded, provider
from concerns.reminders.engine import day_start
from mentoring.models import Mentorship


@provider(NotificationKind.MENTOR_MEETING_DUE)
def mentor_meetings_due(window: Window) -> Iterable[Due]:
    kind = NotificationKind.MENTOR_MEETING_DUE
    mentorships = Mentorship.objects.filter(
        status=Mentorship.Status.ACTIVE, next_meeting_on__lte=window.today
    )
    if window.since is not None:
        mentorships = mentorships.filter(next_meeting_on__gte=window.after_date())
    mentorships = (
        mentorships.filter(not_yet_reminded(kind, Cast(OuterRef("next_meeting_on"), CharField())))
        .select_related("mentor__user")
        .order_by("next_meeting_on", "pk")[: window.limit]
    )
    for mentorship in mentorships:
        # No case reference and no name: the link leads the mentor to the mentee.
        yield Due(
            kind=kind,
            object_id=mentorship.pk,
            occurrence=mentorship.next_meeting_on.isoformat(),
            due_at=day_start(mentorship.next_meeting_on),
            recipients=[mentorship.mentor.user] if mentorship.mentor.user.is_active else [],
            link=reverse("mentoring:detail", args=[mentorship.public_id]),
        )
