"""On the evidence step the upload and the summaries are one form: a file sent by its button
keeps what was typed in the summaries (saved when complete, shown again when not), and a file
chosen then sent with "Save and continue" is attached, not forgotten."""

from __future__ import annotations

import html
import io
import re

import pytest
from flask import g, request_finished

from tests.conftest import dossier_with
from wizard.demo import minimal_pdf, sample_answers
from wizard.extensions import db
from wizard.forms.attachments import DOCUMENT_KINDS
from wizard.models import Dossier

SUMMARIES = sample_answers()["clinical-evidence"]
EVALUATION = (minimal_pdf("Clinical evaluation"), "cer.pdf")
HALF_WRITTEN = {"efficacy_summary": "Twelve patients at Necker, 2025: all alive at six months."}


def at_evidence_step(app, user) -> int:
    steps = [s for s in sample_answers() if s not in ("clinical-evidence",)]
    with app.app_context():
        return dossier_with(user[0], steps=steps, files=False)


def sent(client, url, typed, file=EVALUATION, **more):
    data = {**typed, "document-kind": "clinical_evaluation", **more}
    if file is not None:
        data["document-file"] = (io.BytesIO(file[0]), file[1])
    return client.post(url, data=data, content_type="multipart/form-data")


def stored(app, dossier_id):
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        return dossier.answers().get("clinical-evidence"), [d.filename for d in dossier.documents]


def test_the_page_is_one_form_whose_upload_button_keeps_the_summaries(app, logged_in, user):
    dossier_id = at_evidence_step(app, user)
    page = logged_in.get(f"/requests/{dossier_id}/steps/clinical-evidence").text
    assert 'id="step-form" enctype="multipart/form-data"' in page
    # A choice of radios (a closed list cuts its choice short at 400 % zoom), each in the form.
    kinds = re.findall(
        r'<input class="radios__input" type="radio" [^>]*name="document-kind"[^>]*>', page
    )
    assert len(kinds) == len(DOCUMENT_KINDS) and all('form="step-form"' in kind for kind in kinds)
    assert re.search(r'<input [^>]*name="document-file"[^>]* form="step-form"', page)
    assert f'formaction="/requests/{dossier_id}/documents"' in page


def test_a_half_written_summary_survives_an_upload(app, logged_in, user):
    dossier_id = at_evidence_step(app, user)
    page = sent(logged_in, f"/requests/{dossier_id}/documents", HALF_WRITTEN)
    assert page.status_code == 200
    assert "“cer.pdf” has been added." in page.text
    # Said in the section the page opens at (#documents), not at the top, out of sight at 400 %.
    assert page.text.count("has been added") == 1
    assert page.text.index('id="documents"') < page.text.index("has been added")
    assert HALF_WRITTEN["efficacy_summary"] in page.text  # back in its field
    assert "error-message" not in page.text  # not called wrong: not finished yet
    assert stored(app, dossier_id) == (None, ["cer.pdf"])


def test_complete_summaries_are_saved_with_the_upload(app, logged_in, user):
    dossier_id = at_evidence_step(app, user)
    response = sent(logged_in, f"/requests/{dossier_id}/documents", SUMMARIES)
    assert response.status_code == 303
    assert response.location.endswith("/steps/clinical-evidence#documents")
    assert stored(app, dossier_id) == (SUMMARIES, ["cer.pdf"])


def test_a_refused_file_keeps_what_was_typed(app, logged_in, user):
    dossier_id = at_evidence_step(app, user)
    refused = sent(
        logged_in, f"/requests/{dossier_id}/documents", HALF_WRITTEN, file=(b"MZ exe", "cer.pdf")
    )
    assert refused.status_code == 422 and "is not a PDF document" in refused.text
    assert HALF_WRITTEN["efficacy_summary"] in refused.text
    assert stored(app, dossier_id) == (None, [])
    # The fields shown again still belong to the page's one form: the next try sends the file.
    assert re.search(r'<input [^>]*name="document-file"[^>]* form="step-form"', refused.text)
    assert re.search(r'<input [^>]*name="document-kind"[^>]* form="step-form"', refused.text)


def test_a_file_chosen_then_save_and_continue_is_attached(app, logged_in, user):
    dossier_id = at_evidence_step(app, user)
    step = f"/requests/{dossier_id}/steps/clinical-evidence"
    response = sent(logged_in, step, SUMMARIES, action="continue")
    assert response.status_code == 303 and "benefit-risk" in response.location
    assert stored(app, dossier_id) == (SUMMARIES, ["cer.pdf"])


