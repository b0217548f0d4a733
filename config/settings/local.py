"""A developer's laptop (`make run`): SQLite and the filesystem broker unless env says otherwise."""

import secrets

from cryptography.fernet import Fernet

from config.env import VAR_DIR, env_bool, env_list, generated_secret
from config.settings.base import *  # noqa: F403
from config.settings.base import (
    FIELD_ENCRYPTION_KEYS,
    NATIONAL_ID_HMAC_KEY,
    STATIC_ROOT,
    STORAGES,
)

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
# Keys made once and kept under var/keys (readable by the owner alone), so
# `make run` needs no setup; delete var/ and the demo data goes with them.
FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or [
    generated_secret(
        VAR_DIR / "keys" / "field-encryption.key", lambda: Fernet.generate_key().decode()
    )
]
NATIONAL_ID_HMAC_KEY = NATIONAL_ID_HMAC_KEY or generated_secret(
    VAR_DIR / "keys" / "national-id-hmac.key", lambda: secrets.token_urlsafe(32)
)
