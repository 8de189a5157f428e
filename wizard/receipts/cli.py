"""`flask receipts export REF FILE` and `flask receipts verify FILE`."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from wizard.cli import in_existing_folder
from wizard.extensions import db
from wizard.models import Dossier
from wizard.receipts import service
from wizard.web import status_label

receipts_cli = AppGroup("receipts", help="Export and verify signed receipts.")


@receipts_cli.command("export")
@click.argument("reference")
@click.argument(
    "destination",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=in_existing_folder,
)
def export(reference: str, destination: Path) -> None:
    """Write the stored receipt of request REFERENCE to DESTINATION."""
    dossier = db.session.scalar(select(Dossier).where(Dossier.reference == reference.upper()))
    if dossier is None:
        raise click.ClickException(f"No submitted request has the reference {reference}.")
    try:
        receipt = service.ensure_receipt(dossier)
    except service.RecordAltered:
        raise click.ClickException(
            f"No receipt is produced for {dossier.reference}: its filed answers no longer match "
            "their hash (changed outside the portal). `flask audit records` lists what changed."
        ) from None
    # Readable by its owner alone, whatever the umask, as backups and uploads are: the
    # receipt embeds every answer, health data included.
    descriptor = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # a file already there keeps its mode otherwise
    with open(descriptor, "wb") as out:
        out.write(receipt.pdf)
    click.echo(
        f"Receipt {receipt.reference} written to {destination} (sha256 {receipt.pdf_sha256})."
    )


def _status(check) -> str:
    """The request's status as its pages name it, in English as the command's other words."""
    if not check.status:
        return "-"
    with force_locale("en"):
        return str(status_label(check.status, check.authorised))


def _trust(check) -> str:
    if check.verdict.trusted:
        return "trusted"
    if check.issued_here:
        return "issued by this portal (the very file it keeps; seal's certificate since replaced)"
    return "NOT trusted"


def _signer(verdict) -> str:
    if not verdict.signer:
        return "-"
    if not verdict.intact:
        return f"{verdict.signer} (not confirmed: the file no longer matches its signature)"
    return verdict.signer


def _not_compared(check) -> str | None:
    """Why the file's contents are not compared with the portal's record, if they are not."""
    verdict = check.verdict
    if not verdict.signed:
        return "not compared (the file carries no signature)"
    if not verdict.intact:
        return "not compared (the file was changed after it was signed)"
    if not (verdict.trusted or check.issued_here):
        return "not compared (the signature is not the portal's)"
    return None


@receipts_cli.command("verify")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify(source: Path) -> None:
    """Check a receipt (or a decision PDF): exit code 0 only if it is signed, intact, trusted
    and matches what the portal stored."""
    check = service.check_receipt(source.read_bytes())
    verdict = check.verdict
    if check.incomplete and not verdict.intact:  # as the verify page: nothing else to say
        click.echo("File:                   INCOMPLETE (its end is missing): it cannot be checked")
        click.echo("Problem: export it again, or download it again, and check that file.")
        click.echo("NOT VALID")
        raise SystemExit(1)
    # A manufacturer's withdrawal of its request, signed as decisions are, is no decision of
    # ANSM (known only of a genuine file).
    withdrawal = check.decision is not None and check.decision.by_manufacturer
    if withdrawal:
        compared = "Withdrawal"
    elif check.is_decision:
        compared = f"Decision {check.decision_number or '?'}"
    else:
        compared = "Answers hash"
    stored = "withdrawal" if withdrawal else "decision" if check.is_decision else "request"
    # What a file not genuine says is not compared with the portal's record (as on the verify
    # page): it may say anything, a matching hash included.
    not_compared = _not_compared(check)
    lines = [
        ("Signature", "present" if verdict.signed else "MISSING"),
        # Unsigned, nothing was signed to be altered since.
        (
            "Integrity",
            "intact" if verdict.intact else "ALTERED after signing" if verdict.signed else "-",
        ),
        ("Trust", _trust(check) if verdict.intact else "-"),
        ("Signer", _signer(verdict)),
        ("Reference", verdict.reference or "-"),
        ("Request in the portal", not_compared or ("found" if check.known else "NOT FOUND")),
        (
            compared,
            not_compared
            or (f"matches the stored {stored}" if check.answers_match else "DOES NOT MATCH"),
        ),
        ("Status", "-" if not_compared else _status(check)),
    ]
    for label, value in lines:
        click.echo(f"{label + ':':<24}{value}")
    for problem in verdict.problems:
        click.echo(f"Problem: {problem}")
    click.echo("VALID" if check.valid else "NOT VALID")
    raise SystemExit(0 if check.valid else 1)
