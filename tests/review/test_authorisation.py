"""A global request is authorised with a cap on patients and follow-up conditions, which the
manufacturer sees; the authorisation expires when its period ends, on every page at once and
in the database when the daily command runs. The manufacturer may withdraw before a decision."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import select, update

from tests.invites.support import body_of
from tests.review.support import act, action_data, in_days, request_in, seen_on, status_of
from wizard import clock
from wizard.domain.lifecycle import Status
from wizard.domain.report_schedule import due_dates
from wizard.extensions import db
from wizard.models import AuditEvent, Decision, User


def test_a_global_authorisation_needs_a_cap_and_keeps_what_was_typed(
    app, reviewer, submitted_global
):
    act(reviewer, submitted_global, "start-review")
    page = reviewer.get(f"/review/requests/{submitted_global}").text
    # The cap is ANSM's to choose: the filing's estimate is said, not filled in.
    assert 'name="authorise-max_patients" value=""' in page
    assert "The manufacturer estimated 12." in page
    # So are the follow-up conditions: what the filing proposed is quoted beside the field.
    follow_up = page.split('id="authorise-follow_up"')[0].rsplit('class="quoted"', 1)[1]
    assert "Follow-up the manufacturer proposed" in follow_up
    assert "Monthly report to ANSM; registry of every implanted patient." in follow_up
    assert re.search(r'id="authorise-follow_up"[^>]*></textarea>', page)
    # And the indication: the decision states ANSM's words; the request's are quoted beside.
    indication = page.split('id="field-authorise-indication"')[0].rsplit('class="quoted"', 1)[1]
    assert "Indication the manufacturer asked for" in indication
    assert re.search(r'id="authorise-indication"[^>]*></textarea>', page)
    # Written in French, whatever the page's language: read in a French voice.
    assert re.search(r'id="authorise-indication"[^>]* lang="fr"[^>]*></textarea>', page)
    # So is it read back in the act's English part: in French, and said so.
    _typed, shown = read_back(reviewer, submitted_global)
    assert (
        'for the following indication: <span class="pre-line" lang="fr">'
        "Insuffisance cardiaque terminale de l’enfant de moins de 20 kg</span>."
    ) in html.unescape(shown.text)
    unworded = act(reviewer, submitted_global, "authorise", indication="")
    assert unworded.status_code == 422
    assert "Enter the indication ANSM authorises: the decision states it." in html.unescape(
        unworded.text
    )
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
    # The address the refused form leaves, opened again, is the request's page: nothing is
    # sent again.
    again = reviewer.get(f"/review/requests/{submitted_global}/authorise")
    assert again.status_code == 303
    assert again.location == f"/review/requests/{submitted_global}#action-authorise"
    assert "Enter the maximum number of patients" in refused.text
    assert "The last day of the period cannot be in the past." in refused.text
    assert "Registry of every implanted child." in refused.text
    assert 'id="action-authorise" open' in refused.text
    assert status_of(app, submitted_global) == "under_review"


def test_a_decision_is_read_back_before_it_is_signed_and_can_still_be_changed(
    app, reviewer, submitted_global
):
    act(reviewer, submitted_global, "start-review")
    url = f"/review/requests/{submitted_global}/authorise"
    typed = action_data("authorise", max_patients="8", follow_up="Registry of every child.")
    typed |= seen_on(reviewer, submitted_global)
    del typed["decision"]  # the form's own button; Enter in a date field sends the same
    shown = reviewer.post(url, data=typed)
    assert shown.status_code == 200 and "Check the decision before it is signed" in shown.text
    rows = dict(re.findall(r'summary-list__key">([^<]+)</dt>\s*<dd[^>]*>([^<]+)</dd>', shown.text))
    assert rows["Maximum number of patients"] == "8"
    assert rows["Follow-up conditions"] == "Registry of every child."  # given: not "optional"
    # Who signs it, as the PDF will state it.
    assert rows["Signed by"] == (
        "Claire Martin, Head of the medical devices division, for the Director General, by "
        "delegation"
    )
    assert 'name="authorise-max_patients" value="8"' in shown.text  # carried to the signature
    # And the act itself, worded as the signed PDF will word it.
    worded = shown.text.split('class="act-preview__document" lang="fr">')[1].split("</section>")[0]
    assert "Vu le règlement (UE) 2017/745" in worded and "Considérant ce qui suit" in worded
    assert "Article 1<sup>er</sup>" in worded and "est limité à 8." in worded
    assert "Registry of every child." in worded and "Claire Martin" in worded
    assert '<span class="en" lang="en">' in worded
    with app.app_context():
        assert db.session.scalars(select(Decision)).all() == []
    assert status_of(app, submitted_global) == "under_review"

    # The header's language switch sends the decision read back: the same page in French,
    # nothing signed (JavaScript off too; with it, never the link, which would lose it).
    switch = re.search(
        r'<button type="submit" form="decision-check" name="switch_language"[^>]*>', shown.text
    )
    assert switch and "data-href" not in switch.group(0)
    carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', shown.text))
    french = reviewer.post(url, data={**carried, "switch_language": "fr"})
    assert french.status_code == 200 and '<html lang="fr"' in french.text
    assert "Vérifiez la décision avant sa signature" in html.unescape(french.text)
    assert 'name="authorise-max_patients" value="8"' in french.text
    with app.app_context():
        assert db.session.scalars(select(Decision)).all() == []
    reviewer.post(url, data={**carried, "switch_language": "en"})  # back to English

    # "Change" goes back to the action's form, there on the page, even without JavaScript.
    assert f'value="change" formaction="{url}#action-authorise"' in shown.text
    changing = reviewer.post(url, data={**typed, "decision": "change"})
    assert changing.status_code == 200 and 'id="action-authorise" open' in changing.text
    assert 'name="authorise-max_patients" value="8"' in changing.text
    assert status_of(app, submitted_global) == "under_review"

    signed = reviewer.post(url, data={**typed, "decision": "sign"})
    assert signed.status_code == 303
    assert status_of(app, submitted_global) == "authorised"


@pytest.mark.parametrize(
    ("cap", "warned"), [("24", False), ("25", True), ("1200", True), ("", False)]
)
def test_a_cap_far_above_the_estimate_is_pointed_out_before_it_is_signed(
    app, reviewer, submitted_global, cap, warned
):
    """The manufacturer estimated 12 patients: 1 200 is likely a slip of the keyboard, said
    before signing; the reviewer may still mean it, and signs all the same."""
    act(reviewer, submitted_global, "start-review")
    url = f"/review/requests/{submitted_global}/authorise"
    typed = action_data("authorise", max_patients=cap) | seen_on(reviewer, submitted_global)
    del typed["decision"]
    shown = reviewer.post(url, data=typed)
    if not cap:  # no cap: refused, a global authorisation needs one
        assert shown.status_code == 422 and "is more than" not in shown.text
        return
    assert shown.status_code == 200 and "Check the decision before it is signed" in shown.text
    said = (
        f"The maximum number of patients, {cap}, is more than 2 times the manufacturer's "
        "estimate of 12. Check it before you sign."
    )
    assert (html.unescape(said) in html.unescape(shown.text)) is warned
    if warned:
        assert '<div class="notice notice--warning" role="note">' in shown.text
        signed = reviewer.post(url, data={**typed, "decision": "sign"})
        assert signed.status_code == 303 and status_of(app, submitted_global) == "authorised"


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
    # Its period starts tomorrow: said, not only its end, as if it ran already.
    start, end = (
        format_date(date.fromisoformat(in_days(days)), "long", locale="en_GB") for days in (1, 90)
    )
    assert f"From {start} to {end} inclusive" in dashboard
    page = manufacturer.get(f"/requests/{submitted_global}/submitted").text
    assert "Maximum number of patients" in page and ">8<" in page
    assert "Registry of every implanted child." in page
    assert f"/requests/{submitted_global}/decisions/1.pdf" in page
    assert "Withdraw this request" not in page  # decided: too late to withdraw
    # Global access: there is no other patient to file for.
    assert "To renew the authorisation, start a new request" in page
    assert "another patient" not in page

    today = clock.now()
    monkeypatch.setattr(clock, "now", lambda: today + timedelta(days=2))
    assert f"Until {end}" in manufacturer.get("/dashboard").text

    # The period ends: every page says "expired" before the daily command has run.
    ended = "The authorised period ended on " + end
    later = today + timedelta(days=92)
    monkeypatch.setattr(clock, "now", lambda: later)
    page = manufacturer.get(f"/requests/{submitted_global}/submitted").text
    assert 'tag--expired">Expired' in page and "This authorisation has expired" in page
    assert ended in page
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
    # Recorded, the history says the same: when the period ended, not when it was recorded.
    page = manufacturer.get(f"/requests/{submitted_global}/submitted").text
    assert page.count(ended) == 1
    last_day = format_date(date.fromisoformat(in_days(-2)), "long", locale="en_GB")
    assert f'history__date">{last_day}</span>' in page  # the day it ended, not the job's


def test_a_suspended_authorisation_expires_with_its_period(
    app, reviewer, manufacturer, submitted_global, monkeypatch, inbox
):
    """A suspension does not outlive the authorisation: once the period has ended, the
    request reads "expired" everywhere and the daily command records it. Its email says the
    authorisation was suspended (supply had stopped already) and names the report overdue
    (suspended once its period had begun: patients may have received the device)."""
    act(reviewer, submitted_global, "start-review")
    start, end = (date.fromisoformat(in_days(days)) for days in (0, 30))
    act(
        reviewer,
        submitted_global,
        "authorise",
        period_start=start.isoformat(),
        period_end=end.isoformat(),
        report_every="1",
    )
    assert act(reviewer, submitted_global, "suspend").status_code == 303
    assert status_of(app, submitted_global) == "suspended"

    later = clock.now() + timedelta(days=32)
    monkeypatch.setattr(clock, "now", lambda: later)
    page = manufacturer.get(f"/requests/{submitted_global}/submitted").text
    assert 'tag--expired">Expired' in page and "This authorisation has expired" in page
    assert "VentriAssist Mini" in reviewer.get("/review?status=expired").text
    assert "VentriAssist Mini" not in reviewer.get("/review?status=suspended").text
    reinstate = act(reviewer, submitted_global, "reinstate")
    assert reinstate.status_code == 409
    # Said before the decision is read back, not only once "Sign" is pressed.
    typed = action_data("reinstate") | seen_on(reviewer, submitted_global)
    del typed["decision"]  # the form's own button: read back first
    read_back = reviewer.post(f"/review/requests/{submitted_global}/reinstate", data=typed)
    assert read_back.status_code == 409
    assert "Its authorised period has ended: the manufacturer must file a new request." in (
        read_back.text
    )
    assert "Check the decision before it is signed" not in read_back.text

    result = app.test_cli_runner().invoke(args=["decisions", "expire"])
    assert "1 authorisation(s) expired." in result.output
    assert status_of(app, submitted_global) == "expired"
    expired = " ".join(body_of(inbox[-1]).split())
    assert "“VentriAssist Mini”, suspended by ANSM, has expired" in expired
    assert "before it was reinstated. For the device to be supplied by derogation again" in (
        expired
    )
    assert "go on being supplied" not in expired
    assert "The patients who received the device continue to be followed" in expired
    first_due = long_date(due_dates(start, end, 1)[0])
    assert (
        f"The follow-up report due by {first_due} has not reached ANSM: send it from the page "
        "of your request." in expired
    )


def test_the_manufacturer_withdraws_before_a_decision_and_not_after(
    app, reviewer, manufacturer, submitted
):
    page = manufacturer.get(f"/requests/{submitted}/submitted").text
    assert "I want to withdraw this request" in page
    withdraw_form = re.search(r'<form [^>]*/withdraw"[^>]*>', page).group(0)
    assert "data-submit-once" in withdraw_form  # one withdrawal, however many clicks
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
    assert "Nothing was done: this request is already withdrawn." in again.text
    assert "before ANSM decides" not in again.text  # ANSM decided nothing


def test_a_withdrawal_sent_once_authorised_keeps_its_reason_to_copy_and_says_what_to_do(
    app, reviewer, manufacturer, submitted
):
    """The page opened before ANSM authorised the request: the withdrawal is refused, the
    reason typed is shown to copy, and the way to ask for the authorisation's end is said."""
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "authorise")
    late = manufacturer.post(
        f"/requests/{submitted}/withdraw", data={"withdraw-reason": "The patient has died."}
    )
    assert late.status_code == 409
    page = " ".join(html.unescape(late.text).split())
    assert "A request can be withdrawn only before ANSM decides on it." in page
    assert (
        "To ask ANSM to end the authorisation, send a follow-up report and tick “I ask ANSM "
        "to end this authorisation”." in page
    )
    assert "What you typed" in page and "The patient has died." in page
    assert status_of(app, submitted) == "authorised"
    # Refused, nothing to end: the reason is still shown, with no such advice.
    act(reviewer, submitted, "suspend")
    act(reviewer, submitted, "withdraw")
    ended = manufacturer.post(
        f"/requests/{submitted}/withdraw", data={"withdraw-reason": "No longer needed."}
    )
    page = " ".join(html.unescape(ended.text).split())
    assert ended.status_code == 409 and "No longer needed." in page
    assert "To ask ANSM to end the authorisation" not in page


