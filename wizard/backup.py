"""Backup and restore of the whole database as one portable file, the same on SQLite and
PostgreSQL: `flask backup create FILE`, `flask backup restore FILE` (into an empty, migrated
database). Uploaded PDFs live in UPLOAD_FOLDER and are copied with the file system.

The file is UTF-8 JSON Lines: a first line naming the format and the schema's revision, one
line per row (its table and its columns), a last line counting the rows, so that a file cut
short is refused, and giving the id each table would give next (a removed row's id is never
given again, restored or not). Rows are read from one snapshot of the database (a backup taken
while the portal is in use is consistent) and written as they are read, and restored in batches
as they are read back: memory stays that of a batch, whatever the database's size. Moments are
written in UTC, whatever the database server's time zone. Files of the first format (one JSON
document) still restore."""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import Connection, func, insert, select, text
from sqlalchemy.exc import DBAPIError

from wizard.cli import NO_SCHEMA, in_existing_folder, is_missing_table
from wizard.clock import as_utc
from wizard.extensions import db

FORMAT = "derogation-portal-backup/2"
FIRST_FORMAT = "derogation-portal-backup/1"  # one JSON document, still restored
BATCH = 500  # rows inserted at once by a restore

backup_cli = AppGroup("backup", help="Back up and restore the database.")


def _encode(value):
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode()}
    if isinstance(value, datetime):  # in UTC, as every server zone reads it back the same
        return {"$datetime": as_utc(value).astimezone(UTC).isoformat()}
    if isinstance(value, date):  # a decision's period, a question's due date
        return {"$date": value.isoformat()}
    return value


def _decode(value):
    if isinstance(value, dict) and "$bytes" in value:
        return base64.b64decode(value["$bytes"], validate=True)
    if isinstance(value, dict) and "$datetime" in value:
        return datetime.fromisoformat(value["$datetime"]).astimezone(UTC)
    if isinstance(value, dict) and "$date" in value:
        return date.fromisoformat(value["$date"])
    return value


# Emails waiting to leave: restored, they would leave again (some went after the backup), and
# sealed with the key of the portal that wrote them. Answers sent once signed out: kept a day
# for one browser (`wizard.unsent`), sealed with its key.
NOT_BACKED_UP = ("outgoing_emails", "unsent_answers")


def _tables():
    return [table for table in db.metadata.sorted_tables if table.name not in NOT_BACKED_UP]


