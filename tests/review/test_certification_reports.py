"""An authorisation rests on the manufacturer's commitment to pursue CE certification: each
follow-up report says where it stands (under way as planned, expected on another date, the
device now CE-marked, or no longer pursued), checked against the date CE marking was expected
by so far. Both pages say it; ANSM's email too; a CE marking or an abandoned certification is
pointed out."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.conftest import dossier_with
from tests.flow.test_class_one import CLASS_ONE
from tests.invites.support import body_of
from tests.review.conftest import REVIEWER_EMAIL
from tests.review.support import act, dossier, in_days
from tests.review.test_follow_up_reports import REPORT, authorised, send_report, text_of
from tests.review.test_period_end_reminder import days_later
from tests.review.test_report_dates import said
from wizard import clock
from wizard.extensions import db
from wizard.models import AuditEvent, FollowUpReport


def expected_by(app, dossier_id: int) -> date:
    """The date the request expected CE marking by."""
    with app.app_context():
        answers = dossier(dossier_id).submitted_answers["answers"]
        return date.fromisoformat(answers["certification"]["expected_ce_date"])


def error_of(response, field: str) -> str:
    """The error shown next to the report's field `field`, and linked from the summary."""
    page = response.text
    assert f'href="#report-{field}' in page  # in the error summary
    start = page.index(f'id="report-{field}-error"')
    return text_of(page[start : page.index("</p>", start)].split(">", 1)[1])


def report_on(app, dossier_id: int) -> FollowUpReport:
    with app.app_context():
        (report,) = db.session.query(FollowUpReport).filter_by(dossier_id=dossier_id).all()
        db.session.expunge(report)
        return report


def test_the_question_says_the_date_the_request_expected(
    app, reviewer, manufacturer, submitted_global
):
    authorised(reviewer, submitted_global)
    page = text_of(manufacturer.get(f"/requests/{submitted_global}/submitted"))
    assert "Where does the device's CE certification stand?" in page
    expected = said(expected_by(app, submitted_global))
    assert f"Your request expected CE marking by {expected}." in page
    for option in (
        "Under way as planned",
        "Under way, but CE marking is now expected on another date",
        "The device now has its CE marking",
        "No longer pursued: say why in your report",
    ):
        assert option in page


def test_without_an_answer_the_report_is_refused_and_keeps_what_was_typed(
    app, reviewer, manufacturer, submitted_global
):
    authorised(reviewer, submitted_global)
    refused = send_report(manufacturer, submitted_global, certification="", message="Two fitted.")
    assert refused.status_code == 422
    assert error_of(refused, "certification") == (
        "Error: Say where the device's CE certification stands."
    )
    assert "Two fitted." in refused.text
    unknown = send_report(manufacturer, submitted_global, certification="maybe")
    assert unknown.status_code == 422
    with app.app_context():
        assert db.session.query(FollowUpReport).count() == 0


def test_a_new_date_is_checked_recorded_and_then_the_one_expected(
    app, inbox, reviewer, manufacturer, submitted_global
):
    authorised(reviewer, submitted_global)
    expected = expected_by(app, submitted_global)

    missing = send_report(manufacturer, submitted_global, certification="delayed")
    assert error_of(missing, "ce_expected_on") == (
        "Error: Enter the date CE marking is now expected."
    )
    past = send_report(
        manufacturer, submitted_global, certification="delayed", ce_expected_on=in_days(-3)
    )
    assert error_of(past, "ce_expected_on") == (
        "Error: The expected CE marking date must be after today."
    )
    same = send_report(
        manufacturer,
        submitted_global,
        certification="delayed",
        ce_expected_on=expected.isoformat(),
    )
    assert error_of(same, "ce_expected_on") == (
        f"Error: CE marking was already expected by {said(expected)}: choose “Under way as "
        "planned”, or enter the new date."
    )
    # A certificate's answers sent with "delayed" are not its: left out, not checked.
    later = expected + timedelta(days=90)
    sent = send_report(
        manufacturer,
        submitted_global,
        certification="delayed",
        ce_expected_on=later.isoformat(),
        certificate_number="<b>not asked</b>",
        certificate_body="12",
    )
    assert sent.status_code == 303
    report = report_on(app, submitted_global)
    assert (report.certification, report.ce_expected_on) == ("delayed", later)
    assert report.certificate_number is None and report.certificate_body is None

    line = (
        f"CE certification: under way; CE marking now expected by {said(later)}, rather than "
        f"{said(expected)}."
    )
    mine = text_of(manufacturer.get(sent.location))
    assert line in mine
    # The next report is checked against the date this one gave.
    assert f"Your report no. 1 expected CE marking by {said(later)}." in mine
    assert line in text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    (told,) = [m for m in inbox.to(REVIEWER_EMAIL) if "Follow-up report" in m["Subject"]]
    assert f"so far.\r\n\r\nCE marking is now expected by {said(later)}.\r\n" in body_of(told)
    with app.app_context():
        (event,) = db.session.query(AuditEvent).filter_by(action="follow_up_sent").all()
        assert event.detail["certification"] == {
            "status": "delayed",
            "ce_expected_on": later.isoformat(),
        }