def field_block(page: str, field_id: str) -> str:
    """The HTML of one field: its label, hint, error and input."""
    match = re.search(
        rf'<div class="field[^"]*" id="field-{field_id}"[^>]*>(.*?)\n</div>', page, re.S
    )
    assert match, field_id
    return match.group(1)


def test_the_period_starts_today_at_the_earliest_and_ends_by_the_day_asked_for(
    app, reviewer, manufacturer, submitted
):
    # The sample request asks for the period from 10 to 200 days from now.
    asked_from, asked_until = clock.today() + timedelta(10), clock.today() + timedelta(200)
    act(reviewer, submitted, "start-review")
    page = reviewer.get(f"/review/requests/{submitted}").text
    assert (
        f"The manufacturer asked for {long_date(asked_from)} to {long_date(asked_until)}."
        in field_block(page, "authorise-period_start")
    )
    assert f"{long_date(asked_until)} at the latest" in field_block(page, "authorise-period_end")

    # A signed decision cannot be corrected: a period from years ago to years beyond what was
    # asked is refused before anything is signed, each date with its own message.
    refused = act(
        reviewer, submitted, "authorise", period_start="2020-01-01", period_end="2040-12-01"
    )
    assert refused.status_code == 422
    too_early = "The first day of the period cannot be in the past: enter today or later."
    too_late = (
        f"The last day cannot be after {long_date(asked_until)}, the last day the manufacturer "
        "asked for: ANSM may authorise a shorter period, not a longer one."
    )
    assert too_early in field_block(refused.text, "authorise-period_start")
    assert too_late in field_block(refused.text, "authorise-period_end")
    summary = refused.text.split('class="error-summary__list"')[1].split("</ul>")[0]
    assert f'<a href="#authorise-period_start">{too_early}</a>' in summary
    assert f'<a href="#authorise-period_end">{too_late}</a>' in summary
    assert 'value="2020-01-01"' in refused.text and 'value="2040-12-01"' in refused.text
    assert 'id="action-authorise" open' in refused.text
    one_day_more = act(reviewer, submitted, "authorise", period_end=in_days(201))
    assert one_day_more.status_code == 422 and too_late in one_day_more.text
    assert status_of(app, submitted) == "under_review"
    assert "/decisions/1.pdf" not in manufacturer.get(f"/requests/{submitted}/submitted").text

    # Sooner than asked (from today) and up to the last day asked for is ANSM's to decide.
    authorised = act(reviewer, submitted, "authorise", period_start=in_days(0))
    assert authorised.status_code == 303
    page = manufacturer.get(f"/requests/{submitted}/submitted").text
    assert f"From {long_date(clock.today())} to {long_date(asked_until)} inclusive" in page


