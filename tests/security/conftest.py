"""Fixtures of the security tests."""

from tests.invites.conftest import inbox  # noqa: F401  (a real SMTP server, aiosmtpd)
