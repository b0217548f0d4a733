"""Referrals for the benchmark's invented world (see concerns.bench): one in five concerns."""

import datetime
import uuid

from django.contrib.auth.models import Permission

from concerns.bench import BATCH, _keeping_given_dates
from concerns.models import ConcernGroupObjectPermission
from concerns.permissions import VIEW_REFERRED
from referrals.models import Referral


def seed(world) -> None:
    rng = world.rng
    permission = Permission.objects.get(content_type__app_label="concerns", codename=VIEW_REFERRED)
    referrals, grants = [], []
    for concern in world.concerns[::5]:
        organisations = world.organisations[concern.municipality_id][2:]
        receiver = rng.choice(organisations)
        live = concern.closed_at is None
        status = rng.choice(["sent", "accepted"]) if live else "completed"
        sent = concern.submitted_at + datetime.timedelta(days=2)
        response_due = sent.date() + datetime.timedelta(days=14)
        if live and status == "sent":
            # An open deadline: 1 % falls due now, the rest in the weeks ahead
            # (what was due before was answered or reminded long ago).
            today = world.now.date()
            if rng.random() < 0.01:
                response_due = today - datetime.timedelta(days=rng.randint(0, 2))
            else:
                response_due = today + datetime.timedelta(days=rng.randint(1, 30))
        referrals.append(
            Referral(
                public_id=uuid.uuid4(),
                concern=concern,
                receiving_organisation=receiver,
                reason="Oppfølging fra en samarbeidspartner.",
                shared_information="Navn og fødselsår; behov for oppfølging.",
                legal_basis="consent",
                response_due=response_due,
                status=status,
                created_by_id=concern.assignee.user_id,
                created_at=sent,
                updated_at=sent,
                sent_at=sent,
            )
        )
        if live:
            grants.append(
                ConcernGroupObjectPermission(
                    group=world.group_of[receiver.pk], permission=permission, content_object=concern
                )
            )
    with _keeping_given_dates(Referral):
        Referral.objects.bulk_create(referrals, batch_size=BATCH)
    ConcernGroupObjectPermission.objects.bulk_create(
        grants, batch_size=BATCH, ignore_conflicts=True
    )
    # The organisation that receives the most: the benchmark's "incoming referrals" case.
    counts: dict[int, int] = {}
    for referral in referrals:
        if referral.status in ("sent", "accepted"):
            counts[referral.receiving_organisation_id] = (
                counts.get(referral.receiving_organisation_id, 0) + 1
            )
    world.busiest_receiver = max(counts, key=counts.get) if counts else None
