"""An authorisation may ask its follow-up reports at set dates: every so many months from the
period's first day, the last on its last day. The signed decision states them; both sides'
pages list them and say where each stands; the queue shows (and filters) the requests whose
report is overdue; the daily job reminds the manufacturer a week before each date."""

from __future__ import annotations

import io
from datetime import date

from babel.dates import format_date
from pypdf import PdfReader
from sqlalchemy import select

from tests.invites.support import body_of
from tests.review.support import act, dossier, in_days
from tests.review.test_follow_up_reports import send_report, text_of
from tests.review.test_period_end_reminder import MANUFACTURER, days_later, run_daily_job
from wizard import clock
from wizard.domain.report_schedule import due_dates
from wizard.extensions import db
from wizard.i18n import long_date_in
from wizard.models import AuditEvent, ReportDue


def said(day: date) -> str:
    return format_date(day, "long", locale="en_GB")


def authorised_every(reviewer, dossier_id: int, months: str, days: int = 200) -> list[date]:
    """Authorise from today for `days` days, reports every `months`; the dates they are due."""
    act(reviewer, dossier_id, "start-review")
    signed = act(
        reviewer,
        dossier_id,
        "authorise",
        period_start=in_days(0),
        period_end=in_days(days),
        report_every=months,
    )
    assert signed.status_code == 303, signed.text
    return due_dates(clock.today(), date.fromisoformat(in_days(days)), int(months))


def test_the_decision_states_the_dates_and_both_pages_list_them(
    app, inbox, reviewer, manufacturer, submitted_global
):
    dues = authorised_every(reviewer, submitted_global, "3")
    # 200 days: one interval of three months, then the last day (the second interval's date
    # is too close to it to ask a report of its own).
    assert len(dues) == 2

    pdf = manufacturer.get(f"/requests/{submitted_global}/decisions/1.pdf").data
    words = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )
    french = [long_date_in(due, "fr") for due in dues]
    assert "Un rapport de suivi est adressé à l’ANSM par le portail tous les 3 mois" in words
    assert f"au plus tard le {french[0]} et le {french[1]}." in words
    assert (
        "A follow-up report is sent to ANSM through the portal every 3 months from the start "
        f"of the period, by {said(dues[0])} and {said(dues[1])} at the latest."
    ) in words

    mine = text_of(manufacturer.get(f"/requests/{submitted_global}/submitted"))
    listed = ", ".join(said(due) for due in dues)
    assert (
        "Every 3 months from the period's first day, the last on its last day: the dates are "
        "listed under “Follow-up reports”."
    ) in mine
    assert f"Your next report is due by {said(dues[0])}." in mine
    assert f"Reports due Due by Report {said(dues[0])} Next {said(dues[1])} To come" in mine
    theirs = text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    assert f"Reports due Due by Report {said(dues[0])} Next" in theirs

    (email,) = [m for m in inbox.to(MANUFACTURER) if "authorised" in body_of(m)]
    assert (
        f"Follow-up reports due: every 3 months, the last on the period's last day, by {listed}."
    ) in " ".join(body_of(email).split())


def test_a_report_meets_the_next_date_and_a_correction_does_not_meet_another(
    app, reviewer, manufacturer, submitted_global
):
    dues = authorised_every(reviewer, submitted_global, "1", days=100)
    assert send_report(manufacturer, submitted_global).status_code == 303
    assert send_report(manufacturer, submitted_global, patients="4").status_code == 303
    page = text_of(manufacturer.get(f"/requests/{submitted_global}/submitted"))
    today = said(clock.today())
    # The first report meets the first date; the second, sent before it, is a correction.
    assert f"{said(dues[0])} Report no. 1, sent on {today} {said(dues[1])} Next" in page
    assert f"Your next report is due by {said(dues[1])}." in page