def test_a_bad_file_sent_with_save_and_continue_stops_everything(app, logged_in, user):
    dossier_id = at_evidence_step(app, user)
    step = f"/requests/{dossier_id}/steps/clinical-evidence"
    refused = sent(logged_in, step, SUMMARIES, file=(b"MZ exe", "cer.pdf"), action="continue")
    assert refused.status_code == 422 and "is not a PDF document" in refused.text
    assert SUMMARIES["efficacy_summary"] in refused.text
    assert stored(app, dossier_id) == (None, [])


def test_removing_a_document_keeps_a_half_written_summary(app, logged_in, user):
    dossier_id = at_evidence_step(app, user)
    sent(logged_in, f"/requests/{dossier_id}/documents", {})
    page = logged_in.get(f"/requests/{dossier_id}/steps/clinical-evidence").text
    # "Remove" is a button of the step's one form, as the upload is: what is typed goes along.
    remove = re.search(r'<button [^>]*form="step-form"[^>]*formaction="([^"]+/delete)"', page)
    assert remove
    data = {**HALF_WRITTEN, "document-kind": "", "document-file": (io.BytesIO(b""), "")}
    removed = logged_in.post(remove.group(1), data=data, content_type="multipart/form-data")
    assert removed.status_code == 200
    assert "“cer.pdf” has been removed." in removed.text
    assert HALF_WRITTEN["efficacy_summary"] in removed.text  # back in its field
    assert "error-message" not in removed.text  # not called wrong: not finished yet
    assert "No document attached yet." in removed.text
    assert stored(app, dossier_id) == (None, [])


def test_complete_summaries_sent_with_a_removal_are_saved(app, logged_in, user):
    dossier_id = at_evidence_step(app, user)
    sent(logged_in, f"/requests/{dossier_id}/documents", {})
    with app.app_context():
        document_id = db.session.get(Dossier, dossier_id).documents[0].id
    removed = logged_in.post(
        f"/requests/{dossier_id}/documents/{document_id}/delete",
        data={**SUMMARIES},
        content_type="multipart/form-data",
    )
    assert removed.status_code == 303
    assert removed.location.endswith("/steps/clinical-evidence#documents")
    assert stored(app, dossier_id) == (SUMMARIES, [])


def test_a_request_carries_a_bounded_number_of_documents(app, logged_in, user, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_FILES_PER_REQUEST", 2)
    dossier_id = at_evidence_step(app, user)
    url = f"/requests/{dossier_id}/documents"
    for name in ("cer.pdf", "ifu.pdf"):
        assert sent(logged_in, url, SUMMARIES, file=(minimal_pdf(name), name)).status_code == 303
    third = sent(logged_in, url, HALF_WRITTEN, file=(minimal_pdf("third"), "tests.pdf"))
    assert third.status_code == 422
    assert (
        "This request has 2 documents, the most it can carry: remove one it no longer needs, "
        "then add this one." in " ".join(third.text.split())
    )
    assert HALF_WRITTEN["efficacy_summary"] in third.text  # what was typed, kept
    assert stored(app, dossier_id)[1] == ["cer.pdf", "ifu.pdf"]
    # Said before the file is read: a check of the hour's budget is not spent for nothing.
    checks = []

    def counted(sender, response, **extra):
        checks.append(g.get("pdf_checks", 0))

    with request_finished.connected_to(counted, app):
        refused = sent(logged_in, url, HALF_WRITTEN, file=(minimal_pdf("fourth"), "more.pdf"))
    assert refused.status_code == 422 and checks == [0]


def test_the_address_a_removal_leaves_leads_back_to_the_step(app, logged_in, user):
    """Shown again there with what was typed: reloaded (the form sent again), or opened
    again (a change of language), it neither fails nor removes anything more."""
    dossier_id = at_evidence_step(app, user)
    sent(logged_in, f"/requests/{dossier_id}/documents", {})
    with app.app_context():
        document_id = db.session.get(Dossier, dossier_id).documents[0].id
    address = f"/requests/{dossier_id}/documents/{document_id}/delete"
    removed = logged_in.post(address, data=HALF_WRITTEN, content_type="multipart/form-data")
    assert removed.status_code == 200
    again = logged_in.post(address, data=HALF_WRITTEN, content_type="multipart/form-data")
    assert again.status_code == 200 and HALF_WRITTEN["efficacy_summary"] in again.text
    opened = logged_in.get(address)
    assert opened.status_code == 303
    assert opened.location.endswith(f"/requests/{dossier_id}/steps/clinical-evidence#documents")


def test_opened_from_the_summary_the_step_still_leads_back_to_it(app, logged_in, user):
    """A change from the summary, a document added or removed: the way back stays the summary's,
    and "Save and continue" returns there rather than walking through every later step."""
    with app.app_context():
        dossier_id = dossier_with(user[0], files=False)
    step = f"/requests/{dossier_id}/steps/clinical-evidence?return_to=check"
    page = logged_in.get(step).text
    assert f'formaction="/requests/{dossier_id}/documents?return_to=check"' in page
    added = sent(logged_in, f"/requests/{dossier_id}/documents?return_to=check", SUMMARIES)
    assert added.location.endswith("/steps/clinical-evidence?return_to=check#documents")
    page = logged_in.get(added.location).text
    assert "Back to your answers" in page
    removal = re.search(r'formaction="([^"]+/delete\?return_to=check)"', page).group(1)
    removed = logged_in.post(removal.replace("&amp;", "&"), data=SUMMARIES)
    assert removed.location.endswith("/steps/clinical-evidence?return_to=check#documents")
    again = sent(logged_in, f"/requests/{dossier_id}/documents?return_to=check", SUMMARIES)
    saved = logged_in.post(again.location.split("#")[0], data={**SUMMARIES, "action": "continue"})
    # To the summary, not the next step, nor the step it still lacked before (the letters:
    # the summary says it is to do).
    assert saved.location.endswith("/steps/check#summary-clinical-evidence")


def test_the_summary_leads_to_an_unfinished_step_and_back(app, logged_in, user):
    steps = [s for s in sample_answers() if s != "medical-need"]
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=steps)
    page = logged_in.get(f"/requests/{dossier_id}/steps/check").text
    assert f'href="/requests/{dossier_id}/steps/medical-need?return_to=check"' in page


