"""Every write to a meeting. Views, commands and the demo all call these.

Each checks who may act (measures.meetings.permissions), keeps history with
the actor, and puts what concerns a case on that case's timeline.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concerns.models import CaseEvent, Concern, JournalEntry, age_band_for
from concerns.models.subject import AgeBand
from concerns.records.journal import journal_record
from concerns.timeline import contact_ref, event_record, texts
from measures.meetings import identifying
from measures.meetings.minutes import draft_content
from measures.meetings.models import (
    AgendaItem,
    Meeting,
    MeetingDecision,
    MeetingKind,
    MeetingMinutes,
    MeetingParticipant,
)
from measures.meetings.permissions import (
    SUMMARY_GRACE,
    ensure_can_manage,
    handled_concern_ids,
    may_approve,
)
from measures.models import MeasureActivity
from measures.services import measure_activity_record
from measures.statistics.figures import COLUMNS
from measures.statistics.forms import FIRST_YEAR
from measures.statistics.report import build_report
from partners.models import Contact, Municipality, Organisation, Role, User
from referrals.models import LegalBasis

TEXT_MAX_LENGTH = 5000
DECISION_MAX_LENGTH = 2000
# A meeting is an afternoon at most; a safety walk an evening.
LONGEST_MEETING = datetime.timedelta(hours=12)

# How a held meeting of each kind is counted under its measure or initiative.
ACTIVITY_KINDS = {
    MeetingKind.Category.KONTAKTFORUM: MeasureActivity.Kind.KONTAKTFORUM_MEETING,
    MeetingKind.Category.SLT: MeasureActivity.Kind.SLT_MEETING,
    MeetingKind.Category.SSP: MeasureActivity.Kind.SSP_MEETING,
    MeetingKind.Category.POLICE_COUNCIL: MeasureActivity.Kind.POLICE_COUNCIL,
    MeetingKind.Category.SAFETY_WALK: MeasureActivity.Kind.SAFETY_WALK,
    MeetingKind.Category.OTHER: MeasureActivity.Kind.OTHER,
}

# Legal bases a forum may name a case on (codes of referrals.LegalBasis). The
# duties to avert a crime or to tell child welfare are for telling the police
# or child welfare, not a meeting; § 115 is the SSP partners' own exchange.
FORUM_BASES = ("consent", "ssp_exchange", "other")
SSP_ONLY_BASES = ("ssp_exchange",)


@dataclass(frozen=True)
class MeetingDetails:
    kind: MeetingKind
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str
    chair: User
    participants: tuple[Contact, ...]
    statistics_year: int | None = None
    statistics_period: str = ""


def _save(obj, actor: User, **kwargs) -> None:
    obj._history_user = actor
    obj.save(**kwargs)


def municipality_language(municipality: Municipality) -> str:
    return "da" if municipality.country == Municipality.Country.DENMARK else "nb"


def meeting_ref(meeting: Meeting) -> dict:
    """A meeting as a case's timeline keeps it: its id, its kind in every language, its time."""
    return {
        "id": str(meeting.public_id),
        "kind": texts(meeting.kind, "name"),
        "starts_at": meeting.starts_at.isoformat(),
    }


# --- the meeting --------------------------------------------------------------------------


