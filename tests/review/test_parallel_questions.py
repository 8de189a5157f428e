"""ANSM asks the manufacturer and a professional at once: each has one question waiting at a
time, the request stays "information requested" until the last answer awaited comes, and
answers arriving together never leave it stuck (PostgreSQL)."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from html import unescape

from tests.conftest import attach_files, dossier_with, login, make_user
from tests.invites.support import body_of, closed_port
from tests.review.support import act, dossier, questions, reply, status_of
from tests.review.test_professional_questions import LINK, answer, ask_the_author
from tests.security.test_concurrency import postgres_only, run_together  # noqa: F401
from wizard import audit, clock
from wizard.demo import sample_declaration
from wizard.extensions import db
from wizard.filing import service
from wizard.models import Role
from wizard.review import information
from wizard.review.history import event_text

LEROY = "anne.leroy@necker.example"


def ask_both(app, inbox, reviewer, dossier_id: int) -> str:
    """The review started, the manufacturer asked, then Dr Leroy: her link's path."""
    act(reviewer, dossier_id, "start-review")
    assert act(reviewer, dossier_id, "request-information").status_code == 303
    assert ask_the_author(app, reviewer, dossier_id, hcp_email=LEROY).status_code == 303
    return LINK.search(body_of(inbox.to(LEROY)[-1])).group(1)


def ask_then_let_the_link_expire(app, reviewer, dossier_id: int, monkeypatch) -> None:
    """Dr Leroy asked, her answer needed within two days; then four days pass unanswered."""
    soon = (clock.today() + timedelta(days=2)).isoformat()
    ask_the_author(app, reviewer, dossier_id, hcp_email=LEROY, due_date=soon)
    later = clock.now() + timedelta(days=4)
    monkeypatch.setattr(clock, "now", lambda: later)


def test_both_are_asked_and_the_last_answer_resumes_the_review(
    app, inbox, reviewer, manufacturer, submitted, monkeypatch
):
    act(reviewer, submitted, "start-review")
    assert act(reviewer, submitted, "request-information").status_code == 303
    # The manufacturer's question waits: the page offers to ask someone else, not them.
    page = reviewer.get(f"/review/requests/{submitted}").text
    assert "Ask someone else too" in page
    assert 'value="manufacturer"' not in page
    # Dr Leroy is the only one left to ask: chosen already, as the manufacturer is otherwise.
    (only,) = re.findall(r'<input[^>]*name="request-information-addressee"[^>]*>', page)
    assert "checked" in only
    assert ask_the_author(app, reviewer, submitted, hcp_email=LEROY).status_code == 303
    assert status_of(app, submitted) == "information_requested"
    with app.app_context():
        asked = questions(submitted)
        assert [q.addressee for q in asked] == ["manufacturer", "hcp"]
        assert all(q.is_open for q in asked)
        trail = audit.trail(submitted)
        assert trail[-1].action == audit.QUESTION_ADDED
        assert trail[-1].detail["hcp_name"] == "Dr Anne Leroy"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert event_text(trail[-1]) == (
            "Also asked Dr Anne Leroy, who wrote a letter, for more information"
        )
    # Everyone who could answer is asked: nobody left to ask.
    page = reviewer.get(f"/review/requests/{submitted}").text
    assert "Ask someone else too" not in page and "Resume the review" in page

    # The manufacturer hears of the second question, and still has its own to answer.
    told = " ".join(body_of(inbox.to("claire@cardiotech.example")[-1]).split())
    assert "ANSM has also asked Dr Anne Leroy" in told
    assert "ANSM still awaits your own answer to its question" in told
    own = manufacturer.get(f"/requests/{submitted}/submitted").text
    assert "Send the answer to ANSM" in own
    assert "ANSM also asked Dr Anne Leroy" in own and "You have nothing to do" not in own

    # The manufacturer answers: the professional's answer is still awaited.
    with app.app_context():
        question_id = questions(submitted)[0].id
    monkeypatch.setitem(app.config, "REVIEW_TEAM_EMAIL", "team@ansm.example")
    replied = reply(manufacturer, submitted, question_id)
    assert replied.status_code == 303 and "#" not in replied.location
    assert "ANSM resumes its review once Dr Anne Leroy has answered too." in (
        manufacturer.get(replied.location).text
    )
    assert status_of(app, submitted) == "information_requested"
    [team] = inbox.to("team@ansm.example")
    assert "Still awaited: the answer of Dr Anne Leroy." in " ".join(body_of(team).split())
    # A paragraph of its own, as the email's others are.
    assert "travels in clear.\r\n\r\nStill awaited" in body_of(team)
    own = manufacturer.get(f"/requests/{submitted}/submitted").text
    assert "Send the answer to ANSM" not in own
    assert "You have nothing to do for now" in own
    page = reviewer.get(f"/review/requests/{submitted}").text
    assert "Ask someone else too" in page and 'value="manufacturer"' in page

    # The professional answers: the last answer awaited sends the request back to review.
    path = LINK.search(body_of(inbox.to(LEROY)[-1])).group(1)
    assert answer(app.test_client(), path).status_code == 303
    assert status_of(app, submitted) == "under_review"
    with app.app_context():
        actions = [event.action for event in audit.trail(submitted)]
    assert actions[-5:] == [
        audit.STATUS_CHANGED,  # asked the manufacturer
        audit.QUESTION_ADDED,  # and the professional
        audit.REPLY_SENT,  # the manufacturer's answer
        audit.REPLY_SENT,  # the professional's
        audit.STATUS_CHANGED,  # back to review
    ]
    with app.app_context():
        assert audit.check().intact

    # The manufacturer reads it all in the request's history (that she answered, not what),
    # and is emailed that her answer resumed the review.
    own = manufacturer.get(f"/requests/{submitted}/submitted").text
    history = own.split('id="history-title"')[1].split("</section>")[0]
    said = [
        " ".join(unescape(t).split()) for t in re.findall(r"history__text[^>]*>([^<]*)<", history)
    ]
    assert said[-5:] == [
        "ANSM asked you for more information.",
        "ANSM asked Dr Anne Leroy, who wrote a letter, for more information.",
        "Claire Martin answered ANSM's question.",
        "Dr Anne Leroy answered ANSM's question.",
        "Every answer awaited has come: ANSM resumes its review.",
    ]
    assert "Three children" not in own
    resumed = inbox.to("claire@cardiotech.example")[-1]
    assert "Answer received: ANSM resumes the review of request" in resumed["Subject"]
    told = " ".join(body_of(resumed).split())
    assert "Dr Anne Leroy, whom ANSM asked about your request" in told
    assert "has answered ANSM, which resumes its review" in told
    assert "Three children" not in told


