"""The healthcare professionals who sent a letter through their invite link hear of each
decision on the request they wrote for (they asked for the device; a suspension changes how
they treat a patient), each by their own email, through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from datetime import date

import pytest
from babel.dates import format_date

from tests.conftest import attach_files, login, make_colleague, sign_and_submit
from tests.invites.support import body_of, invite, link_in, request_awaiting_letters, send_letter
from tests.review.conftest import REVIEWER_EMAIL
from tests.review.support import act, dossier, in_days, withdraw
from wizard import clock
from wizard.demo import minimal_pdf
from wizard.extensions import db
from wizard.review.status import authorisation_of


def said(message) -> str:
    """An email's text with its lines joined, as it reads."""
    return " ".join(body_of(message).split())


def english(iso_day: str) -> str:
    return format_date(date.fromisoformat(iso_day), "long", locale="en_GB")


LEROY, DUPONT = "anne.leroy@necker.example", "paul.dupont@chu-lyon.example"


@pytest.fixture
def filed(app, user, reviewer, inbox) -> int:
    """A global request submitted with two letters sent through invite links (Dr Leroy's, then a
    second of hers through a new invitation, then Dr Dupont's) and one the manufacturer
    uploaded itself."""
    client = app.test_client()
    assert login(client, user[1]).status_code == 303
    with app.app_context():
        dossier_id = request_awaiting_letters(user[0], "global")
    for number, (email, name) in enumerate(
        ((LEROY, "Dr Anne Leroy"), (LEROY, "Dr Anne Leroy"), (DUPONT, "Dr Paul Dupont"))
    ):
        invite(client, dossier_id, **{"invite-email": email, "invite-clinician_name": name})
        link = link_in(inbox.to(email)[-1])
        own = (minimal_pdf(f"Letter {number} of {name}"), f"letter-{number}.pdf")  # each its own
        assert send_letter(app.test_client(), link, author_name=name, file=own).status_code == 303
    with app.app_context():
        attach_files(dossier(dossier_id), user[0], letters=1)
    assert sign_and_submit(client, dossier_id).status_code == 303
    inbox.clear()
    return dossier_id


def test_each_professional_hears_of_the_authorisation_and_its_conditions(
    app, inbox, reviewer, filed
):
    with app.app_context():
        reference = dossier(filed).reference
    act(reviewer, filed, "start-review")
    assert inbox.to(LEROY) == [] and inbox.to(DUPONT) == []  # only decisions

    assert act(reviewer, filed, "authorise").status_code == 303
    # One message each (Dr Leroy sent two letters), never both addresses on one message.
    [to_leroy] = inbox.to(LEROY)
    [to_dupont] = inbox.to(DUPONT)
    assert to_leroy["To"].addresses[0].addr_spec == LEROY and len(to_leroy["To"].addresses) == 1
    assert to_leroy["Subject"].split(" / ")[-1] == f"Request {reference} is authorised"
    body = said(to_leroy)
    assert "Hello Dr Anne Leroy," in body
    assert f"ANSM has authorised the request {reference} of Cardiotech Médical SAS" in body
    assert "VentriAssist Mini" in body
    start, end = (english(in_days(days)) for days in (10, 200))  # the action's defaults
    assert f"Authorised period: from {start} to {end} inclusive." in body
    assert "Maximum number of patients: 12." in body
    # The indication ANSM authorised (it may be narrower than the one asked for).
    assert "Authorised indication:" in body
    assert "Insuffisance cardiaque terminale de l’enfant de moins de 20 kg." in body
    assert "Monthly report to ANSM on every patient." in body
    # The reasons are written to the manufacturer, named as who to ask.
    assert "Unmet need" not in body
    assert (
        "write to the manufacturer's contact person, Claire Martin (claire.martin@example.org)"
        in body
    )
    # In French first: we do not know which language the professional reads.
    assert "Bonjour Dr Anne Leroy," in body_of(to_leroy)
    assert "L’ANSM a autorisé la demande" in body_of(to_leroy)
    assert "Hello Dr Paul Dupont," in body_of(to_dupont)


