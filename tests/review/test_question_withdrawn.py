"""A question to a professional sent to a mistyped address (or to be put otherwise) is taken
back by the reviewer: its link stops working at once and says why, the professional can be
asked again at another address, and with no other answer awaited the review resumes. Only a
reviewer, only a professional's question still awaited, of the request named, with the
form's CSRF token."""

from __future__ import annotations

import html
import re

from tests.conftest import PASSWORD, dossier_with
from tests.flow.test_csrf import csrf_app, token_from  # noqa: F401 (a fixture)
from tests.invites.support import body_of
from tests.review.conftest import REVIEWER_EMAIL
from tests.review.support import act, questions, status_of
from tests.review.test_professional_questions import LINK, ask_the_author
from wizard.extensions import db
from wizard.models import AuditEvent


def text(response) -> str:
    return " ".join(html.unescape(response.text).split())


def cancel_url(dossier_id: int, question_id: int) -> str:
    return f"/review/requests/{dossier_id}/questions/{question_id}/cancel"


def asked_at_a_wrong_address(app, inbox, reviewer, submitted) -> tuple[int, str]:
    act(reviewer, submitted, "start-review")
    assert ask_the_author(app, reviewer, submitted, hcp_email="anne.leory@necker.example")
    link = LINK.search(body_of(inbox.to("anne.leory@necker.example")[-1])).group(1)
    with app.app_context():
        return questions(submitted)[0].id, link


def test_a_question_sent_to_a_wrong_address_is_withdrawn_and_asked_again(
    app, inbox, reviewer, manufacturer, submitted
):
    question_id, link = asked_at_a_wrong_address(app, inbox, reviewer, submitted)
    stranger = app.test_client()
    assert stranger.get(link).status_code == 200
    assert status_of(app, submitted) == "information_requested"
    page = text(reviewer.get(f"/review/requests/{submitted}"))
    assert "anne.leory@necker.example · their link works until" in page
    assert "Withdraw the question to Dr Anne Leroy" in page  # the disclosure, named
    assert "Confirm: withdraw the question to Dr Anne Leroy" in page
    told_before = len(inbox.to("anne.leory@necker.example"))

    withdrawn = reviewer.post(cancel_url(submitted, question_id))
    assert withdrawn.status_code == 303
    page = text(reviewer.get(withdrawn.location))
    assert (
        "Done: the question to Dr Anne Leroy is withdrawn, and its link no longer works. "
        "You can ask them again. No other answer was awaited: the review resumes, and the "
        "manufacturer has been told." in page
    )
    assert re.search(r"Withdrawn by ANSM on \d+ \w+ \d{4} at \d\d:\d\d, unanswered\.", page)
    assert "Question to Dr Anne Leroy withdrawn, unanswered" in page  # the audit trail
    # Nothing else awaited: the review resumes (the manufacturer is told, as always).
    assert status_of(app, submitted) == "under_review"
    # The question form names whom it may ask again, as after a link expired unanswered.
    assert "Ask Dr Anne Leroy again, or someone else" in page
    # The manufacturer's history said ANSM asked her; it says the question was withdrawn.
    mine = text(manufacturer.get(f"/requests/{submitted}/submitted"))
    assert "ANSM asked Dr Anne Leroy, who wrote a letter, for more information." in mine
    assert "ANSM withdrew its question to Dr Anne Leroy: it no longer waits for their answer." in (
        mine
    )
    # The link says it was withdrawn, and shows nothing of the request's patient.
    closed = stranger.get(link)
    assert closed.status_code == 410
    assert "ANSM withdrew this question on" in text(closed)
    assert "If its email reached you by mistake, you need do nothing more." in text(closed)
    assert "If you still want to send your answer" not in text(closed)
    assert "Initials" not in closed.text
    assert len(inbox.to("anne.leory@necker.example")) == told_before  # nothing sent to them

    # Left empty, the address is not the withdrawn question's: it may have been mistyped.
    empty = ask_the_author(app, reviewer, submitted)
    assert empty.status_code == 422
    assert (
        "Enter the email address of Dr Anne Leroy: the question withdrawn went to "
        "anne.leory@necker.example, which is used again only if typed again." in text(empty)
    )
    assert len(inbox.to("anne.leory@necker.example")) == told_before
    # Asked again, at the right address: a fresh link that works.
    asked = ask_the_author(app, reviewer, submitted, hcp_email="anne.leroy@necker.example")
    assert asked.status_code == 303
    fresh = LINK.search(body_of(inbox.to("anne.leroy@necker.example")[-1])).group(1)
    assert app.test_client().get(fresh).status_code == 200
    assert stranger.get(link).status_code == 410


