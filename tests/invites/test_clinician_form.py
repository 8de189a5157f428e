"""The clinician's form refuses bad answers with a specific message next to the field and in the
error summary, keeps what was typed, and stores no letter until everything is right."""

from __future__ import annotations

import hashlib
import re
import time
from datetime import timedelta

import pytest
from markupsafe import escape

from tests.flow.test_csrf import csrf_app  # noqa: F401
from tests.invites.support import (
    INVITE,
    LETTER,
    SIGNED_LETTER,
    invitations_of,
    invite,
    letters_of,
    link_in,
)
from tests.invites.support import send_letter as send
from wizard import clock, uploads
from wizard.demo import minimal_pdf
from wizard.i18n import long_date_in

RPPS_CHECK = (
    "This RPPS number is not valid (its check digit does not match): "
    "check it on your professional card (CPS) or in the RPPS directory."
)
FINESS_CHECK = (
    "This FINESS number is not valid (its check key does not match): "
    "check it in the FINESS directory."
)
NOT_PDF = (
    "The selected file is not a PDF document. Save or export it as PDF first, then choose that "
    "file."
)
CONTROL = "Remove the invisible control characters from this answer (they were pasted in)."
TOO_BIG = b"%PDF-1.4\n" + b"0" * (200 * 1024) + b"\n%%EOF\n"


@pytest.fixture
def link(app, manufacturer, clinician, inbox):
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    found = link_in(inbox.to(INVITE["invite-email"])[0])
    assert clinician.get(found).status_code == 200
    return found


