"""Who at ANSM handles a filed request: a reviewer takes it, or gives it to a colleague (who
is told by email), or to nobody; the queue lists each one's own and those nobody handles. A
page showing someone else than now changes nothing; a change is in the audit trail and does
not stop a decision read before it."""

from __future__ import annotations

import re

from sqlalchemy import select, update

from tests.invites.support import body_of
from tests.review.conftest import REVIEWER_EMAIL
from tests.review.support import act, in_days, questions, reply, seen_on
from tests.review.test_follow_up_read import named
from tests.review.test_follow_up_reports import authorised, send_report, text_of
from tests.review.test_parallel_questions import second_reviewer
from tests.security.test_concurrency import postgres_only, run_together  # noqa: F401
from wizard import clock
from wizard.extensions import db
from wizard.models import AuditEvent, Dossier, User

COLLEAGUE = "rex@ansm.example"


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def give(client, dossier_id: int, to: int | str, seen: int = 0):
    return client.post(
        f"/review/requests/{dossier_id}/assignment",
        data={"assign-reviewer": str(to), "handled_by_seen": str(seen)},
    )


def handler_of(app, dossier_id: int) -> str | None:
    with app.app_context():
        handler = db.session.get(Dossier, dossier_id).assigned_to
        return handler.name if handler else None


def test_a_reviewer_takes_a_request_and_the_queue_lists_it_as_theirs(
    app, inbox, reviewer, submitted, submitted_global
):
    with app.app_context():
        named(REVIEWER_EMAIL, "Rita Leroy")
    page = text_of(reviewer.get(f"/review/requests/{submitted}"))
    assert "Handled by Nobody yet" in page and "Handle it myself" in page

    taken = give(reviewer, submitted, user_id(app, REVIEWER_EMAIL))
    assert taken.status_code == 303
    assert taken.location.endswith(f"/review/requests/{submitted}#assignment")
    words = text_of(reviewer.get(taken.location))
    # Said where the page comes back to: the row saying who handles it.
    handled = r"Handled by Done: you handle this request\. Rita Leroy \(you\) since \d"
    assert re.search(handled, words)
    assert "Handle it myself" not in words
    assert "Given to Rita Leroy to handle" in words  # the audit trail
    assert inbox.to(REVIEWER_EMAIL) == []  # nobody tells oneself

    queue = text_of(reviewer.get("/review"))
    assert "Handled by Rita Leroy" in queue
    with app.app_context():
        mine = db.session.get(Dossier, submitted).reference
        other = db.session.get(Dossier, submitted_global).reference
    own = text_of(reviewer.get("/review?handled_by=me"))
    assert mine in own and other not in own
    nobodys = text_of(reviewer.get("/review?handled_by=nobody"))
    assert other in nobodys and mine not in nobodys


def test_a_request_given_to_a_colleague_tells_them_by_email(app, inbox, reviewer, submitted):
    with app.app_context():
        named(REVIEWER_EMAIL, "Rita Leroy")
    colleague = second_reviewer(app, COLLEAGUE, "Rex Dubois")
    page = reviewer.get(f"/review/requests/{submitted}").text
    assert re.search(r'<option value="\d+">Rex Dubois</option>', page)
    assert re.search(r'<option value="\d+">Rita Leroy \(you\)</option>', page)
    # One who holds no delegation of signature is said so: a request to decide goes to one
    # who does.
    with app.app_context():
        db.session.execute(
            update(User).where(User.email == COLLEAGUE).values(signing_delegation=None)
        )
        db.session.commit()
    page = reviewer.get(f"/review/requests/{submitted}").text
    assert re.search(r'<option value="\d+">Rex Dubois, does not sign decisions</option>', page)

    given = give(reviewer, submitted, user_id(app, COLLEAGUE))
    words = text_of(reviewer.get(given.location))
    assert "Done: Rex Dubois handles this request, and has been told by email." in words
    (told,) = inbox.to(COLLEAGUE)
    with app.app_context():
        reference = db.session.get(Dossier, submitted).reference
    assert told["Subject"] == (
        f"La demande {reference} vous est confiée / Request {reference} is yours to handle"
    )
    body = body_of(told)
    assert f"Rita Leroy has given you request {reference} to handle" in body
    assert "For one patient: the device is needed by" in body
    assert f"/review/requests/{submitted}" in body
    # Theirs in their queue.
    assert reference in text_of(colleague.get("/review?handled_by=me"))

    back = give(reviewer, submitted, "", seen=user_id(app, COLLEAGUE))
    assert "Done: nobody handles this request now." in text_of(reviewer.get(back.location))
    assert handler_of(app, submitted) is None
    assert "Handled by nobody now" in text_of(reviewer.get(back.location))


