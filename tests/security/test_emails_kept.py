"""Emails that leave after the response are kept in the database until sent: a mail server
down, or a worker stopped before it sent them, loses none; `flask mail send-pending` sends
them. What is kept cannot be read without the app's secret, and is deleted once sent."""

from __future__ import annotations

import re
import socket
import struct
import threading
import time
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import select, update
from werkzeug.serving import make_server

from tests.invites.support import body_of, free_port
from wizard import clock, mail
from wizard.extensions import db
from wizard.models import OutgoingEmail

REGISTRATION = {
    "organisation_name": "Cardiotech",
    "name": "Claire Martin",
    "email": "claire@cardiotech.example",
    "password": "correct horse battery staple",
}


def kept() -> list[OutgoingEmail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutgoingEmail).order_by(OutgoingEmail.id)))


@pytest.mark.parametrize("now_asked", [False, True])
def test_an_email_the_mail_server_refused_leaves_with_the_next_run_of_the_command(
    app, client, inbox, monkeypatch, now_asked
):
    working_port = app.config["MAIL_PORT"]
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens: refused
    registered = client.post("/register", data=REGISTRATION)
    assert registered.status_code == 303  # the person sees nothing of it
    assert not inbox
    with app.app_context():
        (waiting,) = kept()
        assert waiting.attempts == 1 and waiting.next_attempt_at is not None
        assert waiting.last_error.startswith("ConnectionRefusedError")  # why, not what
        assert "confirm" not in waiting.last_error.lower()
        assert "claire@cardiotech.example" == waiting.recipients
        # The link it carries opens an account: not readable from the database alone.
        assert "/register/confirm/" not in waiting.sealed and "Hello" not in waiting.sealed

    monkeypatch.setitem(app.config, "MAIL_PORT", working_port)  # the server is back
    runner = app.test_cli_runner()
    # Not at once: after a failure, the next try waits a little (longer each time), said,
    # with how to try it now (the settings just put right).
    early = runner.invoke(args=["mail", "send-pending"]).output
    assert "0 sent, 0 failed" in early
    assert "1 waiting for their next try, the first at " in early
    assert "`flask mail send-pending --now` tries them now." in early
    if now_asked:
        result = runner.invoke(args=["mail", "send-pending", "--now"])
    else:
        later = clock.now() + timedelta(minutes=2)
        monkeypatch.setattr(clock, "now", lambda: later)
        result = runner.invoke(args=["mail", "send-pending"])
    assert result.exit_code == 0, result.output
    assert "1 sent, 0 failed" in result.output and "waiting" not in result.output
    (message,) = inbox.to("claire@cardiotech.example")
    link = re.search(r"https?://[^/\s]+(/register/confirm/\S+)", body_of(message)).group(1)
    assert client.get(link).status_code == 200  # the link it carries works
    assert "0 sent, 0 failed" in runner.invoke(args=["mail", "send-pending"]).output
    assert len(inbox) == 1  # sent once
    with app.app_context():
        assert kept() == []  # sent: nothing of it stays


def test_an_email_sent_after_the_response_leaves_nothing_behind(app, client, inbox):
    assert client.post("/register", data=REGISTRATION).status_code == 303
    assert len(inbox.to("claire@cardiotech.example")) == 1
    with app.app_context():
        assert kept() == []
    assert "0 sent, 0 failed" in app.test_cli_runner().invoke(args=["mail", "send-pending"]).output
    assert len(inbox) == 1


def test_a_message_is_tried_for_three_days_then_left_and_reported(app, inbox, monkeypatch):
    with app.app_context():
        mail.store([("a@example.org", "Subject", "Body", "test message")])
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    runner = app.test_cli_runner()
    failed = runner.invoke(args=["mail", "send-pending"])
    assert failed.exit_code == 1 and "0 sent, 1 failed" in failed.output
    start = clock.now()
    for hours in (1, 5, 30):  # a mail server down for a day: tried all along
        monkeypatch.setattr(clock, "now", lambda hours=hours: start + timedelta(hours=hours))
        assert "0 sent, 1 failed" in runner.invoke(args=["mail", "send-pending"]).output
    monkeypatch.setattr(clock, "now", lambda: start + mail.MAX_AGE + timedelta(hours=1))
    result = runner.invoke(args=["mail", "send-pending"])
    assert "0 sent, 0 failed" in result.output and "1 left unsent after 3 days" in result.output
    monkeypatch.setattr(clock, "now", lambda: start + mail.MAX_AGE + mail.LEFT_KEPT + timedelta(1))
    assert "left" not in runner.invoke(args=["mail", "send-pending"]).output  # deleted
    assert not inbox


def test_a_message_sealed_with_another_secret_fails_saying_why(app, inbox, monkeypatch):
    with app.app_context():
        mail.store([("a@example.org", "Subject", "Body", "test message")])
    monkeypatch.setitem(app.config, "SECRET_KEY", "another secret of at least 32 characters!")
    assert "0 sent, 1 failed" in app.test_cli_runner().invoke(args=["mail", "send-pending"]).output
    with app.app_context():
        (waiting,) = kept()
        assert waiting.last_error.startswith("InvalidToken")
    assert not inbox


def test_a_message_a_stopped_worker_had_taken_is_sent_once_its_claim_is_old(
    app, inbox, monkeypatch
):
    """A worker stopped between keeping a message and sending it (or while sending it)."""
    with app.app_context():
        [email_id] = mail.store([("b@example.org", "News", "Your request…", "test message")])
        db.session.execute(
            update(OutgoingEmail)
            .where(OutgoingEmail.id == email_id)
            .values(claimed_at=clock.now(), attempts=1)
        )
        db.session.commit()
    runner = app.test_cli_runner()
    # Taken a moment ago: perhaps being sent right now by that worker; left alone.
    assert "0 sent, 0 failed" in runner.invoke(args=["mail", "send-pending"]).output
    assert not inbox
    later = clock.now() + mail.CLAIM_TIMEOUT + timedelta(minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert "1 sent, 0 failed" in runner.invoke(args=["mail", "send-pending"]).output
    (message,) = inbox.to("b@example.org")
    assert message["Subject"] == "News" and body_of(message).strip() == "Your request…"


def test_an_email_the_database_cannot_keep_is_sent_all_the_same(app, client, inbox):
    """Better sent without a copy than not at all (the table is gone: the database refuses)."""
    table = OutgoingEmail.__table__
    with app.app_context():
        table.drop(db.engine)
    try:
        assert client.post("/register", data=REGISTRATION).status_code == 303
    finally:
        with app.app_context():
            table.create(db.engine)
    (message,) = inbox.to("claire@cardiotech.example")
    assert "/register/confirm/" in body_of(message)


def test_an_email_leaves_even_when_the_browser_hangs_up_at_once(app, inbox):
    """A browser that has the redirect it follows may reset the connection straight away;
    Werkzeug's development server then skips closing the response. The email leaves once the
    body is written, whatever the server does next."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    body = urlencode(REGISTRATION).encode()
    request = (
        b"POST /register HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    try:
        with socket.create_connection(("127.0.0.1", server.server_port)) as connection:
            connection.sendall(request)
            response = b""
            while b"\r\n\r\n" not in response:
                response += connection.recv(65536)
            assert response.startswith(b"HTTP/1.1 303")
            # Closed with a reset (no lingering), as a browser may.
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        deadline = time.monotonic() + 5
        while not inbox and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        server.shutdown()
    assert len(inbox.to("claire@cardiotech.example")) == 1
