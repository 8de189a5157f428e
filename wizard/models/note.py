"""Notes for ANSM: what a reviewer writes down on a request for the other reviewers (a call
with the manufacturer, a point to check before deciding). Never shown to the manufacturer nor
to a professional, never in a receipt or a decision. Added, never rewritten."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wizard.extensions import Timestamp, db


class ReviewNote(db.Model):
    __tablename__ = "review_notes"
    __table_args__ = (UniqueConstraint("dossier_id", "sent_as", name="uq_review_notes_sent_as"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # As the reviewer was named when they wrote it.
    author_name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    written_at: Mapped[Timestamp]
    # The page's one-time mark for its note form (`review.notes`): the same form sent twice
    # (a double click without JavaScript) is one note.
    sent_as: Mapped[str | None] = mapped_column(String(64))
