"""ANSM suspends or withdraws an authorisation: the signed decision states how the manufacturer
was heard, so that must be something that could have happened (CRPA L. 121-1, L. 122-1): an
invitation after the authorisation it concerns, or after its reinstatement, and a time given
that has run out. Every page, email and the receipt check then say what happened, and when."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from babel.dates import format_date

from tests.conftest import login, make_colleague
from tests.invites.support import body_of
from tests.review.support import act, dossier, in_days, request_in, status_of
from tests.review.test_authorisation import field_block
from tests.review.test_decision_pdf import check
from wizard import clock
from wizard.domain.lifecycle import Status
from wizard.review.status import authorisation_of


def long_date(day) -> str:
    return format_date(day, "long", locale="en_GB")


def later(monkeypatch, days: int) -> None:
    """`days` pass."""
    moment = clock.now() + timedelta(days=days)
    monkeypatch.setattr(clock, "now", lambda: moment)


def summary(page: str) -> str:
    """The error summary at the top of the page."""
    return re.search(r'<div class="error-summary".*?</div>', page, re.S).group(0)


def heard(**fields) -> dict:
    return {"procedure": "observations", "observations_received": "yes", **fields}


def authorised_days_ago(reviewer, dossier_id: int, monkeypatch, days: int):
    """Authorised today, then `days` pass: the day it was signed."""
    act(reviewer, dossier_id, "start-review")
    assert act(reviewer, dossier_id, "authorise", period_start=in_days(0)).status_code == 303
    signed_on = clock.today()
    later(monkeypatch, days)
    return signed_on


def test_an_invitation_before_the_authorisation_was_signed_is_refused(
    app, reviewer, submitted_global, monkeypatch
):
    signed_on = authorised_days_ago(reviewer, submitted_global, monkeypatch, 20)
    page = reviewer.get(f"/review/requests/{submitted_global}").text
    hint = (
        f"If the manufacturer was invited first: a date from {long_date(signed_on)}, the day "
        "the authorisation was signed, to today."
    )
    assert hint in field_block(page, "suspend-observations_invited_on")
    # Asked only if it was invited (app.js shows it then; every question shows without it).
    for question in ("observations_invited_on", "observations_received"):
        shown_when = (
            f'id="field-suspend-{question}" data-shown-when="suspend-procedure" '
            'data-shown-values="observations"'
        )
        assert shown_when in page
    # Without the script, both say when they apply.
    received = field_block(page, "suspend-observations_received")
    assert "Only if the manufacturer was first invited to present its observations." in received

    before = act(
        reviewer, submitted_global, "suspend", **heard(observations_invited_on=in_days(-21))
    )
    assert before.status_code == 422
    said = (
        f"The invitation cannot be before {long_date(signed_on)}, the day the authorisation was "
        "signed: the manufacturer cannot have been heard on a measure against it before it existed."
    )
    assert said in field_block(before.text, "suspend-observations_invited_on")
    assert said in summary(before.text)
    assert "Serious incident under investigation." in before.text  # what was typed is kept
    assert status_of(app, submitted_global) == "authorised"

    # Invited the day it was signed: heard.
    on_the_day = heard(observations_invited_on=in_days(-20))
    assert act(reviewer, submitted_global, "suspend", **on_the_day).status_code == 303
    # The same invitation may announce the withdrawal too: the suspension does not move the
    # earliest day (a reinstatement does, below).
    assert act(reviewer, submitted_global, "withdraw", **on_the_day).status_code == 303
    assert status_of(app, submitted_global) == "withdrawn"


def test_after_a_reinstatement_the_manufacturer_is_invited_anew(
    app, reviewer, submitted_global, monkeypatch
):
    authorised_days_ago(reviewer, submitted_global, monkeypatch, 10)
    act(reviewer, submitted_global, "suspend")  # urgent
    later(monkeypatch, 10)
    assert act(reviewer, submitted_global, "reinstate").status_code == 303
    reinstated_on = clock.today()
    later(monkeypatch, 10)
    page = reviewer.get(f"/review/requests/{submitted_global}").text
    hint = (
        f"If the manufacturer was invited first: a date from {long_date(reinstated_on)}, the "
        "day the authorisation was reinstated, to today."
    )
    assert hint in field_block(page, "withdraw-observations_invited_on")

    # Invited after the authorisation, but before its reinstatement.
    before = act(reviewer, submitted_global, "withdraw", observations_invited_on=in_days(-15))
    assert before.status_code == 422
    said = (
        f"The invitation cannot be before {long_date(reinstated_on)}, the day the authorisation "
        "was reinstated: a measure after the reinstatement needs an invitation made after it."
    )
    assert said in field_block(before.text, "withdraw-observations_invited_on")
    assert said in summary(before.text)
    assert (
        act(
            reviewer, submitted_global, "withdraw", observations_invited_on=in_days(-10)
        ).status_code
        == 303
    )


def test_no_observations_in_the_time_given_cannot_be_said_on_the_day_of_the_invitation(
    app, reviewer, manufacturer, submitted_global, monkeypatch
):
    authorised_days_ago(reviewer, submitted_global, monkeypatch, 20)
    same_day = act(
        reviewer,
        submitted_global,
        "withdraw",
        observations_invited_on=in_days(0),
        observations_received="no",
    )
    assert same_day.status_code == 422
    said = (
        "The manufacturer was invited today: the time it was given to present its "
        "observations cannot have ended yet. Wait until it has, or answer “Yes” if it has "
        "already presented them."
    )
    assert said in field_block(same_day.text, "withdraw-observations_received")
    assert said in summary(same_day.text)
    assert status_of(app, submitted_global) == "authorised"

    # Observations may come the day they were invited; and a day later, the time given may be over.
    answered = act(
        reviewer, submitted_global, "suspend", **heard(observations_invited_on=in_days(0))
    )
    assert answered.status_code == 303
    silent = act(
        reviewer,
        submitted_global,
        "withdraw",
        observations_invited_on=in_days(-1),
        observations_received="no",
    )
    assert silent.status_code == 303
    page = manufacturer.get(f"/requests/{submitted_global}/submitted").text
    assert "to present its observations, and presented none in the time given." in page


def test_the_conditions_say_since_when_they_are_suspended_or_withdrawn(
    app, reviewer, manufacturer, submitted_global, monkeypatch
):
    authorised_days_ago(reviewer, submitted_global, monkeypatch, 3)
    act(reviewer, submitted_global, "suspend")
    suspended_on = long_date(clock.today())
    for page in (
        reviewer.get(f"/review/requests/{submitted_global}").text,
        manufacturer.get(f"/requests/{submitted_global}/submitted").text,
    ):
        conditions = re.search(r'id="conditions-title".*?</section>', page, re.S).group(0)
        assert "Authorised period" in conditions
        assert f"Suspended since {suspended_on} at " in conditions and "(decision 2)" in conditions
    later(monkeypatch, 2)
    act(reviewer, submitted_global, "reinstate")
    page = reviewer.get(f"/review/requests/{submitted_global}").text
    assert "Suspended since" not in page  # in force again
    # The manufacturer's history says it was reinstated, not only "Authorised" again.
    own = manufacturer.get(f"/requests/{submitted_global}/submitted").text
    history = own.split('id="history-title"')[1].split("</section>")[0]
    assert "ANSM reinstated the authorisation.\nInvestigation closed." in html.unescape(history)
    later(monkeypatch, 2)
    act(reviewer, submitted_global, "withdraw")
    withdrawn_on = long_date(clock.today())
    for page in (
        reviewer.get(f"/review/requests/{submitted_global}").text,
        manufacturer.get(f"/requests/{submitted_global}/submitted").text,
    ):
        conditions = re.search(r'id="conditions-title".*?</section>', page, re.S).group(0)
        assert f"Withdrawn on {withdrawn_on} at " in conditions and "(decision 4)" in conditions
        assert "Suspended since" not in conditions
    # Withdrawn: nothing to renew; a new request may still be started from this one.
    page = manufacturer.get(f"/requests/{submitted_global}/submitted").text
    assert "To renew the authorisation" not in page
    assert "To file again for this device, start a new request" in page


def test_the_two_withdrawals_are_emailed_and_checked_apart(
    app, inbox, reviewer, manufacturer, user
):
    with app.app_context():
        by_manufacturer = request_in(user[0], Status.SUBMITTED)
        by_ansm = request_in(user[0], Status.AUTHORISED)
        references = dossier(by_manufacturer).reference, dossier(by_ansm).reference
    # The reason is emailed back: the form says so before it is written.
    form = " ".join(manufacturer.get(f"/requests/{by_manufacturer}/submitted").text.split())
    assert (
        "the email confirming the withdrawal repeats it to those who started and submitted the "
        "request and to its contact person: emails are not encrypted, leave out any patient's "
        "identity." in html.unescape(form)
    )
    data = {"withdraw-reason": "The patient has recovered."}
    assert manufacturer.post(f"/requests/{by_manufacturer}/withdraw", data=data).status_code == 303
    own = inbox.to("claire@cardiotech.example")[-1]
    assert own["Subject"].split(" / ")[-1] == f"Request {references[0]} is withdrawn"
    # Theirs, not ANSM's: their reason, and the record of it.
    said = " ".join(body_of(own).split())
    assert "is withdrawn, as you asked" in said
    assert "Your reason: The patient has recovered." in said
    assert "The signed record of your withdrawal (PDF) is on the page" in said
    assert "The signed decision" not in said and "Grounds given" not in said
    assert act(reviewer, by_ansm, "withdraw").status_code == 303
    ansm = inbox.to("claire@cardiotech.example")[-1]
    assert own["Subject"] != ansm["Subject"]
    assert ansm["Subject"].split(" / ")[-1] == (
        f"ANSM has withdrawn the authorisation of request {references[1]}"
    )
    assert "ANSM has withdrawn the authorisation of your request" in body_of(ansm)

    # Whoever holds either decision reads which withdrawal it was.
    own_pdf = manufacturer.get(f"/requests/{by_manufacturer}/decisions/1.pdf").data
    ansm_pdf = manufacturer.get(f"/requests/{by_ansm}/decisions/2.pdf").data
    verifier = app.test_client()
    assert "Request withdrawn" in check(verifier, own_pdf)
    checked = check(verifier, ansm_pdf)
    assert "Authorisation withdrawn by ANSM" in checked and "Request withdrawn" not in checked


def page_notice(manufacturer, dossier_id: int) -> str:
    """The notice above the conditions on the manufacturer's page of its request."""
    page = html.unescape(manufacturer.get(f"/requests/{dossier_id}/submitted").text)
    conditions = page.split('id="conditions-title"')[1]
    return " ".join(conditions.split('<div class="notice')[1].split("</div>")[0].split())


