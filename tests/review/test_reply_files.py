"""An answer to ANSM carries several documents at once, as its hint says: the file input lets
the person choose several, and all of them arrive."""

from __future__ import annotations

import re

from tests.review.support import act, document, questions, reply


def test_several_files_are_chosen_and_sent_in_one_answer(app, reviewer, manufacturer, submitted):
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information", due_date="2099-01-31")
    page = manufacturer.get(f"/requests/{submitted}/submitted").text
    file_input = re.search(r'<input class="file-input" type="file"[^>]*>', page).group(0)
    assert 'name="reply-documents"' in file_input and " multiple" in file_input
    assert "You can choose up to 10 files at once." in page
    with app.app_context():
        question_id = questions(submitted)[0].id
    files = [document("report-1.pdf", "One"), document("report-2.pdf", "Two")]
    assert reply(manufacturer, submitted, question_id, files=files).status_code == 303
    review_page = reviewer.get(f"/review/requests/{submitted}").text
    assert "report-1.pdf" in review_page and "report-2.pdf" in review_page


def test_a_file_kept_then_chosen_again_is_attached_once(app, reviewer, manufacturer, submitted):
    """A refused answer keeps its accepted PDF (ticked); choosing it again is not a second
    document."""
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information", due_date="2099-01-31")
    with app.app_context():
        question_id = questions(submitted)[0].id
    report = document("report.pdf", "Vigilance")
    refused = reply(manufacturer, submitted, question_id, files=[report, ("notes.txt", b"x")])
    assert refused.status_code == 422
    kept = re.search(r'name="reply-keep" value="([0-9a-f]{64})"', refused.text).group(1)
    sent = reply(manufacturer, submitted, question_id, files=[report], keep=[kept])
    assert sent.status_code == 303
    review_page = reviewer.get(f"/review/requests/{submitted}").text
    assert review_page.count("report.pdf</a>") == 1
