"""Storing attachments, and taking them away again.

Uploads reach these functions already checked (concerns.uploads). A file is
written under a generated name before its row; if anything later in the
request fails, `files_kept_only_on_success` removes what was written, and the
daily retention run removes any file a crash left without a row.
"""

import contextlib
import contextvars
import hashlib
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concerns.models import Attachment, CaseActivity, CaseEvent, Concern
from concerns.permissions import Action, can_edit_draft, ensure_can
from concerns.uploads import MAX_PER_CONCERN, Kind, storage
from partners.models import User

_written: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "attachments_written", default=None
)


@contextlib.contextmanager
def files_kept_only_on_success():
    """Around a request's transaction: files written inside it go again if it fails."""
    token = _written.set([])
    try:
        yield
    except BaseException:
        for name in _written.get() or []:
            storage().delete(name)
        raise
    finally:
        _written.reset(token)


def _store(upload) -> tuple[str, str]:
    """Write the upload under a new random name; its name and SHA-256."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = storage().save(f"{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}", upload)
    written = _written.get()
    if written is not None:
        written.append(name)
    return name, digest.hexdigest()


@transaction.atomic
def attachments_add(
    *,
    concern: Concern,
    actor: User,
    files: list[tuple[object, str, Kind]],
    event: CaseEvent | None = None,
    activity: CaseActivity | None = None,
) -> list[Attachment]:
    """Add checked files to a concern: the reporter's to her draft, a handler's to a note or an
    activity. At most MAX_PER_CONCERN in all, counted under the concern's row lock."""
    if not files:
        return []
    if event is None and activity is None:
        if not can_edit_draft(actor, concern):
            raise PermissionDenied(_("Only the reporter can add files to her draft."))
    else:
        ensure_can(actor, Action.HANDLE, concern)
    # The concern's row lock makes two uploads at once count each other's files.
    Concern.objects.select_for_update().values_list("pk", flat=True).get(pk=concern.pk)
    room = MAX_PER_CONCERN - Attachment.objects.filter(concern=concern).count()
    if len(files) > room:
        raise ValidationError(
            ngettext(
                "A concern holds at most %(max)d files; %(room)d more can be added.",
                "A concern holds at most %(max)d files; %(room)d more can be added.",
                room,
            )
            % {"max": MAX_PER_CONCERN, "room": max(room, 0)},
            code="attachment_count",
        )
    added = []
    for upload, name, kind in files:
        stored_name, sha256 = _store(upload)
        attachment = Attachment(
            concern=concern,
            event=event,
            activity=activity,
            name=name,
            kind=kind.code,
            size=upload.size,
            sha256=sha256,
            stored_name=stored_name,
            uploaded_by=actor,
        )
        attachment._history_user = actor
        attachment.save()
        added.append(attachment)
    return added


@transaction.atomic
def attachment_remove_from_draft(*, attachment: Attachment, actor: User) -> None:
    """The reporter takes a file off her own draft; nobody else has seen it."""
    concern = attachment.concern
    if not can_edit_draft(actor, concern):
        raise PermissionDenied(_("Only the reporter can remove files from her draft."))
    stored_name = attachment.stored_name
    attachment._history_user = actor
    attachment.delete()
    transaction.on_commit(lambda: storage().delete(stored_name))