def test_a_reinstatement_within_the_period_is_told_as_in_force_again(app, inbox, reviewer, filed):
    act(reviewer, filed, "start-review")
    act(reviewer, filed, "authorise", period_start=in_days(0))
    act(reviewer, filed, "suspend")
    act(reviewer, filed, "reinstate")
    suspended = said(inbox.to(DUPONT)[-2])
    # The period has begun: a patient may have received the device under it.
    assert (
        "until ANSM reinstates it, the device may not be supplied or used under it for a "
        "patient who has not received it yet. Patients who have already received it continue "
        "to be followed." in suspended
    )
    reinstated = said(inbox.to(DUPONT)[-1])
    assert (
        f"it is in force again, on the conditions it set, until {english(in_days(200))} inclusive."
    ) in reinstated
    assert "elle est de nouveau en vigueur" in reinstated
    act(reviewer, filed, "withdraw")
    withdrawn = said(inbox.to(DUPONT)[-1])
    assert (
        "the device may no longer be supplied or used under it for a patient who has not "
        "received it yet. Patients who have already received it continue to be followed."
        in withdrawn
    )


def test_a_suspension_a_reinstatement_and_a_withdrawal_are_told_too(app, inbox, reviewer, filed):
    act(reviewer, filed, "start-review")
    act(reviewer, filed, "authorise")
    act(reviewer, filed, "suspend")
    suspended = said(inbox.to(LEROY)[-1])
    assert "ANSM has suspended the authorisation" in suspended
    # Before its period began (the action's default: in 10 days) no patient can have
    # received the device under it: none is said to be followed.
    assert (
        f"before its period began (on {english(in_days(10))}): until ANSM reinstates it, "
        "the device may not be supplied or used under it." in suspended
    )
    assert "already received it" not in suspended and "déjà reçu" not in suspended
    assert "Serious incident" not in suspended
    act(reviewer, filed, "reinstate")
    assert "reinstated" in inbox.to(DUPONT)[-1]["Subject"]
    # From when to when it will be in force, as the decision says: lifted before its
    # period began, it never was in force.
    with app.app_context():
        authorisation = authorisation_of(dossier(filed))
    start, end = (
        format_date(day, "long", locale="en_GB")
        for day in (authorisation.period_start, authorisation.period_end)
    )
    assert (
        f"it will be in force, on the conditions it set, from {start} to {end} inclusive."
    ) in said(inbox.to(DUPONT)[-1])
    act(reviewer, filed, "withdraw")
    withdrawn = said(inbox.to(DUPONT)[-1])
    assert "ANSM has withdrawn the authorisation" in withdrawn
    assert (
        f"before its period began (on {english(in_days(10))}): the device may not be "
        "supplied or used under it." in withdrawn
    )
    assert "already received it" not in withdrawn and "déjà reçu" not in withdrawn
    assert len(inbox.to(LEROY)) == len(inbox.to(DUPONT)) == 4


def test_suspended_before_its_period_and_lifted_after_its_first_day_it_was_never_in_force(
    app, inbox, reviewer, filed, monkeypatch
):
    """Suspended before its first day, nobody received the device under it: reinstated once
    the period has begun, it comes into force, not "again"; withdrawn so, nobody is followed."""
    from tests.review.test_period_end_reminder import MANUFACTURER, days_later

    act(reviewer, filed, "start-review")
    act(reviewer, filed, "authorise")  # from in 10 days
    act(reviewer, filed, "suspend")
    days_later(monkeypatch, 15)
    act(reviewer, filed, "reinstate")
    with app.app_context():
        end = english(authorisation_of(dossier(filed)).period_end.isoformat())
    for reinstated in (said(inbox.to(DUPONT)[-1]), said(inbox.to(MANUFACTURER)[-1])):
        assert "before its period began" in reinstated
        assert (
            f"it is in force from now on, on the conditions it set, until {end} inclusive."
            in reinstated
        )
        assert "in force again" not in reinstated and "de nouveau en vigueur" not in reinstated
        assert "elle entre en vigueur dès maintenant" in reinstated

    act(reviewer, filed, "suspend")  # in its period now: a patient may have received it
    act(reviewer, filed, "withdraw")
    assert "Patients who have already received it continue" in said(inbox.to(DUPONT)[-1])


