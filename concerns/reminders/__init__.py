"""Follow-up reminders and notifications: deadlines in the database, swept by Celery beat.

- engine.py: the provider registry, the sweep and set-based reminder creation;
- providers.py: this app's deadlines (other apps register theirs, e.g. referrals);
- outbox.py: what a request causes people to be told, and acute alerts at once;
- delivery.py: bells and e-mails, for one reminder or a backlog, exactly once;
- digest.py: the coordinators' weekly digest.
- reviews.py: the reviews of a case closed after its support ended.
"""

from concerns.reminders import (
    providers,  # noqa: F401 - registers this app's deadlines
    reviews,  # noqa: F401 - registers the review reminders
)
from concerns.reminders.delivery import (
    deliver,
    deliver_pending,
    email_text,
    enqueue_delivery,
    language_for,
    notification_preferences_save,
    preference_for,
    ring_bells,
)
from concerns.reminders.digest import create_weekly_digests, digest_for
from concerns.reminders.engine import (
    BATCH_SIZE,
    Due,
    Recipients,
    Window,
    create_reminders,
    not_yet_reminded,
    provider,
    sweep,
)
from concerns.reminders.outbox import alert_now, outbox_add, process_outbox

__all__ = [
    "BATCH_SIZE",
    "Due",
    "Recipients",
    "Window",
    "alert_now",
    "create_reminders",
    "create_weekly_digests",
    "deliver",
    "deliver_pending",
    "digest_for",
    "email_text",
    "enqueue_delivery",
    "language_for",
    "not_yet_reminded",
    "notification_preferences_save",
    "outbox_add",
    "preference_for",
    "process_outbox",
    "provider",
    "ring_bells",
    "sweep",
]
