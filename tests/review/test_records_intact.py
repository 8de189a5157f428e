"""What the portal keeps of a filing is read again against the hashes written when it was
made: a request's answers, a decision's record, a stored file changed outside the portal (in
the database, on the disk) is found by `flask audit records`, said on the reviewer's page,
never decided on, never sent as if it were the file filed; storing the file again mends it."""

from __future__ import annotations

import copy

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from tests.review.support import act, dossier
from wizard import audit, uploads
from wizard.demo import minimal_pdf
from wizard.extensions import db
from wizard.models import AuditEvent, Decision, Document
from wizard.receipts import service as receipts


def records(app):
    return app.test_cli_runner().invoke(args=["audit", "records"])


def altered_answers(dossier_id: int, **changes) -> dict:
    """The filed answers changed in the database, outside the portal; the original back."""
    filed = dossier(dossier_id)
    original = copy.deepcopy(filed.submitted_answers)
    changed = copy.deepcopy(original)
    changed["answers"]["patient"].update(changes)
    filed.submitted_answers = changed
    flag_modified(filed, "submitted_answers")
    db.session.commit()
    return original


def test_filed_answers_changed_in_the_database_are_found_and_never_decided_on(
    app, reviewer, submitted
):
    with app.app_context():
        receipts.ensure_receipt(dossier(submitted))
        reference = dossier(submitted).reference
    intact = records(app)
    assert intact.exit_code == 0, intact.output
    assert "Records intact: 1 filed request, their receipts and decisions" in intact.output

    with app.app_context():
        original = altered_answers(submitted, year_of_birth="1950")
    found = records(app)
    assert found.exit_code == 1
    assert (
        f"ALTERED request {reference}: its filed answers no longer match the hash written "
        "when it was filed." in found.output
    )
    assert "1 problem found (1 filed request read, and every stored file)." in found.output
    page = reviewer.get(f"/review/requests/{submitted}").text
    assert "copy of this request no longer matches what was filed" in page
    assert act(reviewer, submitted, "start-review").status_code == 303  # not a decision
    refused = act(reviewer, submitted, "authorise")
    assert "Nothing was decided: the portal" in refused.text
    with app.app_context():
        assert db.session.scalars(select(Decision)).all() == []
        # Put back as filed: intact again, and decided on.
        filed = dossier(submitted)
        filed.submitted_answers = original
        db.session.commit()
    assert records(app).exit_code == 0
    assert (
        "no longer matches what was filed" not in reviewer.get(f"/review/requests/{submitted}").text
    )
    assert act(reviewer, submitted, "authorise").status_code == 303

    # A decision's record changed: found too.
    with app.app_context():
        decision = db.session.scalar(select(Decision))
        decision.record = {**decision.record, "max_patients": 500}
        db.session.commit()
    found = records(app)
    assert found.exit_code == 1
    assert f"ALTERED decision 1 of request {reference}: its record no longer matches" in (
        found.output
    )


def test_a_stored_file_changed_or_gone_is_never_sent_as_the_file_filed(app, reviewer, submitted):
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.dossier_id == submitted))
        url = f"/review/requests/{submitted}/documents/{document.id}"
        path = uploads.path_of(document.sha256)
        content = path.read_bytes()
    assert reviewer.get(url).status_code == 200
    try:
        path.write_bytes(content[:-40] + b"%" * 40)  # as long, other bytes
        changed = reviewer.get(url)
        assert changed.status_code == 500 and changed.mimetype == "text/html"
        assert "This file cannot be sent" in changed.text
        assert "clinical-evaluation.pdf" in changed.text
        found = records(app)
        assert found.exit_code == 1
        assert "clinical-evaluation.pdf" in found.output
        assert "its content no longer matches its hash" in found.output
        path.unlink()
        assert "This file cannot be sent" in reviewer.get(url).text
        assert "it is missing from" in records(app).output
        with app.app_context():
            downloads = db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == audit.DOCUMENT_DOWNLOADED)
            ).all()
            assert len(downloads) == 1  # the download that was sent, none of those refused
            # A file cut short (a crash while it was written) is written again when the same
            # file is stored again.
            path.write_bytes(b"")
            uploads.store("clinical-evaluation.pdf", content)
            assert path.read_bytes() == content
    finally:
        path.write_bytes(content)
    assert reviewer.get(url).data == content
    assert records(app).exit_code == 0
    assert content == minimal_pdf("CER")


def test_no_receipt_is_signed_on_filed_answers_altered_before_it_was_produced(
    app, reviewer, manufacturer, submitted, caplog
):
    """A receipt not produced at submission (it is produced on its first download) is never
    signed on answers changed since: the manufacturer, the reviewer and the command are told
    why, in words, and nothing is stored."""
    with app.app_context():
        reference = dossier(submitted).reference
        assert receipts.receipt_of(dossier(submitted)) is None
        original = altered_answers(submitted, year_of_birth="1950")

    for client, address in (
        (manufacturer, f"/requests/{submitted}/receipt.pdf"),
        (reviewer, f"/review/requests/{submitted}/receipt.pdf"),
    ):
        page = client.get(address)
        assert page.status_code == 500
        assert page.mimetype == "text/html"
        assert "This receipt cannot be produced" in page.text
        assert f"answers the portal keeps for request {reference} no longer match" in page.text
    assert f"receipt of {reference} not produced" in caplog.text
    exported = app.test_cli_runner().invoke(
        args=["receipts", "export", reference, str(app.instance_path) + "/r.pdf"]
    )
    assert exported.exit_code == 1
    assert f"No receipt is produced for {reference}: its filed answers no longer match" in (
        exported.output
    )
    assert exported.exception is None or isinstance(exported.exception, SystemExit)
    with app.app_context():
        assert receipts.receipt_of(dossier(submitted)) is None
        filed = dossier(submitted)
        filed.submitted_answers = original
        db.session.commit()
    sent = manufacturer.get(f"/requests/{submitted}/receipt.pdf")
    assert sent.status_code == 200
    assert sent.mimetype == "application/pdf"
