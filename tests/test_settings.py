"""Settings come from the environment; production settings pass `check --deploy`."""

import os
import re
import subprocess
import sys
from pathlib import Path

from config.env import celery_broker_from_env, database_from_env

ROOT = Path(__file__).resolve().parent.parent
ENCRYPTION_KEYS = {
    "FIELD_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi1saWtlLWtleS1mb3ItdGhlLXRlc3Q=",
    "NATIONAL_ID_HMAC_KEY": "production-like-hmac-key-for-the-test",
}


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x7Qp2LmZ" * 6,
        "DJANGO_ALLOWED_HOSTS": "bekymring.example.no",
        "VAR_DIR": str(tmp_path),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        **ENCRYPTION_KEYS,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SECRET_KEY"}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", "VAR_DIR": str(tmp_path)})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def _production_check(tmp_path, *, without, **variables) -> subprocess.CompletedProcess:
    """`manage.py check` under production settings, with some variables left out."""
    env = {key: value for key, value in os.environ.items() if key not in without}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x7Qp2LmZ" * 6,
            "VAR_DIR": str(tmp_path),
            **variables,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_the_encryption_keys(tmp_path):
    result = _production_check(tmp_path, without=set(ENCRYPTION_KEYS))
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr
    assert not (tmp_path / "keys").exists()  # production never makes its own keys


def test_a_key_may_come_from_a_file(tmp_path, monkeypatch):
    from config.env import env_secret

    secret_file = tmp_path / "key"
    secret_file.write_text("from-a-file\n")
    monkeypatch.delenv("SOME_KEY", raising=False)
    monkeypatch.setenv("SOME_KEY_FILE", str(secret_file))
    assert env_secret("SOME_KEY") == "from-a-file"


def test_without_database_url_the_embedded_sqlite_file_under_var_is_used(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr("config.env.VAR_DIR", tmp_path)
    database = database_from_env()
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == tmp_path / "db.sqlite3"


def test_database_url_selects_postgresql(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://app:s%40cret@db.internal:5433/bekymring")
    database = database_from_env()
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (
        database["USER"],
        database["PASSWORD"],
        database["HOST"],
        database["PORT"],
        database["NAME"],
    ) == (
        "app",
        "s@cret",
        "db.internal",
        "5433",
        "bekymring",
    )


def test_redis_url_selects_redis_and_no_url_selects_the_filesystem_broker(monkeypatch, tmp_path):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    assert celery_broker_from_env()[0] == "redis://127.0.0.1:6379/3"

    monkeypatch.delenv("REDIS_URL")
    monkeypatch.setattr("config.env.VAR_DIR", tmp_path)
    url, options = celery_broker_from_env()
    assert url == "filesystem://"
    assert Path(options["data_folder_in"]).is_dir()
    assert Path(options["data_folder_in"]).is_relative_to(tmp_path)


def test_no_page_loads_anything_from_another_host():
    """A CDN request would tell a third party that someone uses this service."""
    remote = re.compile(r"""(src|href)=["']?(https?:)?//""", re.IGNORECASE)
    offenders = [
        path.relative_to(ROOT)
        for folder in ("templates", "static")
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and remote.search(path.read_text(errors="ignore"))
    ]
    assert offenders == []


def test_production_refuses_to_start_without_a_shared_cache(tmp_path):
    result = _production_check(tmp_path, without={"REDIS_URL", "CACHE_URL"}, **ENCRYPTION_KEYS)
    assert result.returncode != 0
    assert "CACHE_URL" in result.stderr
