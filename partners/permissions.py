"""Who may keep which part of the registry. Nothing here ever opens a case.

- A platform admin (the role, or the break-glass superuser) keeps what spans
  municipalities: municipalities, regional organisations, shared taxonomy,
  accounts and roles.
- A registry admin keeps the objects of the municipalities their own
  organisation serves. An object that reaches into another municipality (a
  police district, RVTS) is shown to them but changed only by a platform admin.
- Everyone else keeps nothing.

Registry edits must never widen who sees a case. The rules that make sure of
that are here (which accounts a contact may answer for) and in
concerns.permissions (who may hold a case grant at all).
"""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from partners.models import Contact, Municipality, Organisation, Role, User

# A contact answers for a role in the registry; the account linked to it must
# hold the matching user role, or routing would hand cases to someone the
# platform admin never made a case handler.
CONTACT_ROLE_NEEDS_USER_ROLE = {
    Contact.Role.RESOURCE_PERSON: Role.Code.RESOURCE_PERSON,
    Contact.Role.COORDINATOR: Role.Code.COORDINATOR,
    Contact.Role.PROJECT_COORDINATOR: Role.Code.COORDINATOR,
    Contact.Role.SSP_CONSULTANT: Role.Code.COORDINATOR,
    Contact.Role.POLICE_RADICALISATION: Role.Code.POLICE_CONTACT,
    Contact.Role.DISTRICT_POLICE: Role.Code.POLICE_CONTACT,
    Contact.Role.PST_LIAISON: Role.Code.POLICE_CONTACT,
    Contact.Role.MENTOR: Role.Code.MENTOR,
}


# The roles whose holders may be given a case (concerns.permissions.CASE_HANDLER_ROLES,
# the case rule, is this set): here because single sign-on must know them too,
# and partners cannot import concerns.
CASE_HANDLER_ROLE_CODES = frozenset(
    {Role.Code.COORDINATOR.value, Role.Code.RESOURCE_PERSON.value, Role.Code.POLICE_CONTACT.value}
)


def is_platform_admin(user: User) -> bool:
    return user.is_active and (user.is_superuser or user.has_role(Role.Code.PLATFORM_ADMIN))


def is_registry_admin(user: User) -> bool:
    return user.is_active and user.has_role(Role.Code.REGISTRY_ADMIN)


def registry_municipality_ids(user: User) -> frozenset[int]:
    """The municipalities a registry admin keeps: those their own organisation serves."""
    if not is_registry_admin(user) or user.organisation_id is None:
        return frozenset()
    if not hasattr(user, "_registry_municipality_ids"):
        user._registry_municipality_ids = frozenset(
            Municipality.objects.filter(organisations=user.organisation_id).values_list(
                "pk", flat=True
            )
        )
    return user._registry_municipality_ids


def municipalities_kept_by(user: User) -> QuerySet[Municipality]:
    if is_platform_admin(user):
        return Municipality.objects.all()
    return Municipality.objects.filter(pk__in=registry_municipality_ids(user))


def organisations_touching(user: User) -> QuerySet[Organisation]:
    """Organisations that serve at least one municipality the user keeps (shown to them)."""
    if is_platform_admin(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(
        pk__in=Organisation.objects.filter(
            municipalities__in=registry_municipality_ids(user)
        ).values("pk")
    )


def organisations_kept_by(user: User) -> QuerySet[Organisation]:
    """Organisations the user may change: every municipality they serve is the user's."""
    if is_platform_admin(user):
        return Organisation.objects.all()
    kept = registry_municipality_ids(user)
    return organisations_touching(user).exclude(
        pk__in=Organisation.objects.filter(~Q(municipalities__in=kept)).values("pk")
    )


def may_change_organisation(user: User, organisation: Organisation) -> bool:
    if is_platform_admin(user):
        return True
    kept = registry_municipality_ids(user)
    served = {municipality.pk for municipality in organisation.municipalities.all()}
    return bool(served) and served <= kept


def contact_link_problem(*, contact: Contact, account: User | None, actor: User) -> str | None:
    """Why `actor` may not link `contact` to `account`, or None when the link is fine."""
    if account is None:
        return None
    if account.pk == actor.pk:
        return _("Nobody may link a contact to their own account.")
    if account.organisation_id != contact.organisation_id:
        return _("The account must belong to someone in this organisation.")
    needed = CONTACT_ROLE_NEEDS_USER_ROLE.get(contact.role)
    if needed is not None and not account.has_role(needed):
        return _("The account does not hold the role this contact answers for.")
    return None
