"""A step's answers that arrived after their session had ended (`wizard.unsent`): kept 24
hours, sealed with a key only the sending browser holds, to fill the step in again once the
same person has signed in again there."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wizard.extensions import Timestamp, db


class UnsentAnswers(db.Model):
    __tablename__ = "unsent_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The browser keeps the token (in a cookie); the database, its hash only. One token for
    # every step a browser sent signed out.
    token_sha256: Mapped[str] = mapped_column(String(64), index=True)
    # The account whose session had ended: given back to it only.
    user_id: Mapped[int]
    # Not a foreign key: sent by someone not signed in, to whatever address. Given back only
    # on that request's step page, to someone it belongs to.
    dossier_id: Mapped[int]
    step_id: Mapped[str] = mapped_column(String(40))
    sealed: Mapped[str] = mapped_column(Text)  # the form's answers, as sent
    created_at: Mapped[Timestamp] = mapped_column(index=True)