def test_one_question_at_a_time_each(app, inbox, reviewer, submitted):
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information")
    # Another reviewer's page, shown before: the manufacturer asked again.
    again = act(reviewer, submitted, "request-information", message="And the registry.")
    assert again.status_code == 422
    assert "Cardiotech Médical SAS has not answered the question asked on" in again.text
    assert "And the registry." in again.text  # what was typed is kept
    with app.app_context():
        assert len(questions(submitted)) == 1


def test_resuming_the_review_closes_every_question_waiting(
    app, inbox, reviewer, manufacturer, submitted
):
    path = ask_both(app, inbox, reviewer, submitted)
    assert act(reviewer, submitted, "start-review").status_code == 303  # "Resume the review"
    assert status_of(app, submitted) == "under_review"
    with app.app_context():
        assert not any(q.is_open for q in questions(submitted))
    assert app.test_client().get(path).status_code == 410
    assert (
        "Send the answer to ANSM" not in manufacturer.get(f"/requests/{submitted}/submitted").text
    )


def test_two_answers_at_once_resume_the_review(
    app,
    inbox,
    reviewer,
    manufacturer,
    submitted,
    postgres_only,  # noqa: F811
):
    path = ask_both(app, inbox, reviewer, submitted)
    with app.app_context():
        question_id = questions(submitted)[0].id
    professional = app.test_client()
    outcomes = []

    def one(index):
        if index == 0:
            outcomes.append(reply(manufacturer, submitted, question_id).status_code)
        else:
            outcomes.append(answer(professional, path).status_code)

    assert run_together(one, 2) == []
    assert outcomes == [303, 303]
    assert status_of(app, submitted) == "under_review"
    with app.app_context():
        assert not any(q.is_open for q in questions(submitted))
        assert sum(len(q.replies) for q in questions(submitted)) == 2


