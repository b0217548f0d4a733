from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = _("Measures and reference data")

    def ready(self):
        from measures.meetings import (  # noqa: F401 - register the reminders and the archive's renderer
            records,
            reminders,
        )
