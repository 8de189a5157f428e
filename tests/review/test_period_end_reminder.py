"""Thirty days before an authorisation's last day, the daily job reminds its manufacturer
once, by email: to file a new request in time if the device is still needed, and to send its
follow-up report. Not an authorisation signed with less time left, nor a suspended one."""

from __future__ import annotations

import html
from datetime import date, timedelta

from babel.dates import format_date

from tests.invites.support import body_of
from tests.review.support import act, dossier, in_days
from wizard import clock
from wizard.review import follow_up

MANUFACTURER = "claire@cardiotech.example"


def run_daily_job(app) -> str:
    result = app.test_cli_runner().invoke(args=["decisions", "expire"])
    assert result.exit_code == 0, result.output
    return result.output


def authorise(reviewer, dossier_id: int, days: int) -> date:
    act(reviewer, dossier_id, "start-review")
    period = {"period_start": in_days(0), "period_end": in_days(days)}
    assert act(reviewer, dossier_id, "authorise", **period).status_code == 303
    return date.fromisoformat(in_days(days))


def days_later(monkeypatch, days: int) -> None:
    later = clock.now() + timedelta(days=days)
    monkeypatch.setattr(clock, "now", lambda: later)


def reminders_to(inbox) -> list:
    return [m for m in inbox.to(MANUFACTURER) if "ends on" in m["Subject"]]


def test_the_manufacturer_is_reminded_once_thirty_days_before_the_end(
    app, inbox, reviewer, submitted_global, monkeypatch
):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://derogations.example")
    last_day = authorise(reviewer, submitted_global, 90)
    assert "0 manufacturer(s) reminded" in run_daily_job(app)  # too early
    days_later(monkeypatch, 60)  # thirty days left
    said = run_daily_job(app)
    assert "1 manufacturer(s) reminded of the end of their authorisation." in said
    with app.app_context():
        reference = dossier(submitted_global).reference
    (reminder,) = reminders_to(inbox)
    english_day = format_date(last_day, "long", locale="en_GB")
    french_day = format_date(last_day, "long", locale="fr_FR")
    assert reminder["Subject"] == (
        f"L’autorisation de la demande {reference} prend fin le {french_day} / "
        f"The authorisation of request {reference} ends on {english_day}"
    )
    body = body_of(reminder)
    assert f"ends on {english_day}, its last day included" in body
    assert "“Start a new request from this one”" in body
    # The follow-up the authorisation asks for, in its words.
    assert "send ANSM your follow-up report on the patients treated, as the conditions" in body
    assert "Monthly report to ANSM on every patient." in body
    assert f"https://derogations.example/requests/{submitted_global}/submitted" in body
    # Once only, whichever day the job runs after.
    days_later(monkeypatch, 1)
    assert "0 manufacturer(s) reminded" in run_daily_job(app)
    assert len(reminders_to(inbox)) == 1
    trail = html.unescape(reviewer.get(f"/review/requests/{submitted_global}").text)
    assert f"Manufacturer reminded that the authorised period ends on {english_day}" in trail


def test_without_follow_up_conditions_the_reminder_asks_the_last_report_its_dates_ask(
    app, inbox, reviewer, submitted_global, monkeypatch
):
    """Reports at set dates, with no conditions written: the last one is due on the last day."""
    act(reviewer, submitted_global, "start-review")
    period = {"period_start": in_days(0), "period_end": in_days(90)}
    authorised = act(
        reviewer, submitted_global, "authorise", follow_up=None, report_every="1", **period
    )
    assert authorised.status_code == 303
    english_day = format_date(date.fromisoformat(in_days(90)), "long", locale="en_GB")
    days_later(monkeypatch, 60)
    run_daily_job(app)
    (reminder,) = reminders_to(inbox)
    body = " ".join(body_of(reminder).split())
    assert (
        "send ANSM your follow-up report on the patients treated: the authorisation asks for "
        f"its last one by {english_day}." in body
    )
    # The first monthly date passed without a report: named.
    assert "has not reached ANSM: send it from the page of your request." in body


