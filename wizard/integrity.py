"""Whether what the portal keeps of a filing is still what was filed: each request's frozen
answers, each decision's record, each receipt and decision PDF, and each stored file, read
again against the hashes written when they were made, and against those the audit trail
holds (whose chain `audit verify` checks). A change made in the database or on the disk,
outside the portal, is found here: `flask audit records`; a request's page says it of its own
record (`filed_record_altered`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import click
from sqlalchemy import select

from wizard import audit, uploads
from wizard.domain.canonical import canonical_sha256
from wizard.domain.lifecycle import Status
from wizard.extensions import db
from wizard.models import AuditEvent, Decision, Dossier, Receipt
from wizard.models.dossier import StoredFileMixin


@dataclass(frozen=True)
class Finding:
    what: str  # "request DA-2026-000001", "decision 2 of request …", "file … of request …"
    problem: str


def filed_record_altered(dossier: Dossier) -> bool:
    """Whether a filed request's frozen answers no longer hash to what they hashed to when
    they were filed (and its receipt states)."""
    if dossier.submitted_answers is None or dossier.answers_sha256 is None:
        return False
    return _hash_of(dossier.submitted_answers) != dossier.answers_sha256


def _hash_of(record) -> str | None:
    try:
        return canonical_sha256(record)
    except (TypeError, ValueError):  # no longer JSON the portal writes
        return None


def findings() -> Iterator[Finding]:
    """Everything kept that no longer matches its hash, request by request, then file by
    file."""
    recorded = _hashes_in_the_trail()
    for dossier in db.session.scalars(
        select(Dossier).where(Dossier.answers_sha256.is_not(None)).order_by(Dossier.id)
    ):
        yield from _request_findings(dossier, recorded)
    yield from _file_findings()


def _hashes_in_the_trail() -> dict:
    """What the audit trail recorded when each request was filed and each decision made:
    ("request", id) → answers' hash, ("decision", id) → record's hash."""
    recorded = {}
    for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == audit.STATUS_CHANGED).order_by(AuditEvent.id)
    ):
        detail = event.detail or {}
        if event.to_status == Status.SUBMITTED and "answers_sha256" in detail:
            recorded[("request", event.dossier_id)] = detail["answers_sha256"]
        if "decision_id" in detail and "record_sha256" in detail:
            recorded[("decision", detail["decision_id"])] = detail["record_sha256"]
    return recorded


def _request_findings(dossier: Dossier, recorded: dict) -> Iterator[Finding]:
    name = f"request {dossier.reference or dossier.id}"
    if filed_record_altered(dossier):
        yield Finding(name, "its filed answers no longer match the hash written when it was filed")
    in_trail = recorded.get(("request", dossier.id))
    if in_trail is not None and in_trail != dossier.answers_sha256:
        yield Finding(name, "the hash written when it was filed differs from the audit trail's")
    receipt = db.session.scalar(select(Receipt).where(Receipt.dossier_id == dossier.id))
    if receipt is not None:
        if receipt.answers_sha256 != dossier.answers_sha256:
            yield Finding(f"receipt of {name}", "it states answers other than those filed")
        if hashlib.sha256(receipt.pdf).hexdigest() != receipt.pdf_sha256:
            yield Finding(f"receipt of {name}", "its PDF no longer matches its hash")
    for decision in db.session.scalars(
        select(Decision).where(Decision.dossier_id == dossier.id).order_by(Decision.number)
    ):
        what = f"decision {decision.number} of {name}"
        if _hash_of(decision.record) != decision.record_sha256:
            yield Finding(what, "its record no longer matches the hash written when it was made")
        in_trail = recorded.get(("decision", decision.id))
        if in_trail is not None and in_trail != decision.record_sha256:
            yield Finding(what, "the hash written when it was made differs from the audit trail's")
        pdf = decision.pdf
        if pdf is not None and hashlib.sha256(pdf).hexdigest() != decision.pdf_sha256:
            yield Finding(what, "its PDF no longer matches its hash")


def _file_findings() -> Iterator[Finding]:
    """Each stored file a row names: there, and holding the bytes the row's hash names."""
    checked: dict[str, str | None] = {}
    for mapper in db.Model.registry.mappers:
        model = mapper.class_
        if not issubclass(model, StoredFileMixin):
            continue
        for row in db.session.scalars(select(model).order_by(model.id)):
            if row.sha256 not in checked:
                checked[row.sha256] = uploads.file_problem(row.sha256, row.size)
            if checked[row.sha256] is not None:
                owner = f"request {row.dossier_id}" if hasattr(row, "dossier_id") else "a row"
                what = f"file “{row.filename}” ({model.__tablename__} {row.id}, {owner})"
                yield Finding(what, checked[row.sha256])


def report() -> int:
    """Print what `findings` finds; the command's exit code (1 if anything)."""
    found = 0
    for finding in findings():
        click.echo(f"ALTERED {finding.what}: {finding.problem}.")
        found += 1
    filed = db.session.scalar(
        select(db.func.count()).select_from(Dossier).where(Dossier.answers_sha256.is_not(None))
    )
    requests = f"{filed} filed request{'' if filed == 1 else 's'}"
    if found:
        problems = f"{found} problem{'' if found == 1 else 's'}"
        click.echo(f"{problems} found ({requests} read, and every stored file).")
        return 1
    click.echo(f"Records intact: {requests}, their receipts and decisions, and every stored file.")
    return 0
