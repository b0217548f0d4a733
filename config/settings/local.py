"""A developer's laptop (`make run`): SQLite and the filesystem broker unless env says otherwise."""

from config.env import env_bool, env_list
from config.settings.base import *  # noqa: F403
from config.settings.base import STATIC_ROOT, STORAGES

DEBUG = True
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
NATIONAL_ID_ALLOW_SYNTHETIC = True
# The manifest storage needs collectstatic; runserver serves from the finders.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DEMO_DATA_ALLOWED = True
# The embedded demo signs in with a password alone unless TWO_FACTOR_REQUIRED=1;
# the sign-in page says so. Production cannot switch the second factor off.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", False)
# WhiteNoise looks for STATIC_ROOT at start-up even when the finders serve files.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
