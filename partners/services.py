"""Writes to the registry that other apps rely on."""

from django.contrib.auth.models import Group

from partners.models import Organisation, User


def organisation_group(organisation: Organisation) -> Group:
    """The group holding every active account of an organisation, for grants to the whole agency."""
    group, _created = Group.objects.get_or_create(name=f"organisation:{organisation.slug}")
    members = set(group.user_set.values_list("pk", flat=True))
    staff = set(
        User.objects.filter(organisation=organisation, is_active=True).values_list("pk", flat=True)
    )
    if members != staff:
        group.user_set.set(staff)
    return group


def sync_organisation_group_membership(user: User) -> None:
    """Keep a user in exactly the group of the organisation they belong to now."""
    current = {group for group in user.groups.all() if group.name.startswith("organisation:")}
    wanted = set()
    if user.organisation_id and user.is_active:
        wanted = {Group.objects.get_or_create(name=f"organisation:{user.organisation.slug}")[0]}
    if current != wanted:
        user.groups.remove(*(current - wanted))
        user.groups.add(*(wanted - current))


SYSTEM_USERNAME = "system"


def system_user() -> User:
    """The named account that background jobs write history as. It can never sign in."""
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = User(username=SYSTEM_USERNAME, first_name="System", is_active=False)
        user.set_unusable_password()
        user.save()
    return user
