"""A follow-up report is "not read yet" until a reviewer marks it read, for every reviewer:
the request's page says by whom and when, the queue counts and lists the requests with a
report no one has marked, the audit trail records the mark, and the manufacturer sees that
ANSM read it (not by whom)."""

from __future__ import annotations

import re

from sqlalchemy import func, select, update

from tests.review.conftest import REVIEWER_EMAIL
from tests.review.support import act, seen_on
from tests.review.test_follow_up_reports import authorised, send_report, text_of
from tests.review.test_parallel_questions import second_reviewer
from tests.security.test_concurrency import postgres_only, run_together  # noqa: F401
from wizard.extensions import db
from wizard.models import AuditEvent, Dossier, FollowUpReport, User

DONE = re.compile(r"Done: report no\. 1 is marked read\.")


def named(email: str, name: str) -> None:
    db.session.execute(update(User).where(User.email == email).values(name=name))
    db.session.commit()


def only_report(app) -> FollowUpReport:
    with app.app_context():
        (report,) = db.session.scalars(select(FollowUpReport)).all()
        return report


def read_marks(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(AuditEvent.action == "follow_up_read"))


def test_a_report_is_not_read_until_a_reviewer_marks_it_then_it_is_for_everyone(
    app, reviewer, manufacturer, submitted_global
):
    with app.app_context():
        named(REVIEWER_EMAIL, "Rita Leroy")
    authorised(reviewer, submitted_global)
    send_report(manufacturer, submitted_global)
    report = only_report(app)
    page = reviewer.get(f"/review/requests/{submitted_global}").text
    assert "Not read yet" in page
    mark = f"/review/requests/{submitted_global}/follow-up-reports/{report.id}/read"
    assert f'action="{mark}"' in page
    queue = text_of(reviewer.get("/review"))
    assert "1 request has a follow-up report not read yet" in queue
    assert "1 report not read yet" in queue

    marked = reviewer.post(mark)
    assert marked.status_code == 303
    assert marked.location.endswith(f"/review/requests/{submitted_global}#reports")
    after = text_of(reviewer.get(marked.location))
    assert DONE.search(after)
    assert re.search(r"Sent by Claire Martin · Read by Rita Leroy on \d+ \w+ \d{4} at", after)
    assert "Not read yet" not in after and f'action="{mark}"' not in after
    assert "Follow-up report no. 1 marked read" in after  # the audit trail
    queue = text_of(reviewer.get("/review"))
    assert "not read yet" not in queue.replace("report not read yet", "")  # the filter's label
    assert "1 report not read yet" not in queue

    # The manufacturer is told ANSM read it; not which of its staff.
    theirs = text_of(manufacturer.get(f"/requests/{submitted_global}/submitted"))
    assert re.search(r"Sent by Claire Martin · Read by ANSM on \d+ \w+ \d{4} at", theirs)
    assert "Rita Leroy" not in theirs and "Mark the report" not in theirs

    # A colleague who marks it too (from a page opened before) is told whose mark it has.
    colleague = second_reviewer(app, name="Rex Dubois")
    again = colleague.post(mark)
    assert again.status_code == 303
    page = colleague.get(again.location).text
    said = text_of(page)
    assert re.search(
        r"Report no\. 1 was marked read already, by Rita Leroy on \d+ \w+ \d{4} at ",
        said,
    )
    assert not DONE.search(said)
    # Said as a warning: this click did nothing.
    assert re.search(r'notice--warning" role="status"><p>Report no\. 1 was marked', page)
    with app.app_context():
        kept = db.session.get(FollowUpReport, report.id)
        assert kept.read_by_name == "Rita Leroy"
        assert kept.read_at is not None
    # A second click of one's own is done, and recorded once.
    assert DONE.search(text_of(reviewer.get(reviewer.post(mark).location)))
    assert read_marks(app) == 1


