"""Once authorised, ANSM may still ask the manufacturer for information (the signed act says
so): the question does not move the request, which stays authorised (or suspended); the
manufacturer answers on its page as during the review; a measure, or the period's end,
closes a question still awaited."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from tests.invites.support import body_of
from tests.review.support import (
    act,
    action_data,
    dossier,
    in_days,
    questions,
    reply,
    seen_on,
    status_of,
)
from tests.review.test_information_requests import words
from tests.review.test_period_end_reminder import days_later, run_daily_job
from tests.review.test_report_dates import said as said_date
from wizard import clock

ASKED = "Send the number of patients treated so far and any incident."


def authorised(reviewer, dossier_id: int) -> None:
    act(reviewer, dossier_id, "start-review")
    assert act(reviewer, dossier_id, "authorise").status_code == 303


def ask(reviewer, dossier_id: int, **fields):
    data = {"addressee": "manufacturer", "message": ASKED, **fields}
    return act(reviewer, dossier_id, "request-information", **data)


def test_an_authorisation_in_force_can_be_asked_about_and_stays_in_force(
    app, inbox, reviewer, manufacturer, submitted
):
    authorised(reviewer, submitted)
    page = html.unescape(reviewer.get(f"/review/requests/{submitted}").text)
    assert '<summary class="action__summary">Ask for more information</summary>' in page
    # The professionals wrote for the request, not for its follow-up: not offered.
    form = page.split('id="action-request-information"')[1].split("</details>")[0]
    assert "who sent a letter" not in form
    # Nor are they spoken of in its hints.
    assert "professional" not in " ".join(form.split())
    assert "Questions are sent by email: leave out any patient's identity." in form
    too_far = ask(reviewer, submitted, due_date=(clock.today() + timedelta(days=91)).isoformat())
    assert too_far.status_code == 422
    refused = " ".join(html.unescape(too_far.text).split())
    assert "An answer can be needed at most 90 days from today, by" in refused
    assert (
        "professional"
        not in refused.split('id="action-request-information"')[1].split("</details>")[0]
    )

    asked = ask(reviewer, submitted)
    assert asked.status_code == 303
    assert "Done: your question has been sent to the manufacturer." in html.unescape(
        reviewer.get(asked.location).text
    )
    assert status_of(app, submitted) == "authorised"
    told = inbox.to("claire@cardiotech.example")[-1]
    with app.app_context():
        reference = dossier(submitted).reference
        question_id = questions(submitted)[0].id
    assert f"ANSM asks you for information on request {reference}" in told["Subject"]
    assert ASKED in body_of(told)
    trail = " ".join(html.unescape(reviewer.get(f"/review/requests/{submitted}").text).split())
    assert "Asked the manufacturer for more information on the authorisation" in trail

    # The manufacturer answers on its page, as during the review.
    own = html.unescape(manufacturer.get(f"/requests/{submitted}/submitted").text)
    assert "ANSM asks you for more information" in own and ASKED in own
    assert "ANSM asks you a question" in manufacturer.get("/dashboard").text
    answered = reply(manufacturer, submitted, question_id, message="Four patients, no incident.")
    assert answered.status_code in (302, 303)
    said = html.unescape(manufacturer.get(answered.location).text)
    assert "Your answer has been sent to ANSM." in said and "resumes" not in said
    assert status_of(app, submitted) == "authorised"
    review_page = reviewer.get(f"/review/requests/{submitted}").text
    assert "Four patients, no incident." in review_page
    # Asked again: as many questions as needed, one awaited at a time.
    assert ask(reviewer, submitted, message="And since?").status_code == 303
    twice = ask(reviewer, submitted, message="Twice?")
    assert twice.status_code == 422 and "Twice?" in twice.text  # what was typed, kept


def test_an_answer_overdue_on_an_authorisation_speaks_of_no_decision_to_come(
    app, reviewer, manufacturer, submitted, monkeypatch
):
    """The authorisation is decided: "ANSM may decide without it" would announce a decision
    nothing awaits."""
    authorised(reviewer, submitted)
    due = clock.today() + timedelta(days=20)
    assert ask(reviewer, submitted, due_date=due.isoformat()).status_code == 303
    days_later(monkeypatch, 21)
    page = words(manufacturer.get(f"/requests/{submitted}/submitted"))
    assert (
        f"The date ANSM needed your answer by, {said_date(due)}, has passed: send it as soon as "
        "you can." in page
    )
    assert "ANSM may decide without it" not in page


def test_a_measure_closes_the_question_awaited_and_says_so_first(
    app, inbox, reviewer, manufacturer, submitted
):
    authorised(reviewer, submitted)
    assert ask(reviewer, submitted).status_code == 303
    page = " ".join(html.unescape(reviewer.get(f"/review/requests/{submitted}").text).split())
    suspend = page.split('id="action-suspend"')[1].split("</details>")[0]
    assert "This action closes the question: it can no longer be answered." in suspend
    suspended = act(reviewer, submitted, "suspend")
    assert suspended.status_code == 303 and status_of(app, submitted) == "suspended"
    told = " ".join(body_of(inbox.to("claire@cardiotech.example")[-1]).split())
    assert "ANSM has suspended the authorisation" in told
    assert "ANSM's question to you of" in told and "is closed" in told
    with app.app_context():
        reference = dossier(submitted).reference
    # Where an answer still needed goes, as the page says it of an answer sent late.
    assert (
        "If you think your answer is still needed, write to ANSM at rita@ansm.example, giving "
        f"the reference {reference}." in told
    )
    with app.app_context():
        [question] = questions(submitted)
        assert question.closed_reason == "suspended"
        question_id = question.id
    own = html.unescape(manufacturer.get(f"/requests/{submitted}/submitted").text)
    assert "ANSM asks you for more information" not in own
    late = reply(manufacturer, submitted, question_id, message="Too late?")
    assert late.status_code == 409
    said = " ".join(html.unescape(late.text).split())
    assert (
        f"ANSM suspended the authorisation on {said_date(clock.today())}, which closed its "
        "question. Your answer was not sent." in said
    )
    assert "If you think your answer is still needed, write to ANSM at" in said
    # Suspended, ANSM may ask too: a late answer to the old question is pointed at it.
    assert ask(reviewer, submitted, message="What happened?").status_code == 303
    assert status_of(app, submitted) == "suspended"
    late = reply(manufacturer, submitted, question_id, message="Too late?")
    assert "ANSM has asked you a new question since: answer it on this page." in html.unescape(
        late.text
    )


@pytest.mark.parametrize("measure", ["withdraw", "reinstate"])
def test_a_late_answer_says_which_measure_closed_its_question(
    app, reviewer, manufacturer, submitted, measure
):
    authorised(reviewer, submitted)
    if measure == "reinstate":
        assert act(reviewer, submitted, "suspend").status_code == 303
    assert ask(reviewer, submitted).status_code == 303
    with app.app_context():
        question_id = questions(submitted)[-1].id
    assert act(reviewer, submitted, measure).status_code == 303
    late = reply(manufacturer, submitted, question_id, message="Too late?")
    assert late.status_code == 409
    done = "withdrew" if measure == "withdraw" else "reinstated"
    said = " ".join(html.unescape(late.text).split())
    assert (
        f"ANSM {done} the authorisation on {said_date(clock.today())}, which closed its "
        "question. Your answer was not sent." in said
    )
    assert "The request was withdrawn" not in said
    assert "If you think your answer is still needed, write to ANSM at" in said
    assert "Too late?" in said  # to copy
    assert "ANSM's question to you" in html.unescape(
        manufacturer.get(f"/requests/{submitted}/submitted").text
    )
    # Both pages say, under the question, what closed it.
    closed = f"Closed unanswered on {said_date(clock.today())}, when ANSM {done} the authorisation."
    for page in (
        reviewer.get(f"/review/requests/{submitted}"),
        manufacturer.get(f"/requests/{submitted}/submitted"),
    ):
        assert closed in html.unescape(page.text)


def test_an_authorisation_whose_period_ended_is_asked_nothing_more(
    app, reviewer, manufacturer, submitted, monkeypatch
):
    authorised(reviewer, submitted)
    assert ask(reviewer, submitted).status_code == 303
    with app.app_context():
        question_id = questions(submitted)[0].id
    later = clock.now() + timedelta(days=400)  # well past the period's end
    monkeypatch.setattr(clock, "now", lambda: later)
    page = html.unescape(reviewer.get(f"/review/requests/{submitted}").text)
    assert 'id="action-request-information"' not in page
    # Neither side reads that an answer is awaited, before the daily command closes it.
    mine = html.unescape(manufacturer.get(f"/requests/{submitted}/submitted").text)
    for shown in (page, mine):
        assert "The authorisation's period ended without an answer." in shown
        assert "Waiting for the answer." not in shown
    refused = reviewer.post(
        f"/review/requests/{submitted}/request-information",
        data={
            "request-information-addressee": "manufacturer",
            "request-information-message": "Still there?",
            **seen_on(reviewer, submitted),
        },
    )
    assert refused.status_code == 409
    # Its question can no longer be answered either (before the daily command closes it).
    late = reply(manufacturer, submitted, question_id, message="Late answer.")
    assert late.status_code == 409
    assert (
        "The authorisation's period has ended, which closed ANSM's question. Your answer was "
        "not sent." in html.unescape(late.text)
    )
    assert "Late answer." not in reviewer.get(f"/review/requests/{submitted}").text
    # Once the daily command has closed it, both pages say when and why.
    run_daily_job(app)
    with app.app_context():
        closed_on = clock.day_in_paris(questions(submitted)[0].closed_at)
    closed = f"Closed unanswered on {said_date(closed_on)}, when the authorisation's period ended."
    for page in (
        reviewer.get(f"/review/requests/{submitted}"),
        manufacturer.get(f"/requests/{submitted}/submitted"),
    ):
        assert closed in html.unescape(page.text)


def test_a_measure_read_back_then_signed_with_a_question_open(app, reviewer, submitted):
    """Through the page that reads the decision back, as a reviewer signs it: the answers
    awaited that the request's page warned of go along, and the measure is signed."""
    authorised(reviewer, submitted)
    assert ask(reviewer, submitted).status_code == 303
    typed = action_data("suspend") | seen_on(reviewer, submitted)
    del typed["decision"]
    url = f"/review/requests/{submitted}/suspend"
    shown = reviewer.post(url, data=typed)
    assert shown.status_code == 200 and "Check the decision before it is signed" in shown.text
    form = shown.text.split("data-submit-once>")[1].split("</form>")[0]
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    signed = reviewer.post(url, data={**hidden, "decision": "sign"})
    assert signed.status_code == 303 and status_of(app, submitted) == "suspended"


