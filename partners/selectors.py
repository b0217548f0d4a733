"""Reads from the partner and contact registry."""

from django.db.models import Q

from partners.models import Contact, Municipality, Organisation


def first_contact_for(*, organisation: Organisation, municipality: Municipality) -> Contact | None:
    """Who takes a concern from this organisation first, as the Trondheim plan says.

    Employees go to their own organisation's resource person; organisations
    without one go to the municipality's coordinator (SLT coordinator in
    Trondheim, INFO-huset's SSP consultants in Aalborg).
    """
    own = (
        Contact.objects.filter(
            organisation=organisation, role=Contact.Role.RESOURCE_PERSON, is_active=True
        )
        .select_related("organisation")
        .order_by("name")
        .first()
    )
    if own is not None:
        return own
    return (
        Contact.objects.filter(
            Q(role=Contact.Role.COORDINATOR) | Q(role=Contact.Role.SSP_CONSULTANT),
            organisation__municipalities=municipality,
            is_active=True,
        )
        .select_related("organisation")
        .order_by("role", "name")
        .first()
    )
