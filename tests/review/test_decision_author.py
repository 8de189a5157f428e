"""A decision states its author's name and job title (CRPA L. 212-1) as the portal's
administrators recorded them: a reviewer cannot sign under a name of their choosing."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import select

from tests.review.conftest import REVIEWER_EMAIL
from tests.review.support import act
from wizard.extensions import db
from wizard.models import Decision


def last_record(app) -> dict:
    with app.app_context():
        return db.session.scalars(select(Decision).order_by(Decision.id)).all()[-1].record


def test_a_decision_states_the_name_the_administrators_recorded(app, reviewer, submitted):
    act(reviewer, submitted, "start-review")
    renamed = reviewer.post(
        "/account/details", data={"details-name": "Pr Jean Dupont, Directeur général de l'ANSM"}
    )
    assert renamed.status_code == 422
    runner = app.test_cli_runner()
    done = runner.invoke(args=["set-reviewer-name", REVIEWER_EMAIL, "Claire Martin-Roux"])
    assert done.exit_code == 0, done.output
    assert act(reviewer, submitted, "refuse").status_code == 303
    assert last_record(app)["decided_by"] == {
        "name": "Claire Martin-Roux",
        "role": "reviewer",
        "title": "Head of the medical devices division",
        "delegation": "décision DG n° 2026-12 du 5 janvier 2026",
    }
    pdf = reviewer.get(f"/review/requests/{submitted}/decisions/1.pdf").data
    text = " ".join(
        "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )
    assert "Claire Martin-Roux Head of the medical devices division" in text
    assert "Jean Dupont" not in text
    # Renamed since, the reviewer's page still names who signed it as the PDF does.
    assert runner.invoke(args=["set-reviewer-name", REVIEWER_EMAIL, "Claire Roux"]).exit_code == 0
    page = " ".join(reviewer.get(f"/review/requests/{submitted}").text.split())
    assert '<span class="cell-note">Decision 1 · Claire Martin-Roux</span>' in page
