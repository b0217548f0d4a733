"""System checks for settings that must never be switched off where real cases live."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def second_factor_required_in_production(app_configs, **kwargs):
    if settings.DEBUG or getattr(settings, "DEMO_DATA_ALLOWED", False):
        return []
    if not settings.TWO_FACTOR_REQUIRED:
        return [
            Error(
                "TWO_FACTOR_REQUIRED is off outside the demo.",
                hint="Every account that can see case data needs a second factor.",
                id="bekymring.E001",
            )
        ]
    return []
