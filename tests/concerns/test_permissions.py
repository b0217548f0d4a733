"""The permission matrix: every role × where they work × every way into a case.

The case is a concern filed by a frontline worker at a school in Trondheim.
Nobody is assigned to it yet, so access comes from role and organisation only.
"""

import pytest
from django.urls import reverse

from concerns.models import CaseEvent, Concern, ConcernUserObjectPermission
from concerns.selectors import inbox_counts_for
from concerns.services import (
    concern_assign,
    concern_close,
    concern_reopen,
    concern_start_follow_up,
)
from partners.models import Contact, Role
from tests.factories import ConcernFactory, ContactFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = [
    Role.Code.FRONTLINE,
    Role.Code.RESOURCE_PERSON,
    Role.Code.COORDINATOR,
    Role.Code.POLICE_CONTACT,
    Role.Code.MENTOR,
    Role.Code.REGISTRY_ADMIN,
]
PLACES = ["own_org", "other_org", "other_municipality"]
VIEWS = ["list", "detail", "change", "history", "access_log"]

# What each role may do, by where they work. Everything not listed is refused with 404.
ALLOWED = {
    (Role.Code.RESOURCE_PERSON, "own_org"): {"list", "detail", "change", "history"},
    (Role.Code.COORDINATOR, "own_org"): {"list", "detail", "change", "history", "access_log"},
    (Role.Code.COORDINATOR, "other_org"): {"list", "detail", "change", "history", "access_log"},
}


@pytest.fixture
def case(people):
    return ConcernFactory(
        reporter=people.alice,
        municipality=people.alice.organisation.municipalities.get(),
        status=Concern.Status.SUBMITTED,
        reference="BEK-2026-000042",
        observations="Hemmelig observasjon om en oppdiktet elev.",
    )


def _user(role, place, people):
    organisation = {
        "own_org": people.alice.organisation,
        "other_org": people.charlie.organisation,
        "other_municipality": people.dana.organisation,
    }[place]
    return UserFactory(organisation=organisation, roles=[role])


def _open(client, concern, url_name):
    """GET a case page, stating a purpose first if the page asks for one."""
    url = reverse(url_name, args=[concern.public_id])
    response = client.get(url)
    if response.status_code == 200 and "concerns/purpose.html" in [
        t.name for t in response.templates
    ]:
        client.post(
            reverse("concerns:purpose", args=[concern.public_id]),
            {"reason": "Vurderer saken i triage"},
        )
        response = client.get(url)
    return response


def _attempt(client, concern, view) -> bool:
    if view == "list":
        return concern.reference in client.get(reverse("concerns:inbox")).content.decode()
    if view == "detail":
        response = _open(client, concern, "concerns:detail")
        assert response.status_code in (200, 404)
        return response.status_code == 200 and concern.observations in response.content.decode()
    if view == "change":
        before = CaseEvent.objects.filter(concern=concern, kind=CaseEvent.Kind.NOTE).count()
        response = client.post(
            reverse("concerns:action", args=[concern.public_id, "note"]), {"text": "Notat"}
        )
        after = CaseEvent.objects.filter(concern=concern, kind=CaseEvent.Kind.NOTE).count()
        assert response.status_code in (302, 404)
        assert (after == before + 1) == (response.status_code == 302)
        return response.status_code == 302
    if view == "history":
        response = _open(client, concern, "concerns:history")
        assert response.status_code in (200, 404)
        return response.status_code == 200
    response = _open(client, concern, "concerns:access_log")
    assert response.status_code in (200, 404)
    return response.status_code == 200


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, people, case, role, place, view):
    client.force_login(_user(role, place, people))
    expected = view in ALLOWED.get((role, place), set())
    assert _attempt(client, case, view) == expected


@pytest.mark.parametrize("view", VIEWS)
def test_the_reporter_sees_own_concern_in_a_limited_view_only(client, people, case, view):
    from concerns.services import concern_add_note

    coordinator = UserFactory(
        organisation=people.charlie.organisation, roles=[Role.Code.COORDINATOR]
    )
    concern_add_note(
        concern=case, actor=coordinator, text="Intern vurdering som melder ikke skal se"
    )
    client.force_login(people.alice)

    if view == "detail":
        page = client.get(reverse("concerns:detail", args=[case.public_id])).content.decode()
        assert case.observations in page
        assert "Intern vurdering" not in page
    elif view == "list":
        assert case.reference in client.get(reverse("concerns:mine")).content.decode()
        assert case.reference not in client.get(reverse("concerns:inbox")).content.decode()
    else:
        assert _attempt(client, case, view) is False


def _police_assigned(people, case):
    police_org = OrganisationFactory(
        slug="politi", kind="police", municipalities=[case.municipality]
    )
    police_user = UserFactory(organisation=police_org, roles=[Role.Code.POLICE_CONTACT])
    police = ContactFactory(
        organisation=police_org, role=Contact.Role.POLICE_RADICALISATION, user=police_user
    )
    coordinator = UserFactory(
        organisation=people.charlie.organisation, roles=[Role.Code.COORDINATOR]
    )
    concern_assign(concern=case, actor=coordinator, assignee=police, reason="Politiet vurderer")
    return police_user


@pytest.mark.parametrize("view", VIEWS)
def test_the_police_contact_sees_the_concerns_assigned_to_them(client, people, case, view):
    police_user = _police_assigned(people, case)
    client.force_login(police_user)
    assert _attempt(client, case, view) == (view != "access_log")


