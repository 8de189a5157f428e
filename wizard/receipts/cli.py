"""`flask receipts export REF FILE` and `flask receipts verify FILE`."""

from __future__ import annotations

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
    receipt = service.ensure_receipt(dossier)
    destination.write_bytes(receipt.pdf)
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


@receipts_cli.command("verify")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify(source: Path) -> None:
    """Check a receipt (or a decision PDF): exit code 0 only if it is signed, intact, trusted
    and matches what the portal stored."""
    check = service.check_receipt(source.read_bytes())
    verdict = check.verdict
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
    lines = [
        ("Signature", "present" if verdict.signed else "MISSING"),
        ("Integrity", "intact" if verdict.intact else "ALTERED after signing"),
        ("Trust", _trust(check)),
        ("Signer", verdict.signer or "-"),
        ("Reference", verdict.reference or "-"),
        ("Request in the portal", "found" if check.known else "NOT FOUND"),
        (compared, f"matches the stored {stored}" if check.answers_match else "DOES NOT MATCH"),
        ("Status", _status(check)),
    ]
    for label, value in lines:
        click.echo(f"{label + ':':<24}{value}")
    for problem in verdict.problems:
        click.echo(f"Problem: {problem}")
    if check.incomplete and not verdict.intact:
        click.echo("Problem: The file is incomplete (its end is missing): export it again.")
    click.echo("VALID" if check.valid else "NOT VALID")
    raise SystemExit(0 if check.valid else 1)