def test_suspended_before_its_period_and_withdrawn_within_it_nobody_is_followed(
    app, inbox, reviewer, filed, monkeypatch
):
    from tests.review.test_period_end_reminder import MANUFACTURER, days_later

    act(reviewer, filed, "start-review")
    act(reviewer, filed, "authorise")  # from in 10 days
    act(reviewer, filed, "suspend")
    days_later(monkeypatch, 15)
    act(reviewer, filed, "withdraw")
    for withdrawn in (said(inbox.to(LEROY)[-1]), said(inbox.to(MANUFACTURER)[-1])):
        assert "ANSM has withdrawn the authorisation" in withdrawn
        assert (
            "before its period began, when nobody had received the device under it: "
            "the device may not be supplied or used under it." in withdrawn
        )
        assert "already received it" not in withdrawn and "déjà reçu" not in withdrawn


def test_a_refusal_is_told_without_its_reasons(app, inbox, reviewer, filed):
    act(reviewer, filed, "start-review")
    act(reviewer, filed, "refuse")
    refused = said(inbox.to(LEROY)[-1])
    assert "ANSM has refused the request" in refused
    assert "The manufacturer has received the signed decision and its reasons." in refused
    assert "Alternatives exist." not in refused


def test_the_manufacturer_withdrawing_its_request_is_told(app, inbox, manufacturer, filed):
    response = manufacturer.post(
        f"/requests/{filed}/withdraw",
        data={"withdraw-reason": "Another device was found."},
    )
    assert response.status_code == 303, response.text
    [told] = inbox.to(LEROY)
    assert "withdrawn by the manufacturer" in told["Subject"]
    body = said(told)
    assert "Cardiotech Médical SAS has withdrawn its request" in body
    assert "ANSM will not decide on it." in body
    assert "Another device was found." not in body


def test_a_letter_the_manufacturer_uploaded_itself_brings_no_email(app, inbox, reviewer, filed):
    act(reviewer, filed, "start-review")
    act(reviewer, filed, "refuse")
    # Only the two professionals with an address, and the manufacturer's own people.
    assert {a.addr_spec for m in inbox for a in m["To"].addresses} == {
        LEROY,
        DUPONT,
        "claire@cardiotech.example",
        "claire.martin@example.org",
    }


def test_a_contact_person_who_left_is_not_named(app, inbox, user, reviewer, filed):
    """Their colleagues removed the account: the professional is sent to the manufacturer."""
    with app.app_context():
        colleague = make_colleague(user[0], "claire.martin@example.org", "Claire Martin")
        colleague.removed_at = clock.now()
        db.session.commit()
    act(reviewer, filed, "start-review")
    act(reviewer, filed, "refuse")
    body = said(inbox.to(LEROY)[-1])
    assert "For any question, write to the manufacturer." in body
    assert "claire.martin@example.org" not in body


def ask_about(reviewer, dossier_id: int, letter_id: int, **fields):
    return act(
        reviewer,
        dossier_id,
        "request-information",
        addressee=f"letter-{letter_id}",
        message="How many of your patients would need the device this year?",
        **fields,
    )


def asked_dr_leroy_twice(app, reviewer, dossier_id: int) -> None:
    """The review started, then Dr Leroy asked about each of her two letters: once at her
    address as the reviewer typed it (capitals), once at the one her invitation went to."""
    act(reviewer, dossier_id, "start-review")
    with app.app_context():
        first, second = (
            letter.id
            for letter in dossier(dossier_id).hcp_letters
            if letter.invitation is not None and letter.invitation.email == LEROY
        )
    assert (
        ask_about(reviewer, dossier_id, first, hcp_email="Anne.Leroy@necker.example").status_code
        == 303
    )
    assert ask_about(reviewer, dossier_id, second).status_code == 303


