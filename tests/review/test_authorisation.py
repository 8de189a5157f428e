"""A global request is authorised with a cap on patients and follow-up conditions, which the
manufacturer sees; the authorisation expires when its period ends, on every page at once and
in the database when the daily command runs. The manufacturer may withdraw before a decision."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.review.support import act, in_days, status_of
from wizard import clock
from wizard.extensions import db
from wizard.models import AuditEvent


def test_a_global_authorisation_needs_a_cap_and_keeps_what_was_typed(
    app, reviewer, submitted_global
):
    act(reviewer, submitted_global, "start-review")
    page = reviewer.get(f"/review/requests/{submitted_global}").text
    assert 'name="authorise-max_patients" value="12"' in page  # as the filing estimated
    refused = act(
        reviewer,
        submitted_global,
        "authorise",
        max_patients="",
        period_start=in_days(-30),
        period_end=in_days(-1),
        follow_up="Registry of every implanted child.",
    )
    assert refused.status_code == 422
    assert "Enter the maximum number of patients" in refused.text
    assert "The last day of the period cannot be past." in refused.text
    assert "Registry of every implanted child." in refused.text
    assert 'id="action-authorise" open' in refused.text
    assert status_of(app, submitted_global) == "under_review"


def test_the_manufacturer_sees_the_cap_and_the_authorisation_expires(
    app, reviewer, manufacturer, submitted_global, monkeypatch
):
    act(reviewer, submitted_global, "start-review")
    authorised = act(
        reviewer,
        submitted_global,
        "authorise",
        period_start=in_days(1),
        period_end=in_days(90),
        max_patients="8",
        follow_up="Registry of every implanted child.",
    )
    assert authorised.status_code == 303
    dashboard = manufacturer.get("/dashboard").text
    assert "Authorised" in dashboard and "at most 8 patients" in dashboard
    page = manufacturer.get(f"/requests/{submitted_global}/submitted").text
    assert "Maximum number of patients" in page and ">8<" in page
    assert "Registry of every implanted child." in page
    assert f"/requests/{submitted_global}/decisions/1.pdf" in page
    assert "Withdraw this request" not in page  # decided: too late to withdraw

    # The period ends: every page says "expired" before the daily command has run.
    later = clock.now() + timedelta(days=92)
    monkeypatch.setattr(clock, "now", lambda: later)
    page = manufacturer.get(f"/requests/{submitted_global}/submitted").text
    assert 'tag--expired">Expired' in page and "This authorisation has expired" in page
    queue = reviewer.get("/review?status=expired").text
    assert "VentriAssist Mini" in queue
    assert "VentriAssist Mini" not in reviewer.get("/review?status=authorised").text
    assert status_of(app, submitted_global) == "authorised"
    suspend = act(reviewer, submitted_global, "suspend")
    assert suspend.status_code == 409 and "the request is “Expired”" in suspend.text

    runner = app.test_cli_runner()
    result = runner.invoke(args=["decisions", "expire"])
    assert result.exit_code == 0, result.output
    assert "1 authorisation(s) expired." in result.output
    assert status_of(app, submitted_global) == "expired"
    with app.app_context():
        last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.sequence.desc())).first()
        assert (last.to_status, last.actor_role) == ("expired", "system")
    assert "0 authorisation(s) expired." in runner.invoke(args=["decisions", "expire"]).output


def test_the_manufacturer_withdraws_before_a_decision_and_not_after(
    app, reviewer, manufacturer, submitted
):
    page = manufacturer.get(f"/requests/{submitted}/submitted").text
    assert "I want to withdraw this request" in page
    empty = manufacturer.post(f"/requests/{submitted}/withdraw", data={"withdraw-reason": ""})
    assert empty.status_code == 422 and "Say why you withdraw this request." in empty.text
    withdrawn = manufacturer.post(
        f"/requests/{submitted}/withdraw", data={"withdraw-reason": "The patient has recovered."}
    )
    assert withdrawn.status_code == 303
    assert status_of(app, submitted) == "withdrawn"
    page = manufacturer.get(f"/requests/{submitted}/submitted").text
    assert "Withdrawal of the request by the manufacturer" in page
    assert "The patient has recovered." in page
    again = manufacturer.post(
        f"/requests/{submitted}/withdraw", data={"withdraw-reason": "Once more."}
    )
    assert again.status_code == 409
    assert "A request can be withdrawn only before ANSM decides on it." in again.text
