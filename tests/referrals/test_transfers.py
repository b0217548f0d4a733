"""Handing a case on: to Malvik's coordinators on this system, and outside it as a PDF.

Who sees what at each state, and what each side can never open: the
receiving side reads the snapshot and nothing of the sending case; the
sending side learns the answer and nothing of the new case.
"""

import datetime
import itertools
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from concerns import reminders
from concerns.models import (
    AccessLog,
    ArchiveExport,
    Attachment,
    CaseEvent,
    ChecklistTask,
    Concern,
    JournalEntry,
    NotificationKind,
    OutboxMessage,
    Reminder,
    RetentionRun,
    RoutingDecision,
    Subject,
)
from concerns.permissions import GrantReason, grant_case_access
from concerns.records.documents import document_sections
from concerns.reminders import email_text
from concerns.retention import anonymise
from concerns.services import concern_add_note, concern_close, concern_reopen
from measures.models import ActionCard
from partners.models import Contact, Municipality, Role
from referrals.models import (
    DEFAULT_TRANSFER_PARTS,
    Handover,
    IllegalTransferTransition,
    Referral,
    Transfer,
    TransferPart,
)
from referrals.services import ReferralDetails, referral_create, referral_send
from referrals.transfers import pdf as transfer_pdf
from referrals.transfers.services import (
    HandoverDetails,
    TransferDetails,
    handover_record,
    handover_record_receipt,
    transfer_accept,
    transfer_decline,
    transfer_mark_viewed,
    transfer_resend,
    transfer_send,
    transfer_withdraw,
)
from tests.factories import (
    ConcernFactory,
    ContactFactory,
    MunicipalityFactory,
    OrganisationFactory,
    SubjectFactory,
    UserFactory,
)
from tests.test_query_counts import _queries

pytestmark = pytest.mark.django_db

S = Transfer.Status
LEGAL = {(source, target) for source, targets in Transfer.TRANSITIONS.items() for target in targets}
OBSERVATIONS = "Eleven har vist fram våpenbilder i friminuttet (oppdiktet)."
NOTE_TEXT = "Siri Koordinator snakket med skolen i forrige uke."


@pytest.mark.parametrize(("source", "target"), sorted(LEGAL))
def test_legal_transfer_moves(source, target):
    transfer = Transfer(status=source)
    assert transfer.transition_to(target) == source
    assert transfer.status == target


@pytest.mark.parametrize(
    ("source", "target"),
    [pair for pair in itertools.product(S.values, S.values) if pair not in LEGAL],
)
def test_illegal_transfer_moves_raise(source, target):
    transfer = Transfer(status=source)
    with pytest.raises(IllegalTransferTransition):
        transfer.transition_to(target)
    assert transfer.status == source


def test_a_transfer_is_answered_only_after_it_was_opened_and_never_reopened():
    assert S.ACCEPTED not in Transfer.TRANSITIONS[S.SENT]
    assert S.DECLINED not in Transfer.TRANSITIONS[S.SENT]
    for ended in (S.ACCEPTED, S.DECLINED, S.WITHDRAWN, S.ENDED):
        assert Transfer.TRANSITIONS[ended] == frozenset()


# --- the world: a case in Trondheim, Malvik next door, and a third municipality ------


