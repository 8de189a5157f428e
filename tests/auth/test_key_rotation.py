"""Changing `SECRET_KEY`: with the old key in `SECRET_KEY_FALLBACKS`, what it signed or sealed
still works (the signed-in session, a form open in the browser, a password-reset or
confirmation link, an email waiting to be sent) and the session moves to the new key; without
it, those end, as after a leak they must."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.auth.test_email_confirmation import REGISTRATION, confirmation_link
from tests.auth.test_password_reset import link_from
from tests.conftest import PASSWORD, make_user
from tests.flow.test_csrf import token_from
from tests.invites.conftest import free_port
from tests.test_config import production
from wizard import clock, create_app, mail
from wizard.config import ConfigurationError

OLD = "old-" + "o" * 60
NEW = "new-" + "n" * 60


@pytest.fixture
def app_with(app, tmp_path):
    """The portal restarted on the session's database with other keys, CSRF checked."""

    def restarted(key: str, former: tuple[str, ...] = ()):
        return create_app(
            {
                "TESTING": True,
                "INSTANCE_PATH": str(tmp_path / key[:3]),
                "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "SECRET_KEY": key,
                "SECRET_KEY_FALLBACKS": list(former),
                "RATELIMIT_ENABLED": False,
                **{k: app.config[k] for k in ("MAIL_HOST", "MAIL_PORT", "MAIL_USE_TLS")},
            }
        )

    return restarted


def signed_in(portal, email: str):
    client = portal.test_client()
    token = token_from(client.get("/login").text)
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 303 and answer.location == "/dashboard"
    return client


def moved_to(portal, client):
    """The same browser (its cookie) on another running portal."""
    browser = portal.test_client()
    browser.set_cookie("session", client.get_cookie("session").value)
    return browser


def test_a_session_and_an_open_form_carry_over_to_the_new_key(app, app_with):
    with app.app_context():
        make_user("claire@cardiotech.example")
    before = signed_in(app_with(OLD), "claire@cardiotech.example")
    open_form = token_from(before.get("/account").text)

    changed = app_with(NEW, former=(OLD,))
    browser = moved_to(changed, before)
    page = browser.get("/dashboard")
    assert page.status_code == 200 and "Your requests" in page.text
    # The form opened before the change is accepted: the sign-out it asks for happens.
    signed_out = moved_to(changed, browser)
    assert signed_out.post("/logout", data={"csrf_token": open_form}).status_code == 303
    assert signed_out.get("/dashboard").status_code == 302

    # The session was carried over at its first request: the old key can now go.
    assert browser.get("/dashboard").status_code == 302  # it was signed out just now
    again = moved_to(changed, signed_in(app_with(OLD), "claire@cardiotech.example"))
    assert again.get("/dashboard").status_code == 200
    assert moved_to(app_with(NEW), again).get("/dashboard").status_code == 200


def test_without_the_old_key_its_sessions_and_forms_end(app, app_with):
    with app.app_context():
        make_user("claire@cardiotech.example")
    before = signed_in(app_with(OLD), "claire@cardiotech.example")
    open_form = token_from(before.get("/account").text)

    browser = moved_to(app_with(NEW), before)
    assert browser.get("/dashboard").location.startswith("/login")
    refused = browser.post("/login", data={"csrf_token": open_form})
    assert refused.status_code == 400 and "Your form expired" in refused.text


def test_links_emailed_before_the_change_still_open_while_the_old_key_is_accepted(
    app, app_with, inbox
):
    with app.app_context():
        make_user("paul@cardiotech.example")
    before = app_with(OLD).test_client()
    form = token_from(before.get("/password/forgot").text)
    before.post("/password/forgot", data={"email": "paul@cardiotech.example", "csrf_token": form})
    reset = link_from(inbox, "paul@cardiotech.example")
    form = token_from(before.get("/register").text)
    before.post("/register", data={**REGISTRATION, "csrf_token": form})
    confirm = confirmation_link(inbox.to(REGISTRATION["email"])[0])

    changed = app_with(NEW, former=(OLD,)).test_client()
    assert "Choose a new password" in changed.get(reset).text
    assert changed.get(confirm).status_code == 200
    dropped = app_with(NEW).test_client()
    assert dropped.get(reset).status_code == 404
    assert dropped.get(confirm).status_code == 404


def test_an_email_waiting_when_the_key_changes_is_still_sent(app, app_with, inbox, monkeypatch):
    before = app_with(OLD)
    before.config["MAIL_PORT"] = free_port()  # the mail server is down: the message waits
    with before.app_context():
        mail.send_after_response(
            "paul@cardiotech.example", "Your request DA-2026-000042", "Hello Paul", about="test"
        )
    assert inbox.to("paul@cardiotech.example") == []

    later = clock.now() + timedelta(minutes=5)  # its next try is due
    monkeypatch.setattr(clock, "now", lambda: later)
    with app_with(NEW, former=(OLD,)).app_context():
        assert mail.send_pending() == (1, 0, 0)
    [message] = inbox.to("paul@cardiotech.example")
    assert message["Subject"] == "Your request DA-2026-000042"


def test_former_keys_are_read_from_the_environment_and_checked_in_production(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", NEW)
    monkeypatch.setenv("SECRET_KEY_FALLBACKS", f" {OLD}  {NEW} ")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SECRET_KEY_FALLBACKS"] == [OLD]  # the current key is not "former"

    production(monkeypatch, tmp_path)
    monkeypatch.setenv("MAIL_HOST", "smtp.derogations.example")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://derogations.example")
    monkeypatch.setenv("SECRET_KEY_FALLBACKS", "short")
    with pytest.raises(ConfigurationError, match="SECRET_KEY_FALLBACKS"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