def chair_candidates(municipality: Municipality):
    """Who may chair: the municipality's coordinators and the accounts behind its contacts."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(roles__code=Role.Code.COORDINATOR, organisation__municipalities=municipality)
            | Q(
                contact_roles__is_active=True,
                contact_roles__organisation__municipalities=municipality,
            )
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def participant_candidates(municipality: Municipality):
    """Contacts of the registry who may be invited: active, of an organisation serving it."""
    return (
        Contact.objects.filter(is_active=True, organisation__municipalities=municipality)
        .select_related("organisation")
        .distinct()
        .order_by("organisation__name", "name")
    )


def _check_details(municipality: Municipality, details: MeetingDetails) -> None:
    errors = {}
    if details.kind.municipality_id != municipality.pk or not details.kind.is_active:
        errors["kind"] = _("Choose a kind of meeting of this municipality.")
    if details.ends_at <= details.starts_at:
        errors["ends_at"] = _("The meeting must end after it starts.")
    elif details.ends_at - details.starts_at > LONGEST_MEETING:
        errors["ends_at"] = _("A meeting lasts 12 hours at most.")
    place = (details.place or "").strip()
    if not place or len(place) > 200:
        errors["place"] = _("Say where the meeting is (200 characters at most).")
    participants = list(details.participants)
    if not participants:
        errors["participants"] = _("Invite at least one participant.")
    elif {contact.pk for contact in participants} - set(
        participant_candidates(municipality).values_list("pk", flat=True)
    ):
        errors["participants"] = _("Invite only active contacts of this municipality.")
    if not chair_candidates(municipality).filter(pk=details.chair.pk).exists():
        errors["chair"] = _("The chair must be a coordinator or a contact of this municipality.")
    if details.kind.carries_statistics:
        periods = ("year", "h1", "h2", *COLUMNS[:4])
        this_year = timezone.localdate().year
        if details.statistics_year is not None and not (
            FIRST_YEAR <= details.statistics_year <= this_year
            and details.statistics_period in periods
        ):
            errors["statistics_period"] = _("Choose a year and a period for the statistics.")
    elif details.statistics_year is not None or details.statistics_period:
        errors["statistics_period"] = _("Only the police council carries the statistics.")
    if errors:
        raise ValidationError(errors)


def _set_participants(meeting: Meeting, contacts: Iterable[Contact], actor: User) -> None:
    wanted = {contact.pk for contact in contacts}
    for participant in meeting.participants.exclude(contact__in=wanted):
        participant._history_user = actor
        participant.delete()
    have = set(meeting.participants.values_list("contact_id", flat=True))
    for contact_id in sorted(wanted - have):
        _save(MeetingParticipant(meeting=meeting, contact_id=contact_id), actor)


@transaction.atomic
def meeting_create(*, municipality: Municipality, details: MeetingDetails, actor: User) -> Meeting:
    """Plan a meeting of the municipality. Its coordinators prepare it."""
    probe = Meeting(municipality=municipality)
    ensure_can_manage(actor, probe)
    _check_details(municipality, details)
    meeting = Meeting(
        municipality=municipality,
        kind=details.kind,
        starts_at=details.starts_at,
        ends_at=details.ends_at,
        place=details.place.strip(),
        chair=details.chair,
        statistics_year=details.statistics_year,
        statistics_period=details.statistics_period or "",
        created_by=actor,
    )
    _save(meeting, actor)
    _set_participants(meeting, details.participants, actor)
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, details: MeetingDetails, actor: User) -> Meeting:
    """Change the time, place, chair or invitations while the agenda has not been sent."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    ensure_can_manage(actor, meeting)
    if not meeting.is_planned:
        raise ValidationError(_("The agenda is sent: the meeting can no longer be changed."))
    if (
        not details.kind.allows_case_items
        and meeting.items.filter(kind=AgendaItem.Kind.CASE).exists()
    ):
        raise ValidationError({"kind": _("A safety walk has no case on its agenda.")})
    _check_details(meeting.municipality, details)
    meeting.kind = details.kind
    meeting.starts_at, meeting.ends_at = details.starts_at, details.ends_at
    meeting.place = details.place.strip()
    meeting.chair = details.chair
    meeting.statistics_year = details.statistics_year
    meeting.statistics_period = details.statistics_period or ""
    _save(meeting, actor)
    _set_participants(meeting, details.participants, actor)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor: User) -> Meeting:
    """Call the meeting off; a named case's summary closes at once."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    ensure_can_manage(actor, meeting)
    meeting.transition_to(Meeting.Status.CANCELLED)
    meeting.cancelled_at = timezone.now()
    _save(meeting, actor)
    for item in meeting.items.filter(named=True, access_until__gt=meeting.cancelled_at):
        item.access_until = meeting.cancelled_at
        _save(item, actor, update_fields=["access_until"])
    return meeting


# --- the agenda ---------------------------------------------------------------------------


def _planned(meeting: Meeting, actor: User) -> Meeting:
    meeting = (
        Meeting.objects.select_for_update()
        .select_related("kind", "municipality")
        .get(pk=meeting.pk)
    )
    ensure_can_manage(actor, meeting)
    if not meeting.is_planned:
        raise ValidationError(_("The agenda is sent and can no longer be changed."))
    return meeting


def _next_order(meeting: Meeting) -> int:
    return (meeting.items.aggregate(last=Max("order"))["last"] or 0) + 1


def _clean_text(text: str, *, required: bool = False, limit: int = TEXT_MAX_LENGTH) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError(_("Write the text."))
    if len(text) > limit:
        raise ValidationError(
            _("The text is too long (%(limit)s characters at most).") % {"limit": limit}
        )
    return text


@transaction.atomic
def agenda_item_add_topic(*, meeting: Meeting, title: str, text: str, actor: User) -> AgendaItem:
    meeting = _planned(meeting, actor)
    title = _clean_text(title, required=True, limit=200)
    item = AgendaItem(
        meeting=meeting,
        order=_next_order(meeting),
        kind=AgendaItem.Kind.TOPIC,
        title=title,
        text=_clean_text(text),
        created_by=actor,
    )
    _save(item, actor)
    return item


@transaction.atomic
def agenda_item_add_finding(
    *, meeting: Meeting, place: str, finding: str, text: str, department: str, actor: User
) -> AgendaItem:
    """A safety walk's finding: where, what, and which department is to follow it up."""
    meeting = _planned(meeting, actor)
    if not meeting.kind.is_safety_walk:
        raise ValidationError(_("Findings belong to a safety walk."))
    if finding not in AgendaItem.Finding.values:
        raise ValidationError(_("Choose what was found."))
    item = AgendaItem(
        meeting=meeting,
        order=_next_order(meeting),
        kind=AgendaItem.Kind.FINDING,
        place=_clean_text(place, required=True, limit=200),
        finding=finding,
        text=_clean_text(text),
        department=_clean_text(department, limit=200),
        created_by=actor,
    )
    _save(item, actor)
    return item