@pytest.fixture
def scene(people, trondheim, legal_bases):
    malvik = MunicipalityFactory(code="malvik", name="Malvik kommune")
    fjellvik = MunicipalityFactory(code="fjellvik", name="Fjellvik kommune (oppdiktet)")
    slt = OrganisationFactory(slug="slt-t", name="SLT (test)", municipalities=[trondheim])
    sender = UserFactory(
        username="siri",
        first_name="Siri",
        last_name="Koordinator",
        organisation=slt,
        roles=[Role.Code.COORDINATOR],
    )
    sender_contact = ContactFactory(
        organisation=slt, role=Contact.Role.COORDINATOR, name="SLT-koordinator", user=sender
    )
    malvik_slt = OrganisationFactory(
        slug="slt-m", name="SLT Malvik (test)", municipalities=[malvik]
    )
    receiver = UserFactory(
        username="marit",
        first_name="Marit",
        last_name="Mottaker",
        organisation=malvik_slt,
        roles=[Role.Code.COORDINATOR],
    )
    receiver_contact = ContactFactory(
        organisation=malvik_slt, role=Contact.Role.COORDINATOR, name="Koordinator", user=receiver
    )
    malvik_school = OrganisationFactory(slug="skole-m", municipalities=[malvik])
    malvik_frontline = UserFactory(
        username="malvik-laerer", organisation=malvik_school, roles=[Role.Code.FRONTLINE]
    )
    malvik_resource = UserFactory(
        username="malvik-ressurs", organisation=malvik_school, roles=[Role.Code.RESOURCE_PERSON]
    )
    third = UserFactory(
        username="fjellvik-koordinator",
        organisation=OrganisationFactory(slug="slt-f", municipalities=[fjellvik]),
        roles=[Role.Code.COORDINATOR],
    )
    ContactFactory(
        organisation=third.organisation, role=Contact.Role.COORDINATOR, user=third, name="K"
    )
    aalborg_coordinator = UserFactory(
        username="aal-k",
        organisation=people.dana.organisation,
        roles=[Role.Code.COORDINATOR],
    )
    police = UserFactory(
        username="politi",
        organisation=OrganisationFactory(slug="politi-t", municipalities=[trondheim]),
        roles=[Role.Code.POLICE_CONTACT],
    )
    concern = ConcernFactory(
        reporter=people.alice,
        municipality=trondheim,
        status=Concern.Status.IN_FOLLOW_UP,
        reference="BEK-2026-000123",
        submitted_at=timezone.now() - datetime.timedelta(days=3),
        assignee=sender_contact,
        observations=OBSERVATIONS,
        subject=SubjectFactory(
            municipality=trondheim,
            name="Oppdiktet Flytter",
            birth_year=2010,
            school_or_workplace="Oppdiktet ungdomsskole",
            created_by=people.alice,
        ),
    )
    grant_case_access(concern=concern, user=police, actor=sender, reason=GrantReason.ROUTED)
    card = ActionCard.objects.create(
        municipality=trondheim,
        code="trd-transfer-card",
        situation=ActionCard.Situation.RADICALISATION,
        age_band=ActionCard.AgeBand.UNDER_18,
        title_nb="Kort",
        title_da="Kort",
        title_en="Card",
    )
    open_task = ChecklistTask.objects.create(
        concern=concern,
        card=card,
        order=1,
        text_nb="Snakk med foreldrene",
        text_da="Tal med forældrene",
        text_en="Talk to the parents",
        responsible="coordinator",
        due_at=timezone.now() + datetime.timedelta(days=2),
    )
    ChecklistTask.objects.create(
        concern=concern,
        card=card,
        order=2,
        text_nb="Ferdig oppgave",
        text_da="Færdig opgave",
        text_en="Finished task",
        responsible="coordinator",
        due_at=timezone.now(),
        done_at=timezone.now(),
        done_by=sender,
    )
    concern_add_note(concern=concern, actor=sender, text=NOTE_TEXT)
    attachment = Attachment.objects.create(
        concern=concern,
        name="skjermbilde.png",
        kind="png",
        size=9,
        sha256="0" * 64,
        stored_name="transfer/skjermbilde",
        uploaded_by=sender,
    )
    return {
        "trondheim": trondheim,
        "malvik": malvik,
        "sender": sender,
        "receiver": receiver,
        "receiver_contact": receiver_contact,
        "malvik_frontline": malvik_frontline,
        "malvik_resource": malvik_resource,
        "third": third,
        "aalborg_coordinator": aalborg_coordinator,
        "police": police,
        "reporter": people.alice,
        "concern": concern,
        "open_task": open_task,
        "attachment": attachment,
    }


def _send(scene, parts=DEFAULT_TRANSFER_PARTS, **overrides) -> Transfer:
    details = {
        "receiving_municipality": scene["malvik"],
        "parts": list(parts),
        "legal_basis": "other",
        "legal_basis_other": "Personen har flyttet; saken følger bostedet.",
        "note": "Personen har flyttet til Malvik.",
    }
    details.update(overrides)
    return transfer_send(
        concern=scene["concern"], actor=scene["sender"], details=TransferDetails(**details)
    )


def _status(client, user, url) -> int:
    client.force_login(user)
    return client.get(url).status_code


def _preview(transfer) -> str:
    return reverse("referrals:transfer", args=[transfer.public_id])


# --- what goes --------------------------------------------------------------------


def test_the_default_snapshot_holds_the_minimum_and_nothing_else(scene):
    transfer = _send(scene)
    snapshot = transfer.snapshot
    assert set(snapshot) == {"version", "made_at", "parts", "from", "case", "person"} | {
        "concern",
        "outcome",
        "tasks",
    }
    assert snapshot["person"]["name"] == "Oppdiktet Flytter"
    assert snapshot["concern"]["observations"] == OBSERVATIONS
    assert snapshot["case"]["phenomenon"] == scene["concern"].phenomenon.code  # a code, not words
    assert snapshot["outcome"]["status"] == Concern.Status.IN_FOLLOW_UP
    assert [task["text"]["en"] for task in snapshot["tasks"]] == ["Talk to the parents"]
    written = json.dumps(snapshot)
    assert NOTE_TEXT not in written  # the timeline was not chosen
    assert "skjermbilde.png" not in written  # nor the attachments
    assert "national_id" not in written


