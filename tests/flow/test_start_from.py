"""A manufacturer starts a new request from a filed one (to renew an authorisation, or for
another patient): its answers and documents are carried over, except what is about that
occasion only, and the new request is filed like any other."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import dossier_with, login, make_user
from wizard import audit
from wizard.demo import attach_sample_files, sample_answers, sample_declaration
from wizard.extensions import db
from wizard.filing import service
from wizard.models import AuditEvent, Dossier


def start_from(client, dossier_id: int):
    return client.post(f"/requests/{dossier_id}/start-from")


def newest(user_id: int) -> Dossier:
    return db.session.scalars(select(Dossier).order_by(Dossier.id.desc())).first()


def test_an_individual_request_is_started_again_without_its_patient_letters_or_period(
    app, logged_in, user
):
    with app.app_context():
        source_id = dossier_with(user[0], submit=True)
    page = logged_in.get(f"/requests/{source_id}/submitted").text
    assert f'action="/requests/{source_id}/start-from"' in page
    assert "Start a new request from this one" in page

    started = start_from(logged_in, source_id)
    assert started.status_code == 303
    with app.app_context():
        copy = newest(user[0])
        source = db.session.get(Dossier, source_id)
        assert copy.id != source_id and copy.is_draft and copy.reference is None
        answers = copy.answers()
        filed = source.submitted_answers["answers"]
        assert set(answers) == set(filed) - {"patient", "medical-need", "hcp-support", "period"}
        assert all(answers[step] == filed[step] for step in answers)
        assert [(d.kind, d.sha256) for d in copy.documents] == [
            (d["kind"], d["sha256"]) for d in source.submitted_answers["documents"]
        ]
        assert copy.hcp_letters == [] and copy.invitations == []
        [event] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.dossier_id == copy.id)
        ).all()
        assert event.action == audit.STARTED_FROM
        assert event.detail["reference"] == source.reference
        with app.test_request_context(headers={"Accept-Language": "en"}):
            from wizard.review.pages import event_text

            # As ANSM's reviewer reads it in the request's audit trail, once it is filed.
            assert event_text(event) == (
                f"Started from request {source.reference}, with its answers and documents"
            )
        # The filed request is untouched.
        assert source.status == "submitted" and len(source.documents) == 1
    # Resuming leads to the first step to give again, with the message that says what to do.
    resumed = logged_in.get(started.location)
    assert resumed.location.endswith(f"/requests/{copy.id}/steps/patient")
    page = logged_in.get(resumed.location).text
    assert f"A new request is started with what you filed in {source.reference}" in page
    assert "the patient, their medical need, the letters" in page
    dashboard = logged_in.get("/dashboard").text
    assert dashboard.count("VentriAssist Mini") >= 2


def test_the_new_request_is_filed_like_any_other(app, logged_in, user):
    with app.app_context():
        source_id = dossier_with(user[0], "global", submit=True)
    start_from(logged_in, source_id)
    with app.app_context():
        copy = newest(user[0])
        # A global request keeps its scope and medical need; letters and period are new.
        assert "scope" in copy.answers() and "medical-need" in copy.answers()
        assert service.first_incomplete(copy).id == "hcp-support"
        answers = sample_answers("global")
        for step_id in ("hcp-support", "period"):
            service.save_step(copy, step_id, answers[step_id])
        attach_sample_files(copy.id, user[0], letters=1)
        owner = copy.created_by
        service.submit(copy, owner, sample_declaration())
        source = db.session.get(Dossier, source_id)
        assert copy.reference and copy.reference != source.reference
        # Both documents: the one carried over and the one just attached.
        assert len(copy.submitted_answers["documents"]) == 2


def test_only_a_filed_request_of_ones_own_organisation_can_be_started_from(app, client, user):
    with app.app_context():
        draft = dossier_with(user[0])
        filed = dossier_with(user[0], submit=True)
        make_user("eve@rival.example", "Rival Devices")
    login(client, "eve@rival.example")
    assert start_from(client, filed).status_code == 404
    client.post("/logout")
    login(client, user[1])
    assert start_from(client, draft).status_code == 409
    assert client.get(f"/requests/{filed}/start-from").status_code == 405
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Dossier)) == 2


@pytest.mark.parametrize("language, words", [("fr", "Commencer une nouvelle demande")])
def test_the_offer_reads_in_french(app, client, user, language, words):
    with app.app_context():
        filed = dossier_with(user[0], submit=True)
    login(client, user[1])
    client.get(f"/language/{language}")
    assert words in client.get(f"/requests/{filed}/submitted").text