@transaction.atomic
def agenda_item_add_case(*, meeting: Meeting, concern: Concern, actor: User) -> AgendaItem:
    """Put a case on the agenda, anonymously, with a presentation drafted from the case."""
    meeting = _planned(meeting, actor)
    if not meeting.kind.allows_case_items:
        raise ValidationError(_("A safety walk has no case on its agenda."))
    if (
        concern.municipality_id != meeting.municipality_id
        or concern.is_draft
        or concern.anonymised_at is not None
        or not handled_concern_ids(actor, [concern.pk])
    ):
        raise ValidationError(_("No case of this municipality that you handle has that number."))
    if meeting.items.filter(concern=concern).exists():
        raise ValidationError(_("The case is on this agenda already."))
    context = identifying.Context.for_concerns([concern], meeting.municipality_id)
    item = AgendaItem(
        meeting=meeting,
        order=_next_order(meeting),
        kind=AgendaItem.Kind.CASE,
        concern=concern,
        text=identifying.draft_presentation(
            concern, on=timezone.localdate(meeting.starts_at), context=context
        )[:TEXT_MAX_LENGTH],
        created_by=actor,
    )
    _save(item, actor)
    return item


def _refuse_identifiers(text: str, item: AgendaItem, *, references: bool = True) -> None:
    hits = identifying.identifiers_in(text, item.concern)
    if not references:
        hits = [hit for hit in hits if hit.kind != identifying.Kind.REFERENCE]
    if hits:
        found = ", ".join(sorted({hit.label for hit in hits}))
        raise ValidationError(
            _("Take out what identifies the person: %(found)s.") % {"found": found},
            code="identifying",
        )


