"""The agency's side of a request: its questions (information requests), the replies they get,
and its decisions. Rows are added, never rewritten: a question is closed, a decision is
followed by another decision."""

from __future__ import annotations

import hashlib
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wizard import clock
from wizard.domain.lifecycle import Status
from wizard.extensions import Timestamp, db
from wizard.models.accounts import User
from wizard.models.dossier import Dossier, HcpLetter, StoredFileMixin


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Addressee(StrEnum):
    MANUFACTURER = "manufacturer"
    HCP = "hcp"


class InformationRequest(db.Model):
    """A question from the agency, to the manufacturer or to a healthcare professional who
    wrote a letter. A professional answers through a link whose token is stored hashed."""

    __tablename__ = "information_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), index=True
    )
    addressee: Mapped[str] = mapped_column(String(20))
    hcp_letter_id: Mapped[int | None] = mapped_column(
        ForeignKey("hcp_letters.id", ondelete="SET NULL")
    )
    hcp_name: Mapped[str | None] = mapped_column(String(200))
    hcp_email: Mapped[str | None] = mapped_column(String(254))
    message: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date | None] = mapped_column(Date)
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    asked_at: Mapped[Timestamp]
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    link_expires_at: Mapped[Timestamp | None]
    closed_at: Mapped[Timestamp | None]
    # "answered", or the status the request moved to without an answer.
    closed_reason: Mapped[str | None] = mapped_column(String(30))

    dossier: Mapped[Dossier] = relationship()
    asked_by: Mapped[User] = relationship()
    hcp_letter: Mapped[HcpLetter | None] = relationship()
    replies: Mapped[list[Reply]] = relationship(
        back_populates="information_request", order_by="Reply.id"
    )

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def to_manufacturer(self) -> bool:
        return self.addressee == Addressee.MANUFACTURER

    @property
    def link_last_day(self) -> date | None:
        """The last day (in France) on which a professional's link works."""
        if self.link_expires_at is None:
            return None
        return clock.last_day_before(self.link_expires_at)

    @property
    def link_is_expired(self) -> bool:
        return self.link_expires_at is not None and clock.as_utc(self.link_expires_at) <= (
            clock.now()
        )

    @classmethod
    def awaited_in(cls, dossier_id: int):
        """The condition of a request's questions still awaiting their answers: open, and
        for a professional, with a link that still works (an expired one will never be
        answered)."""
        return (
            (cls.dossier_id == dossier_id)
            & cls.closed_at.is_(None)
            & (cls.link_expires_at.is_(None) | (cls.link_expires_at > clock.now()))
        )

    @classmethod
    def awaited(cls, dossier_id: int) -> list[InformationRequest]:
        """A request's questions still awaiting their answers, oldest first."""
        query = db.select(cls).where(cls.awaited_in(dossier_id)).order_by(cls.id)
        return list(db.session.scalars(query))

    def audit_detail(self) -> dict[str, Any]:
        return {
            "information_request_id": self.id,
            "addressee": self.addressee,
            "hcp_name": self.hcp_name,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "message_sha256": text_sha256(self.message),
        }


class Reply(db.Model):
    """The answer to a question: a message, and PDF documents."""

    __tablename__ = "replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), index=True
    )
    information_request_id: Mapped[int] = mapped_column(
        ForeignKey("information_requests.id", ondelete="CASCADE")
    )
    # "manufacturer" or "hcp"
    author_role: Mapped[str] = mapped_column(String(20))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_name: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[Timestamp]

    information_request: Mapped[InformationRequest] = relationship(back_populates="replies")
    documents: Mapped[list[ReplyDocument]] = relationship(
        back_populates="reply", order_by="ReplyDocument.id"
    )

    def audit_detail(self) -> dict[str, Any]:
        return {
            "reply_id": self.id,
            "information_request_id": self.information_request_id,
            "message_sha256": text_sha256(self.message),
            "documents": len(self.documents),
        }


class ReplyDocument(StoredFileMixin, db.Model):
    __tablename__ = "reply_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    reply_id: Mapped[int] = mapped_column(ForeignKey("replies.id", ondelete="CASCADE"))
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), index=True
    )

    reply: Mapped[Reply] = relationship(back_populates="documents")


class DecisionKind(StrEnum):
    AUTHORISATION = "authorisation"
    REFUSAL = "refusal"
    SUSPENSION = "suspension"
    REINSTATEMENT = "reinstatement"
    WITHDRAWAL = "withdrawal"


# The status a request has once the decision is taken.
STATUS_AFTER = {
    DecisionKind.AUTHORISATION: Status.AUTHORISED,
    DecisionKind.REFUSAL: Status.REFUSED,
    DecisionKind.SUSPENSION: Status.SUSPENDED,
    DecisionKind.REINSTATEMENT: Status.AUTHORISED,
    DecisionKind.WITHDRAWAL: Status.WITHDRAWN,
}


class Decision(db.Model):
    """A decision on a request, with its signed PDF. An authorisation carries the conditions
    (period, maximum number of patients, follow-up); later decisions refer to it."""

    __tablename__ = "decisions"
    __table_args__ = (
        # "Decision 2 of DA-2026-000014": numbered within the request.
        UniqueConstraint("dossier_id", "number"),
        # The lifecycle authorises a request once at most; the database says so too.
        Index(
            "uq_decisions_one_authorisation",
            "dossier_id",
            unique=True,
            sqlite_where=text("kind = 'authorisation'"),
            postgresql_where=text("kind = 'authorisation'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[Timestamp]
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    max_patients: Mapped[int | None] = mapped_column(Integer)
    follow_up: Mapped[str | None] = mapped_column(Text)
    # Follow-up reports due every so many months (`domain.report_schedule`); None: no dates.
    report_every_months: Mapped[int | None] = mapped_column(Integer)
    # What the signed PDF states, as canonical JSON (attached to it as decision.json).
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    record_sha256: Mapped[str] = mapped_column(String(64))
    # Produced after the decision is committed; again on first download if that failed.
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))

    dossier: Mapped[Dossier] = relationship()
    decided_by: Mapped[User] = relationship()

    # An authorisation's indication and health establishments (str), as ANSM worded them,
    # while it is being drafted: not columns (not annotated, so not mapped), the record
    # states them.
    indication = None
    establishments = None

    @property
    def authorised_indication(self) -> str | None:
        """A global authorisation's indication, in ANSM's words: as drafted, or as its record
        states it (None for an individual one, and for those of earlier versions, which
        quoted the request's)."""
        if self.indication is not None:
            return self.indication
        return ((self.record or {}).get("authorisation") or {}).get("indication")

    @property
    def authorised_establishments(self) -> str | None:
        """The health establishments a global authorisation names, one per line: as drafted,
        or as its record states them (None for an individual one, and for those of earlier
        versions, which named none)."""
        if self.establishments is not None:
            return self.establishments
        return ((self.record or {}).get("authorisation") or {}).get("establishments")

    @property
    def status_after(self) -> Status:
        return STATUS_AFTER[DecisionKind(self.kind)]

    @property
    def by_manufacturer(self) -> bool:
        return not self.decided_by.is_reviewer

    def audit_detail(self) -> dict[str, Any]:
        return {
            "decision_id": self.id,
            "decision_number": self.number,
            "kind": self.kind,
            "record_sha256": self.record_sha256,
        }