def assert_error_shown(html: str, field_id: str, message: str):
    """Next to the field (described by it, marked invalid) and linked from the summary."""
    text = str(escape(message))
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    # A message that does not name its field is listed after the field's label (a question's
    # mark parts them without a colon).
    assert summary and re.search(
        rf'<a href="#{field_id}">(?:[^<]*(?::|\?) )?{re.escape(text)}</a>', summary.group(0)
    ), html[:3000]
    assert re.search(
        rf'<p class="error-message" id="{field_id}-error"[^>]*>.*?{re.escape(text)}</p>', html
    )
    control = re.search(rf'<(?:input|textarea)[^>]*\bid="{field_id}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in control
    assert f"{field_id}-error" in re.search(r'aria-describedby="([^"]*)"', control).group(1)
    assert "<title>Error: " in html


def assert_nothing_stored(app, manufacturer):
    _client, dossier_id = manufacturer
    with app.app_context():
        (invitation,) = invitations_of(dossier_id)
        assert invitation.state == "opened" and invitation.letter_id is None
        assert invitation.dossier.hcp_letters == []


REFUSALS = [
    pytest.param({"author_rpps": "10000000008"}, "author_rpps", RPPS_CHECK, id="rpps-check-digit"),
    pytest.param({"author_rpps": "1234"}, "author_rpps", "An RPPS number has 11 digits.",
                 id="rpps-too-short"),
    pytest.param({"author_rpps": "1000000000A"}, "author_rpps",
                 "An RPPS number is made of 11 digits only: remove any letter or sign.",
                 id="rpps-letter"),
    pytest.param({"establishment_finess": "750712185"}, "establishment_finess", FINESS_CHECK,
                 id="finess-check-key"),
    pytest.param({"author_name": ""}, "author_name", "Enter your full name.", id="no-name"),
    # Word's line break, pasted: the manufacturer's news of the letter could not be sent.
    pytest.param({"author_name": "Anne\u2028Leroy"}, "author_name", CONTROL,
                 id="line-separator-in-name"),
    pytest.param({"author_name": "<script>alert(1)</script>"}, "author_name",
                 "Remove the HTML tags from this answer (such as “<script>”): write it as plain "
                 "text.", id="markup-in-name"),
    pytest.param({"letter_date": (clock.today() - timedelta(days=400)).isoformat()},
                 "letter_date", "Your letter's date cannot be more than a year ago: the urgency "
                 "it states must be current. Write and sign a new letter.", id="letter-too-old"),
    pytest.param({"urgency_statement": "x" * 2001}, "urgency_statement",
                 "Use 2,000 characters or fewer (you have 2,001).", id="statement-too-long"),
    pytest.param({"is_author": None}, "is_author",
                 "Confirm that you are the author of this letter.", id="not-the-author"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "field_id", "message"), REFUSALS)
def test_a_wrong_answer_is_explained_and_the_rest_kept(
    app, manufacturer, clinician, link, changes, field_id, message
):
    response = send(clinician, link, **changes)
    assert response.status_code == 422
    assert_error_shown(response.text, field_id, message)
    for name, value in LETTER.items():
        if name not in changes and name != "is_author":
            assert str(escape(value)) in response.text, name
    assert_nothing_stored(app, manufacturer)


FILE_REFUSALS = [
    pytest.param((b"MZ\x90\x00 an executable", "letter.pdf"), f"letter.pdf: {NOT_PDF}",
                 id="not-a-pdf"),
    pytest.param((b"", "letter.pdf"),
                 "letter.pdf: The selected file is empty. Choose the PDF again.",
                 id="empty-file"),
    pytest.param((TOO_BIG, "letter.pdf"), "letter.pdf: The selected file must be smaller than",
                 id="oversized-file"),
    pytest.param(None, "Choose a PDF file to upload.", id="no-file"),
]  # fmt: skip


@pytest.mark.parametrize(("file", "message"), FILE_REFUSALS)
def test_a_file_that_is_not_an_acceptable_pdf_is_refused(
    app, manufacturer, clinician, link, file, message
):
    response = send(clinician, link, file=file)
    assert response.status_code == 422
    shown = re.search(
        r'<p class="error-message" id="file-error">.*?</span> (.*?)</p>', response.text
    )
    assert shown and shown.group(1).startswith(str(escape(message)))
    assert_error_shown(response.text, "file", shown.group(1).replace("&#39;", "'"))
    assert "We have kept the letter" not in response.text
    assert_nothing_stored(app, manufacturer)
    if file and file[0]:
        with app.app_context():
            assert not uploads.path_of(hashlib.sha256(file[0]).hexdigest()).exists()


def test_an_empty_finess_is_fine_since_it_is_optional(app, manufacturer, clinician, link):
    assert send(clinician, link, establishment_finess="").status_code == 303
    with app.app_context():
        (letter,) = invitations_of(manufacturer[1])[0].dossier.hcp_letters
        assert letter.establishment_finess is None


def test_the_letter_chosen_before_a_refusal_is_kept_for_the_next_try(
    app, manufacturer, clinician, link
):
    refused = send(clinician, link, author_rpps="10000000008")
    assert refused.status_code == 422
    assert "We have kept the letter you chose: letter-leroy.pdf." in refused.text
    field = re.search(r'<input[^>]*id="file"[^>]*>', refused.text).group(0)
    assert 'aria-describedby="file-kept' in field and 'id="file-kept"' in refused.text
    assert_nothing_stored(app, manufacturer)
    accepted = send(clinician, link, file=None)
    assert accepted.status_code == 303
    with app.app_context():
        (letter,) = invitations_of(manufacturer[1])[0].dossier.hcp_letters
        assert letter.sha256 == hashlib.sha256(SIGNED_LETTER).hexdigest()
        assert letter.filename == "letter-leroy.pdf"


def test_a_new_file_replaces_the_kept_one(app, manufacturer, clinician, link):
    send(clinician, link, author_rpps="10000000008")
    other = minimal_pdf("Corrected letter")
    assert send(clinician, link, file=(other, "corrected.pdf")).status_code == 303
    with app.app_context():
        (letter,) = invitations_of(manufacturer[1])[0].dossier.hcp_letters
        assert (letter.filename, letter.sha256) == (
            "corrected.pdf",
            hashlib.sha256(other).hexdigest(),
        )


def check(clinician, link, name, value):
    return clinician.post(
        f"{link}/check",
        data={**LETTER, name: value},
        headers={"HX-Request": "true", "HX-Trigger-Name": name},
    )


def test_live_validation_answers_with_the_field_and_the_same_message(clinician, link):
    fragment = check(clinician, link, "author_rpps", "10000000008")
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.lstrip().startswith(
        '<div class="field field--error" id="field-author_rpps">'
    )
    assert str(escape(RPPS_CHECK)) in fragment.text
    assert f'hx-post="{link}/check"' in fragment.text
    fixed = check(clinician, link, "author_rpps", LETTER["author_rpps"])
    assert "error-message" not in fixed.text and "aria-invalid" not in fixed.text
    for name in ("file", "is_author", "csrf_token", "unknown"):
        assert check(clinician, link, name, "x").status_code == 204


def test_live_validation_needs_a_valid_link(clinician):
    assert check(clinician, "/invitations/" + "A" * 43, "author_rpps", "1").status_code == 404


def test_the_clinician_page_is_wired_for_assistive_technology(clinician, link):
    page = clinician.get(link).text
    for field_id in ("author_name", "author_rpps", "specialty", "establishment",
                     "establishment_finess", "urgency_statement", "file", "is_author"):  # fmt: skip
        assert re.search(rf'<label class="[^"]*" for="{field_id}">', page), field_id
    rpps = re.search(r'<input[^>]*id="author_rpps"[^>]*>', page).group(0)
    assert 'aria-describedby="author_rpps-hint"' in rpps and 'aria-required="true"' in rpps
    assert 'enctype="multipart/form-data"' in page and "novalidate" in page
    assert 'type="checkbox"' in re.search(r'<input[^>]*id="is_author"[^>]*>', page).group(0)
    upload = re.search(r'<input[^>]*id="file"[^>]*>', page).group(0)
    assert 'type="file"' in upload and 'class="file-input"' in upload


def test_a_letter_sent_from_a_page_left_open_too_long_shows_what_was_typed(
    app,
    manufacturer,
    inbox,
    csrf_app,  # noqa: F811
):
    """The clinician's session ended while they wrote (no account: not "signed out"): the
    page says the form expired, and shows their statement to copy."""
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    path = link_in(inbox.to(INVITE["invite-email"])[0])
    browser = csrf_app.test_client()
    page = browser.get(path, headers={"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"})
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    about = re.search(r'name="about" value="([a-z]+)"', page.text).group(1)
    browser.delete_cookie("session")  # hours later
    refused = send(browser, path, csrf_token=token, about=about)
    assert refused.status_code == 400
    assert "Your form expired" in refused.text and "You were signed out" not in refused.text
    rows = dict(
        re.findall(r'summary-list__key">([^<]+)</dt>\s*<dd[^>]*>([^<]+)</dd>', refused.text)
    )
    # The question as the page asked it, for this one patient.
    assert rows["Why is it urgent for this patient?"] == str(escape(LETTER["urgency_statement"]))
    assert rows["Your full name"] == LETTER["author_name"]
    assert "Files you chose were not kept." in refused.text


def test_a_letter_written_over_hours_is_still_taken(
    app,
    manufacturer,
    inbox,
    monkeypatch,
    csrf_app,  # noqa: F811
):
    """No account, nothing to sign out of: the page left open five hours (a signed-in
    session would have ended) still sends its letter; a day later, it expired."""
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    path = link_in(inbox.to(INVITE["invite-email"])[0])
    opened = {}
    for name in ("today", "tomorrow"):  # the page opened in two browsers
        browser = csrf_app.test_client()
        page = browser.get(path, headers={"Sec-Fetch-Mode": "navigate"})
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
        opened[name] = (browser, token)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 25 * 3600)
    browser, token = opened["tomorrow"]
    assert send(browser, path, csrf_token=token).status_code == 400  # a day on
    monkeypatch.setattr(time, "time", lambda: real() + 5 * 3600)
    browser, token = opened["today"]
    assert send(browser, path, csrf_token=token).status_code == 303


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Why is it urgent for this patient? Use 2,000 characters or fewer"),
        ("fr", "Pourquoi est-ce urgent pour ce patient\u00a0? Utilisez 2\u202f000"),
    ],
)
def test_an_error_summary_names_a_question_without_a_colon_after_its_mark(
    clinician, link, language, expected
):
    clinician.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    response = send(clinician, link, urgency_statement="x" * 5001)
    assert response.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', response.text, re.S)[0]
    assert expected in summary
    assert "?:" not in summary and "? :" not in summary.replace("\u00a0", " ")


