"""The daily run asks the real provider (tests/oidc_provider/) about each account: one it
reports disabled is switched off here, with what it held listed for a new handler."""

import pytest
from django.core.cache import cache
from django.test import Client

from concerns.handover import needs_new_handler
from concerns.models import Concern
from concerns.services import concern_assign
from partners.identity.departures import departed_accounts_deactivate
from partners.identity.models import ExternalIdentity, SecurityEvent
from partners.models import Contact, Role
from tests.factories import ConcernFactory, ContactFactory, UserFactory
from tests.partners import sso_support as support

pytestmark = pytest.mark.django_db


def test_an_account_disabled_at_the_provider_is_switched_off_by_the_daily_run(
    sso, oidc_provider, people, trondheim
):
    support.sso_sign_in(Client(), oidc_provider, "kari.testesen")
    identity = ExternalIdentity.objects.get(subject="5b1e-kari")
    kari = identity.user
    assert identity.refresh_token, "the provider gave no refresh token to ask with"
    # Kari coordinates; a case is assigned to her.
    contact = ContactFactory(organisation=sso.slt, role=Contact.Role.COORDINATOR, user=kari)
    concern = ConcernFactory(
        reporter=people.alice, municipality=trondheim, status=Concern.Status.SUBMITTED
    )
    concern_assign(concern=concern, actor=kari, assignee=contact, reason="Jeg tar den")
    colleague = UserFactory(
        username="annen-koordinator", organisation=sso.slt, roles=[Role.Code.COORDINATOR]
    )

    # Still enabled at the provider: nothing happens, and the provider was really asked.
    result = departed_accounts_deactivate()
    assert (result.asked, result.disabled_at_provider, result.unanswered) == (1, 0, 0)
    kari.refresh_from_db()
    assert kari.is_active

    # She leaves; the municipality disables her account in its directory.
    oidc_provider.set_user("kari.testesen", disabled=True)
    try:
        result = departed_accounts_deactivate()
    finally:
        oidc_provider.set_user("kari.testesen", disabled=False)
    assert result.disabled_at_provider == 1
    kari.refresh_from_db()
    assert not kari.is_active
    assert SecurityEvent.objects.filter(
        user=kari, kind=SecurityEvent.Kind.ACCOUNT_DEACTIVATED, detail="disabled_at_provider"
    ).exists()
    # Nothing is lost: the case waits for a new handler on the coordinators' page.
    assert [case.pk for case in needs_new_handler(colleague).cases] == [concern.pk]


def test_a_provider_that_cannot_be_reached_switches_nobody_off(sso, oidc_provider):
    support.sso_sign_in(Client(), oidc_provider, "kari.testesen")
    sso.provider.issuer = "http://127.0.0.1:9"  # nothing listens there
    sso.provider.save()
    cache.clear()  # the discovery document is kept for an hour
    result = departed_accounts_deactivate()
    assert (result.asked, result.unanswered, result.disabled_at_provider) == (1, 1, 0)
    assert ExternalIdentity.objects.get(subject="5b1e-kari").user.is_active
