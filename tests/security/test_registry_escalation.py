"""No registry edit can give anyone a case: not the registry admin, not a stranger.

The attack that was possible: a Trondheim registry admin adds a contact in
Aalborg with their own account, targets it from an "also" rule, and the next
Aalborg concern hands them the case. Each link of that chain is closed here,
and a changed rule takes back what it gave.
"""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from concerns.models import CaseEvent, Concern, ConcernUserObjectPermission, RoutingRule
from concerns.permissions import handler_concerns_for
from concerns.services import concern_assign, concern_submit, routing_rule_save
from partners.models import Contact, Municipality, Organisation, Role, User
from tests.factories import ConcernFactory, SubjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    return {user.username: user for user in User.objects.all()}


def _contact_form(contact: Contact, **changes) -> dict:
    data = {
        "organisation": contact.organisation_id,
        "role": contact.role,
        "name": contact.name,
        "phone": contact.phone,
        "email": contact.email,
        "user": contact.user_id or "",
        "is_active": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _file(organisation_slug: str, **fields) -> Concern:
    organisation = Organisation.objects.get(slug=organisation_slug)
    reporter = UserFactory(organisation=organisation)
    municipality = organisation.municipalities.get()
    subject = SubjectFactory(municipality=municipality, created_by=reporter, birth_year=2009)
    concern = ConcernFactory(
        reporter=reporter, municipality=municipality, subject=subject, **fields
    )
    return concern_submit(concern=concern, actor=reporter)


def test_a_registry_admin_cannot_link_a_contact_to_their_own_account(client, demo):
    admin_user = demo["trd-admin"]
    contact = Contact.objects.get(organisation__slug="slt", name="Prosjektmedarbeider")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:partners_contact_change", args=[contact.pk]),
        _contact_form(contact, user=admin_user.pk),
    )
    assert response.status_code == 200  # the form again, with the error
    contact.refresh_from_db()
    assert contact.user_id is None


def test_nobody_links_a_contact_to_an_account_of_another_organisation(client, demo):
    contact = Contact.objects.get(organisation__slug="slt", name="Prosjektmedarbeider")
    client.force_login(demo["platform-admin"])
    response = client.post(
        reverse("admin:partners_contact_change", args=[contact.pk]),
        _contact_form(contact, user=demo["trd-resource"].pk),  # NAV, not SLT
    )
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.user_id is None


def test_a_contact_only_answers_for_an_account_with_the_matching_role(client, demo):
    slt = Organisation.objects.get(slug="slt")
    frontline = UserFactory(organisation=slt, roles=[Role.Code.FRONTLINE])
    contact = Contact.objects.get(organisation=slt, name="Prosjektmedarbeider")
    client.force_login(demo["trd-admin"])
    client.post(
        reverse("admin:partners_contact_change", args=[contact.pk]),
        _contact_form(contact, user=frontline.pk),
    )
    contact.refresh_from_db()
    assert contact.user_id is None


def _rule_form(**fields) -> dict:
    data = {
        "name": "Angrep",
        "order": 99,
        "mode": RoutingRule.Mode.ALSO,
        "is_active": "on",
        "target": RoutingRule.Target.SPECIFIC_CONTACT,
    }
    data.update(fields)
    return data


def test_a_registry_admin_cannot_route_to_another_municipalitys_contact(client, demo):
    trondheim = Municipality.objects.get(code="trondheim")
    info_huset = Contact.objects.get(organisation__slug="info-huset")
    client.force_login(demo["trd-admin"])
    client.post(
        reverse("admin:concerns_routingrule_add"),
        _rule_form(municipality=trondheim.pk, target_contact=info_huset.pk),
    )
    assert not RoutingRule.objects.filter(name="Angrep").exists()


def test_a_registry_admin_cannot_make_a_rule_for_another_or_every_municipality(client, demo):
    aalborg = Municipality.objects.get(code="aalborg")
    slt_contact = Contact.objects.get(organisation__slug="slt", name="SLT-koordinator")
    client.force_login(demo["trd-admin"])
    for municipality in (aalborg.pk, ""):
        client.post(
            reverse("admin:concerns_routingrule_add"),
            _rule_form(municipality=municipality, target_contact=slt_contact.pk),
        )
    assert not RoutingRule.objects.filter(name="Angrep").exists()


def test_routing_checks_a_specific_contact_again_when_it_runs(demo):
    """A rule saved when the contact still served the municipality, run after it stopped."""
    trondheim = Municipality.objects.get(code="trondheim")
    police = Contact.objects.get(name="Radikaliseringskontakt")
    rule = RoutingRule.objects.create(
        name="Alle → politiet",
        order=5,
        mode=RoutingRule.Mode.ALSO,
        municipality=trondheim,
        target=RoutingRule.Target.SPECIFIC_CONTACT,
        target_contact=police,
    )
    police.organisation.municipalities.remove(trondheim)
    concern = _file("uteseksjonen")
    assert not concern.routing_decisions.filter(rule=rule).exists()
    assert not handler_concerns_for(demo["trd-police"]).filter(pk=concern.pk).exists()