@transaction.atomic
def agenda_item_update(*, item: AgendaItem, text: str, actor: User, title: str = "") -> AgendaItem:
    """Rewrite an item's text: a topic's description, or a case's presentation.

    An anonymous case's presentation never holds the person's name, national
    identity number or a reference number: the service refuses it.
    """
    _planned(item.meeting, actor)
    item = AgendaItem.objects.select_related("concern__subject").get(pk=item.pk)
    text = _clean_text(text, required=item.is_case)
    if item.is_anonymous_case:
        _refuse_identifiers(text, item)
    item.text = text
    fields = ["text"]
    if item.kind == AgendaItem.Kind.TOPIC:
        item.title = _clean_text(title, required=True, limit=200)
        fields.append("title")
    _save(item, actor, update_fields=fields)
    return item


def forum_bases(meeting: Meeting):
    """The legal bases of the meeting's country a named case may be discussed on here."""
    codes = [
        code
        for code in FORUM_BASES
        if code not in SSP_ONLY_BASES or meeting.kind.category == MeetingKind.Category.SSP
    ]
    return LegalBasis.for_country(meeting.municipality.country).filter(code__in=codes)


def basis_ref(item: AgendaItem) -> dict:
    """A named item's legal basis as a timeline keeps it: its name in every language, its law."""
    basis = forum_bases(item.meeting).filter(code=item.legal_basis).first()
    if basis is None:
        return {"code": item.legal_basis}
    return {
        "code": basis.code,
        "name": texts(basis, "name"),
        "law": basis.law_reference,
        "other": item.legal_basis_other,
    }


def _subject_is_child(item: AgendaItem) -> bool:
    subject = item.concern.subject
    on = timezone.localdate(item.meeting.starts_at)
    return (
        age_band_for(birth_date=subject.birth_date, birth_year=subject.birth_year, on=on)
        == AgeBand.UNDER_18
    )


def _check_basis(item: AgendaItem) -> None:
    """A named item's basis: one of the forum's, with consent recorded where it is consent."""
    if not forum_bases(item.meeting).filter(code=item.legal_basis).exists():
        raise ValidationError(
            {"legal_basis": _("Choose a legal basis for discussing the case by name.")}
        )
    if item.legal_basis == "consent":
        if not item.consent_person:
            raise ValidationError({"consent_person": _("Record that the person has consented.")})
        if _subject_is_child(item) and not item.consent_guardians:
            raise ValidationError(
                {"consent_guardians": _("The person is under 18: the guardians must consent too.")}
            )
    if item.legal_basis == LegalBasis.OTHER and len(item.legal_basis_other.strip()) < 10:
        raise ValidationError({"legal_basis_other": _("Describe the other basis.")})


@transaction.atomic
def agenda_item_set_basis(
    *,
    item: AgendaItem,
    named: bool,
    actor: User,
    legal_basis: str = "",
    legal_basis_other: str = "",
    consent_person: bool = False,
    consent_guardians: bool = False,
) -> AgendaItem:
    """Discuss the case by name, on a recorded legal basis, or go back to anonymous."""
    _planned(item.meeting, actor)
    item = AgendaItem.objects.select_related(
        "concern__subject", "meeting__kind", "meeting__municipality"
    ).get(pk=item.pk)
    if not item.is_case:
        raise ValidationError(_("Only a case can be discussed by name."))
    item.named = bool(named)
    if item.named:
        item.legal_basis = legal_basis or ""
        item.legal_basis_other = _clean_text(legal_basis_other, limit=500)
        item.consent_person = bool(consent_person)
        item.consent_guardians = bool(consent_guardians)
        _check_basis(item)
    else:
        item.legal_basis, item.legal_basis_other = "", ""
        item.consent_person = item.consent_guardians = False
        _refuse_identifiers(item.text, item)
    _save(item, actor)
    return item


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, actor: User) -> None:
    meeting = _planned(item.meeting, actor)
    item._history_user = actor
    item.delete()
    # The agenda stays numbered 1, 2, 3: what a participant reads as item 2 is item 2.
    for number, later in enumerate(meeting.items.order_by("order"), start=1):
        if later.order != number:
            later.order = number
            _save(later, actor, update_fields=["order"])


