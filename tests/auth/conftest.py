"""Fixtures of the account tests."""

from tests.invites.conftest import inbox  # noqa: F401  (a real SMTP server, aiosmtpd)
