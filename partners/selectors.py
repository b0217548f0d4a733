"""Reads from the partner and contact registry."""

from django.db.models import Prefetch, Q, QuerySet

from partners.models import Contact, Municipality, Organisation, User

COORDINATOR_ROLES = (Contact.Role.COORDINATOR, Contact.Role.SSP_CONSULTANT)


def active_contacts() -> QuerySet[Contact]:
    return (
        Contact.objects.filter(is_active=True)
        .select_related("organisation", "user")
        .order_by("name", "pk")
    )


def contacts_in_municipality(municipality_id: int, roles) -> QuerySet[Contact]:
    return active_contacts().filter(
        role__in=roles, organisation__municipalities=municipality_id, organisation__is_active=True
    )


def contact_in_municipality(municipality_id: int, roles) -> Contact | None:
    return contacts_in_municipality(municipality_id, roles).first()


def user_municipalities(user: User) -> QuerySet[Municipality]:
    if user.organisation_id is None:
        return Municipality.objects.none()
    return Municipality.objects.filter(organisations=user.organisation_id).order_by("name")


def who_to_contact(user: User) -> list[dict]:
    """The "Who do I contact?" card, one per municipality the user's organisation serves."""
    own = (
        list(
            active_contacts().filter(
                organisation=user.organisation_id, role=Contact.Role.RESOURCE_PERSON
            )
        )
        if user.organisation_id
        else []
    )
    cards = []
    for municipality in user_municipalities(user):
        cards.append(
            {
                "municipality": municipality,
                "own_resource_persons": own,
                "coordinators": list(contacts_in_municipality(municipality.pk, COORDINATOR_ROLES)),
                "project_coordinators": list(
                    contacts_in_municipality(municipality.pk, [Contact.Role.PROJECT_COORDINATOR])
                ),
                "police": list(
                    contacts_in_municipality(municipality.pk, [Contact.Role.POLICE_RADICALISATION])
                ),
                "district_police": list(
                    contacts_in_municipality(
                        municipality.pk, [Contact.Role.DISTRICT_POLICE]
                    ).prefetch_related("districts")
                ),
            }
        )
    return cards


def search_directory(text: str) -> QuerySet[Organisation]:
    """Organisations whose name or description matches, or that have a matching contact."""
    text = text.strip()
    organisations = Organisation.objects.filter(is_active=True)
    if text:
        organisations = organisations.filter(
            Q(name__icontains=text)
            | Q(description__icontains=text)
            | Q(slug__icontains=text)
            | Q(contacts__name__icontains=text, contacts__is_active=True)
        ).distinct()
    return (
        organisations.prefetch_related(
            "municipalities",
            Prefetch(
                "contacts", queryset=Contact.objects.filter(is_active=True).order_by("role", "name")
            ),
        )
        .select_related("parent")
        .order_by("name")
    )