def agenda_warnings(meeting: Meeting) -> list[tuple[AgendaItem, list[identifying.Hit]]]:
    """Per item, what in its text looks identifying: shown before the agenda is sent."""
    items = list(
        meeting.items.select_related("concern__subject", "concern__reporter_organisation").order_by(
            "order"
        )
    )
    context = identifying.Context.for_concerns(
        [item.concern for item in items if item.concern_id], meeting.municipality_id
    )
    found = []
    for item in items:
        if item.named:
            continue  # shared by name on a legal basis: the summary names the person anyway
        hits = identifying.warnings_in(
            "\n".join(
                part for part in (item.title, item.text, item.place, item.department) if part
            ),
            context,
        )
        if hits:
            found.append((item, hits))
    return found


@transaction.atomic
def meeting_send_agenda(*, meeting: Meeting, actor: User, warnings_seen: bool = False) -> Meeting:
    """Send the agenda: named cases open their summaries for the meeting's window.

    Anything that looks identifying must have been looked at (`warnings_seen`);
    a named case needs its legal basis. The invitations go out through the
    reminders' sweep (measures.meetings.reminders).
    """
    meeting = _planned(meeting, actor)
    items = list(
        meeting.items.select_related("concern__subject", "meeting__kind", "meeting__municipality")
    )
    if not items:
        raise ValidationError(_("Put at least one item on the agenda."))
    for item in items:
        if item.named:
            _check_basis(item)
        elif item.is_case:
            _refuse_identifiers(item.text, item)
    if agenda_warnings(meeting) and not warnings_seen:
        raise ValidationError(
            _("Look at what may identify someone, and confirm before sending."), code="warnings"
        )
    now = timezone.now()
    meeting.transition_to(Meeting.Status.AGENDA_SENT)
    meeting.agenda_sent_at = now
    _save(meeting, actor)
    until = meeting.ends_at + SUMMARY_GRACE
    for item in items:
        if not item.is_case:
            continue
        data = {"meeting": meeting_ref(meeting), "named": item.named}
        if item.named:
            item.access_from, item.access_until = now, until
            _save(item, actor, update_fields=["access_from", "access_until"])
            data["basis"] = basis_ref(item)
            data["until"] = until.isoformat()
        event_record(concern=item.concern, actor=actor, kind=CaseEvent.Kind.MEETING_ITEM, data=data)
    return meeting


# --- the meeting held -----------------------------------------------------------------------


def statistics_snapshot(meeting: Meeting) -> dict:
    """The police council's statistics as the meeting saw them: protected figures, in words.

    Written in the municipality's language, as a council's minutes are.
    """
    if not (meeting.kind.carries_statistics and meeting.statistics_year):
        return {}
    language = municipality_language(meeting.municipality)
    with translation.override(language):
        report = build_report(
            meeting.municipality, meeting.statistics_year, meeting.statistics_period
        )
        return {
            "language": language,
            "period": report.period_label,
            "concerns": report.concerns,
            "sections": [
                {
                    "title": str(section.title),
                    "tables": [
                        {
                            "title": str(table.title),
                            "headers": [str(header) for header in table.headers],
                            "rows": [[str(cell) for cell in row] for row in table.rows],
                            "total": [str(cell) for cell in table.total] if table.total else None,
                            "note": str(table.note),
                        }
                        for table in section.tables
                    ],
                }
                for section in report.sections
            ],
        }


