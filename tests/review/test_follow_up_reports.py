"""Once authorised, the manufacturer sends ANSM follow-up reports of its own accord, as the
authorisation's conditions ask: how many patients have received the device, how they are
followed, incidents, with PDFs. Each is added to the request, never rewritten; ANSM is told by
email; the reviewer reads it on the request's page. After a suspension, a withdrawal or the
period's end too: the patients treated go on being followed."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

from tests.invites.support import body_of
from tests.review.conftest import REVIEWER_EMAIL
from tests.review.support import act, document, dossier, in_days
from wizard import clock
from wizard.extensions import db
from wizard.i18n import long_date_in
from wizard.models import AuditEvent, FollowUpReport

REPORT = "Three patients implanted; no incident. Monthly visits as the conditions ask."


def send_report(
    client,
    dossier_id: int,
    patients="3",
    message=REPORT,
    files=(),
    keep=(),
    sent_as=None,
    certification="as_planned",
    **answers,
):
    """Send a report; `answers`: the certification's other questions, by name."""
    data = {
        **({"report-sent_as": sent_as} if sent_as else {}),
        "report-patients_treated": patients,
        "report-certification": certification,
        **{f"report-{name}": value for name, value in answers.items()},
        "report-message": message,
        "report-keep": list(keep),
        "report-documents": [(io.BytesIO(content), name) for name, content in files],
    }
    return client.post(
        f"/requests/{dossier_id}/follow-up-reports", data=data, content_type="multipart/form-data"
    )


def authorised(
    reviewer, dossier_id: int, max_patients: str = "12", period_start: str = in_days(0)
) -> None:
    act(reviewer, dossier_id, "start-review")
    signed = act(
        reviewer, dossier_id, "authorise", max_patients=max_patients, period_start=period_start
    )
    assert signed.status_code == 303


def text_of(response) -> str:
    """The page's words (a response's, or its HTML), tags left out."""
    page = response if isinstance(response, str) else response.text
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_no_report_can_be_sent_before_an_authorisation(manufacturer, submitted_global):
    page = manufacturer.get(f"/requests/{submitted_global}/submitted").text
    assert "Send a follow-up report" not in page
    assert send_report(manufacturer, submitted_global).status_code == 404


