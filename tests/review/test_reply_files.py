"""An answer to ANSM carries several documents at once, as its hint says: the file input lets
the person choose several, and all of them arrive."""

from __future__ import annotations

import io
import re

from tests.conftest import statements_sent
from tests.review.support import DUE, act, document, questions, reply
from wizard.demo import pdf_of_objects


def test_several_files_are_chosen_and_sent_in_one_answer(app, reviewer, manufacturer, submitted):
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information", due_date=DUE)
    page = manufacturer.get(f"/requests/{submitted}/submitted").text
    file_input = re.search(r'<input class="file-input" type="file"[^>]*>', page).group(0)
    assert 'name="reply-documents"' in file_input and " multiple" in file_input
    assert "You can choose up to 10 files at once." in page
    with app.app_context():
        question_id = questions(submitted)[0].id
    files = [document("report-1.pdf", "One"), document("report-2.pdf", "Two")]
    assert reply(manufacturer, submitted, question_id, files=files).status_code == 303
    review_page = reviewer.get(f"/review/requests/{submitted}").text
    assert "report-1.pdf" in review_page and "report-2.pdf" in review_page


def test_a_file_kept_then_chosen_again_is_attached_once(app, reviewer, manufacturer, submitted):
    """A refused answer keeps its accepted PDF (ticked); choosing it again is not a second
    document."""
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information", due_date=DUE)
    with app.app_context():
        question_id = questions(submitted)[0].id
    report = document("report.pdf", "Vigilance")
    refused = reply(manufacturer, submitted, question_id, files=[report, ("notes.txt", b"x")])
    assert refused.status_code == 422
    kept = re.search(r'name="reply-keep" value="([0-9a-f]{64})"', refused.text).group(1)
    sent = reply(manufacturer, submitted, question_id, files=[report], keep=[kept])
    assert sent.status_code == 303
    review_page = reviewer.get(f"/review/requests/{submitted}").text
    assert review_page.count("report.pdf</a>") == 1


def test_a_kept_file_unticked_stays_unticked_when_the_answer_is_refused_again(
    app, reviewer, manufacturer, submitted
):
    """The wrong file, unticked: refused again for another reason, the page does not tick it
    back (it would go with the next send); a file kept on this try is ticked."""
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information", due_date=DUE)
    with app.app_context():
        question_id = questions(submitted)[0].id
    wrong = document("other-patient.pdf", "Wrong patient")
    refused = reply(manufacturer, submitted, question_id, "", files=[wrong])
    assert refused.status_code == 422
    kept = re.search(r'name="reply-keep" value="([0-9a-f]{64})"', refused.text).group(1)
    assert f'name="reply-keep" value="{kept}" checked>' in refused.text

    right = document("registry.pdf", "Registry")
    again = manufacturer.post(
        f"/requests/{submitted}/questions/{question_id}/reply",
        data={
            "reply-message": "",
            "reply-keep-offered": [kept],  # offered, left unticked
            "reply-documents": [(io.BytesIO(right[1]), right[0])],
        },
        content_type="multipart/form-data",
    )
    assert again.status_code == 422
    assert f'name="reply-keep" value="{kept}">' in again.text  # not ticked
    ticked = re.findall(r'name="reply-keep" value="([0-9a-f]{64})" checked>', again.text)
    assert len(ticked) == 1 and ticked != [kept]  # the registry, kept on this try

    # Unticked, then chosen again on a try refused again: ticked, it is meant.
    chosen_again = manufacturer.post(
        f"/requests/{submitted}/questions/{question_id}/reply",
        data={
            "reply-message": "",
            "reply-keep-offered": [kept, *ticked],
            "reply-keep": ticked,
            "reply-documents": [(io.BytesIO(wrong[1]), wrong[0])],
        },
        content_type="multipart/form-data",
    )
    assert f'name="reply-keep" value="{kept}" checked>' in chosen_again.text

    sent = reply(manufacturer, submitted, question_id, "The registry.", keep=ticked)
    assert sent.status_code == 303
    review_page = reviewer.get(f"/review/requests/{submitted}").text
    assert "registry.pdf</a>" in review_page and "other-patient.pdf" not in review_page


def test_the_same_file_under_two_names_is_refused_next_to_the_documents(
    app, reviewer, manufacturer, submitted
):
    """Two names, one content: probably not the document meant. Said next to the documents
    and in the error summary, with the answer and the files kept; sent again, it goes once."""
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information", due_date=DUE)
    with app.app_context():
        question_id = questions(submitted)[0].id
    report, copy = document("report-v1.pdf", "Same"), document("report-v2.pdf", "Same")
    # Said also when the answer is refused for something else (the copy is kept once: the
    # next send would go without it, unsaid).
    empty = reply(manufacturer, submitted, question_id, "", files=[report, copy])
    said = "“report-v2.pdf” is the same file as “report-v1.pdf”: it would be sent once."
    assert empty.status_code == 422 and said in empty.text.replace("&#34;", '"')
    assert "Enter your answer" in empty.text
    refused = reply(manufacturer, submitted, question_id, "Both versions.", files=[report, copy])
    assert refused.status_code == 422
    said = "“report-v2.pdf” is the same file as “report-v1.pdf”: it would be sent once."
    page = refused.text.replace("&#34;", '"')
    assert page.count(said) == 2  # next to the field and in the error summary
    assert "Both versions." in page
    kept = re.findall(r'name="reply-keep" value="([0-9a-f]{64})"', page)
    assert len(kept) == 1

    # A kept file chosen again under another name is the same mistake.
    renamed = document("renamed.pdf", "Same")
    again = reply(manufacturer, submitted, question_id, files=[renamed], keep=kept)
    assert again.status_code == 422
    assert "“renamed.pdf” is the same file as “report-v1.pdf”" in again.text

    sent = reply(manufacturer, submitted, question_id, "Both versions.", keep=kept)
    assert sent.status_code == 303
    review_page = reviewer.get(f"/review/requests/{submitted}").text
    assert review_page.count("report-v1.pdf</a>") == 1 and "report-v2.pdf" not in review_page


