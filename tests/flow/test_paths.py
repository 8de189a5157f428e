"""A manufacturer files a complete request on either path, through the pages, as a browser would
(plain POSTs) and as htmx would (HX-Request header)."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update

from tests.conftest import dossier_with, post_step, reference_in, sign_and_submit
from wizard import clock
from wizard.demo import minimal_pdf, sample_answers, sample_declaration, sample_letter
from wizard.domain.canonical import canonical_sha256
from wizard.domain.reference import REFERENCE_PATTERN
from wizard.extensions import db
from wizard.filing import service
from wizard.forms.attachments import DOCUMENT_KINDS
from wizard.models import Dossier

PATH_STEPS = {
    "individual": [
        "before-you-start",
        "situation",
        "manufacturer",
        "device",
        "access-type",
        "patient",
        "medical-need",
        "clinical-evidence",
        "benefit-risk",
        "hcp-support",
        "certification",
        "period",
    ],
    "global": [
        "before-you-start",
        "situation",
        "manufacturer",
        "device",
        "access-type",
        "scope",
        "medical-need",
        "clinical-evidence",
        "benefit-risk",
        "hcp-support",
        "certification",
        "period",
    ],
}


def start_request(client) -> int:
    response = client.post("/requests")
    assert response.status_code == 303
    assert response.location.endswith("/steps/before-you-start")
    return int(response.location.split("/")[2])


def upload(client, url, fields, name="file.pdf", content=None, prefix="document"):
    data = dict(fields)
    data[f"{prefix}-file"] = (io.BytesIO(minimal_pdf() if content is None else content), name)
    return client.post(url, data=data, content_type="multipart/form-data")


def file_a_request(client, path: str, *, htmx: bool) -> tuple[int, str]:
    dossier_id = start_request(client)
    answers = sample_answers(path)
    for position, step_id in enumerate(PATH_STEPS[path]):
        if step_id == "clinical-evidence":
            response = upload(
                client,
                f"/requests/{dossier_id}/documents",
                {"document-kind": "clinical_evaluation"},
                name="cer.pdf",
            )
            assert response.status_code == 303
        if step_id == "hcp-support":
            fields = {f"letter-{k}": v for k, v in sample_letter().items()}
            letter = minimal_pdf("Signed letter")  # a file of its own, not the documents'
            response = upload(
                client,
                f"/requests/{dossier_id}/letters",
                fields,
                "letter.pdf",
                content=letter,
                prefix="letter",
            )
            assert response.status_code == 303, response.text
        page = client.get(f"/requests/{dossier_id}/steps/{step_id}")
        assert page.status_code == 200
        assert f"Step {position + 1} of 14" in page.text
        if step_id == "hcp-support":  # the letters are about one patient, or about several
            patients = "this patient" if path == "individual" else "the patients"
            assert f"how urgent it is for {patients}." in page.text
        response = post_step(client, dossier_id, step_id, answers[step_id], htmx=htmx)
        assert response.status_code == 303, (step_id, response.text[:3000])
    check = client.get(response.location)
    assert "Check your answers" in check.text
    # An optional question answered is read back without its "(optional)".
    assert "EMDN code" in check.text and "(optional)" not in check.text
    response = sign_and_submit(client, dossier_id, htmx=htmx)
    assert response.status_code == 303, response.text[:3000]
    confirmation = client.get(response.location)
    assert confirmation.status_code == 200
    reference = reference_in(confirmation.text)
    assert reference and REFERENCE_PATTERN.fullmatch(reference)
    return dossier_id, reference


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-post", "htmx"])
@pytest.mark.parametrize("path", ["individual", "global"])
def test_a_manufacturer_files_a_complete_request(app, logged_in, path, htmx):
    dossier_id, reference = file_a_request(logged_in, path, htmx=htmx)
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        assert dossier.status == "submitted"
        assert dossier.reference == reference
        frozen = dossier.submitted_answers
        assert frozen["access_type"] == path
        other = "scope" if path == "individual" else "patient"
        assert other not in frozen["answers"]
        assert frozen["answers"]["device"]["trade_name"] == "VentriAssist Mini"
        assert frozen["documents"][0]["kind"] == "clinical_evaluation"
        assert len(frozen["hcp_letters"]) == 1
        assert dossier.answers_sha256 == canonical_sha256(frozen)
    dashboard = logged_in.get("/dashboard")
    assert reference in dashboard.text and "Submitted" in dashboard.text


def test_a_submitted_request_is_frozen(app, logged_in):
    dossier_id, _reference = file_a_request(logged_in, "individual", htmx=False)
    changed = dict(sample_answers()["device"], trade_name="Something else")
    response = post_step(logged_in, dossier_id, "device", changed)
    assert response.status_code == 409
    page = " ".join(response.text.split())
    assert "can no longer be changed" in page
    # What was typed (a stale tab) is shown to copy, and the request's page is a click away.
    assert "What you typed" in page and "Something else" in page
    assert f'href="/requests/{dossier_id}/submitted">See request {_reference}</a>' in page
    assert logged_in.post(f"/requests/{dossier_id}/documents").status_code == 409
    # Signed and sent a second time (a double click): led to the request, said filed.
    resubmit = post_step(logged_in, dossier_id, "declaration", sample_declaration())
    assert resubmit.status_code == 303 and resubmit.location.endswith("/submitted")
    assert "This request is already submitted: here it is." in logged_in.get(resubmit.location).text
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        assert dossier.submitted_answers["answers"]["device"]["trade_name"] == "VentriAssist Mini"
    view = logged_in.get(f"/requests/{dossier_id}/steps/device")
    assert view.status_code == 302 and view.location.endswith("/submitted")
    page = logged_in.get(view.location).text
    assert "VentriAssist Mini" in page
    with app.app_context():
        documents = db.session.get(Dossier, dossier_id).submitted_answers["documents"]
    # Each document filed named by its kind, as the step and the receipt name it.
    assert documents and all(
        re.search(
            rf"<li>{re.escape(str(dict(DOCUMENT_KINDS)[doc['kind']]))}: <a [^>]+>"
            rf"{re.escape(doc['filename'])}</a> ",
            page,
        )
        for doc in documents
    )


def test_two_submissions_get_distinct_references(app, logged_in):
    _first, first_reference = file_a_request(logged_in, "global", htmx=False)
    _second, second_reference = file_a_request(logged_in, "individual", htmx=False)
    assert first_reference != second_reference
    assert int(second_reference[-6:]) == int(first_reference[-6:]) + 1


def test_a_request_filed_just_after_midnight_on_new_years_day_in_france_is_of_the_new_year(
    app, logged_in, monkeypatch
):
    """23:30 UTC on 31 December is 00:30 on 1 January in Paris: the reference says the year
    the filer sees."""
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    _dossier_id, reference = file_a_request(logged_in, "global", htmx=False)
    assert reference.startswith("DA-2027-")


def test_the_type_of_access_says_what_changing_it_leaves_behind(app, logged_in, user):
    """Before the type is changed: the other path's answers are kept but not sent, the new
    path's step is asked next, and letters received are marked to check."""
    from tests.conftest import dossier_with

    with app.app_context():
        fresh = dossier_with(user[0], steps=["before-you-start"], files=False)
        individual = dossier_with(user[0], files=False)
        global_one = dossier_with(user[0], "global")
        # Its letter received for the device as a whole, as one received now records it.
        from wizard.extensions import db
        from wizard.models import HcpLetter

        db.session.execute(
            update(HcpLetter).where(HcpLetter.dossier_id == global_one).values(written_for="global")
        )
        db.session.commit()
    assert "If you change to" not in logged_in.get(f"/requests/{fresh}/steps/access-type").text
    page = " ".join(logged_in.get(f"/requests/{individual}/steps/access-type").text.split())
    assert (
        "You have answered for individual access. If you change to global access, your answers "
        "about the patient are kept but not sent with the request, and the scope of the "
        "authorisation is asked next." in page
    )
    assert "letters from healthcare professionals already received" not in page  # none
    page = " ".join(logged_in.get(f"/requests/{global_one}/steps/access-type").text.split())
    assert "You have answered for global access. If you change to individual access" in page
    assert (
        "The letters from healthcare professionals already received stay, marked for you to "
        "check that they support the new type." in page
    )
    # Changed once, then back: the patient described before is used again, not asked.
    post_step(logged_in, global_one, "access-type", {"access_type": "individual"})
    post_step(logged_in, global_one, "patient", sample_answers("individual")["patient"])
    page = " ".join(logged_in.get(f"/requests/{global_one}/steps/access-type").text.split())
    assert (
        "If you change to global access, your answers about the patient are kept but not sent "
        "with the request, and the scope of the authorisation you gave earlier is used again."
        in page
    )
    assert "is asked next" not in page


