"""A document, or a letter the manufacturer uploaded, removed by mistake is put back at once
from the confirmation of its removal, as it was (its type, its date, the case it was added
for), with what was typed in the step kept; offered once, and only while it can be."""

from __future__ import annotations

import html
import io
import os
import re
import time
from datetime import timedelta

from sqlalchemy import delete, select, update

from tests.conftest import dossier_with, sign_and_submit
from tests.flow.test_evidence_uploads import HALF_WRITTEN, at_evidence_step, sent
from tests.invites.support import request_awaiting_letters
from wizard import audit, clock, uploads
from wizard.demo import minimal_pdf, sample_letter
from wizard.extensions import db
from wizard.models import Document, Dossier, HcpLetter, RemovedFile


def put_back_button(page: str) -> str | None:
    """The address of the button that undoes a removal, if the page has one."""
    found = re.search(
        r'<button type="submit" class="link-button" form="step-form" data-sends-no-file '
        r'formaction="([^"]+/removals/\d+[^"]*)">([^<]+)</button>',
        page,
    )
    return html.unescape(found.group(1)) if found else None


def remove_document(client, dossier_id: int, document_id: int, typed=None):
    return client.post(
        f"/requests/{dossier_id}/documents/{document_id}/delete",
        data={**(typed or {}), "document-kind": "", "document-file": (io.BytesIO(b""), "")},
        content_type="multipart/form-data",
    )


def documents_of(app, dossier_id: int) -> list[Document]:
    with app.app_context():
        documents = db.session.scalars(
            select(Document).where(Document.dossier_id == dossier_id).order_by(Document.id)
        ).all()
        db.session.expunge_all()
        return documents


def test_a_removed_document_is_put_back_as_it_was_with_the_typing_kept(app, logged_in, user):
    dossier_id = at_evidence_step(app, user)
    sent(logged_in, f"/requests/{dossier_id}/documents", {})
    sent(
        logged_in,
        f"/requests/{dossier_id}/documents",
        {},
        file=(minimal_pdf("Patient file"), "bench.pdf"),
        **{"document-kind": "other"},  # records the patient it was added for
    )
    [first, second] = documents_of(app, dossier_id)
    assert second.written_for == "JD 2019"

    removed = remove_document(logged_in, dossier_id, second.id, HALF_WRITTEN)
    assert removed.status_code == 200
    assert "“bench.pdf” has been removed." in removed.text
    undo = put_back_button(removed.text)
    assert undo and ">Put the document back</button>" in removed.text
    assert [d.filename for d in documents_of(app, dossier_id)] == ["cer.pdf"]

    # Pressed with the step's form, as "Remove" was: what is typed comes along again.
    back = logged_in.post(
        undo,
        data={**HALF_WRITTEN, "document-kind": "", "document-file": (io.BytesIO(b""), "")},
        content_type="multipart/form-data",
    )
    assert back.status_code == 200
    assert "“bench.pdf” has been put back." in back.text
    assert HALF_WRITTEN["efficacy_summary"] in back.text
    assert "error-message" not in back.text
    assert put_back_button(back.text) is None
    [kept, returned] = documents_of(app, dossier_id)
    assert kept.id == first.id
    assert (returned.filename, returned.kind, returned.sha256, returned.size) == (
        second.filename,
        second.kind,
        second.sha256,
        second.size,
    )
    assert returned.uploaded_at >= second.uploaded_at  # added again: a signer sees it
    assert returned.uploaded_by_id == second.uploaded_by_id  # (by whoever put it back)
    assert returned.written_for == "JD 2019"
    with app.app_context():
        assert audit.check().intact