def long_date(day) -> str:
    return format_date(day, "long", locale="en_GB")


def test_a_period_asked_for_that_has_ended_is_said_once_not_as_two_contradictions(
    app, reviewer, submitted, monkeypatch
):
    """A year later, the 10-to-200-days period asked for is over: no dates can be right, and
    the reviewer is told so, with what to do instead, rather than two rules that clash."""
    act(reviewer, submitted, "start-review")
    asked_until = clock.today() + timedelta(200)
    later = datetime.combine(clock.today() + timedelta(365), time(9), tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: later)
    over = (
        f"The period the manufacturer asked for ended on {long_date(asked_until)}: it can no "
        "longer be authorised (its answers cannot change). Ask the manufacturer whether it "
        "withdraws the request (“Ask for more information”): a request it withdraws needs no "
        "decision. Otherwise, refuse it. Either way, it can file a new request for a new period."
    )
    page = html.unescape(reviewer.get(f"/review/requests/{submitted}").text)
    panel = page[page.index('id="action-authorise"') :]
    panel = panel[: panel.index("</details>")]
    assert over in panel and "<form" not in panel  # what to do instead, not a form
    # A page opened before, sent: refused, saying the same beside the date.
    refused = act(
        reviewer, submitted, "authorise", period_start=in_days(365), period_end=in_days(400)
    )
    assert refused.status_code == 422
    assert over in html.unescape(field_block(refused.text, "authorise-period_start"))
    assert "cannot be after" not in refused.text and "cannot be in the past" not in refused.text
    assert status_of(app, submitted) == "under_review"


