"""The inbox filter's choices from the registry, read once and kept until the registry changes.

Phenomena, districts, organisations and their contacts change a few times a
year, and every inbox view offered them all: four queries, a sixth of a list
page's time (docs/performance.md). They are kept in Django's cache under a
registry version that any save or delete of those models moves on, so a new
district shows at the next page view, not after a timeout. Only ids, names and
codes are kept: labels are put in the reader's language per request.
"""

from contextlib import suppress
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from measures.models import Phenomenon
from partners.models import Contact, District, Organisation

_VERSION_KEY = "registry-choices:version"
_KEPT_FOR_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class RegistryChoices:
    phenomena: list[tuple[int, Phenomenon]]  # names in three languages; str() picks the reader's
    districts: list[tuple[int, str]]
    organisations: list[tuple[int, str]]
    contacts: list[tuple[int, str, str, int]]  # pk, name, role code, organisation


def _read(municipality_ids: list[int]) -> RegistryChoices:
    organisations = list(
        Organisation.objects.filter(municipalities__in=municipality_ids)
        .order_by("name")
        .values_list("pk", "name")
        .distinct()
    )
    return RegistryChoices(
        # Names only: the guidance texts in three languages are long and unused here.
        phenomena=[
            (phenomenon.pk, phenomenon)
            for phenomenon in Phenomenon.objects.only("name_nb", "name_da", "name_en")
        ],
        districts=list(
            District.objects.filter(municipality__in=municipality_ids)
            .order_by("name")
            .values_list("pk", "name")
        ),
        organisations=organisations,
        # The contacts of those organisations, by the ids just read: no join back
        # through the municipalities and no DISTINCT for the database to plan.
        contacts=list(
            Contact.objects.filter(organisation__in=[pk for pk, _name in organisations])
            .order_by("name", "pk")
            .values_list("pk", "name", "role", "organisation_id")
        ),
    )


def registry_choices(municipality_ids: list[int]) -> RegistryChoices:
    version = cache.get_or_set(_VERSION_KEY, 1, None)
    key = f"registry-choices:{version}:{','.join(map(str, sorted(municipality_ids)))}"
    choices = cache.get(key)
    if choices is None:
        choices = _read(municipality_ids)
        cache.set(key, choices, _KEPT_FOR_SECONDS)
    return choices


def registry_changed() -> None:
    """Every kept set of choices is read again at its next use."""
    with suppress(ValueError):  # not kept yet: nothing to make stale
        cache.incr(_VERSION_KEY)


@receiver(post_save, sender=Phenomenon)
@receiver(post_save, sender=District)
@receiver(post_save, sender=Organisation)
@receiver(post_save, sender=Contact)
@receiver(post_delete, sender=Phenomenon)
@receiver(post_delete, sender=District)
@receiver(post_delete, sender=Organisation)
@receiver(post_delete, sender=Contact)
@receiver(m2m_changed, sender=Organisation.municipalities.through)
def _registry_saved(**kwargs) -> None:
    registry_changed()