def test_after_an_upload_shown_again_the_next_document_has_no_type_yet(app, logged_in, user):
    dossier_id = at_evidence_step(app, user)
    page = sent(logged_in, f"/requests/{dossier_id}/documents", HALF_WRITTEN).text
    assert "“cer.pdf” has been added." in page
    assert HALF_WRITTEN["efficacy_summary"] in page
    # Shown again, not saved: said where the page opens (without JavaScript nothing else
    # would warn before the page is left), and it is indeed not saved.
    documents = html.unescape(page.split('id="documents"')[1].split("</section>")[0])
    assert "What you typed in this step’s questions is not saved yet" in documents
    assert stored(app, dossier_id) == (None, ["cer.pdf"])
    # Removed again, the same.
    with app.app_context():
        document_id = db.session.get(Dossier, dossier_id).documents[0].id
    removal = f"/requests/{dossier_id}/documents/{document_id}/delete"
    removed = logged_in.post(removal, data=HALF_WRITTEN, content_type="multipart/form-data")
    assert "is not saved yet" in html.unescape(removed.text)
    # Finished, it is saved with the file: nothing to say.
    added = sent(logged_in, f"/requests/{dossier_id}/documents", SUMMARIES)
    assert added.status_code == 303
    assert "is not saved yet" not in html.unescape(logged_in.get(added.location).text)
    assert '<option value="clinical_evaluation" selected>' not in page


def test_after_save_and_continue_attached_a_document_the_next_has_no_type_yet(app, logged_in, user):
    """A document chosen with its type, then "Save and continue" with a summary missing: the
    document is attached, the page shown again for the summary, and its upload form blank, so
    that the next file is not filed under this one's type unseen."""
    dossier_id = at_evidence_step(app, user)
    url = f"/requests/{dossier_id}/steps/clinical-evidence"
    page = sent(
        logged_in,
        url,
        {**HALF_WRITTEN, "action": "continue"},
        **{"document-kind": "instructions_for_use"},
    )
    assert page.status_code == 422
    assert "“cer.pdf” has been added." in page.text
    assert HALF_WRITTEN["efficacy_summary"] in page.text
    assert (
        "checked"
        not in page.text.split('id="document-kind-options"')[1].split("</div>\n</fieldset>")[0]
    )
    assert stored(app, dossier_id) == (None, ["cer.pdf"])


