from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConcernsConfig(AppConfig):
    name = "concerns"
    verbose_name = _("Concerns")

    def ready(self):
        # The inbox's kept registry choices follow every registry change, in any process,
        # and a handler's grants are taken back when the role ends (concerns.handover).
        from concerns import handover, registry_choices  # noqa: F401

        # A closed case waits for its archive package (registers an on_close hook).
        from concerns.records import archive  # noqa: F401
