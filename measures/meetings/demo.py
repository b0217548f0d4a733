"""Invented meetings for `make run`: a past Kontaktforum in Trondheim with approved minutes, an
upcoming SSP meeting in Aalborg with a case named under retsplejeloven § 115, and a safety walk
in Gandrup with two findings. Made through the services, like a coordinator's clicks.
Every person and every case here is made up (see concerns.demo)."""

import datetime

from django.db import transaction
from django.utils import timezone

from concerns.models import Concern
from measures.meetings import services
from measures.meetings.models import AgendaItem, Meeting, MeetingKind
from partners.models import Contact, User


def _at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _contacts(*names: tuple[str, str]) -> tuple[Contact, ...]:
    return tuple(
        contact
        for slug, name in names
        if (contact := Contact.objects.filter(organisation__slug=slug, name=name).first())
    )


def _held(meeting: Meeting, actor: User) -> Meeting:
    return services.meeting_hold(
        meeting=meeting,
        attended=list(meeting.participants.values_list("contact_id", flat=True)),
        actor=actor,
    )


def _kontaktforum(coordinator: User) -> Meeting | None:
    kind = MeetingKind.objects.filter(municipality__code="trondheim", code="kontaktforum").first()
    concern = Concern.objects.filter(subject__name="Oppdiktet Fjellheim").first()
    nav = Contact.objects.filter(user__username="trd-resource").first()
    if kind is None or concern is None or nav is None:
        return None
    starts = _at(-14, 13)
    meeting = services.meeting_create(
        municipality=kind.municipality,
        details=services.MeetingDetails(
            kind=kind,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            place="Rådhuset, møterom 3",
            chair=coordinator,
            participants=(
                *_contacts(
                    ("slt", "SLT-koordinator"),
                    ("slt", "Prosjektmedarbeider"),
                    ("trondelag-politidistrikt", "Radikaliseringskontakt"),
                ),
                nav,
            ),
        ),
        actor=coordinator,
    )
    item = services.agenda_item_add_case(meeting=meeting, concern=concern, actor=coordinator)
    services.agenda_item_update(
        item=item,
        text=(
            "En ungdom 16–17 år ved en videregående skole, meldt av skolen forrige måned. "
            "Har trukket seg fra venner og fritidsaktiviteter og snakker om at demokratiet "
            "må rives. Kontaktlærer følger opp. Spørsmål til forumet: hvilke tilbud kan "
            "hjelpe ungdommen tilbake i fellesskapet?"
        ),
        actor=coordinator,
    )
    services.agenda_item_add_topic(
        meeting=meeting,
        title="Seminar om høyreekstremisme til våren",
        text="RVTS Midt foreslår et seminar for ressurspersonene.",
        actor=coordinator,
    )
    services.meeting_send_agenda(meeting=meeting, actor=coordinator, warnings_seen=True)
    item.refresh_from_db()
    services.decision_record(
        item=item,
        kind="advice",
        text="Skolen inviterer ungdommen og foreldrene til en samtale sammen med helsesykepleier.",
        actor=coordinator,
    )
    services.decision_record(
        item=item,
        kind="task",
        text="Undersøk om ungdommen kan få et arbeidstreningstilbud i sommer.",
        assignee=nav,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
        actor=coordinator,
    )
    _held(meeting, coordinator)
    services.minutes_notes_save(
        meeting=meeting,
        notes="Neste møte i Kontaktforum holdes om seks uker.",
        actor=coordinator,
    )
    services.minutes_approve(meeting=meeting, actor=coordinator)
    return meeting


def _ssp(coordinator: User) -> Meeting | None:
    kind = MeetingKind.objects.filter(municipality__code="aalborg", code="ssp").first()
    concern = Concern.objects.filter(subject__name="Opdigtet Madsen").first()
    if kind is None or concern is None:
        return None
    starts = _at(5, 14)
    meeting = services.meeting_create(
        municipality=kind.municipality,
        details=services.MeetingDetails(
            kind=kind,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            place="INFO-huset, mødelokalet",
            chair=coordinator,
            participants=_contacts(
                ("info-huset", "INFO-huset"),
                ("nordjyllands-politi", "Politiets SSP-koordinator"),
            ),
        ),
        actor=coordinator,
    )
    item = services.agenda_item_add_case(meeting=meeting, concern=concern, actor=coordinator)
    services.agenda_item_set_basis(
        item=item, named=True, legal_basis="ssp_exchange", actor=coordinator
    )
    services.agenda_item_add_topic(
        meeting=meeting,
        title="Status på indsatsen i nattelivet",
        text="Kort orientering fra politiet.",
        actor=coordinator,
    )
    services.meeting_send_agenda(meeting=meeting, actor=coordinator, warnings_seen=True)
    return meeting


def _safety_walk(coordinator: User) -> Meeting | None:
    kind = MeetingKind.objects.filter(municipality__code="aalborg", code="tryghedsvandring").first()
    follow_up = Contact.objects.filter(user__username="aal-resource").first()
    if kind is None or follow_up is None:
        return None
    starts = _at(-3, 18)
    meeting = services.meeting_create(
        municipality=kind.municipality,
        details=services.MeetingDetails(
            kind=kind,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            place="Gandrup",
            chair=coordinator,
            participants=(
                *_contacts(
                    ("info-huset", "INFO-huset"),
                    ("nordjyllands-politi", "Politiets SSP-koordinator"),
                ),
                follow_up,
            ),
        ),
        actor=coordinator,
    )
    findings = [
        services.agenda_item_add_finding(
            meeting=meeting,
            place="Stien mellem hallen og stationen",
            finding=AgendaItem.Finding.LIGHTING,
            text="Tre lygtepæle lyser ikke; stien er mørk om aftenen.",
            department="Vej og Park (demo)",
            actor=coordinator,
        ),
        services.agenda_item_add_finding(
            meeting=meeting,
            place="Legepladsen ved boligområdet",
            finding=AgendaItem.Finding.VEGETATION,
            text="Buskene er vokset høje og skjuler indgangen.",
            department="Vej og Park (demo)",
            actor=coordinator,
        ),
    ]
    services.meeting_send_agenda(meeting=meeting, actor=coordinator, warnings_seen=True)
    _held(meeting, coordinator)
    for item, text in zip(
        findings,
        ("Bestil eftersyn af belysningen.", "Bestil beskæring af beplantningen."),
        strict=True,
    ):
        item.refresh_from_db()
        services.decision_record(
            item=item,
            kind="task",
            text=text,
            assignee=follow_up,
            due_on=timezone.localdate() + datetime.timedelta(days=21),
            actor=coordinator,
        )
    return meeting


@transaction.atomic
def seed_demo_meetings() -> int:
    """Make the demo meetings once (run after the demo cases); returns how many were made."""
    if Meeting.objects.exists():
        return 0
    made = 0
    trondheim = User.objects.filter(username="trd-coordinator").first()
    aalborg = User.objects.filter(username="aal-coordinator").first()
    if trondheim is not None:
        made += _kontaktforum(trondheim) is not None
    if aalborg is not None:
        made += _ssp(aalborg) is not None
        made += _safety_walk(aalborg) is not None
    return made