def test_a_link_that_expired_unanswered_does_not_hold_the_review(
    app, inbox, reviewer, manufacturer, submitted, monkeypatch
):
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information")
    ask_then_let_the_link_expire(app, reviewer, submitted, monkeypatch)
    page = reviewer.get(f"/review/requests/{submitted}").text
    assert "The link expired without an answer." in page
    # The professional may be asked again: the same person, not "someone else".
    assert "Ask Dr Anne Leroy again</summary>" in page and "Ask someone else too" not in page
    # The manufacturer's answer is the last one awaited: the review resumes.
    with app.app_context():
        question_id = questions(submitted)[0].id
    assert reply(manufacturer, submitted, question_id).status_code == 303
    assert status_of(app, submitted) == "under_review"


def test_a_question_whose_email_cannot_leave_is_not_asked(
    app, inbox, reviewer, manufacturer, submitted
):
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information")
    told = len(inbox.to("claire@cardiotech.example"))
    port = app.config["MAIL_PORT"]
    app.config.update(MAIL_PORT=closed_port())
    try:
        refused = ask_the_author(app, reviewer, submitted, hcp_email=LEROY)
    finally:
        app.config.update(MAIL_PORT=port)
    assert refused.status_code == 409
    assert "Nothing was asked: the email to Dr Anne Leroy (anne.leroy@necker.example) could" in (
        " ".join(refused.text.split())
    )
    assert "How many of your patients" in refused.text  # what was typed is kept
    with app.app_context():
        assert [q.addressee for q in questions(submitted)] == ["manufacturer"]
    # Nobody was told of a question that was not asked.
    assert len(inbox.to("claire@cardiotech.example")) == told
    # Asked again, at a checked address.
    again = ask_the_author(app, reviewer, submitted, hcp_email="a.leroy@necker.example")
    assert again.status_code == 303 and inbox.to("a.leroy@necker.example")
    assert status_of(app, submitted) == "information_requested"


def test_the_only_question_unsent_leaves_the_request_under_review(app, inbox, reviewer, submitted):
    act(reviewer, submitted, "start-review")
    app.config.update(MAIL_PORT=closed_port())
    refused = ask_the_author(app, reviewer, submitted, hcp_email=LEROY)
    assert refused.status_code == 409
    assert status_of(app, submitted) == "under_review"
    with app.app_context():
        assert questions(submitted) == []


def test_a_professional_whose_link_expired_is_asked_again(
    app, inbox, reviewer, manufacturer, submitted, monkeypatch
):
    act(reviewer, submitted, "start-review")
    ask_then_let_the_link_expire(app, reviewer, submitted, monkeypatch)
    # Nothing can come any more: the reviewer is told, and the manufacturer not misled.
    page = reviewer.get(f"/review/requests/{submitted}").text
    assert "No answer is awaited any more" in page
    assert "Ask Dr Anne Leroy again, or someone else</summary>" in page
    assert (
        "You have nothing to do for now"
        not in manufacturer.get(f"/requests/{submitted}/submitted").text
    )
    # The address typed for the first question is the portal's now: not asked for again.
    assert ask_the_author(app, reviewer, submitted).status_code == 303
    assert len(inbox.to(LEROY)) == 2
    # Her first email's link says the newer one replaces it, not that ANSM moved on.
    old_link, new_link = (LINK.search(body_of(m)).group(1) for m in inbox.to(LEROY))
    replaced = app.test_client().get(old_link)
    assert replaced.status_code == 410
    text = unescape(replaced.text)
    assert "This link has been replaced" in text
    assert "ANSM has asked you again, in a newer email whose link replaces this one." in text
    assert "no longer waits" not in text
    assert app.test_client().get(new_link).status_code == 200
    with app.app_context():
        first, second = questions(submitted)
        assert first.closed_reason == "expired" and second.is_open
        assert second.hcp_email == LEROY
    assert "No answer is awaited any more" not in reviewer.get(f"/review/requests/{submitted}").text
    assert (
        "You have nothing to do for now"
        in manufacturer.get(f"/requests/{submitted}/submitted").text
    )
    # Once the newer one is answered, the first no longer sends her to it.
    assert answer(app.test_client(), new_link).status_code == 303
    closed = unescape(app.test_client().get(old_link).text)
    assert "This link has been replaced" not in closed
    assert "ANSM no longer waits for this answer" in closed


def assert_one_working_link(app, inbox) -> None:
    """Dr Leroy got one email, and its link works: no refused question sent one."""
    assert len(inbox.to(LEROY)) == 1
    link = LINK.search(body_of(inbox.to(LEROY)[0])).group(1)
    assert app.test_client().get(link).status_code == 200


