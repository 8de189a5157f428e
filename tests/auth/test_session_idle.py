"""A session ends after `SESSION_IDLE_MINUTES` (four hours) without a request, counted from
the last one: a browser left signed in on a shared computer does not stay so."""

from __future__ import annotations

import time

import pytest

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