def test_a_page_showing_someone_else_than_now_changes_nothing(app, reviewer, submitted):
    colleague = second_reviewer(app, COLLEAGUE, "Rex Dubois")
    give(colleague, submitted, user_id(app, COLLEAGUE))  # Rex takes it meanwhile
    late = give(reviewer, submitted, user_id(app, REVIEWER_EMAIL), seen=0)  # page said nobody
    words = text_of(reviewer.get(late.location))
    assert (
        "Nothing was changed: who handles this request changed since you opened the page. It "
        "is now handled by Rex Dubois." in words
    )
    assert handler_of(app, submitted) == "Rex Dubois"
    # A second click on a change made is done, not refused.
    again = give(colleague, submitted, user_id(app, COLLEAGUE), seen=0)
    assert "Done: you handle this request." in text_of(colleague.get(again.location))


def test_only_a_reviewer_who_can_sign_in_can_be_given_a_request(
    app, reviewer, manufacturer, user, submitted
):
    second_reviewer(app, COLLEAGUE, "Rex Dubois")
    with app.app_context():
        db.session.execute(
            update(User).where(User.email == COLLEAGUE).values(removed_at=clock.now())
        )
        db.session.commit()
    page = reviewer.get(f"/review/requests/{submitted}").text
    assert "Rex Dubois" not in page
    for wrong in (user_id(app, COLLEAGUE), user[0], "x"):
        refused = give(reviewer, submitted, wrong)
        assert refused.status_code == 422
        words = text_of(refused)
        assert "There is a problem" in words and words.count("Choose one of the options") == 2
        assert re.search(r'<details class="details" open>\s*<summary[^>]*>Give it to', refused.text)
    assert handler_of(app, submitted) is None
    assert give(manufacturer, submitted, user[0]).status_code == 403


def test_giving_a_request_does_not_stop_a_decision_read_before_it(app, reviewer, submitted_global):
    authorised(reviewer, submitted_global)
    shown = seen_on(reviewer, submitted_global)
    colleague = second_reviewer(app, COLLEAGUE, "Rex Dubois")
    give(colleague, submitted_global, user_id(app, COLLEAGUE))
    suspended = act(reviewer, submitted_global, "suspend", shown=shown)
    assert suspended.status_code == 303, suspended.text


def test_two_reviewers_taking_a_request_at_once_leave_it_to_one(
    app,
    reviewer,
    submitted,
    postgres_only,  # noqa: F811
):
    with app.app_context():
        named(REVIEWER_EMAIL, "Rita Leroy")
    colleague = second_reviewer(app, COLLEAGUE, "Rex Dubois")
    browsers = ((reviewer, REVIEWER_EMAIL), (colleague, COLLEAGUE))
    said = {}

    def one(index):
        browser, email = browsers[index]
        said[index] = text_of(browser.get(give(browser, submitted, user_id(app, email)).location))

    assert run_together(one, 2) == []
    handler = handler_of(app, submitted)
    assert handler in ("Rita Leroy", "Rex Dubois")
    winner = 0 if handler == "Rita Leroy" else 1
    assert "Done: you handle this request." in said[winner]
    assert f"It is now handled by {handler}." in said[1 - winner]
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "assigned")).all()
    assert [event.detail["to"] for event in events] == [handler]