def test_with_another_answer_awaited_the_request_still_waits(app, inbox, reviewer, submitted):
    question_id, _link = asked_at_a_wrong_address(app, inbox, reviewer, submitted)
    act(reviewer, submitted, "request-information")  # the manufacturer asked too
    withdrawn = reviewer.post(cancel_url(submitted, question_id))
    assert withdrawn.status_code == 303
    said = text(reviewer.get(withdrawn.location))
    assert "is withdrawn" in said and "No other answer was awaited" not in said
    assert status_of(app, submitted) == "information_requested"
    # Sent twice (a double click): the second says nothing over the first's "Done".
    again = reviewer.post(cancel_url(submitted, question_id), follow_redirects=True)
    assert again.status_code == 200 and "Nothing was done" not in again.text
    with app.app_context():
        actions = [event.action for event in db.session.scalars(db.select(AuditEvent))]
    assert actions.count("question_cancelled") == 1


def test_only_a_reviewer_withdraws_and_only_an_awaited_question(
    app, inbox, reviewer, manufacturer, submitted, user
):
    question_id, link = asked_at_a_wrong_address(app, inbox, reviewer, submitted)
    # The manufacturer cannot, nor anyone signed out.
    assert manufacturer.post(cancel_url(submitted, question_id)).status_code in (403, 404)
    signed_out = app.test_client().post(cancel_url(submitted, question_id))
    assert signed_out.status_code in (302, 303, 401, 403)
    assert status_of(app, submitted) == "information_requested"
    # Named under another request (of the same manufacturer, filed too): not found.
    with app.app_context():
        other = dossier_with(user[0], submit=True)
    assert reviewer.post(cancel_url(other, question_id)).status_code == 404
    assert status_of(app, submitted) == "information_requested"
    # Answered meanwhile: nothing done, said so.
    answered = app.test_client().post(link, data={"answer-message": "Three this year."})
    assert answered.status_code in (200, 303)
    late = reviewer.post(cancel_url(submitted, question_id), follow_redirects=True)
    assert "Nothing was done: the question to Dr Anne Leroy is no longer waiting" in text(late)
    # The manufacturer's own question is withdrawn too: the last awaited, the review resumes
    # and its email says the question is closed.
    act(reviewer, submitted, "request-information")
    with app.app_context():
        own = questions(submitted)[-1]
        assert own.to_manufacturer
    done = reviewer.post(cancel_url(submitted, own.id), follow_redirects=True)
    assert "Done: the question to the manufacturer is withdrawn" in text(done)
    assert "the review resumes" in text(done)
    assert status_of(app, submitted) == "under_review"
    told = body_of(inbox.to("claire@cardiotech.example")[-1])
    assert "is closed: ANSM no longer waits for your answer to it" in " ".join(told.split())
    again = reviewer.post(cancel_url(submitted, own.id), follow_redirects=True)
    assert again.status_code == 200  # a second click: done already, nothing more


