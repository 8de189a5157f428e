"""A manufacturer starts a new request from a filed one (to renew an authorisation, or for
another patient): its answers and documents are carried over, except what is about that
occasion only, and the new request is filed like any other."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from tests.conftest import dossier_with, login, make_user, post_step
from wizard import audit, uploads
from wizard.demo import attach_sample_files, minimal_pdf, sample_answers, sample_declaration
from wizard.extensions import db
from wizard.filing import service
from wizard.models import AuditEvent, Document, Dossier, Role


def start_from(client, dossier_id: int):
    return client.post(f"/requests/{dossier_id}/start-from")


def newest() -> Dossier:
    return db.session.scalars(select(Dossier).order_by(Dossier.id.desc())).first()


def filed_individual_request_with_another_document(user_id: int) -> int:
    """A filed individual request with, besides its clinical evaluation, a document of no set
    kind (a patient's file, as likely as not)."""
    dossier_id = dossier_with(user_id)
    stored = uploads.store("patient-scan.pdf", minimal_pdf("Scan"))
    db.session.add(
        Document(
            dossier_id=dossier_id,
            kind="other",
            filename=stored.filename,
            sha256=stored.sha256,
            size=stored.size,
            uploaded_by_id=user_id,
        )
    )
    db.session.commit()
    dossier = db.session.get(Dossier, dossier_id)
    service.submit(dossier, dossier.created_by, sample_declaration())
    return dossier_id


def test_an_individual_request_is_started_again_without_what_is_about_its_patient(
    app, logged_in, user
):
    with app.app_context():
        source_id = filed_individual_request_with_another_document(user[0])
    page = logged_in.get(f"/requests/{source_id}/submitted").text
    assert f'action="/requests/{source_id}/start-from"' in page
    assert "Start a new request from this one" in page
    # Not decided: nothing to renew yet.
    assert "To file again for this device, or for another patient" in page
    assert "renew" not in page

    started = start_from(logged_in, source_id)
    assert started.status_code == 303
    with app.app_context():
        copy = newest()
        source = db.session.get(Dossier, source_id)
        reference = source.reference
        assert copy.id != source_id and copy.is_draft and copy.reference is None
        answers = copy.answers()
        filed = source.submitted_answers["answers"]
        about_the_patient = {"patient", "medical-need", "benefit-risk", "hcp-support", "period"}
        assert set(answers) == set(filed) - about_the_patient
        assert all(answers[step] == filed[step] for step in answers)
        assert set(copy.carried_over()) == set(answers)  # each to be looked at
        assert [(d.kind, d.filename) for d in copy.documents] == [
            ("clinical_evaluation", "clinical-evaluation.pdf")
        ]
        assert copy.hcp_letters == [] and copy.invitations == []
        [event] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.dossier_id == copy.id)
        ).all()
        assert event.action == audit.STARTED_FROM and event.detail["reference"] == reference
        with app.test_request_context(headers={"Accept-Language": "en"}):
            from wizard.review.history import event_text

            # As ANSM's reviewer reads it in the request's audit trail, once it is filed.
            assert event_text(event) == (
                f"Started from request {reference}, with its answers and documents"
            )
        # The filed request is untouched.
        assert source.status == "submitted" and len(source.documents) == 2
        copy_id = copy.id
    # Resuming leads to the first step, copied and to be checked, with what to do.
    resumed = logged_in.get(started.location)
    assert resumed.location.endswith(f"/requests/{copy_id}/steps/before-you-start")
    page = logged_in.get(resumed.location).text
    assert f"A new request is started with what you filed in {reference}" in page
    assert "the patient, their medical need, the benefit and risk for them" in page
    assert f"These answers are copied from request {reference}" in page
    check = logged_in.get(f"/requests/{copy_id}/steps/check").text
    assert check.count(f"Copied from {reference}: check it") == len(answers)
    assert "Not answered yet" in check
    # Saved once looked at: no longer only copied.
    post_step(logged_in, copy_id, "before-you-start", answers["before-you-start"])
    with app.app_context():
        assert "before-you-start" not in db.session.get(Dossier, copy_id).carried_over()
    assert logged_in.get(f"/requests/{copy_id}").location.endswith("/steps/situation")


