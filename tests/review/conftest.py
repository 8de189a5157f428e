"""Fixtures for the review tests: a reviewer and the manufacturer, each in their own browser;
a submitted request; and a real SMTP server (the invitation tests' `inbox`)."""

from __future__ import annotations

import pytest

from tests.conftest import dossier_with, login, make_user
from tests.invites.conftest import inbox  # noqa: F401  (a real SMTP server, aiosmtpd)
from wizard.models import Role

REVIEWER_EMAIL = "rita@ansm.example"


@pytest.fixture
def reviewer(app):
    """The reviewer's browser, signed in."""
    with app.app_context():
        make_user(REVIEWER_EMAIL, role=Role.REVIEWER)
    client = app.test_client()
    assert login(client, REVIEWER_EMAIL).status_code == 303
    return client


@pytest.fixture
def manufacturer(app, user):
    """The filing manufacturer's browser, signed in."""
    client = app.test_client()
    assert login(client, user[1]).status_code == 303
    return client


@pytest.fixture
def submitted(app, user, reviewer) -> int:
    """An individual request, submitted (the reviewer exists)."""
    with app.app_context():
        return dossier_with(user[0], "individual", submit=True)


@pytest.fixture
def submitted_global(app, user, reviewer) -> int:
    with app.app_context():
        return dossier_with(user[0], "global", submit=True)
