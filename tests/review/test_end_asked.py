"""A manufacturer may ask ANSM, in a follow-up report, to end its authorisation (the device
now has its CE marking, or is no longer supplied): both pages, ANSM's email and the queue say
it; ANSM may then withdraw the authorisation on that request, which needs no invitation to
present observations (CRPA L. 121-1 excepts decisions taken on a request): the signed act
cites the request instead."""

from __future__ import annotations

import re

from tests.invites.support import body_of
from tests.review.conftest import REVIEWER_EMAIL
from tests.review.support import act, action_data, in_days, seen_on
from tests.review.test_decision_pdf import _act_text, french
from tests.review.test_follow_up_reports import send_report, text_of
from tests.review.test_period_end_reminder import MANUFACTURER
from tests.review.test_report_dates import said
from wizard import clock
from wizard.extensions import db
from wizard.models import AuditEvent, Decision, FollowUpReport, User

ASKED = "The device is CE-marked since last week: we ask for this authorisation to end."
WITHDRAWN = "The device is CE-marked; the derogation is no longer needed."


def authorised(reviewer, dossier_id: int) -> None:
    """Authorised from today: patients may have received the device already."""
    act(reviewer, dossier_id, "start-review")
    assert act(reviewer, dossier_id, "authorise", period_start=in_days(0)).status_code == 303


def withdrawn_on_request(reviewer, dossier_id: int):
    """ANSM withdraws the authorisation on the manufacturer's request, inviting nothing."""
    return act(
        reviewer,
        dossier_id,
        "withdraw",
        reason=WITHDRAWN,
        procedure="requested",
        observations_invited_on=None,
        observations_received=None,
    )


def test_the_end_asked_in_a_report_is_said_to_ansm_everywhere(
    app, inbox, reviewer, manufacturer, submitted_global
):
    authorised(reviewer, submitted_global)
    page = text_of(manufacturer.get(f"/requests/{submitted_global}/submitted"))
    assert "I ask ANSM to end this authorisation" in page
    sent = send_report(manufacturer, submitted_global, patients="0", message=ASKED, end_asked="y")
    assert sent.status_code == 303
    mine = text_of(manufacturer.get(sent.location))
    assert "You asked ANSM to end the authorisation. ANSM decides, and tells you" in mine
    theirs = text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    assert (
        "The manufacturer asks ANSM to end the authorisation: a withdrawal may be decided on "
        "its request, without inviting its observations." in theirs
    )
    assert "Its last report asks ANSM to end the authorisation" in text_of(reviewer.get("/review"))
    (told,) = [m for m in inbox.to(REVIEWER_EMAIL) if "Follow-up report" in m["Subject"]]
    assert "so far.\r\n\r\nIt asks ANSM to end the authorisation.\r\n" in body_of(told)  # its own
    with app.app_context():
        (event,) = db.session.query(AuditEvent).filter_by(action="follow_up_sent").all()
        assert event.detail["end_asked"] is True


def test_a_report_that_does_not_ask_says_nothing_of_it(
    app, reviewer, manufacturer, submitted_global
):
    authorised(reviewer, submitted_global)
    assert send_report(manufacturer, submitted_global, patients="0").status_code == 303
    theirs = text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    assert "asks ANSM to end" not in theirs
    assert "The manufacturer asked for it" not in theirs  # not offered to the withdrawal


