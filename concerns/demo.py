"""A few invented cases for `make run`, so a first look at the inbox is not an empty table.

Every person and every story here is made up. The cases are filed and handled
through the same services a user's clicks go through, so their timelines,
routing, grants and history are real. The browser suite does not use them:
its journeys start from an empty case list.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from concerns.models import Concern
from concerns.services import (
    ConcernDetails,
    SubjectDetails,
    concern_accept,
    concern_add_note,
    concern_assign,
    concern_close,
    concern_create_draft,
    concern_submit,
    subject_create,
)
from measures.models import Phenomenon
from partners.models import Contact, District, Municipality, User


@dataclass(frozen=True)
class DemoCase:
    reporter: str
    municipality: str
    name: str
    birth_year: int
    district: str | None
    observations: str
    phenomenon: str
    urgency: str = Concern.Urgency.NORMAL
    days_ago: int = 1
    handler: str | None = None  # username who accepts it and writes a note
    note: str = ""
    assign_to: str | None = None  # contact name in the handler's municipality
    close_with: str | None = None  # outcome


DEMO_CASES = [
    DemoCase(
        "trd-frontline",
        "trondheim",
        "Oppdiktet Nordmann",
        2010,
        "Heimdal",
        "Har flere ganger delt bilder med hakekors i klassens chat og sier at "
        "«noen snart må gjøre noe».",
        "right_wing",
        urgency=Concern.Urgency.HIGH,
        days_ago=2,
    ),
    DemoCase(
        "trd-frontline",
        "trondheim",
        "Oppdiktet Fjellheim",
        2008,
        "Midtbyen",
        "Har trukket seg fra venner og fritidsaktiviteter og snakker om at demokratiet må rives.",
        "unclear",
        days_ago=5,
        handler="trd-coordinator",
        note="Ringt skolen: kontaktlærer følger opp denne uken.",
    ),
    DemoCase(
        "trd-resource",
        "trondheim",
        "Oppdiktet Strand",
        2004,
        "Østbyen",
        "Har fortalt saksbehandler at han vurderer å reise til en konfliktsone.",
        "religious",
        urgency=Concern.Urgency.HIGH,
        days_ago=9,
        handler="trd-coordinator",
        note="Drøftet anonymt med politiet.",
        assign_to="Radikaliseringskontakt",
    ),
    DemoCase(
        "trd-frontline",
        "trondheim",
        "Oppdiktet Berg",
        2009,
        "Lerkendal",
        "Har sprayet slagord mot en moske; sier selv at det var en spøk.",
        "right_wing",
        days_ago=40,
        handler="trd-coordinator",
        note="Samtale med eleven og foreldrene gjennomført.",
        close_with=Concern.Outcome.ADVICE_GIVEN,
    ),
    DemoCase(
        "aal-frontline",
        "aalborg",
        "Opdigtet Hansen",
        2009,
        None,
        "Har vist klubkammerater voldelige videoer og taler om at «de skal betale».",
        "unclear",
        urgency=Concern.Urgency.HIGH,
        days_ago=1,
    ),
    DemoCase(
        "aal-frontline",
        "aalborg",
        "Opdigtet Madsen",
        2007,
        None,
        "Bruger meget tid i lukkede grupper og har skiftet vennekreds.",
        "religious",
        days_ago=6,
        handler="aal-coordinator",
        note="Sparring med SSP-konsulenten aftalt.",
    ),
]


def _details(case: DemoCase, municipality: Municipality) -> tuple[SubjectDetails, ConcernDetails]:
    district = (
        District.objects.get(municipality=municipality, name=case.district)
        if case.district
        else None
    )
    subject = SubjectDetails(
        name=case.name,
        birth_date=None,
        birth_year=case.birth_year,
        district=district,
        school_or_workplace="",
        national_id="",
    )
    concern = ConcernDetails(
        observations=case.observations,
        observed_on=timezone.localdate() - datetime.timedelta(days=case.days_ago),
        phenomenon=Phenomenon.objects.get(code=case.phenomenon),
        signs=[],
        urgency=case.urgency,
        involves_conflict_travel=False,
        prevention_level=Concern.PreventionLevel.SELECTIVE,
        guardians_informed=Concern.GuardiansInformed.UNKNOWN,
    )
    return subject, concern


def _file(case: DemoCase) -> Concern:
    reporter = User.objects.get(username=case.reporter)
    municipality = Municipality.objects.get(code=case.municipality)
    subject_details, concern_details = _details(case, municipality)
    subject = subject_create(actor=reporter, municipality=municipality, details=subject_details)
    draft = concern_create_draft(
        actor=reporter, municipality=municipality, subject=subject, details=concern_details
    )
    return concern_submit(concern=draft, actor=reporter)


def _handle(concern: Concern, case: DemoCase) -> None:
    handler = User.objects.get(username=case.handler)
    concern = concern_accept(concern=concern, actor=handler)
    concern_add_note(concern=concern, actor=handler, text=case.note)
    if case.assign_to:
        contact = Contact.objects.get(
            name=case.assign_to, organisation__municipalities=concern.municipality
        )
        concern_assign(concern=concern, assignee=contact, actor=handler, reason=case.note)
    if case.close_with:
        concern_close(concern=concern, actor=handler, outcome=case.close_with)


@transaction.atomic
def seed_demo_cases() -> int:
    """File the demo cases once; returns how many were filed (0 when cases already exist)."""
    if Concern.objects.exists():
        return 0
    for case in DEMO_CASES:
        concern = _file(case)
        if case.handler:
            _handle(concern, case)
    return len(DEMO_CASES)