def test_an_overdue_report_is_said_to_both_sides_and_in_the_queue_until_it_comes(
    app, reviewer, manufacturer, submitted_global, submitted, monkeypatch
):
    dues = authorised_every(reviewer, submitted_global, "1", days=100)
    authorised_every(reviewer, submitted, "6")  # nothing due for months
    assert "has a follow-up report overdue" not in text_of(reviewer.get("/review"))
    # The manufacturer's list of requests says when the next is due, then that it is late.
    assert f"Next follow-up report by {said(dues[0])}" in text_of(manufacturer.get("/dashboard"))

    days_later(monkeypatch, (dues[0] - clock.today()).days + 1)
    mine = text_of(manufacturer.get(f"/requests/{submitted_global}/submitted"))
    assert (
        f"Your report due by {said(dues[0])} has not been received: send it as soon as you can."
    ) in mine
    assert f"{said(dues[0])} Overdue: not received {said(dues[1])} Next" in mine
    theirs = text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    assert f"The report due by {said(dues[0])} has not been received." in theirs
    assert f"Follow-up report overdue: it was due by {said(dues[0])}" in text_of(
        manufacturer.get("/dashboard")
    )

    queue = text_of(reviewer.get("/review"))
    assert "1 request has a follow-up report overdue" in queue
    assert f"Report due by {said(dues[0])}: overdue" in queue
    with app.app_context():
        late, other = dossier(submitted_global).reference, dossier(submitted).reference
    filtered = text_of(reviewer.get("/review?late_reports=y"))
    assert late in filtered and other not in filtered
    assert "1 request" in filtered

    # One report sent late meets it: said late, and the queue has nothing overdue.
    assert send_report(manufacturer, submitted_global).status_code == 303
    mine = text_of(manufacturer.get(f"/requests/{submitted_global}/submitted"))
    assert f"{said(dues[0])} Report no. 1, sent on {said(clock.today())} · late" in mine
    assert "has not been received" not in mine
    queue = text_of(reviewer.get("/review"))
    assert "has a follow-up report overdue" not in queue and ": overdue" not in queue
    assert f"Next follow-up report by {said(dues[1])}" in text_of(manufacturer.get("/dashboard"))


def test_one_late_report_meets_every_date_passed_without_one(
    app, reviewer, manufacturer, submitted_global, monkeypatch
):
    dues = authorised_every(reviewer, submitted_global, "1", days=100)
    days_later(monkeypatch, (dues[1] - clock.today()).days + 3)
    mine = text_of(manufacturer.get(f"/requests/{submitted_global}/submitted"))
    assert f"2 of your reports are overdue, the first due by {said(dues[0])}" in mine
    assert f"2 follow-up reports overdue: the first was due by {said(dues[0])}" in text_of(
        manufacturer.get("/dashboard")
    )
    assert send_report(manufacturer, submitted_global).status_code == 303
    mine = text_of(manufacturer.get(f"/requests/{submitted_global}/submitted"))
    sent = f"Report no. 1, sent on {said(clock.today())} · late"
    assert f"{said(dues[0])} {sent} {said(dues[1])} {sent} {said(dues[2])} Next" in mine
    # The audit trail says which dates the report met.
    trail = text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    assert (
        "Follow-up report sent: 3 patients treated so far; the reports due by "
        f"{said(dues[0])} and {said(dues[1])}"
    ) in trail


