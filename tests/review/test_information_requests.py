"""ANSM asks the manufacturer for more information; the manufacturer answers with a message and
documents on their request's page; the reviewer reads it. What was filed never changes."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from tests.review.support import act, document, dossier, questions, reply, status_of
from wizard.domain.canonical import canonical_sha256
from wizard.extensions import db
from wizard.models import AuditEvent


def frozen(app, dossier_id):
    with app.app_context():
        current = dossier(dossier_id)
        return current.submitted_answers, current.answers_sha256


def test_the_manufacturer_answers_with_a_document_and_the_reviewer_sees_it(
    app, reviewer, manufacturer, submitted
):
    filed_before = frozen(app, submitted)
    assert act(reviewer, submitted, "start-review").status_code == 303
    asked = act(reviewer, submitted, "request-information", due_date="2099-01-31")
    assert asked.status_code == 303
    assert status_of(app, submitted) == "information_requested"

    assert "ANSM asks you a question" in manufacturer.get("/dashboard").text
    page = manufacturer.get(f"/requests/{submitted}/submitted").text
    assert "ANSM asks you for more information" in page
    assert "Send the latest vigilance report." in page and "31 January 2099" in page
    with app.app_context():
        question_id = questions(submitted)[0].id

    answered = reply(
        manufacturer,
        submitted,
        question_id,
        message="The 2026 vigilance report is attached.",
        files=[document()],
    )
    assert answered.status_code == 303
    assert status_of(app, submitted) == "under_review"  # the answer sends it back to review

    review_page = reviewer.get(f"/review/requests/{submitted}").text
    assert "Answer from Claire Martin" in review_page
    assert "The 2026 vigilance report is attached." in review_page
    assert "vigilance-report.pdf" in review_page
    with app.app_context():
        reply_document = questions(submitted)[0].replies[0].documents[0]
    download = reviewer.get(f"/review/requests/{submitted}/reply-documents/{reply_document.id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    assert download.headers["Content-Disposition"].startswith("attachment;")

    # The filing is frozen: the answer is added beside it, never into it.
    filed_after = frozen(app, submitted)
    assert filed_after == filed_before
    assert canonical_sha256(filed_after[0]) == filed_after[1]

    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEvent))]
    assert actions.count("reply_sent") == 1 and actions.count("document_uploaded") == 1
    assert actions.count("document_downloaded") == 1


def test_an_answer_with_a_problem_keeps_what_was_typed_and_the_files_chosen(
    app, reviewer, manufacturer, submitted
):
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information")
    with app.app_context():
        question_id = questions(submitted)[0].id

    refused = reply(manufacturer, submitted, question_id, message="", files=[document()])
    assert refused.status_code == 422
    assert "There is a problem" in refused.text and "Enter your answer." in refused.text
    assert "Files kept from your last try" in refused.text
    assert "vigilance-report.pdf" in refused.text

    not_a_pdf = reply(
        manufacturer, submitted, question_id, message="Kept", files=[("notes.txt", b"hello")]
    )
    assert not_a_pdf.status_code == 422
    assert "notes.txt: The selected file must be a PDF" in not_a_pdf.text
    assert ">Kept</textarea>" in not_a_pdf.text

    kept_sha = hashlib.sha256(document()[1]).hexdigest()
    sent = reply(
        manufacturer, submitted, question_id, message="Now with the text.", keep=[kept_sha]
    )
    assert sent.status_code == 303
    with app.app_context():
        answer = questions(submitted)[0].replies[0]
        assert [d.filename for d in answer.documents] == ["vigilance-report.pdf"]


def test_a_closed_question_cannot_be_answered(app, reviewer, manufacturer, submitted):
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information")
    with app.app_context():
        question_id = questions(submitted)[0].id
    # The reviewer goes on without the answer: the question closes.
    assert (
        act(reviewer, submitted, "start-review", reason="We go on without it.").status_code == 303
    )
    late = reply(manufacturer, submitted, question_id, message="Too late?")
    assert late.status_code == 303
    page = manufacturer.get(late.location).text
    assert "This question is closed" in page
    with app.app_context():
        assert questions(submitted)[0].replies == []
        assert questions(submitted)[0].closed_reason == "under_review"
    assert "Closed without an answer." in reviewer.get(f"/review/requests/{submitted}").text
