"""A HEAD request is a GET whose page is not sent (link checkers, mail filters and browser
extensions send them): on every route that takes both a page and a form, it changes nothing
the GET would not, though it carries no CSRF token and no confirmation (Flask routes it to the
view a GET reaches)."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from tests.conftest import dossier_with, login, make_colleague, make_user, upload_document
from tests.security.test_authorization_matrix import ANON, OTHER, OWNER, REVIEWER
from wizard.extensions import db
from wizard.invites import service as invites
from wizard.models import Document, Dossier, RemovedFile, Role, User


def everything() -> dict[str, list]:
    """Every row of every table, to compare before and after."""
    return {
        table.name: sorted(map(repr, db.session.execute(select(table)).all()))
        for table in db.metadata.sorted_tables
    }


def test_a_head_request_changes_nothing_where_a_form_would(app):
    with app.app_context():
        owner = make_user("owner@a.example", "Organisation A")
        make_user("other@b.example", "Organisation B")
        make_user("reviewer@ansm.example", role=Role.REVIEWER)
        colleague = make_colleague(owner.id, "colleague@a.example")
        dossier_id = dossier_with(owner.id, "individual")  # a draft, its document and letter
        dossier = db.session.get(Dossier, dossier_id)
        invitation = invites.invite(
            dossier,
            db.session.get(User, owner.id),
            clinician_name="Dr Anne Leroy",
            email="anne.leroy@necker.example",
            role="physician",
        )
        arguments = {
            "dossier_id": dossier_id,
            "item_id": dossier.documents[0].id,
            "invitation_id": invitation.id,
            "user_id": colleague.id,
            "step_id": "device",
            "question_id": 1,
        }
        letter_id = dossier.hcp_letters[0].id
        # A filed request, for the reviewer's actions (a HEAD must not start its review).
        filed_id = dossier_with(owner.id, "individual", submit=True)
        arguments |= {"name": "start-review", "token": secrets.token_urlsafe(32)}
    browsers = {ANON: app.test_client()}
    for role, email in (
        (OWNER, "owner@a.example"),
        (OTHER, "other@b.example"),
        (REVIEWER, "reviewer@ansm.example"),
    ):
        browsers[role] = app.test_client()
        assert login(browsers[role], email).status_code == 303
    # A document added then removed: its removal can be undone (by a form).
    assert upload_document(browsers[OWNER], dossier_id, "extra.pdf").status_code == 303
    with app.app_context():
        extra = db.session.scalar(select(Document.id).where(Document.filename == "extra.pdf"))
    browsers[OWNER].post(f"/requests/{dossier_id}/documents/{extra}/delete")
    with app.app_context():
        arguments["removal_id"] = db.session.scalar(select(RemovedFile.id))
        signed_in = everything()  # signing in writes (the accounts' sessions)

    urls = []
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if not {"GET", "POST"} <= rule.methods:
            continue
        values = {name: arguments[name] for name in rule.arguments}  # every one: none left out
        if rule.endpoint == "filing.delete_letter":
            values["item_id"] = letter_id
        if rule.endpoint.startswith("review."):
            values["dossier_id"] = filed_id
        urls.append(adapter.build(rule.endpoint, values, append_unknown=False))
    assert len(urls) > 20  # the routes this test is about are found
    heads = {
        (url, role): browser.head(url).status_code
        for url in urls
        for role, browser in browsers.items()
    }
    with app.app_context():
        assert everything() == signed_in
    # And each answered as its GET does (the page it would show, or where it would lead).
    gets = {
        (url, role): browser.get(url).status_code
        for url in urls
        for role, browser in browsers.items()
    }
    assert heads == gets
