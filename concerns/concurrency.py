"""Two people changing one record at once: the second, stale change is refused, not a 500.

Records that people change from a page carry a `version`. The page sends the
version it showed; the service locks the row, re-reads it, and refuses the
change if the version moved on in the meantime, naming who moved it.
"""

import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _


class StaleChange(Exception):
    """The record changed after the user loaded the page; nothing was saved."""

    def __init__(self, *, changed_by: str, changed_at: datetime.datetime | None):
        self.changed_by = changed_by
        self.changed_at = changed_at
        super().__init__(self.message())

    def message(self) -> str:
        if self.changed_at is None:
            return _("Someone else changed this while you were working on it. Nothing was saved.")
        return _(
            "%(name)s changed this at %(time)s while you were working on it. Nothing was "
            "saved; the page now shows the current state."
        ) % {
            "name": self.changed_by,
            "time": formats.time_format(timezone.localtime(self.changed_at), "H:i"),
        }


def ensure_current(obj, expected_version: int | None) -> None:
    """Raise StaleChange unless the locked, freshly read `obj` is the version the user saw."""
    if expected_version is None or obj.version == expected_version:
        return
    latest = obj.history.select_related("history_user").order_by("-history_date").first()
    user = latest.history_user if latest is not None else None
    raise StaleChange(
        changed_by=(user.get_full_name() or user.username) if user else _("Someone"),
        changed_at=latest.history_date if latest is not None else None,
    )