@pytest.mark.parametrize("path", ["individual", "global"])
def test_the_case_steps_speak_of_one_patient_or_many_alike(app, logged_in, user, path):
    """The medical need's and the benefit's questions are the same on both paths: worded for
    either, never "these patients" to a request for one patient, nor "the patient" to one for
    a device."""
    with app.app_context():
        dossier_id = dossier_with(user[0], path, files=False)
    for step in ("medical-need", "benefit-risk"):
        page = html.unescape(logged_in.get(f"/requests/{dossier_id}/steps/{step}").text)
        questions = page[page.index('id="step-form"') :]
        questions = re.sub(r"<textarea.*?</textarea>", " ", questions, flags=re.S)  # answers
        questions = re.sub(r"<[^>]+>", " ", questions[: questions.index("</form>")])
        for assumed in ("these patients", "Which patients", "benefit for the patients"):
            assert assumed not in questions, (step, assumed)


def test_an_organisation_holds_a_limited_number_of_drafts(app, logged_in, user, monkeypatch):
    """Each draft may hold dozens of files: an account cannot start them without end. The
    limit is said on the list, where drafts are deleted; one deleted makes room."""
    monkeypatch.setitem(app.config, "MAX_DRAFTS_PER_ORGANISATION", 2)  # (the app is shared)
    first = start_request(logged_in)
    start_request(logged_in)
    refused = logged_in.post("/requests")
    assert refused.status_code == 303 and refused.location == "/dashboard"
    page = html.unescape(logged_in.get("/dashboard").text)
    assert (
        "Your organisation already has 2 requests not yet submitted, the most the portal keeps "
        "at once. Delete the drafts you no longer need, then start a new one." in page
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Dossier)) == 2
        # A submitted request does not count: only drafts do.
        submitted = db.session.get(Dossier, dossier_with(user[0]))
        service.submit(submitted, submitted.created_by, sample_declaration())
        submitted_id = submitted.id
        # Nor, once deleted, a draft.
        service.discard(
            db.session.get(Dossier, first), submitted.created_by, as_shown=lambda _draft: True
        )
    start_request(logged_in)
    assert logged_in.post("/requests").status_code == 303  # two drafts again: full
    # Starting from a filed request is a new draft too.
    copied = logged_in.post(f"/requests/{submitted_id}/start-from")
    assert copied.status_code == 303 and copied.location == "/dashboard"


def test_the_first_page_says_what_either_type_of_access_will_need(app, logged_in):
    """Read before the type of access is chosen: what one patient needs, and what the device
    as a whole needs (the scope step's questions)."""
    started = logged_in.post("/requests")
    page = " ".join(html.unescape(logged_in.get(started.location).text).split())
    assert "for one patient: pseudonymised details" in page
    assert (
        "for the device as a whole: the indication and the patients it is for, how many, the "
        "establishments concerned (FINESS), and your plans for distribution, traceability and "
        "training" in page
    )
