"""Retention: closed cases lose the person's identity and every free text after their period,
drafts never submitted go after 30 days. See docs/retention.md and ADR 0004.
A closed case is never touched before its archive package is delivered
(concerns.records.archive, docs/archive.md): the archive keeps the record.

What stays of an anonymised case is what statistics count: the reference,
municipality, district, age group, phenomenon, signs, urgency, outcome, the
course-of-work evaluation and the dates. The access log keeps its rows, with
the reference and without their free-text reasons. History rows of every
record of the case are purged, and so are its grants and files.

The run works case by case, each in its own transaction, so a failure stops
one case and not the night's work; it logs counts only (RetentionRun).
"""

import datetime
import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from concerns.models import (
    AccessLog,
    ArchiveExport,
    Attachment,
    CaseActivity,
    CaseEvent,
    ChecklistTask,
    Concern,
    ConcernGroupObjectPermission,
    ConcernUserObjectPermission,
    RetentionRule,
    RetentionRun,
    Subject,
)
from concerns.permissions import coordinated_municipality_ids
from concerns.reminders.providers import DRAFT_DELETED_AFTER
from concerns.timeline import event_record
from concerns.uploads import storage
from measures.meetings.retention import meetings_anonymise_case
from mentoring.models import LifeMasteryGoal, MentorSession
from partners.models import User
from referrals.models import Referral, ReferralNote
from referrals.transfers.retention import transfers_anonymise_case

log = logging.getLogger(__name__)

# When a municipality has set no period for an outcome (docs/retention.md).
DEFAULT_MONTHS = 24
# The coordinator's preview looks this far ahead.
PREVIEW_DAYS = 30
# A file in the storage with no attachment row, older than this, was left by a crash.
ORPHAN_AGE = datetime.timedelta(days=1)


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day `months` later, or the month's last day if it has fewer days."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError(moment)


def periods(municipality_ids) -> dict[tuple[int, str], int]:
    """Months per (municipality, outcome), the default filled in."""
    rules = {
        (rule.municipality_id, rule.outcome): rule.months
        for rule in RetentionRule.objects.filter(municipality__in=municipality_ids)
    }
    return {
        (municipality, outcome): rules.get((municipality, outcome), DEFAULT_MONTHS)
        for municipality in municipality_ids
        for outcome in [*Concern.Outcome.values, ""]
    }


def _expiring(municipality_ids, until: datetime.datetime) -> QuerySet[Concern]:
    """Closed cases whose period ends before `until`: one indexed predicate per period."""
    rule = Q(pk__in=[])
    for (municipality, outcome), months in periods(municipality_ids).items():
        rule |= Q(
            municipality=municipality,
            outcome=outcome,
            closed_at__lt=add_months(until, -months),
        )
    return Concern.objects.filter(rule, status=Concern.Status.CLOSED, anonymised_at__isnull=True)


@dataclass(frozen=True)
class Upcoming:
    concern: Concern
    due: datetime.datetime


def upcoming_for(user: User, days: int = PREVIEW_DAYS) -> tuple[list[Upcoming], list[Concern]]:
    """What the coordinator's municipalities will anonymise within `days`, and what is on hold."""
    municipality_ids = sorted(coordinated_municipality_ids(user))
    if not municipality_ids:
        return [], []
    until = timezone.now() + datetime.timedelta(days=days)
    months = periods(municipality_ids)
    expiring = _expiring(municipality_ids, until).select_related("legal_hold_by")
    upcoming, held = [], []
    for concern in expiring.order_by("closed_at", "pk"):
        if concern.legal_hold_at:
            held.append(concern)
        else:
            due = add_months(concern.closed_at, months[(concern.municipality_id, concern.outcome)])
            upcoming.append(Upcoming(concern, due))
    held += list(
        Concern.objects.filter(municipality__in=municipality_ids, legal_hold_at__isnull=False)
        .exclude(pk__in=[concern.pk for concern in held])
        .select_related("legal_hold_by")
    )
    return upcoming, held


# --- legal hold --------------------------------------------------------------------------


def _ensure_coordinator(actor: User, concern: Concern) -> None:
    if concern.municipality_id not in coordinated_municipality_ids(actor):
        raise PermissionDenied(_("Only the municipality's coordinator can do this."))


