"""A document, or a letter the manufacturer uploaded, removed by mistake is put back at once
from the confirmation of its removal, as it was (its type, its date, the case it was added
for), with what was typed in the step kept; offered once, and only while it can be."""

from __future__ import annotations

import html
import io
import os
import re
import time

from sqlalchemy import select, update

from tests.conftest import dossier_with, sign_and_submit
from tests.flow.test_evidence_uploads import HALF_WRITTEN, at_evidence_step, sent
from wizard import audit, uploads
from wizard.demo import minimal_pdf
from wizard.extensions import db
from wizard.models import AuditEvent, Document, Dossier, HcpLetter


def put_back_button(page: str) -> str | None:
    """The address of the button that undoes a removal, if the page has one."""
    found = re.search(
        r'<button type="submit" class="link-button" form="step-form" data-removes '
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
        file=(minimal_pdf("Bench test"), "bench.pdf"),
        **{"document-kind": "test_report"},
    )
    [first, second] = documents_of(app, dossier_id)

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
    assert returned.uploaded_at == second.uploaded_at
    assert returned.uploaded_by_id == second.uploaded_by_id
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


def test_a_stored_file_kept_two_days_after_its_removal_then_no_longer_offered(app, logged_in, user):
    dossier_id = at_evidence_step(app, user)
    sent(logged_in, f"/requests/{dossier_id}/documents", {})
    [document] = documents_of(app, dossier_id)
    with app.app_context():
        stored = uploads.path_of(document.sha256)
    three_days_ago = time.time() - 3 * 86400
    os.utime(stored, (three_days_ago, three_days_ago))  # uploaded long ago

    removed = remove_document(logged_in, dossier_id, document.id)
    undo = put_back_button(logged_in.get(removed.location).text)
    # The nightly clean-up keeps it: a removal may be undone.
    cleaned = app.test_cli_runner().invoke(args=["uploads", "prune"])
    assert cleaned.exit_code == 0, cleaned.output
    assert stored.is_file()
    # Gone (two days on): said, nothing put back.
    stored.unlink()
    page = logged_in.post(undo, follow_redirects=True).text
    assert "“cer.pdf” can no longer be put back: add it again." in page
    assert "notice--warning" in page
    assert documents_of(app, dossier_id) == []


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
        dossier_id = dossier_with(user[0])
        letter = db.session.scalars(
            select(HcpLetter).where(HcpLetter.dossier_id == dossier_id)
        ).one()
        before = {
            column: getattr(letter, column)
            for column in (
                "author_name",
                "author_rpps",
                "specialty",
                "establishment",
                "letter_date",
                "filename",
                "sha256",
                "size",
                "source",
                "written_for",
                "written_for_patient",
                "uploaded_at",
            )
        }
        letter_id = letter.id
    base = f"/requests/{dossier_id}"
    removed = logged_in.post(f"{base}/letters/{letter_id}/delete", follow_redirects=True).text
    assert f"The letter from {before['author_name']} has been removed." in removed
    undo = put_back_button(removed)
    assert undo and ">Put the letter back</button>" in removed
    # With no letter, the step is not finished.
    assert "(not finished)" in logged_in.get(f"{base}/steps/device").text

    back = logged_in.post(undo, follow_redirects=True).text
    assert f"The letter from {before['author_name']} has been put back." in back
    assert "(not finished)" not in logged_in.get(f"{base}/steps/device").text
    with app.app_context():
        letter = db.session.scalars(
            select(HcpLetter).where(HcpLetter.dossier_id == dossier_id)
        ).one()
        assert {column: getattr(letter, column) for column in before} == before

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
    from wizard.review.pages import event_text

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
    event_id = undo.split("/removals/")[1].split("?")[0]
    assert logged_in.post(f"/requests/{another_draft}/removals/{event_id}").status_code == 404
    # Not every event undoes something: the upload's is not a removal.
    with app.app_context():
        upload = db.session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.dossier_id == dossier_id,
                AuditEvent.action == audit.DOCUMENT_UPLOADED,
            )
        )
    assert logged_in.post(f"/requests/{dossier_id}/removals/{upload}").status_code == 404
    assert documents_of(app, dossier_id) == []

    # Filed meanwhile: nothing goes back into it.
    with app.app_context():
        db.session.execute(
            update(Dossier).where(Dossier.id == dossier_id).values(status="submitted")
        )
        db.session.commit()
    assert logged_in.post(undo).status_code == 409
    assert documents_of(app, dossier_id) == []
