from celery import shared_task

from partners.identity.departures import departed_accounts_deactivate


@shared_task(name="identity.departures", ignore_result=True)
def deactivate_departed_accounts() -> int:
    """The daily run of partners.identity.departures: how many accounts were switched off."""
    result = departed_accounts_deactivate()
    return result.inactive + result.disabled_at_provider