def test_an_assigned_handler_opens_the_case_without_stating_a_purpose(client, people, case):
    resource_user = UserFactory(
        organisation=people.alice.organisation, roles=[Role.Code.RESOURCE_PERSON]
    )
    contact = ContactFactory(organisation=people.alice.organisation, user=resource_user)
    coordinator = UserFactory(
        organisation=people.charlie.organisation, roles=[Role.Code.COORDINATOR]
    )
    concern_assign(concern=case, actor=coordinator, assignee=contact, reason="Egen ressursperson")
    client.force_login(resource_user)
    response = client.get(reverse("concerns:detail", args=[case.public_id]))
    assert "concerns/case.html" in [t.name for t in response.templates]


def test_a_handler_who_is_not_assigned_must_state_a_purpose_first(client, people, case):
    client.force_login(
        UserFactory(organisation=people.charlie.organisation, roles=[Role.Code.COORDINATOR])
    )
    response = client.get(reverse("concerns:detail", args=[case.public_id]))
    assert "concerns/purpose.html" in [t.name for t in response.templates]
    assert case.observations not in response.content.decode()
    # A reason that says nothing is refused.
    client.post(reverse("concerns:purpose", args=[case.public_id]), {"reason": "ok"})
    assert (
        case.observations
        not in client.get(reverse("concerns:detail", args=[case.public_id])).content.decode()
    )


def test_drafts_are_never_in_anyones_inbox(client, people):
    draft = ConcernFactory(
        reporter=people.alice, municipality=people.alice.organisation.municipalities.get()
    )
    client.force_login(
        UserFactory(organisation=people.charlie.organisation, roles=[Role.Code.COORDINATOR])
    )
    assert client.get(reverse("concerns:detail", args=[draft.public_id])).status_code == 404


@pytest.mark.parametrize("view", ["list", "detail", "change"])
def test_a_resource_person_assigned_another_organisations_case_handles_it(
    client, people, case, view
):
    """A grant outside the role's scope (own organisation's concerns): list and page agree."""
    resource_user = UserFactory(
        organisation=people.charlie.organisation, roles=[Role.Code.RESOURCE_PERSON]
    )
    contact = ContactFactory(organisation=people.charlie.organisation, user=resource_user)
    client.force_login(resource_user)
    assert _attempt(client, case, view) is False  # before: another organisation's case

    coordinator = UserFactory(
        organisation=people.charlie.organisation, roles=[Role.Code.COORDINATOR]
    )
    concern_assign(concern=case, actor=coordinator, assignee=contact, reason="Kjenner familien")
    assert _attempt(client, case, view) is True


@pytest.mark.parametrize("view", VIEWS)
def test_a_handler_who_loses_the_role_loses_the_cases_given_to_them(client, people, case, view):
    """A grant counts only while its holder may hold a case: a sign-in that takes the
    role away (or a platform admin) shuts every case at once, though the grant row stays."""
    police_user = _police_assigned(people, case)
    police_user.roles.set([Role.objects.get(code=Role.Code.FRONTLINE)])
    client.force_login(police_user)
    assert _attempt(client, case, view) is False
    assert police_user.concernuserobjectpermission_set.filter(content_object=case).exists()
    # Given a case-handling role again, the grant counts again.
    police_user.roles.set([Role.objects.get(code=Role.Code.POLICE_CONTACT)])
    assert _attempt(client, case, view) == (view != "access_log")


@pytest.mark.parametrize("view", ["list", "detail"])
def test_a_reporter_who_moves_to_another_organisation_no_longer_sees_what_she_filed(
    client, people, case, view
):
    client.force_login(people.alice)
    mine = reverse("concerns:mine")
    detail = reverse("concerns:detail", args=[case.public_id])
    assert case.reference in client.get(mine).content.decode()
    people.alice.organisation = people.charlie.organisation
    people.alice.save()
    if view == "list":
        assert case.reference not in client.get(mine).content.decode()
    else:
        assert client.get(detail).status_code == 404
    # Her old organisation's coordinator still has the case.
    client.force_login(_user(Role.Code.COORDINATOR, "own_org", people))
    assert _attempt(client, case, view)


def _copies_match(concern) -> bool:
    concern.refresh_from_db()
    grants = ConcernUserObjectPermission.objects.filter(content_object=concern)
    assert grants.exists()
    return all(
        (grant.concern_status, grant.submitted_at) == (concern.status, concern.submitted_at)
        for grant in grants
    )


def test_the_grants_copies_of_status_and_submission_follow_the_case(people, case):
    """The police contact's list is read and counted from copies on the grants: they must
    never differ from the case, whichever way it moves."""
    case.submitted_at = case.submitted_at or case.created_at
    case.save()
    police_user = _police_assigned(people, case)
    coordinator = UserFactory(
        organisation=people.charlie.organisation, roles=[Role.Code.COORDINATOR]
    )
    assert _copies_match(case)
    for step in (
        lambda c: concern_start_follow_up(concern=c, actor=police_user),
        lambda c: concern_close(concern=c, actor=police_user, outcome="advice_given"),
        lambda c: concern_reopen(concern=c, actor=coordinator, reason="Ny informasjon kom inn"),
    ):
        step(Concern.objects.get(pk=case.pk))
        assert _copies_match(case), case.status
    # And the police contact's list, read from those copies, agrees with the case.
    assert inbox_counts_for(police_user).by_status[case.status] == 1
