"""The test suite: SQLite in memory on a laptop, PostgreSQL and Redis when CI exports their URLs."""

from config.settings.base import *  # noqa: F403
from config.settings.base import (
    FIELD_ENCRYPTION_KEYS,
    NATIONAL_ID_HMAC_KEY,
    STATIC_ROOT,
    STORAGES,
)

ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
NATIONAL_ID_ALLOW_SYNTHETIC = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEMO_DATA_ALLOWED = True
# Tests that are about signing in switch the second factor on themselves
# (tests/security); the rest sign in with force_login.
TWO_FACTOR_REQUIRED = False
# WhiteNoise looks for STATIC_ROOT at start-up even when the finders serve files.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# The live server answers each request on a new thread; persistent connections
# would outlive those threads and block dropping the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Tests use their own queue, so a `make run` worker on the same machine never takes their messages.
CELERY_TASK_DEFAULT_QUEUE = "test-bekymring"

# Fixed test keys (never used anywhere else), unless CI exports its own.
FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or ["dGVzdC1rZXktb25seS1mb3ItdGhlLXRlc3Qtc3VpdGU="]
NATIONAL_ID_HMAC_KEY = NATIONAL_ID_HMAC_KEY or "test-hmac-key-only-for-the-test-suite"

# Archive packages of the test run, kept apart from a local run's (tests that deliver use tmp dirs).
ARCHIVE_EXPORT_DIR = str(VAR_DIR / "test-archive")  # noqa: F405

# Attachments of the test run, kept apart from a local run's (tests use their own tmp dirs too).
STORAGES["attachments"] = {  # noqa: F405
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(VAR_DIR / "test-attachments")},  # noqa: F405
}
