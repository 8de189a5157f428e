"""Sending a request's files, each download written to the audit trail (who, what, from where).
Downloads of a draft's files are not audited: nothing has reached the agency yet, and the
submission lists every file with its sha256."""

from __future__ import annotations

import hashlib
import io

from flask import abort, current_app, send_file
from flask_login import current_user

from wizard import audit, uploads
from wizard.errors import receipt_unavailable, stored_file_unavailable
from wizard.extensions import db
from wizard.models import Dossier
from wizard.receipts import service
from wizard.review import decisions


def send_stored(dossier: Dossier, kind: str, item):
    """An uploaded PDF (document, letter, document of a reply), as an attachment: only the
    very bytes that were sent (read again against their hash), and its download written to
    the trail only then."""
    if problem := uploads.file_problem(item.sha256, item.size):
        current_app.logger.error(
            "stored file %s (%s of request %s) not sent: %s", item.sha256, kind, dossier.id, problem
        )
        return stored_file_unavailable(item.filename)
    _record(dossier, kind, item.filename, item.sha256)
    return send_file(
        uploads.path_of(item.sha256),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=download_name(dossier, kind, item),
        max_age=0,
    )


def download_name(dossier: Dossier, kind: str, item) -> str:
    """The name a downloaded file is saved under: once filed, it says which request (and for
    a letter or a reply's document whose author), so that a reviewer's downloads folder does
    not fill with "letter (1).pdf", "letter (2).pdf"."""
    if dossier.reference is None:
        return item.filename
    parts = [dossier.reference]
    if kind == "hcp_letter":
        parts.append(uploads.plain_name(item.author_name.split()[-1]) or "letter")
    elif kind == "reply_document":  # whose: the manufacturer's, or a professional's
        author = item.reply
        by = "manufacturer" if author.author_role == "manufacturer" else author.author_name
        parts.append(f"reply-{uploads.plain_name(by.split()[-1]) or 'professional'}")
    elif kind == "follow_up_document":
        parts.append("follow-up")
    return "-".join([*parts, item.filename])


def send_receipt(dossier: Dossier):
    """The request's signed receipt, produced now if it was not at submission; a page saying
    why when it cannot be (its filed answers altered since)."""
    try:
        receipt = service.ensure_receipt(dossier)
    except service.RecordAltered:
        return receipt_unavailable(dossier.reference)
    return send_pdf(dossier, "receipt", f"receipt-{receipt.reference}.pdf", receipt.pdf)


def send_pdf(dossier: Dossier, kind: str, filename: str, content: bytes):
    """A PDF the portal produced (receipt, decision), as an attachment."""
    _record(dossier, kind, filename, hashlib.sha256(content).hexdigest())
    return send_file(
        io.BytesIO(content),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=filename,
        max_age=0,
    )


def _record(dossier: Dossier, kind: str, filename: str, sha256: str) -> None:
    if dossier.is_draft:
        return
    audit.record(
        dossier.id,
        audit.DOCUMENT_DOWNLOADED,
        audit.Actor.of(current_user),
        detail={"kind": kind, "filename": filename, "sha256": sha256},
    )
    db.session.commit()


def send_decision(dossier: Dossier, number: int):
    """Decision `number` of the request as a signed PDF (produced once), 404 if none."""
    decision = decisions.decision_of(dossier, number)
    if decision is None:
        abort(404)
    kind = "withdrawal" if decision.by_manufacturer else "decision"
    return send_pdf(dossier, kind, decisions.pdf_name(decision), decisions.ensure_pdf(decision))
