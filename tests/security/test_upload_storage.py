"""Stored files that no row names any more (a removed document, a refused form never sent
again) are removed by `flask uploads prune` once old enough; files in use, and files just
written, are kept."""

from __future__ import annotations

import os
import time

from tests.conftest import dossier_with
from wizard import uploads
from wizard.demo import minimal_pdf
from wizard.extensions import db
from wizard.models import Dossier


def test_prune_removes_only_old_files_nothing_names(app, user):
    with app.app_context():
        dossier_id = dossier_with(user[0], "individual")
        in_use = [d.sha256 for d in db.session.get(Dossier, dossier_id).documents]
        orphan = uploads.store("removed.pdf", minimal_pdf("Removed long ago")).sha256
        fresh = uploads.store("just-sent.pdf", minimal_pdf("Being sent")).sha256
        three_days_ago = time.time() - 3 * 24 * 3600
        for sha256 in [orphan, *in_use]:
            os.utime(uploads.path_of(sha256), (three_days_ago, three_days_ago))
    result = app.test_cli_runner().invoke(args=["uploads", "prune"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 files removed")
    with app.app_context():
        assert not uploads.path_of(orphan).exists()
        assert uploads.path_of(fresh).exists()
        assert all(uploads.path_of(sha256).exists() for sha256 in in_use)
        # A document removed from its request becomes prunable like any other.
        again = app.test_cli_runner().invoke(args=["uploads", "prune", "--older-than-hours", "0"])
        assert again.exit_code == 0 and not uploads.path_of(fresh).exists()
        assert all(uploads.path_of(sha256).exists() for sha256 in in_use)


def test_a_file_sent_again_is_young_again(app):
    with app.app_context():
        again = uploads.store("same.pdf", minimal_pdf("Same")).sha256
        long_ago = time.time() - 3 * 24 * 3600
        os.utime(uploads.path_of(again), (long_ago, long_ago))
        uploads.store("same-again.pdf", minimal_pdf("Same"))
        assert uploads.path_of(again).stat().st_mtime > time.time() - 60


def test_prune_removes_nothing_when_the_database_names_none_of_the_folders_files(app, tmp_path):
    """`uploads prune` run against another database (a command started without DATABASE_URL
    reads development's, empty) would take every filed document for an orphan: refused,
    saying why, unless asked again with --force."""
    from wizard import create_app

    with app.app_context():
        stored = uploads.store("filed.pdf", minimal_pdf("Filed long ago"))
        long_ago = time.time() - 3 * 24 * 3600
        os.utime(uploads.path_of(stored.sha256), (long_ago, long_ago))
    elsewhere = create_app(
        {
            **app.config,
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        }
    )
    with elsewhere.app_context():
        db.create_all()
    runner = elsewhere.test_cli_runner()
    refused = runner.invoke(args=["uploads", "prune"])
    assert refused.exit_code == 1
    assert "is one the database names (0 files, 0 requests)" in refused.output
    assert "Nothing was removed." in refused.output and "--force" in refused.output
    with app.app_context():
        assert uploads.path_of(stored.sha256).exists()
    forced = runner.invoke(args=["uploads", "prune", "--force"])
    assert forced.exit_code == 0, forced.output
    with app.app_context():
        assert not uploads.path_of(stored.sha256).exists()


def test_a_file_the_full_disk_cannot_hold_is_said_so_with_what_was_typed(
    app, logged_in, user, monkeypatch
):
    """The server's disk full as a document is sent (the system refusing the write, the one
    edge faked here): a page saying so, what was typed with it to copy, the way back to the
    step, nothing recorded and nothing half written left behind."""
    import errno
    import io

    from tests.conftest import dossier_with
    from wizard.models import Document

    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
        before = set(uploads.stored_names())

    def disk_full(_descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    step = f"/requests/{dossier_id}/steps/clinical-evidence"
    typed = "Étude pivot sur 40 patients : aucune complication majeure à 6 mois."
    sent = logged_in.post(
        f"/requests/{dossier_id}/documents",
        data={
            "document-kind": "ifu",
            "document-file": (io.BytesIO(minimal_pdf("IFU never stored")), "ifu.pdf"),
            "efficacy_summary": typed,
        },
        content_type="multipart/form-data",
        headers={"Referer": f"http://localhost{step}"},
    )
    assert sent.status_code == 507
    assert "Your file could not be stored" in sent.text
    assert "storage is full at this moment, so nothing you sent was saved" in sent.text
    assert typed in sent.text.replace("&#39;", "'")
    assert f'<a class="button" href="{step}">Open the form again</a>' in sent.text
    with app.app_context():
        assert db.session.query(Document).count() == 0
        assert set(uploads.stored_names()) == before
        folder = uploads.path_of("0" * 64).parent.parent
        assert not [p for p in folder.rglob("*") if p.is_file() and p.name.startswith("tmp")]