@transaction.atomic
def legal_hold_place(*, concern: Concern, actor: User, reason: str) -> Concern:
    """Keep a case past its retention period, for a stated reason (a complaint, a lawsuit)."""
    _ensure_coordinator(actor, concern)
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError(_("Say in a few words why the case must be kept."))
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if concern.anonymised_at:
        raise ValidationError(_("The case is already anonymised."))
    concern.legal_hold_reason = reason[:500]
    concern.legal_hold_at = timezone.now()
    concern.legal_hold_by = actor
    concern._history_user = actor
    concern.save(update_fields=["legal_hold_reason", "legal_hold_at", "legal_hold_by"])
    event_record(concern=concern, actor=actor, kind=CaseEvent.Kind.LEGAL_HOLD, text=reason)
    return concern


@transaction.atomic
def legal_hold_lift(*, concern: Concern, actor: User) -> Concern:
    _ensure_coordinator(actor, concern)
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    concern.legal_hold_reason, concern.legal_hold_at, concern.legal_hold_by = "", None, None
    concern._history_user = actor
    concern.save(update_fields=["legal_hold_reason", "legal_hold_at", "legal_hold_by"])
    event_record(concern=concern, actor=actor, kind=CaseEvent.Kind.LEGAL_HOLD_LIFTED)
    return concern


# --- the run -----------------------------------------------------------------------------


def _purge_history(model, ids) -> int:
    if not ids:
        return 0
    return model.history.model.objects.filter(id__in=list(ids)).delete()[0]


def _delete_with_history(model, rows: QuerySet) -> tuple[int, int]:
    """Delete rows, then every history row of them (deleting writes one more)."""
    ids = list(rows.values_list("pk", flat=True))
    deleted = rows.delete()[1].get(model._meta.label, 0) if ids else 0
    return deleted, _purge_history(model, ids)


def _delete_files(attachments: QuerySet[Attachment]) -> tuple[int, int]:
    names = list(attachments.values_list("stored_name", flat=True))
    _deleted, history = _delete_with_history(Attachment, attachments)
    transaction.on_commit(lambda: [storage().delete(name) for name in names])
    return len(names), history


def _anonymise_subject(subject: Subject) -> int:
    """Blank the person once no case about them keeps its identity."""
    if subject.concerns.filter(anonymised_at__isnull=True).exists():
        return 0
    Subject.objects.filter(pk=subject.pk).update(
        name="",
        birth_date=None,
        birth_year=None,
        school_or_workplace="",
        national_id="",
        national_id_digest="",
        same_person_as=None,
    )
    Subject.objects.filter(same_person_as=subject.pk).update(same_person_as=None)
    return _purge_history(Subject, [subject.pk])


def _archived(concern: Concern) -> bool:
    """The case's archive package for its last closing is delivered (concerns.records.archive)."""
    return ArchiveExport.objects.filter(
        concern=concern, status=ArchiveExport.Status.DELIVERED
    ).exists()


def anonymise(concern: Concern, run: RetentionRun) -> None:
    """Take the identity and every free text out of one closed case, its history and grants."""
    with transaction.atomic():
        concern = Concern.objects.select_for_update().get(pk=concern.pk)
        if concern.anonymised_at or concern.legal_hold_at or concern.status != "closed":
            return
        if not _archived(concern):
            return
        purged = _purge_history(Concern, [concern.pk])
        Concern.objects.filter(pk=concern.pk).update(
            observations="", search_vector=None, anonymised_at=timezone.now()
        )
        events = CaseEvent.objects.filter(concern=concern)
        purged += _purge_history(CaseEvent, events.values_list("pk", flat=True))
        events.update(text="", data={})
        activities = CaseActivity.objects.filter(concern=concern)
        purged += _purge_history(CaseActivity, activities.values_list("pk", flat=True))
        activities.update(notes="")
        tasks = ChecklistTask.objects.filter(concern=concern)
        purged += _purge_history(ChecklistTask, tasks.values_list("pk", flat=True))
        tasks.update(note="")
        referrals = Referral.objects.filter(concern=concern)
        purged += _purge_history(Referral, referrals.values_list("pk", flat=True))
        referrals.update(
            reason="", shared_information="", response_reason="", outcome="", legal_basis_other=""
        )
        purged += _delete_with_history(
            ReferralNote, ReferralNote.objects.filter(referral__concern=concern)
        )[1]
        goals = LifeMasteryGoal.objects.filter(mentorship__concern=concern)
        purged += _purge_history(LifeMasteryGoal, goals.values_list("pk", flat=True))
        goals.update(goal="")
        sessions = MentorSession.objects.filter(mentorship__concern=concern)
        purged += _purge_history(MentorSession, sessions.values_list("pk", flat=True))
        sessions.update(note="")
        # Meetings that discussed the case: presentations, decisions and minutes.
        purged += meetings_anonymise_case(concern)
        # What transfers and handovers sent of it: their snapshots and notes.
        purged += transfers_anonymise_case(concern)
        files, file_history = _delete_files(Attachment.objects.filter(concern=concern))
        grants = 0
        for model in (ConcernUserObjectPermission, ConcernGroupObjectPermission):
            deleted, history = _delete_with_history(
                model, model.objects.filter(content_object=concern)
            )
            grants, purged = grants + deleted, purged + history
        # The access log keeps who opened the case and when; a stated reason may
        # name the person, so it goes.
        AccessLog.objects.filter(concern=concern).update(reason="")
        AccessLog.history.model.objects.filter(concern_id=concern.pk).update(reason="")
        purged += _anonymise_subject(concern.subject)
        run.cases_anonymised += 1
        run.files_deleted += files
        run.history_rows_purged += purged + file_history
        run.grants_deleted += grants


