"""What an attachment may be, decided by its content: the checks every upload passes first.

A file is accepted only if its name ends in an allowed extension AND its
first bytes (or, for DOCX, its zip directory) are what that kind of file
starts with. The browser's content type is never asked. A file that fails any
check is refused with a message saying why, before anything is stored.
"""

import unicodedata
import zipfile
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

MAX_SIZE = 10 * 1024 * 1024
MAX_PER_CONCERN = 10
NAME_MAX_LENGTH = 150
# A DOCX is a zip: what it may unpack to, and how far any one part may
# expand (text compresses about 10×; a zip bomb thousands of times).
DOCX_MAX_UNPACKED = 50 * 1024 * 1024
DOCX_MAX_PARTS = 1000
DOCX_MAX_RATIO = 100


@dataclass(frozen=True)
class Kind:
    code: str
    content_type: str
    extensions: tuple[str, ...]


PDF = Kind("pdf", "application/pdf", (".pdf",))
PNG = Kind("png", "image/png", (".png",))
JPEG = Kind("jpeg", "image/jpeg", (".jpg", ".jpeg"))
DOCX = Kind(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
TXT = Kind("txt", "text/plain; charset=utf-8", (".txt",))
KINDS = {kind.code: kind for kind in (PDF, PNG, JPEG, DOCX, TXT)}
_BY_EXTENSION = {extension: kind for kind in KINDS.values() for extension in kind.extensions}
ALLOWED_TEXT = _("PDF, PNG, JPEG, DOCX or TXT")


def storage():
    """Where attachments live: settings.STORAGES["attachments"], never a served directory."""
    return storages["attachments"]


def file_response(attachment) -> FileResponse:
    """The file as a download: never shown inline, never sniffed, never cached."""
    try:
        handle = storage().open(attachment.stored_name, "rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=KINDS[attachment.kind].content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _refuse(name: str, message) -> ValidationError:
    return ValidationError(
        _("%(name)s: %(problem)s") % {"name": name or _("A file"), "problem": message},
        code="attachment",
    )


def clean_name(raw: str) -> str:
    """The file's own name as the user gave it, or a refusal if it could point anywhere else."""
    name = unicodedata.normalize("NFC", raw or "").strip()
    if (
        not name
        or name.startswith(".")
        or any(separator in name for separator in ("/", "\\"))
        or any(unicodedata.category(char)[0] == "C" for char in name)
    ):
        raise _refuse(name, _("the file name is not allowed. Rename the file and try again."))
    if len(name) > NAME_MAX_LENGTH:
        raise _refuse(
            name[:40] + "…",
            _("the file name is longer than %(max)d characters.") % {"max": NAME_MAX_LENGTH},
        )
    return name


def _head(upload, size: int = 16) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _is_docx(upload) -> str | None:
    """None if the upload is a plain Word document; otherwise what is wrong with it."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            parts = archive.infolist()
            names = {part.filename for part in parts}
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                return _("the file is not a Word document.")
            if any(name.endswith("vbaProject.bin") for name in names):
                return _("Word documents with macros are not accepted.")
            unpacked = sum(part.file_size for part in parts)
            too_packed = any(
                part.file_size > DOCX_MAX_RATIO * max(part.compress_size, 1)
                and part.file_size > 1024 * 1024
                for part in parts
            )
            if len(parts) > DOCX_MAX_PARTS or unpacked > DOCX_MAX_UNPACKED or too_packed:
                return _("the document unpacks to far more than its size; it is not accepted.")
    except (zipfile.BadZipFile, OSError, ValueError):
        return _("the file is not a Word document.")
    finally:
        upload.seek(0)
    return None


def _is_text(upload) -> str | None:
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _("the file is not plain text (UTF-8).")
    if any(ord(char) < 32 and char not in "\t\n\r\f" for char in text):
        return _("the file is not plain text.")
    start = text.lstrip()[:1024].lower()
    if start.startswith("<") and any(tag in start for tag in ("<svg", "<html", "<script", "<?xml")):
        return _("the file is a web page or an image in SVG, not plain text.")
    return None


def _content_matches(kind: Kind, upload) -> str | None:
    head = _head(upload)
    if kind is PDF:
        return None if head.startswith(b"%PDF-") else _("the file is not a PDF.")
    if kind is PNG:
        return None if head.startswith(b"\x89PNG\r\n\x1a\n") else _("the file is not a PNG image.")
    if kind is JPEG:
        return None if head.startswith(b"\xff\xd8\xff") else _("the file is not a JPEG image.")
    if kind is DOCX:
        return _is_docx(upload)
    return _is_text(upload)


def check_upload(upload) -> tuple[str, Kind]:
    """The upload's clean name and kind, or a ValidationError saying what is wrong."""
    name = clean_name(upload.name)
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = _BY_EXTENSION.get(extension)
    if kind is None:
        raise _refuse(
            name, _("this kind of file is not accepted. Use %(kinds)s.") % {"kinds": ALLOWED_TEXT}
        )
    if upload.size == 0:
        raise _refuse(name, _("the file is empty."))
    if upload.size > MAX_SIZE:
        raise _refuse(name, _("the file is larger than 10 MB."))
    problem = _content_matches(kind, upload)
    if problem is not None:
        raise _refuse(name, problem)
    return name, kind


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Any number of files in one input, each checked by check_upload()."""

    widget = MultipleFileInput

    def __init__(self, *args, limit: int = MAX_PER_CONCERN, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Attachments"))
        kwargs.setdefault(
            "help_text",
            _(
                "Optional: a screenshot or a document, up to 10 MB each (%(kinds)s). "
                "If the form has an error, choose the files again."
            )
            % {"kinds": ALLOWED_TEXT},
        )
        self.limit = limit
        super().__init__(*args, **kwargs)
        self.widget.attrs["accept"] = ",".join(_BY_EXTENSION)

    def clean(self, data, initial=None):
        uploads = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if len(uploads) > self.limit:
            raise ValidationError(
                ngettext(
                    "You can add %(count)d more file to this concern.",
                    "You can add %(count)d more files to this concern.",
                    self.limit,
                )
                % {"count": self.limit},
                code="attachment_count",
            )
        errors, accepted = [], []
        for upload in uploads:
            try:
                accepted.append((upload, *check_upload(upload)))
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)
        return accepted
