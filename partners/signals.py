from django.db.models.signals import post_save
from django.dispatch import receiver

from partners.models import User
from partners.services import sync_organisation_group_membership


@receiver(post_save, sender=User, dispatch_uid="partners.sync_organisation_group")
def _sync_organisation_group(sender, instance: User, raw=False, **kwargs):
    # A new colleague sees what was referred to their agency; a leaver stops seeing it.
    if not raw:
        sync_organisation_group_membership(instance)