def test_as_planned_cannot_be_said_once_the_date_expected_has_passed(
    app, reviewer, manufacturer, submitted_global, monkeypatch
):
    authorised(reviewer, submitted_global)
    expected = expected_by(app, submitted_global)
    days_later(monkeypatch, (expected - clock.today()).days + 1)
    refused = send_report(manufacturer, submitted_global, patients="0")
    assert error_of(refused, "certification") == (
        f"Error: CE marking was expected by {said(expected)}, which has passed: choose that the "
        "device now has it, that it is expected on another date, or that its certification is "
        "no longer pursued."
    )
    # On the day itself, it is still as planned.
    days_later(monkeypatch, -1)
    assert send_report(manufacturer, submitted_global, patients="0").status_code == 303
    line = "CE certification: under way as planned."
    assert line in text_of(reviewer.get(f"/review/requests/{submitted_global}"))


def test_a_ce_marking_is_recorded_with_its_certificate_and_pointed_out_to_ansm(
    app, inbox, reviewer, manufacturer, submitted_global
):
    authorised(reviewer, submitted_global)
    missing = send_report(manufacturer, submitted_global, certification="certified")
    assert missing.status_code == 422
    assert error_of(missing, "certificate_number") == (
        "Error: Enter the number of the CE certificate."
    )
    assert error_of(missing, "certificate_body") == "Error: Enter the notified body's number."
    assert error_of(missing, "certificate_issued_on") == (
        "Error: Enter the date the certificate was issued."
    )
    wrong = send_report(
        manufacturer,
        submitted_global,
        certification="certified",
        certificate_number="MDR 745 123",
        certificate_body="27970",
        certificate_issued_on=in_days(2),
    )
    assert error_of(wrong, "certificate_body") == (
        "Error: A notified body number has 4 digits, for example 2797 (see NANDO)."
    )
    assert error_of(wrong, "certificate_issued_on") == (
        "Error: The certificate's date cannot be in the future."
    )
    assert 'value="MDR 745 123"' in wrong.text  # what was right is kept

    issued = clock.today()  # the request was filed today
    sent = send_report(
        manufacturer,
        submitted_global,
        certification="certified",
        certificate_number="MDR <745> 123",
        certificate_body="2797",
        certificate_issued_on=issued.isoformat(),
    )
    assert sent.status_code == 303
    line = (
        "CE certification: the device has its CE marking: certificate MDR <745> 123, issued "
        f"by notified body 2797 on {said(issued)}."
    )
    mine = manufacturer.get(sent.location)
    assert "MDR &lt;745&gt; 123" in mine.text  # escaped
    assert line in text_of(mine)
    assert (
        "Your report has been sent to ANSM. With its CE marking, the device may no longer need "
        "this authorisation: ANSM will tell you what follows." in text_of(mine)
    )

    theirs = text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    assert line in theirs
    assert "With its CE marking, the device may no longer need the derogation" in theirs
    assert "CE marking obtained, a report says" in text_of(reviewer.get("/review"))
    trail = text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    assert (
        "Follow-up report sent: 3 patients treated so far; CE marking obtained: certificate "
        f"MDR <745> 123, notified body 2797, {said(issued)}" in trail
    )
    (told,) = [m for m in inbox.to(REVIEWER_EMAIL) if "Follow-up report" in m["Subject"]]
    assert (
        f"The device now has its CE marking (certificate MDR <745> 123, notified body 2797, "
        f"{said(issued)}): it may no longer need the derogation." in body_of(told)
    )


