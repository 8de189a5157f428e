"""A request's page for the reviewer: every answer of the path as filed, the documents and
letters (each download an audit event), the receipt, the Reg. (EU) 2023/607 notice when the
filer saw it, the questions and answers, decisions and the audit trail. Its forms need the
CSRF token."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from babel.dates import format_date
from sqlalchemy import func, select

from tests.conftest import PASSWORD, dossier_with, make_user
from tests.review.support import act, dossier, status_of
from wizard import clock, create_app
from wizard.demo import sample_answers, sample_declaration
from wizard.extensions import db
from wizard.filing import service
from wizard.models import AuditEvent, Role, User


def test_the_page_shows_every_answer_and_every_file(app, reviewer, submitted):
    page = reviewer.get(f"/review/requests/{submitted}").text
    for answer in (
        "VentriAssist Mini",  # device
        "Hôpital Necker-Enfants malades",  # patient's establishment
        "Children under 20 kg in end-stage heart failure have no device.",  # medical need
        "Monthly report to ANSM; registry of every implanted patient.",  # follow-up proposed
        "Regulatory affairs manager",  # signatory
    ):
        assert answer in page, answer
    assert "Scope of the authorisation" not in page  # the other path's step
    assert "Start the review" in page and "No question so far." in page
    # What makes an individual request urgent, at the top with its status.
    needed_by = date.fromisoformat(sample_answers()["patient"]["needed_by"])
    header = page.split('class="summary-list summary-list--meta"')[1].split("</dl>")[0]
    assert f"Device needed by</dt><dd>{format_date(needed_by, 'long', locale='en_GB')}" in header
    # The steps whose answers are files say where the files are, rather than nothing.
    letters = re.search(r'id="summary-hcp-support".*?</section>', page, re.S).group(0)
    assert 'href="#letters-title"' in letters

    with app.app_context():
        current = dossier(submitted)
        document, letter = current.documents[0], current.hcp_letters[0]
    for url in (
        f"/review/requests/{submitted}/documents/{document.id}",
        f"/review/requests/{submitted}/letters/{letter.id}",
        f"/review/requests/{submitted}/receipt.pdf",
    ):
        assert url in page
        response = reviewer.get(url)
        assert response.status_code == 200 and response.data.startswith(b"%PDF-"), url
    with app.app_context():
        downloads = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "document_downloaded")
        )
    assert downloads == 3
    # Saved under names that say which request, and whose letter.
    with app.app_context():
        reference = dossier(submitted).reference
    for url, name in (
        (
            f"/review/requests/{submitted}/documents/{document.id}",
            f"{reference}-{document.filename}",
        ),
        (
            f"/review/requests/{submitted}/letters/{letter.id}",
            f"{reference}-Leroy-{letter.filename}",
        ),
    ):
        assert f"filename={name}" in reviewer.get(url).headers["Content-Disposition"], url


def test_the_2023_607_notice_is_shown_when_the_filer_saw_it(app, user, reviewer, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    with app.app_context():
        dossier_id = dossier_with(user[0], "individual")
        filing = dossier(dossier_id)
        service.save_step(
            filing,
            "situation",
            {
                "reason": "certificate_expired",
                "legacy_certificate_number": "MDD-1",
                "legacy_certificate_expiry": "2024-03-01",
                "legacy_notified_body": "2797",
                "mdr_application_date": "2024-02-01",
                "written_agreement": "yes",
                "written_agreement_date": "2024-02-20",
            },
        )
        service.submit(filing, db.session.get(User, user[0]), sample_declaration())
    page = reviewer.get(f"/review/requests/{dossier_id}").text
    assert "Regulation (EU) 2023/607 notice shown to the filer" in page
    assert "31 December 2027" in page


def test_an_action_needs_the_csrf_token(app, user, tmp_path):
    protected = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path),
            "UPLOAD_FOLDER": tmp_path / "up",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_ENABLED": False,
        }
    )
    with protected.app_context():
        make_user("rita@ansm.example", role=Role.REVIEWER)
        dossier_id = dossier_with(user[0], "individual", submit=True)
    client = protected.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").text)[1]
    client.post(
        "/login", data={"email": "rita@ansm.example", "password": PASSWORD, "csrf_token": token}
    )
    url = f"/review/requests/{dossier_id}/start-review"
    refused = client.post(url, data={"start-review-reason": "No token."})
    assert refused.status_code == 400 and "Your form expired" in refused.text
    page = client.get(f"/review/requests/{dossier_id}").text
    token = re.search(r'name="start-review-csrf_token"[^>]*value="([^"]+)"', page)[1]
    accepted = client.post(
        url, data={"start-review-reason": "With the token.", "start-review-csrf_token": token}
    )
    assert accepted.status_code == 303
    with protected.app_context():
        assert dossier(dossier_id).status == "under_review"


def test_a_reviewer_may_take_up_a_request_without_a_note(app, reviewer, submitted):
    taken = act(reviewer, submitted, "start-review", reason="")
    assert taken.status_code == 303
    assert status_of(app, submitted) == "under_review"
