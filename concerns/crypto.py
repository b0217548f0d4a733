"""Field-level encryption of the national identity number, and its keyed hash.

The number is encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from the
`cryptography` package) under the keys in settings.FIELD_ENCRYPTION_KEYS: the
first encrypts, every key decrypts, so a new key can be put first and the
rows re-encrypted at leisure (`manage.py rotate_field_encryption`). An
exact-match lookup ("is this the same person?") uses an HMAC of the digits
under its own key, so the database can answer it without ever decrypting.
See docs/security.md and docs/adr/0003-national-id-encryption.md.
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models


class UnreadableCiphertext(Exception):
    """A stored value that no configured key decrypts: a key is missing from the settings."""


@cache
def _fernet() -> MultiFernet:
    keys = settings.FIELD_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("Set FIELD_ENCRYPTION_KEYS (see docs/security.md).")
    return MultiFernet([Fernet(key) for key in keys])


def _clear_cached_keys(*, setting, **kwargs):
    if setting == "FIELD_ENCRYPTION_KEYS":
        _fernet.cache_clear()


setting_changed.connect(_clear_cached_keys)


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except InvalidToken as error:
        raise UnreadableCiphertext(
            "A stored national identity number cannot be decrypted with the configured keys."
        ) from error


def reencrypt(token: str) -> str:
    """The same plain text under the first (current) key."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")


def keyed_digest(digits: str) -> str:
    """HMAC-SHA256 of the digits: equal numbers give equal digests, and nothing else can be read."""
    key = settings.NATIONAL_ID_HMAC_KEY
    if not key:
        raise ImproperlyConfigured("Set NATIONAL_ID_HMAC_KEY (see docs/security.md).")
    return hmac.new(key.encode(), digits.encode(), hashlib.sha256).hexdigest()


def masked(digits: str) -> str:
    """The number with its birth-date part hidden, "******12345" (CPR: "******1234")."""
    if not digits:
        return ""
    return "*" * 6 + digits[6:]


class EncryptedTextField(models.TextField):
    """Text that is stored encrypted; Python code sees the plain text.

    The history table copies the field, so history rows hold the ciphertext
    too. Blank stays blank, so "no number" needs no key. A lookup on the
    value cannot work (each encryption differs), so only `isnull` is offered;
    match on a keyed digest instead.
    """

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None