def test_a_certification_given_up_is_a_warning_on_both_pages(
    app, inbox, reviewer, manufacturer, submitted_global
):
    authorised(reviewer, submitted_global)
    sent = send_report(
        manufacturer,
        submitted_global,
        certification="stopped",
        message="The clinical investigation was stopped: the sponsor withdrew.",
    )
    assert sent.status_code == 303
    mine = text_of(manufacturer.get(sent.location))
    assert "CE certification: no longer pursued." in mine
    assert "The authorisation rests on your commitment to pursue CE certification." in mine
    theirs = text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    assert (
        "The authorisation rests on the manufacturer's commitment to pursue CE certification."
        in theirs
    )
    (told,) = [m for m in inbox.to(REVIEWER_EMAIL) if "Follow-up report" in m["Subject"]]
    assert "The manufacturer says it no longer pursues CE certification." in body_of(told)
    queue = text_of(reviewer.get("/review"))
    assert "CE certification given up, a report says" in queue

    # The next report's question starts from it, not from the date expected before; taken
    # up again, both pages say so, with the date it is expected by.
    assert (
        "Your report no. 1 said CE certification was no longer pursued: say where it stands "
        "now." in mine
    )
    assert "Your request expected CE marking by" not in mine
    again = send_report(manufacturer, submitted_global, certification="as_planned")
    assert again.status_code == 303
    mine = text_of(manufacturer.get(again.location))
    theirs = text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    for page in (mine, theirs):
        assert re.search(
            "CE certification: under way again, CE marking expected by [0-9]+ [A-Z][a-z]+ "
            "[0-9]{4} [(]report no. 1 said it was no longer pursued[)].",
            page,
        )
    assert "Your report no. 1 said" not in mine
    told = [m for m in inbox.to(REVIEWER_EMAIL) if "Follow-up report" in m["Subject"]]
    assert (
        "The manufacturer says CE certification is under way again: its report no. 1 said it "
        "was no longer pursued." in " ".join(body_of(told[-1]).split())
    )


def test_once_the_authorisation_is_withdrawn_its_reports_point_nothing_out(
    app, reviewer, manufacturer, submitted_global
):
    authorised(reviewer, submitted_global)
    send_report(manufacturer, submitted_global, certification="stopped", message="Stopped.")
    assert act(reviewer, submitted_global, "withdraw").status_code == 303
    given_up = "rests on the manufacturer's commitment to pursue CE certification"
    theirs = text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    assert "CE certification: no longer pursued." in theirs  # said, as a fact
    assert given_up not in theirs
    sent = send_report(
        manufacturer,
        submitted_global,
        certification="certified",
        certificate_number="MDR 745 123",
        certificate_body="2797",
        certificate_issued_on=clock.today().isoformat(),
    )
    assert sent.status_code == 303
    theirs = text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    assert "the device has its CE marking: certificate MDR 745 123" in theirs
    assert "may no longer need the derogation" not in theirs
    mine = text_of(manufacturer.get(sent.location))
    assert "may no longer need this authorisation" not in mine


def test_reports_sent_before_the_question_say_nothing_of_it(
    app, reviewer, manufacturer, submitted_global
):
    authorised(reviewer, submitted_global)
    assert send_report(manufacturer, submitted_global).status_code == 303
    with app.app_context():
        report = db.session.query(FollowUpReport).one()
        report.certification = None  # as a report sent before this question was asked
        db.session.commit()
    page = text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    assert "3 patients treated so far" in page
    assert "CE certification:" not in page