@transaction.atomic
def meeting_hold(*, meeting: Meeting, attended: Iterable[int], actor: User) -> Meeting:
    """Record that the meeting was held, and who came. It then counts under its plan item.

    A held meeting is counted once, by itself: one MeasureActivity, tied to
    the meeting by a one-to-one key, never a count typed in by hand as well.
    """
    meeting = (
        Meeting.objects.select_for_update()
        .select_related("kind", "municipality")
        .get(pk=meeting.pk)
    )
    ensure_can_manage(actor, meeting)
    if meeting.starts_at > timezone.now():
        raise ValidationError(_("The meeting has not started yet."))
    attended = {int(pk) for pk in attended}
    participants = list(meeting.participants.select_related("contact__organisation"))
    if not attended or attended - {p.contact_id for p in participants}:
        raise ValidationError(_("Tick who came: at least one of those invited."))
    meeting.transition_to(Meeting.Status.HELD)
    meeting.held_at = timezone.now()
    _save(meeting, actor)
    for participant in participants:
        participant.attended = participant.contact_id in attended
        _save(participant, actor, update_fields=["attended"])
    minutes, _created = MeetingMinutes.objects.get_or_create(meeting=meeting)
    minutes.statistics = statistics_snapshot(meeting)
    _save(minutes, actor, update_fields=["statistics"])
    kind = meeting.kind
    if kind.measure_id or kind.initiative_id:
        present = [p for p in participants if p.attended]
        measure_activity_record(
            actor=actor,
            measure=kind.measure,
            initiative=kind.initiative,
            kind=ACTIVITY_KINDS[kind.category],
            date=timezone.localdate(meeting.starts_at),
            organisations={p.contact.organisation for p in present},
            participants=len(present),
            meeting=meeting,
        )
    return meeting


def _check_assignee(item: AgendaItem, assignee: Contact | None) -> Contact:
    if assignee is None:
        raise ValidationError({"assignee": _("Choose who does the task.")})
    if item.is_finding:
        allowed = (
            assignee.is_active
            and assignee.organisation.municipalities.filter(
                pk=item.meeting.municipality_id
            ).exists()
        )
    else:
        allowed = item.meeting.participants.filter(contact=assignee).exists()
    if not allowed:
        raise ValidationError({"assignee": _("Give the task to one of the participants.")})
    return assignee


@transaction.atomic
def decision_record(
    *,
    item: AgendaItem,
    kind: str,
    text: str,
    actor: User,
    assignee: Contact | None = None,
    due_on: datetime.date | None = None,
    organisation: Organisation | None = None,
) -> MeetingDecision:
    """What the meeting decided on an item; a case's decisions go on its timeline."""
    meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
    ensure_can_manage(actor, meeting)
    if not meeting.takes_decisions:
        raise ValidationError(_("Decisions are recorded once the agenda is sent, until approval."))
    item = AgendaItem.objects.select_related("concern__subject", "meeting__municipality").get(
        pk=item.pk
    )
    if kind not in MeetingDecision.Kind.values:
        raise ValidationError({"kind": _("Choose what was decided.")})
    text = _clean_text(text, required=True, limit=DECISION_MAX_LENGTH)
    if item.is_case:
        # Participants read the decisions of an anonymous case as they read its
        # presentation; a named case's minutes show its reference number only.
        _refuse_identifiers(text, item, references=item.is_anonymous_case)
    decision = MeetingDecision(item=item, kind=kind, text=text, created_by=actor)
    if kind == MeetingDecision.Kind.TASK:
        decision.assignee = _check_assignee(item, assignee)
        if due_on is None or due_on < timezone.localdate(meeting.starts_at):
            raise ValidationError({"due_on": _("Give the task a due date after the meeting.")})
        decision.due_on = due_on
    if kind == MeetingDecision.Kind.REFERRAL:
        if (
            organisation is None
            or not organisation.municipalities.filter(pk=meeting.municipality_id).exists()
        ):
            raise ValidationError({"organisation": _("Choose the organisation to refer to.")})
        decision.organisation = organisation
    _save(decision, actor)
    if item.is_case:
        event_record(
            concern=item.concern,
            actor=actor,
            kind=CaseEvent.Kind.MEETING_DECISION,
            text=text,
            data={
                "meeting": meeting_ref(meeting),
                "decision": kind,
                "assignee": contact_ref(decision.assignee),
                "due_on": decision.due_on.isoformat() if decision.due_on else None,
                "organisation": organisation.name if decision.organisation else None,
            },
        )
    return decision