def test_conditions_and_dates_both_said_and_a_report_overdue_named(
    app, inbox, reviewer, submitted_global, monkeypatch
):
    """Written conditions and set dates: the reminder quotes the one and gives the other's
    last date; a date passed with no report is named, as the period's end approaches."""
    act(reviewer, submitted_global, "start-review")
    period = {"period_start": in_days(0), "period_end": in_days(90)}
    authorised = act(reviewer, submitted_global, "authorise", report_every="1", **period)
    assert authorised.status_code == 303
    with app.app_context():
        first = follow_up.first_unmet(dossier(submitted_global))
    english = format_date(date.fromisoformat(in_days(90)), "long", locale="en_GB")
    days_later(monkeypatch, 60)
    run_daily_job(app)
    (reminder,) = reminders_to(inbox)
    body = " ".join(body_of(reminder).split())
    assert "Monthly report to ANSM on every patient." in body
    assert f"The authorisation asks for the last report by {english}." in body
    assert (
        f"The follow-up report due by {format_date(first, 'long', locale='en_GB')} has not "
        "reached ANSM: send it from the page of your request." in body
    )


def test_a_short_authorisation_and_a_suspended_one_are_not_reminded(
    app, inbox, reviewer, submitted, submitted_global, monkeypatch
):
    authorise(reviewer, submitted, 20)  # its decision said the period, weeks ago at most
    authorise(reviewer, submitted_global, 40)
    assert act(reviewer, submitted_global, "suspend").status_code == 303
    days_later(monkeypatch, 15)
    assert "0 manufacturer(s) reminded" in run_daily_job(app)
    assert reminders_to(inbox) == []


def test_without_follow_up_conditions_no_report_is_asked_for(
    app, inbox, reviewer, submitted_global, monkeypatch
):
    act(reviewer, submitted_global, "start-review")
    period = {"period_start": in_days(0), "period_end": in_days(90), "follow_up": ""}
    assert act(reviewer, submitted_global, "authorise", **period).status_code == 303
    days_later(monkeypatch, 60)
    run_daily_job(app)
    (reminder,) = reminders_to(inbox)
    assert "follow-up report" not in body_of(reminder) and "suivi" not in body_of(reminder)


def test_a_period_starting_or_signed_too_close_to_the_reminder_is_not_reminded(
    app, inbox, reviewer, submitted, submitted_global, monkeypatch
):
    """Signed today for days 45 to 55 (the reminder's day is before its start), and signed
    with 33 days left (its decision said the period days before): not reminded."""
    act(reviewer, submitted_global, "start-review")
    later = {"period_start": in_days(45), "period_end": in_days(55)}
    assert act(reviewer, submitted_global, "authorise", **later).status_code == 303
    authorise(reviewer, submitted, 33)
    for _ in range(4):
        days_later(monkeypatch, 7)
        assert "0 manufacturer(s) reminded" in run_daily_job(app)
    assert reminders_to(inbox) == []


def test_two_runs_of_the_job_at_once_remind_once(
    app, inbox, reviewer, submitted_global, monkeypatch
):
    from wizard.review import reminders

    authorise(reviewer, submitted_global, 90)
    days_later(monkeypatch, 60)
    with app.app_context():
        first, second = reminders.due(clock.today()), reminders.due(clock.today())
        assert len(first) == len(second) == 1  # both runs found it before either sent
        assert reminders.remind(*first[0]) is True
        assert reminders.remind(*second[0]) is False
    assert len(reminders_to(inbox)) == 1


def test_the_reminder_does_not_stop_a_decision_read_before_it(
    app, reviewer, submitted_global, monkeypatch
):
    """It changes nothing a decision rests on: a suspension read back the evening before
    the job runs is signed the next morning."""
    from tests.review.support import action_data, seen_on

    authorise(reviewer, submitted_global, 90)
    days_later(monkeypatch, 60)
    seen = seen_on(reviewer, submitted_global)
    assert "1 manufacturer(s) reminded" in run_daily_job(app)
    signed = reviewer.post(
        f"/review/requests/{submitted_global}/suspend", data=action_data("suspend") | seen
    )
    assert signed.status_code == 303


def test_a_request_suspended_after_the_job_read_it_is_not_reminded(
    app, inbox, reviewer, submitted_global, monkeypatch
):
    """The job reads the requests due, then reminds each: one suspended in between is not."""
    from wizard.review import reminders

    authorise(reviewer, submitted_global, 90)
    days_later(monkeypatch, 60)
    with app.app_context():
        (due,) = reminders.due(clock.today())
        assert act(reviewer, submitted_global, "suspend").status_code == 303
        assert reminders.remind(*due) is False
        assert dossier(submitted_global).period_end_reminded_at is None
    assert reminders_to(inbox) == []
    # Reinstated, it is reminded; the list of requests keeps its order (updated_at as it was).
    assert act(reviewer, submitted_global, "reinstate").status_code == 303
    with app.app_context():
        updated = dossier(submitted_global).updated_at
    run_daily_job(app)
    assert len(reminders_to(inbox)) == 1
    with app.app_context():
        assert dossier(submitted_global).updated_at == updated
