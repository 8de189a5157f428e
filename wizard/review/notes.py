"""Notes for ANSM: what a reviewer writes down on a request for the other reviewers (a call
with the manufacturer, a point to check before deciding). Only reviewers read them: never the
manufacturer, a professional, a receipt or a decision. A note is added, never rewritten; it
is in the audit trail (its digest, not its words), and a decision read before a colleague's
note is not signed until the note is read (`audit.changes_since`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from wizard import audit, clock
from wizard.extensions import db
from wizard.models import Dossier, ReviewNote, User
from wizard.models.review import text_sha256


def notes_of(dossier: Dossier) -> list[ReviewNote]:
    """The request's notes, the latest first."""
    return list(
        db.session.scalars(
            select(ReviewNote)
            .where(ReviewNote.dossier_id == dossier.id)
            .order_by(ReviewNote.id.desc())
        )
    )


def add(dossier: Dossier, author: User, text: str, sent: str | None) -> ReviewNote:
    """Record the note, and its event. The same form sent twice (`sent`, its one-time mark,
    with a digest of its words): the note the first sending recorded."""
    text = text.replace("\r\n", "\n")
    sent_as = f"{sent}.{text_sha256(text)[:16]}" if sent else None
    note = ReviewNote(
        dossier_id=dossier.id,
        author_id=author.id,
        author_name=author.name,
        text=text,
        written_at=clock.now(),
        sent_as=sent_as,
    )
    db.session.add(note)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        earlier = db.session.scalar(
            select(ReviewNote).where(
                ReviewNote.dossier_id == dossier.id, ReviewNote.sent_as == sent_as
            )
        )
        if earlier is None:
            raise
        return earlier
    detail = {"note_id": note.id, "text_sha256": text_sha256(text)}
    audit.record(dossier.id, audit.NOTE_ADDED, audit.Actor.of(author), detail=detail)
    db.session.commit()
    return note
