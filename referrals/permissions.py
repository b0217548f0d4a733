"""Who may see and act on a referral, a case transfer and a handover.

The referring side is whoever handles the concern (concerns.permissions).
The receiving side is the receiving organisation's staff, through the
guardian group grant that sending gives and that decline, withdraw and
completion of a closed case take back. The incoming list and the referral
page both use referrals_for_receiver(), so they cannot drift apart.

A case transfer is read from its snapshot alone: the receiving municipality's
coordinators see it while it waits for them and once they have accepted it
(transfers_for_receiver), and nothing of the sending case, ever. The sending
side is whoever handles the case. Everyone else gets 404.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from concerns.models import ConcernGroupObjectPermission
from concerns.permissions import (
    VIEW_REFERRED,
    coordinated_municipality_ids,
    deny,
    handler_concerns_for,
)
from partners.models import Role, User
from referrals.models import Handover, Referral, Transfer

HANDLER = "handler"
RECEIVER = "receiver"

# A receiver keeps seeing a completed referral until the case is closed.
_RECEIVER_STATUSES = (Referral.Status.SENT, Referral.Status.ACCEPTED, Referral.Status.COMPLETED)


def referrals_for_receiver(user: User) -> QuerySet[Referral]:
    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return Referral.objects.none()
    # The organisation's group grant on the concern, as an EXISTS on the
    # direct-FK table: served by its unique index, never a scan of all grants.
    granted = ConcernGroupObjectPermission.objects.filter(
        content_object=OuterRef("concern"),
        group__user=user.pk,
        permission__codename=VIEW_REFERRED,
    )
    return Referral.objects.filter(
        receiving_organisation=user.organisation_id, status__in=_RECEIVER_STATUSES
    ).filter(Exists(granted))


def referrals_for_handler(user: User) -> QuerySet[Referral]:
    return Referral.objects.filter(concern__in=handler_concerns_for(user).values("pk"))


def get_referral_for_user_or_404(user: User, public_id) -> tuple[Referral, str]:
    """The referral and the side the user sees it from; 404 for anyone else."""
    related = ("concern__subject", "receiving_organisation", "receiving_contact", "created_by")
    for side, queryset in (
        (HANDLER, referrals_for_handler(user)),
        (RECEIVER, referrals_for_receiver(user)),
    ):
        try:
            return queryset.select_related(*related).get(public_id=public_id), side
        except (Referral.DoesNotExist, ValueError, ValidationError):
            continue
    if Referral.objects.filter(public_id=str(public_id)).exists():
        raise deny(user, f"referral {public_id}")
    raise Http404


def ensure_receiver(user: User, referral: Referral) -> None:
    if not referrals_for_receiver(user).filter(pk=referral.pk).exists():
        raise PermissionDenied(_("Only the receiving organisation can do this."))


def resource_persons_of(organisation_id: int) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            organisation=organisation_id,
            roles__code=Role.Code.RESOURCE_PERSON,
        ).distinct()
    )


def receivers_to_notify(
    referral: Referral, resource_persons: Callable[[int], list[User]] = resource_persons_of
) -> list[User]:
    """Who answers a referral: its named contact, or else the organisation's resource persons.

    `resource_persons` lets a sweep over many referrals ask once per organisation.
    """
    if referral.receiving_contact_id and referral.receiving_contact.user_id:
        user = referral.receiving_contact.user
        if user.is_active and user.organisation_id == referral.receiving_organisation_id:
            return [user]
    return resource_persons(referral.receiving_organisation_id)


# --- case transfers and handovers -----------------------------------------------------


def transfers_for_receiver(user: User) -> QuerySet[Transfer]:
    """Transfers to a municipality the user coordinates: the incoming list and the preview.

    Only coordinators: a municipality's other staff, and every other
    municipality's coordinators, never see a transfer. A declined or
    withdrawn one is shut again; an accepted one stays, as the record of what
    came with the new case.
    """
    municipalities = coordinated_municipality_ids(user)
    if not municipalities:
        return Transfer.objects.none()
    return Transfer.objects.filter(
        receiving_municipality__in=municipalities, status__in=Transfer.RECEIVER_STATUSES
    )


def transfers_for_sender(user: User) -> QuerySet[Transfer]:
    """The transfers of the cases the user handles (who may act on them: services decide)."""
    return Transfer.objects.filter(source_concern__in=handler_concerns_for(user).values("pk"))


def get_transfer_for_user_or_404(user: User, public_id) -> tuple[Transfer, str]:
    """The transfer and the side the user sees it from (HANDLER sends, RECEIVER answers)."""
    related = ("sending_municipality", "receiving_municipality", "created_by", "viewed_by")
    for side, queryset in (
        (HANDLER, transfers_for_sender(user)),
        (RECEIVER, transfers_for_receiver(user)),
    ):
        try:
            return queryset.select_related(*related).get(public_id=public_id), side
        except (Transfer.DoesNotExist, ValueError, ValidationError):
            continue
    if Transfer.objects.filter(public_id=str(public_id)).exists():
        raise deny(user, f"transfer {public_id}")
    raise Http404


def ensure_transfer_receiver(user: User, transfer: Transfer) -> None:
    if not transfers_for_receiver(user).filter(pk=transfer.pk).exists():
        raise PermissionDenied(_("Only the receiving municipality's coordinators can do this."))


def get_handover_for_user_or_404(user: User, public_id) -> Handover:
    """A handover outside the system, for those who handle its case; 404 for anyone else."""
    try:
        handover = Handover.objects.select_related(
            "concern__municipality", "created_by", "receipt_recorded_by"
        ).get(public_id=public_id)
    except (Handover.DoesNotExist, ValueError, ValidationError) as missing:
        raise Http404 from missing
    if not handler_concerns_for(user).filter(pk=handover.concern_id).exists():
        raise deny(user, f"handover {public_id}")
    return handover