def test_the_offer_is_made_once_and_pressed_twice_it_puts_back_one(app, logged_in, user):
    dossier_id = at_evidence_step(app, user)
    sent(logged_in, f"/requests/{dossier_id}/documents", {})
    [document] = documents_of(app, dossier_id)
    removed = remove_document(logged_in, dossier_id, document.id)
    assert removed.status_code == 303  # nothing typed: back to the page
    page = logged_in.get(removed.location).text
    undo = put_back_button(page)
    assert undo and "“cer.pdf” has been removed." in page
    assert put_back_button(logged_in.get(removed.location).text) is None  # reloaded

    assert logged_in.post(undo).status_code == 303
    again = logged_in.post(undo, follow_redirects=True).text
    assert "“cer.pdf” is attached already." in again
    assert [d.filename for d in documents_of(app, dossier_id)] == ["cer.pdf"]


def test_kept_two_days_then_forgotten_with_its_file(app, logged_in, user, monkeypatch):
    dossier_id = at_evidence_step(app, user)
    sent(logged_in, f"/requests/{dossier_id}/documents", {})
    [document] = documents_of(app, dossier_id)
    with app.app_context():
        stored = uploads.path_of(document.sha256)
    three_days_ago = time.time() - 3 * 86400
    os.utime(stored, (three_days_ago, three_days_ago))  # uploaded long ago

    removed = remove_document(logged_in, dossier_id, document.id)
    undo = put_back_button(logged_in.get(removed.location).text)
    # The nightly clean-up keeps it: the removal may be undone.
    cleaned = app.test_cli_runner().invoke(args=["uploads", "prune"])
    assert cleaned.exit_code == 0, cleaned.output
    assert stored.is_file()
    assert removals(app) == 1

    # Two days on: no longer put back, and the clean-up forgets it, its file too.
    later = clock.now() + timedelta(hours=49)
    monkeypatch.setattr(clock, "now", lambda: later)
    page = logged_in.post(undo, follow_redirects=True).text
    assert "“cer.pdf” can no longer be put back: add it again." in page
    assert "notice--warning" in page
    assert documents_of(app, dossier_id) == []
    real = time.time  # (the session would have ended: the clean-up runs on its own)
    monkeypatch.setattr(time, "time", lambda: real() + 49 * 3600)
    assert app.test_cli_runner().invoke(args=["uploads", "prune"]).exit_code == 0
    assert removals(app) == 0 and not stored.exists()


def test_a_file_removed_meanwhile_says_so_with_the_way_back_to_the_files(
    app, logged_in, user, monkeypatch
):
    """Its download link, or its "Put back" once the removal is forgotten, opened from a page
    of before (another tab, a colleague): not "Page not found", whose advice is to sign in
    with another organisation's account."""
    dossier_id = at_evidence_step(app, user)
    sent(logged_in, f"/requests/{dossier_id}/documents", {})
    [document] = documents_of(app, dossier_id)
    download = f"/requests/{dossier_id}/documents/{document.id}"
    assert logged_in.get(download).status_code == 200
    removed = remove_document(logged_in, dossier_id, document.id)
    undo = put_back_button(logged_in.get(removed.location).text)
    gone = logged_in.get(download)
    assert gone.status_code == 404
    assert "This file is no longer part of the request" in gone.text
    assert "removed, or put back, in another tab or by a colleague" in gone.text
    files = f"/requests/{dossier_id}/steps/clinical-evidence#documents"
    assert f'<a href="{files}">Back to the request</a>' in gone.text
    assert "another account" not in gone.text
    # The removal forgotten by the clean-up, two days on.
    later, real = clock.now() + timedelta(hours=49), time.time
    monkeypatch.setattr(clock, "now", lambda: later)
    monkeypatch.setattr(time, "time", lambda: real() + 49 * 3600)
    assert app.test_cli_runner().invoke(args=["uploads", "prune"]).exit_code == 0
    assert removals(app) == 0
    monkeypatch.undo()  # (the session would have ended)
    forgotten = logged_in.post(undo)
    assert forgotten.status_code == 404
    assert "This removal can no longer be undone" in forgotten.text
    assert f'<a href="{files}">Back to the request</a>' in forgotten.text
    # Of a filed request: back to its page.
    with app.app_context():
        filed = dossier_with(user[0], submit=True)
    unknown = logged_in.get(f"/requests/{filed}/letters/999999")
    assert unknown.status_code == 404
    assert f'<a href="/requests/{filed}/submitted">Back to the request</a>' in unknown.text