def test_observations_not_chosen_are_not_in_the_snapshot(scene):
    transfer = _send(scene, parts=[TransferPart.OUTCOME])
    assert transfer.snapshot["parts"] == [TransferPart.OUTCOME]
    assert "concern" not in transfer.snapshot and "tasks" not in transfer.snapshot
    assert OBSERVATIONS not in json.dumps(transfer.snapshot)


def test_every_part_chosen_goes_including_the_persons_other_concerns(scene):
    other = ConcernFactory(
        reporter=scene["reporter"],
        municipality=scene["trondheim"],
        status=Concern.Status.CLOSED,
        reference="BEK-2025-000009",
        submitted_at=timezone.now() - datetime.timedelta(days=300),
        subject=scene["concern"].subject,
        observations="En eldre bekymring (oppdiktet).",
    )
    transfer = _send(scene, parts=TransferPart.values)
    snapshot = transfer.snapshot
    assert [entry["reference"] for entry in snapshot["chronology"]] == [other.reference]
    assert [file["name"] for file in snapshot["attachments"]] == ["skjermbilde.png"]
    notes = [entry for entry in snapshot["timeline"] if entry["kind"] == CaseEvent.Kind.NOTE]
    assert notes[0]["text"] == NOTE_TEXT
    assert notes[0]["actor"] == {
        "name": "Siri Koordinator",
        "role": "coordinator",
        "organisation": "SLT (test)",
    }


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"note": "  "}, "note"),
        ({"legal_basis": "duty_to_notify_children"}, "legal basis"),
        ({"legal_basis": "other", "legal_basis_other": ""}, "other legal basis"),
        ({"parts": ["concern", "everything"]}, "parts"),
    ],
)
def test_bad_input_sends_nothing(scene, overrides, message):
    with pytest.raises(ValidationError):
        _send(scene, **overrides)
    assert not Transfer.objects.exists(), message
    assert not OutboxMessage.objects.filter(kind=NotificationKind.TRANSFER_RECEIVED).exists()


def test_only_another_municipality_of_the_same_country_with_a_coordinator_receives(scene, aalborg):
    for municipality in (
        scene["trondheim"],  # its own
        aalborg,  # abroad
        MunicipalityFactory(code="tom", name="Uten koordinator (oppdiktet)"),
    ):
        with pytest.raises(ValidationError):
            _send(scene, receiving_municipality=municipality)
    assert not Transfer.objects.exists()


def test_only_the_cases_coordinator_sends_and_only_one_at_a_time(scene):
    with pytest.raises(PermissionDenied):
        transfer_send(
            concern=scene["concern"],
            actor=scene["police"],  # holds the case, but is no coordinator of Trondheim
            details=TransferDetails(scene["malvik"], [], "other", "Flyttet", "Notat"),
        )
    _send(scene)
    with pytest.raises(ValidationError):
        _send(scene)
    assert Transfer.objects.count() == 1


# --- the states, and who sees what at each ------------------------------------------


def test_who_sees_a_sent_transfer(client, scene):
    transfer = _send(scene)
    url = _preview(transfer)
    for outsider in (
        "malvik_frontline",
        "malvik_resource",
        "third",
        "aalborg_coordinator",
        "reporter",
    ):
        assert _status(client, scene[outsider], url) == 404, outsider
        listed = client.get(reverse("referrals:transfer_incoming")).content.decode()
        assert transfer.reference not in listed, outsider
    transfer.refresh_from_db()
    assert transfer.status == S.SENT  # nobody above marked it viewed
    assert _status(client, scene["sender"], url) == 200  # the sender's own record
    assert _status(client, scene["police"], url) == 200  # a handler of the case reads it too


def test_the_first_opening_by_a_receiving_coordinator_marks_it_viewed(client, scene):
    transfer = _send(scene)
    client.force_login(scene["receiver"])
    listed = client.get(reverse("referrals:transfer_incoming")).content.decode()
    assert transfer.reference in listed and "Oppdiktet Flytter" in listed
    page = client.get(_preview(transfer)).content.decode()
    assert OBSERVATIONS in page and "Oppdiktet Flytter" in page
    assert "Talk to the parents" in page or "Snakk med foreldrene" in page
    assert NOTE_TEXT not in page  # the timeline was not sent
    assert str(scene["concern"].public_id) not in page  # no way into the sending case
    transfer.refresh_from_db()
    assert transfer.status == S.VIEWED
    assert transfer.viewed_by == scene["receiver"]
    viewed_at = transfer.viewed_at
    client.get(_preview(transfer))
    transfer.refresh_from_db()
    assert transfer.viewed_at == viewed_at  # only the first opening counts
    event = scene["concern"].events.get(kind=CaseEvent.Kind.TRANSFER, data__what="viewed")
    assert event.actor == scene["receiver"]
    log = AccessLog.objects.filter(concern=scene["concern"], user=scene["receiver"])
    assert log.count() == 2
    assert set(log.values_list("view", "purpose")) == {
        ("transfer", AccessLog.Purpose.TRANSFER_RECEIVER)
    }


