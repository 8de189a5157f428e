"""A manufacturer invites a clinician; the clinician follows the emailed link, attaches a signed
letter, and the letter joins the request: the whole round trip through a real SMTP server."""

from __future__ import annotations

import hashlib
import html
import io
import re

from sqlalchemy import select, update

from tests.conftest import (
    attach_files,
    checked_on_the_check_page,
    dossier_with,
    login,
    make_colleague,
    post_step,
    sign_and_submit,
)
from tests.invites.support import (
    INVITE,
    LETTER,
    SIGNED_LETTER,
    body_of,
    invitations_of,
    invite,
    letters_of,
    link_in,
    send_letter,
)
from wizard import audit, clock
from wizard.demo import minimal_pdf, sample_answers, sample_letter
from wizard.extensions import db
from wizard.models import Dossier, Invitation, RemovedFile, User
from wizard.receipts.service import receipt_fields


def test_a_clinician_invited_by_email_attaches_a_letter_the_manufacturer_then_sees(
    app, manufacturer, clinician, inbox
):
    client, dossier_id = manufacturer
    response = invite(client, dossier_id)
    assert response.status_code == 303
    assert response.location.endswith("/steps/hcp-support#invitations")
    step = client.get(response.location).text
    assert "The invitation has been sent to Dr Anne Leroy" in step
    # Said in the list the page opens at, not at its top.
    assert step.index('id="invitations"') < step.index("The invitation has been sent")
    assert "Sent" in step and "anne.leroy@necker.example" in step

    (email,) = inbox.to("anne.leroy@necker.example")
    assert "Cardiotech Médical SAS asks for your letter" in email["Subject"]
    assert "VentriAssist Mini" in body_of(email)
    assert "your letter would help the child you referred to us." in body_of(email)
    # The portal's sender is no-reply: answers reach the person who invited, named.
    assert email["Reply-To"] == "Claire Martin <claire@cardiotech.example>"
    assert (
        "Claire Martin (claire@cardiotech.example), of Cardiotech Médical SAS, invited you"
        in " ".join(body_of(email).split())
    )
    link = link_in(email)

    page = clinician.get(link)
    assert page.status_code == 200
    for shown in ("Cardiotech Médical SAS", "VentriAssist Mini", "Individual"):
        assert shown in page.text
    assert "your letter would help the child you referred to us." in page.text
    # Only those four things: no other answer of the request.
    for hidden in ("End-stage dilated cardiomyopathy", "FR-MF-000012345", "Claire Martin"):
        assert hidden not in page.text
    assert 'href="/login"' not in page.text  # no account is needed: none is suggested
    assert "Opened" in client.get(f"/requests/{dossier_id}/steps/hcp-support").text

    sent = send_letter(clinician, link)
    assert sent.status_code == 303
    thanks = clinician.get(sent.location)
    assert "your letter has been sent" in thanks.text
    assert hashlib.sha256(SIGNED_LETTER).hexdigest() in thanks.text
    assert "write to Claire Martin (claire@cardiotech.example), who invited you" in thanks.text
    # No account to look at it later: a copy of what was sent, by email.
    _invitation, copy = inbox.to("anne.leroy@necker.example")
    assert "Your letter has been added to the request of Cardiotech Médical SAS" in copy["Subject"]
    copied = " ".join(body_of(copy).split())
    assert hashlib.sha256(SIGNED_LETTER).hexdigest() in copied
    # Not the statement, which may speak of the patient: email travels in clear.
    assert LETTER["urgency_statement"] not in copied
    assert "write to Claire Martin (claire@cardiotech.example), who invited you" in copied
    assert copy["Reply-To"] == "Claire Martin <claire@cardiotech.example>"  # not no-reply

    with app.app_context():
        (letter,) = letters_of(dossier_id)
        assert letter.source == "invite" and letter.uploaded_by_id is None
        assert letter.sha256 == hashlib.sha256(SIGNED_LETTER).hexdigest()
        assert (letter.author_name, letter.author_rpps) == (LETTER["author_name"], "10000000009")
        assert letter.establishment_finess == LETTER["establishment_finess"]
        assert letter.urgency_statement == LETTER["urgency_statement"]
        assert letter.letter_date == LETTER["letter_date"]  # as the professional dated it
        (invitation,) = invitations_of(dossier_id)
        assert invitation.state == "letter_received" and invitation.letter_id == letter.id

    step = client.get(f"/requests/{dossier_id}/steps/hcp-support").text
    assert "Letter received" in step and "letter-leroy.pdf" in step
    (notification,) = inbox.to("claire@cardiotech.example")
    assert "Dr Anne Leroy has sent a letter" in notification["Subject"]
    assert f"/requests/{dossier_id}/steps/hcp-support" in body_of(notification)


