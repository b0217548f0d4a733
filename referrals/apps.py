from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self):
        from referrals import (
            records,  # noqa: F401 - renders referral documents for the archive
            reminders,  # noqa: F401 - registers the referral and transfer deadlines
            services,  # noqa: F401 - registers "end referrals on close"
        )

        # Transfer documents for the archive, and "end transfers on close".
        from referrals.transfers import records as transfer_records  # noqa: F401
        from referrals.transfers import services as transfer_services  # noqa: F401