def test_the_receiver_never_opens_the_sending_case(client, scene):
    transfer = _send(scene, parts=TransferPart.values)
    concern = scene["concern"]
    closed_urls = [
        reverse("concerns:detail", args=[concern.public_id]),
        reverse("concerns:history", args=[concern.public_id]),
        reverse("concerns:access_log", args=[concern.public_id]),
        reverse("concerns:chronology", args=[concern.subject.public_id]),
        reverse("concerns:attachment", args=[concern.public_id, scene["attachment"].public_id]),
    ]

    def all_shut():
        for url in closed_urls:
            assert _status(client, scene["receiver"], url) == 404, url

    all_shut()
    transfer_mark_viewed(transfer=transfer, actor=scene["receiver"])
    all_shut()
    transfer_accept(transfer=transfer, actor=scene["receiver"])
    all_shut()
    # What was sent stays readable to her, with the files listed and not opened.
    page = client.get(_preview(transfer)).content.decode()
    assert "skjermbilde.png" in page
    assert scene["attachment"].public_id.hex not in page.replace("-", "")


def test_accepting_files_a_linked_case_in_malvik_and_closes_the_old_one_as_transferred(
    client, scene
):
    concern = scene["concern"]
    nav = OrganisationFactory(slug="nav-t", kind="state", municipalities=[scene["trondheim"]])
    referral = referral_create(
        concern=concern,
        actor=scene["sender"],
        details=ReferralDetails(
            receiving_organisation=nav,
            receiving_contact=None,
            reason="Arbeid.",
            shared_information="Delt.",
            legal_basis="consent",
            legal_basis_other="",
            response_due=timezone.localdate() + datetime.timedelta(days=7),
        ),
    )
    referral_send(referral=referral, actor=scene["sender"])
    transfer = _send(scene)
    with pytest.raises(IllegalTransferTransition):  # not opened yet
        transfer_accept(transfer=transfer, actor=scene["receiver"])
    with pytest.raises(PermissionDenied):
        transfer_accept(transfer=transfer, actor=scene["third"])
    transfer_mark_viewed(transfer=transfer, actor=scene["receiver"])

    created = transfer_accept(transfer=transfer, actor=scene["receiver"])

    transfer.refresh_from_db()
    concern.refresh_from_db()
    assert transfer.status == S.ACCEPTED and transfer.created_concern == created
    assert transfer.answered_by == scene["receiver"]
    # A case of Malvik's own, filed through the services: number, routing, deadline.
    assert created.municipality == scene["malvik"]
    assert created.reference.startswith("BEK-") and created.reference != concern.reference
    assert created.status == Concern.Status.SUBMITTED
    assert created.observations == OBSERVATIONS
    assert created.follow_up_on is not None and created.follow_up_basis
    assert RoutingDecision.objects.get(concern=created).contact == scene["receiver_contact"]
    assert created.subject != concern.subject
    assert created.subject.municipality == scene["malvik"]
    assert (created.subject.name, created.subject.birth_year) == ("Oppdiktet Flytter", 2010)
    assert created.subject.district is None and created.subject.national_id == ""
    received = created.events.get(kind=CaseEvent.Kind.TRANSFER)
    assert received.data["what"] == "received" and received.data["reference"] == concern.reference
    # One incoming document: the transfer (not also a concern report from Malvik itself).
    assert list(
        created.journal_entries.values_list("document_kind", "direction", "correspondent")
    ) == [
        (
            JournalEntry.DocumentKind.TRANSFER,
            JournalEntry.Direction.INCOMING,
            "Trondheim kommune",
        )
    ]

    # The old case: closed as transferred, its referral ended, the receipt on its timeline.
    assert concern.status == Concern.Status.CLOSED
    assert concern.outcome == Concern.Outcome.TRANSFERRED
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ENDED
    receipt = concern.events.get(kind=CaseEvent.Kind.TRANSFER, data__what="accepted")
    assert receipt.data["by"] == "Marit Mottaker"
    assert receipt.data["reference"] == created.reference
    outgoing = concern.journal_entries.filter(document_kind=JournalEntry.DocumentKind.TRANSFER)
    assert set(outgoing.values_list("direction", "correspondent")) == {
        (JournalEntry.Direction.OUTGOING, "Malvik kommune"),
        (JournalEntry.Direction.INCOMING, "Malvik kommune"),
    }
    told = OutboxMessage.objects.get(kind=NotificationKind.TRANSFER_ANSWERED)
    assert list(told.recipients.all()) == [scene["sender"]]

    client.force_login(scene["sender"])
    page = client.get(reverse("concerns:detail", args=[concern.public_id])).content.decode()
    with translation.override("nb"):
        transferred = str(Concern.Outcome.TRANSFERRED.label)
    assert transferred in page and "Marit Mottaker" in page and created.reference in page
    # The sender never opens the new case, nor its person.
    for url in (
        reverse("concerns:detail", args=[created.public_id]),
        reverse("concerns:chronology", args=[created.subject.public_id]),
    ):
        assert _status(client, scene["sender"], url) == 404
    # The receiver handles it, as any case of hers.
    assert (
        _status(client, scene["receiver"], reverse("concerns:detail", args=[created.public_id]))
        == 200
    )
    assert _status(client, scene["receiver"], _preview(transfer)) == 200
    assert _status(client, scene["third"], _preview(transfer)) == 404
    with pytest.raises(IllegalTransferTransition):
        transfer_decline(transfer=transfer, actor=scene["receiver"], reason="For sent")
    # It goes on in Malvik: reopening it here would make two cases of one.
    with pytest.raises(ValidationError):
        concern_reopen(concern=concern, actor=scene["sender"], reason="Flyttet tilbake?")


