"""A word longer than its line (an address pasted whole, a name typed without spaces) is
broken where the line ends, in the receipt and in a decision (tests/review/
test_decision_pdf.py): a signed act shows all of what it states. The text is read as a
person sees it (`pdftotext` keeps what lies inside the page only), its line breaks taken
out."""

from __future__ import annotations

import subprocess

from tests.receipts.conftest import TEMPLATE_DIR
from wizard.receipts.document import receipt_environment, render_receipt_html
from wizard.receipts.render import render_pdf

URL = "https://clinicaltrials.example/study?id=" + "0123456789abcdef" * 14
NAME = "Ultra" + "Long" * 45


def seen(pdf: bytes) -> str:
    """The text inside the pages, as one string without spaces or line breaks."""
    text = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return "".join(text.split()).replace("\u00ad", "")


def test_a_receipt_shows_a_device_name_longer_than_its_line(receipt):
    filed = {**receipt, "device": {**receipt["device"], "trade_name": NAME, "model": URL}}
    pdf = render_pdf(
        render_receipt_html(filed, receipt_environment(TEMPLATE_DIR)), base_url=None, attachments=[]
    )
    assert NAME in seen(pdf) and URL in seen(pdf)
