"""What a case reveals, and to whom: drafts, closed cases, referral pages and the admin."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from concerns.models import AccessLog, CaseEvent, Concern, Subject
from concerns.permissions import GrantReason, grant_case_access
from concerns.selectors import same_person_candidates
from concerns.services import concern_close
from partners.models import Role
from referrals.models import Referral
from referrals.permissions import referrals_for_receiver
from referrals.services import referral_accept
from tests.factories import ConcernFactory, SubjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def _draft_then_submit(client, alice, concern_form_data, **first):
    client.force_login(alice)
    client.post(reverse("concerns:new"), concern_form_data(action="draft", **first))
    draft = Concern.objects.get(reporter=alice)
    client.post(
        reverse("concerns:edit", args=[draft.public_id]),
        concern_form_data(action="submit", version=str(draft.version)),
    )
    draft.refresh_from_db()
    return draft


def test_a_name_removed_from_a_draft_never_reaches_the_handlers(
    client, people, trondheim, concern_form_data
):
    concern = _draft_then_submit(
        client,
        people.alice,
        concern_form_data,
        subject_name="Feilskrevet Navn",
        observations="Første utkast med et navn jeg fjernet: Ola Oppdiktet.",
    )
    assert not concern.is_draft
    coordinator = UserFactory(organisation=people.charlie.organisation, roles=["coordinator"])
    grant_case_access(
        concern=concern, user=coordinator, actor=coordinator, reason=GrantReason.ROUTED
    )
    client.force_login(coordinator)
    for page in ("concerns:detail", "concerns:history"):
        body = client.get(reverse(page, args=[concern.public_id])).content.decode()
        assert "Ola Oppdiktet" not in body, page
        assert "Feilskrevet Navn" not in body, page
    detail = client.get(reverse("concerns:detail", args=[concern.public_id])).content.decode()
    assert "Oppdiktet Elev" in detail  # the name as submitted


def test_saving_a_draft_again_keeps_one_person(client, people, concern_form_data):
    client.force_login(people.alice)
    client.post(reverse("concerns:new"), concern_form_data(action="draft"))
    draft = Concern.objects.get(reporter=people.alice)
    for n in range(3):
        client.post(
            reverse("concerns:edit", args=[draft.public_id]),
            concern_form_data(action="draft", subject_name=f"Navn {n}", version=str(draft.version)),
        )
        draft.refresh_from_db()
    assert Subject.objects.filter(created_by=people.alice).count() == 1
    assert draft.subject.name == "Navn 2"


def test_same_person_candidates_never_come_from_someone_elses_draft(people, trondheim):
    coordinator = UserFactory(organisation=people.charlie.organisation, roles=["coordinator"])
    case = ConcernFactory(
        reporter=people.alice,
        municipality=trondheim,
        status=Concern.Status.SUBMITTED,
        submitted_at=timezone.now(),
        subject=SubjectFactory(municipality=trondheim, name="Kari Oppdiktet", birth_year=2010),
    )
    in_a_draft = SubjectFactory(
        municipality=trondheim, name="Kari Utkast", birth_year=2010, created_by=people.bob
    )
    ConcernFactory(reporter=people.bob, municipality=trondheim, subject=in_a_draft)
    submitted = SubjectFactory(
        municipality=trondheim, name="Kari Innsendt", birth_year=2010, created_by=people.bob
    )
    ConcernFactory(
        reporter=people.bob,
        municipality=trondheim,
        subject=submitted,
        status=Concern.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    candidates = set(same_person_candidates(case, coordinator))
    assert submitted in candidates
    assert in_a_draft not in candidates


def test_closing_a_case_ends_every_open_referral_and_the_agencys_access(world):
    referral = world.referral
    referral_accept(referral=referral, actor=world.nav_worker)
    assert referrals_for_receiver(world.nav_worker).filter(pk=referral.pk).exists()

    concern_close(concern=world.case, actor=world.coordinator, outcome="referred_to_partner")

    referral.refresh_from_db()
    assert referral.status == Referral.Status.ENDED
    assert not referrals_for_receiver(world.nav_worker).filter(pk=referral.pk).exists()
    events = world.case.events.filter(kind=CaseEvent.Kind.REFERRAL, data__what="ended")
    assert events.count() == 1
    assert world.case.events.filter(kind=CaseEvent.Kind.ACCESS_REVOKED).exists()


def test_the_receiving_agency_cannot_add_notes_after_the_case_closes(client, world):
    concern_close(concern=world.case, actor=world.coordinator, outcome="advice_given")
    client.force_login(world.nav_worker)
    response = client.post(
        reverse("referrals:action", args=[world.referral.public_id, "note"]), {"text": "Hei"}
    )
    assert response.status_code == 404
    assert not world.referral.notes.exists()


def test_the_referral_page_writes_the_access_log_for_the_agency(client, world):
    client.force_login(world.nav_worker)
    response = client.get(reverse("referrals:detail", args=[world.referral.public_id]))
    assert response.status_code == 200
    entry = AccessLog.objects.get(concern=world.case, user=world.nav_worker)
    assert entry.purpose == AccessLog.Purpose.RECEIVER and entry.view == "referral"


def test_the_referral_page_applies_the_purpose_rule_for_handlers(client, world, people):
    """A coordinator who is not on the case states a purpose here as on the case page."""
    other_coordinator = UserFactory(organisation=people.charlie.organisation, roles=["coordinator"])
    client.force_login(other_coordinator)
    response = client.get(reverse("referrals:detail", args=[world.referral.public_id]))
    assert "concerns/purpose.html" in [template.name for template in response.templates]
    assert "Delt tekst til NAV" not in response.content.decode()


def test_model_wide_change_permission_opens_nothing_in_the_admin(client, world):
    staff = UserFactory(organisation=world.reporter.organisation, is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="concerns", codename__in=["view_concern", "change_concern"]
        )
    )
    client.force_login(staff)
    change = reverse("admin:concerns_concern_change", args=[world.case.pk])
    assert client.get(change).status_code in (302, 403, 404)
    client.post(change, {"status": "closed", "observations": "Overskrevet"})
    world.case.refresh_from_db()
    assert world.case.status != Concern.Status.CLOSED


def test_break_glass_asks_for_a_purpose_logs_it_and_changes_nothing(client, world):
    keeper = UserFactory(username="brannvakt", organisation=None, is_staff=True, roles=[])
    keeper.user_permissions.add(Permission.objects.get(codename="break_glass"))
    client.force_login(keeper)
    change = reverse("admin:concerns_concern_change", args=[world.case.pk])

    first = client.get(change)
    assert "Hemmelig observasjon" not in first.content.decode()
    client.post(change, {"reason": "Tilsynssak fra Datatilsynet, sak 2026/17."})
    opened = client.get(change)
    assert "Hemmelig observasjon" in opened.content.decode()
    entry = AccessLog.objects.get(concern=world.case, user=keeper)
    assert entry.purpose == AccessLog.Purpose.BREAK_GLASS
    assert "Datatilsynet" in entry.reason

    client.post(change, {"status": "closed", "observations": "Overskrevet"})
    world.case.refresh_from_db()
    assert world.case.status == Concern.Status.ASSIGNED
    assert world.case.observations == "Hemmelig observasjon om en oppdiktet elev."


def test_grants_go_only_to_case_handlers(world, people):
    assert not grant_case_access(
        concern=world.case, user=people.bob, actor=world.coordinator, reason=GrantReason.ASSIGNED
    )
    police = UserFactory(organisation=people.charlie.organisation, roles=[Role.Code.POLICE_CONTACT])
    assert grant_case_access(
        concern=world.case, user=police, actor=world.coordinator, reason=GrantReason.ASSIGNED
    )
