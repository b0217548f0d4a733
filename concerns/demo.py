"""A few invented cases for `make run`, so a first look at the inbox is not an empty table.

Every person and every story here is made up. The cases are filed and handled
through the same services a user's clicks go through, so their timelines,
routing, grants and history are real. The browser suite does not use them:
its journeys start from an empty case list.
"""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
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
from concerns.services.work import Evaluation
from measures.models import Goal, Initiative, Measure, MeasureActivity, Phenomenon
from measures.services import measure_activity_record
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


# --- a history for the statistics page -------------------------------------------------

# Invented first names; every demo person is "Oppdiktet"/"Opdigtet" (made up) by name.
_FIRST_NAMES = ("Ada", "Bo", "Cato", "Dina", "Emil", "Frida", "Gard", "Hedda", "Ivar", "Juni")
_HISTORY = {
    # municipality: (reporters, handler, surname, per quarter, observations)
    "trondheim": (
        ("trd-frontline", "trd-resource"),
        "trd-coordinator",
        "Oppdiktet",
        7,
        "Oppdiktet eksempel til statistikken: endret oppførsel og nye kontakter på nett.",
    ),
    "aalborg": (
        ("aal-frontline", "aal-resource"),
        "aal-coordinator",
        "Opdigtet",
        4,
        "Opdigtet eksempel til statistikken: ændret adfærd og nye kontakter på nettet.",
    ),
}
_NO_ACTION_REASONS = {
    "trondheim": "Oppdiktet eksempel: samtalen med familien viste at bekymringen var avklart.",
    "aalborg": "Opdigtet eksempel: samtalen med familien viste, at bekymringen var afklaret.",
}
_PHENOMENA = ("right_wing", "right_wing", "religious", "religious", "left_wing", "unclear")
_OUTCOMES = (
    Concern.Outcome.ADVICE_GIVEN,
    Concern.Outcome.REFERRED_TO_PARTNER,
    Concern.Outcome.NO_FURTHER_ACTION,
    Concern.Outcome.MENTOR_FOLLOW_UP,
)


def _quarter_starts(count: int) -> list[datetime.datetime]:
    """The first day of each of the last `count` whole quarters, oldest first."""
    today = timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3  # the quarter before this one, 0-based
    starts = []
    for _n in range(count):
        if quarter == 0:
            year, quarter = year - 1, 4
        quarter -= 1
        starts.append(
            datetime.datetime(year, quarter * 3 + 1, 1, 9, tzinfo=timezone.get_current_timezone())
        )
    return starts[::-1]


def _backdate(concern: Concern, submitted: datetime.datetime, handled_hours: int) -> None:
    """Move a demo case's times into the past, as if it had been filed then.

    Demo data only: a real case's times are never rewritten.
    """
    shift = concern.submitted_at - submitted
    Concern.objects.filter(pk=concern.pk).update(
        submitted_at=submitted,
        created_at=submitted,
        first_assigned_at=(
            submitted + datetime.timedelta(hours=handled_hours)
            if concern.first_assigned_at
            else None
        ),
        closed_at=(
            submitted + datetime.timedelta(days=handled_hours) if concern.closed_at else None
        ),
    )
    concern.events.update(at=F("at") - shift)
    # Its journal moves with it: the public journal of this month shows this month's cases.
    for entry in concern.journal_entries.all():
        day = timezone.localdate(entry.created_at - shift)
        concern.journal_entries.filter(pk=entry.pk).update(
            created_at=entry.created_at - shift, journal_date=day, document_date=day
        )


@transaction.atomic
def seed_demo_history(generator_seed: int = 2026) -> int:
    """File a year and a half of invented, finished cases, so the statistics show figures.

    Filed and handled through the services like any case, then moved back in
    time. Does nothing when there are cases already older than a quarter.
    """
    starts = _quarter_starts(6)
    if Concern.objects.filter(submitted_at__lt=starts[-1]).exists():
        return 0
    generator = random.Random(generator_seed)
    filed = 0
    for code, (reporters, handler_name, surname, per_quarter, text) in _HISTORY.items():
        municipality = Municipality.objects.get(code=code)
        handler = User.objects.get(username=handler_name)
        districts = list(District.objects.filter(municipality=municipality)) or [None]
        contacts = list(
            Contact.objects.filter(
                organisation__municipalities=municipality, is_active=True, user__isnull=False
            )
        )
        for start in starts:
            for _n in range(per_quarter + generator.randint(-1, 2)):
                filed += 1
                case = DemoCase(
                    reporter=generator.choice(reporters),
                    municipality=code,
                    name=f"{surname} {generator.choice(_FIRST_NAMES)} {filed}",
                    birth_year=start.year - generator.choice((13, 14, 15, 16, 17, 19, 22, 30)),
                    district=None,
                    observations=text,
                    phenomenon=generator.choice(_PHENOMENA),
                    urgency=generator.choice(
                        (Concern.Urgency.NORMAL,) * 4 + (Concern.Urgency.HIGH,)
                    ),
                )
                concern = _file(case)
                concern.subject.district = generator.choice(districts)
                concern.subject.save(update_fields=["district"])
                concern = concern_accept(concern=concern, actor=handler)
                candidates = [c for c in contacts if c.pk != concern.assignee_id]
                if candidates:
                    concern = concern_assign(
                        concern=concern,
                        assignee=generator.choice(candidates),
                        actor=handler,
                        reason="Demo",
                    )
                outcome = generator.choice(_OUTCOMES)
                concern = concern_close(
                    concern=concern,
                    actor=handler,
                    outcome=outcome,
                    # "No further action" is a decision with a written reason.
                    reason=_NO_ACTION_REASONS[code]
                    if outcome == Concern.Outcome.NO_FURTHER_ACTION
                    else "",
                    evaluation=Evaluation(
                        help_timely=generator.choice(("yes", "yes", "yes", "partly", "no")),
                        situation_change=generator.choice(
                            ("improved", "improved", "unchanged", "unknown", "worse")
                        ),
                        partners=frozenset(
                            generator.sample(("school", "child_welfare", "police", "family"), 2)
                        ),
                    ),
                )
                submitted = start + datetime.timedelta(
                    days=generator.randint(0, 80), hours=generator.randint(0, 8)
                )
                _backdate(concern, submitted, handled_hours=generator.randint(2, 60))
        _record_plan_work(municipality, handler, starts, generator)
    return filed


def _record_plan_work(municipality, actor, starts, generator) -> None:
    """Work outside cases every quarter: Trondheim's Kontaktforum, Aalborg's initiative 6."""
    measure = Measure.objects.filter(municipality=municipality, number=2).first()
    initiative = Initiative.objects.filter(municipality=municipality, number=6).first()
    goals = list(Goal.objects.filter(municipality=municipality, number__in=(1, 4)))
    for start in starts:
        for _n in range(generator.randint(1, 3)):
            measure_activity_record(
                actor=actor,
                measure=measure,
                initiative=None if measure else initiative,
                kind=MeasureActivity.Kind.KONTAKTFORUM_MEETING
                if measure
                else MeasureActivity.Kind.SEMINAR,
                date=(start + datetime.timedelta(days=generator.randint(5, 85))).date(),
                organisations=[],
                participants=generator.randint(6, 30),
                goals=goals,
            )