@pytest.mark.parametrize("action", ["continue", "save_exit"])
def test_a_file_refused_along_with_the_steps_button_says_the_step_is_not_saved(
    app, logged_in, user, action
):
    """A file chosen without its type, then "Save and continue" or "Save and come back
    later": the page says why the file was not added, and that what was typed is not saved
    either (it is still on the page)."""
    dossier_id = at_evidence_step(app, user)
    url = f"/requests/{dossier_id}/steps/clinical-evidence"
    page = sent(logged_in, url, {**SUMMARIES, "action": action}, **{"document-kind": ""})
    assert page.status_code == 422
    text = html.unescape(" ".join(page.text.split()))
    assert "Choose the type of document." in text
    # The file itself is kept (`kept_file`): nothing to clear in its field.
    assert (
        "What you typed on this page is not saved yet: the file you chose is kept, but not "
        "added yet (said below). Correct what is said, then save the step again."
    ) in text
    assert "We have kept the document you chose: cer.pdf." in text
    assert SUMMARIES["efficacy_summary"] in text
    assert stored(app, dossier_id) == (None, [])
    # A file refused for itself is not kept: clearing it is a way on.
    refused = sent(
        logged_in, url, {**SUMMARIES, "action": action}, file=(b"MZ not a PDF", "tool.pdf")
    )
    assert refused.status_code == 422
    assert (
        "What you typed on this page is not saved yet: the file you chose could not be added "
        "(said below). Correct it, or clear the file chosen, then save the step again."
    ) in html.unescape(" ".join(refused.text.split()))
    # By the upload button, nothing of the step's was to be saved: nothing said of it.
    upload = sent(
        logged_in, f"/requests/{dossier_id}/documents", SUMMARIES, **{"document-kind": ""}
    )
    assert "is not saved yet" not in upload.text


def test_an_upload_from_a_page_opened_for_the_first_time_leads_back_to_it(app, logged_in, user):
    """Nothing typed in the summaries yet (the page sends them empty) and nothing saved: the
    browser is sent back to the step (303), so that reloading it does not send the file again."""
    dossier_id = at_evidence_step(app, user)
    url = f"/requests/{dossier_id}/documents"
    empty = {name: "" for name in SUMMARIES}
    response = sent(logged_in, url, empty)
    assert response.status_code == 303
    assert response.location.endswith("/steps/clinical-evidence#documents")
    assert stored(app, dossier_id) == (None, ["cer.pdf"])
    assert "“cer.pdf” has been added." in logged_in.get(response.location).text
    # Once the step holds answers, empty summaries sent with a file are someone's deletion of
    # them: shown again as sent, not replaced by what was saved.
    assert sent(logged_in, url, SUMMARIES, file=(minimal_pdf("b"), "b.pdf")).status_code == 303
    again = sent(logged_in, url, empty, file=(minimal_pdf("c"), "c.pdf"))
    assert again.status_code == 200 and SUMMARIES["efficacy_summary"] not in again.text


def test_a_file_chosen_without_its_type_is_kept_for_the_next_try(app, logged_in, user):
    """A browser never sends a file twice: refused for its missing type, the PDF chosen is
    kept and said so, and choosing the type then uploads it, by either button. A kept file
    whose type is never chosen is let go when the step is saved."""
    dossier_id = at_evidence_step(app, user)
    refused = sent(
        logged_in, f"/requests/{dossier_id}/documents", HALF_WRITTEN, **{"document-kind": ""}
    )
    assert refused.status_code == 422
    assert "Choose the type of document." in refused.text
    assert "We have kept the document you chose: cer.pdf." in refused.text
    assert stored(app, dossier_id) == (None, [])
    # Said again on the step's page, opened anew: the file is still there to be typed.
    page = logged_in.get(f"/requests/{dossier_id}/steps/clinical-evidence").text
    assert "We have kept the document you chose: cer.pdf." in page

    # Its type chosen, "Save and continue" (no file chosen again) attaches it with the step.
    saved = sent(logged_in, f"/requests/{dossier_id}/steps/clinical-evidence", SUMMARIES, file=None)
    assert saved.status_code == 303
    assert stored(app, dossier_id) == (SUMMARIES, ["cer.pdf"])
    page = logged_in.get(f"/requests/{dossier_id}/steps/clinical-evidence").text
    assert "We have kept the document" not in page  # attached: nothing kept any more

    # Kept again, then the step saved for later with no type chosen: still kept for later.
    other = (minimal_pdf("Instructions for use"), "ifu.pdf")
    step = f"/requests/{dossier_id}/steps/clinical-evidence"
    sent(logged_in, f"/requests/{dossier_id}/documents", {}, other, **{"document-kind": ""})
    no_type = {"document-kind": ""}
    later = sent(logged_in, step, SUMMARIES, file=None, action="save_exit", **no_type)
    assert later.status_code == 303
    assert "We have kept the document you chose: ifu.pdf." in logged_in.get(step).text
    # "Save and continue" with other answers to correct: the step is shown again, and the
    # file still kept there, for its type to be chosen.
    refused = sent(logged_in, step, HALF_WRITTEN, file=None, **no_type)
    assert refused.status_code == 422
    assert "We have kept the document you chose: ifu.pdf." in refused.text
    assert "was not added" not in refused.text
    assert "We have kept the document you chose: ifu.pdf." in logged_in.get(step).text
    # "Save and continue" with still no type: the step is saved, the file let go, and said.
    again = sent(logged_in, step, SUMMARIES, file=None, **no_type)
    assert again.status_code == 303
    assert stored(app, dossier_id) == (SUMMARIES, ["cer.pdf"])
    following = " ".join(logged_in.get(again.location).text.split())
    assert "“ifu.pdf” was not added: its type was not chosen." in following
    assert "We have kept the document" not in logged_in.get(step).text