def test_the_two_withdrawals_read_apart(app, reviewer, manufacturer, user):
    """A manufacturer withdrawing its request and ANSM withdrawing an authorisation both end
    "withdrawn": every page says which it was."""
    with app.app_context():
        by_manufacturer = request_in(user[0], Status.SUBMITTED)
        by_ansm = request_in(user[0], Status.AUTHORISED)
    data = {"withdraw-reason": "The patient has recovered."}
    assert manufacturer.post(f"/requests/{by_manufacturer}/withdraw", data=data).status_code == 303
    assert act(reviewer, by_ansm, "withdraw").status_code == 303
    queue = reviewer.get("/review?status=withdrawn").text
    assert "Request withdrawn" in queue and "Authorisation withdrawn by ANSM" in queue
    dashboard = manufacturer.get("/dashboard").text
    assert "Request withdrawn" in dashboard and "Authorisation withdrawn by ANSM" in dashboard
    page = manufacturer.get(f"/requests/{by_ansm}/submitted").text
    assert "Authorisation withdrawn by ANSM" in page
    review_page = reviewer.get(f"/review/requests/{by_manufacturer}").text
    assert "Request withdrawn" in review_page
    # Listed as the withdrawal it is, not among decisions.
    assert '<a href="#decisions-title">Withdrawal of the request</a>' in review_page
    assert 'id="decisions-title">Withdrawal of the request</h2>' in review_page
    by_ansm_page = reviewer.get(f"/review/requests/{by_ansm}").text
    assert 'id="decisions-title">Decisions</h2>' in by_ansm_page
    # The audit trail too; ANSM's withdrawal is a decision, named by its number.
    assert "Status: Submitted → Request withdrawn" in review_page
    assert "Request withdrawn: decision" not in review_page  # the manufacturer's: no decision
    assert "Status: Authorised → Authorisation withdrawn by ANSM: decision no. 2" in by_ansm_page
    # Refused actions name the status as the pages do.
    refused = act(reviewer, by_ansm, "suspend", reason="Late reports.")
    assert refused.status_code == 409
    assert "is not possible: the request is “Authorisation withdrawn by ANSM”." in " ".join(
        refused.text.split()
    )
    again = manufacturer.post(f"/requests/{by_ansm}/withdraw", data=data, follow_redirects=True)
    assert "the request is “Authorisation withdrawn by ANSM”." in " ".join(again.text.split())