def test_a_report_with_a_document_reaches_the_reviewers_page_and_their_inbox(
    app, inbox, reviewer, manufacturer, submitted_global
):
    authorised(reviewer, submitted_global)
    page = text_of(manufacturer.get(f"/requests/{submitted_global}/submitted"))
    assert "Send a follow-up report" in page
    assert "The authorisation allows at most 12." in page  # said beside the number asked

    sent = send_report(manufacturer, submitted_global, files=[document("visits.pdf")])
    assert sent.status_code == 303
    mine = text_of(manufacturer.get(sent.location))
    assert "Your report has been sent to ANSM." in mine
    assert "3 patients treated so far · at most 12 authorised" in mine
    assert REPORT in mine
    assert "Claire Martin sent a follow-up report." in mine  # the request's history

    theirs = text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    assert "Follow-up reports" in theirs and REPORT in theirs
    assert "Follow-up report sent: 3 patients treated so far" in theirs  # the audit trail
    assert "Document of a follow-up report: visits.pdf" in theirs
    with app.app_context():
        (report,) = db.session.query(FollowUpReport).all()
        (attached,) = [document.id for document in report.documents]
        reference = dossier(submitted_global).reference
    download = reviewer.get(f"/review/requests/{submitted_global}/follow-up-documents/{attached}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert f"{reference}-follow-up-visits.pdf" in download.headers["Content-Disposition"]
    own = manufacturer.get(f"/requests/{submitted_global}/follow-up-documents/{attached}")
    assert own.status_code == 200
    trail = text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    assert "document of a follow-up report" in trail  # each download is in the audit trail

    # Without a team mailbox, the reviewers who acted on the request are told, without the
    # report's text (it may speak of the patients).
    (told,) = [m for m in inbox.to(REVIEWER_EMAIL) if "Follow-up report" in m["Subject"]]
    # French first, then English, as every email to ANSM.
    assert told["Subject"] == (
        f"Rapport de suivi sur la demande {reference} / Follow-up report on request {reference}"
    )
    body = body_of(told)
    assert "It counts 3 patients treated so far." in body
    assert "1 document comes with it." in body
    assert REPORT not in body
    assert f"/review/requests/{submitted_global}" in body


def test_more_patients_than_authorised_is_taken_and_said_to_both(
    app, inbox, reviewer, manufacturer, submitted_global
):
    authorised(reviewer, submitted_global, max_patients="2")
    sent = send_report(manufacturer, submitted_global, patients="3")
    said = text_of(manufacturer.get(sent.location))
    assert (
        "It counts more patients than the 2 the authorisation allows: ANSM may contact you "
        "about it." in said
    )
    assert "More patients than the authorisation allows." in text_of(
        reviewer.get(f"/review/requests/{submitted_global}")
    )
    (told,) = [m for m in inbox.to(REVIEWER_EMAIL) if "Follow-up report" in m["Subject"]]
    assert "That is more than the 2 patients the authorisation allows." in body_of(told)


def test_a_wrong_report_says_why_and_keeps_what_was_typed_and_chosen(
    app, reviewer, manufacturer, submitted_global
):
    authorised(reviewer, submitted_global)
    refused = send_report(
        manufacturer, submitted_global, patients="three", files=[document("visits.pdf")]
    )
    assert refused.status_code == 422
    page = text_of(refused)
    assert "There is a problem" in page
    assert "whole number" in page
    assert REPORT in page  # the report typed
    assert "Files kept from your last try" in page and "visits.pdf" in page
    assert "They are sent with your report." in page
    with app.app_context():
        assert db.session.query(FollowUpReport).count() == 0
        kept_sha = re.search(r'name="report-keep" value="(\w+)"', refused.text).group(1)
    sent = send_report(manufacturer, submitted_global, keep=[kept_sha])
    assert sent.status_code == 303
    with app.app_context():
        (report,) = db.session.query(FollowUpReport).all()
        assert [d.filename for d in report.documents] == ["visits.pdf"]

    empty = send_report(manufacturer, submitted_global, patients="", message="")
    assert "Enter how many patients have received the device" in text_of(empty)
    assert "Enter your report." in text_of(empty)
    negative = send_report(manufacturer, submitted_global, patients="-1")
    assert negative.status_code == 422


def test_reports_go_on_after_the_period_and_a_withdrawal(
    app, reviewer, manufacturer, submitted_global, monkeypatch
):
    authorised(reviewer, submitted_global)
    assert act(reviewer, submitted_global, "withdraw").status_code == 303
    assert send_report(manufacturer, submitted_global, patients="4").status_code == 303
    later = clock.now() + timedelta(days=400)  # past the period's end
    monkeypatch.setattr(clock, "now", lambda: later)
    assert send_report(manufacturer, submitted_global, patients="4").status_code == 303
    with app.app_context():
        events = db.session.query(AuditEvent).filter_by(action="follow_up_sent").all()
        assert [e.detail["patients_treated"] for e in events] == [4, 4]


def test_another_organisation_can_neither_send_nor_read_a_report(
    app, client, reviewer, manufacturer, submitted_global
):
    from tests.conftest import login, make_user

    authorised(reviewer, submitted_global)
    send_report(manufacturer, submitted_global, files=[document("visits.pdf")])
    with app.app_context():
        make_user("eve@rival.example", "Rival Devices")
        (report,) = db.session.query(FollowUpReport).all()
        item = report.documents[0].id
    assert login(client, "eve@rival.example").status_code == 303
    assert send_report(client, submitted_global).status_code == 404
    assert client.get(f"/requests/{submitted_global}/follow-up-documents/{item}").status_code == 404
    with app.app_context():
        assert db.session.query(FollowUpReport).count() == 1


def test_the_same_file_under_two_names_is_pointed_out_next_to_the_documents(
    reviewer, manufacturer, submitted_global
):
    authorised(reviewer, submitted_global)
    same = document("visits.pdf")[1]
    refused = send_report(
        manufacturer, submitted_global, files=[("visits.pdf", same), ("copy.pdf", same)]
    )
    assert refused.status_code == 422
    assert (
        "“copy.pdf” is the same file as “visits.pdf”: it would be sent once. Choose the "
        "document you meant, or send your report again." in text_of(refused)
    )


def test_a_report_sent_once_signed_out_shows_what_was_typed(
    app, reviewer, manufacturer, submitted_global
):
    authorised(reviewer, submitted_global)
    assert manufacturer.post("/logout").status_code in (302, 303)
    refused = send_report(manufacturer, submitted_global, patients="5")
    assert refused.status_code == 401 and "You were signed out" in refused.text
    page = text_of(refused)
    assert REPORT in page and "Patients treated so far 5" in page  # to copy
    with app.app_context():
        assert db.session.query(FollowUpReport).count() == 0


def test_reports_refused_again_and_again_with_a_file_are_stopped(
    app, reviewer, submitted_global, tmp_path
):
    """Each refused send keeps its files for the next try: counted with the manufacturer's
    other forms that take files, so that a looping client cannot fill the disk."""
    from tests.conftest import login
    from wizard import create_app

    authorised(reviewer, submitted_global)
    limited = create_app(
        {
            **app.config,
            "INSTANCE_PATH": str(tmp_path),
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "REFUSED_UPLOAD_RATE_LIMIT": "2 per hour",
        }
    )
    client = limited.test_client()
    assert login(client, "claire@cardiotech.example").status_code == 303
    for number in range(2):
        refused = send_report(
            client, submitted_global, message="", files=[document(f"v{number}.pdf", f"V{number}")]
        )
        assert refused.status_code == 422
    stopped = send_report(client, submitted_global, message="", files=[document("v9.pdf", "V9")])
    assert stopped.status_code == 429
    assert "Your forms have been sent many times in the last hour with a file" in text_of(stopped)
    # Without a file, a report is still sent.
    assert send_report(client, submitted_global).status_code == 303


def test_files_checked_are_counted_one_by_one_accepted_or_not(
    app, reviewer, submitted_global, tmp_path
):
    """Each file sent is checked in a process of its own: an account has a budget of files
    checked, whatever the check finds (two files in one send count two), and once it is spent
    a send with a file is stopped, with what was typed to copy; a report without a file is
    still sent."""
    from tests.conftest import login
    from wizard import create_app

    authorised(reviewer, submitted_global)
    limited = create_app(
        {
            **app.config,
            "INSTANCE_PATH": str(tmp_path),
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "PDF_CHECK_RATE_LIMIT": "3 per hour",
        }
    )
    client = limited.test_client()
    assert login(client, "claire@cardiotech.example").status_code == 303
    two = [document("a.pdf", "A"), document("b.pdf", "B")]
    assert send_report(client, submitted_global, files=two).status_code == 303  # two
    refused = send_report(client, submitted_global, message="", files=[document("c.pdf", "C")])
    assert refused.status_code == 422  # three: refused for its message, counted all the same
    stopped = send_report(client, submitted_global, files=[document("d.pdf", "D")])
    assert stopped.status_code == 429
    page = text_of(stopped)
    assert "Your account has sent many files in the last hour." in page
    assert REPORT in page  # what was typed, to copy
    with app.app_context():
        assert db.session.query(FollowUpReport).count() == 1
    assert send_report(client, submitted_global).status_code == 303


def test_the_same_form_sent_twice_is_one_report(
    app, inbox, reviewer, manufacturer, submitted_global
):
    """A double click, or a send retried after a timeout: the form's one-time mark makes the
    second send the first's report, said sent, with one email."""
    authorised(reviewer, submitted_global)
    page = manufacturer.get(f"/requests/{submitted_global}/submitted").text
    mark = re.search(r'name="report-sent_as" value="([\w-]+)"', page).group(1)
    first = send_report(manufacturer, submitted_global, sent_as=mark)
    again = send_report(manufacturer, submitted_global, sent_as=mark)
    assert first.status_code == again.status_code == 303
    assert "Your report has been sent to ANSM." in text_of(manufacturer.get(again.location))
    with app.app_context():
        assert db.session.query(FollowUpReport).count() == 1
    assert len([m for m in inbox.to(REVIEWER_EMAIL) if "Follow-up report" in m["Subject"]]) == 1
    # The page sent after carries a new mark: the next report is another.
    page = manufacturer.get(f"/requests/{submitted_global}/submitted").text
    assert f'value="{mark}"' not in page
    new = re.search(r'name="report-sent_as" value="([\w-]+)"', page).group(1)
    assert send_report(manufacturer, submitted_global, sent_as=new).status_code == 303
    with app.app_context():
        assert db.session.query(FollowUpReport).count() == 2


def test_an_individual_authorisation_counts_its_one_patient(
    app, inbox, reviewer, manufacturer, submitted
):
    authorised(reviewer, submitted)
    page = text_of(manufacturer.get(f"/requests/{submitted}/submitted"))
    assert (
        "This authorisation is for one patient: 0 until they have received the device, then 1."
        in page
    )
    sent = send_report(manufacturer, submitted, patients="1")
    assert "Your report has been sent to ANSM." in text_of(manufacturer.get(sent.location))
    sent = send_report(manufacturer, submitted, patients="2")
    assert "It counts more patients than the one the authorisation allows" in text_of(
        manufacturer.get(sent.location)
    )
    told = [m for m in inbox.to(REVIEWER_EMAIL) if "Follow-up report" in m["Subject"]]
    assert "That is more than the one patient the authorisation allows." in body_of(told[-1])
    assert "More patients than the authorisation allows." in text_of(
        reviewer.get(f"/review/requests/{submitted}")
    )


def test_the_queue_says_when_each_authorisation_last_reported(
    app, reviewer, manufacturer, submitted_global
):
    authorised(reviewer, submitted_global, max_patients="2")
    assert "No follow-up report yet" in text_of(reviewer.get("/review"))
    send_report(manufacturer, submitted_global, patients="3")
    queue = text_of(reviewer.get("/review"))
    assert "No follow-up report yet" not in queue
    assert re.search(r"Last report: \d+ \w+ \d{4} at \d\d:\d\d · more patients than allowed", queue)
    send_report(manufacturer, submitted_global, patients="2")  # the latest one counts
    queue = text_of(reviewer.get("/review"))
    assert "Last report:" in queue and "· more patients than allowed" not in queue
    # ... and the earlier one is not forgotten: a correction or a mistake, to look at.
    assert "· an earlier report counted more patients than allowed" in queue


def test_another_report_from_a_page_that_sent_one_is_recorded_too(
    app, reviewer, manufacturer, submitted_global
):
    """A correction sent from the same page (its first send timed out but arrived, or the page
    came back with Back): not the same report, so not taken for a double click."""
    authorised(reviewer, submitted_global, max_patients="2")
    page = manufacturer.get(f"/requests/{submitted_global}/submitted").text
    mark = re.search(r'name="report-sent_as" value="([\w-]+)"', page).group(1)
    assert send_report(manufacturer, submitted_global, sent_as=mark).status_code == 303
    corrected = send_report(
        manufacturer, submitted_global, patients="14", message="One serious incident.", sent_as=mark
    )
    # Said as the first send said it: above the cap.
    assert "more patients than the 2" in text_of(manufacturer.get(corrected.location))
    with app.app_context():
        reports = db.session.query(FollowUpReport).order_by(FollowUpReport.id).all()
        assert [r.patients_treated for r in reports] == [3, 14]
    # The correction sent twice (a double click) is one report too, said above the cap.
    again = send_report(
        manufacturer, submitted_global, patients="14", message="One serious incident.", sent_as=mark
    )
    assert "more patients than the 2" in text_of(manufacturer.get(again.location))
    with app.app_context():
        assert db.session.query(FollowUpReport).count() == 2


def test_files_kept_from_a_refused_try_are_gone_once_the_report_is_sent_twice(
    app, reviewer, manufacturer, submitted_global
):
    """Sent twice, the second with the first's new cookie (its kept files forgotten): one
    report, with its document, and nothing kept for the next."""
    authorised(reviewer, submitted_global)
    page = manufacturer.get(f"/requests/{submitted_global}/submitted").text
    mark = re.search(r'name="report-sent_as" value="([\w-]+)"', page).group(1)
    refused = send_report(
        manufacturer, submitted_global, message="", files=[document("visits.pdf")], sent_as=mark
    )
    kept = re.search(r'name="report-keep" value="(\w+)"', refused.text).group(1)
    for _ in range(2):
        sent = send_report(manufacturer, submitted_global, keep=[kept], sent_as=mark)
        assert sent.status_code == 303
    page = manufacturer.get(f"/requests/{submitted_global}/submitted").text
    assert "Files kept from your last try" not in page
    with app.app_context():
        (report,) = db.session.query(FollowUpReport).all()
        assert [d.filename for d in report.documents] == ["visits.pdf"]


def test_the_queue_waits_for_no_report_an_authorisation_does_not_ask_for(
    reviewer, submitted_global
):
    act(reviewer, submitted_global, "start-review")
    assert act(reviewer, submitted_global, "authorise", follow_up="").status_code == 303
    queue = text_of(reviewer.get("/review"))
    assert "Authorised" in queue and "No follow-up report yet" not in queue


def test_no_patient_is_counted_before_the_period_starts(
    app, reviewer, manufacturer, submitted_global
):
    """Before the authorisation's first day, no patient can have received the device under
    it: a count is refused, saying from when (0 is taken: a report of no patient yet)."""
    authorised(reviewer, submitted_global, period_start=in_days(10))
    refused = send_report(manufacturer, submitted_global, patients="3")
    assert refused.status_code == 422
    starts = long_date_in(clock.today() + timedelta(days=10), "en_GB")
    assert (
        f"The authorisation’s period starts on {starts}: no patient can have received the "
        "device under it yet. Enter 0, or send your report once it has started."
    ) in text_of(refused)
    assert REPORT in refused.text  # what was typed, kept
    with app.app_context():
        assert db.session.query(FollowUpReport).count() == 0
    assert send_report(manufacturer, submitted_global, patients="0").status_code == 303


def test_a_count_below_the_previous_report_is_pointed_out(reviewer, manufacturer, submitted_global):
    """Each report counts every patient since the authorisation: one counting fewer than the
    report before it is taken (it may correct it) and pointed out to both sides."""
    authorised(reviewer, submitted_global)
    assert send_report(manufacturer, submitted_global, patients="5").status_code == 303
    assert (
        send_report(manufacturer, submitted_global, patients="2", message="Two.").status_code == 303
    )
    fewer = "Fewer patients than the previous report, which counted 5"
    for page in (
        manufacturer.get(f"/requests/{submitted_global}/submitted"),
        reviewer.get(f"/review/requests/{submitted_global}"),
    ):
        assert text_of(page).count(fewer) == 1
    assert (
        send_report(manufacturer, submitted_global, patients="6", message="Six.").status_code == 303
    )
    assert text_of(reviewer.get(f"/review/requests/{submitted_global}")).count(fewer) == 1
