"""A new account is used once the owner of its address has opened the link sent to it (a real
SMTP server receives it) and typed the account's password there: a mail filter opening the
link, or the owner of an address someone else registered, confirms nothing. Signing in before
that reads like a wrong password (registering then signing in must not tell a stranger whether
the address had an account) and sends a new link, not too often."""

from __future__ import annotations

import re
from datetime import timedelta

import itsdangerous.timed
from sqlalchemy import select

from tests.conftest import PASSWORD, make_user, without_csrf_tokens
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
    return client.post("/register", data={**REGISTRATION, **changes})


def sign_in(client, password=PASSWORD):
    return client.post("/login", data={"email": REGISTRATION["email"], "password": password})


def confirm(client, link, password=PASSWORD):
    return client.post(link, data={"password": password})


def test_the_link_asks_for_the_password_then_signs_in(app, client, inbox):
    registered = register(client)
    assert registered.status_code == 303 and registered.location == "/register/sent"
    sent = client.get("/register/sent")
    assert "We have sent a link to claire@cardiotech.example" in sent.text
    [message] = inbox.to("claire@cardiotech.example")
    # Written for whoever reads that mailbox: both languages, nothing the registrant typed.
    assert "Confirm your email address" in message["Subject"]
    assert "Confirmez votre adresse" in message["Subject"]
    assert body_of(message).startswith("Bonjour,") and "Hello," in body_of(message)
    assert "Claire Martin" not in body_of(message) and "Cardiotech" not in body_of(message)

    link = confirmation_link(message)
    opened = client.get(link)  # what a mail filter does, too: nothing changes
    assert opened.status_code == 200 and "Confirm your email address" in opened.text
    assert "For the account claire@cardiotech.example" in opened.text
    assert opened.headers["Referrer-Policy"] == "strict-origin"
    with app.app_context():
        assert not db.session.scalar(select(User)).email_confirmed
    wrong = confirm(client, link, "not the password at all")
    assert wrong.status_code == 422 and "This is not the password of this account." in wrong.text
    done = confirm(client, link)
    assert done.status_code == 303 and done.location == "/dashboard"
    assert "Your email address is confirmed" in client.get("/dashboard").text
    assert client.get_cookie("known_device", path="/login")  # a browser of the account now
    with app.app_context():
        assert db.session.scalar(select(User)).email_confirmed
    # Opened again later: already done.
    again = app.test_client().get(link)
    assert again.status_code == 303 and again.location == "/login"
    # …and, from the browser signed in since, not a call to sign in: one's own requests.
    signed_in = client.get(link)
    assert signed_in.status_code == 303 and signed_in.location == "/dashboard"
    page = client.get("/dashboard").text
    assert "Your email address is confirmed already." in page and "Sign in." not in page


def test_signing_in_before_confirming_reads_like_a_wrong_password_and_sends_a_link_hourly(
    client, inbox, monkeypatch
):
    register(client)
    unconfirmed, wrong = sign_in(client), sign_in(client, "not the password at all")
    assert unconfirmed.status_code == wrong.status_code == 422
    assert without_csrf_tokens(unconfirmed.text) == without_csrf_tokens(wrong.text)
    assert "Just created your account? Open the link we emailed you" in unconfirmed.text
    assert client.get("/dashboard").status_code == 302
    assert len(inbox.to("claire@cardiotech.example")) == 1  # the link of a minute ago will do

    later = clock.now() + timedelta(minutes=61)
    monkeypatch.setattr(clock, "now", lambda: later)
    sign_in(client)
    first, second = inbox.to("claire@cardiotech.example")
    assert "Confirm your email address" in second["Subject"]
    sign_in(client)
    assert len(inbox.to("claire@cardiotech.example")) == 2
    # The link sent at registration works as well as the new one.
    assert confirm(client, confirmation_link(first)).location == "/dashboard"


def test_registering_an_address_with_an_account_reads_the_same_and_signing_in_tells_nothing(
    app, client, inbox
):
    """A stranger registers an address, then signs in with the password they chose: whether
    the address had an account, both pages read the same."""
    from tests.conftest import make_user

    with app.app_context():
        make_user("taken@cardiotech.example")
    pages = {}
    for email in ("taken@cardiotech.example", "free@cardiotech.example"):
        browser = app.test_client()
        register(browser, email=email, password="chosen by a stranger")
        pages[email] = (
            browser.get("/register/sent").text,
            browser.post("/login", data={"email": email, "password": "chosen by a stranger"}),
        )
    (taken_page, taken_login), (free_page, free_login) = pages.values()
    assert taken_login.status_code == free_login.status_code == 422
    assert without_csrf_tokens(taken_page).replace("taken@", "free@") == without_csrf_tokens(
        free_page
    )
    assert without_csrf_tokens(taken_login.text).replace("taken@", "free@") == (
        without_csrf_tokens(free_login.text)
    )
    [told] = inbox.to("taken@cardiotech.example")
    assert "You already have an account" in told["Subject"]