def test_the_manufacturer_is_reminded_a_week_before_each_date_once(
    app, inbox, reviewer, manufacturer, submitted_global, monkeypatch
):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://derogations.example")
    dues = authorised_every(reviewer, submitted_global, "1", days=100)
    assert "0 manufacturer(s) reminded of a follow-up report due." in run_daily_job(app)
    days_later(monkeypatch, (dues[0] - clock.today()).days - 7)
    assert "1 manufacturer(s) reminded of a follow-up report due." in run_daily_job(app)
    with app.app_context():
        reference = dossier(submitted_global).reference
    (reminder,) = [m for m in inbox.to(MANUFACTURER) if "due by" in m["Subject"]]
    french_day = long_date_in(dues[0], "fr")
    assert reminder["Subject"] == (
        f"Rapport de suivi sur la demande {reference} attendu au plus tard le {french_day} / "
        f"Follow-up report on request {reference} due by {said(dues[0])}"
    )
    body = " ".join(body_of(reminder).split())
    assert f"asks you to send ANSM a follow-up report by {said(dues[0])}" in body
    # All that the report's form asks, its certification included.
    assert (
        "how they are followed, any incident, and where the device's CE certification stands."
        in body
    )
    assert f"https://derogations.example/requests/{submitted_global}/submitted#reports" in body
    # Once; and not for a date a report met already.
    days_later(monkeypatch, 1)
    assert "0 manufacturer(s) reminded of a follow-up report due." in run_daily_job(app)
    assert send_report(manufacturer, submitted_global).status_code == 303  # meets the first
    days_later(monkeypatch, (dues[0] - clock.today()).days + 2)
    assert send_report(manufacturer, submitted_global).status_code == 303  # the second, early
    days_later(monkeypatch, (dues[1] - clock.today()).days - 5)
    assert "0 manufacturer(s) reminded of a follow-up report due." in run_daily_job(app)
    trail = text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    assert f"Manufacturer reminded of the follow-up report due by {said(dues[0])}" in trail
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.dossier_id == submitted_global)
        ).all()
    assert actions.count("report_due_reminded") == 1


def test_a_withdrawal_drops_the_dates_after_it(
    app, reviewer, manufacturer, submitted_global, monkeypatch
):
    """Those after its day go, one a report sent early met too (the report stays)."""
    dues = authorised_every(reviewer, submitted_global, "1", days=100)
    assert send_report(manufacturer, submitted_global).status_code == 303  # meets the first
    days_later(monkeypatch, (dues[0] - clock.today()).days + 2)
    assert send_report(manufacturer, submitted_global).status_code == 303  # the second, early
    assert act(reviewer, submitted_global, "withdraw").status_code == 303
    with app.app_context():
        left = db.session.scalars(
            select(ReportDue.due_on).where(ReportDue.dossier_id == submitted_global)
        ).all()
    assert left == [dues[0]]  # none asked after the withdrawal, met or not
    mine = text_of(manufacturer.get(f"/requests/{submitted_global}/submitted"))
    assert "Your next report is due" not in mine
    assert said(dues[1]) not in mine  # not in the conditions either
    theirs = text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    for page in (mine, theirs):
        assert "None since the withdrawal: the dates before it are listed" in page
        assert "Report no. 2" in page  # the report sent early stays


def test_a_withdrawal_before_the_first_date_lists_none_and_says_so(
    app, reviewer, manufacturer, submitted_global
):
    """No date before it: nothing is said to be listed under "Follow-up reports"."""
    authorised_every(reviewer, submitted_global, "1", days=100)
    assert act(reviewer, submitted_global, "withdraw").status_code == 303
    for page in (
        text_of(manufacturer.get(f"/requests/{submitted_global}/submitted")),
        text_of(reviewer.get(f"/review/requests/{submitted_global}")),
    ):
        assert "Reports due" not in page  # no list of dates
        assert "the dates before it are listed" not in page
        assert "None: ANSM withdrew the authorisation before the first report was due." in page


def test_the_suspension_email_says_the_reports_remain_due(
    app, inbox, reviewer, submitted_global, submitted
):
    """Reminded of while suspended (the patients treated are followed): said when it begins."""
    authorised_every(reviewer, submitted_global, "1", days=100)
    assert act(reviewer, submitted_global, "suspend").status_code == 303
    told = " ".join(body_of(inbox.to(MANUFACTURER)[-1]).split())
    assert "ANSM has suspended the authorisation" in told
    assert (
        "Your follow-up reports remain due while it is suspended, by the dates listed on the "
        "page of your request." in told
    )
    # An authorisation that sets no dates says nothing of them.
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "authorise")
    act(reviewer, submitted, "suspend")
    told = body_of(inbox.to(MANUFACTURER)[-1])
    assert "ANSM has suspended the authorisation" in told
    assert "remain due" not in told


