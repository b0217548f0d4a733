"""axe-core on every page a journey visits: WCAG 2.1 A and AA, serious and critical fail.

`Audit.watch(page)` runs axe each time the page finishes loading (every
navigation, redirect targets included). The problems are collected and
reported together when the journey ends, with the rule, the page and the
offending element, so one run shows everything to fix.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}

_axe = Axe()
DUPLICATE_IDS = """() => {
  const seen = new Set(), twice = new Set();
  document.querySelectorAll("[id]").forEach((e) => (seen.has(e.id) ? twice : seen).add(e.id));
  return [...twice];
}"""


@dataclass
class Audit:
    # (rule, impact, element) -> the paths it was found on; one line per element
    found: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)
    pages_checked: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("load", lambda loaded: self._check_quietly(loaded))

    def _check_quietly(self, page) -> None:
        try:
            self._check(page)
        except Exception as error:  # noqa: BLE001
            # A page left (or a tab closed) mid-audit: the next page is audited on arrival.
            if not any(sign in str(error) for sign in ("destroyed", "navigat", "closed")):
                raise

    def _check(self, page) -> None:
        if page.url.startswith("about:"):
            return
        violations = _axe.run(page, options=AXE_OPTIONS).response["violations"]
        self.pages_checked.append(page.url)
        # axe 4.x no longer reports duplicate ids, but a label then names the wrong field.
        for duplicate in page.evaluate(DUPLICATE_IDS):
            self.found.setdefault(("duplicate-id", "serious", f'id="{duplicate}"'), []).append(
                urlsplit(page.url).path
            )
        for violation in violations:
            if violation["impact"] not in FAILING_IMPACTS:
                continue
            for node in violation["nodes"]:
                summary = node.get("failureSummary", "").replace("\n", " ")[:240]
                key = (violation["id"], violation["impact"], f"{node['html'][:160]} → {summary}")
                self.found.setdefault(key, []).append(urlsplit(page.url).path)

    @property
    def problems(self) -> list[str]:
        return [
            f"{rule} ({impact}) on {', '.join(sorted(set(paths)))}: {element}"
            for (rule, impact, element), paths in self.found.items()
        ]

    def report(self) -> str:
        problems = self.problems
        return f"{len(problems)} accessibility problems:\n" + "\n".join(problems)