def test_a_confirmation_link_works_only_as_sent_and_within_its_time(
    app, client, inbox, monkeypatch
):
    register(client)
    link = confirmation_link(inbox.to("claire@cardiotech.example")[0])
    for broken in (link[:-3], link.replace("/confirm/", "/confirm/x"), "/register/confirm/abc"):
        page = client.get(broken)
        assert page.status_code == 404 and "This link does not work" in page.text
        assert "Create your account again with the same address" in page.text
        assert confirm(client, broken).status_code == 404
    # Three days later: expired (itsdangerous reads the time itself: the edge moved).
    now = itsdangerous.timed.time.time() + 3 * 24 * 3600
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: now)
    assert confirm(client, link).status_code == 404
    monkeypatch.undo()
    with app.app_context():
        assert not db.session.scalar(select(User)).email_confirmed


def test_a_link_for_an_address_since_changed_does_not_confirm_the_new_one(app, client, inbox):
    register(client)
    link = confirmation_link(inbox.to("claire@cardiotech.example")[0])
    with app.app_context():
        db.session.scalar(select(User)).email = "someone.else@cardiotech.example"
        db.session.commit()
    assert confirm(client, link).status_code == 404


def test_choosing_a_new_password_by_email_link_confirms_the_address(app, client, inbox):
    register(client)
    client.post("/password/forgot", data={"email": REGISTRATION["email"]})
    reset = re.search(r"http://localhost(/password/reset/\S+)", body_of(inbox[-1]))
    assert body_of(inbox[-1]).startswith("Hello,")  # the name typed is not proven yet
    new_password = "orange kettle under seven bridges"
    changed = client.post(
        reset.group(1), data={"password": new_password, "confirmation": new_password}
    )
    assert changed.status_code == 303
    signed_in = sign_in(client, new_password)
    assert signed_in.status_code == 303 and signed_in.location == "/dashboard"


def test_the_pages_read_in_french(client, inbox):
    client.get("/language/fr")
    register(client)
    assert "Consultez votre messagerie" in client.get("/register/sent").text
    link = confirmation_link(inbox.to("claire@cardiotech.example")[0])
    assert "Confirmez votre adresse e-mail" in client.get(link).text


def test_registering_again_an_address_never_confirmed_replaces_that_registration(
    app, client, inbox
):
    """Whoever typed the address first (a typo, a stranger) cannot keep it from its owner:
    until confirmed, a new registration replaces the old one, and only its links work. The
    owner could not have confirmed the first one either: they do not know its password."""
    register(
        client, organisation_name="Squatter SAS", name="Mallory", password="first pass phrase!"
    )
    first_link = confirmation_link(inbox.to("claire@cardiotech.example")[0])
    # Opened by the owner (or their mail filter): without the stranger's password, nothing.
    assert confirm(client, first_link).status_code == 422
    register(client)
    second_link = confirmation_link(inbox.to("claire@cardiotech.example")[1])
    assert client.get(first_link).status_code == 404
    assert confirm(client, first_link, "first pass phrase!").status_code == 404
    assert confirm(client, second_link).location == "/dashboard"
    assert "Cardiotech Médical SAS" in client.get("/dashboard").text
    with app.app_context():
        [user] = db.session.scalars(select(User)).all()
        assert user.name == "Claire Martin" and user.organisation.name == "Cardiotech Médical SAS"
    # Confirmed, the account is kept: a third registration only tells its owner by email.
    register(app.test_client(), organisation_name="Squatter SAS", password="first pass phrase!")
    assert "You already have an account" in inbox.to("claire@cardiotech.example")[-1]["Subject"]
    assert sign_in(app.test_client()).status_code == 303
    assert sign_in(app.test_client(), "first pass phrase!").status_code == 422


def test_a_confirmation_link_opened_signed_in_as_another_account_says_it_signs_that_out(
    app, client, inbox
):
    with app.app_context():
        make_user("bob@other.example", "Other")
    assert client.post("/login", data={"email": "bob@other.example", "password": PASSWORD})
    assert register(client).status_code == 303
    link = confirmation_link(inbox.to("claire@cardiotech.example")[-1])
    page = " ".join(client.get(link).text.split())
    assert (
        "You are signed in as bob@other.example. Confirming this account signs you out of "
        "that one." in page
    )
    assert confirm(client, link).status_code == 303
    assert "Cardiotech" in client.get("/dashboard").text  # Claire's, now
