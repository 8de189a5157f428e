"""The signed receipt of a submitted request: produced once, stored, never rewritten."""

from __future__ import annotations

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wizard.extensions import Timestamp, db
from wizard.models.accounts import utcnow
from wizard.models.dossier import Dossier


class Receipt(db.Model):
    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: two racing submits can never store two receipts for one request.
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), unique=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    answers_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    dossier: Mapped[Dossier] = relationship()
