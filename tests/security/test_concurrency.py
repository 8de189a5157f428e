"""Many filers at once, on PostgreSQL (the production database): every submission gets its
own reference and its own receipt, and no answer is lost; colleagues saving one step at once
never corrupt the draft (the first save wins, the others are shown it); a file added while the
request is being submitted is either frozen with it or refused, never added behind the
receipt."""

from __future__ import annotations

import re
import threading
import time

import pytest
from sqlalchemy import func, select, text

from tests.conftest import (
    checked_on_the_check_page,
    dossier_with,
    login,
    make_colleague,
    make_user,
    post_step,
    sign_and_submit,
    upload_document,
)
from wizard import uploads
from wizard.demo import sample_answers, sample_declaration
from wizard.extensions import db
from wizard.models import Dossier, Receipt

FILERS = 50


@pytest.fixture
def postgres_only(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("concurrency is tested on PostgreSQL, the production database")


def run_together(work, count: int) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def one(index):
        try:
            barrier.wait()
            work(index)
        except BaseException as error:  # reported by the test
            errors.append(error)

    threads = [threading.Thread(target=one, args=[i]) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_fifty_organisations_submit_at_once(app, postgres_only):
    filers = []
    with app.app_context():
        for index in range(FILERS):
            user = make_user(f"filer{index}@org{index}.example", f"Organisation {index}")
            filers.append((user.email, dossier_with(user.id, "global")))

    def submit(index):
        email, dossier_id = filers[index]
        client = app.test_client()
        login(client, email)
        declaration = dict(sample_declaration(), signatory_role=f"Role {index}")
        response = sign_and_submit(client, dossier_id, declaration)
        assert response.status_code == 303, response.text[:500]

    assert run_together(submit, FILERS) == []
    with app.app_context():
        dossiers = db.session.scalars(select(Dossier)).all()
        references = {d.reference for d in dossiers}
        assert len(references) == FILERS and None not in references
        assert db.session.scalar(select(func.count()).select_from(Receipt)) == FILERS
        for dossier in dossiers:
            role = dossier.submitted_answers["declaration"]["signatory_role"]
            assert role.startswith("Role ")
            assert dossier.submitted_answers["answers"]["scope"]["estimated_patients"] == 12


def test_colleagues_saving_the_same_step_at_once_keep_the_first_answer_whole(
    app, user, postgres_only
):
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
        emails = [
            make_colleague(user[0], f"colleague{i}@cardiotech.example").email for i in range(8)
        ]
    versions = [dict(sample_answers()["device"], trade_name=f"Colleague {i}") for i in range(8)]
    statuses = [0] * len(versions)

    def save(index):
        client = app.test_client()
        login(client, emails[index])
        # Each opened the step before any of them saved it.
        values = dict(versions[index], saved_revision="0")
        statuses[index] = post_step(client, dossier_id, "device", values).status_code

    assert run_together(save, len(versions)) == []
    assert sorted(statuses) == [303] + [409] * (len(versions) - 1)
    with app.app_context():
        stored = db.session.get(Dossier, dossier_id).answers()["device"]
    assert stored == versions[statuses.index(303)]  # the first one's whole answer, never a mix


def test_tabs_that_do_not_say_what_they_saw_leave_one_complete_answer(app, user, postgres_only):
    """A client that does not send the revision it showed (not this portal's pages): the last
    save wins, still whole."""
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
    versions = [dict(sample_answers()["device"], trade_name=f"Tab {i}") for i in range(8)]

    def save(index):
        client = app.test_client()
        login(client, user[1])
        assert post_step(client, dossier_id, "device", versions[index]).status_code == 303

    assert run_together(save, len(versions)) == []
    with app.app_context():
        stored = db.session.get(Dossier, dossier_id).answers()["device"]
    assert stored in versions  # one tab's whole answer, never a mix


def filed_and_frozen(app, dossier_id: int) -> tuple[set[str], set[str]]:
    """The request's files, and those its frozen submission lists."""
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        frozen = (dossier.submitted_answers or {}).get("documents", [])
        return {d.filename for d in dossier.documents}, {d["filename"] for d in frozen}


def test_a_file_still_being_checked_when_the_request_is_submitted_is_refused(
    app, user, monkeypatch
):
    """A large PDF takes seconds to check. If another tab submits the request meanwhile, the
    file is refused (409) rather than added to a frozen request, behind its receipt."""
    with app.app_context():
        dossier_id = dossier_with(user[0], "global")
    uploader, other_tab = app.test_client(), app.test_client()
    login(uploader, user[1])
    login(other_tab, user[1])
    check = uploads.read_pdf

    def check_during_which_the_request_is_submitted(*args):
        checked = check(*args)
        submitted = sign_and_submit(other_tab, dossier_id)
        assert submitted.status_code == 303
        return checked

    monkeypatch.setattr(uploads, "read_pdf", check_during_which_the_request_is_submitted)
    refused = upload_document(uploader, dossier_id, "late-addition.pdf")
    assert refused.status_code == 409 and "can no longer be changed" in refused.text
    filed, frozen = filed_and_frozen(app, dossier_id)
    assert "late-addition.pdf" not in filed and filed == frozen


def test_a_submission_waits_for_a_file_being_added_and_never_files_it_unseen(
    app, user, postgres_only, monkeypatch
):
    """The other way round: a file being stored when the filer signs in another tab. The
    submission waits for it (the request's row is locked); the file was not on the page the
    signer checked, so nothing is filed until they check again, and then it is frozen too."""
    with app.app_context():
        dossier_id = dossier_with(user[0], "global")
    uploader, other_tab = app.test_client(), app.test_client()
    login(uploader, user[1])
    login(other_tab, user[1])
    store, storing = uploads.store, threading.Event()

    def store_while_a_submission_starts(*args):
        storing.set()
        assert waiting_for_a_lock(app), "the submission did not wait for the file"
        return store(*args)

    monkeypatch.setattr(uploads, "store", store_while_a_submission_starts)
    outcome = {}

    def submit():
        storing.wait(10)
        response = sign_and_submit(other_tab, dossier_id)
        outcome["status"], outcome["page"] = response.status_code, response.text

    submitter = threading.Thread(target=submit)
    submitter.start()
    assert upload_document(uploader, dossier_id, "last-minute.pdf").status_code == 303
    submitter.join(30)
    assert outcome["status"] == 409
    assert "Document “last-minute.pdf” added by you on" in outcome["page"]
    monkeypatch.setattr(uploads, "store", store)
    assert sign_and_submit(other_tab, dossier_id).status_code == 303  # checked again
    filed, frozen = filed_and_frozen(app, dossier_id)
    assert "last-minute.pdf" in frozen and filed == frozen


def waiting_for_a_lock(app, seconds: float = 10) -> bool:
    """True once another session of this database waits for a lock (PostgreSQL)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with db.engine.connect() as connection:
            if connection.execute(query).scalar():
                return True
        time.sleep(0.05)
    return False


def test_the_same_signature_sent_twice_at_once_files_once_and_shows_it_both_times(
    app, user, postgres_only
):
    """A second click (or tab) sent while the first is being taken: one submission, one
    reference, and both answers lead to the request, none to an error page."""
    with app.app_context():
        dossier_id = dossier_with(user[0], "global")
    client = app.test_client()
    login(client, user[1])
    declaration = sample_declaration()
    checked = checked_on_the_check_page(client, dossier_id)
    values = {**declaration, "checked": checked}
    responses = []

    def sign(_index):
        responses.append(post_step(client, dossier_id, "declaration", values))

    assert run_together(sign, 3) == []
    assert [r.status_code for r in responses] == [303, 303, 303]
    places = sorted(r.location for r in responses)
    assert places.count(f"/requests/{dossier_id}/steps/confirmation") == 1
    assert places.count(f"/requests/{dossier_id}/submitted") == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Receipt)) == 1


def test_the_same_invitation_sent_three_times_at_once_invites_once(app, user, postgres_only):
    """Two tabs, or a double click, sending step 9's invitation together: one link emailed to
    the professional, the other sends told the address is invited already."""
    from wizard.models import Invitation

    with app.app_context():
        dossier_id = dossier_with(user[0], "global")
    client = app.test_client()
    login(client, user[1])
    invitation = {
        "invite-clinician_name": "Dr Anne Leroy",
        "invite-email": "anne.leroy@necker.example",
        "invite-role": "Paediatric cardiac surgeon",
    }
    responses = []

    def invite(_index):
        responses.append(client.post(f"/requests/{dossier_id}/invitations", data=invitation))

    assert run_together(invite, 3) == []
    assert sorted(r.status_code for r in responses) == [303, 422, 422]
    assert all(
        "You have already invited this address (Dr Anne Leroy)" in r.text
        for r in responses
        if r.status_code == 422
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1


def test_start_a_new_request_sent_three_times_at_once_starts_one(app, user, postgres_only):
    """Without JavaScript a double click sends the dashboard's form twice: one draft, and
    every send leads to it."""
    client = app.test_client()
    login(client, user[1])
    mark = re.search(r'name="started_as" value="([^"]+)"', client.get("/dashboard").text)[1]
    responses = []

    def start(_index):
        responses.append(client.post("/requests", data={"started_as": mark}))

    assert run_together(start, 3) == []
    assert [r.status_code for r in responses] == [303, 303, 303]
    assert len({r.location for r in responses}) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Dossier)) == 1