def test_a_type_chosen_without_a_file_is_not_a_document(app, logged_in, user):
    """Nothing to attach: the type alone never blocks saving the step."""
    dossier_id = at_evidence_step(app, user)
    step = f"/requests/{dossier_id}/steps/clinical-evidence"
    later = sent(logged_in, step, HALF_WRITTEN, file=None, action="save_exit")
    assert later.status_code == 303
    assert stored(app, dossier_id) == (HALF_WRITTEN, [])


def test_a_file_the_page_kept_back_for_its_size_is_refused_for_it(app, logged_in, user):
    """With JavaScript a file too large is kept back when chosen and named with the form
    (`document-file-too-big`): refused for its size, by the upload button or with "Save and
    continue" (the step is not saved as if no file had been chosen), and even when a file
    kept from an earlier try could stand in."""
    dossier_id = at_evidence_step(app, user)
    step = f"/requests/{dossier_id}/steps/clinical-evidence"
    kept_back = {"document-file-too-big": "full scan.pdf"}
    by_button = sent(logged_in, f"/requests/{dossier_id}/documents", SUMMARIES, None, **kept_back)
    assert by_button.status_code == 422
    said = " ".join(by_button.text.split())
    assert "full scan.pdf: The selected file must be smaller than" in said
    assert "Choose a PDF file to upload." not in said
    with_step = sent(logged_in, step, SUMMARIES, None, **kept_back)
    assert with_step.status_code == 422
    assert stored(app, dossier_id) == (None, [])
    # A file kept from a try refused for its type does not stand in for the one kept back.
    sent(logged_in, f"/requests/{dossier_id}/documents", {}, **{"document-kind": ""})
    again = sent(logged_in, step, SUMMARIES, None, **kept_back)
    assert again.status_code == 422
    assert "full scan.pdf: The selected file must be smaller than" in again.text
    assert stored(app, dossier_id) == (None, [])


def test_removing_the_only_report_of_a_finished_step_says_what_it_needs_now(app, logged_in, user):
    """The step was saved finished; its one clinical evaluation report is removed: the page
    says it is removed and that a report is needed, never that the step was saved before
    it was finished (it was not)."""
    dossier_id = at_evidence_step(app, user)
    step = f"/requests/{dossier_id}/steps/clinical-evidence"
    assert sent(logged_in, step, {**SUMMARIES, "action": "continue"}).status_code == 303
    page = logged_in.get(step).text
    remove = re.search(r'<button [^>]*form="step-form"[^>]*formaction="([^"]+/delete)"', page)
    data = {**SUMMARIES, "document-kind": "", "document-file": (io.BytesIO(b""), "")}
    removed = logged_in.post(remove.group(1), data=data, content_type="multipart/form-data")
    assert removed.status_code == 303 and removed.location.endswith("#documents")
    after = " ".join(logged_in.get(removed.location).text.split())
    assert "“cer.pdf” has been removed." in after
    assert "Upload the clinical evaluation report (PDF) before continuing." in after
    assert "You saved this step before finishing it" not in after
    assert stored(app, dossier_id) == (SUMMARIES, [])


def test_a_clinical_evaluation_added_as_another_type_is_explained(app, logged_in, user):
    """ "Other document" chosen for the clinical evaluation report: the step is not left
    without it, and the message says how to put it right, not only that it is missing."""
    dossier_id = at_evidence_step(app, user)
    step = f"/requests/{dossier_id}/steps/clinical-evidence"
    added = sent(logged_in, step, {**SUMMARIES, "action": "continue"}, **{"document-kind": "other"})
    assert added.status_code == 422  # the file attached, the step not finished
    page = " ".join(html.unescape(added.text).split())
    assert "Upload the clinical evaluation report (PDF) before continuing." in page
    assert (
        "If it is among the documents listed, it was added as another type: remove it, then "
        "add it again choosing “Clinical evaluation report”." in page
    )
    assert stored(app, dossier_id)[1] == ["cer.pdf"]
