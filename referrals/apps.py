from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self):
        from referrals import (
            reminders,  # noqa: F401 - registers the referral deadline
            services,  # noqa: F401 - registers "end referrals on close"
        )
