"""A form that starts a draft ("Start a new request", "Start a new request from this one")
sent twice, as a double click does without JavaScript, or again from the page the browser's
Back kept, starts one draft and leads to it both times. (Two sends at once, on PostgreSQL:
`tests/security/test_concurrency.py`.)"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.conftest import dossier_with, login, make_user
from wizard.demo import sample_declaration
from wizard.extensions import db
from wizard.filing import service
from wizard.models import Dossier


def mark_on(page: str) -> str:
    return re.search(r'name="started_as" value="([^"]+)"', page)[1]


def drafts() -> list[int]:
    return list(db.session.scalars(select(Dossier.id).where(Dossier.status == "draft")))


def test_the_dashboard_s_form_sent_twice_starts_one_draft(app, logged_in):
    mark = mark_on(logged_in.get("/dashboard").text)
    first = logged_in.post("/requests", data={"started_as": mark})
    again = logged_in.post("/requests", data={"started_as": mark})
    assert first.status_code == again.status_code == 303
    assert first.location == again.location
    with app.app_context():
        [draft_id] = drafts()
    assert first.location == f"/requests/{draft_id}/steps/before-you-start"
    # The page opened again has a new mark: another request.
    other = logged_in.post(
        "/requests", data={"started_as": mark_on(logged_in.get("/dashboard").text)}
    )
    assert other.location != first.location
    # A form that says no mark (not this portal's page) starts one each time.
    logged_in.post("/requests")
    logged_in.post("/requests", data={"started_as": "<script>"})
    with app.app_context():
        assert len(drafts()) == 4


def test_a_draft_deleted_since_is_not_the_one_the_kept_page_leads_to(app, logged_in):
    """The dashboard kept by the browser's Back, its button pressed again after the draft it
    started was deleted: a new draft."""
    mark = mark_on(logged_in.get("/dashboard").text)
    first = logged_in.post("/requests", data={"started_as": mark})
    draft_id = int(first.location.split("/")[2])
    with app.app_context():
        dossier = db.session.get(Dossier, draft_id)
        service.discard(dossier, dossier.created_by, as_shown=lambda _d: True)
    again = logged_in.post("/requests", data={"started_as": mark})
    assert again.status_code == 303 and again.location != first.location
    with app.app_context():
        assert len(drafts()) == 1


def test_a_mark_is_its_organisation_s_own(app, logged_in):
    """Another organisation's form sent with the same mark starts its own draft, and is never
    led to this one's."""
    mark = mark_on(logged_in.get("/dashboard").text)
    mine = logged_in.post("/requests", data={"started_as": mark})
    with app.app_context():
        make_user("paul@ortho.example", "Orthomed")
    other = app.test_client()
    login(other, "paul@ortho.example")
    theirs = other.post("/requests", data={"started_as": mark})
    assert theirs.status_code == 303 and theirs.location != mine.location
    assert other.get(theirs.location).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Dossier)) == 2


def test_start_from_sent_twice_starts_one_copy_and_says_so_once(app, logged_in, user):
    with app.app_context():
        source_id = dossier_with(user[0])
        source = db.session.get(Dossier, source_id)
        service.submit(source, source.created_by, sample_declaration())
    mark = mark_on(logged_in.get(f"/requests/{source_id}/submitted").text)
    sent = f"/requests/{source_id}/start-from"
    first = logged_in.post(sent, data={"started_as": mark})
    again = logged_in.post(sent, data={"started_as": mark})
    assert first.status_code == again.status_code == 303
    assert first.location == again.location
    with app.app_context():
        assert len(drafts()) == 1
    page = logged_in.get(again.location, follow_redirects=True).text
    assert page.count("A new request is started with what you filed in") == 1
