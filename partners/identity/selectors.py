"""Reads for the sign-in pages."""

from django.db.models import QuerySet

from partners.identity.models import IdentityProvider
from partners.models import Municipality, Role, User


def active_providers() -> QuerySet[IdentityProvider]:
    return IdentityProvider.objects.filter(is_active=True).order_by("name")


def provider_for_email(address: str) -> IdentityProvider | None:
    """The active provider whose e-mail domains hold the address's domain, if any."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not domain:
        return None
    domain = domain.lower()
    for provider in active_providers().only("slug", "email_domains"):
        if domain in provider.email_domain_list():
            return provider
    return None


def registry_admin_names(
    *, provider: IdentityProvider | None = None, user: User | None = None
) -> list[str]:
    """Whom a person waiting for a role asks: the registry admins of their municipalities.

    The provider's municipalities are those its organisations serve; without a
    provider, those of the person's own organisation. Names only: the page is
    shown to someone who holds no role yet.
    """
    if provider is not None:
        municipalities = Municipality.objects.filter(organisations__identity_providers=provider)
    elif user is not None and user.organisation_id is not None:
        municipalities = Municipality.objects.filter(organisations=user.organisation_id)
    else:
        return []
    admins = (
        User.objects.filter(
            is_active=True,
            roles__code=Role.Code.REGISTRY_ADMIN,
            organisation__municipalities__in=municipalities,
        )
        .distinct()
        .only("first_name", "last_name")
    )
    return sorted({name for admin in admins if (name := admin.get_full_name().strip())})
