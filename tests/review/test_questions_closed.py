"""A professional is writing their answer when ANSM stops waiting for it: the reviewer is told
whose answer is still awaited before resuming the review, the professional hears by email that
ANSM no longer waits, and an answer sent all the same comes back to copy, nothing lost."""

from __future__ import annotations

import html

from tests.invites.support import body_of
from tests.review.support import act, document, dossier, questions
from tests.review.test_professional_questions import LINK, answer, ask_the_author

LEROY = "anne.leroy@necker.example"


def ask_dr_leroy(app, inbox, reviewer, dossier_id: int) -> str:
    """The review started, then Dr Leroy asked: her link's path."""
    act(reviewer, dossier_id, "start-review")
    assert ask_the_author(app, reviewer, dossier_id, hcp_email=LEROY).status_code == 303
    return LINK.search(body_of(inbox.to(LEROY)[-1])).group(1)


def reply_to_ansm(reference: str) -> str:
    return (
        "If you still want to send your answer, reply to ANSM's email about the request "
        f"{reference}: your message reaches them."
    )


def said(message) -> str:
    """An email's text with its lines joined, as it reads."""
    return " ".join(body_of(message).split())


def test_an_answer_sent_after_the_review_resumed_comes_back_to_copy(
    app, inbox, reviewer, submitted
):
    path = ask_dr_leroy(app, inbox, reviewer, submitted)
    with app.app_context():
        reference = dossier(submitted).reference
    professional = app.test_client()
    assert professional.get(path).status_code == 200  # she starts writing

    # The reviewer's "Resume the review" says whose answer it stops waiting for.
    page = reviewer.get(f"/review/requests/{submitted}").text
    resume = page[page.index('id="action-start-review"') :]
    resume = resume[: resume.index("</details>")]
    assert "Still waiting for an answer from:" in resume and "Dr Anne Leroy" in resume
    assert "each professional asked is told by email" in resume
    assert act(reviewer, submitted, "start-review").status_code == 303  # a warning, not a block

    late = answer(
        professional,
        path,
        message="Three children this year; details in the registry.",
        files=[document("registry.pdf", "Registry")],
    )
    assert late.status_code == 410
    assert "ANSM no longer waits for this answer" in late.text
    assert f"ANSM resumed its review of the request {reference} on" in late.text
    # Her emails from ANSM take a reply: the page says so, not a vague "contact ANSM".
    assert reply_to_ansm(reference) in html.unescape(late.text)
    assert "contact ANSM" not in late.text
    assert "What you typed" in late.text
    assert "Three children this year; details in the registry." in late.text
    assert "registry.pdf" in late.text
    with app.app_context():
        assert questions(submitted)[0].replies == []


def test_the_professional_hears_that_ansm_no_longer_waits(
    app, inbox, reviewer, manufacturer, submitted
):
    ask_dr_leroy(app, inbox, reviewer, submitted)
    with app.app_context():
        reference = dossier(submitted).reference
    inbox.clear()
    assert act(reviewer, submitted, "start-review").status_code == 303
    [told] = inbox.to(LEROY)
    assert f"ANSM no longer waits for your answer on request {reference}" in told["Subject"]
    body = said(told)
    assert "Hello Dr Anne Leroy," in body
    assert "ANSM has resumed its review of the request without your answer" in body
    assert "The link in ANSM's email no longer works." in body
    assert "If you still want to send your answer, reply to this email" in body
    assert "contact ANSM" not in body
    # A reply reaches the reviewer who asked (kept with the message until it left).
    with app.app_context():
        assert told["Reply-To"] == questions(submitted)[0].asked_by.email


def test_the_manufacturer_withdrawing_its_request_frees_the_professional(
    app, inbox, reviewer, manufacturer, submitted
):
    path = ask_dr_leroy(app, inbox, reviewer, submitted)
    inbox.clear()
    withdrawn = manufacturer.post(
        f"/requests/{submitted}/withdraw", data={"withdraw-reason": "Another device was found."}
    )
    assert withdrawn.status_code == 303
    [told] = inbox.to(LEROY)
    assert "The manufacturer has withdrawn this request" in said(told)
    assert "Another device was found." not in said(told)

    late = answer(app.test_client(), path, message="Sent anyway.")
    assert late.status_code == 410
    assert "The manufacturer withdrew the request" in late.text and "Sent anyway." in late.text
    with app.app_context():
        reference = dossier(submitted).reference
    assert reply_to_ansm(reference) in html.unescape(late.text)
    # Her link opened again, nothing typed: the same way to reach ANSM.
    opened = app.test_client().get(path)
    assert opened.status_code == 410
    assert reply_to_ansm(reference) in html.unescape(opened.text)
    assert "contact ANSM" not in opened.text


def test_an_answered_question_sends_no_such_email(app, inbox, reviewer, submitted):
    path = ask_dr_leroy(app, inbox, reviewer, submitted)
    inbox.clear()
    assert answer(app.test_client(), path).status_code == 303
    assert inbox.to(LEROY) == []
