"""Guessing passwords is slowed per address and per account, and the refusal does not reveal
whether an account exists."""

from __future__ import annotations

import re

from tests.conftest import PASSWORD, make_user
from tests.invites.support import body_of
from wizard import create_app


def attempt(client, email, password="wrong password!!", address="198.51.100.4"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_an_account_is_paused_after_failures_and_the_page_reveals_nothing(limited_app):
    with limited_app.app_context():
        make_user("claire@cardiotech.example")
    client = limited_app.test_client()
    for email in ("claire@cardiotech.example", "nobody@cardiotech.example"):
        for number in range(5):
            assert attempt(client, email, address=f"198.51.100.{number}").status_code == 422
        refused = attempt(client, email, address="198.51.100.99")
        assert refused.status_code == 429
        assert "Too many sign-in attempts" in refused.text
        pages = refused.text
    # The right password is refused too while the account is paused: guessing cannot go on.
    assert attempt(client, "claire@cardiotech.example", PASSWORD).status_code == 429
    assert "claire" not in pages


def test_an_address_is_paused_after_many_failures_on_any_accounts(limited_app):
    client = limited_app.test_client()
    for number in range(20):
        assert attempt(client, f"user{number}@example.org").status_code == 422
    paused = attempt(client, "someone@example.org")
    assert paused.status_code == 429
    # The connection paused, not an account: a new password would change nothing.
    assert "Choose a new password" not in paused.text
    assert "many failed attempts from your connection. Wait a minute" in " ".join(
        paused.text.split()
    )
    assert attempt(client, "someone@example.org", address="192.0.2.1").status_code == 422


def test_successful_sign_ins_do_not_count(limited_app):
    with limited_app.app_context():
        make_user("claire@cardiotech.example")
    for _ in range(8):
        client = limited_app.test_client()
        response = attempt(client, "claire@cardiotech.example", PASSWORD)
        assert response.status_code == 303


def forwarded(client, email, forwarded_for: str):
    return client.post(
        "/login",
        data={"email": email, "password": "wrong password!!"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},  # the reverse proxy
        headers={"X-Forwarded-For": forwarded_for},
    )


def test_behind_a_trusted_proxy_each_client_address_has_its_own_budget(limited_app):
    proxied = create_app({**limited_app.config, "TRUSTED_PROXIES": 1})
    client = proxied.test_client()
    for number in range(20):
        assert forwarded(client, f"user{number}@example.org", "203.0.113.7").status_code == 422
    assert forwarded(client, "someone@example.org", "203.0.113.7").status_code == 429
    # Another client behind the same proxy is not paused with the first one.
    assert forwarded(client, "someone@example.org", "203.0.113.8").status_code == 422


def test_without_trusted_proxies_a_forged_forwarded_address_changes_nothing(limited_app):
    client = limited_app.test_client()
    for number in range(20):
        assert (
            forwarded(client, f"user{number}@example.org", f"203.0.113.{number}").status_code == 422
        )
    # Every attempt came from the proxy's own address, whatever the header claimed.
    assert forwarded(client, "someone@example.org", "203.0.113.99").status_code == 429


def test_htmx_requests_count_like_any_other(limited_app):
    client = limited_app.test_client()
    for number in range(5):
        response = client.post(
            "/login",
            data={"email": "claire@cardiotech.example", "password": "wrong password!!"},
            headers={"HX-Request": "true"},
            environ_base={"REMOTE_ADDR": f"198.51.100.{number}"},
        )
        assert response.status_code == 200  # htmx gets the refused form with 200
    assert attempt(client, "claire@cardiotech.example").status_code == 429


def test_another_spelling_of_the_address_shares_its_budget(limited_app):
    client = limited_app.test_client()
    spellings = [
        "claire@cardiotech.example",
        "Claire@CARDIOTECH.example",
        "claire@\uff43ardiotech.example",  # a full-width c
        "claire@cardiotech\u3002example",  # an ideographic full stop
        " claire@cardiotech.example ",
    ]
    for number, spelling in enumerate(spellings):
        assert attempt(client, spelling, address=f"198.51.100.{number}").status_code == 422
    assert attempt(client, "claire@cardiotech.example").status_code == 429


def test_a_stranger_guessing_cannot_lock_the_owner_out_of_a_browser_they_signed_in_from(
    limited_app,
):
    with limited_app.app_context():
        make_user("claire@cardiotech.example")
        make_user("paul@cardiotech.example", organisation="Orthomed")
    owner = limited_app.test_client()
    assert attempt(owner, "claire@cardiotech.example", PASSWORD, "192.0.2.7").status_code == 303
    assert owner.get_cookie("known_device", path="/login").http_only
    owner.post("/logout")

    stranger = limited_app.test_client()
    for number in range(5):
        assert (
            attempt(
                stranger, "claire@cardiotech.example", address=f"203.0.113.{number}"
            ).status_code
            == 422
        )
    assert attempt(stranger, "claire@cardiotech.example", PASSWORD).status_code == 429
    # A new computer has no budget of its own: the same refusal.
    new_computer = limited_app.test_client()
    assert (
        attempt(new_computer, "claire@cardiotech.example", PASSWORD, "192.0.2.8").status_code == 429
    )

    # The owner's browser signs in: its own budget, which the stranger did not spend.
    assert attempt(owner, "claire@cardiotech.example", PASSWORD, "192.0.2.7").status_code == 303
    owner.post("/logout")
    # …for that account only, and its own failures still count.
    assert attempt(owner, "paul@cardiotech.example", address="192.0.2.7").status_code == 422
    for _ in range(5):
        assert attempt(owner, "claire@cardiotech.example", address="192.0.2.7").status_code == 422
    assert attempt(owner, "claire@cardiotech.example", PASSWORD, "192.0.2.7").status_code == 429

    # The cookie cannot be made up, nor carried to another account.
    forger = limited_app.test_client()
    forger.set_cookie("known_device", "e30.forged.signature", path="/login")
    assert attempt(forger, "claire@cardiotech.example", PASSWORD, "198.51.100.9").status_code == 429


def test_a_new_password_chosen_by_email_link_lets_that_browser_sign_in_while_paused(
    app, limited_app, inbox
):
    """The owner of a paused account, on a computer they never signed in from, is offered a
    new password; choosing it proves the mailbox, and that browser then signs in at once. The
    pause stays for everyone else."""
    for key in ("MAIL_HOST", "MAIL_PORT", "MAIL_USE_TLS"):
        limited_app.config[key] = app.config[key]
    limited = create_app(limited_app.config)
    with limited.app_context():
        make_user("claire@cardiotech.example")
    stranger = limited.test_client()
    for number in range(5):
        refused = attempt(stranger, "claire@cardiotech.example", address=f"203.0.113.{number}")
        assert refused.status_code == 422
    owner = limited.test_client()
    paused = attempt(owner, "claire@cardiotech.example", PASSWORD, "192.0.2.7")
    assert paused.status_code == 429
    assert "or choose a new password" in paused.text
    assert 'href="/password/forgot">Choose a new password</a>' in paused.text

    asked = owner.post(
        "/password/forgot",
        data={"email": "claire@cardiotech.example"},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
        buffered=True,
    )
    assert asked.status_code == 303
    (message,) = inbox.to("claire@cardiotech.example")
    link = re.search(r"http://localhost(/password/reset/\S+)", body_of(message))[1]
    new = "orange kettle under seven bridges"
    chosen = owner.post(link, data={"password": new, "confirmation": new})
    assert chosen.status_code == 303
    assert attempt(owner, "claire@cardiotech.example", new, "192.0.2.7").status_code == 303
    # Anyone else still waits, even with the new password.
    assert attempt(stranger, "claire@cardiotech.example", new, "198.51.100.5").status_code == 429
