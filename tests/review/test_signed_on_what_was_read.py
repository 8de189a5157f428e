"""A decision is signed on what the reviewer read: an answer, a document or a change of
status that came after their page was opened is shown to them first, nothing signed and what
they typed kept; their own reading (downloads) changes nothing."""

from __future__ import annotations

import html
import re
from datetime import date

from babel.dates import format_date
from sqlalchemy import func, select

from tests.review.support import act, action_data, document, questions, reply, seen_on, status_of
from tests.review.test_parallel_questions import second_reviewer
from wizard.extensions import db
from wizard.models import Decision

REFUSAL = "Alternatives exist."


def refuse(reviewer, dossier_id: int, seen: dict, decision: str | None = "sign"):
    data = action_data("refuse") | seen
    if decision is None:
        del data["decision"]  # the form's own button: read back first
    else:
        data["decision"] = decision
    return reviewer.post(f"/review/requests/{dossier_id}/refuse", data=data)


def decisions_on(app, dossier_id: int) -> list[Decision]:
    with app.app_context():
        return db.session.scalars(
            db.select(Decision).where(Decision.dossier_id == dossier_id)
        ).all()


def answered_meanwhile(app, reviewer, manufacturer, dossier_id: int) -> dict:
    """The reviewer opens the request while ANSM waits for the manufacturer's answer (what
    their page shows: returned); the manufacturer then answers with a document."""
    act(reviewer, dossier_id, "start-review")
    act(reviewer, dossier_id, "request-information")
    seen = seen_on(reviewer, dossier_id)
    with app.app_context():
        question_id = questions(dossier_id)[0].id
    files = [document("vigilance-2026.pdf")]
    assert reply(manufacturer, dossier_id, question_id, files=files).status_code == 303
    return seen


def test_an_answer_that_came_after_the_page_was_opened_is_shown_before_signing(
    app, reviewer, manufacturer, submitted
):
    seen = answered_meanwhile(app, reviewer, manufacturer, submitted)
    refused = refuse(reviewer, submitted, seen)
    assert refused.status_code == 409
    text = " ".join(html.unescape(refused.text).split())
    assert "Nothing was signed: the request changed since you opened this page." in text
    assert "Answer to ANSM's question sent" in text
    assert "Document uploaded: vigilance-2026.pdf" in text
    assert "Status: Information requested → Under review" in text
    # In the error summary too, linked to where it is said.
    assert re.search(r'class="error-summary".*href="#actions-title"', refused.text, re.S)
    assert REFUSAL in refused.text  # what was typed is kept
    assert decisions_on(app, submitted) == []
    assert status_of(app, submitted) == "under_review"
    # Read now (the page shows what it showed them): read back, then signed.
    seen_now = {"seen": re.search(r'name="seen" value="(\d+)"', refused.text).group(1)}
    assert seen_now["seen"] == seen_on(reviewer, submitted)["seen"]
    read_back = refuse(reviewer, submitted, seen_now, decision=None)
    assert "Check the decision before it is signed" in read_back.text
    carried = re.search(r'name="seen" value="(\d+)"', read_back.text).group(1)
    assert refuse(reviewer, submitted, {"seen": carried}).status_code == 303
    assert [d.number for d in decisions_on(app, submitted)] == [1]


def test_an_answer_that_came_while_the_decision_was_read_back_stops_the_signature(
    app, reviewer, manufacturer, submitted
):
    act(reviewer, submitted, "start-review")
    read_back = refuse(reviewer, submitted, seen_on(reviewer, submitted), decision=None)
    assert "Check the decision before it is signed" in read_back.text
    carried = {"seen": re.search(r'name="seen" value="(\d+)"', read_back.text).group(1)}
    # Meanwhile a colleague asks the manufacturer, who answers: the review is back where
    # the reader left it, changed.
    colleague = second_reviewer(app)
    assert act(colleague, submitted, "request-information").status_code == 303
    with app.app_context():
        question_id = questions(submitted)[0].id
    assert reply(manufacturer, submitted, question_id).status_code == 303
    signed = refuse(reviewer, submitted, carried)
    assert signed.status_code == 409
    text = html.unescape(signed.text)
    assert "Status: Under review → Information requested" in text
    assert "Answer to ANSM's question sent" in text
    assert decisions_on(app, submitted) == []


