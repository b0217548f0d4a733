"""Settings shared by every environment. Environment-specific modules import this."""

import datetime

import xstatic.pkg.bootstrap
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.env import (
    BASE_DIR,
    VAR_DIR,
    celery_broker_from_env,
    database_from_env,
    env_bool,
    env_secret,
    env_str,
)

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-local-only-key")
DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "guardian",
    "simple_history",
    "import_export",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "partners",
    "measures",
    "concerns",
    "referrals",
    "mentoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Before the session limits, which tell the person why they were signed out.
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session limits, before anything trusts the session.
    "partners.identity.middleware.SessionLimitsMiddleware",
    # Every page needs a signed-in user unless the view opts out ...
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # ... and a second factor, unless the view is part of signing in.
    "partners.identity.middleware.SecondFactorRequiredMiddleware",
    # ... and a role: an account signed in through its provider before any
    # group gave it one sees the waiting page only.
    "partners.identity.middleware.RoleRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "config.middleware.NoStoreForSignedInMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "concerns.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": database_from_env()}
# The list indexes carry INCLUDE columns so PostgreSQL answers from the index
# alone; SQLite, the embedded default, builds them without those columns, which
# is correct, only slower. Its warning at every start would alarm a new user.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "partners.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "partners.backends.AccountBackend",
    # Sessions that single sign-on started (partners.identity.sso); never takes a password.
    "partners.backends.ProviderBackend",
    "guardian.backends.ObjectPermissionBackend",
    "partners.backends.RolePermissionBackend",
]
LOGIN_URL = "login"
# A case handler lands in the inbox, everyone else on the home page (concerns.views.landing).
LOGIN_REDIRECT_URL = "landing"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The guardian anonymous user is never granted anything; we do not create it.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

# Sessions end after 30 idle minutes, after 10 hours whatever happens, and with
# the browser: shared PCs are common in schools and youth clubs.
# partners.identity.middleware.SessionLimitsMiddleware enforces the first two.
SESSION_IDLE_TIMEOUT = datetime.timedelta(minutes=30)
SESSION_ABSOLUTE_TIMEOUT = datetime.timedelta(hours=10)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# No inline script and no inline style anywhere: what an attacker manages to
# inject into a page cannot run or restyle it. Nothing loads from another host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# Two-factor sign-in (django-otp, see docs/adr/0001-two-factor-library.md).
# Every account needs a second factor before it sees anything; only the
# embedded demo may switch that off, and production refuses to (config.checks).
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", True)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Bekymring")
# Each wrong code doubles the wait before the next try (1 s, 2 s, 4 s …).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Lockout (django-axes): five wrong passwords lock the username, twenty the
# address (partners.identity.lockout), for 15 minutes. The answer is the same
# whether the username exists or not.
AXES_HANDLER = "partners.identity.lockout.UsernameThenAddressHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = 5
AXES_ADDRESS_FAILURE_LIMIT = 20
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "partners.identity.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "partners.identity.lockout.client_address"
AXES_VERBOSE = False  # our security log records lockouts (partners.identity)

LANGUAGE_CODE = "nb"
LANGUAGES = [
    ("nb", _("Norwegian Bokmål")),
    ("da", _("Danish")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Oslo"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Bootstrap comes from a PyPI package and is served by us: a CDN request would
# tell a third party that someone is using a radicalisation-concern service.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Attachments (concerns.uploads): under var/, outside the static and media
    # roots, readable by this account alone, and served only by a view that
    # applies the case's rule. S3-compatible storage when a bucket is named.
    "attachments": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env_str("ATTACHMENTS_S3_BUCKET", ""),
                "endpoint_url": env_str("ATTACHMENTS_S3_ENDPOINT_URL", "") or None,
                "region_name": env_str("ATTACHMENTS_S3_REGION", "") or None,
                "default_acl": "private",
                "file_overwrite": False,
                "querystring_auth": True,
            },
        }
        if env_str("ATTACHMENTS_S3_BUCKET", "")
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": env_str("ATTACHMENTS_DIR", str(VAR_DIR / "attachments")),
                "base_url": "/no-public-url/",
                "file_permissions_mode": 0o600,
                "directory_permissions_mode": 0o700,
            },
        }
    ),
}
# Uploads larger than this go to a temporary file, not memory; attachments are up to 10 MB.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# National ID numbers from the Norwegian test-person register (month + 80)
# are accepted only where no real person can be filed: local runs and tests.
NATIONAL_ID_ALLOW_SYNTHETIC = False

