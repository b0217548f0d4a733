"""Production: selected with DJANGO_SETTINGS_MODULE=config.settings.production.

`python manage.py check --deploy` prints no warnings with these settings.
"""

import os

from config.env import ImproperlyConfiguredEnv, env_bool, env_list, env_str
from config.settings.base import *  # noqa: F403

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
# Without these the national identity number cannot be stored: refuse to start.
if not FIELD_ENCRYPTION_KEYS or not NATIONAL_ID_HMAC_KEY:  # noqa: F405
    raise ImproperlyConfiguredEnv(
        "Set FIELD_ENCRYPTION_KEYS and NATIONAL_ID_HMAC_KEY (or their _FILE variants)."
    )
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# TLS ends at the reverse proxy, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Not from the environment: production never signs in with a password alone.
TWO_FACTOR_REQUIRED = True

# One cache for every process: the inbox's registry choices must go stale in
# all of them at once, and a used sign-in nonce must be refused by any of them.
_CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL")
if not _CACHE_URL:
    raise ImproperlyConfiguredEnv(
        "Set CACHE_URL (or REDIS_URL): every process must share one cache."
    )
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _CACHE_URL,
        "KEY_PREFIX": "bekymring",
    }
}

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("EMAIL_PORT", "25"))
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