def removals(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(RemovedFile)).all())


def test_a_request_full_meanwhile_is_not_given_one_more(app, logged_in, user, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_FILES_PER_REQUEST", 1)
    dossier_id = at_evidence_step(app, user)
    sent(logged_in, f"/requests/{dossier_id}/documents", {})
    [document] = documents_of(app, dossier_id)
    removed = remove_document(logged_in, dossier_id, document.id)
    undo = put_back_button(logged_in.get(removed.location).text)
    sent(logged_in, f"/requests/{dossier_id}/documents", {}, file=(minimal_pdf("B"), "b.pdf"))
    page = logged_in.post(undo, follow_redirects=True).text
    assert "This request has 1 document, the most it can carry" in page
    assert [d.filename for d in documents_of(app, dossier_id)] == ["b.pdf"]


def test_a_removed_letter_is_put_back_and_counts_again(app, logged_in, user):
    with app.app_context():
        dossier_id = request_awaiting_letters(user[0])  # its documents, no letter yet
    added = logged_in.post(
        f"/requests/{dossier_id}/letters",
        data={
            **{f"letter-{name}": value for name, value in sample_letter().items()},
            "letter-file": (io.BytesIO(minimal_pdf("Letter")), "leroy.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert added.status_code == 303
    with app.app_context():
        letter = db.session.scalars(
            select(HcpLetter).where(HcpLetter.dossier_id == dossier_id)
        ).one()
        before = {
            column.key: getattr(letter, column.key)
            for column in HcpLetter.__table__.columns
            if column.key not in ("id", "uploaded_at")
        }
        letter_id = letter.id
    # What it was written for: the request's patient then.
    assert (before["written_for"], before["written_for_patient"]) == ("individual", "JD 2019")
    base = f"/requests/{dossier_id}"
    removed = logged_in.post(f"{base}/letters/{letter_id}/delete", follow_redirects=True).text
    assert f"The letter from {before['author_name']} has been removed." in removed
    undo = put_back_button(removed)
    assert undo and ">Put the letter back</button>" in removed
    # With no letter, the step is not finished.
    assert "(not finished)" in logged_in.get(f"{base}/steps/device").text

    back = logged_in.post(undo, follow_redirects=True).text
    assert f"The letter from {before['author_name']} has been put back." in back
    # Pressed again once the removal is forgotten (two days on, `uploads prune`): back to
    # the letters, where its button was.
    with app.app_context():
        db.session.execute(delete(RemovedFile).where(RemovedFile.dossier_id == dossier_id))
        db.session.commit()
    again = logged_in.post(undo)
    assert again.status_code == 404 and "This removal can no longer be undone" in again.text
    letters = f"/requests/{dossier_id}/steps/hcp-support#letters"
    assert f'<a href="{letters}">Back to the request</a>' in again.text
    assert "(not finished)" not in logged_in.get(f"{base}/steps/device").text
    with app.app_context():
        letter = db.session.scalars(
            select(HcpLetter).where(HcpLetter.dossier_id == dossier_id)
        ).one()
        assert {column: getattr(letter, column) for column in before} == before
        # The trail keeps the file's name and hash, not who and which patient it was for.
        removal = next(e for e in audit.trail(dossier_id) if e.action == audit.LETTER_REMOVED)
        assert set(removal.detail) == {"name", "filename", "sha256"}

    # The reviewer reads both in the trail, once the request is filed.
    assert sign_and_submit(logged_in, dossier_id).status_code == 303
    with app.test_request_context(headers={"Accept-Language": "en"}):
        lines = [
            line
            for line in map(_event_text, audit.trail(dossier_id))
            if "removed" in line or "put back" in line
        ]
    name, filename = before["author_name"], before["filename"]
    assert lines == [
        f"Letter from {name} removed from the draft: {filename}",
        f"Letter from {name} put back in the draft: {filename}",
    ]


def _event_text(event) -> str:
    from wizard.review.history import event_text

    return event_text(event)


def test_only_the_organisations_own_draft_gets_a_file_back(app, logged_in, user):
    from tests.conftest import login, make_user

    dossier_id = at_evidence_step(app, user)
    sent(logged_in, f"/requests/{dossier_id}/documents", {})
    [document] = documents_of(app, dossier_id)
    removed = remove_document(logged_in, dossier_id, document.id)
    undo = put_back_button(logged_in.get(removed.location).text)

    # Another organisation; another of the organisation's requests.
    with app.app_context():
        make_user("other@elsewhere.example", "Elsewhere")
    other = app.test_client()
    login(other, "other@elsewhere.example")
    assert other.post(undo).status_code == 404
    with app.app_context():
        another_draft = dossier_with(user[0], steps=["before-you-start"], files=False)
    removal_id = undo.split("/removals/")[1].split("?")[0]
    assert logged_in.post(f"/requests/{another_draft}/removals/{removal_id}").status_code == 404
    assert logged_in.post(f"/requests/{dossier_id}/removals/999999").status_code == 404
    assert documents_of(app, dossier_id) == []

    # Filed meanwhile: nothing goes back into it.
    with app.app_context():
        db.session.execute(
            update(Dossier).where(Dossier.id == dossier_id).values(status="submitted")
        )
        db.session.commit()
    assert logged_in.post(undo).status_code == 409
    assert documents_of(app, dossier_id) == []


def test_a_deleted_draft_keeps_nothing_to_put_back(app, logged_in, user):
    dossier_id = at_evidence_step(app, user)
    sent(logged_in, f"/requests/{dossier_id}/documents", {})
    [document] = documents_of(app, dossier_id)
    remove_document(logged_in, dossier_id, document.id)
    assert removals(app) == 1
    page = logged_in.get(f"/requests/{dossier_id}/discard").text
    shown = re.search(r'name="shown" value="([^"]+)"', page).group(1)
    assert (
        logged_in.post(f"/requests/{dossier_id}/discard", data={"shown": shown}).status_code == 303
    )
    assert removals(app) == 0


def test_remove_pressed_twice_still_offers_to_put_the_document_back(app, logged_in, user):
    """A double click on "Remove" (the second send finds the document gone), or "Remove" in
    a second tab: the removal is said once more, with its button, not nothing."""
    dossier_id = at_evidence_step(app, user)
    sent(logged_in, f"/requests/{dossier_id}/documents", {})
    [document] = documents_of(app, dossier_id)
    first = remove_document(logged_in, dossier_id, document.id)
    again = remove_document(logged_in, dossier_id, document.id)
    assert first.status_code == again.status_code == 303
    page = logged_in.get(again.location).text
    assert page.count("“cer.pdf” has been removed.") == 1  # the first's, waiting, not twice
    assert "removed already" not in page  # nor said otherwise beside it
    undo = put_back_button(page)
    assert undo
    # Its message read already (the first send's page shown; another tab): said removed
    # already, with the button.
    third = remove_document(logged_in, dossier_id, document.id)
    page = logged_in.get(third.location).text
    assert "This document was removed already, in another tab or by a colleague." in page
    assert put_back_button(page) == undo
    assert logged_in.post(undo).status_code == 303
    assert [d.filename for d in documents_of(app, dossier_id)] == ["cer.pdf"]


def test_a_document_whose_removal_is_forgotten_is_said_removed_already(app, logged_in, user):
    dossier_id = at_evidence_step(app, user)
    sent(logged_in, f"/requests/{dossier_id}/documents", {})
    [document] = documents_of(app, dossier_id)
    remove_document(logged_in, dossier_id, document.id)
    logged_in.get(f"/requests/{dossier_id}/steps/clinical-evidence")  # its message read
    with app.app_context():
        db.session.execute(delete(RemovedFile).where(RemovedFile.dossier_id == dossier_id))
        db.session.commit()
    again = remove_document(logged_in, dossier_id, document.id)
    page = logged_in.get(again.location).text
    assert "This document was removed already, in another tab or by a colleague." in page
    assert put_back_button(page) is None


def test_a_letter_removed_twice_still_offers_to_put_it_back(app, logged_in, user):
    with app.app_context():
        dossier_id = request_awaiting_letters(user[0])
    logged_in.post(
        f"/requests/{dossier_id}/letters",
        data={
            **{f"letter-{name}": value for name, value in sample_letter().items()},
            "letter-file": (io.BytesIO(minimal_pdf("Letter")), "leroy.pdf"),
        },
        content_type="multipart/form-data",
    )
    with app.app_context():
        letter = db.session.scalars(select(HcpLetter).where(HcpLetter.dossier_id == dossier_id))
        letter_id, author = [(item.id, item.author_name) for item in letter][0]
    removal = f"/requests/{dossier_id}/letters/{letter_id}/delete"
    logged_in.post(removal, follow_redirects=True)  # said, its message read
    again = logged_in.post(removal, follow_redirects=True).text
    assert "This letter was removed already, in another tab or by a colleague." in again
    assert ">Put the letter back</button>" in again
    assert f"The letter from {author} has been removed." not in again


def test_a_stale_remove_after_put_back_does_not_offer_it_again(app, logged_in, user):
    """Removed, put back (a new row), then "Remove" from a tab still showing the first: the
    file is in the list, not "removed already" with a button that cannot put it back."""
    dossier_id = at_evidence_step(app, user)
    sent(logged_in, f"/requests/{dossier_id}/documents", {})
    [document] = documents_of(app, dossier_id)
    removed = remove_document(logged_in, dossier_id, document.id)
    undo = put_back_button(logged_in.get(removed.location).text)
    assert logged_in.post(undo).status_code == 303
    logged_in.get(f"/requests/{dossier_id}/steps/clinical-evidence")  # its message read
    [returned] = documents_of(app, dossier_id)
    assert returned.id != document.id  # a new row, as on PostgreSQL (`NO_ID_TAKEN_AGAIN`)
    stale = remove_document(logged_in, dossier_id, document.id)
    page = logged_in.get(stale.location).text
    assert put_back_button(page) is None
    assert "This document was removed already" in page
    assert [d.filename for d in documents_of(app, dossier_id)] == ["cer.pdf"]


def test_a_stale_remove_never_removes_a_file_added_since(app, logged_in, user):
    """ "Remove" on a page kept open names the file it was shown for: that file removed in
    another tab and another added since, the new one stays (SQLite gave it the removed
    one's id, until its ids were never taken again)."""
    dossier_id = at_evidence_step(app, user)
    sent(logged_in, f"/requests/{dossier_id}/documents", {})
    [document] = documents_of(app, dossier_id)
    remove_document(logged_in, dossier_id, document.id)  # in another tab
    logged_in.get(f"/requests/{dossier_id}/steps/clinical-evidence")  # its message read
    sent(
        logged_in,
        f"/requests/{dossier_id}/documents",
        {},
        file=(minimal_pdf("Instructions for use"), "ifu.pdf"),
    )
    [added] = documents_of(app, dossier_id)
    assert added.id != document.id

    stale = remove_document(logged_in, dossier_id, document.id)
    page = logged_in.get(stale.location).text
    assert "This document was removed already, in another tab or by a colleague." in page
    assert "“ifu.pdf” has been removed." not in page
    assert [d.filename for d in documents_of(app, dossier_id)] == ["ifu.pdf"]