def test_the_withdrawal_asked_is_decided_on_that_request_and_the_act_cites_it(
    app, inbox, reviewer, manufacturer, submitted_global
):
    authorised(reviewer, submitted_global)
    # Not asked yet: the withdrawal cannot say it was.
    refused = act(reviewer, submitted_global, "withdraw", procedure="requested")
    assert refused.status_code == 422
    assert "Choose one of the options listed." in text_of(refused)

    send_report(manufacturer, submitted_global, patients="0", message=ASKED, end_asked="y")
    today = clock.today()
    offered = (
        f"The manufacturer asked for it, in its report no. 1 of {said(today)}: no observations "
        "to invite"
    )
    page = text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    assert offered in page
    # Its hint speaks of the request too, not only of an invitation.
    assert (
        "Printed on the signed decision, with the manufacturer's request or the date of the "
        "invitation." in page
    )
    done = withdrawn_on_request(reviewer, submitted_global)
    assert done.status_code == 303
    # The report it was asked in was read: the queue waits for no reading of it.
    with app.app_context():
        asked_in = db.session.query(FollowUpReport).one()
        reader = db.session.get(User, asked_in.read_by_id)
        assert asked_in.read_at is not None and reader.email == REVIEWER_EMAIL
    assert "1 report not read yet" not in text_of(reviewer.get("/review"))
    (told,) = [m for m in inbox.to(MANUFACTURER) if "withdrawn" in m["Subject"]]
    assert (
        f"As you asked in your follow-up report no. 1 of {said(today)}, ANSM has withdrawn the "
        "authorisation of your request" in " ".join(body_of(told).split())
    )
    with app.app_context():
        decision = db.session.query(Decision).filter_by(number=2).one()
        assert decision.record["procedure"] == {
            "kind": "requested",
            "report_number": 1,
            "asked_on": today.isoformat(),
        }
    words = _act_text(manufacturer, submitted_global, 2)
    assert (
        "Vu la demande du fabricant, formée dans son rapport de suivi n° 1 du "
        f"{french(today.isoformat())}, tendant à ce qu’il soit mis fin à cette autorisation"
        in words
    )
    assert "celui-ci n’avait pas à être invité à présenter ses observations" in words
    assert "This decision being taken at the manufacturer's request" in words
    assert "L. 122-1" not in words and "L. 121-2" not in words  # no invitation, no urgency
    # The article its grounds name (which excepts a decision taken on a request) is cited.
    assert (
        "Vu le code des relations entre le public et l’administration, notamment son article "
        "L. 121-1 ;" in words
    )
    # Patients who have the device already are not concerned: said as the emails say it.
    assert "mis en service à ce titre pour un patient qui ne l’a pas encore reçu" in words
    theirs = text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    assert (
        "Taken at the manufacturer's request, made in its follow-up report no. 1 of "
        f"{said(today)}: no observations to invite." in theirs
    )
    # Withdrawn, the authorisation's end is asked no more; the report says it asked it.
    page = text_of(manufacturer.get(f"/requests/{submitted_global}/submitted"))
    assert "I ask ANSM to end this authorisation" not in page
    assert "This report asked ANSM to end the authorisation." in page
    assert "until then it stands" not in page
    assert send_report(manufacturer, submitted_global, patients="0", end_asked="y").status_code == (
        303
    )
    with app.app_context():
        latest = db.session.query(FollowUpReport).order_by(FollowUpReport.id.desc()).first()
        assert latest.end_asked is False
    assert "Its last report asks ANSM" not in text_of(reviewer.get("/review"))