def test_an_answer_is_needed_by_the_authorisations_last_day_at_the_latest(app, reviewer, submitted):
    """The period's end closes a question on an authorisation: no answer can be asked for
    after it."""
    act(reviewer, submitted, "start-review")
    last_day = clock.today() + timedelta(days=30)
    authorised = act(
        reviewer, submitted, "authorise", period_start=in_days(0), period_end=last_day.isoformat()
    )
    assert authorised.status_code == 303
    page = " ".join(html.unescape(reviewer.get(f"/review/requests/{submitted}").text).split())
    form = page.split('id="action-request-information"')[1].split("</details>")[0]
    assert (
        f"By {said_date(last_day)} at the latest, the authorisation's last day: its end closes the "
        "question." in form
    )
    too_late = ask(reviewer, submitted, due_date=(last_day + timedelta(days=1)).isoformat())
    assert too_late.status_code == 422
    refused = " ".join(html.unescape(too_late.text).split())
    assert (
        f"The authorisation ends on {said_date(last_day)}, which closes the question: the "
        "answer can be needed by then at the latest." in refused
    )
    far = ask(reviewer, submitted, due_date=(clock.today() + timedelta(days=91)).isoformat())
    assert "An answer can be needed at most 90 days" not in " ".join(
        html.unescape(far.text).split()
    )  # one error: the period's, the nearer
    assert ask(reviewer, submitted, due_date=last_day.isoformat()).status_code == 303


def test_a_question_to_a_professional_sent_from_a_page_older_than_the_authorisation(
    app, inbox, reviewer, submitted
):
    """The page was opened during the review, which offered the professionals; a colleague
    authorised meanwhile: the question is refused beside its choice, what was typed kept."""
    from tests.review.test_professional_questions import ask_the_author

    authorised(reviewer, submitted)
    refused = ask_the_author(app, reviewer, submitted, hcp_email="anne.leroy@necker.example")
    assert refused.status_code == 422
    page = " ".join(html.unescape(refused.text).split())
    assert (
        "Once ANSM has decided on the request, questions go to the manufacturer only: "
        "choose the manufacturer." in page
    )
    assert "How many of your patients would need the device this year?" in page
    assert not inbox.to("anne.leroy@necker.example")
    with app.app_context():
        assert questions(submitted) == []