def test_the_letters_date_example_is_one_the_form_takes(clinician, link):
    """A letter is dated within the last year: its example is a month ago (a fixed example
    would age past what the form takes), on the clinician's page and the manufacturer's."""
    page = clinician.get(link).text
    month_ago = long_date_in(clock.today() - timedelta(days=30), "en_GB")
    assert f"Within the last 12 months, for example {month_ago}." in page
    assert "For example 14 March 2024." not in page


def test_a_letter_too_heavy_to_be_read_leads_back_to_the_link(app, manufacturer, clinician, inbox):
    """Above what any letter's form may weigh, the form is not read: the page says the file
    is too large and leads back to the link (no account: not to the manufacturers' portal)."""
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    link = link_in(inbox[-1])
    heavy = b"%PDF-1.4\n" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    refused = send(clinician, link, file=(heavy, "scan.pdf"))
    assert refused.status_code == 413
    assert "The file is too large" in refused.text
    assert f'href="{link}">Open the form again</a>' in refused.text
    assert "Go to the start page" not in refused.text and 'href="/login"' not in refused.text


def test_the_very_file_another_professional_sent_is_refused_as_their_own_letter(
    app, manufacturer, clinician, inbox, link
):
    """Two professionals sending one PDF would be two letters supporting the request with
    one document: the second is told, beside the file, and no letter is taken."""
    client, dossier_id = manufacturer
    assert send(clinician, link).status_code == 303  # Dr Leroy’s letter, taken
    invite(
        client,
        dossier_id,
        **{"invite-clinician_name": "Pr Paul Martin"},
        **{"invite-email": "paul.martin@necker.example"},
    )
    second = app.test_client()
    other_link = link_in(inbox.to("paul.martin@necker.example")[-1])
    refused = send(second, other_link, author_name="Pr Paul Martin", file=(SIGNED_LETTER, "l.pdf"))
    assert refused.status_code == 422
    said = " ".join(refused.text.split())
    assert (
        "This very file is attached to the request already, by the manufacturer or by another "
        "healthcare professional: nothing more is needed from you, unless you meant to send "
        "another letter, your own, signed."
    ) in said
    assert 'value="Pr Paul Martin"' in refused.text  # what was typed is kept
    assert "We have kept" not in said  # the file is not offered again
    with app.app_context():
        assert len(letters_of(dossier_id)) == 1
        [still_open] = [i for i in invitations_of(dossier_id) if i.letter_id is None]
        assert still_open.state != "letter_received"
    # Their own letter is taken.
    taken = send(
        second, other_link, author_name="Pr Paul Martin", file=(minimal_pdf("Martin"), "martin.pdf")
    )
    assert taken.status_code == 303


def test_the_very_file_sent_with_another_answer_missing_is_said_at_once(
    app, manufacturer, clinician, inbox, link
):
    """The same file, its author's name left out: said attached already now, not kept with
    "send it again once the rest is put right"."""
    client, dossier_id = manufacturer
    assert send(clinician, link).status_code == 303
    invite(
        client,
        dossier_id,
        **{"invite-clinician_name": "Pr Paul Martin", "invite-email": "paul.martin@x.example"},
    )
    second = app.test_client()
    other_link = link_in(inbox.to("paul.martin@x.example")[-1])
    refused = send(second, other_link, author_name="", file=(SIGNED_LETTER, "l.pdf"))
    assert refused.status_code == 422
    said = " ".join(refused.text.split())
    assert "This very file is attached to the request already" in said
    assert "Enter your full name." in said  # and what else is wrong
    assert "We have kept" not in said
