"""How the text of a receipt or a decision falls on its pages, as a reader sees it (poppler's
`pdftotext`): each page's lines, its footer left out, and how far down the page they go."""

from __future__ import annotations

import re
import subprocess

from wizard.receipts.layout import MARGIN_BOTTOM, MARGIN_TOP, PAGE_HEIGHT

# The headings of the receipt and of the decisions, as a line of `pdftotext -layout` reads.
HEADINGS = re.compile(
    r"(Dépôt / Submission|Dispositif / Device|Demande / Request"
    r"|Documents déposés / Documents filed"
    r"|Lettres de professionnels de santé / Healthcare professionals' letters"
    r"|Empreinte des réponses / Fingerprint of the answers"
    r"|Décision / Decision|Retrait / Withdrawal|Motif du retrait / Reason for the withdrawal"
    r"|Voies et délais de recours / How to challenge this decision"
    r"|Considérant ce qui suit : Whereas:|Décide : Decides:|Article 1(er)? / Article \d+)"
)
FOOTER = re.compile(r"Page \d+ / \d+$")


def page_lines(pdf: bytes) -> list[list[str]]:
    """Each page's lines of text, spaces collapsed, blank lines and the footer left out."""
    text = _pdftotext(pdf, "-layout")
    return [
        [line for line in (" ".join(raw.split()) for raw in page.splitlines()) if line]
        for page in text.split("\f")[:-1]
    ]


def pages_ending_with_a_heading(pdf: bytes) -> list[tuple[int, str]]:
    """(page number, heading) of each page whose text ends with a heading."""
    ends = [
        (number, [line for line in lines if not FOOTER.search(line)][-1])
        for number, lines in enumerate(page_lines(pdf), start=1)
    ]
    return [(number, last) for number, last in ends if HEADINGS.fullmatch(last)]


def filled(pdf: bytes) -> list[float]:
    """How far down each page its text goes, as a share of the page's content area (1: to
    its foot; the last page's seal note always sits there)."""
    bottom = PAGE_HEIGHT - MARGIN_BOTTOM
    pages = _pdftotext(pdf, "-bbox").split("<page ")[1:]
    shares = []
    for page in pages:
        lows = [float(y) for y in re.findall(r'yMax="([\d.]+)"', page) if float(y) <= bottom + 2]
        shares.append((max(lows, default=MARGIN_TOP) - MARGIN_TOP) / (bottom - MARGIN_TOP))
    return shares


def _pdftotext(pdf: bytes, mode: str) -> str:
    return subprocess.run(
        ["pdftotext", mode, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
