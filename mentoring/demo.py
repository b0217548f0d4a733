"""The demo mentors' corps places, and one mentorship each with sessions and ratings.

Made through the services, on the invented demo cases, so `make run` shows a
mentor's page with a chart at once. Every person here is made up.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from concerns.models import Concern
from mentoring.models import Corps, CorpsMember, Language, Mentorship
from mentoring.services import (
    mentor_session_record,
    mentorship_propose,
    mentorship_start,
    plan_set,
    ratings_record,
)
from partners.models import Municipality, User

# mentor, coordinator, municipality, corps member's name, languages, the demo case's person
DEMO_MENTORS = (
    (
        "trd-mentor",
        "trd-coordinator",
        "trondheim",
        "Mona Mentor (demo)",
        [Language.NORWEGIAN, Language.ARABIC],
        "Oppdiktet Fjellheim",
    ),
    (
        "aal-mentor",
        "aal-coordinator",
        "aalborg",
        "Mette Mentor (demo)",
        [Language.DANISH, Language.SOMALI],
        "Opdigtet Madsen",
    ),
)
PLAN = {
    "work_or_school": (2, "Fullføre skoleåret / fuldføre skoleåret"),
    "social_network": (2, "Nye venner gjennom fritidsaktivitet"),
    "attitudes": (1, "Samtaler om demokrati og uenighet"),
}


def seed_demo_corps() -> list[CorpsMember]:
    """The demo mentors' places in the mentor corps: registry data, made with the users."""
    members = []
    for username, _coordinator, code, name, languages, _person in DEMO_MENTORS:
        mentor_user = User.objects.filter(username=username).first()
        if mentor_user is None:
            continue
        member, _created = CorpsMember.objects.get_or_create(
            municipality=Municipality.objects.get(code=code),
            corps=Corps.MENTOR,
            user=mentor_user,
            defaults={"name": name, "languages": [str(lang) for lang in languages], "capacity": 3},
        )
        members.append(member)
    return members


@transaction.atomic
def seed_demo_mentoring() -> int:
    """Returns how many mentorships were made (0 when the demo mentors have one already)."""
    made = 0
    today = timezone.localdate()
    members = {member.user.username: member for member in seed_demo_corps()}
    for username, coordinator_name, _code, _name, _languages, person in DEMO_MENTORS:
        member = members.get(username)
        concern = Concern.objects.filter(subject__name=person).first()
        if member is None or concern is None or not concern.is_open:
            continue
        mentor_user = member.user
        if member.mentorships.exists():
            continue
        coordinator = User.objects.get(username=coordinator_name)
        mentorship = mentorship_propose(concern=concern, mentor=member, actor=coordinator)
        start = today - datetime.timedelta(days=42)
        mentorship = mentorship_start(
            mentorship=mentorship,
            actor=coordinator,
            starts_on=start,
            mentee_consent=True,
            guardian_consent=Mentorship.GuardianConsent.YES,
        )
        plan_set(mentorship=mentorship, actor=mentor_user, goals=PLAN)
        ratings_record(
            mentorship=mentorship,
            actor=mentor_user,
            rated_on=today - datetime.timedelta(weeks=3),
            ratings={"work_or_school": 3, "social_network": 2, "attitudes": 2},
        )
        for days_ago, domains in ((35, ["work_or_school"]), (21, ["social_network", "attitudes"])):
            mentor_session_record(
                mentorship=mentorship,
                actor=mentor_user,
                date=today - datetime.timedelta(days=days_ago),
                duration_minutes=60,
                domains=domains,
                note="",
                next_meeting_on=today + datetime.timedelta(days=3),
            )
        made += 1
    return made
