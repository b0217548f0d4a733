"""Plain PDF/A documents: a title, sections of heading and text, a footer.

Used for the documents of an archive export and for a case's chronology. The
text is set in Source Sans Pro (SIL Open Font License, shipped by the
`font-source-sans-pro` package): fpdf2's built-in fonts know Latin-1 only, and
names like "Åse Ødegård – Ğül" must print as they are written.
"""

import datetime
import logging
from importlib import resources
from xml.sax.saxutils import escape

from fpdf import FPDF
from fpdf.enums import XPos, YPos

# fontTools tells of every table it prunes while subsetting a font, at INFO;
# a worker delivering a backlog of packages would log little else.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_FAMILY = "SourceSansPro"
_FONT_FILES = {"": "SourceSansPro-Regular.ttf", "B": "SourceSansPro-Bold.ttf"}


CREATOR = "bekymring"


def _xmp(*, title: str, created: datetime.datetime) -> str:
    """PDF/A's metadata, dated by `created` alone.

    fpdf2 would stamp the modification date with the clock; written here, the
    same document gives the same bytes.
    """
    stamp = created.astimezone(datetime.UTC).isoformat(timespec="seconds")
    return "\n".join(
        [
            '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
            '  <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"',
            '    xmlns:dc="http://purl.org/dc/elements/1.1/"',
            '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
            '    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">',
            '    <rdf:Description rdf:about=""',
            f'      xmp:CreatorTool="{CREATOR}" xmp:CreateDate="{stamp}"',
            f'      xmp:ModifyDate="{stamp}" xmp:MetadataDate="{stamp}">',
            "      <pdfaid:part>2</pdfaid:part>",
            "      <pdfaid:conformance>B</pdfaid:conformance>",
            '      <dc:title><rdf:Alt><rdf:li xml:lang="x-default">'
            f"{escape(title)}</rdf:li></rdf:Alt></dc:title>",
            "    </rdf:Description>",
            "  </rdf:RDF>",
            "</x:xmpmeta>",
        ]
    )


def _font_path(file_name: str) -> str:
    return str(resources.files("font_source_sans_pro") / "files" / file_name)


class _Document(FPDF):
    def __init__(self, footer_text: str):
        # PDF/A-2b: the format the archives take in for long-term keeping.
        super().__init__(format="A4", enforce_compliance="PDFA_2B")
        self.footer_text = footer_text
        for style, file_name in _FONT_FILES.items():
            self.add_font(FONT_FAMILY, style=style, fname=_font_path(file_name))
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(auto=True, margin=20)
        self.alias_nb_pages()

    def footer(self):
        self.set_y(-14)
        self.set_font(FONT_FAMILY, size=8)
        self.set_text_color(90, 90, 90)
        text = f"{self.footer_text}   {self.page_no()}/{{nb}}".strip()
        self.cell(0, 6, text, align="R")


def document_pdf(
    *,
    title: str,
    sections: list[tuple[str, str]],
    footer: str = "",
    created: datetime.datetime | None = None,
) -> bytes:
    """A4 PDF with a title and, for each section, its heading and its text.

    `created` is written as the file's creation date; give a fixed one (a
    case's closing time) and the same input gives the same bytes, which an
    archive package with checksums needs. A section with an empty heading is
    plain text; an empty text prints as a dash so a heading is never orphaned.
    """
    created = created or datetime.datetime.now(datetime.UTC)
    pdf = _Document(footer)
    pdf.set_creation_date(created)
    pdf.set_title(title)
    pdf.set_creator(CREATOR)
    pdf.set_xmp_metadata(_xmp(title=title, created=created))
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, style="B", size=16)
    pdf.multi_cell(0, 8, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    for heading, text in sections:
        if heading:
            pdf.set_font(FONT_FAMILY, style="B", size=11)
            pdf.multi_cell(0, 6, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT_FAMILY, size=11)
        pdf.multi_cell(0, 6, text or "–", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
    return bytes(pdf.output())
