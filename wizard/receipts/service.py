"""Receipts inside the portal: the signing identity from config, one receipt per submission,
and the verdict on an uploaded receipt checked against what the portal stored."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from wizard import clock
from wizard.config import ConfigurationError
from wizard.domain.canonical import canonical_json
from wizard.domain.report_schedule import add_months
from wizard.extensions import db
from wizard.integrity import filed_record_altered
from wizard.models import Decision, Dossier, Receipt
from wizard.receipts.document import build_receipt_pdf
from wizard.receipts.keys import ensure_dev_signing_identity, load_signer, load_trust_roots
from wizard.receipts.verify import DECISION_FILENAME, Verdict, as_signed, verify_confined
from wizard.review.status import authorisation_of, effective_status


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
        "manufacturer": dossier.manufacturer_name,
        "organisation": dossier.filing_organisation,
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
        # Which patient an individual request is for (pseudonymised, as the filing gives it):
        # two patients' receipts for one device differ by more than their references.
        **_patient(record["access_type"], answers),
        # What a global request asks for: its indication and how many patients it expects
        # (two global requests for one device differ by more than their references too).
        **_scope(record["access_type"], answers),
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
        "handled_by": _handled_by(),
        **_silence(submitted_at),
    }


def _handled_by() -> dict:
    """The service that handles the request, as an acknowledgement of receipt names it (CRPA
    R. 112-5): its name, postal address, phone and email (those set)."""
    config = current_app.config
    return {
        "service": config["AGENCY_SERVICE"],
        "address": config["AGENCY_ADDRESS"],
        "phone": config["AGENCY_PHONE"],
        "email": config["AGENCY_EMAIL"],
    }


def _silence(submitted_at) -> dict:
    """What the agency's silence would mean, and from when, if set (`config.SILENCE`): the
    day counted from the submission, said to hold if the request is complete then."""
    rule = current_app.config["SILENCE"]
    if rule is None:
        return {}
    day = add_months(submitted_at.astimezone(clock.PARIS).date(), rule["months"])
    return {"silence": {**rule, "date": day.isoformat()}}


def _patient(access_type: str, answers: dict) -> dict:
    if access_type != "individual":
        return {}
    patient = answers.get("patient", {})
    keys = ("patient_initials", "patient_birth_year", "establishment_name")
    return {"patient": {key.removeprefix("patient_"): patient.get(key, "") for key in keys}}


def _scope(access_type: str, answers: dict) -> dict:
    if access_type != "global":
        return {}
    scope = answers.get("scope", {})
    return {
        "scope": {
            "indication": scope.get("indication", ""),
            "estimated_patients": scope.get("estimated_patients"),
        }
    }


def produce_pdf(dossier: Dossier) -> bytes:
    return _render(receipt_fields(dossier), canonical_json(dossier.submitted_answers))


def _render(fields, answers_json: bytes) -> bytes:
    """Render and sign; reads nothing from the database."""
    identity = signing_identity()
    return build_receipt_pdf(
        fields,
        answers_json=answers_json,
        signer=identity.signer,
        timestamp_url=current_app.config["RECEIPT_TIMESTAMP_URL"] or None,
        env=current_app.jinja_env,
    )


def receipt_of(dossier: Dossier) -> Receipt | None:
    return db.session.scalar(select(Receipt).where(Receipt.dossier_id == dossier.id))


class RecordAltered(ValueError):
    """The filed answers no longer hash to what they did when filed: no receipt is produced
    from them, as it would certify answers that are not those filed."""


def ensure_receipt(dossier: Dossier) -> Receipt:
    """The request's receipt, produced now if it does not exist yet. A concurrent producer
    that stored first wins; ours is discarded, so there is only ever one."""
    existing = receipt_of(dossier)
    if existing is not None:
        return existing
    if dossier.reference is None:
        raise ValueError("only a submitted request has a receipt")
    if filed_record_altered(dossier):
        raise RecordAltered(dossier.reference)
    fields, answers_json = receipt_fields(dossier), canonical_json(dossier.submitted_answers)
    row = {
        "dossier_id": dossier.id,
        "reference": dossier.reference,
        "answers_sha256": dossier.answers_sha256,
    }
    # Rendering and signing take a while: the pooled connection goes back first, so that many
    # submissions at once do not wait for one while others render.
    db.session.commit()
    pdf = _render(fields, answers_json)
    receipt = Receipt(**row, pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest())
    try:
        db.session.add(receipt)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return receipt_of(dossier)
    return receipt


@dataclass(frozen=True)
class ReceiptCheck:
    """A verdict on an uploaded receipt or decision, compared with the portal's own record."""

    verdict: Verdict
    known: bool  # the reference (and for a decision, its number) exists in the portal
    answers_match: bool  # the embedded record (answers, or decision) is the one stored
    # The request's current status, the only thing revealed about it, and only to whoever holds
    # a genuine receipt or decision of it (not to a file that merely names its reference).
    status: str | None
    decision_number: int | None = None  # the number a decision PDF states
    decision: Decision | None = None  # the decision it is, when genuine
    # Whether the request had an authorisation: "withdrawn" is then ANSM's withdrawal of it,
    # not the manufacturer's withdrawal of its request (`web.status_label`).
    authorised: bool | None = None
    # The very file the portal issued and keeps, byte for byte, though its seal's certificate
    # is no longer one the portal trusts (expired, or replaced by a new one since).
    issued_here: bool = False
    # What a decision file says of itself, believed only to word the verdict (a withdrawal
    # is never called "Decision 1", even altered).
    says_withdrawal: bool = False
    # A file cut short (an unfinished download): its end, where a PDF says it ends, is missing.
    incomplete: bool = False

    @property
    def is_decision(self) -> bool:
        return self.verdict.embedded_name == DECISION_FILENAME

    @property
    def genuine(self) -> bool:
        return self.verdict.genuine or self.issued_here

    @property
    def valid(self) -> bool:
        return self.genuine and self.known and self.answers_match


