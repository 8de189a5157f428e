"""A new account signs in once the owner of its address has opened the link sent to it (a
real SMTP server receives it). Signing in before that sends a new link, not too often; a
password chosen through a reset link confirms the address too."""

from __future__ import annotations

import re
from datetime import timedelta

import itsdangerous.timed
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.invites.support import body_of
from wizard import clock
from wizard.extensions import db
from wizard.models import User

REGISTRATION = {
    "organisation_name": "Cardiotech Médical SAS",
    "name": "Claire Martin",
    "email": "claire@cardiotech.example",
    "password": PASSWORD,
}
LINK = re.compile(r"http://localhost(/register/confirm/\S+)")


def confirmation_link(message) -> str:
    match = LINK.search(body_of(message))
    assert match, body_of(message)
    return match.group(1)


def register(client, **changes):
    # Buffered: the email leaves once the response is closed, as after a server sent it.
    return client.post("/register", data={**REGISTRATION, **changes}, buffered=True)


def sign_in(client):
    return client.post(
        "/login", data={"email": REGISTRATION["email"], "password": PASSWORD}, buffered=True
    )


def test_signing_in_before_confirming_opens_no_session_and_sends_a_new_link_now_and_then(
    client, inbox, monkeypatch
):
    register(client)
    first = sign_in(client)
    assert first.status_code == 200 and "Confirm your email address first" in first.text
    assert "claire@cardiotech.example, is not confirmed yet" in first.text
    assert client.get("/dashboard").status_code == 302
    assert len(inbox.to("claire@cardiotech.example")) == 1  # the link of a minute ago will do

    later = clock.now() + timedelta(minutes=6)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert "Confirm your email address first" in sign_in(client).text
    first, second = inbox.to("claire@cardiotech.example")
    assert "Confirm your email address" in second["Subject"]
    # The link sent at registration works as well as the new one.
    assert client.get(confirmation_link(first)).status_code == 303
    assert sign_in(client).status_code == 303
    assert client.get("/dashboard").status_code == 200


def test_a_confirmation_link_works_only_as_sent_and_within_its_time(
    app, client, inbox, monkeypatch
):
    register(client)
    link = confirmation_link(inbox.to("claire@cardiotech.example")[0])
    for broken in (link[:-3], link.replace("/confirm/", "/confirm/x"), "/register/confirm/abc"):
        page = client.get(broken)
        assert page.status_code == 404 and "This link does not work" in page.text
        assert "Sign in with your email address and password" in page.text
        assert page.headers["Referrer-Policy"] == "no-referrer"
    # Three days later: expired (itsdangerous reads the time itself: the edge moved).
    now = itsdangerous.timed.time.time() + 3 * 24 * 3600
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: now)
    assert client.get(link).status_code == 404
    monkeypatch.undo()
    with app.app_context():
        assert not db.session.scalar(select(User)).email_confirmed
    # Opened twice (a mail scanner first, then the person): the second says it is done.
    assert client.get(link).status_code == 303
    again = client.get(link, follow_redirects=True)
    assert "Your email address is confirmed" in again.text


def test_a_link_for_an_address_since_changed_does_not_confirm_the_new_one(app, client, inbox):
    register(client)
    link = confirmation_link(inbox.to("claire@cardiotech.example")[0])
    with app.app_context():
        db.session.scalar(select(User)).email = "someone.else@cardiotech.example"
        db.session.commit()
    assert client.get(link).status_code == 404


def test_choosing_a_new_password_by_email_link_confirms_the_address(app, client, inbox):
    register(client)
    client.post("/password/forgot", data={"email": REGISTRATION["email"]}, buffered=True)
    reset = re.search(r"http://localhost(/password/reset/\S+)", body_of(inbox[-1]))
    new_password = "orange kettle under seven bridges"
    changed = client.post(
        reset.group(1), data={"password": new_password, "confirmation": new_password}
    )
    assert changed.status_code == 303
    signed_in = client.post(
        "/login", data={"email": REGISTRATION["email"], "password": new_password}
    )
    assert signed_in.status_code == 303 and signed_in.location == "/dashboard"


def test_the_pages_and_email_read_in_french(client, inbox):
    client.get("/language/fr")
    page = register(client)
    assert "Consultez votre messagerie" in page.text
    [message] = inbox.to("claire@cardiotech.example")
    assert "Confirmez votre adresse" in message["Subject"]
    assert "Bonjour Claire Martin," in body_of(message)


def test_registering_again_an_address_never_confirmed_replaces_that_registration(
    app, client, inbox
):
    """Whoever typed the address first (a typo, a stranger) cannot keep it from its owner:
    until confirmed, a new registration replaces the old one, and only its link works."""
    register(
        client, organisation_name="Squatter SAS", name="Mallory", password="first pass phrase!"
    )
    register(client)
    first, second = inbox.to("claire@cardiotech.example")
    assert "Hello Mallory," in body_of(first) and "Hello Claire Martin," in body_of(second)
    assert client.get(confirmation_link(first)).status_code == 404
    assert client.get(confirmation_link(second)).status_code == 303
    refused = client.post(
        "/login", data={"email": REGISTRATION["email"], "password": "first pass phrase!"}
    )
    assert refused.status_code == 422
    assert sign_in(client).status_code == 303
    assert "Cardiotech Médical SAS" in client.get("/dashboard").text
    with app.app_context():
        [user] = db.session.scalars(select(User)).all()
        assert user.name == "Claire Martin" and user.organisation.name == "Cardiotech Médical SAS"
    # Confirmed, the account is kept: a third registration only tells its owner by email.
    register(client, organisation_name="Squatter SAS", password="first pass phrase!")
    assert "You already have an account" in inbox.to("claire@cardiotech.example")[-1]["Subject"]
    assert sign_in(app.test_client()).status_code == 303
