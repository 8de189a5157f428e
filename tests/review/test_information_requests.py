"""ANSM asks the manufacturer for more information; the manufacturer answers with a message and
documents on their request's page; the reviewer reads it. What was filed never changes."""

from __future__ import annotations

import hashlib
import html
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import login, make_colleague
from tests.review.support import (
    DUE,
    DUE_SAID,
    act,
    document,
    dossier,
    manufacturer_asked,
    questions,
    reply,
    status_of,
)
from tests.review.test_report_dates import said
from wizard import clock
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
    asked = act(reviewer, submitted, "request-information", due_date=DUE)
    assert asked.status_code == 303
    assert status_of(app, submitted) == "information_requested"

    assert "ANSM asks you a question" in manufacturer.get("/dashboard").text
    page = manufacturer.get(f"/requests/{submitted}/submitted").text
    assert "ANSM asks you for more information" in page
    assert "Send the latest vigilance report." in page and DUE_SAID in page
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
    assert "-reply-manufacturer-vigilance-report.pdf" in download.headers["Content-Disposition"]

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
    question_id = manufacturer_asked(app, reviewer, submitted)

    refused = reply(manufacturer, submitted, question_id, message="", files=[document()])
    assert refused.status_code == 422
    assert "There is a problem" in refused.text and "Enter your answer." in refused.text
    assert "Files kept from your last try" in refused.text
    assert "vigilance-report.pdf" in refused.text

    not_a_pdf = reply(
        manufacturer, submitted, question_id, message="Kept", files=[("notes.txt", b"hello")]
    )
    assert not_a_pdf.status_code == 422
    assert "notes.txt: The selected file is not a PDF document" in not_a_pdf.text
    assert ">Kept</textarea>" in not_a_pdf.text

    kept_sha = hashlib.sha256(document()[1]).hexdigest()
    sent = reply(
        manufacturer, submitted, question_id, message="Now with the text.", keep=[kept_sha]
    )
    assert sent.status_code == 303
    with app.app_context():
        answer = questions(submitted)[0].replies[0]
        assert [d.filename for d in answer.documents] == ["vigilance-report.pdf"]


def test_an_answer_sent_once_the_question_closed_is_shown_to_copy(
    app, reviewer, manufacturer, submitted
):
    question_id = manufacturer_asked(app, reviewer, submitted)
    with app.app_context():
        reference = dossier(submitted).reference
    # A first try keeps its file; the manufacturer goes on writing.
    refused = reply(manufacturer, submitted, question_id, message="", files=[document()])
    assert refused.status_code == 422
    # Before the resumed review, the reviewer is told whose answer it stops.
    page = reviewer.get(f"/review/requests/{submitted}").text
    assert "Still waiting for an answer from:" in page
    assert "The manufacturer, Cardiotech Médical SAS" in page
    assert "This action closes the question: it can no longer be answered." in page
    # The reviewer goes on without the answer: the question closes.
    assert (
        act(reviewer, submitted, "start-review", reason="We go on without it.").status_code == 303
    )
    kept_sha = hashlib.sha256(document()[1]).hexdigest()
    late = reply(
        manufacturer,
        submitted,
        question_id,
        message="Too late? Here is the registry.",
        files=[document("registry.pdf", "Registry")],
        keep=[kept_sha],
    )
    # Refused on the request's page, saying why, with what was sent to copy.
    assert late.status_code == 409
    assert "There is a problem" in late.text and "Your answer was not sent" in late.text
    assert "ANSM resumed the review of your request on" in late.text
    # Whom to write to: the reviewer who asked, without a mailbox for these requests.
    assert f"write to ANSM at rita@ansm.example, giving the reference {reference}" in late.text
    assert "What you typed" in late.text and "Too late? Here is the registry." in late.text
    assert "registry.pdf" in late.text and "vigilance-report.pdf" in late.text
    assert "Send the answer to ANSM" not in late.text  # no form left to send it with
    with app.app_context():
        assert questions(submitted)[0].replies == []
        assert questions(submitted)[0].closed_reason == "under_review"
    closed = f"Closed unanswered on {said(clock.today())}, when ANSM resumed the review."
    for page in (
        reviewer.get(f"/review/requests/{submitted}").text,
        manufacturer.get(f"/requests/{submitted}/submitted").text,
    ):
        assert closed in page
    # Asked again since: the late answer is pointed at the new question, on the page.
    assert act(reviewer, submitted, "request-information").status_code == 303
    again = reply(manufacturer, submitted, question_id, message="Too late?")
    assert again.status_code == 409
    assert "ANSM has asked you a new question since: answer it on this page." in html.unescape(
        again.text
    )


