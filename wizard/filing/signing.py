"""What a signer checked before signing: the filing's content, the version of it that the
check-your-answers page hands to the declaration (for that signer only), and, when the two
differ at the signature, what changed since."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from wizard import clock
from wizard.domain.canonical import canonical_sha256
from wizard.extensions import db
from wizard.flow.steps import FLOW, access_type
from wizard.models import Dossier, User


def filing_content(dossier: Dossier) -> dict:
    """What the filing is made of, but its declaration: the chosen path's answers and every
    file's hash."""
    answers = dossier.answers()
    return {
        "access_type": access_type(answers),
        "answers": FLOW.chosen_answers(answers),
        "documents": [
            {"kind": d.kind, "filename": d.filename, "sha256": d.sha256, "size": d.size}
            for d in dossier.documents
        ],
        "hcp_letters": [
            {
                "author_name": letter.author_name,
                "author_rpps": letter.author_rpps,
                "specialty": letter.specialty,
                "establishment": letter.establishment,
                "establishment_finess": letter.establishment_finess,
                "urgency_statement": letter.urgency_statement,
                "letter_date": letter.letter_date,
                "filename": letter.filename,
                "sha256": letter.sha256,
                "size": letter.size,
                "source": letter.source,
            }
            for letter in dossier.hcp_letters
        ],
    }


def checked_version(dossier: Dossier, user: User) -> str:
    """The filing as `user` checks it, as the pages carry it to their signature: when (Unix
    milliseconds), how many files it had, and a digest of its content then, for them only."""
    content = filing_content(dossier)
    return f"{int(clock.now().timestamp() * 1000)}.{_files_in(content)}.{_digest(content, user)}"


def _files_in(content: dict) -> int:
    return len(content["documents"]) + len(content["hcp_letters"])


def _digest(content: dict, user: User) -> str:
    return canonical_sha256({"content": content, "checked_by": user.id})[:CHECKED_DIGEST_LENGTH]


CHECKED_DIGEST_LENGTH = 32


@dataclass(frozen=True)
class CheckedVersion:
    moment: datetime
    files: int
    digest: str


def read_checked_version(version: str) -> CheckedVersion | None:
    """A `checked_version` read back; None for anything else."""
    if version.count(".") != 2:
        return None
    milliseconds, files, digest = version.split(".")
    numbers = (milliseconds, files)
    if not all(n.isascii() and n.isdecimal() and len(n) <= 14 for n in numbers):
        return None
    if len(digest) != CHECKED_DIGEST_LENGTH:
        return None
    moment = datetime.fromtimestamp(int(milliseconds) / 1000, UTC)
    return CheckedVersion(moment, int(files), digest)


class NotChecked(Exception):
    """The signature does not say which state of the request the signer checked (a page not
    reached from the check-your-answers page): nothing was submitted."""


class ChangedSinceChecked(Exception):
    """The filing changed after the signer checked it (a colleague, another tab, a letter that
    arrived): nothing was submitted. `changes`: the steps saved and files added since;
    `removed`: how many files were removed since (their records are gone)."""

    def __init__(self, changes: list[Change], removed: int):
        super().__init__(len(changes), removed)
        self.changes = changes
        self.removed = removed


@dataclass(frozen=True)
class Change:
    kind: str  # "step", "document" or "letter"
    name: str  # the step's title, the file's name, the professional's name
    by: str | None  # who did it, if a user
    by_id: int | None
    at: datetime


def changes_since(dossier: Dossier, moment: datetime) -> list[Change]:
    """The steps saved, documents added and letters received from `moment` on."""
    changes = []
    saved = {row.step_id: row for row in dossier.step_answers}
    for step in FLOW.questions(dossier.answers()):
        row = saved.get(step.id)
        if row is not None and clock.as_utc(row.saved_at) >= moment:
            changes.append(_change("step", str(step.title), row.saved_by_id, row.saved_at))
    for document in dossier.documents:
        if clock.as_utc(document.uploaded_at) >= moment:
            at = document.uploaded_at
            changes.append(_change("document", document.filename, document.uploaded_by_id, at))
    for letter in dossier.hcp_letters:
        if clock.as_utc(letter.uploaded_at) >= moment:
            at = letter.uploaded_at  # from a colleague, or a professional through their link
            changes.append(_change("letter", letter.author_name, letter.uploaded_by_id, at))
    return sorted(changes, key=lambda change: clock.as_utc(change.at))


def _change(kind: str, name: str, user_id: int | None, at: datetime) -> Change:
    user = db.session.get(User, user_id) if user_id is not None else None
    return Change(kind, name, user.name if user else None, user_id, at)


def confirm_checked(dossier: Dossier, user: User, content: dict, checked: str) -> None:
    """That `checked` is `user`'s version of `content`, the filing about to be frozen; else
    `NotChecked` (not a version) or `ChangedSinceChecked` (with what changed)."""
    version = read_checked_version(checked)
    if version is None:
        raise NotChecked()
    if version.digest != _digest(content, user):
        changes = changes_since(dossier, version.moment)
        added = sum(1 for change in changes if change.kind != "step")
        raise ChangedSinceChecked(changes, max(0, version.files - (_files_in(content) - added)))
