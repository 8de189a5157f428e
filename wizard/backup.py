"""Backup and restore of the whole database as one portable JSON file, the same on SQLite and
PostgreSQL: `flask backup create FILE`, `flask backup restore FILE` (into an empty, migrated
database). Uploaded PDFs live in UPLOAD_FOLDER and are copied with the file system."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import func, insert, select, text

from wizard.clock import as_utc
from wizard.extensions import db

FORMAT = "derogation-portal-backup/1"

backup_cli = AppGroup("backup", help="Back up and restore the database.")


def _encode(value):
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode()}
    if isinstance(value, datetime):
        return {"$datetime": as_utc(value).isoformat()}
    if isinstance(value, date):  # a decision's period, a question's due date
        return {"$date": value.isoformat()}
    return value


def _decode(value):
    if isinstance(value, dict) and "$bytes" in value:
        return base64.b64decode(value["$bytes"])
    if isinstance(value, dict) and "$datetime" in value:
        return datetime.fromisoformat(value["$datetime"])
    if isinstance(value, dict) and "$date" in value:
        return date.fromisoformat(value["$date"])
    return value


# Emails waiting to leave: restored, they would leave again (some went after the backup), and
# sealed with the key of the portal that wrote them. Answers sent once signed out: kept a day
# for one browser (`wizard.unsent`), sealed with its key.
NOT_BACKED_UP = ("outgoing_emails", "unsent_answers")


def dump() -> dict:
    tables = {}
    for table in db.metadata.sorted_tables:
        if table.name in NOT_BACKED_UP:
            continue
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).mappings()
        tables[table.name] = [{k: _encode(v) for k, v in row.items()} for row in rows]
    revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return {"format": FORMAT, "revision": revision, "tables": tables}


def load(backup: dict) -> None:
    if backup.get("format") != FORMAT:
        raise click.ClickException("This file is not a backup of this portal.")
    revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if revision != backup["revision"]:
        raise click.ClickException(
            f"The backup is at schema {backup['revision']}, the database at {revision}: "
            "run `flask db upgrade` (or downgrade) to the same revision first."
        )
    for table in db.metadata.sorted_tables:
        if db.session.scalar(select(func.count()).select_from(table)):
            raise click.ClickException(f"Restore needs an empty database; {table.name} has rows.")
    for table in db.metadata.sorted_tables:
        rows = backup["tables"].get(table.name, [])
        if rows:
            db.session.execute(
                insert(table), [{k: _decode(v) for k, v in row.items()} for row in rows]
            )
    _reset_sequences()
    db.session.commit()


def _reset_sequences() -> None:
    """PostgreSQL: make the next generated ids follow the restored ones."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (
                column.autoincrement == "auto" and column.type.python_type is int
            ):
                db.session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                        f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"
                    )
                )


@backup_cli.command("create")
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
def create(destination: Path) -> None:
    """Write every table to DESTINATION (JSON)."""
    backup = dump()
    destination.write_text(json.dumps(backup, ensure_ascii=False))
    count = sum(len(rows) for rows in backup["tables"].values())
    click.echo(f"{count} rows written to {destination} (schema {backup['revision']}).")


@backup_cli.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore(source: Path) -> None:
    """Load SOURCE into this (empty, migrated) database."""
    load(json.loads(source.read_text()))
    click.echo(f"Restored from {source}.")
