from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners and accounts")

    def ready(self):
        import config.checks  # noqa: F401 - registers the deployment checks
        from partners import signals  # noqa: F401 - connects the receivers
