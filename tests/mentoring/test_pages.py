"""The mentor's pages: home, the mentorship with its chart, proposing from a case, and
query counts that do not grow with the sessions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concerns.models import AccessLog
from measures.models import GoalArea, Measure
from measures.selectors import plan_counts_by_year
from mentoring.models import (
    GroupSession,
    LifeMasteryRating,
    MentorSession,
    Mentorship,
    SupervisionSession,
)
from mentoring.permissions import supervisions_visible_to
from mentoring.services import mentor_session_record
from partners.models import Contact, Role
from tests.factories import ContactFactory, UserFactory
from tests.mentoring.test_mentorships import _started, programme  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_coordinator_proposes_a_mentor_from_the_case(client, programme):  # noqa: F811
    coordinator, concern = programme["coordinator"], programme["concern"]
    client.force_login(coordinator)
    # Not the assignee: the coordinator says why she opens the case, as always.
    client.post(
        reverse("concerns:purpose", args=[concern.public_id]),
        {"reason": "Finne en mentor til saken"},
    )
    case_page = client.get(reverse("concerns:detail", args=[concern.public_id])).content.decode()
    propose = reverse("mentoring:propose", args=[concern.public_id])
    assert propose in case_page
    page = client.get(propose, {"language": "ar"}).content.decode()
    assert page.index("Mentor A") < page.index("Mentor B")  # speaks Arabic, both have room
    response = client.post(propose, {"mentor": programme["b"].pk})
    mentorship = Mentorship.objects.get(concern=concern)
    assert response.status_code == 302 and mentorship.mentor == programme["b"]
    assert (
        propose
        not in client.get(reverse("concerns:detail", args=[concern.public_id])).content.decode()
    )
    # A made-up or foreign mentor id is refused with a message, nothing saved.
    bad = client.post(propose, {"mentor": "999999"})
    assert bad.status_code in (200, 400) and Mentorship.objects.count() == 1


def test_the_mentor_records_sessions_and_ratings_and_the_chart_follows(client, programme):  # noqa: F811
    mentorship = _started(programme)
    client.force_login(programme["a"].user)
    home = client.get(reverse("mentoring:home")).content.decode()
    assert programme["concern"].subject.name in home
    url = reverse("mentoring:detail", args=[mentorship.public_id])
    page = client.get(url).content.decode()
    # The person and the plan, not the concern or who reported it.
    assert programme["concern"].observations not in page
    assert programme["concern"].reporter.get_full_name() not in page
    assert "chart-progress" not in page  # nothing rated yet

    today = timezone.localdate()
    client.post(url, {"action": "plan", "housing_baseline": "2", "housing_goal": "Egen hybel"})
    session = client.post(
        url,
        {
            "action": "session",
            "version": mentorship.version,
            "date": today.isoformat(),
            "duration_minutes": "45",
            "domains": ["housing"],
            "note": "Vi så på hybler sammen.",
        },
    )
    assert session.status_code == 302
    client.post(url, {"action": "ratings", "rated_on": today.isoformat(), "housing": "4"})
    page = client.get(url).content.decode()
    assert "chart-progress" in page and "2 → 4" in page
    assert MentorSession.objects.get().note == "Vi så på hybler sammen."
    assert LifeMasteryRating.objects.get().rating == 4

    bad = client.post(url, {"action": "ratings", "rated_on": today.isoformat(), "housing": "9"})
    assert bad.status_code == 400 and LifeMasteryRating.objects.count() == 1
    future = (today + datetime.timedelta(days=3)).isoformat()
    late = client.post(url, {"action": "session", "date": future, "duration_minutes": "45"})
    assert late.status_code == 400 and MentorSession.objects.count() == 1


def test_shared_concern_shows_to_the_mentor_only_when_shared(client, programme):  # noqa: F811
    mentorship = _started(programme)
    url = reverse("mentoring:detail", args=[mentorship.public_id])
    client.force_login(programme["coordinator"])
    client.post(url, {"action": "share"})
    client.force_login(programme["a"].user)
    assert programme["concern"].observations in client.get(url).content.decode()
    # Reading the shared concern is a read of the case: it is in the access log.
    read = AccessLog.objects.get(user=programme["a"].user)
    assert (read.concern, read.purpose) == (programme["concern"], AccessLog.Purpose.MENTOR)
    # The mentor cannot share or unshare: that is the coordinator's.
    assert client.post(url, {"action": "share"}).status_code == 404
    assert Mentorship.objects.get().shares_concern


def test_group_sessions_are_counts_for_corps_members(client, programme, people):  # noqa: F811
    url = reverse("mentoring:group_session")
    client.force_login(people.alice)
    assert client.get(url).status_code == 404
    client.force_login(programme["b"].user)
    response = client.post(
        url,
        {
            "corps": "mentor",
            "date": timezone.localdate().isoformat(),
            "participants": "14",
            "topic": "Netthat",
        },
    )
    assert response.status_code == 302
    assert GroupSession.objects.get().participants == 14


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_the_sessions(client, programme):  # noqa: F811
    mentorship = _started(programme)
    client.force_login(programme["a"].user)
    home, page = reverse("mentoring:home"), reverse("mentoring:detail", args=[mentorship.public_id])
    before = (_count(client, home), _count(client, page))
    for days in range(1, 9):
        mentor_session_record(
            mentorship=mentorship,
            actor=programme["a"].user,
            date=timezone.localdate() - datetime.timedelta(days=days),
            duration_minutes=30,
            domains=["leisure"],
            note="",
        )
    assert (_count(client, home), _count(client, page)) == before


def test_mentor_and_group_sessions_count_under_measure_3(programme, trondheim):  # noqa: F811
    area = GoalArea.objects.create(municipality=trondheim, number=1, title="Samordning")
    mentoring = Measure.objects.create(
        municipality=trondheim, goal_area=area, number=3, title="Mentor", description="Mentor"
    )
    mentorship = _started(programme)
    day = timezone.localdate()
    mentor_session_record(
        mentorship=mentorship,
        actor=programme["a"].user,
        date=day,
        duration_minutes=30,
        domains=[],
        note="",
    )
    GroupSession.objects.create(
        municipality=trondheim,
        corps="mentor",
        date=day,
        participants=9,
        topic="Netthat",
        measure=mentoring,
        recorded_by=programme["a"].user,
    )
    counts = {row["year"]: row for row in plan_counts_by_year(mentoring)}[day.year]
    assert (counts["case_activities"], counts["activities"], counts["participants"]) == (1, 1, 9)


def test_supervision_notes_are_for_the_mentor_the_supervisor_and_the_coordinator(
    client,
    programme,  # noqa: F811
    trondheim,
):
    psychologist_user = UserFactory(
        organisation=programme["coordinator"].organisation, roles=[Role.Code.RESOURCE_PERSON]
    )
    psychologist = ContactFactory(
        organisation=programme["coordinator"].organisation,
        role=Contact.Role.RESOURCE_PERSON,
        name="Psykolog (oppdiktet)",
        user=psychologist_user,
    )
    client.force_login(programme["a"].user)
    response = client.post(
        reverse("mentoring:home"),
        {
            "mentor": programme["a"].pk,
            "supervisor": psychologist.pk,
            "date": timezone.localdate().isoformat(),
            "notes": "Veiledning om grensesetting.",
        },
    )
    assert response.status_code == 302
    session = SupervisionSession.objects.get()
    assert session.recorded_by == programme["a"].user
    for reader, sees in (
        (programme["a"].user, True),
        (psychologist_user, True),
        (programme["coordinator"], True),
        (programme["b"].user, False),
    ):
        assert supervisions_visible_to(reader).filter(pk=session.pk).exists() == sees
    client.force_login(programme["b"].user)
    assert (
        "Veiledning om grensesetting." not in client.get(reverse("mentoring:home")).content.decode()
    )
