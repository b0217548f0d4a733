"""A small world for the meeting tests: Trondheim's Kontaktforum, Aalborg's SSP meeting and
safety walk, a case, and the people around a meeting table. Every person is invented."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from concerns.models import Concern
from concerns.permissions import GrantReason, grant_case_access
from measures.meetings import services
from measures.meetings.models import Meeting, MeetingKind
from measures.models import GoalArea, Initiative, Measure
from partners.models import Contact, Organisation, Role, User
from tests.factories import (
    ConcernFactory,
    ContactFactory,
    OrganisationFactory,
    SubjectFactory,
    UserFactory,
)

SUBJECT_NAME = "Oppdiktet Nordmann"
# A synthetic fødselsnummer: accepted in test settings only.
NATIONAL_ID = "15071048733"
REFERENCE = "BEK-2026-000042"
OBSERVATIONS = (
    "Oppdiktet Nordmann (fnr 150710 48733, sak BEK-2026-000042) går på Heimdal videregående "
    "skole og bor i Lillegårdsveien 12. Den 12.11.2026 sa han at «noen må gjøre noe». "
    "Mor ringte fra 952 63 621."
)


@dataclass
class MeetingWorld:
    trondheim: object
    aalborg: object
    kontaktforum: MeetingKind
    police_council: MeetingKind
    ssp: MeetingKind
    safety_walk: MeetingKind
    measure: Measure
    initiative: Initiative
    coordinator: User
    coordinator_contact: Contact
    police: User
    police_contact: Contact
    nav_worker: User
    nav_contact: Contact
    outsider: User
    aalborg_coordinator: User
    aalborg_contact: Contact
    aalborg_police: User
    aalborg_police_contact: Contact
    concern: Concern
    aalborg_concern: Concern

    def meeting(self, *, kind=None, participants=None, starts_in=datetime.timedelta(days=3)):
        starts = timezone.now() + starts_in
        kind = kind or self.kontaktforum
        danish = kind.municipality_id == self.aalborg.pk
        return services.meeting_create(
            municipality=kind.municipality,
            details=services.MeetingDetails(
                kind=kind,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=2),
                place="Rådhuset, møterom 3" if not danish else "Rådhuset, mødelokale 2",
                chair=self.aalborg_coordinator if danish else self.coordinator,
                participants=tuple(
                    participants
                    or (
                        (self.aalborg_contact, self.aalborg_police_contact)
                        if danish
                        else (self.coordinator_contact, self.police_contact, self.nav_contact)
                    )
                ),
            ),
            actor=self.aalborg_coordinator if danish else self.coordinator,
        )


def _plan(trondheim, aalborg):
    area = GoalArea.objects.create(municipality=trondheim, number=1, title="Sikre samordning")
    measure = Measure.objects.create(
        municipality=trondheim,
        number=2,
        goal_area=area,
        title="Kontaktforum",
        description="Det er etablert et kontaktforum i samarbeid med av RVTS.",
    )
    council = Measure.objects.create(
        municipality=trondheim,
        number=1,
        goal_area=area,
        title="Nasjonal handlingsplan – oppfølging",
        description="Politirådet og SLT koordinerer.",
    )
    walks = Initiative.objects.create(municipality=aalborg, number=5, title="Tryghedsvandringer")
    ssp = Initiative.objects.create(
        municipality=aalborg, number=6, title="Tiltag til forebyggelse af radikalisering"
    )
    return measure, council, walks, ssp


def _kind(municipality, code, category, **plan):
    return MeetingKind.objects.create(
        municipality=municipality,
        code=code,
        category=category,
        name_nb=code.capitalize(),
        name_da=code.capitalize(),
        name_en=code.capitalize(),
        **plan,
    )


@pytest.fixture
def mw(people, trondheim, aalborg, legal_bases) -> MeetingWorld:
    measure, council, walks, ssp_initiative = _plan(trondheim, aalborg)
    slt = OrganisationFactory(slug="slt-m", name="SLT (test)", municipalities=[trondheim])
    police_org = OrganisationFactory(
        slug="politi-m", name="Politiet (test)", kind="police", municipalities=[trondheim]
    )
    nav = OrganisationFactory(
        slug="nav-m", name="NAV (test)", kind=Organisation.Kind.STATE, municipalities=[trondheim]
    )
    info = OrganisationFactory(slug="info-m", name="INFO-huset (test)", municipalities=[aalborg])
    dk_police = OrganisationFactory(
        slug="politi-dk-m", name="Politi (test)", kind="police", municipalities=[aalborg]
    )
    coordinator = UserFactory(
        username="koord",
        first_name="Siri",
        last_name="Koordinator",
        organisation=slt,
        roles=[Role.Code.COORDINATOR],
    )
    police = UserFactory(
        username="politi", organisation=police_org, roles=[Role.Code.POLICE_CONTACT]
    )
    nav_worker = UserFactory(
        username="navress", organisation=nav, roles=[Role.Code.RESOURCE_PERSON]
    )
    aalborg_coordinator = UserFactory(
        username="sspkons", organisation=info, roles=[Role.Code.COORDINATOR]
    )
    aalborg_police = UserFactory(
        username="sspkoord", organisation=dk_police, roles=[Role.Code.POLICE_CONTACT]
    )
    contacts = {
        "coordinator": ContactFactory(
            organisation=slt,
            role=Contact.Role.COORDINATOR,
            name="SLT-koordinator",
            user=coordinator,
        ),
        "police": ContactFactory(
            organisation=police_org,
            role=Contact.Role.POLICE_RADICALISATION,
            name="Radikaliseringskontakt",
            user=police,
        ),
        "nav": ContactFactory(
            organisation=nav,
            role=Contact.Role.RESOURCE_PERSON,
            name="Rune Ressurs",
            user=nav_worker,
        ),
        "aalborg": ContactFactory(
            organisation=info,
            role=Contact.Role.SSP_CONSULTANT,
            name="INFO-huset",
            user=aalborg_coordinator,
        ),
        "aalborg_police": ContactFactory(
            organisation=dk_police,
            role=Contact.Role.POLICE_RADICALISATION,
            name="Politiets SSP-koordinator",
            user=aalborg_police,
        ),
    }
    subject = SubjectFactory(
        municipality=trondheim,
        name=SUBJECT_NAME,
        birth_year=2010,
        national_id=NATIONAL_ID,
        school_or_workplace="Heimdal videregående skole",
        created_by=people.alice,
    )
    concern = ConcernFactory(
        reporter=people.alice,
        municipality=trondheim,
        subject=subject,
        status=Concern.Status.ASSIGNED,
        reference=REFERENCE,
        submitted_at=timezone.now() - datetime.timedelta(days=10),
        observations=OBSERVATIONS,
        assignee=contacts["police"],
    )
    grant_case_access(concern=concern, user=police, actor=coordinator, reason=GrantReason.ASSIGNED)
    aalborg_concern = ConcernFactory(
        reporter=people.dana,
        municipality=aalborg,
        subject=SubjectFactory(
            municipality=aalborg, name="Opdigtet Hansen", birth_year=2009, created_by=people.dana
        ),
        status=Concern.Status.IN_TRIAGE,
        reference="BEK-2026-000043",
        submitted_at=timezone.now() - datetime.timedelta(days=4),
        observations="Har vist klubkammerater voldelige videoer.",
    )
    return MeetingWorld(
        trondheim=trondheim,
        aalborg=aalborg,
        kontaktforum=_kind(trondheim, "kontaktforum", "kontaktforum", measure=measure),
        police_council=_kind(trondheim, "politiradet", "police_council", measure=council),
        ssp=_kind(aalborg, "ssp", "ssp", initiative=ssp_initiative),
        safety_walk=_kind(aalborg, "tryghedsvandring", "safety_walk", initiative=walks),
        measure=measure,
        initiative=walks,
        coordinator=coordinator,
        coordinator_contact=contacts["coordinator"],
        police=police,
        police_contact=contacts["police"],
        nav_worker=nav_worker,
        nav_contact=contacts["nav"],
        outsider=people.charlie,
        aalborg_coordinator=aalborg_coordinator,
        aalborg_contact=contacts["aalborg"],
        aalborg_police=aalborg_police,
        aalborg_police_contact=contacts["aalborg_police"],
        concern=concern,
        aalborg_concern=aalborg_concern,
    )


def hold(world: MeetingWorld, meeting: Meeting, *, actor=None, attended=None) -> Meeting:
    """Move a meeting's start into the past and record it as held."""
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        ends_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    meeting.refresh_from_db()
    actor = actor or meeting.chair
    attended = attended or list(meeting.participants.values_list("contact_id", flat=True))
    return services.meeting_hold(meeting=meeting, attended=attended, actor=actor)