def test_the_emails_and_page_of_a_measure_say_whether_patients_may_have_received_the_device(
    app, inbox, reviewer, manufacturer, submitted, submitted_global, monkeypatch
):
    """As the act does: a patient can have received the device under the authorisation only
    once its period began; before, nobody is followed and nothing is "no longer" allowed."""
    act(reviewer, submitted_global, "start-review")
    assert act(reviewer, submitted_global, "authorise").status_code == 303  # in 10 days
    with app.app_context():
        start = long_date(authorisation_of(dossier(submitted_global)).period_start)
    assert act(reviewer, submitted_global, "suspend").status_code == 303
    told = " ".join(body_of(inbox.to("claire@cardiotech.example")[-1]).split())
    assert (
        f"before its period began (on {start}): until ANSM reinstates it, the device may not be "
        "supplied or used under it." in told
    )
    assert "already received it" not in told
    notice = page_notice(manufacturer, submitted_global)
    assert (
        "The authorisation was suspended before its period began: until ANSM reinstates it, "
        "the device may not be supplied or used under it." in notice
    )
    assert "already received it" not in notice
    assert act(reviewer, submitted_global, "reinstate").status_code == 303
    assert act(reviewer, submitted_global, "withdraw").status_code == 303
    told = " ".join(body_of(inbox.to("claire@cardiotech.example")[-1]).split())
    assert f"before its period began (on {start}): the device may not be supplied or" in told
    assert "already received it" not in told
    notice = page_notice(manufacturer, submitted_global)
    assert "ANSM withdrew the authorisation before its period began" in notice
    assert "already received it" not in notice

    signed_on = authorised_days_ago(reviewer, submitted, monkeypatch, 1)
    assert signed_on < clock.today()
    assert act(reviewer, submitted, "suspend").status_code == 303
    told = " ".join(body_of(inbox.to("claire@cardiotech.example")[-1]).split())
    # (an individual authorisation: its one patient)
    assert (
        "until ANSM reinstates it, the device may not be supplied or used under it for the "
        "patient if they have not received it yet. If they have, their follow-up continues." in told
    )
    assert "before its period began" not in told
    notice = page_notice(manufacturer, submitted)
    assert "If they have, their follow-up continues." in notice
    assert "before its period began" not in notice