def test_as_many_files_as_the_hint_allows_each_near_the_cap_arrive(
    app, reviewer, manufacturer, submitted
):
    """Ten PDFs each just under the per-file cap: the request is not cut off as too large
    (its cap is what the most files a form takes add up to), and every one arrives."""
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information", due_date=DUE)
    with app.app_context():
        question_id = questions(submitted)[0].id
    near_cap = app.config["MAX_UPLOAD_BYTES"] - 2048
    files = [(f"report-{n}.pdf", padded_pdf(n, near_cap)) for n in range(10)]
    weight = sum(len(content) for _name, content in files)
    assert weight > app.config["MAX_CONTENT_LENGTH"]  # more than any other form may send
    assert reply(manufacturer, submitted, question_id, files=files).status_code == 303
    review_page = reviewer.get(f"/review/requests/{submitted}").text
    assert all(f"report-{n}.pdf" in review_page for n in range(10))


def padded_pdf(number: int, size: int) -> bytes:
    """A valid PDF of about `size` bytes (a comment pads its page's content)."""
    pad = b"%" + b"x" * (size - 600) + b"\n"
    return pdf_of_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n%s%% report %d\nendstream" % (len(pad) + 12, pad, number),
        ]
    )


def test_other_forms_are_cut_off_far_sooner(app, client):
    """Only the answers to ANSM take ten files: a request as heavy anywhere else (the
    sign-in page, the public receipt check) is refused before it is read."""
    heavy = b"x" * (max(app.config["MAX_CONTENT_LENGTH"], 5 * 1024 * 1024) + 1)
    for address in ("/login", "/verify"):
        response = client.post(
            address,
            data={"file": (io.BytesIO(heavy), "big.pdf")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 413


def test_a_file_the_page_kept_back_for_its_size_refuses_the_answer(
    app, reviewer, manufacturer, submitted
):
    """With JavaScript a file too large is kept back when chosen (the others go), and named
    with the form: the answer is refused for it, rather than sent without the document."""
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information", due_date=DUE)
    with app.app_context():
        question_id = questions(submitted)[0].id
    refused = manufacturer.post(
        f"/requests/{submitted}/questions/{question_id}/reply",
        data={
            "reply-message": "Here it is.",
            "reply-documents": [(io.BytesIO(document("report.pdf")[1]), "report.pdf")],
            "reply-documents-too-big": "full-scan.pdf",
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    page = " ".join(refused.text.split())
    assert "full-scan.pdf: The selected file must be smaller than" in page
    assert "Here it is." in page  # what was typed
    kept = re.search(r'name="reply-keep" value="([0-9a-f]{64})"', refused.text)
    assert kept is not None  # the file within the limit, kept for the next try
    review_page = reviewer.get(f"/review/requests/{submitted}").text
    assert "report.pdf" not in review_page


def test_more_files_than_an_answer_takes_are_refused_saying_none_was_kept(
    app, reviewer, manufacturer, submitted
):
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information", due_date=DUE)
    with app.app_context():
        question_id = questions(submitted)[0].id
    files = [document(f"part-{n}.pdf", f"Part {n}") for n in range(11)]
    refused = reply(manufacturer, submitted, question_id, "All parts.", files=files)
    assert refused.status_code == 422
    said = " ".join(refused.text.split())
    assert "You chose 11 files: at most 10 can be sent at once, so none of these was kept." in said
    assert "All parts." in refused.text  # what was typed stays
    assert 'name="reply-keep"' not in refused.text


def test_the_request_page_asks_the_database_as_much_for_four_answers_as_for_one(
    app, reviewer, manufacturer, submitted
):
    """Each question's answers and their documents come with the questions, not one query
    per answer (a request questioned a dozen times is read as fast as one questioned once)."""

    def answered_once_more():
        act(reviewer, submitted, "request-information", due_date=DUE)
        with app.app_context():
            question_id = questions(submitted)[-1].id
        files = [document("report-1.pdf", "One"), document("report-2.pdf", "Two")]
        assert reply(manufacturer, submitted, question_id, files=files).status_code == 303

    def statements_of(client, address: str) -> int:
        with statements_sent(app) as sent:
            assert client.get(address).status_code == 200
        return len(sent)

    act(reviewer, submitted, "start-review")
    answered_once_more()
    pages = [
        (reviewer, f"/review/requests/{submitted}"),
        (manufacturer, f"/requests/{submitted}/submitted"),
    ]
    once = [statements_of(client, address) for client, address in pages]
    for _ in range(3):
        answered_once_more()
    assert [statements_of(client, address) for client, address in pages] == once