def test_the_same_form_sent_twice_is_one_report_not_an_error(
    app, reviewer, manufacturer, submitted_global
):
    """A double click, or a send retried: the second finds the first, even though the date it
    gives is by then the one expected so far."""
    authorised(reviewer, submitted_global)
    later = (expected_by(app, submitted_global) + timedelta(days=60)).isoformat()
    mark = "m" * 20
    for _ in range(2):
        sent = send_report(
            manufacturer,
            submitted_global,
            sent_as=mark,
            certification="delayed",
            ce_expected_on=later,
        )
        assert sent.status_code == 303
    with app.app_context():
        assert db.session.query(FollowUpReport).count() == 1
    # Another form (another mark) giving the same date is told it is already expected.
    again = send_report(
        manufacturer, submitted_global, certification="delayed", ce_expected_on=later
    )
    assert again.status_code == 422


def test_a_certificate_dated_before_the_request_is_refused(
    app, reviewer, manufacturer, submitted_global
):
    authorised(reviewer, submitted_global)
    with app.app_context():
        filed = clock.day_in_paris(dossier(submitted_global).submitted_at)
    refused = send_report(
        manufacturer,
        submitted_global,
        certification="certified",
        certificate_number="MDR 1",
        certificate_body="2797",
        certificate_issued_on=(filed - timedelta(days=1)).isoformat(),
    )
    assert error_of(refused, "certificate_issued_on") == (
        f"Error: The certificate cannot be dated before your request was filed, on "
        f"{said(filed)}: check the year."
    )


def test_the_questions_that_apply_are_said_required(app, reviewer, manufacturer, submitted_global):
    """Asked only with their answer: required once it is given (for a screen reader too)."""
    authorised(reviewer, submitted_global)
    page = manufacturer.get(f"/requests/{submitted_global}/submitted").text
    field = re.search(r'<input[^>]*id="report-ce_expected_on"[^>]*>', page).group(0)
    assert 'aria-required="true"' not in field
    assert 'data-required-when="report-certification"' in page
    refused = send_report(manufacturer, submitted_global, certification="delayed")
    field = re.search(r'<input[^>]*id="report-ce_expected_on"[^>]*>', refused.text).group(0)
    assert 'aria-required="true"' in field


def test_once_a_report_says_the_device_ce_marked_the_next_ones_start_from_it(
    app, inbox, reviewer, manufacturer, submitted_global
):
    authorised(reviewer, submitted_global)
    issued = clock.today()
    assert (
        send_report(
            manufacturer,
            submitted_global,
            certification="certified",
            certificate_number="MDR 745 123",
            certificate_body="1639",  # not the body the request named: 2797
            certificate_issued_on=issued.isoformat(),
        ).status_code
        == 303
    )
    page = manufacturer.get(f"/requests/{submitted_global}/submitted")
    # The question starts from it; the certificate is written in again, not asked anew.
    assert (
        "Your report no. 1 said the device has its CE marking (certificate MDR 745 123)."
        in text_of(page)
    )
    assert "Your request expected CE marking by" not in text_of(page)
    assert 'value="MDR 745 123"' in page.text and 'value="1639"' in page.text
    assert "Under way as planned" not in text_of(page)
    # Nothing is planned any more: "as planned" is refused, saying why; what was typed stays.
    refused = send_report(manufacturer, submitted_global, patients="4", message="Four fitted.")
    assert refused.status_code == 422
    assert error_of(refused, "certification") == (
        "Error: Your report no. 1 said the device has its CE marking: choose that it still has "
        "it, that CE marking is now expected on another date (its certificate suspended or "
        "withdrawn: say why in your report), or that its certification is no longer pursued."
    )
    assert "Four fitted." in refused.text
    # Only ANSM is told that the certificate is not from the body the request named.
    line = "The request named notified body 2797."
    assert line in text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    assert line not in text_of(manufacturer.get(f"/requests/{submitted_global}/submitted"))

    # Its certificate suspended: CE marking expected again, which the queue no longer hides.
    again = issued + timedelta(days=200)
    assert (
        send_report(
            manufacturer,
            submitted_global,
            patients="4",
            certification="delayed",
            ce_expected_on=again.isoformat(),
        ).status_code
        == 303
    )
    theirs = text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    assert (
        f"CE certification: under way again; CE marking now expected by {said(again)} (report "
        "no. 1 said the device had it)." in theirs
    )
    assert "CE marking obtained, a report says" not in text_of(reviewer.get("/review"))
    told = [m for m in inbox.to(REVIEWER_EMAIL) if "Follow-up report" in m["Subject"]][-1]
    assert (
        "The device no longer has the CE marking its report no. 1 said: CE marking is now "
        f"expected by {said(again)}." in " ".join(body_of(told).split())
    )
    # The next report starts from that date, and may say "as planned" again.
    page = text_of(manufacturer.get(f"/requests/{submitted_global}/submitted"))
    assert f"Your report no. 2 expected CE marking by {said(again)}." in page
    assert send_report(manufacturer, submitted_global, patients="5").status_code == 303