@transaction.atomic
def task_complete(*, task: MeetingDecision, actor: User) -> MeetingDecision:
    """The assignee marks a task done; a case's handlers see it on the timeline."""
    task = MeetingDecision.objects.select_for_update().get(pk=task.pk)
    if not task.is_task or task.assignee.user_id != actor.pk:
        raise PermissionDenied(_("Only the person the task was given to can mark it done."))
    if task.done_at is not None:
        return task
    task.done_at, task.done_by = timezone.now(), actor
    _save(task, actor, update_fields=["done_at", "done_by"])
    item = task.item
    if item.is_case and item.concern.anonymised_at is None:
        event_record(
            concern=item.concern,
            actor=actor,
            kind=CaseEvent.Kind.MEETING_DECISION,
            data={
                "meeting": meeting_ref(item.meeting),
                "decision": task.kind,
                "done": True,
                "assignee": contact_ref(task.assignee),
            },
        )
    return task


# --- the minutes --------------------------------------------------------------------------


def _open_minutes(meeting: Meeting, actor: User) -> MeetingMinutes:
    if meeting.status != Meeting.Status.HELD:
        raise ValidationError(_("Minutes are written once the meeting is held, until approved."))
    minutes, _created = MeetingMinutes.objects.select_for_update().get_or_create(meeting=meeting)
    return minutes


@transaction.atomic
def minutes_notes_save(*, meeting: Meeting, notes: str, actor: User) -> MeetingMinutes:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    ensure_can_manage(actor, meeting)
    minutes = _open_minutes(meeting, actor)
    minutes.notes = _clean_text(notes)
    _save(minutes, actor, update_fields=["notes"])
    return minutes


@transaction.atomic
def minutes_approve(*, meeting: Meeting, actor: User) -> MeetingMinutes:
    """The chair approves the minutes as drafted; from then on they never change."""
    meeting = (
        Meeting.objects.select_for_update()
        .select_related("kind", "municipality")
        .get(pk=meeting.pk)
    )
    if not may_approve(actor, meeting):
        raise PermissionDenied(_("Only the chair approves the minutes."))
    minutes = _open_minutes(meeting, actor)
    minutes.content = draft_content(meeting, minutes)
    minutes.approved_at, minutes.approved_by = timezone.now(), actor
    _save(minutes, actor)
    meeting.transition_to(Meeting.Status.APPROVED)
    _save(meeting, actor)
    _journal_minutes(meeting, actor)
    return minutes


def _journal_minutes(meeting: Meeting, actor: User) -> None:
    """Approved minutes are a document of every case they discuss: an internal note each."""
    concerns = Concern.objects.filter(
        pk__in=meeting.items.filter(concern__isnull=False).values("concern")
    ).order_by("pk")
    for concern in concerns:
        journal_record(
            concern=concern,
            document_kind=JournalEntry.DocumentKind.MEETING_MINUTES,
            direction=JournalEntry.Direction.INTERNAL,
            actor=actor,
            # In the municipality's own language: the journal is its record.
            correspondent=getattr(
                meeting.kind, "name_da" if meeting.municipality.country == "DK" else "name_nb"
            ),
            document_date=timezone.localtime(meeting.starts_at).date(),
            data={"meeting": str(meeting.public_id)},
        )
