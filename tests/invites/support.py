"""Helpers for the invitation tests: the manufacturer's invite, the clinician's letter, and
reading links out of the emails the portal sent."""

from __future__ import annotations

import hashlib
import io
import re
import socket
from datetime import timedelta
from email.message import EmailMessage

from tests.conftest import attach_files, dossier_with
from wizard import clock
from wizard.demo import VALID_FINESS, VALID_RPPS, minimal_pdf
from wizard.extensions import db
from wizard.models import Dossier, HcpLetter, Invitation

INVITE = {
    "invite-clinician_name": "Dr Anne Leroy",
    "invite-email": "anne.leroy@necker.example",
    "invite-role": "Paediatric cardiac surgeon",
    "invite-message": "Dear Dr Leroy,\nyour letter would help the child you referred to us.",
}
LETTER = {
    "author_name": "Dr Anne Leroy",
    "author_rpps": VALID_RPPS,
    "specialty": "Paediatric cardiac surgery",
    "establishment": "Hôpital Necker-Enfants malades",
    "establishment_finess": VALID_FINESS,
    "urgency_statement": "The child is on inotropes and will not survive the wait for a heart.",
    "letter_date": (clock.today() - timedelta(days=2)).isoformat(),
    "is_author": "y",
}
SIGNED_LETTER = minimal_pdf("Signed letter of Dr Leroy")
LINK = re.compile(r"https?://[^/\s]+(/invitations/[A-Za-z0-9_-]{43})\b")


def request_awaiting_letters(user_id: int, path: str = "individual") -> int:
    """A request answered up to the end, with its clinical evaluation and no HCP letter."""
    dossier_id = dossier_with(user_id, path, files=False)
    attach_files(db.session.get(Dossier, dossier_id), user_id, letters=0)
    return dossier_id


def invite(client, dossier_id: int, **changes):
    data = {**INVITE, **changes}
    return client.post(f"/requests/{dossier_id}/invitations", data=data)


def send_letter(client, link: str, *, file=..., environ_base=None, **changes):
    """The letter form sent through `link`, with `changes`. Its file: Dr Leroy's signed letter,
    or, written by another (`author_name`), a letter of their own (the very same file twice
    on one request is refused); `file=None`: none."""
    data = {k: v for k, v in {**LETTER, **changes}.items() if v is not None}
    if file is ...:
        author = data.get("author_name", LETTER["author_name"])
        mark = hashlib.sha256(author.encode()).hexdigest()[:16]  # (any name: the PDF's text)
        own = SIGNED_LETTER if author == LETTER["author_name"] else minimal_pdf(f"Letter {mark}")
        file = (own, "letter-leroy.pdf")
    if file is not None:
        data["file"] = (io.BytesIO(file[0]), file[1])
    sent = {"environ_base": environ_base} if environ_base else {}
    return client.post(link, data=data, content_type="multipart/form-data", **sent)


def body_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def link_in(message: EmailMessage) -> str:
    """The path of the invite link in an email (the test client needs no host)."""
    match = LINK.search(body_of(message))
    assert match, body_of(message)
    return match.group(1)


def letters_of(dossier_id: int) -> list[HcpLetter]:
    return list(db.session.get(Dossier, dossier_id).hcp_letters)


def invitations_of(dossier_id: int) -> list[Invitation]:
    db.session.expire_all()
    return list(db.session.get(Dossier, dossier_id).invitations)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def closed_port() -> int:
    """A port on this machine where nothing listens: connecting is refused at once."""
    return free_port()