def test_the_reviewer_handling_a_request_hears_of_its_answers_and_reports(
    app, inbox, reviewer, manufacturer, submitted_global
):
    """Without a team mailbox, news goes to who asked or acted, and to who handles it."""
    second_reviewer(app, COLLEAGUE, "Rex Dubois")
    act(reviewer, submitted_global, "start-review")
    act(reviewer, submitted_global, "request-information")
    give(reviewer, submitted_global, user_id(app, COLLEAGUE))
    with app.app_context():
        question = questions(submitted_global)[0].id
    reply(manufacturer, submitted_global, question)
    (answer,) = [m for m in inbox if "Answer received on request" in m["Subject"]]
    assert answer["To"] == f"{COLLEAGUE}, {REVIEWER_EMAIL}"  # who handles it, who asked
    authorised_now = act(reviewer, submitted_global, "authorise", period_start=in_days(0))
    assert authorised_now.status_code == 303
    send_report(manufacturer, submitted_global)
    (report,) = [m for m in inbox if "Follow-up report" in m["Subject"]]
    assert COLLEAGUE in report["To"] and REVIEWER_EMAIL in report["To"]


def test_whoever_handled_a_request_hears_it_is_no_longer_theirs(app, inbox, reviewer, submitted):
    with app.app_context():
        named(REVIEWER_EMAIL, "Rita Leroy")
    second_reviewer(app, COLLEAGUE, "Rex Dubois")
    rex = user_id(app, COLLEAGUE)
    give(reviewer, submitted, rex)
    page = text_of(reviewer.get(f"/review/requests/{submitted}"))
    assert "Take it over from Rex Dubois" in page  # not a plain "Handle it myself"
    give(reviewer, submitted, user_id(app, REVIEWER_EMAIL), seen=rex)
    with app.app_context():
        reference = db.session.get(Dossier, submitted).reference
    given, taken = inbox.to(COLLEAGUE)
    assert "is yours to handle" in given["Subject"]
    assert taken["Subject"].endswith(f"Request {reference} is no longer yours to handle")
    assert f"Rita Leroy has taken over request {reference}" in body_of(taken)
    assert "you no longer handle it" in body_of(taken)
    # Given back to Rex, then left for anyone: he hears that too; nobody tells oneself.
    give(reviewer, submitted, rex, seen=user_id(app, REVIEWER_EMAIL))
    give(reviewer, submitted, "", seen=rex)
    left = inbox.to(COLLEAGUE)[-1]
    assert f"Rita Leroy has left request {reference}" in body_of(left)
    assert "for anyone to take" in body_of(left)
    assert inbox.to(REVIEWER_EMAIL) == []


def test_a_stale_page_is_told_when_nobody_handles_the_request_now(app, reviewer, submitted):
    colleague = second_reviewer(app, COLLEAGUE, "Rex Dubois")
    rex = user_id(app, COLLEAGUE)
    give(colleague, submitted, rex)
    give(colleague, submitted, "", seen=rex)
    late = give(reviewer, submitted, user_id(app, REVIEWER_EMAIL), seen=rex)
    words = text_of(reviewer.get(late.location))
    assert "changed since you opened the page. Nobody handles it now." in words
    assert handler_of(app, submitted) is None


def test_a_link_to_a_reviewers_own_requests_works_for_them(app, reviewer, submitted):
    colleague = second_reviewer(app, COLLEAGUE, "Rex Dubois")
    rex = user_id(app, COLLEAGUE)
    give(reviewer, submitted, rex)
    link = f"/review?handled_by={rex}"  # Rita's view of Rex's requests, sent to him
    with app.app_context():
        reference = db.session.get(Dossier, submitted).reference
    for browser in (reviewer, colleague):
        words = text_of(browser.get(link))
        assert "There is a problem" not in words and reference in words


def test_passing_a_request_on_is_no_part_in_it_for_its_emails(
    app, inbox, reviewer, manufacturer, submitted_global
):
    """Without a team mailbox, a report goes to who acted and who handles it: not to the
    colleague who only gave it to them."""
    colleague = second_reviewer(app, COLLEAGUE, "Rex Dubois")
    give(reviewer, submitted_global, user_id(app, COLLEAGUE))
    authorised(colleague, submitted_global)
    send_report(manufacturer, submitted_global)
    (report,) = [m for m in inbox if "Follow-up report" in m["Subject"]]
    assert report["To"] == COLLEAGUE