def test_the_decision_read_back_shows_only_what_will_be_signed(app, reviewer, submitted_global):
    act(reviewer, submitted_global, "start-review")
    assert act(reviewer, submitted_global, "authorise").status_code == 303
    typed = action_data("suspend", observations_invited_on=in_days(-3))  # then: urgent
    typed |= seen_on(reviewer, submitted_global)
    del typed["decision"]
    shown = reviewer.post(f"/review/requests/{submitted_global}/suspend", data=typed)
    assert shown.status_code == 200 and "Check the decision before it is signed" in shown.text
    read_back = shown.text.split('class="summary-list"')[1].split("</dl>")[0]
    assert "Urgent" in read_back
    assert "Date the manufacturer was invited" not in read_back  # not part of an urgent one
    assert "data-submit-once" in shown.text  # one decision, however many clicks


def test_a_reviewer_without_a_job_title_decides_nothing(app, reviewer, submitted_global):
    """A decision states its author's name and function (CRPA L. 212-1)."""
    act(reviewer, submitted_global, "start-review")
    with app.app_context():
        db.session.execute(update(User).where(User.role == "reviewer").values(job_title=None))
        db.session.commit()
    # Said before a decision is written, not after.
    page = reviewer.get(f"/review/requests/{submitted_global}").text
    assert "You cannot sign decisions yet" in page
    url = f"/review/requests/{submitted_global}/refuse"
    signing = action_data("refuse") | seen_on(reviewer, submitted_global)
    reading_back = {k: v for k, v in signing.items() if k != "decision"}
    for data in (reading_back, signing):  # neither read back nor signed
        refused = reviewer.post(url, data=data)
        assert refused.status_code == 409
        assert "your account has none. Ask the portal's administrators" in refused.text
        assert "Alternatives exist." in refused.text  # what was typed is kept
    assert status_of(app, submitted_global) == "under_review"
    with app.app_context():
        assert db.session.scalars(select(Decision)).all() == []


def follow_up_row(page: str) -> str:
    row = re.search(r"<dt>Follow-up conditions</dt>\s*<dd[^>]*>(.*?)</dd>", page, re.S)
    return row.group(1).strip()


def test_without_follow_up_conditions_the_page_names_only_the_conditions_it_shows(
    app, reviewer, manufacturer, submitted, submitted_global
):
    """A global authorisation has a cap on patients, shown above its follow-up; an individual
    one has none, so nothing but the period is above to point to."""
    for dossier_id in (submitted, submitted_global):
        act(reviewer, dossier_id, "start-review")
        authorised = act(reviewer, dossier_id, "authorise", follow_up=None, max_patients="8")
        assert authorised.status_code == 303, dossier_id
    for client, page in (
        (reviewer, "/review/requests/{}"),
        (manufacturer, "/requests/{}/submitted"),
    ):
        individual = client.get(page.format(submitted)).text
        assert "Maximum number of patients" not in individual
        assert follow_up_row(individual) == "None besides the period."
        capped = client.get(page.format(submitted_global)).text
        assert "Maximum number of patients" in capped
        assert follow_up_row(capped) == (
            "None besides the period and the maximum number of patients."
        )


def test_a_large_cap_on_patients_is_written_as_each_language_groups_its_digits(
    reviewer, manufacturer, submitted_global
):
    act(reviewer, submitted_global, "start-review")
    authorised = act(reviewer, submitted_global, "authorise", max_patients="12000")
    assert authorised.status_code == 303
    row = r"<dt>{}</dt>\s*<dd>([^<]+)</dd>"
    for client, page in (
        (reviewer, f"/review/requests/{submitted_global}"),
        (manufacturer, f"/requests/{submitted_global}/submitted"),
    ):
        english = client.get(page, headers={"Accept-Language": "en"}).text
        assert re.search(row.format("Maximum number of patients"), english).group(1) == "12,000"
        french = client.get(page, headers={"Accept-Language": "fr"}).text
        maximum = re.search(row.format("Nombre maximal de patients"), french).group(1)
        assert maximum == "12\u202f000"
    dashboard = manufacturer.get("/dashboard", headers={"Accept-Language": "en"}).text
    assert "at most 12,000 patients" in dashboard
    dashboard = manufacturer.get("/dashboard", headers={"Accept-Language": "fr"}).text
    assert "12\u202f000 patients au maximum" in dashboard


AUTHORISE = "/review/requests/{}/authorise"