def delete_draft(draft: Concern, run: RetentionRun) -> None:
    with transaction.atomic():
        draft = Concern.objects.select_for_update().filter(pk=draft.pk).first()
        if draft is None or draft.status != Concern.Status.DRAFT:
            return
        files, file_history = _delete_files(Attachment.objects.filter(concern=draft))
        event_ids = list(CaseEvent.objects.filter(concern=draft).values_list("pk", flat=True))
        # A reporter opening a file of her own draft is the only access it can have had.
        AccessLog.objects.filter(concern=draft).delete()
        AccessLog.history.model.objects.filter(concern_id=draft.pk).delete()
        subject, draft_id, subject_id = draft.subject, draft.pk, draft.subject_id
        draft.delete()
        purged = _purge_history(Concern, [draft_id]) + _purge_history(CaseEvent, event_ids)
        if not subject.concerns.exists():
            subject.delete()
            purged += _purge_history(Subject, [subject_id])
        run.drafts_deleted += 1
        run.files_deleted += files
        run.history_rows_purged += purged + file_history


def _orphan_files(now: datetime.datetime) -> int:
    """Files a crash left in the storage without a row; the row is the only way to them."""
    store, removed = storage(), 0
    known = set(Attachment.objects.values_list("stored_name", flat=True))
    folders, _files = store.listdir("") if store.exists("") else ([], [])
    for folder in folders:
        for name in store.listdir(folder)[1]:
            path = f"{folder}/{name}"
            if path in known:
                continue
            try:
                modified = store.get_modified_time(path)
            except (NotImplementedError, OSError):
                continue
            if now - modified > ORPHAN_AGE:
                store.delete(path)
                removed += 1
    return removed


def run_retention(now: datetime.datetime | None = None) -> RetentionRun:
    """The daily run: anonymise what is past its period, delete old drafts, sweep orphan files."""
    now = now or timezone.now()
    run = RetentionRun.objects.create(started_at=now)
    municipality_ids = list(
        Concern.objects.filter(status=Concern.Status.CLOSED, anonymised_at__isnull=True)
        .values_list("municipality", flat=True)
        .distinct()
    )
    # A case whose archive package is not delivered waits, whatever its period
    # (docs/archive.md): the join follows the export's unique key on the case.
    due = (
        _expiring(municipality_ids, now)
        .filter(legal_hold_at__isnull=True, archive_export__status=ArchiveExport.Status.DELIVERED)
        .order_by("pk")
        if municipality_ids
        else Concern.objects.none()
    )
    for concern in due.only("pk").iterator():
        anonymise(concern, run)
    drafts = Concern.objects.filter(
        status=Concern.Status.DRAFT, created_at__lt=now - DRAFT_DELETED_AFTER
    )
    for draft in drafts.only("pk").iterator():
        delete_draft(draft, run)
    run.files_deleted += _orphan_files(now)
    run.finished_at = timezone.now()
    run.save()
    log.info(
        "Retention run: %s cases anonymised, %s drafts deleted, %s files deleted, "
        "%s history rows purged, %s grants deleted.",
        run.cases_anonymised,
        run.drafts_deleted,
        run.files_deleted,
        run.history_rows_purged,
        run.grants_deleted,
    )
    return run