def test_a_handler_who_can_no_longer_sign_in_is_said_so(app, reviewer, submitted):
    second_reviewer(app, COLLEAGUE, "Rex Dubois")
    give(reviewer, submitted, user_id(app, COLLEAGUE))
    with app.app_context():
        db.session.execute(
            update(User).where(User.email == COLLEAGUE).values(removed_at=clock.now())
        )
        db.session.commit()
    page = text_of(reviewer.get(f"/review/requests/{submitted}"))
    assert "Rex Dubois can no longer sign in: give this request to someone else." in page
    assert "Handled by Rex Dubois · who can no longer sign in" in text_of(reviewer.get("/review"))


def test_two_reviewers_of_the_same_name_are_told_apart_by_their_addresses(app, reviewer, submitted):
    second_reviewer(app, "marie.martin@ansm.example", "Marie Martin")
    second_reviewer(app, "m.martin2@ansm.example", "Marie Martin")
    page = reviewer.get(f"/review/requests/{submitted}").text
    assert ">Marie Martin (marie.martin@ansm.example)</option>" in page
    assert ">Marie Martin (m.martin2@ansm.example)</option>" in page


def test_the_manufacturer_sees_no_change_when_ansm_gives_its_request_to_someone(
    app, reviewer, manufacturer, submitted
):
    """Who at ANSM handles a request is ANSM's affair: the manufacturer's list of requests
    shows the same last change, in the same order."""
    before = text_of(manufacturer.get("/dashboard"))
    with app.app_context():
        stamped = db.session.get(Dossier, submitted).updated_at
    give(reviewer, submitted, user_id(app, REVIEWER_EMAIL))
    with app.app_context():
        assert db.session.get(Dossier, submitted).updated_at == stamped
    assert text_of(manufacturer.get("/dashboard")) == before


def test_a_decision_signed_by_a_colleague_is_said_before_and_told_to_the_handler(
    app, inbox, reviewer, submitted
):
    """Rex handles the request; Rita decides in his stead: her read-back says Rex handles
    it, and once she signs, Rex is told by email."""
    second_reviewer(app, COLLEAGUE, name="Rex Martin")
    with app.app_context():
        named(REVIEWER_EMAIL, "Rita Leroy")
    assert give(reviewer, submitted, user_id(app, COLLEAGUE)).status_code == 303
    act(reviewer, submitted, "start-review")
    told_before = len(inbox.to(COLLEAGUE))
    data = {
        "refuse-reason": "Alternatives exist.",
        **seen_on(reviewer, submitted),
    }
    read_back = text_of(reviewer.post(f"/review/requests/{submitted}/refuse", data=data))
    assert (
        "Rex Martin handles this request: once you sign, they are told by email that you "
        "decided." in read_back
    )
    signed = reviewer.post(
        f"/review/requests/{submitted}/refuse", data={**data, "decision": "sign"}
    )
    assert signed.status_code == 303
    told = inbox.to(COLLEAGUE)[told_before:]
    assert len(told) == 1
    assert "Decision signed on request DA-" in told[0]["Subject"]
    assert "Rita Leroy has signed decision no. 1 (Refusal) on request DA-" in body_of(told[0])
    assert "which you handle" in body_of(told[0])


def test_the_manufacturers_withdrawal_is_not_told_to_the_handler_as_a_colleagues_decision(
    app, inbox, reviewer, manufacturer, submitted
):
    """Its own email says the request was withdrawn by its manufacturer: never "signed by a
    colleague"."""
    from tests.review.support import withdraw

    second_reviewer(app, COLLEAGUE, name="Rex Martin")
    assert give(reviewer, submitted, user_id(app, COLLEAGUE)).status_code == 303
    assert withdraw(manufacturer, submitted).status_code == 303
    assert status_of_request(app, submitted) == "withdrawn"
    assert not [m for m in inbox.to(COLLEAGUE) if "Decision signed" in m["Subject"]]


def status_of_request(app, dossier_id: int) -> str:
    with app.app_context():
        return db.session.get(Dossier, dossier_id).status
