"""Guessing invite links is rate-limited per client address (Flask-Limiter, as configured)."""

from __future__ import annotations

import secrets

import pytest

from tests.conftest import login
from tests.invites.support import (
    INVITE,
    LETTER,
    invitations_of,
    invite,
    letters_of,
    link_in,
    send_letter,
)
from wizard import create_app
from wizard.demo import minimal_pdf


@pytest.fixture
def limited_app(app, tmp_path):
    # The session's database, with the limiter on (the other tests switch it off).
    limited = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path),
            "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "INVITE_RATE_LIMIT": "30 per minute",
        }
    )
    return limited


def guess(client, address="203.0.113.7"):
    token = secrets.token_urlsafe(32)
    return client.get(f"/invitations/{token}", environ_base={"REMOTE_ADDR": address})


def test_the_31st_guess_from_one_address_is_refused(limited_app):
    client = limited_app.test_client()
    for attempt in range(30):
        assert guess(client).status_code == 404, attempt
    refused = guess(client)
    assert refused.status_code == 429
    assert "Too many attempts" in refused.text and "Traceback" not in refused.text
    assert int(refused.headers["Retry-After"]) > 0
    # The limit is per address: another one still gets its plain "does not work" page.
    assert guess(client, "198.51.100.4").status_code == 404


def test_a_clinician_with_a_good_link_is_never_counted_as_guessing(
    app, limited_app, manufacturer, inbox
):
    for key in ("MAIL_HOST", "MAIL_PORT", "MAIL_USE_TLS"):
        limited_app.config[key] = app.config[key]
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    link = link_in(inbox.to(INVITE["invite-email"])[0])
    clinician = limited_app.test_client()
    address = {"REMOTE_ADDR": "192.0.2.10"}
    for _ in range(40):  # opening the page and its live checks, many times over
        assert clinician.get(link, environ_base=address).status_code == 200
    for _ in range(30):
        guess(clinician, "192.0.2.10")
    assert clinician.get(link, environ_base=address).status_code == 429


def test_invitation_emails_have_a_daily_budget_per_account(
    app, user, limited_app, manufacturer, inbox
):
    """Invitations go to any address with the manufacturer's words: an account cannot turn the
    portal into a mailer. Sending again draws on the same budget; a refused form does not."""
    for key in ("MAIL_HOST", "MAIL_PORT", "MAIL_USE_TLS"):
        limited_app.config[key] = app.config[key]
    limited_app.config["INVITATION_EMAIL_RATE_LIMIT"] = "3 per day"
    limited = create_app(limited_app.config)
    _client, dossier_id = manufacturer
    signed_in = limited.test_client()
    assert login(signed_in, user[1]).status_code == 303
    assert invite(signed_in, dossier_id, **{"invite-email": "not an address"}).status_code == 422
    for number in range(2):
        assert (
            invite(signed_in, dossier_id, **{"invite-email": f"dr{number}@chu.example"}).status_code
            == 303
        )
    with limited.app_context():
        first = invitations_of(dossier_id)[0].id
    resend = f"/requests/{dossier_id}/invitations/{first}/resend"
    assert signed_in.post(resend).status_code == 303
    refused = invite(signed_in, dossier_id, **{"invite-email": "dr9@chu.example"})
    assert refused.status_code == 429 and "Too many invitations sent today" in refused.text
    assert signed_in.post(resend).status_code == 429
    # Signing out and in again (a new session) leaves the account's budget as it is.
    signed_in.post("/logout")
    assert login(signed_in, user[1]).status_code == 303
    assert invite(signed_in, dossier_id, **{"invite-email": "dr8@chu.example"}).status_code == 429
    assert len(inbox) == 3 and not inbox.to("dr9@chu.example")
    with limited.app_context():
        assert len(invitations_of(dossier_id)) == 2


def test_a_link_sent_again_and_again_with_a_refused_file_is_stopped(
    app, tmp_path, manufacturer, inbox
):
    """A refused send keeps its PDF for the next try: one link cannot fill the disk with
    them. Counted per link, whatever the address; a clinician correcting a few answers is far
    from the limit, and the page that stops them shows what they typed."""
    config = {**app.config, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}
    limited = create_app({**config, "REFUSED_UPLOAD_RATE_LIMIT": "3 per hour"})
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    link = link_in(inbox.to(INVITE["invite-email"])[0])
    clinician = limited.test_client()
    for _ in range(5):  # refused without a file: nothing kept, not counted
        assert send_letter(clinician, link, file=None, is_author=None).status_code == 422
    for attempt in range(3):  # is_author left unticked: refused, the letter kept
        address = {"REMOTE_ADDR": f"198.51.100.{attempt}"}
        pdf = (minimal_pdf(f"Letter, try {attempt}"), "letter.pdf")
        refused = send_letter(clinician, link, file=pdf, is_author=None, environ_base=address)
        assert refused.status_code == 422, attempt
    stopped = send_letter(
        clinician, link, is_author=None, environ_base={"REMOTE_ADDR": "198.51.100.9"}
    )
    assert stopped.status_code == 429
    assert "This page has been sent many times in the last hour" in stopped.text
    assert LETTER["urgency_statement"] in stopped.text  # what was typed, to copy


def test_files_checked_from_one_link_are_counted_accepted_or_not(
    app, tmp_path, manufacturer, inbox
):
    """Each file sent is checked in a process of its own: one link's page has a budget of
    files checked, whatever the check finds; once spent, a send with a file is stopped and
    says so, with what was typed to copy, and nothing is recorded."""
    config = {**app.config, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}
    limited = create_app({**config, "PDF_CHECK_RATE_LIMIT": "2 per hour"})
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    link = link_in(inbox.to(INVITE["invite-email"])[0])
    clinician = limited.test_client()
    for attempt in range(2):  # is_author left unticked: refused, the file checked all the same
        pdf = (minimal_pdf(f"Letter, try {attempt}"), "letter.pdf")
        assert send_letter(clinician, link, file=pdf, is_author=None).status_code == 422
    stopped = send_letter(clinician, link)
    assert stopped.status_code == 429
    assert "Many files have been sent from this page in the last hour." in stopped.text
    assert LETTER["urgency_statement"] in stopped.text  # what was typed, to copy
    with app.app_context():
        assert letters_of(dossier_id) == []
