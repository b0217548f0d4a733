"""Every UI string is translated to nb and da, and the committed .mo files match the .po files.

The compiled .mo files are committed so that a fresh machine needs no GNU
gettext; `make messages` refreshes both.
"""

from pathlib import Path

import polib
import pytest
from django.urls import reverse

LOCALE = Path(__file__).resolve().parent.parent / "locale"


@pytest.mark.parametrize("language", ["nb", "da"])
def test_every_string_is_translated_and_none_is_fuzzy(language):
    catalogue = polib.pofile(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


@pytest.mark.parametrize("language", ["nb", "da", "en"])
def test_the_compiled_catalogue_matches_the_source(language):
    folder = LOCALE / language / "LC_MESSAGES"
    source = {
        (entry.msgctxt, entry.msgid): entry.msgstr
        for entry in polib.pofile(folder / "django.po").translated_entries()
    }
    compiled = {
        (entry.msgctxt, entry.msgid): entry.msgstr for entry in polib.mofile(folder / "django.mo")
    }
    assert source == compiled, "Run `make messages` to recompile the .mo files."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "sign_out"), [("nb", "Logg ut"), ("da", "Log ud"), ("en", "Sign out")]
)
def test_pages_speak_the_chosen_language(client, people, language, sign_out):
    client.force_login(people.alice)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert sign_out in client.get(reverse("concerns:mine")).content.decode()


def test_norwegian_bokmal_is_the_default(settings):
    assert settings.LANGUAGE_CODE == "nb"
    assert [code for code, _name in settings.LANGUAGES] == ["nb", "da", "en"]
