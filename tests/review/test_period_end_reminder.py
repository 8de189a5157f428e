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
    assert "follow-up report" in body
    assert f"/requests/{submitted_global}/submitted" in body or "page of your request" in body
    # Once only, whichever day the job runs after.
    days_later(monkeypatch, 1)
    assert "0 manufacturer(s) reminded" in run_daily_job(app)
    assert len(reminders_to(inbox)) == 1
    trail = html.unescape(reviewer.get(f"/review/requests/{submitted_global}").text)
    assert f"Manufacturer reminded that the authorised period ends on {english_day}" in trail


def test_a_short_authorisation_and_a_suspended_one_are_not_reminded(
    app, inbox, reviewer, submitted, submitted_global, monkeypatch
):
    authorise(reviewer, submitted, 20)  # its decision said the period, weeks ago at most
    authorise(reviewer, submitted_global, 40)
    assert act(reviewer, submitted_global, "suspend").status_code == 303
    days_later(monkeypatch, 15)
    assert "0 manufacturer(s) reminded" in run_daily_job(app)
    assert reminders_to(inbox) == []
