"""Mail: an SMTP failure leaves the invitation "not sent" with a retry and loses nothing; without
a mail server (development) messages go to an outbox that `flask outbox` lists."""

from __future__ import annotations

import pytest

from tests.invites.support import (
    INVITE,
    body_of,
    closed_port,
    invitations_of,
    invite,
    link_in,
    send_letter,
)
from wizard import mail
from wizard.extensions import db
from wizard.filing import service
from wizard.models import Dossier


def test_when_the_mail_server_is_down_the_invitation_is_kept_as_not_sent_and_can_be_retried(
    app, manufacturer, clinician, inbox, monkeypatch
):
    client, dossier_id = manufacturer
    working_port = app.config["MAIL_PORT"]
    monkeypatch.setitem(app.config, "MAIL_PORT", closed_port())
    response = invite(client, dossier_id)
    assert response.status_code == 303 and "#" not in response.location  # the message is on top
    step = client.get(response.location).text
    assert "We could not send the email to Dr Anne Leroy (anne.leroy@necker.example)" in step
    assert 'class="notice notice--error" role="alert"' in step
    assert "Not sent" in step and "Try again" in step
    with app.app_context():
        (invitation,) = invitations_of(dossier_id)
        assert invitation.state == "not_sent" and invitation.sent_at is None
        assert (invitation.clinician_name, invitation.email, invitation.role) == (
            "Dr Anne Leroy",
            "anne.leroy@necker.example",
            "Paediatric cardiac surgeon",
        )
        assert invitation.message == INVITE["invite-message"]
    assert inbox == []

    monkeypatch.setitem(app.config, "MAIL_PORT", working_port)
    retried = client.post(f"/requests/{dossier_id}/invitations/{invitation.id}/resend")
    assert retried.status_code == 303
    step = client.get(retried.location).text
    assert "The invitation has been sent to Dr Anne Leroy" in step and "Not sent" not in step
    (first,) = inbox.to(INVITE["invite-email"])
    # The first email they get: not called a new link (the one it replaced never left).
    assert not first["Subject"].startswith("Nouveau lien")
    assert "New link" not in first["Subject"]
    assert clinician.get(link_in(first)).status_code == 200
    with app.app_context():
        assert invitations_of(dossier_id)[0].state == "opened"


def test_a_letter_is_kept_even_if_the_manufacturer_cannot_be_told(
    app, manufacturer, clinician, inbox, monkeypatch
):
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    monkeypatch.setitem(app.config, "MAIL_PORT", closed_port())
    sent = send_letter(clinician, link_in(inbox[-1]))
    assert sent.status_code == 303
    assert "your letter has been sent" in clinician.get(sent.location).text
    assert "Letter received" in client.get(f"/requests/{dossier_id}/steps/hcp-support").text


def test_without_a_mail_server_messages_go_to_the_outbox_that_flask_outbox_lists(
    app, manufacturer, clinician
):
    assert app.config["MAIL_HOST"] == ""
    client, dossier_id = manufacturer
    with app.app_context():  # the outbox is the test session's: earlier tests' messages too
        before = {m.path for m in mail.outbox_messages()}
    assert invite(client, dossier_id).status_code == 303
    with app.app_context():
        (message,) = [
            m
            for m in mail.outbox_messages()
            if m.message["To"] == INVITE["invite-email"] and m.path not in before
        ]
    assert message.path.parent == app.config["MAIL_OUTBOX"] and message.path.suffix == ".eml"
    assert clinician.get(link_in(message.message)).status_code == 200

    runner = app.test_cli_runner()
    listing = runner.invoke(args=["outbox"])
    assert listing.exit_code == 0
    line = next(
        row
        for row in listing.output.splitlines()
        if INVITE["invite-email"] in row and message.date in row
    )
    assert "asks for your letter to ANSM" in line
    number = line.split()[0]
    shown = runner.invoke(args=["outbox", number])
    assert shown.exit_code == 0 and link_in(message.message) in shown.output
    # Where the professional's answer goes: the person who invited them.
    assert f"Reply-To: {message.message['Reply-To']}" in shown.output
    assert message.message["Reply-To"]
    assert runner.invoke(args=["outbox", "999"]).exit_code != 0


