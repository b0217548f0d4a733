"""The reviews of a case closed after its support ended: reminders at 6 and 12 months.

One provider for the kind, one query per review ("first", "second"): the
closed cases whose `review_from` lies in the window's range of starts for
their municipality's rule (concerns.reviews.start_ranges), with neither a
reminder for this review nor the review itself recorded yet.
"""

from collections.abc import Iterable

from django.db.models import BooleanField, Case, CharField, Exists, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Concat

from concerns.models import CaseEvent, Concern, NotificationKind
from concerns.permissions import assigned_to_someone_who_cannot_act
from concerns.reminders.engine import Due, Window, case_link, day_start, not_yet_reminded, provider
from concerns.reviews import (
    OCCURRENCES,
    review_calendar,
    review_deadline,
    rules_for,
    start_ranges,
)


def _occurrence(occurrence: str):
    # "first:2026-05-04": a case reopened and closed again after new support
    # counts from its new closing day, and is reminded again.
    return Concat(
        Value(f"{occurrence}:"),
        Cast(OuterRef("review_from"), CharField()),
        output_field=CharField(),
    )


def _reviewed(occurrence: str) -> Exists:
    """The review recorded since the case was closed: nobody needs reminding of it."""
    return Exists(
        CaseEvent.objects.filter(
            concern=OuterRef("pk"),
            kind=CaseEvent.Kind.REVIEWED,
            data__occurrence=occurrence,
            at__gte=OuterRef("closed_at"),
        )
    )


def _due_cases(window: Window, occurrence: str):
    kind = NotificationKind.REVIEW_DUE
    since = window.after_date() if window.since is not None else None
    ranges = start_ranges(occurrence, today=window.today, since=since)
    in_range = Q(pk__in=[])
    for starts in ranges:
        condition = Q(municipality_id__in=starts.municipality_ids, review_from__lte=starts.latest)
        if starts.earliest is not None:
            condition &= Q(review_from__gte=starts.earliest)
        in_range |= condition
    return (
        Concern.objects.filter(status=Concern.Status.CLOSED, review_from__isnull=False)
        .filter(in_range)
        .filter(not_yet_reminded(kind, _occurrence(occurrence)), ~_reviewed(occurrence))
        .annotate(
            assignee_cannot_act=Case(
                When(assigned_to_someone_who_cannot_act(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .select_related("assignee__user", "municipality")
        .order_by("review_from", "pk")[: window.limit]
    )


@provider(NotificationKind.REVIEW_DUE)
def reviews_due(window: Window) -> Iterable[Due]:
    kind = NotificationKind.REVIEW_DUE
    rules: dict[int, dict] = {}
    for occurrence, rule_kind in OCCURRENCES.items():
        for concern in _due_cases(window, occurrence):
            municipality = concern.municipality
            if municipality.pk not in rules:
                rules[municipality.pk] = rules_for(municipality.pk)
            length, unit = rules[municipality.pk][rule_kind]
            due = review_deadline(
                concern.review_from,
                kind=rule_kind,
                length=length,
                unit=unit,
                calendar=window.recipients.memo(review_calendar, municipality, unit),
            ).due_date
            # The last handler, if she can still act on the case; else the coordinators.
            assignee = concern.assignee
            if assignee is not None and assignee.user_id and not concern.assignee_cannot_act:
                recipients = [assignee.user]
            else:
                recipients = window.recipients.coordinators(concern.municipality_id)
            yield Due(
                kind=kind,
                object_id=concern.pk,
                occurrence=f"{occurrence}:{concern.review_from.isoformat()}",
                due_at=day_start(due),
                recipients=recipients,
                concern_id=concern.pk,
                reference=concern.reference,
                link=case_link(concern),
                data={"review": occurrence},
            )
