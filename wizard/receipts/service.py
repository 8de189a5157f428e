"""Receipts inside the portal: the signing identity from config, one receipt per submission,
and the verdict on an uploaded receipt checked against what the portal stored."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from wizard import clock
from wizard.config import ConfigurationError
from wizard.domain.canonical import canonical_json
from wizard.extensions import db
from wizard.models import Dossier, Receipt
from wizard.receipts.document import build_receipt_pdf
from wizard.receipts.keys import ensure_dev_signing_identity, load_signer, load_trust_roots
from wizard.receipts.verify import Verdict, verify_pdf


@dataclass
class SigningIdentity:
    signer: object
    trust_roots: list


def signing_identity() -> SigningIdentity:
    """The portal's signer, loaded once per process (loading a key is slow)."""
    cached = current_app.extensions.get("receipt_identity")
    if cached is not None:
        return cached
    config = current_app.config
    key, cert = config["RECEIPT_KEY_PATH"], config["RECEIPT_CERT_PATH"]
    pkcs12 = config["RECEIPT_PKCS12_PATH"]
    if not (pkcs12 or (key and cert)):
        if config["PRODUCTION"]:
            raise ConfigurationError(
                "Set RECEIPT_PKCS12_PATH, or RECEIPT_KEY_PATH and RECEIPT_CERT_PATH, in production."
            )
        key, cert = ensure_dev_signing_identity(Path(current_app.instance_path) / "signing")
    signer = load_signer(
        Path(key) if key else None,
        Path(cert) if cert else None,
        pkcs12_path=Path(pkcs12) if pkcs12 else None,
        passphrase=(config["RECEIPT_PKCS12_PASSPHRASE"] or "").encode() or None,
    )
    roots = config["RECEIPT_TRUST_ROOTS"]
    trust_roots = load_trust_roots(*map(Path, roots)) if roots else [signer.signing_cert]
    identity = SigningIdentity(signer=signer, trust_roots=trust_roots)
    current_app.extensions["receipt_identity"] = identity
    return identity


def receipt_fields(dossier: Dossier) -> dict:
    """What the receipt states, all taken from the frozen submission."""
    record = dossier.submitted_answers
    answers = record["answers"]
    device = answers.get("device", {})
    period = answers.get("period", {})
    submitted_at = clock.as_utc(dossier.submitted_at)
    return {
        "reference": dossier.reference,
        "submitted_at_utc": submitted_at.isoformat(timespec="seconds"),
        "submitted_at_paris": submitted_at.astimezone(clock.PARIS).isoformat(timespec="seconds"),
        "organisation": dossier.organisation.name,
        "signatory": {
            "name": record["declaration"]["signatory_name"],
            "role": record["declaration"]["signatory_role"],
        },
        "device": {
            "trade_name": device.get("trade_name", ""),
            "model": device.get("model", ""),
            "udi_di": device.get("udi_di", ""),
            "device_class": device.get("device_class", ""),
        },
        "access_type": record["access_type"],
        "period": {"start": period.get("start_date", ""), "end": period.get("end_date", "")},
        "documents": [
            {k: doc[k] for k in ("kind", "filename", "sha256", "size")}
            for doc in record["documents"]
        ],
        "hcp_letters": [
            {
                "author": letter["author_name"],
                "filename": letter["filename"],
                "sha256": letter["sha256"],
            }
            for letter in record["hcp_letters"]
        ],
        "answers_sha256": dossier.answers_sha256,
        "portal_name": current_app.config["PORTAL_NAME"],
    }


def produce_pdf(dossier: Dossier) -> bytes:
    identity = signing_identity()
    return build_receipt_pdf(
        receipt_fields(dossier),
        answers_json=canonical_json(dossier.submitted_answers),
        signer=identity.signer,
        timestamp_url=current_app.config["RECEIPT_TIMESTAMP_URL"] or None,
        env=current_app.jinja_env,
    )


def receipt_of(dossier: Dossier) -> Receipt | None:
    return db.session.scalar(select(Receipt).where(Receipt.dossier_id == dossier.id))


def ensure_receipt(dossier: Dossier) -> Receipt:
    """The request's receipt, produced now if it does not exist yet. A concurrent producer
    that stored first wins; ours is discarded, so there is only ever one."""
    existing = receipt_of(dossier)
    if existing is not None:
        return existing
    if dossier.reference is None:
        raise ValueError("only a submitted request has a receipt")
    pdf = produce_pdf(dossier)
    receipt = Receipt(
        dossier_id=dossier.id,
        reference=dossier.reference,
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        answers_sha256=dossier.answers_sha256,
    )
    try:
        db.session.add(receipt)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return receipt_of(dossier)
    return receipt


@dataclass(frozen=True)
class ReceiptCheck:
    """A verdict on an uploaded receipt, compared with the portal's own record."""

    verdict: Verdict
    known: bool  # the reference exists in the portal
    answers_match: bool  # the embedded answers are the ones the portal stored
    status: str | None  # the request's current status, the only thing revealed about it

    @property
    def valid(self) -> bool:
        return self.verdict.genuine and self.known and self.answers_match


def check_receipt(pdf: bytes) -> ReceiptCheck:
    verdict = verify_pdf(pdf, signing_identity().trust_roots)
    dossier = None
    if verdict.reference:
        dossier = db.session.scalar(select(Dossier).where(Dossier.reference == verdict.reference))
    answers_match = bool(
        dossier is not None
        and verdict.embedded_json_sha256
        and verdict.embedded_json_sha256 == dossier.answers_sha256
    )
    return ReceiptCheck(
        verdict=verdict,
        known=dossier is not None,
        answers_match=answers_match,
        status=dossier.status if dossier is not None else None,
    )
