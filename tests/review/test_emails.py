"""The manufacturer (the request's creator, and the contact person the filing names) gets an
email at every change of status, through the mail layer, here to a real SMTP server (aiosmtpd
on 127.0.0.1)."""

from __future__ import annotations

import copy
import re
from datetime import date, timedelta

from babel.dates import format_date

from tests.conftest import dossier_with, login, make_user, sign_and_submit
from tests.invites.support import body_of
from tests.review.conftest import REVIEWER_EMAIL
from tests.review.support import DUE, DUE_SAID, act, dossier, in_days, questions, reply
from wizard import clock
from wizard.demo import sample_answers
from wizard.extensions import db
from wizard.models import Role
from wizard.review.status import authorisation_of


def test_the_manufacturer_is_emailed_at_each_change(app, inbox, reviewer, manufacturer, submitted):
    with app.app_context():
        reference = dossier(submitted).reference
    act(reviewer, submitted, "start-review")
    [started] = inbox.to("claire@cardiotech.example")
    # The contact person the filing names hears of it too, in the same message.
    assert started["To"].addresses[1].addr_spec == "claire.martin@example.org"
    # French first, then English: we do not know which the reader prefers.
    subject = started["Subject"].split(" / ")[-1]
    assert subject == f"ANSM is reviewing your request {reference}"
    body = body_of(started)
    assert "ANSM has started the review of your request" in body
    assert "Complete file; we expect to decide within 30 days." in body
    assert f"http://localhost/requests/{submitted}/submitted" in body

    act(reviewer, submitted, "request-information", due_date=DUE)
    asked = inbox.to("claire@cardiotech.example")[-1]
    assert "asks you for information" in asked["Subject"]
    assert "Send the latest vigilance report." in body_of(asked)
    assert DUE_SAID in body_of(asked)

    with app.app_context():
        question_id = questions(submitted)[0].id
    replied = reply(manufacturer, submitted, question_id)
    assert "Your answer has been sent to ANSM, which resumes its review." in (
        manufacturer.get(replied.location).text
    )
    resumed = inbox.to("claire@cardiotech.example")[-1]
    assert (
        f"Answer received: ANSM resumes the review of request {reference}" in (resumed["Subject"])
    )
    assert "ANSM has received your answer to its question" in body_of(resumed)
    # The grounds are emailed: the form says so beside them, as it does for questions.
    page = " ".join(reviewer.get(f"/review/requests/{submitted}").text.split())
    emailed = (
        "Printed on the signed decision and sent to the manufacturer by email: leave out any "
        "patient&#39;s identity."
    )
    assert page.count(emailed) >= 2  # authorise, refuse
    act(reviewer, submitted, "refuse", reason="Alternatives exist.")
    refused = inbox.to("claire@cardiotech.example")[-1]
    assert f"Request {reference} is refused" in refused["Subject"]
    assert "Alternatives exist." in body_of(refused)
    refusal = " ".join(body_of(refused).split())
    assert "Decision no. 1, signed on" in refusal and ": its PDF is on the page of your" in refusal
    # To a manufacturer who may be abroad: which clock the time is on.
    assert re.search(r"signed on \d+ \w+ \d{4} at \d\d:\d\d \(Paris time\): its PDF", refusal)
    assert re.search(r"à \d+ h \d\d \(heure de Paris\)", refusal)
    # What the manufacturer can do now: challenge it, or file again.
    assert "You may challenge this decision within two months of its notification" in refusal
    assert "“Start a new request from this one” copies what you filed" in refusal
    assert len(inbox.to("claire@cardiotech.example")) == 4  # one per change of status


