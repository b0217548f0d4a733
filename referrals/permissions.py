"""Who may see and act on a referral.

The referring side is whoever handles the concern (concerns.permissions).
The receiving side is the receiving organisation's staff, through the
guardian group grant that sending gives and that decline, withdraw and
completion of a closed case take back. The incoming list and the referral
page both use referrals_for_receiver(), so they cannot drift apart.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from concerns.models import ConcernGroupObjectPermission
from concerns.permissions import VIEW_REFERRED, deny, handler_concerns_for
from partners.models import Role, User
from referrals.models import Referral

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