def test_observations_not_sent_leave_a_line_saying_so_in_the_new_case(scene):
    transfer = _send(scene, parts=[TransferPart.OUTCOME])
    transfer_mark_viewed(transfer=transfer, actor=scene["receiver"])
    created = transfer_accept(transfer=transfer, actor=scene["receiver"])
    assert OBSERVATIONS not in created.observations
    assert "BEK-2026-000123" in created.observations


def test_declining_needs_a_reason_keeps_the_case_open_and_shuts_the_preview(client, scene):
    transfer = _send(scene)
    transfer_mark_viewed(transfer=transfer, actor=scene["receiver"])
    with pytest.raises(ValidationError):
        transfer_decline(transfer=transfer, actor=scene["receiver"], reason="   ")
    transfer.refresh_from_db()
    assert transfer.status == S.VIEWED

    transfer_decline(
        transfer=transfer, actor=scene["receiver"], reason="Personen bor ikke i Malvik."
    )

    transfer.refresh_from_db()
    scene["concern"].refresh_from_db()
    assert transfer.status == S.DECLINED and transfer.created_concern is None
    assert scene["concern"].is_open
    assert _status(client, scene["receiver"], _preview(transfer)) == 404
    page = client.get(reverse("referrals:transfer_incoming")).content.decode()
    assert transfer.reference not in page
    client.force_login(scene["sender"])
    page = client.get(_preview(transfer)).content.decode()
    assert "Personen bor ikke i Malvik." in page
    told = OutboxMessage.objects.get(kind=NotificationKind.TRANSFER_ANSWERED)
    assert list(told.recipients.all()) == [scene["sender"]]
    # Never sent again: a new transfer is a new choice of what goes.
    with pytest.raises(ValidationError):
        transfer_resend(transfer=transfer, actor=scene["sender"])
    assert _send(scene).pk != transfer.pk


def test_resending_a_waiting_transfer_tells_them_again_and_is_recorded(scene):
    transfer = _send(scene)
    first_due = transfer.response_due
    transfer_mark_viewed(transfer=transfer, actor=scene["receiver"])
    with pytest.raises(PermissionDenied):
        transfer_resend(transfer=transfer, actor=scene["police"])

    transfer_resend(transfer=transfer, actor=scene["sender"])

    transfer.refresh_from_db()
    assert transfer.status == S.VIEWED and transfer.times_resent == 1
    assert transfer.response_due >= first_due
    assert OutboxMessage.objects.filter(kind=NotificationKind.TRANSFER_RECEIVED).count() == 2
    assert scene["concern"].events.filter(data__what="resent").count() == 1


def test_withdrawing_and_closing_the_case_shut_the_preview(client, scene):
    transfer = _send(scene)
    transfer_withdraw(transfer=transfer, actor=scene["sender"], reason="Feil kommune.")
    transfer.refresh_from_db()
    assert transfer.status == S.WITHDRAWN
    assert _status(client, scene["receiver"], _preview(transfer)) == 404

    second = _send(scene)
    concern_close(
        concern=scene["concern"],
        actor=scene["sender"],
        outcome=Concern.Outcome.ADVICE_GIVEN,
        reporter_message="Takk.",
    )
    second.refresh_from_db()
    assert second.status == S.ENDED
    assert _status(client, scene["receiver"], _preview(second)) == 404