def test_an_authorisation_email_states_its_conditions_the_indication_included(
    app, inbox, reviewer, submitted_global
):
    """What the authorisation allows, as ANSM worded it (its indication may be narrower than
    the one asked for): the period, the indication, the cap and the follow-up."""
    act(reviewer, submitted_global, "start-review")
    act(reviewer, submitted_global, "authorise", indication="Children under 20 kg only.")
    body = body_of(inbox.to("claire@cardiotech.example")[-1]).replace("\r\n", "\n")
    start, end = (
        format_date(date.fromisoformat(in_days(days)), "long", locale="en_GB") for days in (10, 200)
    )
    english = body.split("Hello,")[1]
    assert f"Authorised period: from {start} to {end} inclusive." in english
    assert "Authorised indication:\n\n    Children under 20 kg only.\n" in english
    assert "Maximum number of patients: 12." in english
    assert "Follow-up conditions:\n\n    Monthly report to ANSM on every patient." in english
    assert "Indication autorisée\u00a0:\n\n    Children under 20 kg only." in body


def test_each_decision_email_says_what_the_manufacturer_can_do_next(
    app, inbox, reviewer, submitted_global
):
    """Where to send the follow-up reports; of a measure, its number and how to challenge
    it; of a reinstatement before the authorised period begins, from when to when it will
    be in force (it never was)."""

    def last() -> str:
        return " ".join(body_of(inbox.to("claire@cardiotech.example")[-1]).split())

    act(reviewer, submitted_global, "start-review")
    act(reviewer, submitted_global, "authorise")
    authorised = last()
    assert "Send your follow-up reports from the page of your request" in authorised
    assert "You may challenge this decision" not in authorised  # it grants what was asked
    act(reviewer, submitted_global, "suspend")
    suspended = last()
    assert "Decision no. 2, signed on" in suspended
    assert "within two months of its notification" in suspended
    assert "administrative court of Montreuil" in suspended
    act(reviewer, submitted_global, "reinstate")
    start, end = (
        format_date(date.fromisoformat(in_days(days)), "long", locale="en_GB") for days in (10, 200)
    )
    reinstated = last()
    assert (
        f"it will be in force, on the conditions it set, from {start} to {end} inclusive."
    ) in reinstated
    assert "in force again" not in reinstated
    assert "elle sera en vigueur, dans les conditions qu’elle fixe, du" in reinstated


def test_a_reinstatement_once_the_period_has_begun_says_it_is_in_force_again(
    app, inbox, reviewer, submitted_global
):
    act(reviewer, submitted_global, "start-review")
    act(reviewer, submitted_global, "authorise", period_start=in_days(0))
    act(reviewer, submitted_global, "suspend")
    act(reviewer, submitted_global, "reinstate")
    said = " ".join(body_of(inbox.to("claire@cardiotech.example")[-1]).split())
    end = format_date(date.fromisoformat(in_days(200)), "long", locale="en_GB")
    assert f"it is in force again, on the conditions it set, until {end} inclusive." in said
    assert "elle est de nouveau en vigueur, dans les conditions qu’elle fixe, jusqu’au" in said


def test_an_individual_authorisation_email_names_no_indication(app, inbox, reviewer, submitted):
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "authorise", indication=None, max_patients=None)
    body = body_of(inbox.to("claire@cardiotech.example")[-1])
    assert "ANSM has authorised your request" in body
    assert "Authorised indication" not in body and "Maximum number of patients" not in body


def test_news_leaves_once_the_page_is_sent_and_a_mail_failure_changes_nothing(
    app, inbox, reviewer, submitted, monkeypatch, caplog
):
    """The reviewer's page does not wait for the SMTP server, and the request's database
    connection is back in its pool before the email leaves."""
    from tests.review.support import action_data

    url = f"/review/requests/{submitted}/start-review"
    response = reviewer.post(url, data=action_data("start-review"), buffered=False)
    assert response.status_code == 303 and inbox.to("claire@cardiotech.example") == []
    response.close()  # what a server does once the page is sent
    assert len(inbox.to("claire@cardiotech.example")) == 1

    # A mail server that refuses: the change is kept, the failure logged.
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)
    act(reviewer, submitted, "request-information", due_date=DUE)
    assert f"news of request {submitted} to claire@cardiotech.example" in caplog.text
    with app.app_context():
        assert dossier(submitted).status == "information_requested"


