"""The frontline worker: a half-written draft, the acute notice, the receipt, a question.

Also: the whole filing form with the keyboard alone, every stop showing where focus is.
"""

import re

import pytest

from concerns.models import Concern
from concerns.services import concern_request_info
from partners.demo import DEMO_PASSWORD
from partners.models import User

pytestmark = pytest.mark.browser


def test_frontline_worker_drafts_submits_follows_and_answers(page, demo_data, screenshot):
    page.goto("/")
    page.get_by_label("Brukernavn").fill("trd-frontline")
    page.get_by_label("Passord").fill(DEMO_PASSWORD)
    screenshot("1-sign-in")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(re.compile(r"/$"))

    # Half-written: only a name and what was seen. A draft keeps it, and is hers alone.
    page.get_by_role("link", name="Ny bekymring").click()
    page.get_by_label("Navn", exact=True).fill("Oppdiktet Elev")
    page.get_by_label("Hva har du observert?").fill(
        "Eleven har de siste ukene delt voldelige bilder i klassens chat."
    )
    page.get_by_role("button", name="Lagre som utkast").click()
    page.wait_for_selector(".alert-success")
    draft = Concern.objects.get()
    assert draft.status == Concern.Status.DRAFT

    page.get_by_role("link", name="Mine bekymringer").click()
    page.get_by_role("link", name="Utkast").click()
    assert page.get_by_label("Navn", exact=True).input_value() == "Oppdiktet Elev"
    page.get_by_label("Fødselsår, hvis du ikke vet datoen").fill("2011")
    page.get_by_label("Bydel").select_option(label="Heimdal")
    page.get_by_label("Skole eller arbeidsplass").fill("Oppdiktet ungdomsskole")
    page.get_by_label("Når observerte du det?").fill("2026-11-20")
    page.locator("input[name=phenomenon]").first.check()
    page.locator("input[name=signs]").first.check()
    page.locator("input[name=guardians_informed][value=no]").check()

    # The urgency choices use the form's width (they were once squeezed to a letter's).
    assert page.get_by_text("Akutt: fare nå").bounding_box()["width"] > 80
    # Choosing acute shows the call-112 notice at once; choosing again hides it.
    notice = page.locator("#acute-selected")
    assert notice.is_hidden()
    page.get_by_label("Akutt: fare nå").check()
    assert notice.is_visible()
    screenshot("2-form-acute")
    page.get_by_label("Høy", exact=True).check()
    assert notice.is_hidden()

    page.get_by_role("button", name="Send inn bekymringsmelding").click()
    page.wait_for_url(re.compile(r"/concerns/[0-9a-f-]+/receipt/$"))
    reference = page.get_by_test_id("reference").inner_text().strip()
    assert re.fullmatch(r"BEK-\d{4}-\d{6}", reference)
    # Uteseksjonen has no resource person, so the SLT coordinator takes it,
    # with the phone number from the registry.
    assert "SLT-koordinator" in page.content()
    assert "952 63 621" in page.content()
    screenshot("3-receipt")

    page.get_by_role("main").get_by_role("link", name="Mine bekymringer").click()
    assert reference in page.locator("table").inner_text()
    screenshot("4-my-concerns")
    concern = Concern.objects.get(reference=reference)
    assert concern.pk == draft.pk
    assert concern.history.latest().history_user.username == "trd-frontline"

    # The coordinator asks; she answers from her own case page.
    coordinator = User.objects.get(username="trd-coordinator")
    concern_request_info(concern=concern, actor=coordinator, message="Hvem andre har sett det?")
    page.get_by_role("link", name=reference).click()
    assert "Hvem andre har sett det?" in page.content()
    page.get_by_label("Svaret ditt").fill("To lærere og en miljøterapeut.")
    screenshot("5-answer")
    page.get_by_role("button", name="Send svar").click()
    page.wait_for_selector(".alert-success")
    assert concern.events.filter(text="To lærere og en miljøterapeut.").exists()


FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return {name: "", ring: true};  // not in the page yet
  // Inside a date field (its day, month and year parts, its calendar button)
  // focus is drawn by Chromium itself, on the part; the field no longer matches :focus.
  if (e.type === "date" && !e.matches(":focus")) return {name: "(date part)", ring: true};
  const style = getComputedStyle(e);
  const label = e.labels && e.labels.length ? e.labels[0].innerText : "";
  return {name: (label || e.innerText || e.value || "").trim(),
          ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0};
}"""


def _tab_to(page, name: str, presses: int = 80, prefix: bool = False) -> None:
    """Press Tab until the focused control is named `name`; every stop must show its focus."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["ring"], f"no visible focus on {focused['name']!r}"
        shown = focused["name"].rstrip("*").strip()
        if shown == name or (prefix and shown.startswith(name)):
            return
    raise AssertionError(f"{name!r} cannot be reached with Tab")


def _type_date(page, day: str, month: str, year: str) -> None:
    """Type a date into the focused date field, in whichever order this Chromium shows its parts."""
    page.keyboard.type(day + month + year)
    if page.evaluate("document.activeElement.value") == f"{year}-{month}-{day}":
        return
    page.keyboard.press("Shift+Tab")  # back from the year to the first part
    page.keyboard.press("Shift+Tab")
    page.keyboard.type(month + day + year)
    assert page.evaluate("document.activeElement.value") == f"{year}-{month}-{day}"


# The frontline journey above audits these pages. Chromium stops matching
# :focus on a date field once axe's script has run in the page, which would
# fail the focus-ring check here for a reason no user meets.
@pytest.mark.without_axe
def test_the_whole_filing_journey_works_with_the_keyboard_alone(page, demo_data):
    page.goto("/accounts/login/")
    _tab_to(page, "Brukernavn")
    page.keyboard.type("trd-frontline")
    _tab_to(page, "Passord")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Ny bekymring").wait_for()

    _tab_to(page, "Ny bekymring")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/concerns/new/$"))
    _tab_to(page, "Navn")
    page.keyboard.type("Oppdiktet Tastatur")
    _tab_to(page, "Fødselsår, hvis du ikke vet datoen")
    page.keyboard.type("2010")
    _tab_to(page, "Hva har du observert?")
    page.keyboard.type("Snakker om å skade noen, og viser fram bilder av våpen.")
    _tab_to(page, "Når observerte du det?")
    _type_date(page, "20", "11", "2026")
    _tab_to(page, "Høyreekstremisme")
    page.keyboard.press("Space")
    # Do the guardians know? A radio group: Tab enters it, the arrows choose.
    _tab_to(page, "Ikke aktuelt", prefix=True)
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    assert page.evaluate(FOCUSED)["name"] == "Vet ikke"
    _tab_to(page, "Send inn bekymringsmelding")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/receipt/$"))
    concern = Concern.objects.get()
    assert concern.subject.name == "Oppdiktet Tastatur"
    assert concern.observed_on.isoformat() == "2026-11-20"
    assert concern.guardians_informed == Concern.GuardiansInformed.UNKNOWN


def test_bad_input_in_the_browser_shows_errors_and_saves_nothing(page, demo_data, sign_in):
    sign_in("trd-frontline")
    page.goto("/concerns/new/")
    page.get_by_label("Navn", exact=True).fill("Oppdiktet Elev")
    page.get_by_label("Fødselsdato").fill("2099-01-01")
    page.get_by_label("Fødselsnummer", exact=False).fill("01015560042")
    page.get_by_role("button", name="Send inn bekymringsmelding").click()

    # The summary takes focus, so a screen reader reads what to fix first; each
    # error is tied to its field.
    summary = page.get_by_test_id("error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    birth_date = page.get_by_label("Fødselsdato")
    assert birth_date.get_attribute("aria-invalid") == "true"
    described_by = birth_date.get_attribute("aria-describedby") or ""
    assert any(
        "dato" in page.locator(f"#{part}").inner_text().lower() for part in described_by.split()
    ), "the birth date's error is not linked to the field"
    summary.get_by_role("link", name="Fødselsdato").click()
    assert page.evaluate("document.activeElement.name") == "subject_birth_date"
    assert Concern.objects.count() == 0
