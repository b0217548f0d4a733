"""Attachments: checked by content, stored under a generated name outside every served
directory, and opened only through a view that applies the case's rule."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from concerns.models import AccessLog, Attachment, CaseEvent, Concern
from concerns.services import concern_add_note
from concerns.uploads import MAX_PER_CONCERN, MAX_SIZE, check_upload
from partners.models import User
from tests import files
from tests.factories import UserFactory
from tests.files import checked, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(settings, tmp_path) -> Path:
    root = tmp_path / "attachments"
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def _stored(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def demo(db):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    return {user.username: user for user in User.objects.all()}


def _filing(concern_form_data, demo) -> dict:
    municipality = demo["trd-frontline"].organisation.municipalities.get()
    return concern_form_data(municipality=municipality.pk, subject_district=None)


def _file_concern(client, demo, concern_form_data, *uploads) -> Concern:
    client.force_login(demo["trd-frontline"])
    data = {**_filing(concern_form_data, demo), "attachments": list(uploads)}
    response = client.post(reverse("concerns:new"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Concern.objects.get(reporter=demo["trd-frontline"])


# --- filing with a file ----------------------------------------------------------------


def test_a_reporter_attaches_a_screenshot_when_filing(client, demo, concern_form_data, store):
    concern = _file_concern(
        client, demo, concern_form_data, upload("skjermbilde.png", files.PNG, "image/png")
    )
    attachment = concern.attachments.get()
    assert (attachment.name, attachment.kind, attachment.size) == (
        "skjermbilde.png",
        "png",
        len(files.PNG),
    )
    assert attachment.uploaded_by == demo["trd-frontline"]
    [path] = _stored(store)
    assert path.read_bytes() == files.PNG
    # Stored under a generated name: nothing of the file's own name reaches the disk.
    assert "skjermbilde" not in str(path) and path.name == attachment.stored_name.split("/")[-1]


BAD_UPLOADS = {
    "a renamed executable": ("skjermbilde.png", b"MZ\x90\x00\x03" + b"\x00" * 60),
    "an SVG": ("bilde.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
    "an SVG renamed to text": ("notat.txt", b'<?xml version="1.0"?><svg><script/></svg>'),
    "an HTML page renamed to text": ("notat.txt", b"<html><script>alert(1)</script></html>"),
    "binary renamed to text": ("notat.txt", b"tekst\x00\x01\x02"),
    "a PDF that is not one": ("rapport.pdf", b"<html>not a pdf</html>"),
    "an over-size file": ("stor.pdf", b"%PDF-1.7\n" + b"0" * MAX_SIZE),
    "an empty file": ("tom.pdf", b""),
    "a zip that is not a Word document": ("brev.docx", files.docx({"a.txt": b"hei"})),
    "a zip bomb disguised as DOCX": (
        "brev.docx",
        files.docx(
            {
                "[Content_Types].xml": b"<Types/>",
                "word/document.xml": b"\x00" * (60 * 1024 * 1024),
            }
        ),
    ),
    "a Word document with macros": (
        "brev.docx",
        files.docx(
            {
                "[Content_Types].xml": b"<Types/>",
                "word/document.xml": b"<w:document/>",
                "word/vbaProject.bin": b"macro",
            }
        ),
    ),
    "a hidden file name": (".htaccess.txt", b"Deny from all"),
}


@pytest.mark.parametrize("kind", list(BAD_UPLOADS))
def test_a_bad_upload_is_refused_with_nothing_stored_and_the_form_kept(
    client, demo, concern_form_data, store, kind
):
    name, content = BAD_UPLOADS[kind]
    client.force_login(demo["trd-frontline"])
    data = {**_filing(concern_form_data, demo), "attachments": [upload(name, content)]}
    response = client.post(reverse("concerns:new"), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "is-invalid" in page  # the field says what is wrong
    assert data["observations"] in page  # and everything typed is still there
    assert not Concern.objects.exists()
    assert not Attachment.objects.exists()
    assert _stored(store) == []


@pytest.mark.parametrize(
    "name", ["../../etc/passwd.txt", "..\\..\\boot.ini.txt", "undermappe/notat.txt", "..", ""]
)
def test_a_name_that_points_elsewhere_is_refused(name):
    # Browsers, Django's parser and UploadedFile already cut a path down to its
    # last part; should anything upstream let one through, the check refuses it.
    file = upload("notat.txt", files.TXT)
    file._name = name  # past UploadedFile's own clean-up, as a raw name would be
    with pytest.raises(ValidationError):
        check_upload(file)


def test_what_arrives_with_a_path_is_stored_under_a_generated_name(
    client, demo, concern_form_data, store
):
    concern = _file_concern(
        client, demo, concern_form_data, upload("../../../../tmp/notat.txt", files.TXT)
    )
    [path] = _stored(store)
    assert path.is_relative_to(store)
    assert concern.attachments.get().name == "notat.txt"


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("notat.txt", files.TXT, "txt"),
        ("rapport.pdf", files.PDF, "pdf"),
        ("bilde.JPG", files.JPEG, "jpeg"),
        ("brev.docx", files.docx(), "docx"),
    ],
)
def test_every_allowed_kind_is_accepted_by_its_content(name, content, kind):
    assert check_upload(upload(name, content, "text/html"))[1].code == kind


def test_more_than_ten_files_are_refused(client, demo, concern_form_data, store):
    many = [upload(f"bilde-{n}.png", files.PNG) for n in range(MAX_PER_CONCERN + 1)]
    client.force_login(demo["trd-frontline"])
    response = client.post(
        reverse("concerns:new"), {**_filing(concern_form_data, demo), "attachments": many}
    )
    assert response.status_code == 200
    assert not Attachment.objects.exists() and _stored(store) == []


# --- opening a file ----------------------------------------------------------------------


def _url(concern, attachment) -> str:
    return reverse("concerns:attachment", args=[concern.public_id, attachment.public_id])


def test_the_reporter_and_the_coordinator_open_it_as_a_download(
    client, demo, concern_form_data, store
):
    concern = _file_concern(
        client, demo, concern_form_data, upload("skjermbilde.png", files.PNG, "text/html")
    )
    attachment = concern.attachments.get()
    mine = client.get(_url(concern, attachment))
    assert mine.status_code == 200
    assert b"".join(mine.streaming_content) == files.PNG
    assert mine["Content-Type"] == "image/png"  # what the content is, not what the browser said
    assert mine["Content-Disposition"].startswith("attachment;")
    assert mine["X-Content-Type-Options"] == "nosniff"

    coordinator = demo["trd-coordinator"]
    client.force_login(coordinator)
    client.post(
        reverse("concerns:purpose", args=[concern.public_id]),
        {"reason": "Vurdering av bekymringen"},
    )
    page = client.get(reverse("concerns:detail", args=[concern.public_id])).content.decode()
    assert _url(concern, attachment) in page
    opened = client.get(_url(concern, attachment))
    assert opened.status_code == 200
    assert AccessLog.objects.filter(user=coordinator, view="attachment").exists()


@pytest.mark.parametrize("outsider", ["trd-frontline-colleague", "aal-coordinator", "trd-admin"])
def test_an_outsider_gets_404(client, demo, concern_form_data, store, outsider):
    concern = _file_concern(client, demo, concern_form_data, upload("notat.txt", files.TXT))
    attachment = concern.attachments.get()
    # A colleague holds a role like everyone who gets past the waiting page
    # (partners.identity.middleware.RoleRequiredMiddleware).
    user = demo.get(outsider) or UserFactory(
        username=outsider, organisation=demo["trd-frontline"].organisation
    )
    client.force_login(user)
    response = client.get(_url(concern, attachment))
    assert response.status_code == 404
    assert files.TXT not in response.content


def test_a_guessed_file_id_gets_404_even_on_ones_own_concern(
    client, demo, concern_form_data, store
):
    concern = _file_concern(client, demo, concern_form_data, upload("notat.txt", files.TXT))
    response = client.get(
        reverse(
            "concerns:attachment",
            args=[concern.public_id, "00000000-0000-4000-8000-000000000000"],
        )
    )
    assert response.status_code == 404


def test_a_file_of_another_concern_cannot_be_reached_through_ones_own(
    client, demo, concern_form_data, store
):
    mine = _file_concern(client, demo, concern_form_data, upload("notat.txt", files.TXT))
    client.force_login(demo["aal-frontline"])
    municipality = demo["aal-frontline"].organisation.municipalities.get()
    data = concern_form_data(municipality=municipality.pk, subject_district=None)
    data["attachments"] = [upload("hemmelig.txt", b"Andres fil\n")]
    assert client.post(reverse("concerns:new"), data).status_code == 302
    theirs = Attachment.objects.get(name="hemmelig.txt")
    client.force_login(demo["trd-frontline"])
    assert client.get(_url(mine, theirs)).status_code == 404


# --- notes and drafts --------------------------------------------------------------------


def test_a_handler_attaches_a_file_to_a_note(client, demo, concern_form_data, store):
    concern = _file_concern(client, demo, concern_form_data)
    coordinator = demo["trd-coordinator"]
    client.force_login(coordinator)
    client.post(
        reverse("concerns:purpose", args=[concern.public_id]), {"reason": "Oppfølging av saken"}
    )
    response = client.post(
        reverse("concerns:action", args=[concern.public_id, "note"]),
        {"text": "Referat fra samtalen.", "attachments": [upload("referat.pdf", files.PDF)]},
    )
    assert response.status_code == 302
    attachment = concern.attachments.get()
    assert attachment.event.kind == CaseEvent.Kind.NOTE
    assert attachment.uploaded_by == coordinator


def test_a_refused_file_on_a_note_saves_neither_note_nor_file(
    client, demo, concern_form_data, store
):
    concern = _file_concern(client, demo, concern_form_data)
    client.force_login(demo["trd-coordinator"])
    client.post(
        reverse("concerns:purpose", args=[concern.public_id]), {"reason": "Oppfølging av saken"}
    )
    response = client.post(
        reverse("concerns:action", args=[concern.public_id, "note"]),
        {"text": "Referat fra samtalen.", "attachments": [upload("referat.pdf", b"MZ\x90")]},
    )
    assert response.status_code == 400
    assert "Referat fra samtalen." in response.content.decode()
    assert not concern.events.filter(kind=CaseEvent.Kind.NOTE).exists()
    assert _stored(store) == []


def test_the_service_counts_every_file_of_the_concern(demo, concern_form_data, client, store):
    concern = _file_concern(
        client,
        demo,
        concern_form_data,
        *[upload(f"bilde-{n}.png", files.PNG) for n in range(MAX_PER_CONCERN)],
    )
    with pytest.raises(ValidationError):
        concern_add_note(
            concern=concern,
            actor=demo["trd-coordinator"],
            text="Ett vedlegg til",
            files=[checked("ett-til.pdf", files.PDF)],
        )
    assert concern.attachments.count() == MAX_PER_CONCERN


def test_a_draft_keeps_its_files_and_the_reporter_can_remove_one(
    client, demo, concern_form_data, store
):
    client.force_login(demo["trd-frontline"])
    data = {
        **_filing(concern_form_data, demo),
        "action": "draft",
        "attachments": [upload("en.txt", files.TXT), upload("to.txt", files.TXT)],
    }
    assert client.post(reverse("concerns:new"), data).status_code == 302
    concern = Concern.objects.get()
    first = concern.attachments.get(name="en.txt")
    edit = reverse("concerns:edit", args=[concern.public_id])
    assert "en.txt" in client.get(edit).content.decode()

    data = {
        **_filing(concern_form_data, demo),
        "action": "submit",
        "version": concern.version,
        "remove_attachments": [str(first.public_id), "not-a-uuid"],
    }
    assert client.post(edit, data).status_code == 302
    assert list(concern.attachments.values_list("name", flat=True)) == ["to.txt"]


def test_the_docx_check_reads_the_directory_not_the_name():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("[Content_Types].xml", b"<Types/>")
        zipped.writestr("word/document.xml", b"<w:document/>")
    assert check_upload(upload("brev.docx", archive.getvalue()))[1].code == "docx"
    with pytest.raises(ValidationError):
        check_upload(upload("brev.pdf", archive.getvalue()))