def to_dr_leroy(inbox) -> list:
    """Every message to Dr Leroy, however her address was written."""
    return [message for message in inbox if LEROY in message["To"].lower()]


def test_a_professional_asked_by_ansm_hears_of_the_withdrawal_once(
    app, inbox, reviewer, manufacturer, filed
):
    """Dr Leroy wrote for the request and ANSM waits for her answers: the withdrawal and
    "ANSM no longer waits for your answer" come in one email, which a reply takes to ANSM.
    Dr Dupont, not asked, reads the withdrawal alone."""
    asked_dr_leroy_twice(app, reviewer, filed)
    with app.app_context():
        reference = dossier(filed).reference
    inbox.clear()
    withdrawn = withdraw(manufacturer, filed)
    assert withdrawn.status_code == 303

    [told] = to_dr_leroy(inbox)
    assert (
        told["Subject"].split(" / ")[-1] == f"Request {reference} is withdrawn by the manufacturer"
    )
    body = said(told)
    assert "Hello Dr Anne Leroy," in body
    assert "Cardiotech Médical SAS has withdrawn its request" in body
    assert "ANSM will not decide on it." in body
    asked_on = english(clock.today().isoformat())
    assert (
        f"ANSM no longer waits for your answer to the question it asked you on {asked_on}: the "
        "link in its email no longer works. If you still want to send your answer, reply to "
        "this email: your message reaches ANSM." in body
    )
    assert "write to the manufacturer's contact person" in body  # about the withdrawal
    assert told["Reply-To"] == REVIEWER_EMAIL  # the reviewer who asked
    assert "Another device was found." not in body

    [to_dupont] = inbox.to(DUPONT)
    assert "Cardiotech Médical SAS has withdrawn its request" in said(to_dupont)
    assert "no longer waits" not in said(to_dupont)
    assert to_dupont["Reply-To"] is None


def test_a_professional_asked_twice_hears_once_that_ansm_no_longer_waits(
    app, inbox, reviewer, filed
):
    asked_dr_leroy_twice(app, reviewer, filed)
    inbox.clear()
    assert act(reviewer, filed, "start-review").status_code == 303  # resumed without them
    [told] = to_dr_leroy(inbox)
    assert "ANSM no longer waits for your answer" in told["Subject"]
    assert inbox.to(DUPONT) == []


def filed_with_a_letter_for(app, inbox, user, *, patient=None, access=None) -> int:
    """An individual request submitted with Dr Leroy's letter, sent through her invite link,
    then found written for another `patient` ("ZZ 1950") or the other type of `access`
    (the request named someone else, or was for global access, when she wrote)."""
    client = app.test_client()
    assert login(client, user[1]).status_code == 303
    with app.app_context():
        dossier_id = request_awaiting_letters(user[0], "individual")
    invite(client, dossier_id, **{"invite-email": LEROY, "invite-clinician_name": "Dr Anne Leroy"})
    link = link_in(inbox.to(LEROY)[-1])
    assert send_letter(app.test_client(), link, author_name="Dr Anne Leroy").status_code == 303
    assert sign_and_submit(client, dossier_id).status_code == 303
    with app.app_context():
        [letter] = dossier(dossier_id).hcp_letters
        letter.written_for_patient = patient or letter.written_for_patient
        letter.written_for = access or letter.written_for
        db.session.commit()
    inbox.clear()
    return dossier_id


def what_leroy_reads_of(decision: str, app, inbox, user, reviewer, **written_for) -> str:
    """The email Dr Leroy gets of `decision` on a request filed with her letter, found
    written for another patient or access (`filed_with_a_letter_for`)."""
    filed = filed_with_a_letter_for(app, inbox, user, **written_for)
    act(reviewer, filed, "start-review")
    assert act(reviewer, filed, decision).status_code == 303
    return said(inbox.to(LEROY)[-1])


