import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from concerns.models import AccessLog, AccessLogIsAppendOnly, Concern
from partners.models import Role
from tests.factories import ConcernFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(people):
    return ConcernFactory(
        reporter=people.alice,
        municipality=people.alice.organisation.municipalities.get(),
        status=Concern.Status.SUBMITTED,
        reference="BEK-2026-000001",
    )


@pytest.fixture
def coordinator(people):
    return UserFactory(organisation=people.charlie.organisation, roles=[Role.Code.COORDINATOR])


def test_every_view_of_the_case_page_writes_an_entry(client, people, case, coordinator):
    client.force_login(people.alice)
    client.get(reverse("concerns:detail", args=[case.public_id]))
    client.get(reverse("concerns:detail", args=[case.public_id]))

    client.force_login(coordinator)
    client.post(
        reverse("concerns:purpose", args=[case.public_id]), {"reason": "Triage av ny melding"}
    )
    client.get(reverse("concerns:detail", args=[case.public_id]), REMOTE_ADDR="10.1.2.3")
    client.get(reverse("concerns:history", args=[case.public_id]))
    client.get(reverse("concerns:access_log", args=[case.public_id]))

    entries = list(AccessLog.objects.order_by("at", "pk"))
    assert [(e.user, e.view, e.purpose) for e in entries] == [
        (people.alice, "detail", "reporter"),
        (people.alice, "detail", "reporter"),
        (coordinator, "detail", "stated"),
        (coordinator, "history", "stated"),
        (coordinator, "access_log", "stated"),
    ]
    assert entries[2].reason == "Triage av ny melding"
    assert entries[2].ip_address == "10.1.2.3"
    assert entries[2].organisation == coordinator.organisation
    assert all(entry.concern == case for entry in entries)


def test_nothing_is_logged_and_nothing_shown_before_a_purpose_is_stated(client, case, coordinator):
    client.force_login(coordinator)
    client.get(reverse("concerns:detail", args=[case.public_id]))
    assert not AccessLog.objects.exists()


def test_outsiders_leave_no_entry(client, people, case):
    client.force_login(people.dana)
    assert client.get(reverse("concerns:detail", args=[case.public_id])).status_code == 404
    assert not AccessLog.objects.exists()


def test_the_coordinator_sees_the_log_on_the_case(client, people, case, coordinator):
    client.force_login(people.alice)
    client.get(reverse("concerns:detail", args=[case.public_id]))
    client.force_login(coordinator)
    client.post(
        reverse("concerns:purpose", args=[case.public_id]), {"reason": "Kontroll av innsyn"}
    )
    page = client.get(reverse("concerns:access_log", args=[case.public_id])).content.decode()
    assert people.alice.get_full_name() in page


def test_entries_cannot_be_changed_or_deleted(people, case):
    entry = AccessLog.objects.create(
        concern=case, user=people.alice, view="detail", purpose="reporter"
    )
    entry.reason = "forfalsket"
    with pytest.raises(AccessLogIsAppendOnly):
        entry.save()
    with pytest.raises(AccessLogIsAppendOnly):
        entry.delete()
    assert AccessLog.objects.get().reason == ""


def test_the_admin_cannot_edit_or_delete_entries(people):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    request = RequestFactory().get("/")
    request.user = superuser
    admin = site._registry[AccessLog]
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request)
    assert not admin.has_delete_permission(request)