def test_the_receivers_actions_need_the_receivers_side(client, scene):
    transfer = _send(scene)
    transfer_mark_viewed(transfer=transfer, actor=scene["receiver"])
    client.force_login(scene["sender"])
    url = reverse("referrals:transfer_action", args=[transfer.public_id, "accept"])
    assert client.post(url).status_code == 404
    client.force_login(scene["receiver"])
    url = reverse("referrals:transfer_action", args=[transfer.public_id, "withdraw"])
    assert client.post(url, {"reason": "x"}).status_code == 404
    url = reverse("referrals:transfer_action", args=[transfer.public_id, "decline"])
    response = client.post(url, {"reason": "Nei\x00"})
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == S.VIEWED  # a NUL byte changes nothing
    response = client.post(
        reverse("referrals:transfer_action", args=[transfer.public_id, "accept"])
    )
    transfer.refresh_from_db()
    assert response.url == reverse("concerns:detail", args=[transfer.created_concern.public_id])


def test_the_transfer_form_validates_on_the_server(client, scene):
    client.force_login(scene["sender"])
    url = reverse("referrals:transfer_new", args=[scene["concern"].public_id])
    assert client.get(url).status_code == 200
    base = {
        "receiving_municipality": scene["malvik"].pk,
        "parts": ["concern"],
        "legal_basis": "other",
        "legal_basis_other": "Flyttet",
        "note": "Flyttet til Malvik.",
    }
    for bad in (
        {"receiving_municipality": scene["trondheim"].pk},
        {"receiving_municipality": "x"},
        {"parts": ["everything"]},
        {"note": "Flyttet\x00"},
        {"legal_basis": "other", "legal_basis_other": ""},
    ):
        assert client.post(url, {**base, **bad}).status_code == 400, bad
    assert not Transfer.objects.exists()
    response = client.post(url, base)
    transfer = Transfer.objects.get()
    assert response.url == _preview(transfer)
    assert transfer.parts == ["concern"]
    # Someone who holds the case but coordinates nothing here does not get the form.
    assert _status(client, scene["police"], url) == 404


# --- notifications and the deadline -------------------------------------------------


def test_notifications_hold_a_reference_and_a_link_never_a_name(scene):
    transfer = _send(scene)
    reminders.process_outbox()
    transfer_mark_viewed(transfer=transfer, actor=scene["receiver"])
    transfer_decline(
        transfer=transfer, actor=scene["receiver"], reason="Oppdiktet Flytter bor ikke her."
    )
    reminders.process_outbox()
    received = Reminder.objects.get(kind=NotificationKind.TRANSFER_RECEIVED)
    answered = Reminder.objects.get(kind=NotificationKind.TRANSFER_ANSWERED)
    assert list(received.recipients.all()) == [scene["receiver"]]
    assert list(answered.recipients.all()) == [scene["sender"]]
    for reminder, reader in ((received, scene["receiver"]), (answered, scene["sender"])):
        assert reminder.reference == "BEK-2026-000123"
        assert reminder.link == _preview(transfer)
        subject, body = email_text(reminder, reader)
        for secret in ("Oppdiktet Flytter", OBSERVATIONS, "bor ikke her"):
            assert secret not in subject + body + json.dumps(reminder.data)
        assert "BEK-2026-000123" in subject


def test_an_unanswered_transfer_reminds_the_receiving_coordinators_once(scene):
    transfer = _send(scene)
    reminders.sweep(deliver=False)  # the notification of the transfer itself
    later = transfer.response_due + datetime.timedelta(hours=1)
    reminders.sweep(now=later - datetime.timedelta(hours=2), deliver=False)
    # The transfer's own notification is the outbox's; the deadline's is the one due.
    deadline = Reminder.objects.filter(
        kind=NotificationKind.TRANSFER_RECEIVED, object_id=transfer.pk
    ).exclude(occurrence="outbox")
    assert not deadline.exists()
    reminders.sweep(now=later, deliver=False)
    reminders.sweep(now=later, deliver=False)
    due = deadline.get()
    assert list(due.recipients.all()) == [scene["receiver"]]
    assert due.occurrence == timezone.localdate(transfer.response_due).isoformat()
    assert transfer.response_due_basis["unit"] == "working_days"


def test_an_answered_transfer_reminds_nobody(scene):
    transfer = _send(scene)
    transfer_mark_viewed(transfer=transfer, actor=scene["receiver"])
    transfer_decline(transfer=transfer, actor=scene["receiver"], reason="Nei.")
    later = transfer.response_due + datetime.timedelta(hours=1)
    reminders.sweep(now=later, deliver=False)
    assert (
        not Reminder.objects.filter(kind=NotificationKind.TRANSFER_RECEIVED, object_id=transfer.pk)
        .exclude(occurrence="outbox")
        .exists()
    )