def second_reviewer(app, email: str = "rex@ansm.example", name: str | None = None):
    """Another reviewer of ANSM (`name`: as their account is named), signed in on their own
    browser."""
    with app.app_context():
        made = make_user(email, role=Role.REVIEWER)
        if name is not None:
            made.name = name
            db.session.commit()
    second = app.test_client()
    assert login(second, email).status_code == 303
    return second


def test_the_same_person_asked_twice_at_once_gets_one_question(
    app,
    inbox,
    reviewer,
    submitted,
    postgres_only,  # noqa: F811
):
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information")
    second = second_reviewer(app)
    outcomes = []

    def one(index):
        browser = reviewer if index == 0 else second
        outcomes.append(ask_the_author(app, browser, submitted, hcp_email=LEROY))

    assert run_together(one, 2) == []
    # The second is refused: when its form is checked (422) or, asked at the very same
    # moment, once the request is locked (409); either way saying Dr Leroy was just asked.
    asked, refused = sorted(outcomes, key=lambda response: response.status_code)
    assert asked.status_code == 303 and refused.status_code in (409, 422)
    assert "has not answered the question asked on" in refused.text
    with app.app_context():
        assert [q.addressee for q in questions(submitted) if q.is_open] == ["manufacturer", "hcp"]
    assert_one_working_link(app, inbox)


def test_two_reviewers_asking_different_people_at_once_both_ask(
    app,
    inbox,
    reviewer,
    submitted,
    monkeypatch,
    postgres_only,  # noqa: F811
):
    """The request moves to "information requested" with one question while the other
    reviewer asks someone else: that question joins it, its link sent once written."""
    act(reviewer, submitted, "start-review")
    second = second_reviewer(app)
    outcomes = []
    # Both lock the request for their question at the same moment: one waits for the other's
    # to be written.
    together = threading.Barrier(2)
    lock_to_ask = information._lock_to_ask

    def at_once(dossier, question, at):
        together.wait(timeout=10)
        return lock_to_ask(dossier, question, at)

    monkeypatch.setattr(information, "_lock_to_ask", at_once)

    def one(index):
        if index == 0:
            outcomes.append(act(reviewer, submitted, "request-information").status_code)
        else:
            asked = ask_the_author(app, second, submitted, hcp_email=LEROY)
            outcomes.append(asked.status_code)

    assert run_together(one, 2) == []
    assert outcomes == [303, 303]
    assert status_of(app, submitted) == "information_requested"
    with app.app_context():
        assert sorted(q.addressee for q in questions(submitted) if q.is_open) == [
            "hcp",
            "manufacturer",
        ]
    assert_one_working_link(app, inbox)


def test_the_manufacturer_reads_every_professional_asked(app, inbox, user, reviewer, manufacturer):
    with app.app_context():
        dossier_id = dossier_with(user[0], "individual", files=False)
        filed = dossier(dossier_id)
        attach_files(filed, user[0], letters=2)
        first, second = sorted(filed.hcp_letters, key=lambda letter: letter.id)
        second.author_name = "Dr Paul Martin"
        db.session.commit()
        service.submit(filed, filed.created_by, sample_declaration())
        letters = [first.id, second.id]
    act(reviewer, dossier_id, "start-review")
    for letter_id, email in zip(letters, (LEROY, "paul.martin@chu.example"), strict=True):
        asked = act(
            reviewer,
            dossier_id,
            "request-information",
            addressee=f"letter-{letter_id}",
            message="How many of your patients would need the device this year?",
            hcp_email=email,
        )
        assert asked.status_code == 303
    text = " ".join(manufacturer.get(f"/requests/{dossier_id}/submitted").text.split())
    assert "ANSM asked Dr Anne Leroy, who wrote a letter for this request" in text
    assert "ANSM also asked Dr Paul Martin, who wrote a letter for this request" in text
    assert text.count("You have nothing to do for now.") == 1


def test_the_warning_of_questions_a_decision_closes_counts_them(app, inbox, reviewer, submitted):
    """One question or several, the manufacturer's or a professional's: said as it is."""
    act(reviewer, submitted, "start-review")
    assert ask_the_author(app, reviewer, submitted, hcp_email=LEROY).status_code == 303
    resume = "This action closes the question: it can no longer be answered, and the professional"
    assert resume in unescape(reviewer.get(f"/review/requests/{submitted}").text)
    assert act(reviewer, submitted, "request-information").status_code == 303
    page = unescape(reviewer.get(f"/review/requests/{submitted}").text)
    assert "This action closes their questions: they can no longer be answered, and each " in page
    assert "This action closes the question" not in page
