"""A manufacturer deletes a draft it no longer needs: a page says what goes with it, then the
answers, files and letters go, open invitation links stop working, and the request leaves the
dashboard. Only its audit events stay, as the chain needs them. A submitted request cannot be
deleted."""

from __future__ import annotations

import re
from datetime import timedelta

from babel.dates import format_date
from sqlalchemy import select

from tests.conftest import (
    attach_files,
    dossier_with,
    login,
    make_colleague,
    make_user,
    post_step,
)
from tests.invites.conftest import inbox  # noqa: F401, F811  (a real SMTP server, aiosmtpd)
from tests.invites.support import body_of, invite, link_in
from wizard import audit, clock
from wizard.extensions import db
from wizard.models import AuditEvent, Document, Dossier, HcpLetter, Invitation, Role, StepAnswer


def shown_on(page: str) -> dict:
    """What the deletion page says the draft holds, as its form sends it back."""
    return {"shown": re.search(r'name="shown" value="([^"]+)"', page).group(1)}


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
    assert (
        "1 invitation still open: its link will stop working, and the professional is told "
        "by email" in text
    )
    assert "You cannot undo this." in text

    deleted = logged_in.post(f"/requests/{dossier_id}/discard", data=shown_on(page.text))
    assert deleted.status_code == 303 and deleted.location.endswith("/dashboard")
    dashboard = logged_in.get("/dashboard").text
    assert "The draft is deleted." in dashboard and f"/requests/{dossier_id}" not in dashboard
    for gone in (f"/requests/{dossier_id}", f"/requests/{dossier_id}/steps/device"):
        page = logged_in.get(gone)
        assert page.status_code == 410
        assert "This draft was deleted" in page.text and "Claire Martin deleted it on" in page.text
    closed = logged_in.get(link).text  # its professional is told no letter is needed
    assert "This request has been deleted" in closed
    assert "You do not need to write a letter for it." in closed
    # The professional is told: no letter is needed any more (replies reach who invited).
    told = inbox.to("anne.leroy@necker.example")[-1]
    assert "Cardiotech Médical SAS has given up its request" in told["Subject"]
    assert told["Reply-To"] == "Claire Martin <claire@cardiotech.example>"
    body = " ".join(body_of(told).split())
    assert "has deleted the request it was preparing for ANSM for the medical device" in body
    assert "“VentriAssist Mini”" in body and "do not need to write a letter" in body
    with app.app_context():
        assert db.session.get(Dossier, dossier_id).status == "discarded"
        for model in (StepAnswer, Document, HcpLetter):
            assert rows(model, dossier_id) == 0, model
        # The link's row stays (it says the request was deleted), not whom it was for.
        (kept,) = db.session.scalars(select(Invitation).where(Invitation.dossier_id == dossier_id))
        assert (kept.clinician_name, kept.email, kept.role, kept.message) == ("", "", "", None)
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


def test_a_professional_whose_letter_came_hears_it_went_with_the_draft(
    app,
    logged_in,
    user,
    inbox,  # noqa: F811
):
    """Their letter (about a patient, signed by them) is deleted with the draft: they are
    told it never reached ANSM, as one whose link was still open is told it is not needed."""
    from tests.invites.support import send_letter

    with app.app_context():
        dossier_id = dossier_with(user[0], files=False)
    assert invite(logged_in, dossier_id).status_code == 303
    link = link_in(inbox.to("anne.leroy@necker.example")[-1])
    assert send_letter(app.test_client(), link).status_code == 303
    inbox.clear()
    page = logged_in.get(f"/requests/{dossier_id}/discard")
    assert (
        logged_in.post(f"/requests/{dossier_id}/discard", data=shown_on(page.text)).status_code
        == 303
    )
    (told,) = inbox.to("anne.leroy@necker.example")
    assert "has given up its request: your letter was deleted with it" in told["Subject"]
    assert told["Reply-To"] == "Claire Martin <claire@cardiotech.example>"
    body = " ".join(body_of(told).split())
    today = format_date(clock.today(), "long", locale="en_GB")
    assert (
        f"The letter you sent for it on {today} was deleted with it: ANSM never received it, "
        "and nothing more is asked of you for this request." in body
    )
    assert "do not need to write a letter" not in body


def test_the_dashboard_offers_to_delete_drafts_only(app, logged_in, user):
    with app.app_context():
        draft = dossier_with(user[0], steps=["before-you-start"], files=False)
        submitted = dossier_with(user[0], submit=True)
    dashboard = logged_in.get("/dashboard").text
    assert f"/requests/{draft}/discard" in dashboard
    assert f"/requests/{submitted}/discard" not in dashboard