@contextmanager
def _snapshot() -> Iterator[Connection]:
    """A connection of its own holding one read-only view of the whole database: rows
    committed by the portal meanwhile are not half seen (a request without its author).
    PostgreSQL: a repeatable-read transaction; SQLite (in WAL mode): a read transaction."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        else:
            connection.exec_driver_sql("BEGIN")
        try:
            yield connection
        finally:
            connection.rollback()


def _revision(connection: Connection) -> str:
    try:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError as error:
        if not is_missing_table(error):
            raise
        connection.rollback()
        raise click.ClickException(NO_SCHEMA) from None
    if revision is None:
        raise click.ClickException(NO_SCHEMA)
    return revision


def rows(connection: Connection) -> Iterator[tuple[str, dict]]:
    """Every backed-up row, table by table (parents first), as the file holds it."""
    for table in _tables():
        query = select(table).order_by(*table.primary_key.columns)
        for row in connection.execute(query.execution_options(yield_per=BATCH)).mappings():
            yield table.name, {key: _encode(value) for key, value in row.items()}


def dump() -> dict:
    """The whole backup as one value (the tests compare two)."""
    with _snapshot() as connection:
        tables: dict[str, list[dict]] = {table.name: [] for table in _tables()}
        for name, row in rows(connection):
            tables[name].append(row)
        return {"format": FORMAT, "revision": _revision(connection), "tables": tables}


def write(destination: Path) -> tuple[int, str]:
    """Write the backup to `destination`, through a file beside it renamed once complete (an
    earlier backup there is never left half overwritten). How many rows, at which schema."""
    partial = destination.with_name(destination.name + ".partial")
    count = 0
    try:
        # Readable by its owner alone, whatever the umask: it holds every request's health data
        # and every account's password hash, as the uploaded files are kept (0600).
        partial.unlink(missing_ok=True)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with (
            _snapshot() as connection,
            open(descriptor, "w", encoding="utf-8", newline="\n") as out,
        ):
            revision = _revision(connection)
            out.write(_line({"format": FORMAT, "revision": revision}))
            for name, row in rows(connection):
                out.write(_line({"table": name, "row": row}))
                count += 1
            out.write(_line({"end": count, "next_ids": _next_ids(connection)}))
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
    return count, revision


def _line(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


class NotABackup(click.ClickException):
    def __init__(self, why: str):
        super().__init__(f"{why} Nothing was restored.")


def read(source: Path, next_ids: dict | None = None) -> tuple[str, Iterator[tuple[str, dict]]]:
    """The schema revision a backup file is at, and its rows as they are read; `next_ids`
    is given, once the rows are read, the id each table would have given next."""
    lines = _lines(source)
    header = next(lines, None)
    if not isinstance(header, dict) or header.get("format") not in (FORMAT, FIRST_FORMAT):
        raise NotABackup("This file is not a backup of this portal.")
    if header["format"] == FIRST_FORMAT:  # the whole backup was that one line
        return _first_format(header)
    if not isinstance(header.get("revision"), str):
        raise NotABackup("This backup does not say its schema's revision.")
    return header["revision"], _rows_of(lines, {} if next_ids is None else next_ids)


def _lines(source: Path) -> Iterator:
    """Each line of the file, read as JSON (a file of the first format is one line); blank
    lines, which an editor or a transfer may add, are no lines (the last line counts rows)."""
    with source.open(encoding="utf-8-sig") as lines:  # a BOM a Windows editor may add
        try:
            for line in lines:
                if line.strip():
                    yield json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise NotABackup("This file is not a backup of this portal, or is damaged.") from None


def _first_format(backup: dict) -> tuple[str, Iterator[tuple[str, dict]]]:
    tables = backup.get("tables")
    if not isinstance(backup.get("revision"), str) or not isinstance(tables, dict):
        raise NotABackup("This backup is incomplete.")
    if not all(isinstance(listed, list) for listed in tables.values()):
        raise NotABackup("This backup is damaged (a table is not a list of rows).")
    return backup["revision"], ((name, row) for name, listed in tables.items() for row in listed)


def _rows_of(lines: Iterator, next_ids: dict) -> Iterator[tuple[str, dict]]:
    """The rows of a file of lines, up to its last, which counts them (and, since backups
    named them, says the id each table would have given next: `next_ids`)."""
    count = 0
    for line in lines:
        if isinstance(line, dict) and "end" in line and set(line) <= {"end", "next_ids"}:
            if line["end"] != count:
                raise NotABackup("This backup is incomplete (rows are missing).")
            given = line.get("next_ids") or {}
            if not isinstance(given, dict) or not all(
                isinstance(number, int) for number in given.values()
            ):
                raise NotABackup("This backup is damaged (its last line).")
            next_ids.update(given)
            return
        if not (isinstance(line, dict) and isinstance(line.get("row"), dict)):
            raise NotABackup("This backup is damaged (a line is not a row).")
        count += 1
        yield line.get("table"), line["row"]
    raise NotABackup("This backup is incomplete: it ends before its last line.")


def load(
    revision: str, backup_rows: Iterable[tuple[str, dict]], next_ids: dict | None = None
) -> int:
    """Restore the rows into this empty database at the same schema revision, in one
    transaction: all of them, or (refused, or failing) none. How many rows. `next_ids`: the
    id each table would have given next (filled in as the rows' last is read), given again."""
    current = _revision(db.session.connection())
    if current != revision:
        raise click.ClickException(
            f"The backup is at schema {revision}, the database at {current}: "
            "run `flask db upgrade` (or downgrade) to the same revision first."
        )
    for table in db.metadata.sorted_tables:
        if db.session.scalar(select(func.count()).select_from(table)):
            raise click.ClickException(f"Restore needs an empty database; {table.name} has rows.")
    known = {table.name: table for table in db.metadata.sorted_tables}
    batch: list[dict] = []
    batch_table = None
    count = 0
    try:
        for name, row in backup_rows:
            if not isinstance(name, str) or name not in known or name in NOT_BACKED_UP:
                raise NotABackup(f"This backup holds a table this portal does not: {name}.")
            # Every column of its table, no other: a row edited by hand loses nothing unsaid.
            if not isinstance(row, dict) or set(row) != set(known[name].columns.keys()):
                raise NotABackup(f"This backup is damaged (row {count + 1}, {name}).")
            if name != batch_table or len(batch) >= BATCH:
                _insert(known.get(batch_table), batch)
                batch, batch_table = [], name
            try:
                batch.append({key: _decode(value) for key, value in row.items()})
            except (TypeError, ValueError, binascii.Error):
                raise NotABackup(f"This backup is damaged (row {count + 1}).") from None
            count += 1
        _insert(known.get(batch_table), batch)
        _reset_sequences(next_ids or {})
        db.session.commit()
    except DBAPIError as error:  # rows that do not fit this database: a damaged file
        db.session.rollback()
        raise NotABackup(f"This backup's rows do not fit this database ({error.orig}).") from None
    except BaseException:
        db.session.rollback()
        raise
    return count


def _insert(table, batch: list[dict]) -> None:
    if batch:
        db.session.execute(insert(table), batch)


def _generated_ids(table) -> str | None:
    """The column whose ids the database generates, if any."""
    for column in table.primary_key.columns:
        if column.autoincrement is True or (
            column.autoincrement == "auto" and column.type.python_type is int
        ):
            return column.name
    return None


def _next_ids(connection: Connection) -> dict[str, int]:
    """The id each table would give its next row: past its highest row's, once rows were
    removed (a removed document's id is never given again, `NO_ID_TAKEN_AGAIN`)."""
    if connection.dialect.name == "postgresql":
        found = {}
        for table in _tables():
            if (column := _generated_ids(table)) is None:
                continue
            sequence = connection.scalar(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column},
            )
            if sequence is not None:
                last, called = connection.execute(
                    text(f"SELECT last_value, is_called FROM {sequence}")
                ).one()
                found[table.name] = last + 1 if called else last
        return found
    if _sqlite_counters(connection):
        return {
            name: seq + 1
            for name, seq in connection.execute(text("SELECT name, seq FROM sqlite_sequence"))
        }
    return {}


