"""One small world for the adversarial tests: a case in Trondheim and everyone who must not see it.

The case was filed by alice (a school), is handled by a coordinator who
holds a grant, has a checklist task, a referral sent to NAV and a
notification. The attackers:

- bob: alice's colleague in the same organisation;
- charlie: another organisation in the same municipality;
- dana: another municipality;
- the Trondheim registry admin;
- a user who holds every model-wide permission on the case models (the
  `accept_global_perms` trap: a model permission must never open an object).
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from concerns.models import (
    Attachment,
    ChecklistTask,
    Concern,
    Notification,
    NotificationKind,
    Reminder,
)
from concerns.permissions import GrantReason, grant_case_access
from measures.models import ActionCard
from mentoring.models import Corps, CorpsMember, Mentorship
from mentoring.services import mentorship_propose
from partners.models import Contact, Organisation, Role, User
from referrals.models import Handover, Referral, Transfer
from referrals.services import ReferralDetails, referral_create, referral_send
from referrals.transfers.services import (
    HandoverDetails,
    TransferDetails,
    handover_record,
    transfer_send,
)
from tests.factories import (
    ConcernFactory,
    ContactFactory,
    MunicipalityFactory,
    OrganisationFactory,
    UserFactory,
)


@dataclass
class World:
    case: Concern
    reporter: User
    coordinator: User
    nav_worker: User
    task: ChecklistTask
    referral: Referral
    notification: Notification
    mentorship: Mentorship
    attachment: Attachment
    attackers: dict[str, User]
    # The case sent to Malvik's coordinators, and handed over outside the system.
    transfer: Transfer | None = None
    handover: Handover | None = None


@pytest.fixture
def world(people, trondheim, legal_bases) -> World:
    slt = OrganisationFactory(slug="slt-test", name="SLT (test)", municipalities=[trondheim])
    coordinator = UserFactory(
        username="koordinator", organisation=slt, roles=[Role.Code.COORDINATOR]
    )
    contact = ContactFactory(
        organisation=slt, role=Contact.Role.COORDINATOR, name="SLT-koordinator", user=coordinator
    )
    nav = OrganisationFactory(
        slug="nav-test", name="NAV (test)", kind=Organisation.Kind.STATE, municipalities=[trondheim]
    )
    nav_worker = UserFactory(username="nav", organisation=nav, roles=[Role.Code.FRONTLINE])
    case = ConcernFactory(
        reporter=people.alice,
        municipality=trondheim,
        status=Concern.Status.ASSIGNED,
        reference="BEK-2026-000900",
        submitted_at=timezone.now(),
        assignee=contact,
        observations="Hemmelig observasjon om en oppdiktet elev.",
    )
    grant_case_access(
        concern=case, user=coordinator, actor=coordinator, reason=GrantReason.ASSIGNED
    )
    card = ActionCard.objects.create(
        municipality=trondheim,
        code="trd-security-card",
        situation=ActionCard.Situation.RADICALISATION,
        age_band=ActionCard.AgeBand.UNDER_18,
        title_nb="Kort",
        title_da="Kort",
        title_en="Card",
    )
    task = ChecklistTask.objects.create(
        concern=case,
        card=card,
        order=1,
        text_nb="Ring koordinatoren",
        text_da="Ring koordinatoren",
        text_en="Call the coordinator",
        responsible="coordinator",
        due_at=timezone.now(),
    )
    referral = referral_create(
        concern=case,
        actor=coordinator,
        details=ReferralDetails(
            receiving_organisation=nav,
            receiving_contact=None,
            reason="Trenger arbeidstrening.",
            shared_information="Delt tekst til NAV.",
            legal_basis="consent",
            legal_basis_other="",
            response_due=timezone.localdate(),
        ),
    )
    referral_send(referral=referral, actor=coordinator)
    reminder = Reminder.objects.create(
        kind=NotificationKind.CONCERN_ASSIGNED,
        object_id=case.pk,
        occurrence="outbox",
        concern=case,
        due_at=timezone.now(),
        reference=case.reference,
        link=f"/concerns/{case.public_id}/",
    )
    notification = Notification.objects.create(user=coordinator, reminder=reminder)

    # A mentor proposed for the case, and another mentor of the same corps.
    mentors = [
        CorpsMember.objects.create(
            municipality=trondheim,
            corps=Corps.MENTOR,
            name=name,
            user=UserFactory(username=name, organisation=slt, roles=[Role.Code.MENTOR]),
        )
        for name in ("mentor", "annenmentor")
    ]
    mentorship = mentorship_propose(concern=case, mentor=mentors[0], actor=coordinator)

    # A file of the case, shared with the referral; its row is enough to be refused.
    attachment = Attachment.objects.create(
        concern=case,
        name="hemmelig.pdf",
        kind="pdf",
        size=9,
        sha256="0" * 64,
        stored_name="idor/hemmelig",
        uploaded_by=coordinator,
    )
    referral.shared_attachments.add(attachment)

    registry_admin = UserFactory(
        username="registeradmin",
        organisation=people.alice.organisation,
        roles=[Role.Code.REGISTRY_ADMIN],
        is_staff=True,
    )
    global_perms = UserFactory(
        username="modellrettigheter", organisation=people.charlie.organisation
    )
    global_perms.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["concerns", "referrals", "mentoring"],
        ).exclude(codename="break_glass")
    )
    # Sent to Malvik, whose coordinator is no attacker: every one of them must get 404.
    malvik = MunicipalityFactory(code="malvik", name="Malvik kommune")
    UserFactory(
        username="malvik-koordinator",
        organisation=OrganisationFactory(slug="slt-malvik-test", municipalities=[malvik]),
        roles=[Role.Code.COORDINATOR],
    )
    transfer = transfer_send(
        concern=case,
        actor=coordinator,
        details=TransferDetails(malvik, ["concern"], "consent", "", "Flyttet til Malvik."),
    )
    handover = handover_record(
        concern=case,
        actor=coordinator,
        details=HandoverDetails(
            "Barnevernet (oppdiktet)", "post", ["concern"], True, "consent", "", ""
        ),
    )
    return World(
        case=case,
        reporter=people.alice,
        coordinator=coordinator,
        nav_worker=nav_worker,
        task=task,
        referral=referral,
        notification=notification,
        mentorship=mentorship,
        attachment=attachment,
        transfer=transfer,
        handover=handover,
        attackers={
            "other_mentor": mentors[1].user,
            "colleague": people.bob,
            "other_organisation": people.charlie,
            "other_municipality": people.dana,
            "registry_admin": registry_admin,
            "model_wide_permissions": global_perms,
        },
    )