def read_back(reviewer, dossier_id: int, **fields):
    """An authorisation as the reviewer types it, sent to be read back (not signed): what
    was typed, and the read-back page."""
    typed = action_data("authorise", **fields) | seen_on(reviewer, dossier_id)
    del typed["decision"]
    shown = reviewer.post(AUTHORISE.format(dossier_id), data=typed)
    assert shown.status_code == 200 and "Check the decision before it is signed" in shown.text
    return typed, shown


@pytest.mark.parametrize(("start", "warned"), [(30, False), (31, True)])
def test_an_individual_authorisation_starting_after_the_patients_need_is_pointed_out(
    app, reviewer, submitted, start, warned
):
    """The patient needs the device in 30 days: a period starting later is of no use to
    them unless the reviewer means it, said before signing (and signed all the same)."""
    act(reviewer, submitted, "start-review")
    typed, shown = read_back(reviewer, submitted, period_start=in_days(start))
    said = (
        f"The authorisation would start on {long_date(date.fromisoformat(in_days(start)))}, "
        "after the date the patient needs the device by, "
        f"{long_date(date.fromisoformat(in_days(30)))}. Check it before you sign."
    )
    assert (said in html.unescape(shown.text)) is warned
    if warned:
        signed = reviewer.post(AUTHORISE.format(submitted), data={**typed, "decision": "sign"})
        assert signed.status_code == 303 and status_of(app, submitted) == "authorised"


@pytest.mark.parametrize(("end", "warned"), [(30, False), (29, True)])
def test_an_individual_authorisation_ending_before_the_patients_need_is_pointed_out(
    app, reviewer, submitted, end, warned
):
    """The request's period had to include the day the patient needs the device by (in 30
    days): one that ends before it is said before signing, as one starting after it."""
    act(reviewer, submitted, "start-review")
    _typed, shown = read_back(
        reviewer, submitted, period_start=in_days(10), period_end=in_days(end)
    )
    said = (
        f"The authorisation would end on {long_date(date.fromisoformat(in_days(end)))}, "
        "before the date the patient needs the device by, "
        f"{long_date(date.fromisoformat(in_days(30)))}. Check it before you sign."
    )
    assert (said in html.unescape(shown.text)) is warned
    assert "would start on" not in shown.text


@pytest.mark.parametrize(("start", "warned"), [(10, False), (9, True)])
def test_an_authorisation_starting_before_the_first_day_asked_for_is_pointed_out(
    app, reviewer, submitted_global, start, warned
):
    """The manufacturer asked from 10 days on: ANSM may start sooner (a procedure brought
    forward), but the period is then longer than asked, said before signing, and signed all
    the same."""
    act(reviewer, submitted_global, "start-review")
    typed, shown = read_back(reviewer, submitted_global, period_start=in_days(start))
    said = (
        f"The authorisation would start on {long_date(date.fromisoformat(in_days(start)))}, "
        f"before {long_date(date.fromisoformat(in_days(10)))}, the first day the manufacturer "
        "asked for: the period would be longer than asked. Check it before you sign."
    )
    assert (said in html.unescape(shown.text)) is warned
    if warned:
        signed = reviewer.post(
            AUTHORISE.format(submitted_global), data={**typed, "decision": "sign"}
        )
        assert signed.status_code == 303 and status_of(app, submitted_global) == "authorised"


def test_a_period_asked_for_that_ends_today_can_be_authorised_for_today(
    app, reviewer, manufacturer, submitted, monkeypatch
):
    """The last day asked for is today: one day, today, is the period left to authorise (the
    last day is included), not a rule that no date can meet."""
    act(reviewer, submitted, "start-review")
    last_day = clock.today() + timedelta(200)
    monkeypatch.setattr(clock, "now", lambda: datetime.combine(last_day, time(9), tzinfo=UTC))
    today = last_day.isoformat()
    backwards = act(
        reviewer,
        submitted,
        "authorise",
        period_start=today,
        period_end=(last_day - timedelta(1)).isoformat(),
    )
    assert backwards.status_code == 422
    assert "The last day cannot be before the first day of the period." in backwards.text
    authorised = act(reviewer, submitted, "authorise", period_start=today, period_end=today)
    assert authorised.status_code == 303 and status_of(app, submitted) == "authorised"
    page = manufacturer.get(f"/requests/{submitted}/submitted").text
    assert f"From {long_date(last_day)} to {long_date(last_day)} inclusive" in page


def test_the_authorise_form_of_an_individual_request_says_when_the_patient_needs_the_device(
    app, reviewer, submitted, submitted_global
):
    """The day the patient needs the device by is said beside the period, as the period
    asked for is, so that the reviewer chooses the period knowing it (not only on the
    read-back); a global request has no such day."""
    act(reviewer, submitted, "start-review")
    page = " ".join(html.unescape(reviewer.get(f"/review/requests/{submitted}").text).split())
    needed = long_date(date.fromisoformat(in_days(30)))
    assert f"The patient needs the device by {needed}." in page
    act(reviewer, submitted_global, "start-review")
    page = reviewer.get(f"/review/requests/{submitted_global}").text
    assert "The patient needs the device by" not in page


