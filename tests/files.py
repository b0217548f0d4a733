"""Small invented files for upload tests: each starts as its kind does, and holds no one's data."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from concerns.uploads import check_upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n% oppdiktet\n%%EOF\n"
TXT = b"Skjermbilde av chatten, skrevet av: Oppdiktet Elev\n"


def docx(parts: dict[str, bytes] | None = None) -> bytes:
    parts = parts or {
        "[Content_Types].xml": b"<Types/>",
        "word/document.xml": b"<w:document>Oppdiktet</w:document>",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def checked(name: str, content: bytes):
    """An upload as a form hands it to a service: (file, clean name, kind)."""
    file = upload(name, content)
    return (file, *check_upload(file))