def test_a_class_one_device_is_ce_marked_by_its_declaration_of_conformity(
    app, inbox, user, reviewer, manufacturer
):
    """Filed needing no notified body (class I): its CE marking is the manufacturer's EU
    declaration of conformity, asked for by its reference and date, with no body's number."""
    with app.app_context():
        filed = dossier_with(user[0], "global", submit=True, changes=CLASS_ONE)
    authorised(reviewer, filed)
    page = manufacturer.get(f"/requests/{filed}/submitted").text
    assert "Reference of the EU declaration of conformity" in page
    assert "Date of the EU declaration of conformity" in page
    assert 'name="report-certificate_body"' not in page
    missing = send_report(manufacturer, filed, certification="certified")
    assert missing.status_code == 422
    assert error_of(missing, "certificate_number") == (
        "Error: Enter the reference of the EU declaration of conformity."
    )
    assert error_of(missing, "certificate_issued_on") == (
        "Error: Enter the date of the EU declaration of conformity."
    )
    assert 'name="report-certificate_body"' not in missing.text
    issued = clock.today()
    sent = send_report(
        manufacturer,
        filed,
        certification="certified",
        certificate_number="DoC-2026-07",
        certificate_body="2797",  # not asked: not kept either
        certificate_issued_on=issued.isoformat(),
    )
    assert sent.status_code == 303
    assert report_on(app, filed).certificate_body is None
    line = (
        "CE certification: the device has its CE marking: EU declaration of conformity "
        f"DoC-2026-07 of {said(issued)}."
    )
    assert line in text_of(manufacturer.get(sent.location))
    theirs = text_of(reviewer.get(f"/review/requests/{filed}"))
    assert line in theirs
    assert (
        "CE marking obtained: EU declaration of conformity DoC-2026-07, "
        f"{said(issued)}" in theirs  # the audit trail
    )
    (told,) = [m for m in inbox.to(REVIEWER_EMAIL) if "Follow-up report" in m["Subject"]]
    assert (
        f"The device now has its CE marking (EU declaration of conformity DoC-2026-07, "
        f"{said(issued)}): it may no longer need the derogation." in " ".join(body_of(told).split())
    )
    # The next report starts from it, as from a certificate.
    nxt = text_of(manufacturer.get(f"/requests/{filed}/submitted"))
    assert (
        "Your report no. 1 said the device has its CE marking (EU declaration of conformity "
        "DoC-2026-07)." in nxt
    )


def test_a_class_one_report_sent_signed_out_is_listed_as_its_page_asked_it(app, user, reviewer):
    """Sent once the session had ended, what a class I request's report carried is listed to
    copy under the questions its page asked: the declaration of conformity, not a certificate."""
    with app.app_context():
        filed = dossier_with(user[0], "global", submit=True, changes=CLASS_ONE)
    authorised(reviewer, filed)
    signed_out = app.test_client()
    refused = signed_out.post(
        f"/requests/{filed}/follow-up-reports",
        data={
            "report-patients_treated": "3",
            "report-certification": "certified",
            "report-certificate_number": "DoC-2026-07",
            "report-certificate_issued_on": "2026-11-30",
            "report-message": REPORT,
        },
    )
    assert refused.status_code == 401
    page = text_of(refused)
    assert "Reference of the EU declaration of conformity DoC-2026-07" in page
    assert "Date of the EU declaration of conformity 30 November 2026" in page
    assert "certificate" not in page.lower().replace("declaration of conformity", "")