def _sqlite_counters(connection: Connection) -> bool:
    """Whether this is SQLite keeping the ids its AUTOINCREMENT tables gave (`sqlite_sequence`,
    there since a schema with such tables: `NO_ID_TAKEN_AGAIN`)."""
    return connection.dialect.name == "sqlite" and bool(
        connection.scalar(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"))
    )


def _reset_sequences(next_ids: dict[str, int]) -> None:
    """Make the next generated ids follow the restored ones, and those the backed-up database
    would have given next (`next_ids`): an id never given again there is not here either."""
    postgresql = db.engine.dialect.name == "postgresql"
    counters = _sqlite_counters(db.session.connection())
    for table in db.metadata.sorted_tables:
        if (column := _generated_ids(table)) is None:
            continue
        after = db.session.scalar(text(f"SELECT COALESCE(MAX({column}), 0) + 1 FROM {table.name}"))
        following = max(after, next_ids.get(table.name, 1))
        if postgresql:
            db.session.execute(
                text("SELECT setval(pg_get_serial_sequence(:table, :column), :next, false)"),
                {"table": table.name, "column": column, "next": following},
            )
        elif counters and table.dialect_options["sqlite"].get("autoincrement"):
            # (A table none of whose rows was ever inserted has no row there yet.)
            named = {"seq": following - 1, "table": table.name}
            db.session.execute(text("DELETE FROM sqlite_sequence WHERE name = :table"), named)
            db.session.execute(
                text("INSERT INTO sqlite_sequence (name, seq) VALUES (:table, :seq)"), named
            )


@backup_cli.command("create")
@click.argument(
    "destination",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=in_existing_folder,
)
def create(destination: Path) -> None:
    """Write every table to DESTINATION (UTF-8 JSON Lines)."""
    count, revision = write(destination)
    click.echo(f"{count} rows written to {destination} (schema {revision}).")


@backup_cli.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore(source: Path) -> None:
    """Load SOURCE into this (empty, migrated) database."""
    next_ids: dict[str, int] = {}
    revision, backup_rows = read(source, next_ids)
    count = load(revision, backup_rows, next_ids)
    click.echo(f"{count} rows restored from {source}.")