def test_with_a_mail_server_the_outbox_command_says_where_emails_go(app, monkeypatch):
    """Not "The outbox is empty.": nothing is written there once emails leave for real."""
    monkeypatch.setitem(app.config, "MAIL_HOST", "smtp.derogations.example")
    listing = app.test_cli_runner().invoke(args=["outbox"])
    assert listing.exit_code != 0
    assert "Emails go out through the mail server smtp.derogations.example" in listing.output


def test_send_says_clearly_why_a_message_could_not_be_sent(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", closed_port())
    with app.app_context(), pytest.raises(mail.MailError, match=r"to someone@example.org via 127"):
        mail.send("someone@example.org", "Hello", "Body")


def test_a_header_that_cannot_be_written_is_a_mail_error_too(app):
    with app.app_context(), pytest.raises(mail.MailError, match="could not write"):
        mail.send("someone@example.org\nBcc: other@example.org", "Hello", "Body")


def test_a_subject_or_reply_address_with_line_breaks_is_sent_on_one_line(app, inbox):
    """Names stored before the forms refused line breaks (Word's, U+2028) still reach the
    subjects and reply addresses made of them: the message leaves all the same."""
    with app.app_context():
        mail.send(
            "someone@example.org",
            "Anne\u2028Leroy has sent a letter for \r\n your request",
            "Body",
            reply_to="Claire\u2029Martin <claire@cardiotech.example>",
        )
    (message,) = inbox
    assert message["Subject"] == "Anne Leroy has sent a letter for your request"
    assert message["Reply-To"] == "Claire Martin <claire@cardiotech.example>"


def test_a_kept_message_whose_subject_holds_a_line_separator_is_sent_again(app, inbox):
    """Kept before this was fixed, it failed at each try; `flask mail send-pending` sends it."""
    with app.app_context():
        subject = "Anne\u2028Leroy has sent a letter for your request"
        mail.store([("claire@cardiotech.example", subject, "Body", "news of letter 1")])
        assert mail.send_pending() == (1, 0, 0)
    (message,) = inbox
    assert message["Subject"] == "Anne Leroy has sent a letter for your request"


def test_a_manufacturers_name_stored_with_a_line_separator_leaves_the_invitation_sent(
    app, manufacturer, inbox
):
    client, dossier_id = manufacturer
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        answers = {**dossier.answers()["manufacturer"], "legal_name": "Cardiotech\u2028SAS"}
        service.save_step(dossier, "manufacturer", answers)  # as stored before the fix
    assert invite(client, dossier_id).status_code == 303
    (message,) = inbox.to(INVITE["invite-email"])
    assert "Cardiotech SAS asks for your letter to ANSM" in message["Subject"]
    with app.app_context():
        assert invitations_of(dossier_id)[0].state == "sent"


def test_a_message_goes_through_smtp_with_sender_subject_and_body(app, inbox):
    with app.app_context():
        mail.send("someone@example.org", "Écho", "Ligne accentuée : é")
    (message,) = inbox
    assert message["From"] == app.config["MAIL_SENDER"] and message["Subject"] == "Écho"
    assert body_of(message).strip() == "Ligne accentuée : é"


def test_a_long_accented_subject_keeps_every_space(app, inbox):
    subject = (
        "Dr Élise Lefèvre a envoyé sa lettre pour votre demande à l’ANSM "
        "concernant le dispositif « VentriAssist Mini »"
    )
    with app.app_context():
        mail.send("someone@example.org", subject, "Corps")
    (message,) = inbox
    assert message["Subject"] == subject


def test_a_long_paragraph_leaves_in_lines_mail_servers_take(app, inbox):
    """A body's lines are at most 76 characters once encoded (RFC 2045): a decision's long
    grounds left as one line of 998, which spam filters mark and strict servers refuse; the
    subject stays one line all the same."""
    paragraph = "Absence d’alternative thérapeutique pour cette patiente. " * 40
    subject = "Décision de l’ANSM concernant le dispositif « VentriAssist Mini » " * 2
    with app.app_context():
        mail.send("someone@example.org", subject.strip(), paragraph)
    head, _blank, body = inbox.raw[0].partition(b"\r\n\r\n")
    assert max(len(line) for line in body.split(b"\r\n")) <= 76
    assert body_of(inbox[0]).strip() == paragraph.strip()
    assert inbox[0]["Subject"] == subject.strip()


def test_emails_after_the_response_leave_behind_a_file_too_and_one_failure_stops_no_other(
    app, inbox, monkeypatch, caplog
):
    """A file response is passed to the server as is, which would skip the callbacks that
    send the emails; and a message that fails does not keep the next from leaving."""
    import io

    from flask import send_file

    from wizard import create_app

    other = create_app({**app.config, "TESTING": True})

    @other.get("/test/file-with-news")
    def file_with_news():
        mail.send_after_response("a@example.org", "First", "Body", about="first news")
        mail.send_after_response("b@example.org\nBcc: x@example.org", "Bad", "Body", about="bad")
        mail.send_after_response("c@example.org", "Third", "Body", about="third news")
        return send_file(io.BytesIO(b"%PDF-1.4"), mimetype="application/pdf")

    response = other.test_client().get("/test/file-with-news")
    assert response.status_code == 200 and response.data == b"%PDF-1.4"
    assert [m["Subject"] for m in inbox] == ["First", "Third"]
    assert "bad to b@example.org" in caplog.text


# A name typed as an encoded word whose text is a line break, headers and an HTML body:
# Python decodes an encoded word met in a header, and before 3.11.10 (CVE-2024-6923) writes
# the line break as it is, so that the message would leave with them.
FORGED = (
    "Eve =?utf-8?q?=0D=0AReply=2DTo=3A_boss=40evil=2Eexample=0D=0AContent=2DType=3A_text=2Fhtml"
    "=0D=0A=0D=0A=3Ca_href=3Dhttps=3A=2F=2Fevil=2Eexample=3EConfirm=3C=2Fa=3E?="
)
# What the portal's messages carry, each once.
HEADERS = [
    "Content-Transfer-Encoding",
    "Content-Type",
    "Date",
    "From",
    "MIME-Version",
    "Message-ID",
    "Reply-To",
    "Subject",
    "To",
]


def assert_as_written(message) -> None:
    """The message has the portal's headers, each once, and its plain text alone."""
    assert sorted(message.keys()) == [h for h in HEADERS if h != "Reply-To" or message["Reply-To"]]
    assert message.get_content_type() == "text/plain"
    assert "evil.example" not in (message["Reply-To"] or "")
    assert "<a href" not in body_of(message)


def test_a_name_typed_as_an_encoded_word_adds_no_header_nor_body_to_an_email(app, inbox):
    with app.app_context():
        mail.send(
            "someone@example.org",
            f"{FORGED} has sent a letter for your request",
            "Body",
            reply_to=mail.reply_address(FORGED, "eve@example.org"),
        )
    (message,) = inbox
    assert_as_written(message)
    # Shown as typed: a word joiner (invisible) keeps it from being read as an encoding.
    shown = FORGED.replace("=?", "=\u2060?")
    assert message["Subject"] == f"{shown} has sent a letter for your request"
    assert message["Reply-To"].addresses[0].addr_spec == "eve@example.org"
    assert body_of(message).strip() == "Body"


def test_a_professionals_name_typed_as_an_encoded_word_reaches_the_manufacturer_harmless(
    app, manufacturer, inbox
):
    """The professional needs no account, only their link; their name is in the subject of the
    manufacturer's email."""
    client, dossier_id = manufacturer
    assert invite(client, dossier_id).status_code == 303
    link = link_in(inbox.to(INVITE["invite-email"])[-1])
    assert send_letter(app.test_client(), link, author_name=FORGED).status_code == 303
    told = inbox.to("claire@cardiotech.example")[-1]
    assert_as_written(told)
    assert "has sent a letter" in told["Subject"] and "Eve =\u2060?utf-8?q?" in told["Subject"]


def test_a_manufacturers_name_typed_as_an_encoded_word_reaches_the_professional_harmless(
    app, manufacturer, inbox
):
    client, dossier_id = manufacturer
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        answers = {**dossier.answers()["manufacturer"], "legal_name": FORGED}
        service.save_step(dossier, "manufacturer", answers)
    assert invite(client, dossier_id).status_code == 303
    (message,) = inbox.to(INVITE["invite-email"])
    assert_as_written(message)
    assert "asks for your letter to ANSM" in message["Subject"]


def test_a_name_holding_an_address_is_not_shown_as_the_reply_address():
    """ "ANSM <dg@ansm.sante.fr>" as a name would show a mail client ANSM's address."""
    assert mail.reply_address("Claire Martin", "claire@cardiotech.example") == (
        "Claire Martin <claire@cardiotech.example>"
    )
    for name in ("ANSM Direction <dg@ansm.sante.fr>", "dg@ansm.sante.fr"):
        assert mail.reply_address(name, "eve@example.org") == "eve@example.org"
