"""An invitation sent to a healthcare professional to attach a signed letter to a request.

Only the sha256 of the link's token is stored: whoever reads the database cannot open a link.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wizard import clock
from wizard.extensions import Timestamp, db
from wizard.models.accounts import User, utcnow
from wizard.models.dossier import Dossier, HcpLetter


class InvitationState(StrEnum):
    SENT = "sent"
    NOT_SENT = "not_sent"  # the email could not be sent: the manufacturer can try again
    OPENED = "opened"
    LETTER_RECEIVED = "letter_received"
    REVOKED = "revoked"
    # Never stored: derived from `expires_at`, so it is right without any scheduled job.
    EXPIRED = "expired"


# States in which the link still lets a clinician attach a letter (until it expires).
OPEN_STATES = (InvitationState.SENT, InvitationState.NOT_SENT, InvitationState.OPENED)


class Invitation(db.Model):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), index=True
    )
    clinician_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(200))
    message: Mapped[str | None] = mapped_column(Text)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(20), default=InvitationState.NOT_SENT)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    expires_at: Mapped[Timestamp]
    sent_at: Mapped[Timestamp | None]
    opened_at: Mapped[Timestamp | None]
    used_at: Mapped[Timestamp | None]
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("hcp_letters.id", ondelete="SET NULL"))

    dossier: Mapped[Dossier] = relationship(back_populates="invitations")
    created_by: Mapped[User] = relationship()
    letter: Mapped[HcpLetter | None] = relationship(back_populates="invitation")

    @property
    def is_expired(self) -> bool:
        return clock.as_utc(self.expires_at) <= clock.now()

    @property
    def last_day(self) -> date:
        """The last day (in France) on which the link works."""
        return clock.last_day_before(self.expires_at)

    @property
    def status(self) -> InvitationState:
        """The state a person reads: a link past its expiry is expired unless already final."""
        if self.state in (InvitationState.LETTER_RECEIVED, InvitationState.REVOKED):
            return InvitationState(self.state)
        return InvitationState.EXPIRED if self.is_expired else InvitationState(self.state)

    @property
    def is_open(self) -> bool:
        """The link still lets a clinician attach a letter."""
        return self.state in OPEN_STATES and not self.is_expired


class ReplacedLink(db.Model):
    """A link that "Resend" replaced, by its token's sha256: opened, it says that a newer one
    was sent (every one replaced, not only the last, since each email stays in the inbox)."""

    __tablename__ = "replaced_invitation_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True
    )
    replaced_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    invitation: Mapped[Invitation] = relationship()
