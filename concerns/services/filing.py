"""Filing: a reporter describes a person, saves a draft and submits it."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concerns.concurrency import ensure_current
from concerns.models import (
    AgeBand,
    CaseEvent,
    Concern,
    JournalEntry,
    ReferenceSequence,
    Subject,
    age_group_for,
)
from concerns.records.journal import journal_record
from concerns.search import concern_index_for_search
from concerns.services.deadlines import follow_up_from_rule
from concerns.services.triage import concern_route
from concerns.timeline import event_record
from measures.models import Phenomenon, Sign
from partners.models import District, Municipality, User

REFERENCE_PREFIX = "BEK"


@dataclass(frozen=True)
class SubjectDetails:
    name: str
    birth_date: datetime.date | None
    birth_year: int | None
    district: District | None
    school_or_workplace: str
    national_id: str


@dataclass(frozen=True)
class ConcernDetails:
    """What the reporter wrote. In a draft any of it may still be missing."""

    observations: str
    observed_on: datetime.date | None
    phenomenon: Phenomenon | None
    signs: Iterable[Sign]
    urgency: str
    involves_conflict_travel: bool
    prevention_level: str
    guardians_informed: str
    steps_done_at_filing: list[str] = field(default_factory=list)


def _ensure_reporter(actor: User) -> None:
    if actor.organisation_id is None:
        raise PermissionDenied(_("Only staff who belong to an organisation can file concerns."))


@transaction.atomic
def subject_create(*, actor: User, municipality: Municipality, details: SubjectDetails) -> Subject:
    _ensure_reporter(actor)
    subject = Subject(
        municipality=municipality,
        created_by=actor,
        name=details.name,
        birth_date=details.birth_date,
        birth_year=details.birth_date.year if details.birth_date else details.birth_year,
        district=details.district,
        school_or_workplace=details.school_or_workplace,
        national_id=details.national_id,
    )
    subject.full_clean()
    subject._history_user = actor
    subject.save()
    return subject


def subject_is_drafts_own(subject: Subject, concern: Concern, actor: User) -> bool:
    """The person was described for this draft alone: only this draft names them."""
    return (
        subject.created_by_id == actor.pk
        and not subject.concerns.exclude(pk=concern.pk).exists()
        and not subject.linked_subjects.exists()
    )


@transaction.atomic
def subject_save_for_draft(
    *, concern: Concern, actor: User, municipality: Municipality, details: SubjectDetails
) -> Subject:
    """The person a draft describes: its own person, updated, or a new one the first time.

    Saving a draft again must not leave a trail of half-described people.
    """
    subject = Subject.objects.select_for_update().get(pk=concern.subject_id)
    if concern.reporter_id != actor.pk or not concern.is_draft:
        raise PermissionDenied(_("Only the reporter can change a draft."))
    if not subject_is_drafts_own(subject, concern, actor):
        return subject_create(actor=actor, municipality=municipality, details=details)
    subject.municipality = municipality
    subject.name = details.name
    subject.birth_date = details.birth_date
    subject.birth_year = details.birth_date.year if details.birth_date else details.birth_year
    subject.district = details.district
    subject.school_or_workplace = details.school_or_workplace
    subject.national_id = details.national_id
    subject.full_clean()
    subject._history_user = actor
    subject.save()
    return subject


def _apply_details(concern: Concern, details: ConcernDetails) -> None:
    concern.observations = details.observations
    concern.observed_on = details.observed_on
    concern.phenomenon = details.phenomenon
    concern.urgency = details.urgency
    concern.involves_conflict_travel = details.involves_conflict_travel
    concern.prevention_level = details.prevention_level
    concern.guardians_informed = details.guardians_informed
    concern.steps_done_at_filing = list(details.steps_done_at_filing)


@transaction.atomic
def concern_create_draft(
    *, actor: User, municipality: Municipality, subject: Subject, details: ConcernDetails
) -> Concern:
    _ensure_reporter(actor)
    concern = Concern(
        reporter=actor,
        reporter_organisation=actor.organisation,
        municipality=municipality,
        subject=subject,
    )
    _apply_details(concern, details)
    concern.full_clean()
    concern._history_user = actor
    concern.save()
    concern.signs.set(details.signs)
    return concern


@transaction.atomic
def concern_update_draft(
    *,
    concern: Concern,
    actor: User,
    municipality: Municipality,
    subject: Subject,
    details: ConcernDetails,
    expected_version: int | None = None,
) -> Concern:
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if concern.reporter_id != actor.pk or not concern.is_draft:
        raise PermissionDenied(
            _("Only the reporter can change a concern, and only while it is a draft.")
        )
    ensure_current(concern, expected_version)
    previous_subject = concern.subject
    concern.municipality = municipality
    concern.subject = subject
    _apply_details(concern, details)
    concern.full_clean()
    concern.version += 1
    concern._history_user = actor
    concern.save()
    concern.signs.set(details.signs)
    # The draft now names someone described before: the person it described
    # on its own would otherwise stay behind, named by no concern.
    if previous_subject.pk != subject.pk and subject_is_drafts_own(
        previous_subject, concern, actor
    ):
        previous_subject._history_user = actor
        previous_subject.delete()
    return concern


def _ensure_complete(concern: Concern) -> None:
    """A draft may be half-written; a submitted concern never is."""
    subject = concern.subject
    missing = {}
    if not concern.observations.strip():
        missing["observations"] = _("Describe what you have observed.")
    if concern.observed_on is None:
        missing["observed_on"] = _("Say when you observed it.")
    if concern.phenomenon_id is None:
        missing["phenomenon"] = _("Choose the phenomenon the concern relates to.")
    if not subject.name.strip():
        missing["subject_name"] = _("Enter the person's name.")
    if subject.birth_date is None and subject.birth_year is None:
        missing["subject_birth_year"] = _("Enter the birth date or, if unknown, the birth year.")
    elif concern.age_band() == AgeBand.UNDER_18 and not concern.guardians_informed:
        missing["guardians_informed"] = _(
            "The person is under 18: say whether the parents or guardians know."
        )
    if missing:
        raise ValidationError(missing, code="incomplete")


def next_reference(*, year: int) -> str:
    """The next BEK-YYYY-NNNNNN number. Must run inside the submit's transaction.

    The year's counter row is locked until the transaction ends, so two
    submits in the same instant queue up rather than share a number.
    """
    sequence, _created = ReferenceSequence.objects.select_for_update().get_or_create(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{REFERENCE_PREFIX}-{year}-{sequence.last_number:06d}"


@transaction.atomic
def concern_submit(*, concern: Concern, actor: User, journal: bool = True) -> Concern:
    """Submit: a reference number, the first follow-up, routing, and a journal entry.

    `journal=False` for a case that arrives by transfer: its incoming document is
    the transfer, journaled by referrals.transfers, not a concern report.
    """
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if concern.reporter_id != actor.pk:
        raise PermissionDenied(_("Only the reporter can submit their concern."))
    if not concern.is_draft:
        raise ValidationError(
            _("This concern has already been submitted."), code="already_submitted"
        )
    _ensure_complete(concern)
    now = timezone.now()
    concern.reference = next_reference(year=timezone.localdate(now).year)
    concern.transition_to(Concern.Status.SUBMITTED)
    concern.submitted_at = now
    concern.age_group = age_group_for(
        birth_date=concern.subject.birth_date,
        birth_year=concern.subject.birth_year,
        on=timezone.localdate(now),
    )
    follow_up_from_rule(concern, now)
    concern.version += 1
    concern._history_user = actor
    concern.save(
        update_fields=[
            "reference",
            "status",
            "submitted_at",
            "age_group",
            "follow_up_on",
            "follow_up_basis",
            "version",
            "updated_at",
        ]
    )
    event_record(
        concern=concern, actor=actor, kind=CaseEvent.Kind.SUBMITTED, to_status=concern.status
    )
    concern_index_for_search(concern=concern)
    if journal:
        journal_record(
            concern=concern,
            document_kind=JournalEntry.DocumentKind.CONCERN,
            direction=JournalEntry.Direction.INCOMING,
            actor=actor,
            correspondent=concern.reporter_organisation.name,
        )
    # Routing is part of the submit: a concern is never submitted and unrouted.
    concern_route(concern=concern, actor=actor)
    return concern
