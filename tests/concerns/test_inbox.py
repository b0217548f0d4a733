import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concerns import selectors
from concerns.models import Concern
from concerns.registry_choices import registry_choices
from partners.models import District, Role
from tests.factories import (
    ConcernFactory,
    ContactFactory,
    DistrictFactory,
    OrganisationFactory,
    PhenomenonFactory,
    SubjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(people):
    return UserFactory(
        username="slt", organisation=people.charlie.organisation, roles=[Role.Code.COORDINATOR]
    )


def _concern(people, n, **fields):
    fields.setdefault("status", Concern.Status.SUBMITTED)
    fields.setdefault("submitted_at", timezone.now() - datetime.timedelta(hours=n))
    fields.setdefault("reference", f"BEK-2026-{n:06d}")
    return ConcernFactory(
        reporter=people.alice, municipality=people.alice.organisation.municipalities.get(), **fields
    )


def _references(client, **params) -> list[str]:
    """The rows of the inbox, top to bottom: the pinned ones, then the page."""
    response = client.get(reverse("concerns:inbox"), params)
    assert response.status_code == 200
    return [row.reference for row in response.context["rows"]]


def test_the_coordinator_sees_every_submitted_concern_in_the_municipality_but_no_drafts(
    client, people, coordinator
):
    submitted = _concern(people, 1)
    _concern(people, 2, status=Concern.Status.DRAFT, reference=None)
    ConcernFactory(
        reporter=people.dana,
        municipality=people.dana.organisation.municipalities.get(),
        status=Concern.Status.SUBMITTED,
        reference="BEK-2026-000099",
    )
    client.force_login(coordinator)
    assert _references(client) == [submitted.reference]


def test_filters(client, people, coordinator, trondheim):
    heimdal = DistrictFactory(municipality=trondheim, name="Heimdal")
    adult = SubjectFactory(
        municipality=trondheim, birth_year=1990, district=heimdal, created_by=people.alice
    )
    contact = ContactFactory(organisation=people.alice.organisation)
    religious = PhenomenonFactory(code="religious", name_nb="Religiøst motivert ekstremisme")
    # Acknowledged: an acute concern waiting for that is pinned above every filter.
    acute = _concern(
        people,
        1,
        urgency=Concern.Urgency.ACUTE,
        phenomenon=religious,
        acknowledged_at=timezone.now(),
    )
    closed = _concern(people, 2, status=Concern.Status.CLOSED)
    grown_up = _concern(people, 3, subject=adult, assignee=contact)
    overdue = _concern(people, 4, follow_up_on=timezone.localdate() - datetime.timedelta(days=1))
    client.force_login(coordinator)

    assert _references(client, urgency="acute") == [acute.reference]
    assert _references(client, status="closed") == [closed.reference]
    assert _references(client, phenomenon=religious.pk) == [acute.reference]
    assert _references(client, age_band="18_plus") == [grown_up.reference]
    assert grown_up.reference not in _references(client, age_band="under_18")
    assert _references(client, district=heimdal.pk) == [grown_up.reference]
    assert _references(client, assignee=contact.pk) == [grown_up.reference]
    assert _references(client, overdue="on") == [overdue.reference]
    assert grown_up.reference not in _references(client, unassigned="on")
    assert len(_references(client, reporter_organisation=people.alice.organisation.pk)) == 4
    assert _references(client, reporter_organisation=people.charlie.organisation.pk) == []


def test_free_text_search_finds_the_observations_and_the_persons_name(
    client, people, coordinator, trondheim
):
    knives = _concern(people, 1, observations="Snakket om kniver og hevn i friminuttet.")
    named = _concern(
        people, 2, subject=SubjectFactory(municipality=trondheim, name="Oppdiktet Kristoffersen")
    )
    client.force_login(coordinator)
    assert _references(client, q="kniver") == [knives.reference]
    assert _references(client, q="kristoffersen") == [named.reference]
    assert _references(client, q="ingenting-slikt") == []


def test_words_in_angle_brackets_are_found_like_any_other(client, people, coordinator):
    """PostgreSQL's parser would drop `<...>` as an HTML tag; reporters quote that way."""
    quoted = _concern(people, 1, observations="Skrev i chatten: <alle skal brenne> i går.")
    client.force_login(coordinator)
    assert _references(client, q="brenne") == [quoted.reference]
    assert _references(client, q="<alle skal brenne>") == [quoted.reference]


def test_sorting_by_urgency_puts_acute_first(client, people, coordinator):
    normal = _concern(people, 1)
    acute = _concern(people, 2, urgency=Concern.Urgency.ACUTE)
    high = _concern(people, 3, urgency=Concern.Urgency.HIGH)
    client.force_login(coordinator)
    assert _references(client, sort="urgency") == [
        acute.reference,
        high.reference,
        normal.reference,
    ]
    # Once acknowledged, the acute concern sorts like any other.
    Concern.objects.filter(pk=acute.pk).update(acknowledged_at=timezone.now())
    assert _references(client, sort="-submitted") == [
        normal.reference,
        acute.reference,
        high.reference,
    ]


def test_an_unacknowledged_acute_concern_is_pinned_on_top_whatever_the_sort(
    client, people, coordinator
):
    normal = _concern(people, 1)
    acute = _concern(people, 2, urgency=Concern.Urgency.ACUTE)
    high = _concern(people, 3, urgency=Concern.Urgency.HIGH)
    client.force_login(coordinator)
    for sort in ("-submitted", "submitted", "status", "person", "-urgency"):
        assert _references(client, sort=sort)[0] == acute.reference, sort
    # Pinned above every filter too: it is an alert, not a search result.
    assert _references(client, urgency="normal") == [acute.reference, normal.reference]
    assert set(_references(client, sort="-urgency")) == {
        normal.reference,
        acute.reference,
        high.reference,
    }


def test_counts_per_status_and_50_per_page(client, people, coordinator):
    for n in range(1, 53):
        _concern(people, n)
    _concern(people, 60, status=Concern.Status.CLOSED)
    client.force_login(coordinator)
    response = client.get(reverse("concerns:inbox"))
    assert len(response.context["page"]) == 50
    assert response.context["counts"]["submitted"] == 52
    assert response.context["counts"]["closed"] == 1
    assert len(client.get(reverse("concerns:inbox"), {"page": 2}).context["page"]) == 3


def test_the_total_counts_what_is_listed_and_what_is_pinned_under_every_filter(
    client, people, coordinator
):
    for n in range(1, 4):
        _concern(people, n)
    _concern(people, 4, status=Concern.Status.CLOSED)
    _concern(people, 5, urgency=Concern.Urgency.ACUTE)  # pinned, submitted
    _concern(people, 6, urgency=Concern.Urgency.ACUTE, acknowledged_at=timezone.now())
    client.force_login(coordinator)

    for params, listed in (
        ({}, 5),  # 3 normal, 1 closed, 1 acknowledged acute
        ({"status": "submitted"}, 4),
        ({"status": ["submitted", "closed"]}, 5),
        ({"status": "closed"}, 1),
        ({"urgency": "acute"}, 1),  # the total is counted, not taken from the counts
    ):
        response = client.get(reverse("concerns:inbox"), params)
        assert response.context["page"].paginator.count == listed, params
        assert response.context["total"] == listed + 1, params  # the pinned one on top
        assert len(response.context["rows"]) == listed + 1, params


def test_the_inbox_makes_the_same_number_of_queries_for_5_and_50_rows(
    client, people, coordinator, trondheim
):
    def make(first, last):
        for n in range(first, last):
            _concern(
                people,
                n,
                subject=SubjectFactory(
                    municipality=trondheim, district=DistrictFactory(municipality=trondheim)
                ),
                assignee=ContactFactory(organisation=people.alice.organisation),
            )

    client.force_login(coordinator)
    make(1, 6)
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(reverse("concerns:inbox")).context["page"]) == 5
    make(6, 51)
    with CaptureQueriesContext(connection) as fifty:
        assert len(client.get(reverse("concerns:inbox")).context["page"]) == 50
    assert len(fifty) == len(five)


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.Code.COORDINATOR, True),
        (Role.Code.RESOURCE_PERSON, True),
        (Role.Code.POLICE_CONTACT, True),
        (Role.Code.FRONTLINE, False),
        (Role.Code.MENTOR, False),
    ],
)
def test_the_inbox_link_is_shown_to_case_handlers_only(client, people, role, shown):
    client.force_login(UserFactory(organisation=people.alice.organisation, roles=[role]))
    assert (reverse("concerns:inbox") in client.get(reverse("home")).content.decode()) == shown