def test_an_answer_sent_from_two_pages_is_taken_once(app, reviewer, manufacturer, submitted):
    question_id = manufacturer_asked(app, reviewer, submitted)
    assert reply(manufacturer, submitted, question_id, message="First tab.").status_code == 303
    second = reply(manufacturer, submitted, question_id, message="Second tab.")
    assert second.status_code == 409
    assert "This question was answered meanwhile, from another page" in second.text
    assert "Second tab." in second.text  # to copy
    with app.app_context():
        assert [r.message for r in questions(submitted)[0].replies] == ["First tab."]


def test_an_answer_sent_after_a_colleagues_names_the_colleague(
    app, user, reviewer, manufacturer, submitted
):
    """Not "from another page": the page was the person's own, the answer a colleague's."""
    question_id = manufacturer_asked(app, reviewer, submitted)
    with app.app_context():
        make_colleague(user[0], "marc@cardiotech.example")
    colleague = app.test_client()
    assert login(colleague, "marc@cardiotech.example").status_code == 303
    assert reply(colleague, submitted, question_id, message="Marc's answer.").status_code == 303
    late = reply(manufacturer, submitted, question_id, message="Claire's answer.")
    assert late.status_code == 409
    page = " ".join(html.unescape(late.text).split())
    today = f"{clock.today().day} {clock.today():%B} {clock.today().year}"
    assert f"Marc Durand answered this question on {today}: this answer was not sent." in page
    assert "from another page" not in page
    assert "Claire's answer." in page  # to copy


def test_the_same_answer_sent_twice_is_said_sent_once(app, reviewer, manufacturer, submitted):
    """A double click (JavaScript off), or a send retried after the network failed: the
    second send is the answer ANSM received, not one "answered meanwhile" to write again."""
    question_id = manufacturer_asked(app, reviewer, submitted)
    sent = dict(message="Here it is.\r\nSee the report.", files=[document()])
    assert reply(manufacturer, submitted, question_id, **sent).status_code == 303
    again = reply(manufacturer, submitted, question_id, **sent)
    assert again.status_code == 303
    page = manufacturer.get(again.location).text
    # Said once, though both sends said it.
    assert page.count("Your answer has been sent to ANSM, which resumes its review.") == 1
    assert "answered meanwhile" not in page
    with app.app_context():
        [answer] = questions(submitted)[0].replies
        assert len(answer.documents) == 1
    # Other words, or other files, are another answer: refused as before.
    other_files = reply(manufacturer, submitted, question_id, message=sent["message"])
    assert other_files.status_code == 409
    assert "This question was answered meanwhile, from another page" in other_files.text
    # With JavaScript, the form is sent once however many clicks.
    act(reviewer, submitted, "request-information")
    form = manufacturer.get(f"/requests/{submitted}/submitted").text.split("/reply")[1]
    assert "data-submit-once>" in form.split("</form>")[0]


