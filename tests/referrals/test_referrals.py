import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from concerns.models import CaseEvent, Concern
from concerns.services import concern_close
from referrals.models import IllegalReferralTransition, Referral
from referrals.services import (
    referral_accept,
    referral_add_note,
    referral_complete,
    referral_decline,
    referral_send,
    referral_withdraw,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

S = Referral.Status
LEGAL = {(source, target) for source, targets in Referral.TRANSITIONS.items() for target in targets}


@pytest.mark.parametrize(("source", "target"), sorted(LEGAL))
def test_legal_referral_moves(source, target):
    referral = Referral(status=source)
    assert referral.transition_to(target) == source
    assert referral.status == target


@pytest.mark.parametrize(
    ("source", "target"),
    [pair for pair in itertools.product(S.values, S.values) if pair not in LEGAL],
)
def test_illegal_referral_moves_raise(source, target):
    referral = Referral(status=source)
    with pytest.raises(IllegalReferralTransition):
        referral.transition_to(target)
    assert referral.status == source


def _can_open(client, user, referral) -> bool:
    client.force_login(user)
    detail = client.get(reverse("referrals:detail", args=[referral.public_id]))
    listed = str(referral.public_id) in client.get(reverse("referrals:incoming")).content.decode()
    assert detail.status_code in (200, 404)
    assert listed == (detail.status_code == 200)
    return detail.status_code == 200


def test_sending_grants_the_receiving_organisation_access_to_what_is_shared(
    client, setting, draft_referral, people
):
    referral = draft_referral()
    assert not _can_open(client, setting["nav_worker"], referral)  # a draft is invisible

    referral_send(referral=referral, actor=setting["coordinator"])

    assert _can_open(client, setting["nav_worker"], referral)
    assert _can_open(
        client, setting["nav_colleague"], referral
    )  # the organisation's group, not one person
    page = client.get(reverse("referrals:detail", args=[referral.public_id])).content.decode()
    assert referral.shared_information in page
    assert setting["concern"].observations not in page  # only what the referral shares
    assert (
        client.get(reverse("concerns:detail", args=[setting["concern"].public_id])).status_code
        == 404
    )
    assert not _can_open(client, people.dana, referral)
    assert not _can_open(client, people.bob, referral)
    kinds = list(setting["concern"].events.values_list("kind", flat=True))
    assert CaseEvent.Kind.ACCESS_GRANTED in kinds and CaseEvent.Kind.REFERRAL in kinds


def test_a_new_colleague_at_the_receiving_organisation_sees_the_live_referral(
    client, setting, draft_referral
):
    referral = draft_referral()
    referral_send(referral=referral, actor=setting["coordinator"])
    newcomer = UserFactory(organisation=setting["nav"])
    assert _can_open(client, newcomer, referral)


@pytest.mark.parametrize("ending", ["decline", "withdraw"])
def test_decline_and_withdraw_take_access_back(client, setting, draft_referral, ending):
    referral = draft_referral()
    referral_send(referral=referral, actor=setting["coordinator"])
    assert _can_open(client, setting["nav_worker"], referral)

    if ending == "decline":
        referral_decline(
            referral=referral, actor=setting["nav_worker"], reason="Ikke vår målgruppe"
        )
    else:
        referral_withdraw(
            referral=referral, actor=setting["coordinator"], reason="Sendt til feil etat"
        )

    assert not _can_open(client, setting["nav_worker"], referral)
    assert setting["concern"].events.filter(kind=CaseEvent.Kind.ACCESS_REVOKED).exists()


def test_another_live_referral_to_the_same_organisation_keeps_access(
    client, setting, draft_referral
):
    first, second = draft_referral(), draft_referral(reason="Også behov for bolig")
    referral_send(referral=first, actor=setting["coordinator"])
    referral_send(referral=second, actor=setting["coordinator"])
    referral_decline(referral=first, actor=setting["nav_worker"], reason="Dekkes av den andre")
    assert _can_open(client, setting["nav_worker"], second)


def test_declining_a_second_referral_leaves_a_completed_one_readable(
    client, setting, draft_referral
):
    completed, second = draft_referral(), draft_referral(reason="Også behov for bolig")
    referral_send(referral=completed, actor=setting["coordinator"])
    referral_accept(referral=completed, actor=setting["nav_worker"])
    referral_complete(referral=completed, actor=setting["nav_worker"], outcome="Fikk jobb")
    referral_send(referral=second, actor=setting["coordinator"])
    referral_decline(referral=second, actor=setting["nav_worker"], reason="Ikke vårt ansvar")
    assert _can_open(client, setting["nav_worker"], completed)


def test_completion_keeps_access_while_the_case_is_open_and_closing_ends_it(
    client, setting, draft_referral
):
    referral = draft_referral()
    referral_send(referral=referral, actor=setting["coordinator"])
    referral_accept(referral=referral, actor=setting["nav_worker"])
    referral_add_note(
        referral=referral, actor=setting["nav_worker"], text="Første samtale gjennomført"
    )
    referral_complete(referral=referral, actor=setting["nav_worker"], outcome="I jobb på tiltak")
    assert _can_open(client, setting["nav_worker"], referral)

    concern_close(
        concern=setting["concern"],
        actor=setting["coordinator"],
        outcome=Concern.Outcome.REFERRED_TO_PARTNER,
    )

    assert not _can_open(client, setting["nav_worker"], referral)


def test_only_the_receiving_organisation_answers_and_only_the_referrer_withdraws(
    setting, draft_referral, people
):
    referral = draft_referral()
    referral_send(referral=referral, actor=setting["coordinator"])
    with pytest.raises(PermissionDenied):
        referral_accept(referral=referral, actor=setting["coordinator"])
    with pytest.raises(PermissionDenied):
        referral_withdraw(referral=referral, actor=setting["nav_worker"], reason="Nei")
    with pytest.raises(PermissionDenied):
        referral_decline(referral=referral, actor=people.dana, reason="Nei")
    referral.refresh_from_db()
    assert referral.status == S.SENT


def test_declining_needs_a_reason_and_other_legal_basis_needs_text(setting, draft_referral):
    referral = draft_referral()
    referral_send(referral=referral, actor=setting["coordinator"])
    with pytest.raises(ValidationError):
        referral_decline(referral=referral, actor=setting["nav_worker"], reason=" ")
    with pytest.raises(ValidationError):
        draft_referral(legal_basis="other", legal_basis_other="")
    assert Referral.objects.count() == 1


def test_the_referrer_sees_the_acceptance_on_the_case_timeline(client, setting, draft_referral):
    referral = draft_referral()
    referral_send(referral=referral, actor=setting["coordinator"])
    referral_accept(referral=referral, actor=setting["nav_worker"], reason="Vi tar den")
    client.force_login(setting["coordinator"])
    page = client.get(
        reverse("concerns:detail", args=[setting["concern"].public_id])
    ).content.decode()
    assert "NAV Test" in page and "Vi tar den" in page


def test_referral_pages_through_the_browser_flow(client, setting, trondheim):
    client.force_login(setting["coordinator"])
    response = client.post(
        reverse("referrals:new", args=[setting["concern"].public_id]),
        {
            "receiving_organisation": setting["nav"].pk,
            "reason": "Behov for arbeidsrettet oppfølging",
            "shared_information": "Navn og behov for oppfølging",
            "legal_basis": "consent",
            "response_due": "2099-01-01",
            "action": "send",
        },
    )
    referral = Referral.objects.get()
    assert response["Location"] == reverse("referrals:detail", args=[referral.public_id])
    assert referral.status == S.SENT

    client.force_login(setting["nav_worker"])
    client.post(reverse("referrals:action", args=[referral.public_id, "accept"]), {"reason": ""})
    referral.refresh_from_db()
    assert referral.status == S.ACCEPTED

    # The receiver cannot use the referrer's actions.
    assert (
        client.post(
            reverse("referrals:action", args=[referral.public_id, "withdraw"]), {"reason": "x"}
        ).status_code
        == 404
    )


def test_bad_referral_input_saves_nothing(client, setting):
    client.force_login(setting["coordinator"])
    response = client.post(
        reverse("referrals:new", args=[setting["concern"].public_id]),
        {
            "receiving_organisation": setting["nav"].pk,
            "reason": "",
            "shared_information": "x",
            "legal_basis": "other",
            "response_due": "2000-01-01",
        },
    )
    assert response.status_code == 200
    assert {"reason", "legal_basis_other", "response_due"} <= set(response.context["form"].errors)
    assert not Referral.objects.exists()


def test_outsiders_cannot_open_the_referral_form(client, setting, people):
    client.force_login(people.dana)
    assert (
        client.get(reverse("referrals:new", args=[setting["concern"].public_id])).status_code == 404
    )
