"""Re-encrypt every national identity number under the current key, and rewrite its digest.

Run after putting a new key first in FIELD_ENCRYPTION_KEYS (the old ones
stay behind it until this has finished), or after changing
NATIONAL_ID_HMAC_KEY. The person rows and their history rows are rewritten in
place, without new history: the number did not change, only its wrapping.
See docs/security.md, "Rotating the keys".
"""

from django.core.management import BaseCommand
from django.db import transaction

from concerns.crypto import keyed_digest
from concerns.models import Subject

BATCH = 500


def _rotate(model, key: str) -> int:
    done = 0
    rows = (
        model.objects.exclude(national_id_digest="").order_by(key).values_list(key, "national_id")
    )
    last = None
    while True:
        batch = list((rows.filter(**{f"{key}__gt": last}) if last is not None else rows)[:BATCH])
        if not batch:
            return done
        with transaction.atomic():
            for row_id, number in batch:
                # Saving through the field encrypts under the first key.
                model.objects.filter(**{key: row_id}).update(
                    national_id=number, national_id_digest=keyed_digest(number)
                )
        done += len(batch)
        last = batch[-1][0]


class Command(BaseCommand):
    help = "Re-encrypt national identity numbers under the current key and rewrite their digests."

    def handle(self, *args, **options):
        people = _rotate(Subject, "pk")
        history = _rotate(Subject.history.model, "history_id")
        self.stdout.write(f"Re-encrypted {people} people and {history} history rows.")