def test_a_refused_forms_address_opened_again_leads_to_the_requests_page(
    app, reviewer, manufacturer, submitted
):
    """The page a refused answer, withdrawal or report leaves is at the form's address:
    opened again (the browser restores it, a bookmark), it leads to the request's page."""
    question_id = manufacturer_asked(app, reviewer, submitted)
    assert reply(manufacturer, submitted, question_id, message="").status_code == 422
    page = f"/requests/{submitted}/submitted"
    for address, section in (
        (f"/requests/{submitted}/questions/{question_id}/reply", ""),
        (f"/requests/{submitted}/withdraw", "#withdraw-title"),
        # No report before an authorisation: the page has no such section to lead to.
        (f"/requests/{submitted}/follow-up-reports", ""),
    ):
        opened = manufacturer.get(address)
        assert opened.status_code == 303 and opened.location == page + section
    assert "Send the answer to ANSM" in manufacturer.get(page).text
    # Nor a form the request has moved past: the request's page, not a place it lacks.
    assert act(reviewer, submitted, "start-review").status_code == 303  # (resumed)
    assert act(reviewer, submitted, "refuse").status_code == 303
    assert manufacturer.get(f"/requests/{submitted}/withdraw").location == page
    opened = reviewer.get(f"/review/requests/{submitted}/authorise")
    assert opened.location == f"/review/requests/{submitted}"


def test_an_answer_is_needed_within_ninety_days(app, reviewer, submitted):
    """A mistyped year ("2100") would leave a professional's link working for decades."""
    from datetime import date

    from babel.dates import format_date

    from tests.review.support import in_days

    act(reviewer, submitted, "start-review")
    # Said before it is met: the hint gives the last day (no example beyond it).
    last_day = format_date(date.fromisoformat(in_days(90)), "long", locale="en_GB")
    form = " ".join(reviewer.get(f"/review/requests/{submitted}").text.split())
    assert (
        f"At most 90 days from today, by {last_day}. A professional&#39;s link works until the "
        "end of that day, or for 14 days if no date is given."
    ) in form
    assert "14/03/2027" not in form
    too_far = act(reviewer, submitted, "request-information", due_date=in_days(91))
    assert too_far.status_code == 422
    page = " ".join(html.unescape(too_far.text).split())
    assert f"An answer can be needed at most 90 days from today, by {last_day}." in page
    assert "professional's link works until then" not in page  # none is asked
    with app.app_context():
        [letter] = dossier(submitted).hcp_letters
        letter_id = letter.id
    to_professional = act(
        reviewer,
        submitted,
        "request-information",
        addressee=f"letter-{letter_id}",
        hcp_email="anne.leroy@chu.example",
        due_date=in_days(91),
    )
    assert to_professional.status_code == 422
    assert f"by {last_day}: a professional's link works until then." in " ".join(
        html.unescape(to_professional.text).split()
    )
    assert status_of(app, submitted) == "under_review"
    asked = act(reviewer, submitted, "request-information", due_date=in_days(90))
    assert asked.status_code == 303
    assert status_of(app, submitted) == "information_requested"


def words(response) -> str:
    return " ".join(html.unescape(response.text).split())


def test_the_manufacturer_is_told_when_the_date_for_its_answer_has_passed(
    app, reviewer, manufacturer, submitted, monkeypatch
):
    """As the queue tells ANSM, the dashboard and the request's page tell the manufacturer."""
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information", due_date=DUE)
    page = " ".join(
        html.unescape(manufacturer.get(f"/requests/{submitted}/submitted").text).split()
    )
    assert f"answer needed by {DUE_SAID}" in page and "has passed" not in page
    later = clock.now() + timedelta(days=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    page = " ".join(
        html.unescape(manufacturer.get(f"/requests/{submitted}/submitted").text).split()
    )
    assert (
        f"The date ANSM needed your answer by, {DUE_SAID}, has passed: send it as soon as you "
        "can. ANSM may decide without it."
    ) in page
    dashboard = words(manufacturer.get("/dashboard"))
    assert f"your answer was needed by {DUE_SAID}: overdue" in dashboard
