"""A manufacturer deletes a draft it no longer needs: a page says what goes with it, then the
answers, files and letters go, open invitation links stop working, and the request leaves the
dashboard. Only its audit events stay, as the chain needs them. A submitted request cannot be
deleted."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import attach_files, dossier_with, login, make_user
from tests.invites.conftest import inbox  # noqa: F401, F811  (a real SMTP server, aiosmtpd)
from tests.invites.support import invite, link_in
from wizard import audit
from wizard.extensions import db
from wizard.models import AuditEvent, Document, Dossier, HcpLetter, Role, StepAnswer


def rows(model, dossier_id: int) -> int:
    return len(db.session.scalars(select(model).where(model.dossier_id == dossier_id)).all())


def test_a_draft_is_deleted_with_its_answers_files_and_open_invitations(
    app,
    logged_in,
    user,
    inbox,  # noqa: F811
):
    with app.app_context():
        dossier_id = dossier_with(user[0], files=False)
        attach_files(db.session.get(Dossier, dossier_id), user[0], letters=1)
    assert invite(logged_in, dossier_id).status_code == 303
    link = link_in(inbox.to("anne.leroy@necker.example")[-1])

    page = logged_in.get(f"/requests/{dossier_id}/discard")
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert "Delete this draft?" in text and "VentriAssist Mini" in text
    assert "1 document" in text and "1 letter from a healthcare professional" in text
    assert "1 invitation still open: its link will stop working" in text
    assert "You cannot undo this." in text

    deleted = logged_in.post(f"/requests/{dossier_id}/discard")
    assert deleted.status_code == 303 and deleted.location.endswith("/dashboard")
    dashboard = logged_in.get("/dashboard").text
    assert "The draft is deleted." in dashboard and f"/requests/{dossier_id}" not in dashboard
    assert logged_in.get(f"/requests/{dossier_id}").status_code == 404
    assert logged_in.get(f"/requests/{dossier_id}/steps/device").status_code == 404
    assert "This link has been cancelled" in logged_in.get(link).text
    with app.app_context():
        assert db.session.get(Dossier, dossier_id).status == "discarded"
        for model in (StepAnswer, Document, HcpLetter):
            assert rows(model, dossier_id) == 0, model
        last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.sequence.desc())).first()
        assert (last.action, last.to_status) == (audit.STATUS_CHANGED, "discarded")
        assert last.detail == {"invitations_revoked": 1}
        assert audit.check().intact
    # ANSM never sees it: not in the queue, not by its address.
    with app.app_context():
        make_user("rita@ansm.example", role=Role.REVIEWER)
    reviewer = app.test_client()
    assert login(reviewer, "rita@ansm.example").status_code == 303
    assert "VentriAssist" not in reviewer.get("/review").text
    assert reviewer.get(f"/review/requests/{dossier_id}").status_code == 404


def test_the_dashboard_offers_to_delete_drafts_only(app, logged_in, user):
    with app.app_context():
        draft = dossier_with(user[0], steps=["before-you-start"], files=False)
        submitted = dossier_with(user[0], submit=True)
    dashboard = logged_in.get("/dashboard").text
    assert f"/requests/{draft}/discard" in dashboard
    assert f"/requests/{submitted}/discard" not in dashboard


def test_a_submitted_request_cannot_be_deleted(app, logged_in, user):
    with app.app_context():
        dossier_id = dossier_with(user[0], submit=True)
    assert logged_in.get(f"/requests/{dossier_id}/discard").location.endswith(
        f"/requests/{dossier_id}/submitted"
    )
    response = logged_in.post(f"/requests/{dossier_id}/discard")
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(Dossier, dossier_id).status == "submitted"