def test_a_contact_who_is_the_filer_is_written_to_once(app, inbox, reviewer, submitted):
    with app.app_context():
        filed = dossier(submitted)
        frozen = copy.deepcopy(filed.submitted_answers)
        frozen["answers"]["manufacturer"]["contact_email"] = "Claire@Cardiotech.example"
        filed.submitted_answers = frozen
        db.session.commit()
    act(reviewer, submitted, "start-review")
    [started] = inbox.to("claire@cardiotech.example")
    assert len(started["To"].addresses) == 1


def test_a_mail_server_that_is_down_does_not_undo_the_change(app, reviewer, submitted):
    from tests.invites.support import closed_port

    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=closed_port(), MAIL_USE_TLS=False)
    try:
        response = act(reviewer, submitted, "start-review")
    finally:
        app.config.update(MAIL_HOST="")
    assert response.status_code == 303
    with app.app_context():
        assert dossier(submitted).status == "under_review"


def authorised_until_past(reviewer, dossier_id, monkeypatch) -> None:
    """Authorised for 30 days, and now 32 days later."""
    act(reviewer, dossier_id, "start-review")
    act(
        reviewer,
        dossier_id,
        "authorise",
        period_start=in_days(1),
        period_end=in_days(30),
        max_patients="8",
        follow_up="Registry of every implanted child.",
    )
    later = clock.now() + timedelta(days=32)
    monkeypatch.setattr(clock, "now", lambda: later)


def test_the_daily_expiry_email_links_to_the_request_at_the_public_address(
    app, inbox, reviewer, submitted_global, monkeypatch
):
    authorised_until_past(reviewer, submitted_global, monkeypatch)
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://derogations.example/portal")

    result = app.test_cli_runner().invoke(args=["decisions", "expire"])

    assert "1 authorisation(s) expired." in result.output
    expired = inbox.to("claire@cardiotech.example")[-1]
    assert "has expired" in body_of(expired)
    with app.app_context():
        last_day = authorisation_of(dossier(submitted_global)).period_end
    ended = f"its period ended on {format_date(last_day, 'long', locale='en_GB')}."
    assert ended in " ".join(body_of(expired).split())
    link = f"https://derogations.example/portal/requests/{submitted_global}/submitted"
    assert link in body_of(expired)
    # Its patients are still followed: the reports its conditions ask for go on.
    assert "The patients who received the device continue to be followed" in body_of(expired)


def test_without_a_public_address_the_expiry_email_has_no_broken_link(
    app, inbox, reviewer, submitted_global, monkeypatch
):
    authorised_until_past(reviewer, submitted_global, monkeypatch)

    app.test_cli_runner().invoke(args=["decisions", "expire"])

    body = body_of(inbox.to("claire@cardiotech.example")[-1])
    assert "has expired" in body and "http" not in body