def test_the_incoming_list_makes_the_same_queries_for_3_and_15_transfers(client, scene):
    def add(count):
        for n in range(count):
            concern = ConcernFactory(
                reporter=scene["reporter"],
                municipality=scene["trondheim"],
                status=Concern.Status.ASSIGNED,
                reference=f"BEK-2026-9{Transfer.objects.count():05d}",
                submitted_at=timezone.now(),
            )
            transfer = transfer_send(
                concern=concern,
                actor=scene["sender"],
                details=TransferDetails(scene["malvik"], ["concern"], "other", "Flyttet", f"{n}"),
            )
            if n % 2:
                transfer_mark_viewed(transfer=transfer, actor=scene["receiver"])

    url = reverse("referrals:transfer_incoming")
    add(3)
    few = _queries(client, scene["receiver"], url)
    add(12)
    more = _queries(client, scene["receiver"], url)
    assert more == few, f"{few} queries for 3 transfers, {more} for 15"


# --- a handover outside the system --------------------------------------------------


def _hand_over(scene, hide=True, parts=(TransferPart.CONCERN, TransferPart.OUTCOME, "timeline")):
    return handover_record(
        concern=scene["concern"],
        actor=scene["sender"],
        details=HandoverDetails(
            recipient="Barneverntjenesten i Fjellvik (oppdiktet)",
            channel=Handover.Channel.DIGITAL_MAIL,
            parts=list(parts),
            hide_staff_names=hide,
            legal_basis="other",
            legal_basis_other="Opplysningsplikt etter flytting.",
            note="Sendt etter avtale med Siri Koordinator.",
        ),
    )


@pytest.fixture
def pdf_text(monkeypatch):
    """The title, sections and footer the PDF was written from, as one text."""
    written = []
    real = transfer_pdf.document_pdf

    def capture(**kwargs):
        written.append(
            "\n".join([kwargs["title"], kwargs["footer"], *itertools.chain(*kwargs["sections"])])
        )
        return real(**kwargs)

    monkeypatch.setattr(transfer_pdf, "document_pdf", capture)
    return written