def test_the_letter_received_by_invitation_is_filed_with_its_hash(
    app, manufacturer, clinician, inbox
):
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    send_letter(clinician, link_in(inbox.to(INVITE["invite-email"])[0]))
    digest = hashlib.sha256(SIGNED_LETTER).hexdigest()

    check = client.get(f"/requests/{dossier_id}/steps/check").text
    assert "Dr Anne Leroy" in check and "letter-leroy.pdf" in check
    assert "Continue to the declaration" in check  # the letter makes the request complete

    submitted = sign_and_submit(client, dossier_id)
    assert submitted.status_code == 303, submitted.text[:2000]
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        (filed,) = dossier.submitted_answers["hcp_letters"]
        assert filed["source"] == "invite" and filed["sha256"] == digest
        assert filed["urgency_statement"] == LETTER["urgency_statement"]
        assert receipt_fields(dossier)["hcp_letters"] == [
            {"author": "Dr Anne Leroy", "filename": "letter-leroy.pdf", "sha256": digest}
        ]
    assert digest in client.get(f"/requests/{dossier_id}/submitted").text


def test_a_letter_received_by_invitation_can_be_removed_and_the_link_stays_used(
    app, manufacturer, clinician, inbox
):
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    link = link_in(inbox[-1])
    send_letter(clinician, link)
    with app.app_context():
        (letter,) = letters_of(dossier_id)
    # A page first, which says what goes: "Remove" is a button of step 9's form leading to
    # it (what is typed there goes along, and comes back); the address opened shows it too.
    remove = f"/requests/{dossier_id}/letters/{letter.id}/delete"
    step = client.get(f"/requests/{dossier_id}/steps/hcp-support").text
    assert f'form="step-form"\n              formaction="{remove}"' in step
    typed = {"invite-clinician_name": "Dr Paul Roux", "letter-author_name": "Dr Marie Curie"}
    for asked in (client.get(remove), client.post(remove, data=typed)):
        assert asked.status_code == 200
        assert "Remove the letter from Dr Anne Leroy?" in asked.text
        assert "You cannot undo this." in asked.text
    for name, value in typed.items():
        assert f'<input type="hidden" name="{name}" value="{value}">' in asked.text
    kept = client.post(remove, data={**typed, "confirmed": "no"})  # "Keep it"
    assert kept.status_code == 200 and all(f'value="{v}"' in kept.text for v in typed.values())
    with app.app_context():
        assert len(letters_of(dossier_id)) == 1
    removed = client.post(remove, data={"confirmed": "yes"})
    assert removed.status_code == 303
    step = client.get(removed.location).text
    assert "Letter received" in step and "You have removed it since." in step
    # As the page said, it cannot be undone: no "Put the letter back", nor by its address.
    assert "has been removed" in step and "/removals/" not in step
    with app.app_context():
        assert audit.trail(dossier_id)[-1].action == audit.LETTER_REMOVED
        assert db.session.scalars(select(RemovedFile)).all() == []  # nothing kept to put back
    with app.app_context():
        assert letters_of(dossier_id) == []
        (invitation,) = invitations_of(dossier_id)
        assert invitation.state == "letter_received" and invitation.letter_id is None
    assert clinician.application.test_client().get(link).status_code == 410


def test_the_pages_behind_a_link_are_neither_cached_nor_referred(manufacturer, clinician, inbox):
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    page = clinician.get(link_in(inbox[-1]))
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "strict-origin"


def test_the_invitation_is_in_french_then_english_whatever_the_senders_language(
    manufacturer, inbox
):
    client, dossier_id = manufacturer
    client.get("/language/en")  # the manufacturer uses the portal in English
    invite(client, dossier_id)
    (email,) = inbox.to("anne.leroy@necker.example")
    french, english = email["Subject"].split(" / ")
    assert "vous demande une lettre" in french and "asks for your letter" in english
    body = body_of(email)
    assert body.index("Bonjour Dr Anne Leroy") < body.index("Hello Dr Anne Leroy")
    # A paragraph each: the device asked for, then which authorisation.
    paragraphs = r"“VentriAssist Mini”\.\r?\n\r?\nThe authorisation requested is individual"
    assert re.search(paragraphs, body)
    assert body.count("/invitations/") == 2  # the same link in both
    assert len(set(re.findall(r"/invitations/\S+", body))) == 1


