"""How the act writes what the reviewer typed, in the signed PDF and on the page that reads it
back before it is signed: ANSM's indication with its line breaks, numbers grouped as each
language groups them ("100 000" in French, with narrow no-break spaces; "100,000")."""

from __future__ import annotations

import html
import re

from tests.pdf_pages import page_lines
from tests.review.support import act
from tests.review.test_authorisation import read_back
from tests.review.test_decision_pages import rendered, signed_record
from wizard.review.decision_document import render_decision_html

INDICATION = (
    "Insuffisance cardiaque terminale de l’enfant.\n"
    "Enfants de moins de 20 kg en attente de greffe.\n"
    "Hors contre-indication à l’anticoagulation."
)


def test_the_indication_keeps_its_line_breaks(reviewer, manufacturer, submitted_global):
    act(reviewer, submitted_global, "start-review")
    _typed, shown = read_back(reviewer, submitted_global, indication=INDICATION)
    # Read back as the portal shows the request's own (`.pre-line`), its lines kept.
    quoted = re.findall(
        r'<span class="pre-line"(?: lang="fr")?>([^<]*)</span>', html.unescape(shown.text)
    )
    assert quoted == [INDICATION.removesuffix("."), INDICATION.removesuffix(".")]
    act(reviewer, submitted_global, "authorise", indication=INDICATION)
    pdf = manufacturer.get(f"/requests/{submitted_global}/decisions/1.pdf").data
    lines = [line for page in page_lines(pdf) for line in page]
    # Its second line starts a line of the act, in French and in English.
    assert lines.count("Enfants de moins de 20 kg en attente de greffe.") == 2


def test_numbers_of_patients_are_grouped_as_each_language_groups_them(
    app, reviewer, manufacturer, submitted_global
):
    """(Poppler reads a narrow no-break space as a space: the HTML says which it is.)"""
    act(reviewer, submitted_global, "start-review")
    _typed, shown = read_back(reviewer, submitted_global, max_patients="100000")
    assert "limité à 100\u202f000." in shown.text and "limited to 100,000." in shown.text
    act(reviewer, submitted_global, "authorise", max_patients="100000")
    pdf = manufacturer.get(f"/requests/{submitted_global}/decisions/1.pdf").data
    words = " ".join(line for page in page_lines(pdf) for line in page)
    assert "est limité à 100 000." in words and "is limited to 100,000." in words
    # The manufacturer's estimate, in the request's table.
    record = signed_record(app, manufacturer, submitted_global)
    scope = {**record["request"]["scope"], "estimated_patients": 25000}
    record["request"] = {**record["request"], "scope": scope}
    lines = [line for page in page_lines(rendered(app, record)) for line in page]
    assert "Patients estimés par le fabricant 25 000" in lines
    with app.app_context():
        source = render_decision_html(record, app.jinja_env)
    assert "limité à 100\u202f000." in source and "</th><td>25\u202f000</td>" in source
