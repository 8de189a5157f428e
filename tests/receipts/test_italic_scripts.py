"""Text in the script of its author in the italic English lines (`.en`) of a receipt or a
decision (a manufacturer's name, an establishment) is drawn with a font that has its letters.
DejaVu Sans Oblique has no Arabic, which DejaVu Sans has: italic Arabic was drawn with the
oblique face's glyphs of the same numbers (emoji, other scripts). Latin stays italic."""

from __future__ import annotations

import io

from fontTools.ttLib import TTFont
from pypdf import PdfReader

from tests.receipts.conftest import TEMPLATE_DIR
from wizard.receipts.document import receipt_environment
from wizard.receipts.layout import template_geometry
from wizard.receipts.render import render_pdf

ARABIC = "شركة الأجهزة الطبية"
HEBREW = "חברת מכשור רפואי"
PAGE = """<html lang="fr"><head>{% set g = geometry %}{% set running_title = "" %}
{% include "receipts/_style.html" %}</head><body>
<p class="en" lang="en">{{ line }}</p>
<p class="en" lang="en"><b>{{ line }}</b></p>
</body></html>"""


def italic_pdf(line: str) -> bytes:
    """`line` in an English line of the receipts' style, regular and bold."""
    template = receipt_environment(TEMPLATE_DIR).from_string(PAGE)
    html = template.render(geometry=template_geometry(), line=line)
    return render_pdf(html, base_url=None, attachments=[])


def drawn_with(pdf: bytes) -> list[tuple[str, str, set[str]]]:
    """(text, font name, characters that font's embedded program has) for each run of text."""
    runs = []

    def visit(text, _cm, _tm, font, _size):
        if text.strip() and font:
            runs.append((text, str(font["/BaseFont"]).split("+")[-1], _characters(font)))

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return runs


def _characters(font) -> set[str]:
    descendant = font["/DescendantFonts"][0].get_object()
    program = descendant["/FontDescriptor"].get_object()["/FontFile2"].get_object()
    cmap = TTFont(io.BytesIO(program.get_data()))["cmap"].getBestCmap() or {}
    return {chr(code) for code in cmap}


def is_arabic(char: str) -> bool:
    code = ord(char)
    return 0x0600 <= code <= 0x06FF or 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF


def test_arabic_in_an_english_line_is_drawn_with_a_font_that_has_it():
    runs = drawn_with(italic_pdf(f"Manufacturer {ARABIC}, {HEBREW}"))
    arabic_runs = [(font, chars) for text, font, chars in runs if ARABIC in text]
    assert len(arabic_runs) == 2  # regular and bold
    for font, chars in arabic_runs:
        drawn = {char for char in chars if not char.isspace()}
        assert drawn and all(is_arabic(char) for char in drawn), (font, "".join(sorted(drawn)))
    # Latin and Hebrew are still drawn slanted.
    slanted = {font for text, font, _chars in runs if "Manufacturer" in text or HEBREW in text}
    assert slanted == {"DejaVu-Sans-Oblique", "DejaVu-Sans-Bold-Oblique"}
