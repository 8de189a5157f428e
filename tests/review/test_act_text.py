"""How the act writes what the reviewer typed, in the signed PDF and on the page that reads it
back before it is signed: ANSM's indication with its line breaks."""

from __future__ import annotations

import html
import re

from tests.pdf_pages import page_lines
from tests.review.support import act
from tests.review.test_authorisation import read_back

INDICATION = (
    "Insuffisance cardiaque terminale de l’enfant.\n"
    "Enfants de moins de 20 kg en attente de greffe.\n"
    "Hors contre-indication à l’anticoagulation."
)


def test_the_indication_keeps_its_line_breaks(reviewer, manufacturer, submitted_global):
    act(reviewer, submitted_global, "start-review")
    _typed, shown = read_back(reviewer, submitted_global, indication=INDICATION)
    # Read back as the portal shows the request's own (`.pre-line`), its lines kept.
    quoted = re.findall(r'<span class="pre-line">([^<]*)</span>', html.unescape(shown.text))
    assert quoted == [INDICATION.removesuffix("."), INDICATION.removesuffix(".")]
    act(reviewer, submitted_global, "authorise", indication=INDICATION)
    pdf = manufacturer.get(f"/requests/{submitted_global}/decisions/1.pdf").data
    lines = [line for page in page_lines(pdf) for line in page]
    # Its second line starts a line of the act, in French and in English.
    assert lines.count("Enfants de moins de 20 kg en attente de greffe.") == 2
