"""The audit trail: one row per thing that happened to a request (invitations to
professionals while it is a draft, then everything from its submission on), hash-chained.

Rows are only ever added. The ORM refuses to update or delete one (see the listeners below);
anything that changes a row behind its back (SQL, a restored backup) is found by
`flask audit verify`, which recomputes the chain (`wizard.domain.audit_chain`).
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wizard.clock import as_utc
from wizard.extensions import Timestamp, db
from wizard.models.accounts import User


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Position in the chain, from 1. Unique: two writers racing for the same place cannot both
    # win, so the chain never forks.
    sequence: Mapped[int] = mapped_column(Integer, unique=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    occurred_at: Mapped[Timestamp]
    # What happened: "status_changed", "reply_sent", "document_uploaded", "document_downloaded".
    action: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Who, as named then: "Name <address>" for a user (a name of up to 200 characters and an
    # address of up to 254), a professional's name: no cap of its own beyond theirs.
    actor_name: Mapped[str] = mapped_column(Text)
    # "manufacturer", "reviewer", "hcp" (through a link) or "system" (scheduled commands).
    actor_role: Mapped[str] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(45))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str | None] = mapped_column(String(30))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    actor: Mapped[User | None] = relationship()

    @property
    def actor_named(self) -> str:
        """Who acted, to a reader: a signed-in person by their account's name (recorded as
        "Name <address>"), a professional by the name recorded."""
        return self.actor.name if self.actor is not None else self.actor_name

    def content(self) -> dict[str, Any]:
        """What the event's hash covers: every column but its own hashes and row id."""
        return {
            "sequence": self.sequence,
            "dossier_id": self.dossier_id,
            # In UTC whatever zone the database session hands back.
            "occurred_at": as_utc(self.occurred_at).astimezone(UTC).isoformat(),
            "action": self.action,
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "actor_role": self.actor_role,
            "address": self.address,
            "from_status": self.from_status,
            "to_status": self.to_status,
            "detail": self.detail,
        }


class AuditTrailIsAppendOnly(RuntimeError):
    """Something tried to change or remove an audit event through the ORM."""


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper, connection, target):
    raise AuditTrailIsAppendOnly(f"audit event {target.id} cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise AuditTrailIsAppendOnly(f"audit event {target.id} cannot be removed")