def test_a_reinstatement_names_a_report_date_passed_while_suspended(
    app, inbox, reviewer, submitted_global, monkeypatch
):
    """Reports stay due while suspended (the patients treated are followed): one whose date
    passed meanwhile is named when the authorisation is reinstated, not "next"."""
    dues = authorised_every(reviewer, submitted_global, "1", days=100)
    assert act(reviewer, submitted_global, "suspend").status_code == 303
    days_later(monkeypatch, (dues[0] - clock.today()).days + 2)
    assert act(reviewer, submitted_global, "reinstate").status_code == 303
    told = " ".join(body_of(inbox.to(MANUFACTURER)[-1]).split())
    assert (
        f"The follow-up report due by {said(dues[0])} has not reached ANSM: send it from the "
        "page of your request." in told
    )
    assert "Your next follow-up report" not in told


def test_a_correction_of_a_late_report_does_not_meet_the_next_date(
    app, reviewer, manufacturer, submitted_global, monkeypatch
):
    dues = authorised_every(reviewer, submitted_global, "1", days=100)
    days_later(monkeypatch, (dues[0] - clock.today()).days + 2)
    assert send_report(manufacturer, submitted_global).status_code == 303
    assert send_report(manufacturer, submitted_global, patients="4").status_code == 303
    mine = text_of(manufacturer.get(f"/requests/{submitted_global}/submitted"))
    assert f"{said(dues[0])} Report no. 1, sent on {said(clock.today())} · late" in mine
    assert f"{said(dues[1])} Next" in mine


def test_dates_without_written_conditions_still_ask_for_reports(
    app, reviewer, manufacturer, submitted_global
):
    act(reviewer, submitted_global, "start-review")
    signed = act(reviewer, submitted_global, "authorise", follow_up="", report_every="2")
    assert signed.status_code == 303
    mine = text_of(manufacturer.get(f"/requests/{submitted_global}/submitted"))
    assert "None besides" not in mine and "Every 2 months from the period's first day" in mine
    assert "No follow-up report yet" in text_of(reviewer.get("/review"))


def test_a_period_shorter_than_the_interval_asks_one_report_and_says_so(
    app, inbox, reviewer, manufacturer, submitted_global, monkeypatch
):
    act(reviewer, submitted_global, "start-review")
    short = {"period_start": in_days(0), "period_end": in_days(5), "report_every": "6"}
    assert act(reviewer, submitted_global, "authorise", **short).status_code == 303
    last_day = date.fromisoformat(in_days(5))
    pdf = manufacturer.get(f"/requests/{submitted_global}/decisions/1.pdf").data
    words = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )
    assert (
        "Un rapport de suivi est adressé à l’ANSM par le portail au plus tard le "
        f"{long_date_in(last_day, 'fr')}, dernier jour de la période."
    ) in words
    assert "tous les 6 mois" not in words
    mine = text_of(manufacturer.get(f"/requests/{submitted_global}/submitted"))
    assert f"One report, by {said(last_day)}, the period's last day." in mine
    (email,) = [m for m in inbox.to(MANUFACTURER) if "authorised" in body_of(m)]
    assert f"Follow-up report due by {said(last_day)}, the period's last day." in " ".join(
        body_of(email).split()
    )
    # Reminded from the day after the decision, though it is due within the week.
    assert "0 manufacturer(s) reminded of a follow-up report due." in run_daily_job(app)
    days_later(monkeypatch, 1)
    assert "1 manufacturer(s) reminded of a follow-up report due." in run_daily_job(app)


def test_no_set_dates_by_default_and_an_unknown_interval_is_refused(
    app, reviewer, manufacturer, submitted_global, submitted
):
    act(reviewer, submitted, "start-review")
    refused = act(reviewer, submitted, "authorise", report_every="5")
    assert refused.status_code == 422
    assert "Choose one of the options listed." in text_of(refused)
    assert "Monthly report to ANSM on every patient." in refused.text  # what was typed, kept

    act(reviewer, submitted_global, "start-review")
    assert act(reviewer, submitted_global, "authorise").status_code == 303
    page = text_of(manufacturer.get(f"/requests/{submitted_global}/submitted"))
    assert "Reports due" not in page and "Follow-up reports due" not in page
    with app.app_context():
        assert db.session.scalars(select(ReportDue)).all() == []


