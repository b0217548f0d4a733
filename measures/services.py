"""Writes to the plans' own records."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from measures.models import Goal, Initiative, Measure, MeasureActivity, Meeting
from partners.models import Organisation, Role, User


@transaction.atomic
def measure_activity_record(
    *,
    actor: User,
    measure: Measure | None = None,
    initiative: Initiative | None = None,
    kind: str,
    date: datetime.date,
    organisations: Iterable[Organisation],
    participants: int,
    goals: Iterable[Goal] = (),
    meeting: Meeting | None = None,
) -> MeasureActivity:
    """Work outside any case (Kontaktforum, seminars, courses): counts only, no personal data.

    Recorded under a Trondheim measure or an Aalborg initiative, with the
    Aalborg goals it serves. A held meeting records itself (`meeting`), once.
    """
    if not (actor.has_role(Role.Code.COORDINATOR) or actor.has_role(Role.Code.RESOURCE_PERSON)):
        raise ValidationError(_("Only coordinators and resource persons record plan activities."))
    if date > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    goals = list(goals)
    plan_item = measure or initiative
    if plan_item is None or any(
        goal.municipality_id != plan_item.municipality_id for goal in goals
    ):
        raise ValidationError(_("Pick goals of the same plan."))
    activity = MeasureActivity(
        measure=measure,
        initiative=initiative,
        kind=kind,
        date=date,
        participants=participants,
        created_by=actor,
        meeting=meeting,
    )
    activity.full_clean()
    activity._history_user = actor
    activity.save()
    activity.organisations.set(organisations)
    activity.goals.set(goals)
    return activity