def test_without_the_forms_token_nothing_is_withdrawn(
    app,
    inbox,
    reviewer,
    submitted,
    csrf_app,  # noqa: F811 (the fixture imported above)
):
    """As every form: sent without its CSRF token (another site's page), refused."""
    question_id, link = asked_at_a_wrong_address(app, inbox, reviewer, submitted)
    browser = csrf_app.test_client()
    token = token_from(browser.get("/login").text)
    signed_in = browser.post(
        "/login", data={"email": REVIEWER_EMAIL, "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 303
    assert browser.post(cancel_url(submitted, question_id)).status_code == 400
    assert status_of(app, submitted) == "information_requested"
    assert app.test_client().get(link).status_code == 200  # the link still works
    token = token_from(browser.get(f"/review/requests/{submitted}").text)
    withdrawn = browser.post(cancel_url(submitted, question_id), data={"csrf_token": token})
    assert withdrawn.status_code == 303
    assert status_of(app, submitted) == "under_review"


def test_a_question_on_an_authorisation_is_withdrawn_and_the_manufacturer_told(
    app, inbox, reviewer, manufacturer, submitted
):
    """An authorisation's question no longer needed (answered by telephone, put otherwise):
    taken back, the manufacturer's page no longer takes an answer, it is told by email, and
    an answer typed meanwhile is not taken, with why."""
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "authorise")
    act(reviewer, submitted, "request-information", message="How many fitted so far?")
    with app.app_context():
        own = questions(submitted)[-1]
    page = text(reviewer.get(f"/review/requests/{submitted}"))
    assert "Withdraw the question to the manufacturer" in page
    # Nothing resumes on an authorisation: its confirmation does not say so.
    assert "the manufacturer is told by email. You can ask it again.</p>" in page
    done = reviewer.post(cancel_url(submitted, own.id), follow_redirects=True)
    assert (
        "Done: the question to the manufacturer is withdrawn, its page no longer takes an "
        "answer, and it has been told." in text(done)
    )
    assert "No other answer was awaited" not in text(done)
    assert status_of(app, submitted) == "authorised"
    (told,) = [m for m in inbox.to("claire@cardiotech.example") if "withdrawn" in m["Subject"]]
    body = " ".join(body_of(told).split())
    assert "ANSM has withdrawn its question of" in body
    assert "no longer waits for your answer to it" in body
    mine = text(manufacturer.get(f"/requests/{submitted}/submitted"))
    assert "Withdrawn by ANSM on" in mine and "How many fitted so far?" in mine
    assert "ANSM withdrew its question to you: it no longer waits for your answer." in mine
    late = manufacturer.post(
        f"/requests/{submitted}/questions/{own.id}/reply", data={"reply-message": "Two."}
    )
    assert late.status_code == 409
    assert "ANSM withdrew this question on" in text(late)
    assert "Two." in text(late)  # what was typed, to copy
    with app.app_context():
        events = db.session.query(AuditEvent).filter_by(action="question_cancelled").all()
        assert len(events) == 1
    trail = text(reviewer.get(f"/review/requests/{submitted}"))
    assert "Question to the manufacturer withdrawn, unanswered" in trail


def test_a_colleagues_withdrawal_is_said_and_a_late_answer_pointed_at_the_new_question(
    app, inbox, reviewer, manufacturer, submitted
):
    """Withdrawn to be put otherwise, then asked again: a reviewer confirming from a page
    opened before is told a colleague did it; the manufacturer's answer to the old question
    is pointed at the new one, on the same page."""
    from tests.conftest import login, make_user
    from wizard.models import Role

    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "authorise")
    act(reviewer, submitted, "request-information", message="How many fitted so far?")
    with app.app_context():
        old = questions(submitted)[-1].id
        make_user("paul@ansm.example", "ANSM", role=Role.REVIEWER)
    colleague = app.test_client()
    assert login(colleague, "paul@ansm.example").status_code == 303
    assert colleague.post(cancel_url(submitted, old)).status_code == 303
    act(colleague, submitted, "request-information", message="How many fitted, and where?")
    stale = reviewer.post(cancel_url(submitted, old), follow_redirects=True)
    assert "Nothing was done:" in text(stale) and "had already withdrawn this question" in text(
        stale
    )
    mine = colleague.post(cancel_url(submitted, old), follow_redirects=True)
    assert "Nothing was done" not in text(mine)  # one's own second click

    late = manufacturer.post(
        f"/requests/{submitted}/questions/{old}/reply", data={"reply-message": "Two."}
    )
    assert late.status_code == 409
    said = text(late)
    assert "ANSM withdrew this question on" in said
    assert "ANSM has asked you a new question since: answer it on this page." in said
    assert "How many fitted, and where?" in said


def test_an_answer_sent_as_the_question_is_withdrawn_is_told_why(
    app, inbox, reviewer, submitted, monkeypatch
):
    """The professional sends their answer while a reviewer withdraws the question: their
    page says ANSM withdrew it (not that the link was used), with what they typed."""
    from tests.review.test_professional_questions import answer
    from wizard.review import information

    question_id, link = asked_at_a_wrong_address(app, inbox, reviewer, submitted)
    act(reviewer, submitted, "request-information")  # the manufacturer's answer still awaited
    professional = app.test_client()
    assert professional.get(link).status_code == 200
    recording = information.answer

    def withdrawn_meanwhile(question, *args):
        # The reviewer's withdrawal lands between the link's check and the answer's record.
        with app.test_request_context():
            information.cancel(db.session.get(type(question), question_id), reviewer_user(app))
        return recording(question, *args)

    monkeypatch.setattr(information, "answer", withdrawn_meanwhile)
    refused = answer(professional, link, message="Three children, all under 20 kg.")
    assert refused.status_code == 410
    said = text(refused)
    assert "ANSM withdrew this question on" in said
    assert "already been used" not in said
    assert "Three children, all under 20 kg." in said  # to copy
    with app.app_context():
        assert questions(submitted)[0].replies == []


def reviewer_user(app):
    from wizard.models import User

    return db.session.scalar(db.select(User).filter_by(email=REVIEWER_EMAIL))