def test_a_professional_who_wrote_for_another_patient_reads_the_decision_is_not_about_theirs(
    app, inbox, user, reviewer
):
    """Her letter was about another patient than the one the request names: told of the
    authorisation, she reads that it does not concern her patient (it names neither)."""
    body = what_leroy_reads_of("authorise", app, inbox, user, reviewer, patient="ZZ 1950")
    assert (
        "Your letter was about another patient than the one this request names: this decision "
        "does not concern your patient." in body
    )
    # No patient is named in an email, not even by initials (the invitation promised it).
    assert "ZZ" not in body and "1950" not in body


def test_a_professional_who_wrote_for_global_access_reads_the_decision_is_for_one_patient(
    app, inbox, user, reviewer
):
    body = what_leroy_reads_of("refuse", app, inbox, user, reviewer, access="global")
    assert (
        "Your letter was written while the request was for the device in general; it is now "
        "for one patient, whom alone this decision concerns." in body
    )


def test_a_letter_for_this_patient_brings_no_such_warning(app, inbox, user, reviewer):
    assert "Your letter was" not in what_leroy_reads_of("authorise", app, inbox, user, reviewer)


def test_a_professional_who_wrote_for_one_patient_reads_the_decision_is_for_the_device(
    app, inbox, reviewer, filed
):
    """A global request whose letters from Dr Leroy were written while it was for one
    patient: she reads the decision is for the device in general; Dr Dupont reads nothing
    of the kind."""
    with app.app_context():
        for letter in dossier(filed).hcp_letters:
            if letter.invitation is not None and letter.invitation.email == LEROY:
                letter.written_for = "individual"
        db.session.commit()
    act(reviewer, filed, "start-review")
    assert act(reviewer, filed, "authorise").status_code == 303
    assert (
        "Your letter was written while the request was for one patient; it is now for the "
        "device in general, which this decision concerns." in said(inbox.to(LEROY)[-1])
    )
    assert "Your letter was" not in said(inbox.to(DUPONT)[-1])


def test_an_individual_authorisation_s_measures_speak_of_its_one_patient_everywhere(
    app, inbox, user, reviewer, monkeypatch
):
    """As its act does: the professional's and the manufacturer's emails, and the request's
    page, say the patient goes on being followed if they have received the device."""
    from tests.review.test_period_end_reminder import MANUFACTURER, days_later

    filed = filed_with_a_letter_for(app, inbox, user)
    act(reviewer, filed, "start-review")
    act(reviewer, filed, "authorise")  # from in ten days
    days_later(monkeypatch, 15)
    one_patient = "for the patient if they have not received it yet. If they have, their"
    for decision in ("suspend", "withdraw"):
        assert act(reviewer, filed, decision).status_code == 303
        for email in (said(inbox.to(LEROY)[-1]), said(inbox.to(MANUFACTURER)[-1])):
            assert one_patient in email and "Patients who have already" not in email
        manufacturer = app.test_client()
        login(manufacturer, user[1])
        page = " ".join(manufacturer.get(f"/requests/{filed}/submitted").text.split())
        assert one_patient in page, decision


def test_a_page_says_an_authorisation_suspended_before_its_period_was_never_in_force(
    app, inbox, reviewer, filed, user, monkeypatch
):
    from tests.review.test_period_end_reminder import days_later

    act(reviewer, filed, "start-review")
    act(reviewer, filed, "authorise")  # from in 10 days
    act(reviewer, filed, "suspend")
    days_later(monkeypatch, 15)
    act(reviewer, filed, "withdraw")
    manufacturer = app.test_client()
    login(manufacturer, user[1])
    page = " ".join(manufacturer.get(f"/requests/{filed}/submitted").text.split())
    assert (
        "ANSM withdrew the authorisation, suspended before its period began, when nobody had "
        "received the device under it" in page
    )
    assert "already received" not in page