def test_a_suspension_before_the_period_asks_no_report_until_a_reinstatement(
    app, inbox, reviewer, manufacturer, submitted_global, monkeypatch
):
    """Suspended before its first day, nobody has received the device under it: no report
    is asked while it stays so, nor said overdue once its period has passed suspended (as
    its act says: nothing to follow). Reinstated, the dates after that day are asked again."""
    act(reviewer, submitted_global, "start-review")
    period = {"period_start": in_days(20), "period_end": in_days(120), "report_every": "1"}
    assert act(reviewer, submitted_global, "authorise", **period).status_code == 303
    dues = due_dates(date.fromisoformat(in_days(20)), date.fromisoformat(in_days(120)), 1)
    assert act(reviewer, submitted_global, "suspend").status_code == 303
    told = " ".join(body_of(inbox.to(MANUFACTURER)[-1]).split())
    assert "before its period began" in told and "remain due" not in told
    mine = text_of(manufacturer.get(f"/requests/{submitted_global}/submitted"))
    assert "Your next report is due" not in mine and said(dues[0]) not in mine
    assert (
        "None while it stays suspended: ANSM suspended it before its period began, when nobody "
        "had received the device under it. If it is reinstated, the reports are asked again."
        in mine
    )

    assert act(reviewer, submitted_global, "reinstate").status_code == 303
    # Its email says the reports are asked again, from the next date.
    reinstated = " ".join(body_of(inbox.to(MANUFACTURER)[-1]).split())
    assert (
        f"Your next follow-up report is due by {said(dues[0])}: send it from the page of your "
        "request, where every date is listed." in reinstated
    )
    with app.app_context():
        asked = db.session.scalars(
            select(ReportDue.due_on)
            .where(ReportDue.dossier_id == submitted_global)
            .order_by(ReportDue.due_on)
        ).all()
    assert asked == dues
    assert f"Your next report is due by {said(dues[0])}" in text_of(
        manufacturer.get(f"/requests/{submitted_global}/submitted")
    )

    # Suspended again before its first day, and left so past its end: nothing overdue.
    assert act(reviewer, submitted_global, "suspend").status_code == 303
    days_later(monkeypatch, 125)
    inbox.clear()
    run_daily_job(app)
    expired = " ".join(body_of(inbox.to(MANUFACTURER)[-1]).split())
    assert "has expired" in expired and "overdue" not in expired
    assert "continue to be followed" not in expired and "reports" not in expired
    assert "overdue" not in text_of(manufacturer.get("/dashboard"))
    for page in (
        text_of(manufacturer.get(f"/requests/{submitted_global}/submitted")),
        text_of(reviewer.get(f"/review/requests/{submitted_global}")),
    ):
        assert "overdue" not in page
        assert (
            "None: ANSM suspended the authorisation before its period began, and it stayed "
            "suspended until its end." in page
        )


def test_a_withdrawal_after_a_suspension_before_the_period_says_why_no_report_was_asked(
    app, reviewer, manufacturer, submitted_global
):
    act(reviewer, submitted_global, "start-review")
    period = {"period_start": in_days(20), "period_end": in_days(120), "report_every": "1"}
    assert act(reviewer, submitted_global, "authorise", **period).status_code == 303
    assert act(reviewer, submitted_global, "suspend").status_code == 303
    assert act(reviewer, submitted_global, "withdraw").status_code == 303
    for page in (
        text_of(manufacturer.get(f"/requests/{submitted_global}/submitted")),
        text_of(reviewer.get(f"/review/requests/{submitted_global}")),
    ):
        assert (
            "None: ANSM suspended the authorisation before its period began, when nobody had "
            "received the device under it, then withdrew it." in page
        )
        assert "before the first report was due" not in page