def test_ansm_team_mailbox_hears_of_each_new_request_and_each_answer(
    app, inbox, reviewer, manufacturer, user, monkeypatch
):
    monkeypatch.setitem(app.config, "REVIEW_TEAM_EMAIL", "derogations@ansm.example")
    with app.app_context():
        draft = dossier_with(user[0], "individual")
    assert sign_and_submit(manufacturer, draft).status_code == 303
    [new] = inbox.to("derogations@ansm.example")
    with app.app_context():
        reference = dossier(draft).reference
    assert f"New request {reference} submitted" in new["Subject"]
    body = body_of(new)
    needed_by = date.fromisoformat(sample_answers()["patient"]["needed_by"])
    assert "VentriAssist Mini" in body and "Individual" in body
    # Names keep their capitals in French too (only messages go on in lower case there).
    assert "Fabricant\u00a0: Cardiotech Médical SAS" in body
    assert "Dispositif\u00a0: VentriAssist Mini" in body
    assert f"the device is needed by {format_date(needed_by, 'long', locale='en_GB')}" in body
    assert f"http://localhost/review/requests/{draft}" in body

    act(reviewer, draft, "start-review")
    act(reviewer, draft, "request-information")
    with app.app_context():
        question_id = questions(draft)[0].id
    reply(manufacturer, draft, question_id, message="The vigilance report is attached.")
    answered = inbox.to("derogations@ansm.example")[-1]
    assert f"Answer received on request {reference}" in answered["Subject"]
    # Not what it says: it may speak of the patient, and email travels in clear.
    assert "The vigilance report is attached." not in body_of(answered)
    assert "The answer is on the request's page" in " ".join(body_of(answered).split())
    assert len(inbox.to("derogations@ansm.example")) == 2  # not told of its own actions

    # Withdrawn by its manufacturer: ANSM hears of it, with the reason they gave.
    withdrawn = manufacturer.post(
        f"/requests/{draft}/withdraw", data={"withdraw-reason": "Another device was found."}
    )
    assert withdrawn.status_code == 303, withdrawn.text
    told = inbox.to("derogations@ansm.example")[-1]
    assert f"Request {reference} withdrawn by its manufacturer" in told["Subject"]
    body = " ".join(body_of(told).split())
    assert "Cardiotech Médical SAS has withdrawn its request" in body
    assert "Another device was found." not in body
    assert "The reason they gave is on the request's page" in body
    assert "still awaited are closed" not in body  # none was: its answer had come
    assert f"http://localhost/review/requests/{draft}" in body
    assert not inbox.to(REVIEWER_EMAIL)  # the team mailbox speaks for the reviewers


def test_without_a_team_mailbox_the_reviewers_concerned_hear_of_answers_and_withdrawals(
    app, inbox, reviewer, manufacturer, submitted, user
):
    """No `REVIEW_TEAM_EMAIL`: an answer reaches the reviewer who asked, a withdrawal the
    reviewers who acted on the request (not one who only downloaded its receipt); a new
    request, nobody (the queue shows it)."""
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information")
    with app.app_context():
        question_id = questions(submitted)[0].id
        reference = dossier(submitted).reference
    reply(manufacturer, submitted, question_id, message="The vigilance report is attached.")
    [answered] = inbox.to(REVIEWER_EMAIL)
    assert f"Answer received on request {reference}" in answered["Subject"]
    assert "The vigilance report is attached." not in body_of(answered)

    # Another reviewer, who acted only on another request, hears nothing of this one.
    with app.app_context():
        make_user("omar@ansm.example", role=Role.REVIEWER)
        elsewhere = dossier_with(user[0], "global", submit=True)
    other = app.test_client()
    assert login(other, "omar@ansm.example").status_code == 303
    act(other, elsewhere, "start-review")
    # Nor does one who only read it: a download is no part in the review.
    assert other.get(f"/review/requests/{submitted}/receipt.pdf").status_code == 200

    act(reviewer, submitted, "request-information", message="And the registry?")
    withdrawn = manufacturer.post(
        f"/requests/{submitted}/withdraw",
        data={"withdraw-reason": "Another device was found.\r\nSorry."},
    )
    assert withdrawn.status_code == 303, withdrawn.text
    told = inbox.to(REVIEWER_EMAIL)[-1]
    assert f"Request {reference} withdrawn by its manufacturer" in told["Subject"]
    body = body_of(told).replace("\r\n", "\n")  # as SMTP carries it
    assert "Another device was found." not in body
    assert "The questions whose answers were still awaited are closed." in " ".join(body.split())
    assert not inbox.to("omar@ansm.example")


def test_a_request_withdrawn_before_any_reviewer_acted_emails_nobody_at_ansm(
    app, inbox, manufacturer, submitted
):
    withdrawn = manufacturer.post(
        f"/requests/{submitted}/withdraw", data={"withdraw-reason": "Another device was found."}
    )
    assert withdrawn.status_code == 303, withdrawn.text
    assert not [m for m in inbox if "ansm.example" in str(m["To"])]