@pytest.mark.parametrize(
    ("every", "days", "dates"),
    [
        (
            "6",
            90,
            "Every 6 months chosen: over this period, one report only, by {0}, its last day.",
        ),
        ("1", 80, "Every month: by {0}, {1}, {2} (the last on the period's last day)."),
    ],
    ids=["period-shorter", "monthly"],
)
def test_the_read_back_gives_the_report_dates_and_the_cap_as_the_act_states_them(
    app, reviewer, submitted_global, every, days, dates
):
    """ "Every 6 months" over a period of three asks one report, on its last day, as the act
    says: so does the read-back. The cap is grouped as the act groups it."""
    act(reviewer, submitted_global, "start-review")
    start, end = date.fromisoformat(in_days(10)), date.fromisoformat(in_days(10 + days))
    _, shown = read_back(
        reviewer,
        submitted_global,
        period_start=start.isoformat(),
        period_end=end.isoformat(),
        report_every=every,
        max_patients="12000",
    )
    rows = dict(re.findall(r'summary-list__key">([^<]+)</dt>\s*<dd[^>]*>([^<]+)</dd>', shown.text))
    due = due_dates(start, end, int(every))
    assert html.unescape(rows["Follow-up reports at set dates"]) == dates.format(
        *(long_date(day) for day in due)
    )
    assert rows["Maximum number of patients"] == "12,000"


@pytest.mark.parametrize(("end", "warned"), [(150, False), (151, True)])
def test_an_authorisation_ending_after_the_expected_ce_marking_is_pointed_out(
    app, reviewer, user, end, warned
):
    """The manufacturer expects CE marking in 150 days: a period running past it is said
    before signing (the device then needs no derogation), and may be signed all the same."""
    from tests.conftest import dossier_with

    with app.app_context():
        dossier_id = dossier_with(
            user[0],
            "global",
            submit=True,
            changes={"certification": {"expected_ce_date": in_days(150)}},
        )
    act(reviewer, dossier_id, "start-review")
    typed, shown = read_back(reviewer, dossier_id, period_start=in_days(1), period_end=in_days(end))
    said = (
        f"The authorisation would end on {long_date(date.fromisoformat(in_days(end)))}, after "
        f"{long_date(date.fromisoformat(in_days(150)))}, the date the manufacturer expects CE "
        "marking (path to certification). Once CE marked, the device needs no derogation. "
        "Check the end before you sign."
    )
    assert (said in " ".join(html.unescape(shown.text).split())) is warned
    if warned:
        signed = reviewer.post(AUTHORISE.format(dossier_id), data={**typed, "decision": "sign"})
        assert signed.status_code == 303 and status_of(app, dossier_id) == "authorised"


def test_an_authorisation_asking_no_follow_up_is_pointed_out(app, reviewer, submitted_global):
    """No follow-up conditions and no report dates: said before signing (it may be meant)."""
    act(reviewer, submitted_global, "start-review")
    said = "This authorisation sets no follow-up conditions and asks no report at set dates"
    _typed, bare = read_back(reviewer, submitted_global, follow_up="")
    assert said in html.unescape(bare.text)
    _typed, followed = read_back(reviewer, submitted_global)  # with conditions
    assert said not in html.unescape(followed.text)
    _typed, dated = read_back(reviewer, submitted_global, follow_up="", report_every="6")
    assert said not in html.unescape(dated.text)


def test_the_authorised_indication_written_in_french_is_read_as_french_on_english_pages(
    app, reviewer, manufacturer, submitted_global
):
    """Its field asks for it in French, as the act states it: a screen reader reads it with a
    French voice on an English page (WCAG 3.1.2), the read-back, the request's pages."""
    indication = "Insuffisance cardiaque terminale de l’enfant de moins de 20 kg."
    act(reviewer, submitted_global, "start-review")
    typed = action_data("authorise", indication=indication) | seen_on(reviewer, submitted_global)
    del typed["decision"]
    shown = reviewer.post(f"/review/requests/{submitted_global}/authorise", data=typed)
    read_back = html.unescape(shown.text.split('class="summary-list"')[1].split("</dl>")[0])
    assert f'<span lang="fr">{indication}</span>' in read_back
    assert act(reviewer, submitted_global, "authorise", indication=indication).status_code == 303
    for page in (
        manufacturer.get(f"/requests/{submitted_global}/submitted").text,
        reviewer.get(f"/review/requests/{submitted_global}").text,
    ):
        assert f'<dd class="pre-line" lang="fr">{indication}</dd>' in html.unescape(page)