def test_a_rows_pinned_and_overdue_marks_follow_the_rules_the_lists_filter_by(people):
    """inbox_rows works both marks out from the row it read; the lists ask the database."""
    today = timezone.localdate()
    keys, n = [], 0
    for status in Concern.Status.values:
        if status == Concern.Status.DRAFT:
            continue
        for urgency in Concern.Urgency.values:
            for acknowledged_at in (None, timezone.now()):
                for follow_up_on in (None, today - datetime.timedelta(days=1), today):
                    n += 1
                    keys.append(
                        _concern(
                            people,
                            n,
                            status=status,
                            urgency=urgency,
                            acknowledged_at=acknowledged_at,
                            follow_up_on=follow_up_on,
                        ).pk
                    )
    rows = selectors.inbox_rows(keys, today=today)
    concerns = Concern.objects.filter(pk__in=keys)
    pinned = set(concerns.filter(selectors._pinned_q()).values_list("pk", flat=True))
    overdue = set(concerns.filter(selectors._overdue_q(today)).values_list("pk", flat=True))
    assert 0 < len(pinned) < len(keys) and 0 < len(overdue) < len(keys)
    assert {key for key, row in rows.items() if row.pinned} == pinned
    assert {key for key, row in rows.items() if row.overdue} == overdue