def test_a_request_before_a_reinstatement_is_no_request_to_end_it_after(
    app, inbox, reviewer, manufacturer, submitted_global
):
    authorised(reviewer, submitted_global)
    send_report(manufacturer, submitted_global, patients="0", message=ASKED, end_asked="y")
    assert act(reviewer, submitted_global, "suspend").status_code == 303
    # Said before it is signed: reinstating leaves the request behind; withdrawing answers it.
    typed = action_data("reinstate") | seen_on(reviewer, submitted_global)
    del typed["decision"]
    shown = text_of(reviewer.post(f"/review/requests/{submitted_global}/reinstate", data=typed))
    on = said(clock.today())
    assert (
        f"The manufacturer's report of {on} asks ANSM to end this authorisation. Reinstated, it "
        "stands again and that request no longer does: the manufacturer is told, and may ask "
        "again. To end it as they ask, withdraw it instead." in shown
    )
    inbox.clear()
    assert act(reviewer, submitted_global, "reinstate").status_code == 303
    (told,) = inbox.to(MANUFACTURER)
    body = " ".join(body_of(told).split())
    assert re.search(
        f"Your report of {on} at [0-9:]+ \\(Paris time\\) asked ANSM to end this authorisation. "
        "Reinstated, the "
        "authorisation stands, and that request no longer does: if you still want it ended, "
        "ask again in a follow-up report.",
        body,
    )
    assert re.search(
        f"Votre rapport du {french(clock.today().isoformat())} à [0-9]+ h [0-9]+ "
        "\\(heure de Paris\\)",
        body,
    )
    own = text_of(manufacturer.get(f"/requests/{submitted_global}/submitted"))
    assert re.search(
        f"This report asked ANSM to end the authorisation. It was reinstated on {on} at "
        "[0-9:]+, and that request no longer stands: if you still want it ended, ask again in "
        "a report.",
        own,
    )
    # The manufacturer was heard on the reinstatement since: the old request does not stand.
    page = text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    assert "The manufacturer asked for it" not in page
    assert re.search(
        f"This report asked ANSM to end the authorisation, until its reinstatement on {on} at "
        "[0-9:]+[.]",
        page,
    )
    assert "a withdrawal may be decided on its request" not in page
    assert "asks ANSM to end" not in text_of(reviewer.get("/review"))
    assert act(reviewer, submitted_global, "withdraw", procedure="requested").status_code == 422


def test_a_later_report_that_does_not_ask_it_takes_the_request_back(
    app, reviewer, manufacturer, submitted_global
):
    authorised(reviewer, submitted_global)
    send_report(manufacturer, submitted_global, patients="0", message=ASKED, end_asked="y")
    assert "asks ANSM to end" in text_of(reviewer.get("/review"))
    send_report(manufacturer, submitted_global, patients="0", message="We go on after all.")
    page = text_of(reviewer.get(f"/review/requests/{submitted_global}"))
    assert "The manufacturer asked for it" not in page
    assert "This report asked ANSM to end the authorisation." in page
    assert "asks ANSM to end" not in text_of(reviewer.get("/review"))
    assert act(reviewer, submitted_global, "withdraw", procedure="requested").status_code == 422


def test_the_end_asked_of_an_authorisation_ended_since_the_page_opened_is_said_moot(
    app, reviewer, manufacturer, submitted_global
):
    """The box ticked on a page opened while the authorisation was in force: the report is
    taken, and the manufacturer reads that it asks nothing, rather than believing it did."""
    authorised(reviewer, submitted_global)
    assert act(reviewer, submitted_global, "withdraw").status_code == 303
    sent = send_report(manufacturer, submitted_global, patients="0", message=ASKED, end_asked="y")
    assert sent.status_code == 303
    page = text_of(manufacturer.get(sent.location))
    assert (
        "Your report has been sent to ANSM. The authorisation is no longer in force, so your "
        "report does not ask ANSM to end it." in page
    )
    # Not said of a report that did not ask.
    again = send_report(manufacturer, submitted_global, patients="0", message="Later.")
    assert "no longer in force" not in text_of(manufacturer.get(again.location))


def test_the_act_cites_the_request_after_the_measures_it_follows(
    app, reviewer, manufacturer, submitted_global
):
    """A request made in a report since a reinstatement is cited after the suspension and
    the reinstatement: an act's visas follow the order of what they cite."""
    authorised(reviewer, submitted_global)
    assert act(reviewer, submitted_global, "suspend").status_code == 303
    assert act(reviewer, submitted_global, "reinstate").status_code == 303
    send_report(manufacturer, submitted_global, patients="0", message=ASKED, end_asked="y")
    done = withdrawn_on_request(reviewer, submitted_global)
    assert done.status_code == 303
    words = _act_text(manufacturer, submitted_global, 4)
    cited = [
        words.index(visa)
        for visa in (
            "Vu la décision n° 1 ",
            "Vu la décision n° 2 ",
            "Vu la décision n° 3 ",
            "Vu la demande du fabricant, formée dans son rapport de suivi n° 1",
            "Considérant ce qui suit",
        )
    ]
    assert cited == sorted(cited)
