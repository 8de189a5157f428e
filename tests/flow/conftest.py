"""Fixtures of the wizard's tests besides the shared ones: a real SMTP server."""

from tests.invites.conftest import inbox  # noqa: F401  (a real SMTP server, aiosmtpd)
