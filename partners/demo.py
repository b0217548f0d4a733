"""Invented demo people, one per role and municipality. None of them exists."""

from dataclasses import dataclass

from django.db import transaction

from partners.models import (
    Contact,
    GroupMapping,
    IdentityProvider,
    Municipality,
    Organisation,
    Role,
    User,
)

DEMO_PASSWORD = "demo-passord-2026"  # noqa: S105 (invented demo users only)


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    organisation: str | None
    roles: tuple[str, ...]
    contact: tuple[str, str] | None = None  # (organisation slug, contact name) it answers for


DEMO_USERS = [
    DemoUser("trd-frontline", "Frida", "Frontlinje (demo)", "uteseksjonen", ("frontline",)),
    DemoUser("trd-resource", "Rune", "Ressurs (demo)", "nav", ("resource_person", "frontline")),
    DemoUser(
        "trd-coordinator",
        "Siri",
        "Koordinator (demo)",
        "slt",
        ("coordinator",),
        ("slt", "SLT-koordinator"),
    ),
    DemoUser(
        "trd-police",
        "Per",
        "Politikontakt (demo)",
        "trondelag-politidistrikt",
        ("police_contact",),
        ("trondelag-politidistrikt", "Radikaliseringskontakt"),
    ),
    DemoUser("trd-mentor", "Mona", "Mentor (demo)", "trondheim-kommune", ("mentor",)),
    DemoUser("trd-admin", "Arne", "Registeradmin (demo)", "trondheim-kommune", ("registry_admin",)),
    DemoUser(
        "aal-frontline", "Freja", "Frontmedarbejder (demo)", "ungecenter-skuret", ("frontline",)
    ),
    DemoUser(
        "aal-resource",
        "Rasmus",
        "Ressourceperson (demo)",
        "aalborg-kommune",
        ("resource_person", "frontline"),
    ),
    DemoUser(
        "aal-coordinator",
        "Sofie",
        "SSP-konsulent (demo)",
        "info-huset",
        ("coordinator",),
        ("info-huset", "INFO-huset"),
    ),
    DemoUser(
        "aal-police",
        "Poul",
        "Politikontakt (demo)",
        "nordjyllands-politi",
        ("police_contact",),
        ("nordjyllands-politi", "Politiets SSP-koordinator"),
    ),
    DemoUser("aal-mentor", "Mette", "Mentor (demo)", "aalborg-kommune", ("mentor",)),
    DemoUser("aal-admin", "Anders", "Registeradmin (demo)", "aalborg-kommune", ("registry_admin",)),
    # Trondheim's neighbour in the same police district, to receive transferred cases.
    DemoUser(
        "mal-coordinator",
        "Marit",
        "Koordinator Malvik (demo)",
        "malvik-slt",
        ("coordinator",),
        ("malvik-slt", "SLT-koordinator"),
    ),
    # Keeps municipalities, regional organisations and accounts; sees no case.
    DemoUser("platform-admin", "Pia", "Plattformadmin (demo)", None, ("platform_admin",)),
]
ADMIN_ROLES = ("registry_admin", "platform_admin")


# Organisations the seeds do not name, invented for the demo: Malvik's
# coordinator (an SLT line, as in Trondheim), so that cases can be transferred
# to Malvik and concerns filed there are routed to someone (the coordinator is
# the routing fallback). (slug, name, parent slug, municipality code, contact name)
DEMO_ORGANISATIONS = [
    ("malvik-slt", "SLT Malvik", "malvik-kommune", "malvik", "SLT-koordinator"),
]


def _seed_demo_organisations() -> None:
    for slug, name, parent, municipality_code, contact_name in DEMO_ORGANISATIONS:
        municipality = Municipality.objects.filter(code=municipality_code).first()
        if municipality is None:
            continue  # the reference data is not loaded: nothing to attach it to
        organisation, _created = Organisation.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": Organisation.Kind.MUNICIPAL,
                "parent": Organisation.objects.filter(slug=parent).first(),
            },
        )
        organisation.municipalities.add(municipality)
        Contact.objects.get_or_create(
            organisation=organisation,
            role=Contact.Role.COORDINATOR,
            name=contact_name,
        )