def test_the_new_request_is_filed_once_each_copied_step_was_looked_at(app, logged_in, user):
    with app.app_context():
        source_id = dossier_with(user[0], "global", submit=True)
    start_from(logged_in, source_id)
    with app.app_context():
        copy = newest()
        # A global request keeps its scope and medical need; letters and period are new.
        assert "scope" in copy.answers() and "medical-need" in copy.answers()
        answers = sample_answers("global")
        for step_id in ("hcp-support", "period"):
            service.save_step(copy, step_id, answers[step_id])
        attach_sample_files(copy.id, user[0], letters=1)
        owner = copy.created_by
        # Every step answered, but the copied ones not looked at: not yet.
        with pytest.raises(service.Incomplete) as unchecked:
            service.submit(copy, owner, sample_declaration())
        assert unchecked.value.step.id == "before-you-start"
        for step_id, values in copy.answers().items():
            if step_id in copy.carried_over():
                service.save_step(copy, step_id, values)
        service.submit(copy, owner, sample_declaration())
        source = db.session.get(Dossier, source_id)
        assert copy.reference and copy.reference != source.reference
        # Both documents: the one carried over and the one just attached.
        assert len(copy.submitted_answers["documents"]) == 2
        copy_id, source_reference = copy.id, source.reference
        make_user("rita@ansm.example", role=Role.REVIEWER)

    # Its reviewer reads what it was started from, and how that one stands now.
    reviewer = app.test_client()
    login(reviewer, "rita@ansm.example")
    page = " ".join(reviewer.get(f"/review/requests/{copy_id}").text.split())
    assert (
        f'<dt>Started from</dt><dd><a href="/review/requests/{source_id}">Request '
        f'{source_reference}</a> <span class="tag tag--submitted">Submitted</span>' in page
    )
    # A request started afresh says nothing of the kind.
    assert "Started from" not in reviewer.get(f"/review/requests/{source_id}").text


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


def test_a_copied_step_saved_for_later_with_a_correction_refused_stays_to_check(
    app, logged_in, user
):
    with app.app_context():
        source_id = dossier_with(user[0], submit=True)
    start_from(logged_in, source_id)
    with app.app_context():
        copy_id = newest().id
        copied = newest().answers()["manufacturer"]
    mistyped = {**copied, "srn": "FR-XX-1"}
    refused = post_step(logged_in, copy_id, "manufacturer", mistyped, action="save_exit")
    assert refused.status_code == 422
    with app.app_context():
        assert "manufacturer" in db.session.get(Dossier, copy_id).carried_over()
    saved = post_step(logged_in, copy_id, "manufacturer", copied, action="save_exit")
    assert saved.status_code == 303
    with app.app_context():
        assert "manufacturer" not in db.session.get(Dossier, copy_id).carried_over()
    # The dashboard leads to the first step still to check, as the summary says.
    assert "Next step: Before you start" in logged_in.get("/dashboard").text


def test_two_drafts_of_one_device_are_told_apart_on_the_dashboard(app, logged_in, user):
    with app.app_context():
        filed = dossier_with(user[0], submit=True)
        reference = db.session.get(Dossier, filed).reference
    assert start_from(logged_in, filed).status_code == 303
    with app.app_context():
        copy = newest().id
        other = dossier_with(user[0], steps=["before-you-start", "device", "access-type"])
    post_step(logged_in, copy, "patient", {**sample_answers()["patient"], "patient_initials": "MB"})
    # Beside the steps, the copied ones still to look at say so, not "saved".
    side = logged_in.get(f"/requests/{copy}/steps/patient").text.split('class="step-nav"')[1]
    device = re.search(r'step-nav__item--([\w-]+)">\s*<a href="[^"]*/steps/device"', side)
    assert device.group(1) == "to-check" and "(copied: to check)" in side
    rows = {
        row.split("</td>")[0]
        for row in logged_in.get("/dashboard").text.split("<tr>")[2:]
        if "Draft" in row.split("</td>")[0]
    }
    copied = next(row for row in rows if "Copied from" in row)
    assert f"Copied from {reference}" in copied and "Patient MB" in copied
    fresh = next(row for row in rows if "Copied from" not in row)
    assert "Started on" in fresh and "Patient" not in fresh
    assert other != copy