def _district_options(client) -> list[str]:
    form = client.get(reverse("concerns:inbox")).context["form"]
    return [str(label) for _value, label in form.fields["district"].choices]


def test_the_filter_choices_are_read_once_and_follow_every_registry_change(
    client, people, coordinator, aalborg
):
    client.force_login(coordinator)
    municipality = coordinator.organisation.municipalities.get()
    DistrictFactory(municipality=municipality, name="Østbyen")
    assert "Østbyen" in _district_options(client)
    # Kept: the next view reads none of the four registry tables.
    with CaptureQueriesContext(connection) as queries:
        registry_choices([municipality.pk])
    assert len(queries) == 0
    # A new, renamed or removed district shows at the next view, with no wait.
    added = DistrictFactory(municipality=municipality, name="Lerkendal")
    assert "Lerkendal" in _district_options(client)
    added.name = "Nardo"
    added.save()
    assert "Nardo" in _district_options(client) and "Lerkendal" not in _district_options(client)
    District.objects.filter(pk=added.pk).get().delete()
    assert "Nardo" not in _district_options(client)
    # A contact's organisation starting to serve the municipality shows too.
    other = ContactFactory(
        name="Ny Kontaktperson", organisation=OrganisationFactory(municipalities=[aalborg])
    )
    assert not any("Ny Kontaktperson" in label for label in _assignee_options(client))
    other.organisation.municipalities.add(municipality)
    assert any("Ny Kontaktperson" in label for label in _assignee_options(client))


def _assignee_options(client) -> list[str]:
    form = client.get(reverse("concerns:inbox")).context["form"]
    return [str(label) for _value, label in form.fields["assignee"].choices]