def test_a_reviewer_without_a_delegation_of_signature_decides_nothing(
    app, reviewer, submitted_global
):
    """A reviewer signs "for the Director General, by delegation" only if the administrators
    recorded the act that delegates it (which the decision then cites)."""
    act(reviewer, submitted_global, "start-review")
    with app.app_context():
        db.session.execute(
            update(User).where(User.role == "reviewer").values(signing_delegation=None)
        )
        db.session.commit()
    page = " ".join(
        html.unescape(reviewer.get(f"/review/requests/{submitted_global}").text).split()
    )
    assert "You hold no delegation to sign ANSM's decisions on these requests" in page
    # Nobody holds one (an upgrade, say): every reviewer's queue says so, before any decision.
    nobody = "Nobody can sign ANSM's decisions on these requests yet"
    assert nobody in html.unescape(reviewer.get("/review").text)
    url = f"/review/requests/{submitted_global}/refuse"
    signing = action_data("refuse") | seen_on(reviewer, submitted_global)
    reading_back = {k: v for k, v in signing.items() if k != "decision"}
    for data in (reading_back, signing):  # neither read back nor signed
        refused = reviewer.post(url, data=data)
        assert refused.status_code == 409
        assert "you hold no delegation to sign ANSM's decisions" in html.unescape(refused.text)
        assert "Alternatives exist." in refused.text  # what was typed is kept
    assert status_of(app, submitted_global) == "under_review"
    with app.app_context():
        assert db.session.scalars(select(Decision)).all() == []
    # Recorded by the administrators: signed, and cited.
    with app.app_context():
        email = db.session.scalar(select(User.email).where(User.role == "reviewer"))
    given = app.test_cli_runner().invoke(
        args=["set-reviewer-delegation", email, "décision DG n° 2026-40 du 2 mars 2026"]
    )
    assert given.exit_code == 0, given.output
    assert nobody not in html.unescape(reviewer.get("/review").text)
    assert act(reviewer, submitted_global, "refuse").status_code == 303
    with app.app_context():
        [decision] = db.session.scalars(select(Decision)).all()
        assert decision.record["decided_by"]["delegation"] == (
            "décision DG n° 2026-40 du 2 mars 2026"
        )
    withdrawn = app.test_cli_runner().invoke(args=["set-reviewer-delegation", email, "--none"])
    assert withdrawn.exit_code == 0 and "no longer signs decisions" in withdrawn.output
    with app.app_context():
        assert db.session.scalar(select(User.signing_delegation).where(User.email == email)) is None


def test_a_global_authorisation_names_the_health_establishments_ansm_keeps(
    app, inbox, reviewer, manufacturer, submitted_global
):
    """Where the device may be used under it: the request's list, filled in, which ANSM may
    narrow; its act, its pages and its email name those it kept, in French."""
    act(reviewer, submitted_global, "start-review")
    page = html.unescape(reviewer.get(f"/review/requests/{submitted_global}").text)
    assert re.search(
        r'id="authorise-establishments"[^>]* lang="fr"[^>]*>\n?'
        r"Hôpital Necker-Enfants malades, Paris\r?\nHôpital Louis Pradel, Lyon</textarea>",
        page,
    )
    for typed, said in (
        ("", "Enter the health establishments where the device may be used: the decision "),
        (
            "Hôpital Necker, Paris FINESS 750100092",
            "Line 1: “750100092” is not a valid FINESS number",
        ),
    ):
        refused = act(reviewer, submitted_global, "authorise", establishments=typed)
        assert refused.status_code == 422
        assert said in html.unescape(refused.text)
        # What else was typed is kept.
        assert re.search(r'id="authorise-indication"[^>]*>\n?Insuffisance cardiaque', refused.text)

    kept = "Hôpital Necker-Enfants malades, Paris FINESS 750100091"
    _typed, shown = read_back(reviewer, submitted_global, establishments=kept)
    shown = html.unescape(shown.text)
    assert f'<span lang="fr">{kept}</span>' in shown
    assert (
        "ne peut être utilisé à ce titre que dans les établissements de santé suivants\u202f:"
    ) in shown
    assert re.search(rf'<ul class="establishments" lang="fr">\s*<li>{kept}</li>\s*</ul>', shown)

    before = seen_on(reviewer, submitted_global)
    assert act(reviewer, submitted_global, "authorise", establishments=kept).status_code == 303
    # Sent again (a double click) from a page of an earlier version, without the field: said,
    # not a 500.
    again = action_data("authorise") | before
    del again["authorise-establishments"]
    assert reviewer.post(AUTHORISE.format(submitted_global), data=again).status_code < 500
    for page in (
        manufacturer.get(f"/requests/{submitted_global}/submitted").text,
        reviewer.get(f"/review/requests/{submitted_global}").text,
    ):
        page = html.unescape(page)
        assert "Authorised health establishments" in page
        assert f'<dd class="pre-line" lang="fr">{kept}</dd>' in page
    with app.app_context():
        [decision] = db.session.scalars(
            select(Decision).where(Decision.dossier_id == submitted_global)
        ).all()
        assert decision.record["authorisation"]["establishments"] == kept
    body = body_of(inbox.to("claire@cardiotech.example")[-1]).replace("\r\n", "\n")
    assert f"Authorised health establishments:\n\n    {kept}\n" in body