# The national identity number is encrypted at rest and matched by a keyed
# hash (concerns.crypto). Comma-separated Fernet keys, the first encrypts; each
# may come from a file (FIELD_ENCRYPTION_KEYS_FILE). Production must set both;
# local runs and tests make their own (config.settings.local, .test).
FIELD_ENCRYPTION_KEYS = [
    key.strip() for key in (env_secret("FIELD_ENCRYPTION_KEYS") or "").split(",") if key.strip()
]
NATIONAL_ID_HMAC_KEY = env_secret("NATIONAL_ID_HMAC_KEY") or ""

CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = celery_broker_from_env()
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Deadlines live in the database; beat only wakes the sweeper. Run exactly one beat.
    "sweep-reminders": {"task": "reminders.sweep", "schedule": 60.0},
    # Anonymise cases past their retention period, delete old drafts (concerns.retention).
    "retention": {"task": "retention.run", "schedule": crontab(minute=30, hour=2)},
    # Switch off accounts disabled at their provider, or unused (partners.identity.departures).
    "departures": {"task": "identity.departures", "schedule": crontab(minute=15, hour=2)},
    "weekly-digest": {
        "task": "reminders.weekly_digest",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
    # Deliver closed cases' archive packages waiting in the database (concerns.records.archive).
    "archive-exports": {"task": "records.archive_sweep", "schedule": 300.0},
}

# A local account nobody has signed in with for this many days is switched off
# (an identity provider's accounts follow the provider's own setting).
ACCOUNT_INACTIVE_DAYS = int(env_str("ACCOUNT_INACTIVE_DAYS", "60"))

# Closed cases go to the archive as Noark 5 arkivmelding packages through a sink
# (concerns.records.sinks): "folder" writes them to ARCHIVE_EXPORT_DIR, where the
# municipality's archive collects them. docs/archive.md.
ARCHIVE_SINK = env_str("ARCHIVE_SINK", "folder")
ARCHIVE_EXPORT_DIR = env_str("ARCHIVE_EXPORT_DIR", str(VAR_DIR / "archive"))
# Denmark: the KLE subject number these cases are journaled under, as the
# municipality uses KLE (optional; offentlighedsloven § 15 asks for the theme).
JOURNAL_KLE_CODE_DK = env_str("JOURNAL_KLE_CODE_DK", "")

# Production runs the retention task on its own queue, served by a worker
# whose database role may purge history (docs/security.md); unset, any worker takes it.
RETENTION_QUEUE = env_str("RETENTION_QUEUE", "")
if RETENTION_QUEUE:
    CELERY_TASK_ROUTES = {"retention.run": {"queue": RETENTION_QUEUE}}

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "bekymring@localhost")
# Links in emails point here; the email itself carries no personal data.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# The deployment's official accessibility statement, published where its
# country asks: uustatus.no in Norway, the WAS tool (was.digst.dk) in Denmark.
# The footer's accessibility page links to it; unset, the page says so.
ACCESSIBILITY_STATEMENT_URL = env_str("ACCESSIBILITY_STATEMENT_URL", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    # Every sign-in at INFO is noise; lockouts reach partners.identity's security log.
    "loggers": {"axes": {"level": "WARNING"}},
}

# Invented demo users may be created (seed_demo). Never in production.
DEMO_DATA_ALLOWED = False
