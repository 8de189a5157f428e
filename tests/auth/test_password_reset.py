"""A forgotten password: a link by email (to a real SMTP server), which sets a new password
once, within its time; the pages never reveal whether an account exists."""

from __future__ import annotations

import html
import re
import time

from sqlalchemy import func, select

from tests.conftest import PASSWORD, login, without_csrf_tokens
from tests.invites.support import body_of
from wizard.extensions import db
from wizard.models import OutgoingEmail

NEW_PASSWORD = "orange kettle under seven bridges"
LINK = re.compile(r"http://localhost(/password/reset/\S+)")


def ask_link(client, email="claire@cardiotech.example", **options):
    # Buffered: the response is closed once read, as a server closes it once sent; the email
    # leaves then.
    return client.post("/password/forgot", data={"email": email}, buffered=True, **options)


def link_from(inbox, email="claire@cardiotech.example") -> str:
    [message] = inbox.to(email)
    match = LINK.search(body_of(message))
    assert match, body_of(message)
    return match.group(1)


def test_the_sign_in_page_leads_to_the_forgotten_password_page(client):
    page = client.get("/login").text
    assert 'href="/password/forgot"' in page
    assert "Forgotten password" in client.get("/password/forgot").text


def test_a_link_by_email_sets_a_new_password_once(app, client, user, inbox):
    sent = ask_link(client, "Claire@Cardiotech.example")  # any case, as at sign-in
    assert sent.status_code == 303 and sent.location == "/password/forgot/sent"
    assert "If an account uses claire@cardiotech.example" in client.get(sent.location).text
    [message] = inbox.to("claire@cardiotech.example")
    assert "Choose a new password" in message["Subject"]
    assert "It works once, for 60 minutes" in body_of(message)
    link = link_from(inbox)

    page = client.get(link)
    assert page.status_code == 200 and "For the account claire@cardiotech.example." in page.text
    changed = client.post(link, data={"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert changed.status_code == 303 and changed.headers["Location"] == "/login"
    assert "Your password is changed" in client.get("/login").text

    assert login(app.test_client(), user[1], PASSWORD).status_code == 422
    assert login(app.test_client(), user[1], NEW_PASSWORD).status_code == 303
    # Used: the same link no longer works.
    again = client.get(link)
    assert again.status_code == 404 and "This link no longer works" in again.text
    assert client.post(link, data={"password": "x", "confirmation": "x"}).status_code == 404


def test_the_sent_page_stays_when_its_language_is_switched(client, user, inbox):
    """After a redirect, as registering: the header's language switch (a link back to the
    page) shows the page again, not an empty form that looks as if nothing was sent."""
    sent = ask_link(client)
    page = client.get(sent.location)
    switch = f'href="/language/fr?next={sent.location}"'
    assert switch in page.text
    back = client.get(f"/language/fr?next={sent.location}")
    assert back.location == "/password/forgot/sent"
    french = client.get(back.location)
    assert french.status_code == 200 and "claire@cardiotech.example" in french.text
    assert '<form method="post"' not in french.text
    assert len(inbox.to(user[1])) == 1  # reloaded or switched: nothing sent again
    # Opened without asking first (another browser): the form.
    elsewhere = client.application.test_client().get("/password/forgot/sent")
    assert elsewhere.status_code == 302 and elsewhere.location == "/password/forgot"


def test_an_unknown_address_gets_the_same_page_and_no_email(client, user, inbox):
    unknown = ask_link(client, "nobody@cardiotech.example")
    unknown_page = client.get("/password/forgot/sent")
    known = ask_link(client)
    known_page = client.get("/password/forgot/sent")
    assert unknown.status_code == known.status_code == 303
    assert unknown.location == known.location and unknown.data == known.data
    assert unknown_page.status_code == known_page.status_code == 200
    assert without_csrf_tokens(unknown_page.text).replace("nobody", "claire") == (
        without_csrf_tokens(known_page.text)
    )
    assert inbox.to("nobody@cardiotech.example") == []


def test_a_weak_or_mistyped_new_password_is_explained_and_nothing_changes(app, client, user, inbox):
    ask_link(client)
    link = link_from(inbox)
    weak = client.post(link, data={"password": "short", "confirmation": "short"})
    assert weak.status_code == 422
    assert "at least 12 characters" in weak.text and "There is a problem" in weak.text
    typo = client.post(link, data={"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD + "!"})
    assert typo.status_code == 422 and "The two passwords are not the same." in typo.text
    mine = client.post(
        link, data={"password": "claire-cardiotech-2026", "confirmation": "claire-cardiotech-2026"}
    )
    # Said which part (the address before its "@"), which a word may hold unseen.
    assert (
        "Your password must not contain the start of your email address, “claire”."
        in html.unescape(mine.text)
    )
    company = client.post(
        link, data={"password": "welcome to CARDIOTECH", "confirmation": "welcome to CARDIOTECH"}
    )
    assert "Your password must not contain your organisation's name, “Cardiotech”." in (
        html.unescape(company.text)
    )
    assert login(app.test_client(), user[1], PASSWORD).status_code == 303


def test_a_link_expires_and_a_forged_one_never_works(client, user, inbox, monkeypatch):
    ask_link(client)
    link = link_from(inbox)
    later = time.time() + 3601
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get(link).status_code == 404
    monkeypatch.undo()
    token = link.rsplit("/", 1)[1]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/password/reset/{forged}").status_code == 404
    assert client.get(link).status_code == 200


def test_a_link_sent_before_a_password_change_stops_working(app, client, user, inbox):
    ask_link(client)
    ask_link(client)
    first, second = (LINK.search(body_of(m)).group(1) for m in inbox.to(user[1]))
    client.post(second, data={"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert client.get(first).status_code == 404


def test_links_asked_for_one_address_are_limited_whether_or_not_it_exists(
    limited_app, user, tmp_path
):
    limited_app.config["MAIL_OUTBOX"] = tmp_path / "outbox"
    client = limited_app.test_client()
    for email in ("claire@cardiotech.example", "nobody@cardiotech.example"):
        for number in range(3):
            sent = ask_link(client, email, environ_base={"REMOTE_ADDR": f"198.51.100.{number}"})
            assert sent.status_code == 303
        refused = ask_link(client, email, environ_base={"REMOTE_ADDR": "192.0.2.9"})
        assert refused.status_code == 429 and "Too many links asked for" in refused.text
    assert len(list((limited_app.config["MAIL_OUTBOX"]).iterdir())) == 3


def test_the_link_is_on_the_public_address_whatever_host_the_request_names(
    app, client, user, inbox, monkeypatch
):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://derogations.example")
    ask_link(
        client,
        user[1],
        headers={"Host": "attacker.example", "X-Forwarded-Host": "attacker.example"},
    )
    body = body_of(inbox.to(user[1])[0])
    assert "https://derogations.example/password/reset/" in body
    assert "attacker" not in body


def test_a_new_password_signs_out_every_other_session(app, client, user, inbox):
    elsewhere = app.test_client()  # e.g. a computer left signed in, or someone else's
    assert login(elsewhere, user[1]).status_code == 303
    assert elsewhere.get("/dashboard").status_code == 200
    ask_link(client)
    client.post(link_from(inbox), data={"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    signed_out = elsewhere.get("/dashboard")
    assert signed_out.status_code == 302 and "/login" in signed_out.location
    assert login(elsewhere, user[1], NEW_PASSWORD).status_code == 303
    assert elsewhere.get("/dashboard").status_code == 200
    # The owner is told; chosen by a link, the danger is someone reading their email, not
    # knowing their password.
    _link, notice = inbox.to(user[1])
    told = " ".join(body_of(notice).split())
    assert "someone else can read your email: secure your mailbox" in told
    assert "someone else knows your password" not in told


def test_the_email_leaves_once_the_page_is_sent_and_the_reset_page_is_private(
    app, client, user, inbox
):
    # Known or unknown address, the page comes back as fast: the email leaves afterwards.
    response = client.post("/password/forgot", data={"email": user[1]}, buffered=False)
    assert response.status_code == 303 and inbox.to(user[1]) == []
    # Not even kept yet: writing it down would make the page slower for a known address.
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutgoingEmail)) == 0
    response.close()  # what a server does once the page is sent
    link = link_from(inbox)
    page = client.get(link)
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "strict-origin"


def test_a_reset_that_confirms_a_registration_does_not_greet_with_what_a_stranger_typed(
    app, client, inbox
):
    """Anyone may register an address; its owner, resetting the password, proves it and
    confirms the account. The name typed at registration may be a stranger's text: the
    email greets nobody by it, and the owner is told to check their details."""
    stranger = app.test_client()
    registered = stranger.post(
        "/register",
        data={
            "organisation_name": "Call +33 1 23 45 67 89",
            "name": "URGENT call +33 1 23 45 67 89",
            "email": "owner@hospital.example",
            "password": PASSWORD,
        },
    )
    assert registered.status_code in (200, 303)
    inbox.clear()
    assert ask_link(client, "owner@hospital.example").status_code == 303
    link = link_from(inbox, "owner@hospital.example")
    changed = client.post(link, data={"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert changed.status_code == 303
    page = " ".join(client.get("/login").text.split())
    assert "check your name and your manufacturer&#39;s name on “Your account”" in page
    [told] = [m for m in inbox.to("owner@hospital.example") if "changed" in m["Subject"]]
    assert "URGENT" not in body_of(told) and "Hello," in body_of(told)


def test_a_new_password_chosen_signed_in_to_another_account_signs_that_one_out(
    app, client, user, inbox
):
    """The link proves the mailbox of the account it was sent for, not of the one signed in
    in that browser: that one is signed out, and the sign-in page is the account's."""
    from tests.conftest import make_user

    with app.app_context():
        make_user("paul@orthomed.example", organisation="Orthomed")
    assert login(client, "paul@orthomed.example").status_code == 303
    ask_link(app.test_client())
    link = link_from(inbox)
    page = " ".join(client.get(link).text.split())
    assert "For the account claire@cardiotech.example." in page
    assert (
        "You are signed in as paul@orthomed.example. Choosing a new password for this account "
        "signs you out." in page
    )
    changed = client.post(link, data={"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert changed.status_code == 303 and changed.location == "/login"
    signing_in = client.get("/login")
    assert signing_in.status_code == 200  # not Paul's requests
    assert "Your password is changed. Sign in with it." in signing_in.text
    assert 'value="claire@cardiotech.example"' in signing_in.text
    assert client.get("/dashboard").status_code == 302  # Paul is signed out
    assert login(client, user[1], NEW_PASSWORD).status_code == 303


def test_the_reset_page_says_nothing_of_a_session_of_its_own_account(app, client, user, inbox):
    assert login(client, user[1]).status_code == 303
    ask_link(client)
    assert "You are signed in as" not in client.get(link_from(inbox)).text


def test_a_reviewer_closed_by_the_administrators_is_told_a_password_would_not_help(
    app, client, inbox
):
    from tests.conftest import make_user
    from wizard.models import Role

    with app.app_context():
        make_user("leaving@ansm.example", role=Role.REVIEWER)
    assert (
        app.test_cli_runner().invoke(args=["remove-reviewer", "leaving@ansm.example"]).exit_code
        == 0
    )
    assert ask_link(client, "leaving@ansm.example").status_code == 303
    [told] = inbox.to("leaving@ansm.example")
    body = " ".join(body_of(told).split())
    assert "The portal's administrators have closed your reviewer account" in body
    assert "/password/reset/" not in body and "colleague" not in body