def check_receipt(pdf: bytes) -> ReceiptCheck:
    """Check a receipt, or a decision PDF (recognised by its attached decision.json). What the
    portal holds of the request (its status, the decision's kind) is told only for a genuine
    file: references are sequential, and anyone can write one into a PDF of their own."""
    pdf = as_signed(pdf)
    verdict = verify_confined(
        pdf,
        signing_identity().trust_roots,
        cpu_seconds=current_app.config["RECEIPT_CHECK_CPU_SECONDS"],
        memory_mb=current_app.config["RECEIPT_CHECK_MEMORY_MB"],
    )
    dossier = None
    if verdict.reference:
        dossier = db.session.scalar(select(Dossier).where(Dossier.reference == verdict.reference))
    if verdict.embedded_name == DECISION_FILENAME:
        check = _check_decision(verdict, dossier)
    else:
        check = ReceiptCheck(
            verdict=verdict,
            known=dossier is not None,
            answers_match=bool(
                dossier is not None
                and verdict.embedded_json_sha256
                and verdict.embedded_json_sha256 == dossier.answers_sha256
            ),
            status=None,
        )
    if verdict.signed and verdict.intact and not verdict.trusted and check.known:
        check = replace(check, issued_here=_kept_as_issued(pdf, check, dossier))
    check = replace(check, incomplete=_cut_short(pdf))
    if not check.valid:
        return replace(check, decision=None)
    authorised = authorisation_of(dossier) is not None
    return replace(check, status=effective_status(dossier), authorised=authorised)


def _cut_short(pdf: bytes) -> bool:
    """A PDF that had begun (its header, where a PDF's first kilobyte has it, and an object
    at least), but lost its own end, which every whole PDF has: an unfinished download or
    copy, cut anywhere."""
    return b"%PDF-" in pdf[:1024] and b" obj" in pdf and b"%%EOF" not in pdf[-1024:]


def _kept_as_issued(pdf: bytes, check: ReceiptCheck, dossier: Dossier) -> bool:
    """Whether `pdf` is, byte for byte, the receipt or decision the portal issued: its own
    record vouches for a file whose seal no longer chains to a trusted, current certificate
    (a seal outlives its certificate: a decision is read years after it was signed)."""
    if check.is_decision:
        issued = check.decision.pdf_sha256 if check.decision is not None else None
    else:
        issued = db.session.scalar(
            select(Receipt.pdf_sha256).where(Receipt.dossier_id == dossier.id)
        )
    return issued is not None and hashlib.sha256(pdf).hexdigest() == issued


def _check_decision(verdict: Verdict, dossier: Dossier | None) -> ReceiptCheck:
    number = _decision_number(verdict.embedded_json)
    decision = None
    if dossier is not None and number is not None:
        decision = db.session.scalar(
            select(Decision).where(Decision.dossier_id == dossier.id, Decision.number == number)
        )
    return ReceiptCheck(
        verdict=verdict,
        known=decision is not None,
        answers_match=decision is not None
        and verdict.embedded_json_sha256 == decision.record_sha256,
        status=None,
        decision_number=number,
        decision=decision,
        says_withdrawal=_claimed(verdict.embedded_json, "decided_by", "role") == "manufacturer",
    )


def _decision_number(record: bytes | None) -> int | None:
    """The decision number a stranger's file claims, if it is readable at all."""
    number = _claimed(record, "decision_number")
    return number if isinstance(number, int) and not isinstance(number, bool) else None


def _claimed(record: bytes | None, *path: str):
    """What a file's attached record says at `path`, if it is readable at all."""
    try:
        said = json.loads(record)
        for key in path:
            said = said[key]
    except (TypeError, ValueError, KeyError, IndexError, RecursionError):
        return None
    return said