def test_the_links_of_two_drafts_for_one_device_and_patient_say_which_is_which(
    app, logged_in, user
):
    """In a screen reader's list of links, each draft's "Continue" and "Delete" name the
    device, the patient and when the draft was started."""
    from datetime import timedelta

    with app.app_context():
        first = dossier_with(user[0], files=False)
        second = dossier_with(user[0], files=False)
        earlier = db.session.get(Dossier, first)
        earlier.created_at = earlier.created_at - timedelta(hours=3)
        db.session.commit()
    page = logged_in.get("/dashboard").text
    device = sample_answers()["device"]["trade_name"]
    initials = sample_answers()["patient"]["patient_initials"]
    names = {}
    for dossier_id in (first, second):
        link = re.search(
            rf'href="/requests/{dossier_id}">Continue<span class="visually-hidden"> (.*?)</span>',
            page,
        ).group(1)
        assert link.startswith(f"the request for {device}, patient {initials}, started on ")
        names[dossier_id] = link
        assert (
            f'Delete<span class="visually-hidden"> the draft for {device}, patient {initials}, '
            "started on " in page
        )
    assert names[first] != names[second]
    assert ", draft " not in page  # started hours apart: no need of more

    # Started within the same minute: the links say which of them each is.
    with app.app_context():
        earlier = db.session.get(Dossier, first)
        earlier.created_at = db.session.get(Dossier, second).created_at
        db.session.commit()
    page = html.unescape(logged_in.get("/dashboard").text)
    for dossier_id, place in ((first, 1), (second, 2)):
        link = re.search(
            rf'href="/requests/{dossier_id}">Continue<span class="visually-hidden"> (.*?)</span>',
            page,
        ).group(1)
        assert link.endswith(f", draft {place} of 2")
        assert re.search(
            rf'href="/requests/{dossier_id}/discard">Delete<span class="visually-hidden"> '
            rf"[^<]*, draft {place} of 2</span>",
            page,
        )


def test_a_copied_step_s_warning_is_said_on_the_summary(app, logged_in, user):
    """A step copied from a filed request is not finished until looked at; what its answers
    would warn of is said on the summary all the same (a UDI-DI of another issuer)."""
    with app.app_context():
        filed = dossier_with(user[0], steps=[], files=False)
        device = {**sample_answers()["device"], "udi_di": "+H123PARTNO1U"}
        answers = {**sample_answers(), "device": device}
        dossier = db.session.get(Dossier, filed)
        for step_id, values in answers.items():
            service.save_step(dossier, step_id, values)
        attach_sample_files(filed, user[0])
        service.submit(dossier, db.session.get(Dossier, filed).created_by, sample_declaration())
    assert start_from(logged_in, filed).status_code == 303
    with app.app_context():
        copy = newest().id
    page = " ".join(logged_in.get(f"/requests/{copy}/steps/check").text.split())
    row = page[page.index('id="summary-device"') :]
    assert "Copied from" in row.split("</section>")[0]
    assert "This is not a GS1 GTIN" in row.split("</section>")[0]
    assert '<li><a href="#summary-device">Device</a></li>' in page


def test_a_filed_document_damaged_since_is_not_carried_over(app, logged_in, user):
    """Only the very file filed goes with the new request: one cut short or changed on the
    server's disk since (its hash no longer its name) is left out, to be added again."""
    with app.app_context():
        source_id = dossier_with(user[0], "global", submit=True)
        (filed,) = db.session.get(Dossier, source_id).documents
        path = uploads.path_of(filed.sha256)
    content = path.read_bytes()
    try:
        path.write_bytes(content[: len(content) // 2])  # cut short
        assert start_from(logged_in, source_id).status_code == 303
        with app.app_context():
            assert newest().documents == []
    finally:
        path.write_bytes(content)