def test_an_empty_draft_says_it_holds_nothing_rather_than_answers_to_0_steps(app, logged_in, user):
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=[], files=False)
    text = " ".join(logged_in.get(f"/requests/{dossier_id}/discard").text.split())
    assert "It holds no answer yet." in text
    assert "0 step" not in text and "Deleting it deletes:" not in text
    assert "You cannot undo this." in text


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


def test_a_draft_that_changed_since_the_page_was_opened_is_not_deleted_unseen(app, logged_in, user):
    """A colleague saved a step after the page said what goes: it says it again."""
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
        make_colleague(user[0], "marc@cardiotech.example")
    page = logged_in.get(f"/requests/{dossier_id}/discard").text
    assert "its answers to 1 step" in page
    colleague = app.test_client()
    assert login(colleague, "marc@cardiotech.example").status_code == 303
    saved = post_step(colleague, dossier_id, "situation", {"reason": "never_certified"})
    assert saved.status_code == 303

    refused = logged_in.post(f"/requests/{dossier_id}/discard", data=shown_on(page))
    assert refused.status_code == 409
    text = " ".join(refused.text.split())
    assert "Nothing was deleted: the draft has changed since you opened this page" in text
    # Said as an error is: in the page's title, and the notice takes the focus.
    assert "<title>Error: Delete this draft?" in text
    assert 'role="alert" tabindex="-1" autofocus data-error-summary><p>Nothing was deleted' in text
    assert "its answers to 2 steps" in text  # what it holds now
    with app.app_context():
        assert db.session.get(Dossier, dossier_id).status == "draft"
        assert rows(StepAnswer, dossier_id) == 2
    # Asked again, and confirmed: deleted.
    deleted = logged_in.post(f"/requests/{dossier_id}/discard", data=shown_on(refused.text))
    assert deleted.status_code == 303
    # Sent twice (a double click): said deleted, with nothing said lost.
    twice = logged_in.post(f"/requests/{dossier_id}/discard", data=shown_on(refused.text))
    assert twice.status_code == 410 and "This draft was deleted" in twice.text
    assert "What you sent was not saved." not in twice.text


def test_a_colleague_saving_a_step_of_a_draft_just_deleted_is_told_and_keeps_the_text(
    app, logged_in, user
):
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
        make_colleague(user[0], "marc@cardiotech.example")
    colleague = app.test_client()
    assert login(colleague, "marc@cardiotech.example").status_code == 303
    assert colleague.get(f"/requests/{dossier_id}/steps/situation").status_code == 200
    page = logged_in.get(f"/requests/{dossier_id}/discard").text
    assert logged_in.post(f"/requests/{dossier_id}/discard", data=shown_on(page)).status_code == 303

    typed = {"unmet_need": "Children awaiting a heart transplant."}
    sent = post_step(colleague, dossier_id, "medical-need", typed)
    assert sent.status_code == 410
    text = " ".join(sent.text.split())
    assert "This draft was deleted" in text
    assert "Claire Martin deleted it on" in text and "What you sent was not saved." in text
    assert "Children awaiting a heart transplant." in text  # to copy
    assert 'href="/dashboard"' in sent.text
    # A live check that reads the request (a step whose rules read other steps) says so
    # too (app.js reads the header); one that reads the form alone cannot know.
    live = post_step(colleague, dossier_id, "medical-need", typed, htmx=True, query="/validate")
    assert live.status_code == 410 and live.headers["X-Draft-Deleted"] == "true"


def test_an_invitation_expiring_while_the_page_is_open_changes_nothing_to_confirm(
    app,
    logged_in,
    user,
    monkeypatch,
    inbox,  # noqa: F811
):
    with app.app_context():
        dossier_id = dossier_with(user[0], files=False)
    assert invite(logged_in, dossier_id).status_code == 303
    page = logged_in.get(f"/requests/{dossier_id}/discard").text
    assert "1 invitation still open" in " ".join(page.split())
    later = clock.now() + timedelta(days=app.config["INVITE_TTL_DAYS"] + 1)
    monkeypatch.setattr(clock, "now", lambda: later)  # its link has expired meanwhile
    deleted = logged_in.post(f"/requests/{dossier_id}/discard", data=shown_on(page))
    assert deleted.status_code == 303
