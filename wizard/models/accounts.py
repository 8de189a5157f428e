"""Organisations (manufacturers) and the people who log in: manufacturer users and reviewers."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from wizard import clock, keys
from wizard.extensions import Timestamp, db


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(StrEnum):
    MANUFACTURER = "manufacturer"
    REVIEWER = "reviewer"


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.MANUFACTURER)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    # Counts sign-outs: each one ends every session opened before it (`session_fingerprint`).
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")

    # When the owner of the address opened the link sent to it: until then the account cannot
    # sign in (`auth.views.login`). Accounts made by ANSM's command are confirmed when made.
    email_confirmed_at: Mapped[Timestamp | None]
    # When the last such link was sent: signing in unconfirmed sends another, not too often.
    confirmation_sent_at: Mapped[Timestamp | None]
    # When a colleague removed the account from its organisation: it can no longer sign in
    # (`is_active`); what it filed stays the organisation's. An invitation can bring it back.
    removed_at: Mapped[Timestamp | None]
    # A reviewer's function ("Head of the medical devices division"): the decisions they sign
    # state it, as French law wants of an administrative decision's author (CRPA L. 212-1).
    job_title: Mapped[str | None] = mapped_column(String(200))
    # The act by which the Director General delegates to a reviewer the signature of ANSM's
    # decisions on these requests, as their decisions cite it ("décision DG n° 2026-12 du
    # 5 janvier 2026"): without one, a reviewer reviews but does not sign.
    signing_delegation: Mapped[str | None] = mapped_column(String(300))
    # The last time a link sent to a former address gave the account that address back
    # (`auth.email_change`): when that link was made and when it was used, in seconds since
    # the epoch. Links made between the two no longer work.
    address_undo_made: Mapped[int | None]
    address_undo_used: Mapped[int | None]

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")

    def set_password(self, password: str) -> None:
        # Werkzeug's default is scrypt with a random salt.
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def password_fingerprint(self) -> str:
        """Changes whenever the password does: reset links carry it, so a new password ends
        every link made before. Keyed with the app's secret, so that it says nothing of the
        password hash to whoever reads a link or a cookie."""
        return self._fingerprint(self.password_hash)

    @property
    def session_fingerprint(self) -> str:
        """Changes whenever the password does, and at every sign-out: sessions carry it, so a
        new password or signing out ends every session opened before (even a copy of the
        cookie taken meanwhile)."""
        return self._fingerprint(self._session_text)

    def password_fingerprint_matches(self, fingerprint: str) -> bool:
        """Whether a link carries the current password's fingerprint, made with the current
        secret key or a former one still accepted (`wizard.keys`)."""
        return self._matches(fingerprint, self.password_hash)

    def session_fingerprint_matches(self, fingerprint: str) -> bool:
        """Whether a session carries the current session fingerprint, made with the current
        secret key or a former one still accepted (`wizard.keys`)."""
        return self._matches(fingerprint, self._session_text)

    def removed_in_session(self, fingerprint: str) -> bool:
        """Whether a session was open when a colleague removed the account (removing ends
        every session as signing out does, one epoch on): its owner is told why it ended."""
        return self.removed_at is not None and self._matches(
            fingerprint, self._session_text_at(self.session_epoch - 1)
        )

    @property
    def _session_text(self) -> str:
        return self._session_text_at(self.session_epoch)

    def _session_text_at(self, epoch: int) -> str:
        return f"{self.password_hash}|{epoch}"

    def _matches(self, fingerprint: str, text: str) -> bool:
        return any(
            hmac.compare_digest(fingerprint, self._fingerprint(text, key))
            for key in keys.accepted()
        )

    def _fingerprint(self, text: str, key: str | None = None) -> str:
        secret = (key or keys.current()).encode()
        return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()[:32]

    def get_id(self) -> str:
        """What the session remembers (Flask-Login): the account and its session fingerprint,
        checked again at every request (`auth.views.load_user`)."""
        return f"{self.id}.{self.session_fingerprint}"

    @staticmethod
    def read_session_id(session_id: object) -> tuple[int, str] | None:
        """The account and fingerprint a session remembers (`get_id`), if it is well formed."""
        if not isinstance(session_id, str):
            return None
        user_id, _dot, fingerprint = session_id.partition(".")
        if not (user_id.isascii() and user_id.isdecimal()) or not fingerprint:
            return None
        return int(user_id), fingerprint

    @property
    def signs_decisions(self) -> bool:
        """A reviewer whose decisions can be signed: their job title and their delegation of
        signature recorded, as each decision states them (`review.decisions.unsigned_because`)."""
        return self.is_reviewer and bool(self.job_title) and bool(self.signing_delegation)

    @property
    def is_active(self) -> bool:
        """Flask-Login: a removed account is refused at sign-in and its sessions end."""
        return self.removed_at is None

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def confirm_email(self) -> None:
        if self.email_confirmed_at is None:
            self.email_confirmed_at = utcnow()

    @classmethod
    def with_email(cls, email: str) -> User | None:
        """The account an address signs in to, whatever its case."""
        return db.session.scalar(select(cls).where(func.lower(cls.email) == email.lower()))

    @property
    def is_reviewer(self) -> bool:
        return self.role == Role.REVIEWER

    @property
    def is_manufacturer(self) -> bool:
        return self.role == Role.MANUFACTURER


class ColleagueInvitation(db.Model):
    """A manufacturer's account asking a colleague to join its organisation, by an emailed link.
    Only the sha256 of the link's token is stored; the link works once, until `expires_at`."""

    __tablename__ = "colleague_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    expires_at: Mapped[Timestamp]
    # One of the two ends it: the account it made (or brought back), or a colleague's "Cancel"
    # (an invitation to the same address again cancels the one before).
    accepted_at: Mapped[Timestamp | None]
    revoked_at: Mapped[Timestamp | None]

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User] = relationship()

    @property
    def is_expired(self) -> bool:
        return clock.as_utc(self.expires_at) <= clock.now()

    @property
    def last_day(self) -> date:
        """The last day (in France) on which the link works."""
        return clock.last_day_before(self.expires_at)
