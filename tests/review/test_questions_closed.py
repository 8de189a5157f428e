"""A professional is writing their answer when ANSM stops waiting for it: the reviewer is told
whose answer is still awaited before resuming the review (and the manufacturer before
withdrawing its request), the professional hears by email that ANSM no longer waits, and an
answer sent all the same comes back to copy, nothing lost. The manufacturer reads that its own
question closed; a resume sent from a page that warned of other questions than those awaited
now (a colleague asked meanwhile) closes nothing and warns again."""

from __future__ import annotations

import html

import pytest
from babel.dates import format_date

from tests.invites.support import body_of
from tests.review.support import (
    AWAITED,
    SEEN,
    act,
    action_data,
    document,
    dossier,
    manufacturer_asked,
    questions,
    reply,
    seen_on,
    status_of,
    withdraw,
)
from tests.review.test_parallel_questions import second_reviewer
from tests.review.test_professional_questions import LINK, answer, ask_the_author
from wizard import clock
from wizard.extensions import db

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
    assert "the professional asked is told by email" in resume  # one question
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
    assert "Files you chose were not kept." in late.text
    with app.app_context():
        assert questions(submitted)[0].replies == []


def test_an_answer_sent_late_without_files_is_not_told_its_files_were_not_kept(
    app, manufacturer, reviewer, submitted
):
    question_id = manufacturer_asked(app, reviewer, submitted)
    act(reviewer, submitted, "start-review")  # resumed without the answer
    late = reply(manufacturer, submitted, question_id, message="The vigilance report follows.")
    assert late.status_code == 409
    assert "What you typed" in late.text and "The vigilance report follows." in late.text
    assert "Files you chose were not kept" not in late.text


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
    withdrawn = withdraw(manufacturer, submitted)
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


def withdrawal_form(page: str) -> str:
    """The manufacturer's withdrawal form, as its page shows it."""
    form = page[page.index('id="withdraw-title"') :]
    return " ".join(html.unescape(form[: form.index("</form>")]).split())


def test_the_manufacturer_is_told_whose_answer_a_withdrawal_stops(
    app, inbox, reviewer, manufacturer, submitted
):
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information")
    # Only its own question waits, shown above with its form: nobody else to warn of.
    page = manufacturer.get(f"/requests/{submitted}/submitted").text
    assert "Send the answer to ANSM" in page
    assert "waiting for an answer from" not in withdrawal_form(page)

    ask_the_author(app, reviewer, submitted, hcp_email=LEROY)
    form = withdrawal_form(manufacturer.get(f"/requests/{submitted}/submitted").text)
    assert "ANSM is still waiting for an answer from:" in form
    assert "Dr Anne Leroy, asked on" in form
    assert "Cardiotech" not in form  # its own question is the one above
    assert (
        "Withdrawing your request closes ANSM's question: it can no longer be answered, and "
        "whoever was asked is told by email that ANSM no longer waits for the answer."
    ) in form
    # In French, one person asked, of either sex: not "interrogé", not "ils".
    french = withdrawal_form(
        manufacturer.get(f"/requests/{submitted}/submitted", headers={"Accept-Language": "fr"}).text
    )
    assert "Dr Anne Leroy, question posée le" in french
    assert "la personne interrogée est prévenue par e-mail" in french
    # Her answer came: nothing to warn of any more.
    path = LINK.search(body_of(inbox.to(LEROY)[-1])).group(1)
    assert answer(app.test_client(), path).status_code == 303
    form = withdrawal_form(manufacturer.get(f"/requests/{submitted}/submitted").text)
    assert "waiting for an answer from" not in form


@pytest.mark.parametrize(
    "mailbox, write_to",
    [(None, "rita@ansm.example"), ("derogations@ansm.example", "derogations@ansm.example")],
    ids=["the-reviewer-who-asked", "ansm-mailbox"],
)
def test_the_resumed_review_email_says_the_manufacturers_question_is_closed(
    app, inbox, reviewer, submitted, monkeypatch, mailbox, write_to
):
    """With whom to write to if the answer is still needed: ANSM's mailbox for these requests
    (`ANSM_REPLY_TO`), else the reviewer who asked."""
    monkeypatch.setitem(app.config, "ANSM_REPLY_TO", mailbox)
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information")
    with app.app_context():
        reference = dossier(submitted).reference
        asked_on = english(clock.day_in_paris(questions(submitted)[0].asked_at))
    assert act(reviewer, submitted, "start-review").status_code == 303
    email = inbox.to("claire@cardiotech.example")[-1]
    body = said(email)
    assert "ANSM has resumed the review of your request" in body
    # Not the subject of the review's start: a question closed is news.
    assert email["Subject"].endswith(f"ANSM resumes the review of request {reference}")
    assert (
        f"ANSM's question to you of {asked_on} is closed: ANSM no longer waits for your answer "
        "to it, and the page of your request no longer takes one. If you think your answer is "
        f"still needed, write to ANSM at {write_to}, giving the reference {reference}."
    ) in body