def test_replies_reach_who_resent_the_link_and_never_a_removed_colleague(
    app, manufacturer, user, inbox
):
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    with app.app_context():
        make_colleague(user[0], "marc@cardiotech.example")
        invitation_id = db.session.scalars(select(Invitation)).one().id
    marc = app.test_client()
    assert login(marc, "marc@cardiotech.example").status_code == 303
    marc.post(f"/requests/{dossier_id}/invitations/{invitation_id}/resend")
    assert inbox[-1]["Reply-To"] == "Marc Durand <marc@cardiotech.example>"

    # Claire, who invited first, leaves: the copy of the letter names someone who still files.
    with app.app_context():
        claire = db.session.get(User, user[0])
        claire.removed_at = clock.now()
        db.session.commit()
    assert send_letter(app.test_client(), link_in(inbox[-1])).status_code == 303
    copy = inbox.to("anne.leroy@necker.example")[-1]
    assert "write to Marc Durand (marc@cardiotech.example)" in " ".join(body_of(copy).split())


def test_nobody_is_invited_before_the_device_and_the_patient_are_named(app, client, user, inbox):
    """The email and the professional's page say which device the letter supports, and for
    whom: until the request names the device, its type of access and (for one patient) the
    patient, the step lists all that is missing, each with its step (in place of the
    invitation form), and an invitation sent from an older page is refused, saying why."""
    before = "Before you invite a healthcare professional, the request must say what their letter"
    device = "Name the device</a> (step “Device”)"
    access = (
        "Choose the type of access: for one patient, or for the device as a whole</a> "
        "(step “Type of access”)"
    )
    patient = "name the patient: their initials and year of birth</a> (step “Patient”)"
    assert login(client, user[1]).status_code == 303
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start", "situation"], files=False)

    def missing() -> str:
        page = html.unescape(client.get(f"/requests/{dossier_id}/steps/hcp-support").text)
        assert 'name="invite-email"' not in page
        return " ".join(page[page.index('id="invite-first"') :].split("</ul>")[0].split())

    said = missing()
    assert before in said and device in said and access in said
    assert "For one patient, " + patient in said  # the type of access not chosen yet
    for step_id in ("device", "access-type", "patient"):
        assert f'href="/requests/{dossier_id}/steps/{step_id}"' in said

    refused = invite(client, dossier_id)
    assert refused.status_code == 422
    assert html.unescape(refused.text).count(before) == 2  # the summary, and in place
    assert 'href="#invite-first"' in refused.text
    assert not inbox.to("anne.leroy@necker.example")
    with app.app_context():
        assert invitations_of(dossier_id) == []

    # Each named in turn leaves the list; for one patient, the patient is then asked plainly.
    post_step(client, dossier_id, "device", sample_answers()["device"])
    said = missing()
    assert device not in said and access in said and "For one patient, " + patient in said
    post_step(client, dossier_id, "access-type", sample_answers()["access-type"])
    said = missing()
    assert device not in said and access not in said and "Name the patient: their" in said
    assert html.unescape(invite(client, dossier_id).text).count(before) == 2
    with app.app_context():
        assert invitations_of(dossier_id) == []
    post_step(client, dossier_id, "patient", sample_answers()["patient"])
    assert 'name="invite-email"' in client.get(f"/requests/{dossier_id}/steps/hcp-support").text
    assert invite(client, dossier_id).status_code == 303
    assert "VentriAssist" in body_of(inbox.to("anne.leroy@necker.example")[0])


def test_a_global_request_is_not_asked_for_a_patient_before_inviting(app, client, user):
    assert login(client, user[1]).status_code == 303
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start", "situation"], files=False)
    post_step(client, dossier_id, "access-type", {"access_type": "global"})
    page = html.unescape(client.get(f"/requests/{dossier_id}/steps/hcp-support").text)
    assert "Name the device</a>" in page and "patient: their initials" not in page
    # Asked instead for what a professional's page shows of a global request: its indication
    # and the patients it is for, which their letter supports.
    describe = "Describe the indication and the patients the device is for</a>"
    assert describe in page
    post_step(client, dossier_id, "device", sample_answers("global")["device"])
    refused = invite(client, dossier_id)
    assert refused.status_code == 422 and describe in html.unescape(refused.text)
    post_step(client, dossier_id, "scope", sample_answers("global")["scope"])
    page = html.unescape(client.get(f"/requests/{dossier_id}/steps/hcp-support").text)
    assert describe not in page and "Name the device</a>" not in page