def test_no_registry_edit_gives_the_registry_admin_a_case(client, demo):
    """Even a contact linked to them by someone else hands them nothing: they hold no case role."""
    admin_user = demo["trd-admin"]
    own_org_contact = Contact.objects.create(
        organisation=admin_user.organisation,
        role=Contact.Role.COORDINATOR,
        name="Snarvei",
        user=admin_user,  # written past every form, as an attacker with DB access would
    )
    RoutingRule.objects.create(
        name="Alt → snarvei",
        order=1,
        mode=RoutingRule.Mode.ALSO,
        municipality=Municipality.objects.get(code="trondheim"),
        target=RoutingRule.Target.SPECIFIC_CONTACT,
        target_contact=own_org_contact,
    )
    concern = _file("uteseksjonen", observations="Noe bare saksbehandlere skal lese.")

    assert not ConcernUserObjectPermission.objects.filter(user=admin_user).exists()
    client.force_login(admin_user)
    response = client.get(reverse("concerns:detail", args=[concern.public_id]))
    assert response.status_code == 404
    assert "Noe bare saksbehandlere" not in response.content.decode()


def _police_rule() -> RoutingRule:
    return RoutingRule.objects.get(name__startswith="Trondheim: akutt")


def test_switching_a_rule_off_takes_back_the_access_it_gave(demo):
    police = demo["trd-police"]
    concern = _file("uteseksjonen", urgency=Concern.Urgency.ACUTE)
    assert handler_concerns_for(police).filter(pk=concern.pk).exists()

    rule = _police_rule()
    rule.is_active = False
    routing_rule_save(rule=rule, actor=demo["platform-admin"])

    assert not handler_concerns_for(police).filter(pk=concern.pk).exists()
    decision = concern.routing_decisions.get(rule=rule)
    assert decision.withdrawn_at is not None
    revoked = concern.events.get(kind=CaseEvent.Kind.ACCESS_REVOKED)
    assert revoked.data["reason"] == "rule_changed"
    assert revoked.actor == demo["platform-admin"]


def test_changing_a_rule_so_the_case_no_longer_matches_takes_access_back(demo):
    police = demo["trd-police"]
    concern = _file("uteseksjonen", urgency=Concern.Urgency.ACUTE)
    rule = _police_rule()
    rule.urgency = Concern.Urgency.HIGH
    routing_rule_save(rule=rule, actor=demo["trd-admin"])
    assert not handler_concerns_for(police).filter(pk=concern.pk).exists()


def test_a_rule_change_that_still_matches_leaves_access_alone(demo):
    police = demo["trd-police"]
    concern = _file("uteseksjonen", urgency=Concern.Urgency.ACUTE)
    rule = _police_rule()
    rule.name = "Trondheim: akutt → politiet (nytt navn)"
    routing_rule_save(rule=rule, actor=demo["trd-admin"])
    assert handler_concerns_for(police).filter(pk=concern.pk).exists()
    assert concern.routing_decisions.get(rule=rule).withdrawn_at is None


def test_an_explicit_assignment_outlives_the_rule(demo):
    police = demo["trd-police"]
    concern = _file("uteseksjonen", urgency=Concern.Urgency.ACUTE)
    concern_assign(
        concern=concern,
        assignee=Contact.objects.get(name="Radikaliseringskontakt"),
        actor=demo["trd-coordinator"],
        reason="Politiet følger opp.",
    )
    rule = _police_rule()
    rule.is_active = False
    routing_rule_save(rule=rule, actor=demo["trd-admin"])
    assert handler_concerns_for(police).filter(pk=concern.pk).exists()


def test_a_registry_admin_cannot_set_passwords_or_roles_or_touch_their_own_account(client, demo):
    admin_user = demo["trd-admin"]
    frontline = demo["trd-frontline"]
    client.force_login(admin_user)
    password_page = reverse("admin:auth_user_password_change", args=[frontline.pk])
    assert client.get(password_page).status_code == 404
    old_hash = frontline.password
    client.post(
        password_page, {"password1": "Nytt-passord-2026!", "password2": "Nytt-passord-2026!"}
    )
    frontline.refresh_from_db()
    assert frontline.password == old_hash
    coordinator_role = frontline.roles.model.objects.get(code=Role.Code.COORDINATOR)
    client.post(
        reverse("admin:partners_user_change", args=[frontline.pk]),
        {
            "username": frontline.username,
            "first_name": "Frida",
            "last_name": "Frontlinje (demo)",
            "email": frontline.email,
            "is_active": "on",
            "roles": [coordinator_role.pk],
        },
    )
    assert not frontline.roles.filter(code=Role.Code.COORDINATOR).exists()

    client.post(
        reverse("admin:partners_user_change", args=[admin_user.pk]),
        {"username": admin_user.username, "first_name": "Hacker", "is_active": "on"},
    )
    admin_user.refresh_from_db()
    assert admin_user.first_name != "Hacker"


def test_a_registry_admin_may_switch_an_account_off_but_not_back_on(client, demo):
    frontline = demo["trd-frontline"]
    url = reverse("admin:partners_user_change", args=[frontline.pk])
    form = {
        "username": frontline.username,
        "first_name": frontline.first_name,
        "last_name": frontline.last_name,
        "email": frontline.email,
    }
    client.force_login(demo["trd-admin"])
    client.post(url, form)  # is_active unticked
    frontline.refresh_from_db()
    assert not frontline.is_active
    client.post(url, {**form, "is_active": "on"})
    frontline.refresh_from_db()
    assert not frontline.is_active