def test_once_the_reviewer_who_asked_has_left_the_manufacturer_writes_to_the_team_mailbox(
    app, inbox, reviewer, submitted, monkeypatch
):
    monkeypatch.setitem(app.config, "REVIEW_TEAM_EMAIL", "derogations@ansm.example")
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information")
    with app.app_context():
        asker = questions(submitted)[0].asked_by
        asker.removed_at = clock.now()
        db.session.commit()
    assert act(second_reviewer(app), submitted, "start-review").status_code == 303
    body = said(inbox.to("claire@cardiotech.example")[-1])
    assert "write to ANSM at derogations@ansm.example" in body
    assert "rita@ansm.example" not in body


def test_the_resumed_review_email_is_silent_on_a_question_the_manufacturer_was_not_asked(
    app, inbox, reviewer, manufacturer, submitted
):
    ask_dr_leroy(app, inbox, reviewer, submitted)
    assert act(reviewer, submitted, "start-review").status_code == 303
    body = said(inbox.to("claire@cardiotech.example")[-1])
    assert "ANSM has resumed the review of your request" in body
    assert "question to you of" not in body
    # Nor when its answer was the last one awaited: the review resumed with it.
    act(reviewer, submitted, "request-information")
    with app.app_context():
        question_id = questions(submitted)[-1].id
    assert reply(manufacturer, submitted, question_id).status_code == 303
    assert "question to you of" not in said(inbox.to("claire@cardiotech.example")[-1])


def resume_from(reviewer, dossier_id: int, shown: dict, note: str):
    """The reviewer's "Resume the review", sent from a page opened earlier (`shown`: what its
    form said)."""
    data = action_data("start-review", reason=note) | shown
    return reviewer.post(f"/review/requests/{dossier_id}/start-review", data=data)


def test_a_question_a_colleague_asked_since_the_page_opened_stops_the_resume(
    app, inbox, reviewer, submitted
):
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information")
    shown = seen_on(reviewer, submitted)  # warns of the manufacturer's question only
    colleague = second_reviewer(app)
    assert ask_the_author(app, colleague, submitted, hcp_email=LEROY).status_code == 303
    inbox.clear()

    note = "We expect to decide within a week."
    refused = resume_from(reviewer, submitted, shown, note)
    assert refused.status_code == 409
    text = " ".join(html.unescape(refused.text).split())
    assert "Nothing was done: the answers awaited changed since you opened this page." in text
    assert "Also asked Dr Anne Leroy, who wrote a letter, for more information" in text
    resume = refused.text[refused.text.index('id="action-start-review"') :]
    resume = resume[: resume.index("</details>")]
    assert "Dr Anne Leroy, asked on" in resume  # the warning as it is now
    assert "each professional asked is told by email" in resume
    assert note in resume  # what was typed is kept
    assert status_of(app, submitted) == "information_requested"
    with app.app_context():
        assert all(question.is_open for question in questions(submitted))
    assert inbox == []  # nobody told anything

    # Sent again from the page that warns of her: resumed.
    again = resume_from(reviewer, submitted, shown_in(refused.text), note)
    assert again.status_code == 303
    assert status_of(app, submitted) == "under_review"
    assert len(inbox.to(LEROY)) == 1


def test_a_start_from_a_page_opened_before_a_colleague_asked_is_stopped_too(
    app, inbox, reviewer, submitted
):
    shown = seen_on(reviewer, submitted)  # "Start the review", nothing awaited
    colleague = second_reviewer(app)
    act(colleague, submitted, "start-review")
    ask_the_author(app, colleague, submitted, hcp_email=LEROY)
    refused = resume_from(reviewer, submitted, shown, "Taken up.")
    assert refused.status_code == 409
    assert "Dr Anne Leroy, asked on" in refused.text
    assert status_of(app, submitted) == "information_requested"