def test_before_submitting_the_filer_is_told_whose_letters_are_still_awaited(
    app, user, manufacturer, clinician, inbox
):
    """Submitting closes the invite links: the check and declaration pages name who was
    invited and has not sent their letter, until they do."""
    client, dossier_id = manufacturer
    # No letter yet: the request cannot be submitted, and the page does not say it can be.
    assert invite(client, dossier_id).status_code == 303
    check = " ".join(client.get(f"/requests/{dossier_id}/steps/check").text.split())
    assert "1 healthcare professional you invited has not sent their letter yet" in check
    assert (
        "The request needs at least one letter before it can be submitted: wait for theirs, or "
        "upload a letter you have received yourself."
    ) in check
    assert "submit without it" not in check and "If you submit" not in check
    with app.app_context():
        attach_files(db.session.get(Dossier, dossier_id), user[0], letters=1)  # ready to sign
    invite(
        client,
        dossier_id,
        **{"invite-clinician_name": "Dr Paul Durand", "invite-email": "p.durand@x.example"},
    )
    check = client.get(f"/requests/{dossier_id}/steps/check").text
    checked = checked_on_the_check_page(client, dossier_id)
    declaration = client.get(f"/requests/{dossier_id}/steps/declaration?checked={checked}").text
    for page in (check, declaration):
        assert "2 healthcare professionals you invited have not sent their letters yet" in page
        assert "Dr Anne Leroy (Paediatric cardiac surgeon)" in page
        assert "Dr Paul Durand" in page
        assert "their links stop working" in page

    leroy = next(m for m in inbox if "anne.leroy" in m["To"])
    assert send_letter(clinician, link_in(leroy)).status_code == 303
    check = client.get(f"/requests/{dossier_id}/steps/check").text
    assert "1 healthcare professional you invited has not sent their letter yet" in check
    assert "Dr Paul Durand" in check and "Dr Anne Leroy (Paediatric" not in check
    assert "their link stops working and their letter can no longer be added" in check
    assert "we tell them by email that their link no longer works" in check

    # Submitted: the one still awaited is told their link no longer works (in French and
    # English, their language being unknown); the one who sent a letter is not.
    assert sign_and_submit(client, dossier_id).status_code == 303
    told = inbox.to("p.durand@x.example")[-1]
    assert "your letter can no longer be added" in told["Subject"]
    assert "votre lettre ne peut plus être ajoutée" in told["Subject"]
    assert told["Reply-To"] == "Claire Martin <claire@cardiotech.example>"
    body = " ".join(body_of(told).split())
    assert "Hello Dr Paul Durand," in body and "Bonjour Dr Paul Durand," in body
    assert "Cardiotech Médical SAS submitted its request to ANSM" in body
    assert "“VentriAssist Mini”" in body and "The link you were sent no longer works" in body
    assert "you do not need to write one for it" in body
    assert [m["Subject"] for m in inbox.to("anne.leroy@necker.example")].count(told["Subject"]) == 0


def test_an_invitation_sent_as_the_request_is_submitted_emails_no_closed_link(
    app, manufacturer, inbox, monkeypatch
):
    """Sending an invitation is a change of the draft: a submission by a colleague in the
    same second comes first or after, never a link emailed to a request already closed."""
    from wizard.auth import limits

    client, dossier_id = manufacturer
    counted = limits.count_attempt

    def submitted_meanwhile():
        db.session.execute(
            update(Dossier).where(Dossier.id == dossier_id).values(status="submitted")
        )
        db.session.commit()
        counted()

    monkeypatch.setattr(limits, "count_attempt", submitted_meanwhile)
    refused = invite(client, dossier_id)
    assert refused.status_code == 409
    assert inbox == []
    with app.app_context():
        assert invitations_of(dossier_id) == []


def letters_step_never_saved(user_id: int) -> int:
    """A request answered but for the letters' step, never saved (its page not even opened)."""
    answers = sample_answers("individual")
    steps = [step for step in answers if step != "hcp-support"]
    dossier_id = dossier_with(user_id, "individual", steps=steps, files=False)
    attach_files(db.session.get(Dossier, dossier_id), user_id, letters=0)
    return dossier_id


def test_a_letter_received_answers_the_letters_step_without_its_page_saved(
    app, client, user, inbox
):
    """The letters' step has no questions: a professional's letter arriving answers it, and
    the request is ready to sign without the step's own button pressed."""
    with app.app_context():
        dossier_id = letters_step_never_saved(user[0])
    login(client, user[1])
    assert checked_on_the_check_page(client, dossier_id) is None
    invite(client, dossier_id)
    assert send_letter(app.test_client(), link_in(inbox[-1])).status_code == 303
    assert checked_on_the_check_page(client, dossier_id) is not None
    summary = client.get(f"/requests/{dossier_id}/steps/check").text
    assert "Not answered yet" not in summary


def test_a_letter_uploaded_answers_the_letters_step_too(app, client, user):
    with app.app_context():
        dossier_id = letters_step_never_saved(user[0])
    login(client, user[1])
    fields = {f"letter-{k}": v for k, v in sample_letter().items()}
    fields["letter-file"] = (io.BytesIO(minimal_pdf()), "letter.pdf")
    added = client.post(
        f"/requests/{dossier_id}/letters", data=fields, content_type="multipart/form-data"
    )
    assert added.status_code == 303
    assert checked_on_the_check_page(client, dossier_id) is not None
