"""Fixtures for the invitation tests: a real SMTP server on 127.0.0.1 in the test process, and
a manufacturer signed in with a request that waits for letters."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import login
from tests.invites.support import free_port, request_awaiting_letters


class Inbox(list):
    """Every message the SMTP server accepted, parsed (`raw`: as it came)."""

    def __init__(self):
        super().__init__()
        self.raw: list[bytes] = []

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self if address in m["To"]]

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.raw.append(envelope.content)
        self.append(BytesParser(policy=policy.default).parsebytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox(app, monkeypatch):
    """A real SMTP server (aiosmtpd) on a free port, and the app's mail config pointing at it."""
    received = Inbox()
    port = free_port()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    yield received
    controller.stop()


@pytest.fixture
def manufacturer(app, client, user):
    """The signed-in manufacturer's client and the id of their request awaiting letters."""
    assert login(client, user[1]).status_code == 303
    with app.app_context():
        return client, request_awaiting_letters(user[0])


@pytest.fixture
def clinician(app):
    """Another browser, with no account: the clinician's. It says, as browsers do, when it
    navigates to a page (fetch metadata)."""
    browser = app.test_client()
    browser.environ_base.update(HTTP_SEC_FETCH_MODE="navigate", HTTP_SEC_FETCH_DEST="document")
    return browser
