"""Every transition, message, upload and download is an audit event (who, when, what, from
which address), chained by hashes: `flask audit verify` finds a row changed behind the
portal's back and names it."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select, text

from tests.conftest import (
    dossier_with,
    login,
    make_user,
    reference_in,
    sign_and_submit,
    upload_document,
)
from tests.review.support import act, document, questions, reply
from tests.review.test_professional_questions import ask_the_author
from wizard.demo import minimal_pdf, sample_letter
from wizard.extensions import db
from wizard.models import AuditEvent, Dossier
from wizard.models.audit import AuditTrailIsAppendOnly


def events(app) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.sequence)))


@pytest.fixture
def reviewed(app, reviewer, manufacturer, submitted):
    """A request submitted, reviewed, asked, answered with a document, and downloaded."""
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information")
    with app.app_context():
        question_id = questions(submitted)[0].id
    reply(manufacturer, submitted, question_id, files=[document()])
    reviewer.get(f"/review/requests/{submitted}/receipt.pdf")
    return submitted


# The longest name the forms take (200 characters), and the longest address sign-in takes.
LONG_NAME = ("Marie-Christine de La Rochefoucauld-Montmorency, regulatory affairs " * 3)[:200]
LONG_EMAIL = "mc.delarochefoucauld-montmorency@" + ".".join(["regulatory-affairs" * 3] * 3) + ".fr"


def test_a_filer_with_the_longest_name_and_address_submits_and_is_recorded_whole(app, client):
    """Recorded as "name <address>", longer than either: PostgreSQL once refused it (a 500)."""
    assert len(LONG_NAME) == 200 and len(LONG_EMAIL) == 200
    with app.app_context():
        filer = make_user(LONG_EMAIL)
        filer.name = LONG_NAME
        db.session.commit()
        dossier_id = dossier_with(filer.id)
    assert login(client, LONG_EMAIL).status_code == 303
    response = sign_and_submit(client, dossier_id)
    assert response.status_code == 303
    assert reference_in(client.get(response.location).text)
    (event,) = events(app)
    assert event.to_status == "submitted" and event.actor_name == f"{LONG_NAME} <{LONG_EMAIL}>"
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_each_step_is_recorded_with_who_what_and_where(app, reviewed):
    trail = [(e.action, e.actor_role, e.from_status, e.to_status, e.address) for e in events(app)]
    assert trail == [
        ("status_changed", "manufacturer", "draft", "submitted", None),  # from the test factory
        ("status_changed", "reviewer", "submitted", "under_review", "127.0.0.1"),
        ("status_changed", "reviewer", "under_review", "information_requested", "127.0.0.1"),
        ("reply_sent", "manufacturer", None, None, "127.0.0.1"),
        ("document_uploaded", "manufacturer", None, None, "127.0.0.1"),
        ("status_changed", "manufacturer", "information_requested", "under_review", "127.0.0.1"),
        ("document_downloaded", "reviewer", None, None, "127.0.0.1"),
    ]
    assert "rita@ansm.example" in events(app)[1].actor_name
    assert events(app)[1].detail["note"].startswith("Complete file")


def test_the_reviewer_reads_the_audit_trail_on_the_request_page(app, reviewer, reviewed):
    page = reviewer.get(f"/review/requests/{reviewed}").text
    assert "Audit trail" in page
    assert "Status: Submitted → Under review" in page
    assert "Document uploaded: vigilance-report.pdf" in page
    assert "Downloaded: receipt-" in page and "127.0.0.1" in page
    # Each event's whole hash, to compare with an anchor kept elsewhere: a key or a tap away,
    # not in a tooltip a mouse alone shows.
    with app.app_context():
        last = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.dossier_id == reviewed)
            .order_by(AuditEvent.sequence.desc())
        ).first()
    assert (
        f'<summary><span class="hash hash--short">{last.hash[:12]}…</span>'
        '<span class="visually-hidden"> (show the whole hash)</span></summary>'
        f'<span class="hash">{last.hash}</span></details>'
    ) in page
    assert f'title="{last.hash}"' not in page


def test_verify_passes_on_an_intact_trail(app, reviewed):
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "Audit trail intact: 7 events." in result.output


def test_a_row_changed_in_the_database_breaks_the_chain_there(app, reviewed):
    with app.app_context():
        db.session.execute(
            text("UPDATE audit_events SET actor_name = 'Someone else' WHERE sequence = 3")
        )
        db.session.commit()
        changed_id = db.session.scalar(select(AuditEvent.id).where(AuditEvent.sequence == 3))
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at event 3 (row id {changed_id}" in result.output
    assert "changed after it was written" in result.output
    assert "The 2 events before it are intact." in result.output


def test_a_row_removed_breaks_the_chain_at_the_next_one(app, reviewed):
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_events WHERE sequence = 4"))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN at event 5" in result.output and "missing" in result.output


def anchor_of(output: str) -> str:
    return re.search(r"Anchor: (\d+:[0-9a-f]{64})", output).group(1)


def test_an_anchor_kept_elsewhere_finds_the_last_events_removed(app, reviewed):
    """The chain alone cannot tell its last events were removed: the anchor printed by an
    earlier run, kept elsewhere, can."""
    first = app.test_cli_runner().invoke(args=["audit", "verify"])
    anchor = anchor_of(first.output)
    assert anchor.startswith("7:")
    held = app.test_cli_runner().invoke(args=["audit", "verify", "--anchor", anchor])
    assert held.exit_code == 0, held.output
    assert "It still holds the anchored event 7." in held.output
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_events WHERE sequence >= 6"))
        db.session.commit()
    unanchored = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert unanchored.exit_code == 0  # without the anchor, five intact events
    removed = app.test_cli_runner().invoke(args=["audit", "verify", "--anchor", anchor])
    assert removed.exit_code == 1
    assert "the anchored event 7 is no longer there: events were removed from the end" in (
        removed.output
    )


def test_an_anchor_finds_a_trail_rewritten_up_to_it(app, reviewed):
    anchor = anchor_of(app.test_cli_runner().invoke(args=["audit", "verify"]).output)
    with app.app_context():
        db.session.execute(
            text("UPDATE audit_events SET hash = :h WHERE sequence = 7"), {"h": "0" * 64}
        )
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--anchor", anchor])
    assert result.exit_code == 1
    # The chain breaks first here (the hash no longer matches its content).
    assert "BROKEN at event 7" in result.output


def test_a_malformed_anchor_says_what_one_is(app, reviewed):
    for anchor in ("7:xyz", f"0:{'a' * 64}"):  # events are numbered from 1
        result = app.test_cli_runner().invoke(args=["audit", "verify", "--anchor", anchor])
        assert result.exit_code == 2
        assert "NUMBER:HASH" in result.output


def test_the_portal_itself_cannot_change_or_remove_an_event(app, reviewed):
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.sequence == 2))
        event.actor_name = "Someone else"
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.scalar(select(AuditEvent)))
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.commit()
        db.session.rollback()
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_events_written_at_the_same_moment_keep_one_chain(app, submitted):
    """Twenty writers append at once (PostgreSQL, the production database): the unique place
    in the chain lets one win each place, the others append after it."""
    from tests.security.test_concurrency import run_together
    from wizard import audit

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("concurrency is tested on PostgreSQL, the production database")

    def append(index):
        with app.app_context():
            audit.record(submitted, "document_downloaded", audit.SYSTEM, detail={"n": index})
            db.session.commit()

    assert run_together(append, 20) == []
    with app.app_context():
        report = audit.check()
    assert report.intact and report.events == 21  # the submission, and the twenty


def test_the_files_a_manufacturer_adds_to_or_removes_from_the_draft_are_in_the_trail(
    app, user, manufacturer, reviewer
):
    """Who added a document or a professional's letter, and who removed one, is read by the
    reviewer in the trail: each file by its name (and, in the event, its hash)."""
    with app.app_context():
        dossier_id = dossier_with(user[0], files=False)
    base = f"/requests/{dossier_id}"
    for name in ("cer.pdf", "old-draft.pdf"):
        assert upload_document(manufacturer, dossier_id, name).status_code == 303
    letter = {f"letter-{key}": value for key, value in sample_letter().items()}
    sent = manufacturer.post(
        f"{base}/letters",
        data={**letter, "letter-file": (io.BytesIO(minimal_pdf("Letter")), "letter.pdf")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 303
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        old = next(d.id for d in dossier.documents if d.filename == "old-draft.pdf")
    assert manufacturer.post(f"{base}/documents/{old}/delete").status_code == 303
    assert sign_and_submit(manufacturer, dossier_id).status_code == 303

    page = reviewer.get(f"/review/requests/{dossier_id}").text
    author = sample_letter()["author_name"]
    for line in (
        "Document uploaded: cer.pdf",
        "Document uploaded: old-draft.pdf",
        "Document removed from the draft: old-draft.pdf",
        f"Letter from {author} uploaded: letter.pdf",
    ):
        assert line in page, line
    trail = [e for e in events(app) if e.dossier_id == dossier_id]
    assert [e.action for e in trail][:4] == [
        "document_uploaded",
        "document_uploaded",
        "letter_uploaded",
        "document_removed",
    ]
    assert all(e.actor_role == "manufacturer" and len(e.detail["sha256"]) == 64 for e in trail[:4])
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_the_trail_says_whom_the_question_that_moved_the_request_was_to(
    app, inbox, reviewer, submitted
):
    """The question that moves a request to "information requested" is named in the trail as
    the ones asked beside it are: the reviewer reads whom it went to, not the status alone."""
    act(reviewer, submitted, "start-review")
    asked = ask_the_author(app, reviewer, submitted, hcp_email="a.leroy@necker.example")
    assert asked.status_code == 303
    act(reviewer, submitted, "request-information")
    page = " ".join(reviewer.get(f"/review/requests/{submitted}").text.split())
    assert (
        "Status: Under review → Information requested: question to Dr Anne Leroy, who wrote "
        "a letter" in page
    )
    assert "Also asked the manufacturer for more information" in page
    act(reviewer, submitted, "start-review")  # both questions closed
    act(reviewer, submitted, "request-information")
    page = " ".join(reviewer.get(f"/review/requests/{submitted}").text.split())
    assert "Status: Under review → Information requested: question to the manufacturer" in page
