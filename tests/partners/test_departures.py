"""Access that ends when the job ends: unused accounts are switched off by the daily run, and
what they held waits on the coordinator's "needs a new handler" page."""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django.utils import timezone

from concerns.handover import needs_new_handler
from concerns.models import CaseEvent, Concern
from concerns.services import concern_assign
from partners.identity.departures import account_deactivate, departed_accounts_deactivate
from partners.identity.models import (
    ExternalIdentity,
    IdentityProvider,
    ProviderSession,
    SecurityEvent,
)
from partners.models import Contact, Role, User
from tests.factories import ConcernFactory, ContactFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(trondheim):
    return IdentityProvider.objects.create(
        slug="trondheim",
        name="Trondheim kommune",
        issuer="https://login.trondheim.example/realms/ansatte",
        client_id="bekymring",
        deactivate_after_days=60,
    )


def _identity(provider, user, days_ago: int) -> ExternalIdentity:
    return ExternalIdentity.objects.create(
        provider=provider,
        user=user,
        subject=f"sub-{user.username}",
        last_sign_in_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def test_an_account_unused_past_its_providers_limit_is_switched_off(provider, people):
    gone = UserFactory(username="sluttet", organisation=people.alice.organisation)
    here = UserFactory(username="fortsatt", organisation=people.alice.organisation)
    _identity(provider, gone, days_ago=61)
    _identity(provider, here, days_ago=59)
    result = departed_accounts_deactivate()
    gone.refresh_from_db()
    here.refresh_from_db()
    assert not gone.is_active and here.is_active
    assert result.inactive == 1
    event = SecurityEvent.objects.get(user=gone, kind=SecurityEvent.Kind.ACCOUNT_DEACTIVATED)
    assert event.detail == "inactive" and event.actor is None
    assert gone.history.latest().history_change_reason == "Deactivated: inactive"
    # Run again: nothing more happens.
    assert departed_accounts_deactivate().inactive == 0


def test_a_local_account_follows_the_setting_and_the_break_glass_account_is_kept(people, settings):
    settings.ACCOUNT_INACTIVE_DAYS = 30
    long_ago = timezone.now() - datetime.timedelta(days=31)
    idle = UserFactory(username="lokal-borte", organisation=people.alice.organisation)
    User.objects.filter(pk=idle.pk).update(last_login=long_ago)
    never = UserFactory(username="lokal-aldri", organisation=people.alice.organisation)
    User.objects.filter(pk=never.pk).update(last_login=None, date_joined=long_ago)
    recent = UserFactory(username="lokal-nylig", organisation=people.alice.organisation)
    User.objects.filter(pk=recent.pk).update(last_login=timezone.now())
    breakglass = User.objects.create_superuser("breakglass", password="x" * 20)
    User.objects.filter(pk=breakglass.pk).update(last_login=long_ago)
    departed_accounts_deactivate()
    active = dict(User.objects.values_list("username", "is_active"))
    assert active["lokal-borte"] is False and active["lokal-aldri"] is False
    assert active["lokal-nylig"] is True and active["breakglass"] is True


@pytest.fixture
def handled_case(people, trondheim):
    """A case assigned to a police contact, with an open task."""
    police_org = OrganisationFactory(slug="politi", kind="police", municipalities=[trondheim])
    police_user = UserFactory(
        username="politi-kontakt", organisation=police_org, roles=[Role.Code.POLICE_CONTACT]
    )
    police = ContactFactory(
        organisation=police_org, role=Contact.Role.POLICE_RADICALISATION, user=police_user
    )
    concern = ConcernFactory(
        reporter=people.alice,
        municipality=trondheim,
        status=Concern.Status.SUBMITTED,
        reference="BEK-2026-000077",
    )
    coordinator = UserFactory(
        username="slt", organisation=people.charlie.organisation, roles=[Role.Code.COORDINATOR]
    )
    concern_assign(concern=concern, actor=coordinator, assignee=police, reason="Politiet vurderer")
    return concern, police_user, coordinator


def test_the_cases_of_a_handler_who_left_wait_for_a_new_one(client, handled_case, people, aalborg):
    concern, police_user, coordinator = handled_case
    assert len(needs_new_handler(coordinator)) == 0
    police_user.is_active = False
    police_user.save()
    handover = needs_new_handler(coordinator)
    assert [case.reference for case in handover.cases] == ["BEK-2026-000077"]
    client.force_login(coordinator)
    page = client.get(reverse("concerns:needs_handler")).content.decode()
    assert "BEK-2026-000077" in page
    assert reverse("concerns:action", args=[concern.public_id, "assign"]) in page
    # Another municipality's coordinator sees nothing of it, and a reporter gets 404.
    other = UserFactory(
        username="aal-slt", organisation=people.dana.organisation, roles=[Role.Code.COORDINATOR]
    )
    assert len(needs_new_handler(other)) == 0
    client.force_login(people.alice)
    assert client.get(reverse("concerns:needs_handler")).status_code == 404


def test_a_handler_who_lost_the_role_is_listed_too(handled_case):
    concern, police_user, coordinator = handled_case
    police_user.roles.set([Role.objects.get(code=Role.Code.FRONTLINE)])
    assert [case.pk for case in needs_new_handler(coordinator).cases] == [concern.pk]
    # Given to a new handler, it leaves the list.
    new = ContactFactory(
        organisation=coordinator.organisation,
        role=Contact.Role.COORDINATOR,
        user=coordinator,
    )
    concern_assign(concern=concern, actor=coordinator, assignee=new, reason="Ny behandler")
    assert len(needs_new_handler(coordinator)) == 0


def test_switching_an_account_off_takes_back_its_cases_on_each_timeline(handled_case):
    concern, police_user, coordinator = handled_case
    assert police_user.concernuserobjectpermission_set.filter(content_object=concern).exists()
    account_deactivate(user=police_user, reason="inactive")
    assert not police_user.concernuserobjectpermission_set.exists()
    removed = concern.events.filter(kind=CaseEvent.Kind.ACCESS_REVOKED).get()
    assert removed.data["reason"] == "handler_left"
    # Switched on again by a platform admin, the account does not get the case back.
    police_user.is_active = True
    police_user.save()
    assert len(needs_new_handler(coordinator).cases) == 1


def test_a_handler_who_moved_to_another_organisation_leaves_the_case_waiting(handled_case):
    concern, police_user, coordinator = handled_case
    police_user.organisation = OrganisationFactory(slug="annet-politidistrikt", kind="police")
    police_user.save()
    assert [case.pk for case in needs_new_handler(coordinator).cases] == [concern.pk]


def test_the_daily_run_forgets_provider_sessions_that_expired(provider, people):
    user = UserFactory(username="sesjon", organisation=people.alice.organisation)
    live = SessionStore()
    live.create()
    for key in (live.session_key, "utlopt-for-lenge-siden"):
        ProviderSession.objects.create(provider=provider, subject="s", session_key=key, user=user)
    departed_accounts_deactivate()
    assert list(ProviderSession.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_a_coordinator_who_covers_the_case_by_role_needs_no_grant_to_act(handled_case):
    """After a role is lost and given back, the grants are gone; a coordinator of the case's
    municipality still sees it by role, so her case is not listed as waiting."""
    concern, police_user, coordinator = handled_case
    own = ContactFactory(
        organisation=coordinator.organisation, role=Contact.Role.COORDINATOR, user=coordinator
    )
    concern_assign(concern=concern, actor=coordinator, assignee=own, reason="Jeg tar den selv")
    coordinator.concernuserobjectpermission_set.all().delete()
    assert len(needs_new_handler(coordinator)) == 0
