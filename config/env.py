"""Reading settings from the environment.

Every setting that differs between a laptop, CI and production comes from an
environment variable read here, so nothing exists only in production.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


class ImproperlyConfiguredEnv(Exception):
    pass


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfiguredEnv(f"Set the environment variable {name}.")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_secret(name: str) -> str | None:
    """A secret from NAME, or from the file NAME_FILE points to (a container's secret mount)."""
    value = os.environ.get(name)
    if value:
        return value.strip()
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return None


def generated_secret(path: Path, make) -> str:
    """A secret kept in a file under var/, made on first use: the embedded default only.

    Production takes every key from the environment (config.settings.production).
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole to a private file, then linked into place: the web
        # server, worker and beat start together, and the first link wins.
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(make())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def database_from_env() -> dict:
    """PostgreSQL when DATABASE_URL is set, else the embedded SQLite file under var/."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # The web server, the worker and beat share this file. WAL lets
            # readers go on while one writes; IMMEDIATE takes the write lock
            # when a transaction starts, so two writers queue for up to 20 s
            # instead of failing half-way with "database is locked".
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfiguredEnv("DATABASE_URL must be a postgres:// URL.")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
        # Parameters bound on the server, so psycopg prepares a statement the
        # connection has run five times and PostgreSQL stops planning it again:
        # a page's queries are the same every time, and planning was a fifth of
        # the case page (docs/performance.md). PgBouncer in transaction mode
        # needs 1.21 or later with max_prepared_statements set (docs/deployment.md).
        "OPTIONS": {
            "server_side_binding": env_bool("DB_SERVER_SIDE_BINDING", True),
            # Django's default (None) would prepare nothing.
            "prepare_threshold": int(os.environ.get("DB_PREPARE_THRESHOLD", "5")),
        },
    }


def celery_broker_from_env() -> tuple[str, dict]:
    """Redis when REDIS_URL is set; otherwise kombu's filesystem transport under var/.

    The filesystem transport needs no server, so a laptop still runs the
    worker and beat, and scheduled work is not silently skipped.
    """
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        # Long ETAs are redelivered after the visibility timeout; we never use
        # them (deadlines live in the database), but keep the timeout generous.
        # A publish that cannot reach Redis gives up fast: the sweeper simply
        # queues the reminder again on its next run.
        return redis_url, {
            "visibility_timeout": 3600,
            "max_retries": 1,
            "interval_start": 0,
            "interval_step": 0.5,
        }
    queue_dir = VAR_DIR / "celery" / "queue"
    processed_dir = VAR_DIR / "celery" / "processed"
    # kombu keeps exchange bindings in ./control unless told otherwise.
    control_dir = VAR_DIR / "celery" / "control"
    for folder in (queue_dir, processed_dir, control_dir):
        folder.mkdir(parents=True, exist_ok=True)
    return "filesystem://", {
        "data_folder_in": str(queue_dir),
        "data_folder_out": str(queue_dir),
        "control_folder": str(control_dir),
        "processed_folder": str(processed_dir),
        "store_processed": False,
    }
