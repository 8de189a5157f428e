"""Emails waiting to leave (`mail.send_after_response`): written before the response is sent,
so that a worker stopped before the SMTP server answered, or a mail server down for a while,
loses no message; `flask mail send-pending` sends them again.

The subject and body are sealed with a key derived from the app's secret (they carry links
that open accounts), and a row is deleted once its message is sent: whoever reads the
database alone cannot open a link, and it keeps no list of who was written to.
"""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wizard.extensions import Timestamp, db
from wizard.models.accounts import utcnow


class OutgoingEmail(db.Model):
    __tablename__ = "outgoing_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipients: Mapped[str] = mapped_column(Text)
    sealed: Mapped[str] = mapped_column(Text)  # subject and body
    about: Mapped[str] = mapped_column(String(200))  # what it is, for the logs
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    # Taken by a sender (after a response, or the command): nobody else sends it meanwhile.
    claimed_at: Mapped[Timestamp | None]
    attempts: Mapped[int] = mapped_column(default=0)
    # After a failure, not tried again before this (longer and longer waits).
    next_attempt_at: Mapped[Timestamp | None] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(Text)  # the kind of failure, no content