def test_a_page_that_did_not_say_what_it_warned_of_does_not_resume(app, inbox, reviewer, submitted):
    ask_dr_leroy(app, inbox, reviewer, submitted)
    shown = seen_on(reviewer, submitted)
    del shown["awaited"]
    assert resume_from(reviewer, submitted, shown, "").status_code == 409
    assert status_of(app, submitted) == "information_requested"


def shown_in(page: str) -> dict:
    """What a request's page says its forms showed (the fields `seen_on` reads)."""
    return {
        "seen": SEEN.search(page).group(1),
        "awaited": AWAITED.search(page).group(1),
    }


def english(day) -> str:
    return format_date(day, "long", locale="en_GB")


def test_a_withdrawal_whose_page_did_not_warn_of_a_question_asked_since_is_stopped(
    app, inbox, reviewer, manufacturer, submitted
):
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information")
    page = manufacturer.get(f"/requests/{submitted}/submitted").text
    shown = AWAITED.search(withdrawal_form(page)).group(1)
    assert shown == ""  # only the manufacturer's own question waits: nobody to warn of
    ask_the_author(app, reviewer, submitted, hcp_email=LEROY)  # meanwhile
    inbox.clear()
    typed = "The patient was treated otherwise."
    sent = manufacturer.post(
        f"/requests/{submitted}/withdraw", data={"withdraw-reason": typed, "awaited": shown}
    )
    assert sent.status_code == 409
    text = html.unescape(" ".join(sent.text.split()))
    assert "Nothing was done: the answers awaited changed since you opened this page." in text
    assert "then withdraw the request if you still want to." in text
    form = withdrawal_form(sent.text)
    assert '<details class="action" open>' in sent.text  # the form shown, what was typed kept
    assert "Dr Anne Leroy, asked on" in form and typed in form
    assert status_of(app, submitted) == "information_requested" and not inbox
    # From the page as it is now, the withdrawal goes, and she is told.
    assert withdraw(manufacturer, submitted, typed).status_code == 303
    assert status_of(app, submitted) == "withdrawn"
    assert inbox.to(LEROY)


def test_a_withdrawal_sent_after_a_decision_says_the_decision_not_the_questions(
    app, reviewer, manufacturer, submitted
):
    """A professional was awaited when the page was opened; meanwhile ANSM resumed and
    refused: nothing is left to withdraw, said as such, not "check whose answers are
    awaited, then withdraw"."""
    act(reviewer, submitted, "start-review")
    ask_the_author(app, reviewer, submitted, hcp_email=LEROY)
    page = manufacturer.get(f"/requests/{submitted}/submitted").text
    shown = AWAITED.search(withdrawal_form(page)).group(1)
    assert shown  # her question is named in the form's warning
    assert act(reviewer, submitted, "start-review").status_code == 303  # resumed
    assert act(reviewer, submitted, "refuse").status_code == 303
    sent = manufacturer.post(
        f"/requests/{submitted}/withdraw",
        data={"withdraw-reason": "Treated otherwise.", "awaited": shown},
    )
    assert sent.status_code == 409
    text = html.unescape(" ".join(sent.text.split()))
    assert "A request can be withdrawn only before ANSM decides on it." in text
    assert "the answers awaited changed" not in text
    assert status_of(app, submitted) == "refused"


def test_a_question_closed_by_the_manufacturers_withdrawal_is_said_to_each_as_theirs(
    app, reviewer, manufacturer, submitted
):
    """The manufacturer reads that it withdrew the request ("you"), the reviewer that the
    manufacturer did."""
    manufacturer_asked(app, reviewer, submitted)
    assert withdraw(manufacturer, submitted).status_code == 303
    with app.app_context():
        on = format_date(clock.today(), "d MMMM yyyy", locale="en")
    own = " ".join(manufacturer.get(f"/requests/{submitted}/submitted").text.split())
    assert f"Closed unanswered on {on}, when you withdrew the request." in own
    assert "when the manufacturer withdrew" not in own
    page = " ".join(reviewer.get(f"/review/requests/{submitted}").text.split())
    assert f"Closed unanswered on {on}, when the manufacturer withdrew the request." in page