# Lines the seeds name without a number. INFO-huset is reached through Aalborg
# Kommune's published switchboard; the demo must show a number on the receipt.
DEMO_PHONES = {("info-huset", "INFO-huset"): "99 31 31 31"}


def _fill_missing_phones() -> None:
    for (slug, name), phone in DEMO_PHONES.items():
        contact = Contact.objects.filter(organisation__slug=slug, name=name, phone="").first()
        if contact is not None:
            contact.phone = phone
            contact.save(update_fields=["phone"])


@transaction.atomic
def seed_demo_users() -> list[tuple[DemoUser, bool]]:
    """Create the demo users that are missing. Existing ones are left exactly as they are."""
    _seed_demo_organisations()
    results = []
    for demo in DEMO_USERS:
        user = User.objects.filter(username=demo.username).first()
        created = user is None
        if created:
            user = User(
                username=demo.username,
                first_name=demo.first_name,
                last_name=demo.last_name,
                email=f"{demo.username}@demo.invalid",
                organisation=(
                    Organisation.objects.get(slug=demo.organisation) if demo.organisation else None
                ),
                is_staff=any(role in ADMIN_ROLES for role in demo.roles),
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            # get_or_create: the roles come from a migration, and a test
            # database flushed between tests has lost them.
            user.roles.set([Role.objects.get_or_create(code=code)[0] for code in demo.roles])
        # Reloading the reference fixtures unlinks registry contacts, so the
        # links are checked on every run; an existing link is left untouched.
        _link_contact(user, demo)
        results.append((demo, created))
    _fill_missing_phones()
    return results


def _link_contact(user: User, demo: DemoUser) -> None:
    if demo.contact is not None:
        slug, name = demo.contact
        contact = Contact.objects.get(organisation__slug=slug, name=name)
    elif "resource_person" in demo.roles:
        # Resource persons answer for their own organisation in the registry.
        contact, _created = Contact.objects.get_or_create(
            organisation=user.organisation,
            role=Contact.Role.RESOURCE_PERSON,
            name=f"{demo.first_name} {demo.last_name}",
            defaults={"email": user.email},
        )
    else:
        return
    if contact.user_id != user.pk:
        contact.user = user
        contact.save()


# Each demo municipality's own identity provider, switched off: nothing runs at
# these addresses unless a developer starts the test provider there. The rows
# show platform and registry admins what a provider and its mappings look like.
DEMO_PROVIDERS = [
    {
        "slug": "trondheim-demo",
        "name": "Trondheim kommune (demo)",
        "issuer": "http://127.0.0.1:9001",
        "email_domains": "trondheim-demo.invalid",
        "mappings": [
            ("bekymring-trondheim-frontline", "frontline", "uteseksjonen"),
            ("bekymring-trondheim-coordinator", "coordinator", "slt"),
        ],
    },
    {
        "slug": "aalborg-demo",
        "name": "Aalborg Kommune (demo)",
        "issuer": "http://127.0.0.1:9002",
        "email_domains": "aalborg-demo.invalid",
        "mappings": [
            ("bekymring-aalborg-frontline", "frontline", "ungecenter-skuret"),
            ("bekymring-aalborg-coordinator", "coordinator", "info-huset"),
        ],
    },
]


@transaction.atomic
def seed_demo_identity_providers() -> None:
    """The demo providers and their group mappings, made once; existing rows are left alone."""
    for demo in DEMO_PROVIDERS:
        provider, created = IdentityProvider.objects.get_or_create(
            slug=demo["slug"],
            defaults={
                "name": demo["name"],
                "issuer": demo["issuer"],
                "client_id": "bekymring-demo",
                "email_domains": demo["email_domains"],
                "is_active": False,
            },
        )
        for group, role, slug in demo["mappings"]:
            organisation = Organisation.objects.filter(slug=slug).first()
            if organisation is None:
                continue
            provider.organisations.add(organisation)
            GroupMapping.objects.get_or_create(
                provider=provider,
                group=group,
                role=Role.objects.get_or_create(code=role)[0],
                organisation=organisation,
            )
