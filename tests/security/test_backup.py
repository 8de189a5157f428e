"""A backup restored into an empty database re-opens a submitted request, whose receipt still
verifies against the restored record."""

from __future__ import annotations

import json

from sqlalchemy import select

from tests.conftest import dossier_with, login
from wizard import mail
from wizard.extensions import db
from wizard.models import Dossier, Receipt
from wizard.receipts import service


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
    # Restored, an email waiting would leave a second time.
    assert "outgoing_emails" not in json.loads(backup.read_text())["tables"]

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
    assert client.post("/requests").status_code == 302
