"""A receipt fills its pages before a block moves on: a heading never ends a page, a list of
documents longer than the room left breaks between documents (each with its SHA-256), a
short one is kept whole."""

from __future__ import annotations

from tests.pdf_pages import filled, page_lines, pages_ending_with_a_heading
from tests.receipts.conftest import TEMPLATE_DIR
from wizard.receipts.document import receipt_environment, render_receipt_html
from wizard.receipts.render import render_pdf


def rendered(receipt: dict) -> bytes:
    html = render_receipt_html(receipt, receipt_environment(TEMPLATE_DIR))
    return render_pdf(html, base_url=None, attachments=[])


def test_eighteen_documents_break_between_documents_not_after_their_heading(receipt):
    """Kept whole, the list went to the next page, too tall for it: a page held its heading
    alone, the receipt took four pages."""
    document = receipt["documents"][0]
    pdf = rendered({**receipt, "documents": [document] * 18})
    assert pages_ending_with_a_heading(pdf) == []
    assert len(page_lines(pdf)) == 3
    assert min(filled(pdf)[:-1]) > 0.5  # no page but the last more than half blank
    for lines in page_lines(pdf):  # a file's SHA-256 on the page of its name
        text = " ".join(lines)
        assert text.count(document["filename"]) == text.count(document["sha256"])


def test_a_short_list_of_documents_is_kept_whole(receipt):
    """However far down the first page the list starts, its documents stay together (the
    signatory's title, longer each time, moves it down the page)."""
    pages_seen = set()
    for lines in range(0, 10, 2):
        role = " ".join(["Directrice des affaires réglementaires et de la qualité"] * lines)
        signatory = {**receipt["signatory"], "role": role or "Directrice"}
        pdf = rendered({**receipt, "signatory": signatory, "documents": receipt["documents"][:2]})
        holding = [
            number
            for number, page in enumerate(page_lines(pdf))
            for line in page
            if line.startswith(("Rapport d’évaluation clinique", "Notice d’utilisation"))
        ]
        assert len(holding) == 2 and len(set(holding)) == 1, (lines, holding)
        pages_seen.add(holding[0])
        assert pages_ending_with_a_heading(pdf) == []
    assert pages_seen == {0, 1}, "the range should move the list past the first page's end"


def test_a_global_requests_long_indication_breaks_between_its_lines(receipt):
    """Kept whole with its table, a long indication left a page holding the table's heading
    alone and the next its first row alone: it breaks between its lines, as a decision's."""
    indication = "\n".join(
        f"{number}. Insuffisance cardiaque terminale de l’enfant, critère d’inclusion détaillé."
        for number in range(1, 41)
    )
    pdf = rendered(
        {
            **receipt,
            "access_type": "global",
            "scope": {"indication": indication, "estimated_patients": 12},
        }
    )
    assert pages_ending_with_a_heading(pdf) == []
    assert min(filled(pdf)[:-1]) > 0.5  # no page but the last more than half blank
    text = " ".join(" ".join(lines) for lines in page_lines(pdf))
    assert "40. Insuffisance cardiaque terminale" in text