def test_the_pdf_with_staff_names_hidden_names_no_member_of_staff(client, scene, pdf_text):
    handover = _hand_over(scene, hide=True)
    client.force_login(scene["sender"])
    response = client.get(reverse("referrals:handover_pdf", args=[handover.public_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    (text,) = pdf_text
    for name in ("Siri Koordinator", "Siri", scene["reporter"].get_full_name()):
        assert name not in text, name
    assert "Oppdiktet Flytter" in text  # the person it is about keeps her name
    assert OBSERVATIONS in text
    with translation.override("nb"):
        assert str(Role.Code.COORDINATOR.label) in text  # she is written as her role
    assert AccessLog.objects.filter(
        concern=scene["concern"], user=scene["sender"], view="handover_pdf"
    ).exists()


def test_the_pdf_with_staff_names_shown_names_them(client, scene, pdf_text):
    handover = _hand_over(scene, hide=False)
    client.force_login(scene["sender"])
    client.get(reverse("referrals:handover_pdf", args=[handover.public_id]))
    (text,) = pdf_text
    assert "Siri Koordinator" in text


def test_a_handover_is_recorded_then_its_receipt_once(client, scene):
    handover = _hand_over(scene)
    event = scene["concern"].events.get(kind=CaseEvent.Kind.TRANSFER)
    assert event.data["what"] == "handed_over"
    assert (
        scene["concern"]
        .journal_entries.filter(
            document_kind=JournalEntry.DocumentKind.TRANSFER,
            direction=JournalEntry.Direction.OUTGOING,
            correspondent=handover.recipient,
        )
        .exists()
    )
    with pytest.raises(ValidationError):
        handover_record_receipt(
            handover=handover,
            actor=scene["sender"],
            received_by="Saksbehandler Oppdiktet",
            received_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    with pytest.raises(PermissionDenied):
        handover_record_receipt(
            handover=handover,
            actor=scene["receiver"],
            received_by="Saksbehandler Oppdiktet",
            received_on=timezone.localdate(),
        )
    handover_record_receipt(
        handover=handover,
        actor=scene["sender"],
        received_by="Saksbehandler Oppdiktet",
        received_on=timezone.localdate(),
    )
    handover.refresh_from_db()
    assert handover.status == Handover.Status.RECEIPT_RECORDED
    assert handover.receipt_recorded_by == scene["sender"]
    with pytest.raises(IllegalTransferTransition):
        handover_record_receipt(
            handover=handover,
            actor=scene["sender"],
            received_by="Noen andre",
            received_on=timezone.localdate(),
        )
    client.force_login(scene["sender"])
    page = client.get(reverse("concerns:detail", args=[scene["concern"].public_id]))
    assert "Saksbehandler Oppdiktet" in page.content.decode()


def test_handover_pages_are_the_cases_handlers_alone(client, scene):
    handover = _hand_over(scene)
    urls = [
        reverse("referrals:handover", args=[handover.public_id]),
        reverse("referrals:handover_pdf", args=[handover.public_id]),
    ]
    for user in ("receiver", "third", "reporter", "malvik_frontline"):
        for url in urls:
            assert _status(client, scene[user], url) == 404, (user, url)
    client.force_login(scene["receiver"])
    response = client.post(
        reverse("referrals:handover_receipt", args=[handover.public_id]),
        {"received_by": "x", "received_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 404
    assert _status(client, scene["sender"], urls[0]) == 200


def test_a_subject_copy_is_made_only_on_acceptance(scene):
    before = Subject.objects.count()
    transfer = _send(scene)
    transfer_mark_viewed(transfer=transfer, actor=scene["receiver"])
    assert Subject.objects.count() == before
    transfer_accept(transfer=transfer, actor=scene["receiver"])
    assert Subject.objects.count() == before + 1
    assert Municipality.objects.get(code="malvik").subjects.count() == 1


# --- the archive and retention ------------------------------------------------------


def test_the_archive_documents_print_what_was_sent_and_the_answers(scene):
    transfer = _send(scene)
    transfer_mark_viewed(transfer=transfer, actor=scene["receiver"])
    created = transfer_accept(transfer=transfer, actor=scene["receiver"])
    handover = _hand_over(scene, hide=True)
    entries = JournalEntry.objects.filter(document_kind=JournalEntry.DocumentKind.TRANSFER)
    with translation.override("en"):
        sent = "\n".join(
            text
            for entry in entries.filter(
                concern=scene["concern"], direction=JournalEntry.Direction.OUTGOING
            ).exclude(correspondent=handover.recipient)
            for section in document_sections(entry)
            for text in section
        )
        received = "\n".join(
            text for section in document_sections(entries.get(concern=created)) for text in section
        )
        answer = "\n".join(
            text
            for section in document_sections(
                entries.get(concern=scene["concern"], direction=JournalEntry.Direction.INCOMING)
            )
            for text in section
        )
        handed = "\n".join(
            text
            for section in document_sections(entries.get(correspondent=handover.recipient))
            for text in section
        )
    assert OBSERVATIONS in sent and "Oppdiktet Flytter" in sent
    assert OBSERVATIONS in received
    assert "Accepted, Marit Mottaker" in answer and OBSERVATIONS not in answer
    assert "Barneverntjenesten i Fjellvik" in handed and "Siri Koordinator" not in handed


def test_anonymising_a_case_blanks_what_its_transfers_and_handovers_sent(client, scene):
    declined = _send(scene)
    transfer_mark_viewed(transfer=declined, actor=scene["receiver"])
    transfer_decline(transfer=declined, actor=scene["receiver"], reason="Bor ikke her.")
    accepted = _send(scene)
    transfer_mark_viewed(transfer=accepted, actor=scene["receiver"])
    transfer_accept(transfer=accepted, actor=scene["receiver"])
    handover = _hand_over(scene)
    ArchiveExport.objects.filter(concern=scene["concern"]).update(
        status=ArchiveExport.Status.DELIVERED
    )

    anonymise(scene["concern"], RetentionRun.objects.create(started_at=timezone.now()))

    declined.refresh_from_db()
    handover.refresh_from_db()
    accepted.refresh_from_db()
    assert declined.snapshot == {} and declined.reason == "" and declined.note == ""
    assert handover.snapshot == {} and handover.note == ""
    for model, pk in ((Transfer, declined.pk), (Handover, handover.pk)):
        assert OBSERVATIONS not in json.dumps(
            list(model.history.filter(id=pk).values_list("snapshot", flat=True))
        )
    # The accepted one is Malvik's record of what came in: it stays for Malvik alone.
    assert accepted.snapshot["person"]["name"] == "Oppdiktet Flytter"
    client.force_login(scene["sender"])
    page = client.get(_preview(accepted)).content.decode()
    assert "Oppdiktet Flytter" not in page and 'data-testid="sent-anonymised"' in page
    assert client.get(reverse("referrals:handover", args=[handover.public_id])).status_code == 200
    pdf = client.get(reverse("referrals:handover_pdf", args=[handover.public_id]))
    assert pdf.status_code == 302
    client.force_login(scene["receiver"])
    assert "Oppdiktet Flytter" in client.get(_preview(accepted)).content.decode()