APPEAL = (
    "You may challenge this decision within two months of its notification: by an "
    "administrative appeal to the Director General of ANSM, or before the administrative court "
    "of Montreuil (www.telerecours.fr). The signed decision says how."
)


def test_the_page_says_how_to_challenge_a_refusal_a_suspension_and_a_withdrawal(
    app, user, reviewer, manufacturer, submitted_global, submitted
):
    """As their emails do, which reach the filer and the contact person only: a colleague
    reads it on the page."""
    with app.app_context():
        make_colleague(user[0], "marc@cardiotech.example")
    colleague = app.test_client()
    assert login(colleague, "marc@cardiotech.example").status_code == 303

    def appeal_on(dossier_id: int) -> bool:
        page = " ".join(colleague.get(f"/requests/{dossier_id}/submitted").text.split())
        return APPEAL in page

    act(reviewer, submitted_global, "start-review")
    act(reviewer, submitted_global, "authorise")
    assert not appeal_on(submitted_global)  # nothing to challenge for the manufacturer
    for measure in ("suspend", "reinstate", "withdraw"):
        act(reviewer, submitted_global, measure)
        assert appeal_on(submitted_global) == (measure != "reinstate")
    act(reviewer, submitted, "start-review")
    assert not appeal_on(submitted)
    act(reviewer, submitted, "refuse")
    assert appeal_on(submitted)
