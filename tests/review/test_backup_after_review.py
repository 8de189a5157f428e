"""A backup taken once ANSM has worked a request (an authorisation and its period, a question
with its due date and its answer, a follow-up report marked read, a note) restores every row
as it was, and the signed decision still verifies against the restored record."""

from __future__ import annotations

from sqlalchemy import select

from tests.review.support import DUE, act, document, questions, reply
from tests.review.test_follow_up_reports import authorised, send_report
from tests.review.test_notes import add_note
from tests.security.test_backup import backed_up, empty
from wizard import backup
from wizard.extensions import db
from wizard.models import Decision, FollowUpReport
from wizard.receipts import service


def test_a_request_worked_by_ansm_is_restored_row_for_row(
    app, reviewer, manufacturer, submitted_global, tmp_path
):
    authorised(reviewer, submitted_global)
    assert act(reviewer, submitted_global, "request-information", due_date=DUE).status_code == 303
    with app.app_context():
        question = questions(submitted_global)[0].id
    reply(manufacturer, submitted_global, question, files=[document()])
    send_report(manufacturer, submitted_global)
    with app.app_context():
        report = db.session.scalar(select(FollowUpReport)).id
    reviewer.post(f"/review/requests/{submitted_global}/follow-up-reports/{report}/read")
    add_note(reviewer, submitted_global)
    with app.app_context():
        before = backup.dump()
        pdf = db.session.scalar(select(Decision.pdf).where(Decision.dossier_id == submitted_global))

    runner = app.test_cli_runner()
    saved = backed_up(app, tmp_path)
    empty(app)
    restored = runner.invoke(args=["backup", "restore", str(saved)])
    assert restored.exit_code == 0, restored.output

    with app.app_context():
        db.session.expire_all()
        assert backup.dump() == before  # every table, every column, every type
        check = service.check_receipt(pdf)
        assert check.valid and check.decision_number == 1
    page = reviewer.get(f"/review/requests/{submitted_global}").text
    assert "Read by" in page and "CER version 2" in page
