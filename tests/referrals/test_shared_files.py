"""The receiving organisation opens the case's files the coordinator shared with the referral,
and no others."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from concerns.models import AccessLog, CaseEvent, Concern
from concerns.services import concern_add_note
from referrals.services import referral_send, referral_share_attachments
from tests import files
from tests.factories import ConcernFactory
from tests.files import checked

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def store(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "attachments")},
        },
    }


@pytest.fixture
def with_files(setting):
    note = concern_add_note(
        concern=setting["concern"],
        actor=setting["coordinator"],
        text="Skjermbilder fra skolen.",
        files=[checked("skjermbilde.png", files.PNG), checked("intern.txt", files.TXT)],
    )
    return {attachment.name: attachment for attachment in note.attachments.all()}


def _url(referral, attachment):
    return reverse("referrals:attachment", args=[referral.public_id, attachment.public_id])


def test_the_receiver_opens_a_file_only_once_it_is_shared(
    client, setting, draft_referral, with_files
):
    referral = draft_referral()
    referral_send(referral=referral, actor=setting["coordinator"])
    screenshot, internal = with_files["skjermbilde.png"], with_files["intern.txt"]
    client.force_login(setting["nav_worker"])
    assert client.get(_url(referral, screenshot)).status_code == 404
    page = client.get(reverse("referrals:detail", args=[referral.public_id])).content.decode()
    assert "skjermbilde.png" not in page

    referral_share_attachments(
        referral=referral, actor=setting["coordinator"], attachments=[screenshot]
    )
    page = client.get(reverse("referrals:detail", args=[referral.public_id])).content.decode()
    assert _url(referral, screenshot) in page and "intern.txt" not in page
    opened = client.get(_url(referral, screenshot))
    assert opened.status_code == 200
    assert b"".join(opened.streaming_content) == files.PNG
    assert AccessLog.objects.filter(
        user=setting["nav_worker"], view="attachment", purpose=AccessLog.Purpose.RECEIVER
    ).exists()
    # Not shared, not reachable, not even through the case's own file address.
    assert client.get(_url(referral, internal)).status_code == 404
    case_url = reverse(
        "concerns:attachment", args=[setting["concern"].public_id, screenshot.public_id]
    )
    assert client.get(case_url).status_code == 404
    assert (
        setting["concern"]
        .events.filter(kind=CaseEvent.Kind.REFERRAL, data__what="files_shared")
        .exists()
    )


def test_the_coordinator_shares_from_the_referral_page(client, setting, draft_referral, with_files):
    referral = draft_referral()
    client.force_login(setting["coordinator"])
    page = client.get(reverse("referrals:detail", args=[referral.public_id])).content.decode()
    assert 'name="shared_attachments"' in page
    response = client.post(
        reverse("referrals:files", args=[referral.public_id]),
        {"shared_attachments": [with_files["skjermbilde.png"].pk]},
    )
    assert response.status_code == 302
    assert list(referral.shared_attachments.all()) == [with_files["skjermbilde.png"]]


def test_the_receiver_cannot_choose_what_is_shared(client, setting, draft_referral, with_files):
    referral = draft_referral()
    referral_send(referral=referral, actor=setting["coordinator"])
    client.force_login(setting["nav_worker"])
    response = client.post(
        reverse("referrals:files", args=[referral.public_id]),
        {"shared_attachments": [attachment.pk for attachment in with_files.values()]},
    )
    assert response.status_code == 404
    assert not referral.shared_attachments.exists()


def test_a_file_of_another_case_cannot_be_shared(setting, draft_referral, people, trondheim):
    other = ConcernFactory(
        reporter=people.alice, municipality=trondheim, status=Concern.Status.ASSIGNED
    )
    note = concern_add_note(
        concern=other,
        actor=setting["coordinator"],
        text="Annen sak",
        files=[checked("annen.pdf", files.PDF)],
    )
    referral = draft_referral()
    with pytest.raises(ValidationError):
        referral_share_attachments(
            referral=referral, actor=setting["coordinator"], attachments=note.attachments.all()
        )
