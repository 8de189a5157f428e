"""A session ends after `SESSION_IDLE_MINUTES` (four hours) without a request, counted from
the last one: a browser left signed in on a shared computer does not stay so."""

from __future__ import annotations

import time

import pytest
from flask import flash

from tests.conftest import login, make_user


@pytest.fixture
def clock_at(monkeypatch):
    """Move the time the session cookie is signed and read at (itsdangerous's `time.time`)."""
    start = time.time()

    def move(hours: float) -> None:
        monkeypatch.setattr(time, "time", lambda: start + hours * 3600)

    return move


def test_a_session_left_idle_ends_and_one_in_use_goes_on(app, client, clock_at):
    with app.app_context():
        make_user("claire@cardiotech.example")
    assert login(client, "claire@cardiotech.example").status_code == 303

    # In use: a request every three hours keeps it open, well past four hours in all.
    for hours in (3, 6, 9):
        clock_at(hours)
        assert client.get("/dashboard").status_code == 200, hours
    # Left for longer than four hours: it has ended.
    clock_at(13.1)
    assert client.get("/dashboard").location.startswith("/login")


def test_a_request_soon_after_the_last_does_not_sign_the_cookie_again(app, client, clock_at):
    with app.app_context():
        make_user("claire@cardiotech.example")
    assert login(client, "claire@cardiotech.example").status_code == 303
    client.get("/dashboard")  # the first page adds its form token to the session
    clock_at(0.05)  # three minutes
    assert "Set-Cookie" not in client.get("/dashboard").headers
    clock_at(0.5)  # half an hour: signed again, so that the idle time counts from now
    assert "session=" in client.get("/dashboard").headers.get("Set-Cookie", "")


def test_typing_on_a_page_keeps_the_session_open(app, client, clock_at):
    """A long answer is written on one page, which opens no other: while the person types,
    the page says so (`/session/alive`), and the idle time counts from then."""
    with app.app_context():
        make_user("claire@cardiotech.example")
    assert login(client, "claire@cardiotech.example").status_code == 303
    client.get("/dashboard")
    clock_at(3.5)  # typing for hours on the same page
    alive = client.get("/session/alive")
    assert alive.status_code == 204 and alive.headers["Cache-Control"] == "no-store"
    assert "session=" in alive.headers.get("Set-Cookie", "")
    clock_at(7)  # seven hours after the page was opened, three and a half after the typing
    assert client.get("/dashboard").status_code == 200
    clock_at(11.5)  # nothing for more than four hours since: ended
    assert client.get("/dashboard").location.startswith("/login")


def test_the_accessibility_statement_states_the_session_s_time_limit(app, client):
    page = " ".join(client.get("/accessibility").text.split())
    hours = app.config["SESSION_IDLE_MINUTES"] // 60
    assert f"your session ends after {hours} hours without activity" in page
    assert "no time limit" not in page


def test_the_word_from_a_typing_page_says_whether_anyone_is_signed_in(app, client):
    assert client.get("/session/alive").headers["X-Signed-Out"] == "true"
    with app.app_context():
        make_user("claire@cardiotech.example")
    assert login(client, "claire@cardiotech.example").status_code == 303
    assert "X-Signed-Out" not in client.get("/session/alive").headers


def test_each_signed_in_page_says_how_long_its_session_lasts(app, client, clock_at):
    """For its script to warn before the session ends: the whole idle time on a page that
    signs the cookie again, less the cookie's age on one that does not; and /session/alive
    says it again (what staying signed in sends)."""
    import re

    with app.app_context():
        make_user("claire@cardiotech.example")
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    assert "data-session-left" not in client.get("/login").text  # nobody signed in
    assert login(client, "claire@cardiotech.example").status_code == 303
    client.get("/dashboard")

    def left_on_page() -> int:
        return int(re.search(r'data-session-left="(\d+)"', client.get("/dashboard").text)[1])

    clock_at(0.05)  # three minutes later, not signed again: three minutes less
    assert idle - 181 <= left_on_page() <= idle - 179
    assert idle - 181 <= int(client.get("/session/alive").headers["X-Session-Seconds-Left"])
    clock_at(0.5)  # signed again: the whole time
    assert left_on_page() == idle
    clock_at(3.9)  # the dialog's time: staying signed in signs it again
    assert int(client.get("/session/alive").headers["X-Session-Seconds-Left"]) == idle
    page = client.get("/dashboard").text
    assert 'id="session-ending"' in page and "Stay signed in" in page
    assert "you will be signed out in 5 minutes if nothing happens" in page


def test_a_cookie_sent_again_holds_what_it_held_whatever_a_request_did_with_it(app, client):
    """A cookie's signature is checked once per server process (`wizard.sessions`), but the
    session is read afresh from it each time: a request that adds to what the session holds
    (a second message after a first one not shown yet) changes its own copy, not what the same
    cookie, sent again by another tab or after Back, holds."""
    with app.app_context():
        make_user("claire@cardiotech.example")
    assert login(client, "claire@cardiotech.example").status_code == 303
    details = {"details-name": "Claire Martin", "details-organisation_name": "Cardiotech"}
    assert client.post("/account/details", data=details).status_code == 303
    one_message = client.get_cookie("session").value  # "Your details are saved.", not shown
    assert client.post("/account/details", data=details).status_code == 303
    assert client.get("/account").text.count("Your details are saved.") == 2
    client.set_cookie("session", one_message)
    assert client.get("/account").text.count("Your details are saved.") == 1
    client.set_cookie("session", one_message + "x")  # not signed so: nobody is signed in
    assert client.get("/account").location.startswith("/login")


def test_a_cookie_is_remembered_at_its_own_size_however_much_its_session_holds(app, client):
    """What a server process remembers of a cookie whose signature it checked is part of the
    cookie: a compressed session (a thousand unread messages take two kilobytes) is decoded
    at each request, so that cookies collected and sent again cannot fill its memory."""
    from wizard import sessions

    with app.test_request_context():
        from flask import session

        for _ in range(1000):
            flash("Your details are saved.")
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    assert cookie.startswith(".") and len(cookie) < 2_000  # compressed
    client.set_cookie("session", cookie)
    page = client.get("/login").text  # the session read: its messages shown
    assert page.count("Your details are saved.") == 1000
    serializer = app.session_interface.get_signing_serializer(app)
    remembered, _signed_at = sessions._signed(serializer, cookie)  # what is kept of it
    assert isinstance(remembered, bytes) and len(remembered) < len(cookie)


def test_a_session_in_use_still_ends_twenty_hours_after_signing_in(app, client, clock_at):
    """However busy (a cookie taken from its browser, used every hour by someone else), a
    session ends `SESSION_MAX_HOURS` after signing in: twenty hours, past which WCAG 2.2.1
    asks for no warning. Signing in again starts a new one."""
    with app.app_context():
        make_user("claire@cardiotech.example")
    assert login(client, "claire@cardiotech.example").status_code == 303
    for hours in range(1, 20, 3):
        clock_at(hours)
        assert client.get("/dashboard").status_code == 200, hours
    clock_at(20.2)
    assert client.get("/dashboard").location.startswith("/login")
    assert login(client, "claire@cardiotech.example").status_code == 303
    assert client.get("/dashboard").status_code == 200