def test_an_action_the_request_moved_past_is_refused_before_it_is_read_back(
    app, reviewer, manufacturer, submitted
):
    act(reviewer, submitted, "start-review")
    seen = seen_on(reviewer, submitted)
    assert act(second_reviewer(app), submitted, "request-information").status_code == 303
    read_back = refuse(reviewer, submitted, seen, decision=None)
    assert read_back.status_code == 409
    assert "Check the decision before it is signed" not in read_back.text
    assert "“Refuse” is not possible: the request is “Information requested”." in (
        " ".join(read_back.text.split())
    )
    assert REFUSAL in read_back.text  # what was typed, to copy


def test_what_the_reviewer_downloads_to_read_it_does_not_stop_the_signature(
    app, reviewer, submitted
):
    act(reviewer, submitted, "start-review")
    seen = seen_on(reviewer, submitted)
    page = reviewer.get(f"/review/requests/{submitted}").text
    files = re.findall(r'href="(/review/requests/\d+/(?:documents|letters)/\d+)"', page)
    assert files
    for path in files:
        assert reviewer.get(path).status_code == 200  # each download is in the audit trail
    assert refuse(reviewer, submitted, seen).status_code == 303
    assert status_of(app, submitted) == "refused"


def test_a_tampered_seen_is_taken_as_nothing_seen(app, reviewer, submitted):
    act(reviewer, submitted, "start-review")
    # Too large for SQLite, then for PostgreSQL's integer (a 500 there once); signed, not
    # ASCII, empty.
    for seen in ("9" * 30, "9" * 18, "2147483648", "-1", "٣", ""):
        refused = refuse(reviewer, submitted, {"seen": seen})
        assert refused.status_code == 409, seen
        assert "Nothing was signed: the request changed since you opened" in refused.text
    assert decisions_on(app, submitted) == []


def test_a_decision_sent_once_signed_out_shows_the_grounds_typed(app, reviewer, submitted):
    act(reviewer, submitted, "start-review")
    seen = seen_on(reviewer, submitted)
    assert reviewer.post("/logout").status_code in (302, 303)
    refused = refuse(reviewer, submitted, seen)
    assert refused.status_code == 401 and "You were signed out" in refused.text
    rows = re.findall(r'summary-list__key">([^<]+)</dt>\s*<dd[^>]*>([^<]+)</dd>', refused.text)
    assert rows == [("Grounds for the refusal", REFUSAL)]  # to copy
    assert decisions_on(app, submitted) == []


def test_a_decision_a_colleague_overtook_says_who_and_keeps_all_that_was_typed(
    app, reviewer, submitted_global
):
    """Two reviewers read the same request; one signs an authorisation first: the other's,
    signed after, is refused saying who decided what and when, with everything they typed
    (the period and the cap too, not only the grounds) to copy."""
    act(reviewer, submitted_global, "start-review")
    seen = seen_on(reviewer, submitted_global)
    colleague = second_reviewer(app)
    assert act(colleague, submitted_global, "authorise").status_code == 303
    typed = action_data("authorise", max_patients="6", reason="Our own grounds.") | seen
    late = reviewer.post(f"/review/requests/{submitted_global}/authorise", data=typed)
    assert late.status_code == 409
    text = " ".join(html.unescape(late.text).split())
    assert "“Authorise” is not possible: the request is “Authorised”." in text
    assert "Status: Under review → Authorised" in text  # who moved it on, and when
    assert "Nothing was recorded. What you wrote, to copy if you need it:" in text
    copied = text.split("to copy if you need it:")[1].split("</dl>")[0]
    for shown in ("Authorised from", "Maximum number of patients", ">6<", "Our own grounds."):
        assert shown in copied, shown
    # Its dates as the page wrote them when it was read back, not as the date control sends them.
    start = date.fromisoformat(typed["authorise-period_start"])
    assert f">{format_date(start, 'long', locale='en_GB')}<" in copied
    assert typed["authorise-period_start"] not in copied
    assert status_of(app, submitted_global) == "authorised"


