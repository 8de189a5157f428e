"""A decision fills its pages before a block moves on: long grounds, a long withdrawal reason,
a global request's long indication and establishments break where the page ends, a heading
("Considérant ce qui suit", "Décide", "Demande") never ends a page, and no page but the last
is left more than half blank."""

from __future__ import annotations

import json

import pytest

from tests.pdf_pages import filled, page_lines, pages_ending_with_a_heading
from tests.review.support import act
from wizard.receipts.render import render_pdf
from wizard.receipts.service import signing_identity
from wizard.receipts.verify import verify_pdf
from wizard.review.decision_document import render_decision_html

GROUND = (
    "Les données cliniques fournies ne permettent pas d’établir que le bénéfice attendu "
    "l’emporte sur les risques pour les patients concernés. "
)


def text_of(length: int) -> str:
    return (GROUND * (length // len(GROUND) + 1))[:length]


def signed_record(app, client, dossier_id: int) -> dict:
    """The record decision 1 on `dossier_id` signs, read back from its PDF."""
    pdf = client.get(f"/requests/{dossier_id}/decisions/1.pdf").data
    with app.app_context():
        return json.loads(verify_pdf(pdf, signing_identity().trust_roots).embedded_json)


def rendered(app, record: dict) -> bytes:
    with app.app_context():
        return render_pdf(
            render_decision_html(record, app.jinja_env), base_url=None, attachments=[]
        )


def assert_filled_page_after_page(pdf: bytes, pages: int) -> None:
    assert pages_ending_with_a_heading(pdf) == []
    assert len(page_lines(pdf)) == pages
    assert min(filled(pdf)[:-1]) > 0.5, filled(pdf)


@pytest.fixture
def refusal(app, reviewer, manufacturer, submitted) -> dict:
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "refuse", reason="Alternatives exist.")
    return signed_record(app, manufacturer, submitted)


@pytest.mark.parametrize(("length", "pages"), [(3500, 3), (4500, 3), (6000, 3)])
def test_long_grounds_break_at_the_foot_of_the_page(app, refusal, length, pages):
    """Kept whole, the grounds went to the next page: "Considérant ce qui suit" or "Décide"
    ended a page otherwise blank below."""
    assert_filled_page_after_page(rendered(app, {**refusal, "reason": text_of(length)}), pages)


@pytest.mark.parametrize("length", [500, 4500])
def test_a_withdrawal_fills_its_first_page(app, refusal, length):
    """The reason breaks where the page ends, and the request's last rows go with the seal:
    kept whole, the reason went to the next page, and the request's table with the seal."""
    withdrawal = {
        **refusal,
        "decided_by": {**refusal["decided_by"], "role": "manufacturer"},
        "status_after": "withdrawn",
        "reason": text_of(length),
    }
    pdf = rendered(app, withdrawal)
    assert_filled_page_after_page(pdf, 2)
    last = " ".join(page_lines(pdf)[-1])
    assert "Empreinte des réponses" in last and "Cachet électronique du portail" in last


def test_a_global_request_with_thirty_establishments_breaks_between_its_rows(
    app, reviewer, manufacturer, submitted_global
):
    """Its indication and population of 1,000 characters and its thirty establishments, all
    named by the authorisation too: kept whole, its table left a page holding only its
    heading, "Demande", in five pages."""
    act(reviewer, submitted_global, "start-review")
    act(reviewer, submitted_global, "authorise")
    record = signed_record(app, manufacturer, submitted_global)
    establishments = [f"Centre hospitalier universitaire n° {n}, Ville {n}" for n in range(30)]
    scope = {
        **record["request"]["scope"],
        "indication": text_of(1000),
        "target_population": text_of(1000),
        "establishments": "\n".join(establishments),
    }
    authorisation = {**record["authorisation"], "establishments": scope["establishments"]}
    pdf = rendered(
        app,
        {
            **record,
            "authorisation": authorisation,
            "request": {**record["request"], "scope": scope},
        },
    )
    assert_filled_page_after_page(pdf, 4)
    text = " ".join(" ".join(lines) for lines in page_lines(pdf))
    assert all(text.count(establishment) == 2 for establishment in establishments)
