"""A backup restored into an empty database re-opens a submitted request, whose receipt still
verifies against the restored record."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.orm import Session

from tests.conftest import dossier_with, login
from wizard import backup, create_app, mail
from wizard.clock import as_utc
from wizard.extensions import db
from wizard.models import Document, Dossier, Organisation, Receipt, User
from wizard.receipts import service


def backed_up(app, folder: Path) -> Path:
    """The database as it is now, written by `flask backup create`."""
    saved = folder / "backup.jsonl"
    created = app.test_cli_runner().invoke(args=["backup", "create", str(saved)])
    assert created.exit_code == 0, created.output
    return saved


def empty(app) -> None:
    """Every table emptied, as a new database restored into is."""
    with app.app_context():
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


def test_backup_and_restore_keep_a_submitted_request_and_its_receipt(app, client, user, tmp_path):
    with app.app_context():
        dossier_id = dossier_with(user[0], "individual", submit=True)
        dossier = db.session.get(Dossier, dossier_id)
        pdf = service.ensure_receipt(dossier).pdf
        reference = dossier.reference
        mail.store([("a@example.org", "Waiting", "An email waiting to leave", "test message")])
    runner = app.test_cli_runner()
    backup = tmp_path / "backup.json"
    created = runner.invoke(args=["backup", "create", str(backup)])
    assert created.exit_code == 0, created.output
    # Health data and password hashes: readable by its owner alone, whatever the umask.
    assert backup.stat().st_mode & 0o777 == 0o600
    # Restored, an email waiting would leave a second time.
    tables = {line.get("table") for line in map(json.loads, backup.read_text().splitlines())}
    assert "outgoing_emails" not in tables

    refused = runner.invoke(args=["backup", "restore", str(backup)])
    assert refused.exit_code != 0 and "needs an empty database" in refused.output

    empty(app)
    restored = runner.invoke(args=["backup", "restore", str(backup)])
    assert restored.exit_code == 0, restored.output

    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.reference == reference))
        stored = db.session.scalar(select(Receipt).where(Receipt.dossier_id == dossier.id))
        assert stored.pdf == pdf
        check = service.check_receipt(pdf)
        assert check.valid and check.status == "submitted"
    login(client, user[1])
    page = client.get(f"/requests/{dossier_id}/submitted")
    assert page.status_code == 200 and "VentriAssist Mini" in page.text
    # New rows after a restore get fresh ids (sequences follow the restored rows).
    assert client.post("/requests").status_code == 303


def test_an_id_removed_before_a_backup_is_not_given_again_after_its_restore(app, user, tmp_path):
    """A removed document's id is never given to a new one (a "Remove" from a page kept
    open would remove it): restored into a new database, not either."""
    with app.app_context():
        dossier_id = dossier_with(user[0], "individual")
        last = db.session.scalars(
            select(Document).where(Document.dossier_id == dossier_id).order_by(Document.id.desc())
        ).first()
        removed_id, kept = (
            last.id,
            {
                column.key: getattr(last, column.key)
                for column in Document.__table__.columns
                if column.key != "id"
            },
        )
        db.session.delete(last)
        db.session.commit()
    backup = backed_up(app, tmp_path)
    empty(app)
    with app.app_context(), db.engine.begin() as connection:  # counters as a new database's
        if db.engine.dialect.name == "postgresql":
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('documents', 'id'), 1, false)")
            )
        else:
            connection.execute(text("DELETE FROM sqlite_sequence"))
    restored = app.test_cli_runner().invoke(args=["backup", "restore", str(backup)])
    assert restored.exit_code == 0, restored.output
    with app.app_context():
        added = Document(**kept)
        db.session.add(added)
        db.session.commit()
        assert added.id > removed_id


def test_moments_are_written_in_utc_whatever_the_server_zone(app):
    """A PostgreSQL server in Paris time gives its moments at +01:00: written as they are,
    a SQLite database would drop the offset on restore, an hour off (the audit trail then
    broken). They are written in UTC."""
    paris = datetime(2026, 12, 5, 16, 50, 52, tzinfo=ZoneInfo("Europe/Paris"))
    assert backup._encode(paris) == {"$datetime": "2026-12-05T15:50:52+00:00"}
    assert backup._decode(backup._encode(paris)) == paris


def test_a_backup_on_a_server_in_paris_time_holds_utc_moments(app, user, tmp_path):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("a server time zone is PostgreSQL's")
        dossier_with(user[0], "individual", submit=True)
        name = db.engine.url.database
        with db.engine.connect() as connection:
            connection.execute(text(f"ALTER DATABASE {name} SET timezone TO 'Europe/Paris'"))
            connection.commit()
        db.engine.dispose()  # new connections take the zone
        try:
            with db.engine.connect() as connection:
                assert connection.execute(text("SHOW timezone")).scalar() == "Europe/Paris"
            saved = tmp_path / "paris.jsonl"
            backup.write(saved)
        finally:
            with db.engine.connect() as connection:
                connection.execute(text(f"ALTER DATABASE {name} RESET timezone"))
                connection.commit()
            db.engine.dispose()
    moments = re.findall(r'"\$datetime":"([^"]+)"', saved.read_text(encoding="utf-8"))
    assert moments and all(moment.endswith("+00:00") for moment in moments)


def test_a_backup_taken_while_the_portal_writes_is_one_consistent_snapshot(app, user):
    """A request (and its author) committed while the backup reads the tables is either
    wholly in it or not at all: here, read after the users, it is not."""
    written = []

    def write_meanwhile(conn, cursor, statement, *args):
        if written or "FROM users" not in statement:
            return
        written.append(True)
        with Session(db.engine) as other:
            newcomer = User(
                email="late@neworg.example",
                name="Late Comer",
                organisation=Organisation(name="New Org"),
            )
            newcomer.set_password("correct horse battery staple")
            other.add(newcomer)
            other.flush()
            other.add(Dossier(organisation_id=newcomer.organisation_id, created_by_id=newcomer.id))
            other.commit()

    with app.app_context():
        dossier_with(user[0], steps=["before-you-start"], files=False)
        event.listen(db.engine, "after_cursor_execute", write_meanwhile)
        try:
            taken = backup.dump()
        finally:
            event.remove(db.engine, "after_cursor_execute", write_meanwhile)
        assert written  # the portal wrote while the backup read
        users = {row["id"] for row in taken["tables"]["users"]}
        authors = {row["created_by_id"] for row in taken["tables"]["dossiers"]}
        assert authors <= users
        assert "New Org" not in str(taken["tables"]["organisations"])


def test_a_backup_is_utf8_whatever_the_systems_locale(app, user, tmp_path):
    """On a system whose locale is Latin-1, the backup is still written (and read) as UTF-8:
    names with "–" or "é" are neither refused nor garbled."""
    if not shutil.which("localedef"):
        pytest.skip("localedef is needed to make a Latin-1 locale")
    locales = tmp_path / "locales"
    locales.mkdir()
    made = subprocess.run(
        ["localedef", "-i", "fr_FR", "-f", "ISO-8859-1", str(locales / "fr_FR.ISO-8859-1")],
        capture_output=True,
    )
    if made.returncode not in (0, 1) or not (locales / "fr_FR.ISO-8859-1").exists():
        pytest.skip("no Latin-1 locale could be made here")
    with app.app_context():
        dossier_with(user[0], "individual", submit=True)  # "Cardiotech Médical SAS", "2019–2023"
        uri = db.engine.url.render_as_string(hide_password=False)
    env = {
        **os.environ,
        "LOCPATH": str(locales),
        "LC_ALL": "fr_FR.ISO-8859-1",
        "PYTHONUTF8": "0",
        "PYTHONCOERCECLOCALE": "0",
        "DATABASE_URL": uri,
        "FLASK_APP": "wizard",
    }
    check = [sys.executable, "-c", "import locale; print(locale.getpreferredencoding(False))"]
    assert subprocess.run(check, env=env, capture_output=True, text=True).stdout.strip() in (
        "ISO-8859-1",
        "ISO8859-1",
    )
    saved = tmp_path / "latin.jsonl"
    flask = Path(sys.executable).parent / "flask"
    created = subprocess.run([flask, "backup", "create", saved], env=env, capture_output=True)
    assert created.returncode == 0, created.stderr.decode(errors="replace")
    text_written = saved.read_bytes().decode("utf-8")  # UTF-8, or this fails
    assert "Cardiotech Médical SAS" in text_written and "–" in text_written


def test_a_file_that_is_not_a_whole_backup_is_refused_saying_so(app, user, tmp_path):
    with app.app_context():
        dossier_with(user[0], "individual", submit=True)
    runner = app.test_cli_runner()
    good = backed_up(app, tmp_path)
    lines = good.read_text(encoding="utf-8").splitlines(keepends=True)
    cases = {
        "truncated.jsonl": "".join(lines[: len(lines) // 2]),
        "cut-mid-line.jsonl": good.read_text(encoding="utf-8")[:3000],
        "readme.md": "# A README\n\nNot a backup.\n",
        "list.json": "[1, 2]\n",
        "header-only.jsonl": lines[0],
        "empty.jsonl": "",
    }
    for name, content in cases.items():
        if content is not None:
            (tmp_path / name).write_text(content, encoding="utf-8")
    (tmp_path / "binary.bin").write_bytes(bytes(range(256)) * 4)
    first_format = {"format": backup.FIRST_FORMAT, "revision": "x", "tables": {"users": 1}}
    (tmp_path / "first-damaged.json").write_text(json.dumps(first_format), encoding="utf-8")
    cases["first-damaged.json"] = None
    empty(app)
    for name in [*cases, "binary.bin"]:
        refused = runner.invoke(args=["backup", "restore", str(tmp_path / name)])
        assert refused.exit_code == 1, (name, refused.output, refused.exception)
        assert "Nothing was restored." in refused.output, (name, refused.output)
        assert "Traceback" not in refused.output
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0, name
    # A whole backup whose lines an editor or a transfer spaced out, or ended the Windows way
    # (a byte-order mark first), is still whole.
    spaced = tmp_path / "spaced.jsonl"
    spaced_out = b"\r\n\r\n".join(line.rstrip("\n").encode() for line in lines)
    spaced.write_bytes(b"\xef\xbb\xbf" + spaced_out + b"\r\n\n")
    restored = runner.invoke(args=["backup", "restore", str(spaced)])
    assert restored.exit_code == 0, restored.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Dossier)) == 1


def test_a_backup_of_the_first_format_still_restores(app, user, tmp_path):
    with app.app_context():
        dossier_id = dossier_with(user[0], "individual", submit=True)
        taken = backup.dump()
    first = tmp_path / "first.json"
    first.write_text(
        json.dumps({**taken, "format": backup.FIRST_FORMAT}, ensure_ascii=False), encoding="utf-8"
    )
    empty(app)
    restored = app.test_cli_runner().invoke(args=["backup", "restore", str(first)])
    assert restored.exit_code == 0, restored.output
    with app.app_context():
        assert db.session.get(Dossier, dossier_id).reference
        assert backup.dump()["tables"] == taken["tables"]


def test_a_drafts_empty_frozen_answers_stay_sql_null(app, user, tmp_path):
    """A JSON column's SQL NULL (a draft has no frozen answers) is not restored as JSON's
    null: "IS NULL" reads the same before and after."""

    def drafts() -> int:
        with app.app_context():
            return db.session.scalar(
                select(func.count()).where(Dossier.submitted_answers.is_(None))
            )

    with app.app_context():
        dossier_with(user[0], steps=["before-you-start"], files=False)
        dossier_with(user[0], "individual", submit=True)
    assert drafts() == 1
    runner = app.test_cli_runner()
    saved = backed_up(app, tmp_path)
    empty(app)
    assert runner.invoke(args=["backup", "restore", str(saved)]).exit_code == 0
    assert drafts() == 1


def test_a_restore_keeps_each_drafts_last_change(app, user, tmp_path):
    """The dashboard orders drafts by their last change and says it: a restore gives it back
    as it was, not the moment of the restore."""
    with app.app_context():
        draft = dossier_with(user[0], steps=["before-you-start"], files=False)
        before = db.session.get(Dossier, draft).updated_at
    runner = app.test_cli_runner()
    saved = backed_up(app, tmp_path)
    empty(app)
    assert runner.invoke(args=["backup", "restore", str(saved)]).exit_code == 0
    with app.app_context():
        assert as_utc(db.session.get(Dossier, draft).updated_at) == as_utc(before)


def test_damaged_rows_and_a_missing_folder_are_refused_saying_so(app, user, tmp_path):
    with app.app_context():
        dossier_with(user[0], "individual", submit=True)
    runner = app.test_cli_runner()
    good = backed_up(app, tmp_path)
    header, *rows = good.read_text(encoding="utf-8").splitlines()
    organisation = next(line for line in rows if '"table":"organisations"' in line)
    damaged = {
        "no-table": '{"row": {"id": 1}}',
        "table-list": '{"table": ["x"], "row": {"id": 1}}',
        "bad-moment": '{"table": "organisations", "row": {"id": 1, "name": "X", '
        '"created_at": {"$datetime": "garbage"}}}',
        "bad-bytes": '{"table": "organisations", "row": {"id": 1, "name": {"$bytes": "%%"}}}',
        "missing-column": '{"table": "organisations", "row": {"id": 1}}',
        "twice": f"{organisation}\n{organisation}",
        "unknown-column": json.dumps(
            {"table": "organisations", "row": {**json.loads(organisation)["row"], "bogus": 1}}
        ),
    }
    empty(app)
    for name, line in damaged.items():
        count = line.count("\n") + 1
        path = tmp_path / f"{name}.jsonl"
        path.write_text(f'{header}\n{line}\n{{"end": {count}}}\n', encoding="utf-8")
        refused = runner.invoke(args=["backup", "restore", str(path)])
        assert refused.exit_code == 1, (name, refused.output, refused.exception)
        assert "Nothing was restored." in refused.output, (name, refused.output)
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0
    missing = tmp_path / "nowhere" / "backup.jsonl"
    for args in (["backup", "create", str(missing)], ["receipts", "export", "X", str(missing)]):
        refused = runner.invoke(args=args)
        assert refused.exit_code == 2 and "does not exist" in refused.output, refused.output
    negative = runner.invoke(args=["uploads", "prune", "--older-than-hours", "-1"])
    assert negative.exit_code == 2 and "-1" in negative.output


@pytest.fixture
def never_migrated(app, tmp_path):
    """The address of a database with no tables: a SQLite file, or on PostgreSQL (the
    production database, whose error codes differ) a database of its own, dropped after."""
    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'never-migrated.sqlite3'}"
        return
    name = f"never_migrated_{secrets.token_hex(4)}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def test_operator_commands_on_a_database_never_migrated_say_what_to_do(never_migrated, tmp_path):
    """Not a traceback: the database has no tables yet."""
    bare = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path),
            "UPLOAD_FOLDER": tmp_path / "uploads",
            "SQLALCHEMY_DATABASE_URI": never_migrated,
        }
    )
    runner = bare.test_cli_runner()
    for args in (
        ["audit", "verify"],
        ["decisions", "expire"],
        ["mail", "send-pending"],
        ["uploads", "prune"],
        ["receipts", "export", "DA-2026-000001", str(tmp_path / "r.pdf")],
        ["backup", "create", str(tmp_path / "b.jsonl")],
        ["backup", "restore", str(tmp_path / "b.jsonl")],
        ["set-reviewer-title", "x@ansm.example", "Head"],
    ):
        if args[:2] == ["backup", "restore"]:
            (tmp_path / "b.jsonl").write_text(
                '{"format":"derogation-portal-backup/2","revision":"x"}\n{"end":0}\n',
                encoding="utf-8",
            )
        said = runner.invoke(args=args)
        assert said.exit_code == 1, (args, said.output, said.exception)
        assert "no schema yet: run `flask db upgrade` first" in said.output, (args, said.output)
    with bare.app_context():
        db.engine.dispose()