def test_a_decision_signed_twice_by_its_reviewer_is_done_once_and_said_done(
    app, reviewer, submitted_global
):
    """ "Sign" pressed twice without JavaScript: the second sending finds its own decision
    done, and shows the request with "Done", not "not possible… nothing was recorded"."""
    act(reviewer, submitted_global, "start-review")
    typed = action_data("authorise") | seen_on(reviewer, submitted_global)
    url = f"/review/requests/{submitted_global}/authorise"
    assert reviewer.post(url, data=typed).status_code == 303
    again = reviewer.post(url, data=typed)
    assert again.status_code == 303 and again.location.endswith(
        f"/review/requests/{submitted_global}"
    )
    page = " ".join(html.unescape(reviewer.get(again.location).text).split())
    assert "Done: the request is now “Authorised”." in page
    assert "is not possible" not in page and "Nothing was recorded" not in page
    # Another decision from a tab opened before (other grounds): refused, with what was typed.
    other = typed | {"authorise-reason": "Other grounds, from another tab."}
    late = reviewer.post(url, data=other)
    assert late.status_code == 409 and "Other grounds, from another tab." in late.text
    assert "Nothing was recorded" in " ".join(late.text.split())
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Decision)
                .where(Decision.dossier_id == submitted_global)
            )
            == 1
        )


def test_a_decision_read_back_before_midnight_and_signed_after_is_read_again(
    app, reviewer, manufacturer, submitted_global, monkeypatch
):
    """Read back at 23:59 in Paris, signed at 00:00: the act would be dated the next day (and
    an authorisation suspended before its period may have begun meanwhile): nothing signed,
    the act shown again as it would be signed, then signed on that reading."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from wizard import clock

    act(reviewer, submitted_global, "start-review")
    before_midnight = datetime(2026, 12, 7, 23, 59, 30, tzinfo=ZoneInfo("Europe/Paris"))
    monkeypatch.setattr(clock, "now", lambda: before_midnight)
    read_back = refuse(reviewer, submitted_global, seen_on(reviewer, submitted_global), None)
    assert "Fait le 7 décembre 2026" in read_back.text
    carried = {
        name: re.search(rf'name="{name}" value="([^"]*)"', read_back.text).group(1)
        for name in ("seen", "act_read")
    }
    # "Sign" pressed a minute later, after midnight.
    after_midnight = before_midnight + timedelta(minutes=1)
    monkeypatch.setattr(clock, "now", lambda: after_midnight)
    signed = refuse(reviewer, submitted_global, carried)
    assert signed.status_code == 409
    text = html.unescape(signed.text)
    assert "<title>Error: Check the decision" in text
    assert "Nothing was signed: the decision no longer reads as the one you read" in text
    assert "Fait le 8 décembre 2026" in text
    assert decisions_on(app, submitted_global) == []
    carried["act_read"] = re.search(r'name="act_read" value="([^"]*)"', text).group(1)
    assert refuse(reviewer, submitted_global, carried).status_code == 303
    [decision] = decisions_on(app, submitted_global)
    assert decision.kind == "refusal"


def test_a_decision_signed_on_the_day_it_was_read_is_signed(app, reviewer, submitted):
    act(reviewer, submitted, "start-review")
    read_back = refuse(reviewer, submitted, seen_on(reviewer, submitted), decision=None)
    carried = {
        name: re.search(rf'name="{name}" value="([^"]*)"', read_back.text).group(1)
        for name in ("seen", "act_read")
    }
    assert refuse(reviewer, submitted, carried).status_code == 303
    assert len(decisions_on(app, submitted)) == 1
