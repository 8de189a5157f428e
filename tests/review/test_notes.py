"""Notes for ANSM: a reviewer writes down on a request what the other reviewers should know
(a call with the manufacturer, a point to check). Only reviewers read them; a note is added,
never rewritten, and is in the audit trail by its digest; a colleague's note stops a decision
read before it, as any change does."""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from tests.review.conftest import REVIEWER_EMAIL
from tests.review.support import act, seen_on
from tests.review.test_follow_up_read import named
from tests.review.test_follow_up_reports import authorised, text_of
from tests.review.test_parallel_questions import second_reviewer
from wizard.extensions import db
from wizard.models import AuditEvent, ReviewNote

NOTE = "Called the manufacturer on 3 December:\nthe CER version 2 comes next week."
MARK = "a" * 32


def add_note(client, dossier_id: int, text: str = NOTE, mark: str | None = MARK):
    data = {"note-text": text, **({"note-sent_as": mark} if mark else {})}
    return client.post(f"/review/requests/{dossier_id}/notes", data=data)


def notes_recorded(app) -> list[ReviewNote]:
    with app.app_context():
        return list(db.session.scalars(select(ReviewNote).order_by(ReviewNote.id)))


def test_a_note_is_read_by_every_reviewer_and_never_by_the_manufacturer(
    app, inbox, reviewer, manufacturer, submitted_global
):
    with app.app_context():
        named(REVIEWER_EMAIL, "Rita Leroy")
    page = reviewer.get(f"/review/requests/{submitted_global}").text
    assert "No note so far." in page
    mark = re.search(r'name="note-sent_as" value="([\w-]+)"', page).group(1)

    added = add_note(reviewer, submitted_global, mark=mark)
    assert added.status_code == 303
    assert added.location.endswith(f"/review/requests/{submitted_global}#notes")
    page = reviewer.get(added.location)
    words = text_of(page)
    assert "Done: your note is added. Only ANSM's reviewers see it." in words
    # Said in the notes' section, where the page comes back to (seen without JavaScript).
    assert page.text.index('id="notes-title"') < page.text.index("Done: your note is added")
    assert re.search(r"Note no\. 1, \d+ \w+ \d{4} at \d\d:\d\d Written by Rita Leroy", words)
    assert html.escape(NOTE, quote=False) in page.text  # its line break kept (pre-line)
    assert "Note for ANSM added" in words  # the audit trail
    assert "No note so far." not in words
    assert NOTE.split("\n")[1] in text_of(
        second_reviewer(app, name="Rex Dubois").get(added.location)
    )

    theirs = manufacturer.get(f"/requests/{submitted_global}/submitted").text
    assert "CER version 2" not in theirs and "Note for ANSM" not in theirs
    assert not any(b"CER version 2" in raw for raw in inbox.raw)  # nor emailed
    with app.app_context():
        (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "note_added"))
        # Its digest only: the trail's details travel in exports and checks.
        assert "CER" not in str(event.detail) and len(event.detail["text_sha256"]) == 64


def test_a_refused_note_says_why_beside_it_and_keeps_what_was_typed(
    app, reviewer, submitted_global
):
    empty = add_note(reviewer, submitted_global, text="  ")
    assert empty.status_code == 422
    words = text_of(empty)
    assert "There is a problem" in words and words.count("Enter your note.") == 2
    assert re.search(r'<details class="action" open>\s*<summary[^>]*>Add a note', empty.text)

    long = "Point to check. " * 400
    refused = add_note(reviewer, submitted_global, text=long)
    assert refused.status_code == 422
    assert "Use 5,000 characters or fewer (you have 6,399)." in text_of(refused)
    assert html.escape(long.strip()) in refused.text  # kept, to shorten

    script = add_note(reviewer, submitted_global, text="<script>alert(1)</script>")
    assert script.status_code == 422 and "<script>alert(1)</script>" not in script.text
    assert "Remove the HTML tags from this answer" in text_of(script)
    assert notes_recorded(app) == []


def test_the_same_note_form_sent_twice_is_one_note(app, reviewer, submitted_global):
    first = add_note(reviewer, submitted_global)
    second = add_note(reviewer, submitted_global)  # a double click without JavaScript
    assert first.location == second.location
    assert len(notes_recorded(app)) == 1
    # Another note from the same page (other words) is another note.
    add_note(reviewer, submitted_global, text="And the IFU in French.")
    assert [note.text for note in notes_recorded(app)] == [NOTE, "And the IFU in French."]
    # Written in the same minute, told apart by their numbers (latest first).
    headings = re.findall(r'id="note-\d+">(Note no\. \d),', reviewer.get(first.location).text)
    assert headings == ["Note no. 2", "Note no. 1"]
    with app.app_context():
        events = db.session.scalar(select(func.count()).where(AuditEvent.action == "note_added"))
    assert events == 2


def test_a_colleagues_note_stops_a_decision_read_before_it(
    app, reviewer, manufacturer, submitted_global
):
    authorised(reviewer, submitted_global)
    shown = seen_on(reviewer, submitted_global)  # the page the reviewer has open
    colleague = second_reviewer(app, name="Rex Dubois")
    add_note(colleague, submitted_global, text="Do not suspend: incident explained.")
    refused = act(reviewer, submitted_global, "suspend", shown=shown)
    assert refused.status_code == 409
    words = text_of(refused)
    assert "Nothing was signed: the request changed since you opened this page." in words
    assert "Note for ANSM added Rex Dubois" in words
    assert "Do not suspend: incident explained." in words


def test_only_a_reviewer_adds_a_note(app, manufacturer, submitted_global):
    assert add_note(manufacturer, submitted_global).status_code == 403
    assert notes_recorded(app) == []