def test_the_queue_lists_only_the_requests_with_a_report_not_read(
    app, reviewer, manufacturer, submitted, submitted_global
):
    for dossier_id in (submitted, submitted_global):
        authorised(reviewer, dossier_id, max_patients="1")
        send_report(manufacturer, dossier_id, patients="1")
    with app.app_context():
        references = {
            dossier_id: db.session.get(Dossier, dossier_id).reference
            for dossier_id in (submitted, submitted_global)
        }
        read = db.session.scalar(
            select(FollowUpReport).where(FollowUpReport.dossier_id == submitted)
        )
    assert "2 requests have a follow-up report not read yet" in text_of(reviewer.get("/review"))
    reviewer.post(f"/review/requests/{submitted}/follow-up-reports/{read.id}/read")

    unread = reviewer.get("/review?unread=y")
    words = text_of(unread)
    assert "1 request" in words
    assert references[submitted_global] in words and references[submitted] not in words
    # Ticked in the filters, as sent; the link to the list is not offered on the list itself.
    assert re.search(r'<input[^>]*name="unread"[^>]*checked', unread.text)
    assert "has a follow-up report not read yet" not in words
    everything = text_of(reviewer.get("/review"))
    assert references[submitted] in everything and references[submitted_global] in everything
    assert "1 request has a follow-up report not read yet" in everything


def test_only_a_reviewer_marks_a_report_and_only_one_of_that_request(
    app, reviewer, manufacturer, submitted, submitted_global
):
    authorised(reviewer, submitted_global)
    send_report(manufacturer, submitted_global)
    report = only_report(app)
    mark = f"/review/requests/{submitted_global}/follow-up-reports/{report.id}/read"
    assert manufacturer.post(mark).status_code == 403
    # The report's number with another request's: not found, nothing marked.
    other = f"/review/requests/{submitted}/follow-up-reports/{report.id}/read"
    assert reviewer.post(other).status_code == 404
    assert only_report(app).read_at is None and read_marks(app) == 0


def test_a_colleague_marking_a_report_read_does_not_stop_a_decision_being_signed(
    app, reviewer, manufacturer, submitted_global
):
    """Reading changes nothing a decision weighs: a page opened before it still signs."""
    authorised(reviewer, submitted_global)
    send_report(manufacturer, submitted_global)
    report = only_report(app)
    shown = seen_on(reviewer, submitted_global)  # the page the reviewer has open
    colleague = second_reviewer(app)
    colleague.post(f"/review/requests/{submitted_global}/follow-up-reports/{report.id}/read")
    assert only_report(app).read_at is not None

    suspended = act(reviewer, submitted_global, "suspend", shown=shown)
    assert suspended.status_code == 303, suspended.text


def test_two_reviewers_marking_a_report_at_once_record_one_mark(
    app,
    reviewer,
    manufacturer,
    submitted_global,
    postgres_only,  # noqa: F811
):
    authorised(reviewer, submitted_global)
    send_report(manufacturer, submitted_global)
    report = only_report(app)
    colleague = second_reviewer(app, name="Rex Dubois")
    mark = f"/review/requests/{submitted_global}/follow-up-reports/{report.id}/read"
    said = {}

    def one(index):
        browser = (reviewer, colleague)[index]
        said[index] = text_of(browser.get(browser.post(mark).location))

    assert run_together(one, 2) == []
    assert read_marks(app) == 1
    marked_by = only_report(app).read_by_name
    # The one whose mark it is was told "done"; the other, whose mark it has.
    done = [index for index, words in said.items() if DONE.search(words)]
    assert len(done) == 1
    other = said[1 - done[0]]
    assert f"was marked read already, by {marked_by} on" in other


def test_reports_sent_in_the_same_minute_are_told_apart_and_marked_one_by_one(
    app, reviewer, manufacturer, submitted_global
):
    authorised(reviewer, submitted_global)
    send_report(manufacturer, submitted_global, patients="3")
    send_report(manufacturer, submitted_global, patients="4", message="A correction: four.")
    page = reviewer.get(f"/review/requests/{submitted_global}").text
    words = text_of(page)
    assert re.search(r"Report no\. 2, \d+ \w+ \d{4} at \d\d:\d\d .*Report no\. 1, ", words)
    buttons = re.findall(r"<button[^>]*>(Mark report no\. \d read)</button>", page)
    assert buttons == ["Mark report no. 2 read", "Mark report no. 1 read"]
    with app.app_context():
        first = db.session.scalar(select(FollowUpReport).order_by(FollowUpReport.id)).id
    marked = reviewer.post(f"/review/requests/{submitted_global}/follow-up-reports/{first}/read")
    after = reviewer.get(marked.location).text
    assert re.findall(r"<button[^>]*>(Mark report no\. \d read)</button>", after) == [
        "Mark report no. 2 read"
    ]
    # Said in the reports' section, where the page comes back to (seen without JavaScript).
    assert after.index('id="reports-title"') < after.index("Done: report no. 1 is marked read.")
    assert "Follow-up report no. 1 marked read" in text_of(after)
