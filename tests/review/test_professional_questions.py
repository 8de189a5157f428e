"""ANSM asks a healthcare professional who wrote a letter: they get a personal link by email
(a real SMTP server), answer through it without an account, and the link then stops working.
The manufacturer is told that ANSM asked, not what."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import datetime, time, timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import select

from tests.invites.support import body_of
from tests.review.support import act, document, dossier, questions, status_of
from wizard import clock
from wizard.demo import sample_answers
from wizard.extensions import db
from wizard.models import InformationRequest

LINK = re.compile(r"https?://[^/\s]+(/questions/([A-Za-z0-9_-]{43}))\b")


def ask_the_author(app, reviewer, dossier_id, **fields):
    with app.app_context():
        letter_id = dossier(dossier_id).hcp_letters[0].id
    data = {
        "addressee": f"letter-{letter_id}",
        "message": "How many of your patients would need the device this year?",
        **fields,
    }
    return act(reviewer, dossier_id, "request-information", **data)


def answer(client, link, message="Three children this year.", files=()):
    data = {"answer-message": message}
    data["answer-documents"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(link, data=data, content_type="multipart/form-data")


def test_a_professional_answers_through_a_fresh_link(app, inbox, reviewer, manufacturer, submitted):
    act(reviewer, submitted, "start-review")
    # The question leaves by email: the form says so before it is written.
    page = reviewer.get(f"/review/requests/{submitted}").text
    assert "Questions are sent by email: leave out any patient" in page
    # The manufacturer uploaded the letter: the portal has no address for its author.
    missing = ask_the_author(app, reviewer, submitted)
    assert missing.status_code == 422
    assert "Enter the email address of Dr Anne Leroy" in missing.text
    assert "How many of your patients" in missing.text  # what was typed is still there

    asked = ask_the_author(app, reviewer, submitted, hcp_email="anne.leroy@necker.example")
    assert asked.status_code == 303
    done = reviewer.get(asked.location).text
    assert "your question has been emailed to Dr Anne Leroy (anne.leroy@necker.example)" in done
    assert status_of(app, submitted) == "information_requested"

    [email] = inbox.to("anne.leroy@necker.example")
    assert "ANSM asks you a question" in email["Subject"]
    body = body_of(email)
    assert "How many of your patients" in body
    path, token = LINK.search(body).groups()
    with app.app_context():
        question = questions(submitted)[0]
        # Only the token's hash is stored.
        assert question.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert (
            db.session.scalar(
                select(InformationRequest).where(InformationRequest.token_hash == token)
            )
            is None
        )

    # The manufacturer is told that ANSM asked, not what.
    [told] = inbox.to("claire@cardiotech.example")[-1:]
    assert "Dr Anne Leroy" in body_of(told)
    assert "How many of your patients" not in body_of(told)
    page = manufacturer.get(f"/requests/{submitted}/submitted").text
    assert "ANSM asked Dr Anne Leroy" in page and "How many of your patients" not in page
    # Their list of requests says they have nothing to do, and which patient it is about.
    row = manufacturer.get("/dashboard").text.split("</tr>")[1]
    assert "Information requested" in row
    assert "ANSM awaits a healthcare professional's answer: nothing to do for you" in row
    assert f"Patient {sample_answers()['patient']['patient_initials']}" in row

    professional = app.test_client()  # no account
    form = professional.get(path)
    assert form.status_code == 200
    assert "How many of your patients" in form.text and "Answer ANSM" in form.text
    # Enter in a one-line answer sends the answer: the form's first button is its own
    # default one, before the header's language switch (also a button of this form).
    first = re.search(r"<button[^>]*>", form.text).group(0)
    assert 'form="answer-form"' in first and "name=" not in first
    # Which patient (the email never says): they may have written for several.
    patient = sample_answers("individual")["patient"]
    assert (
        f"Initials {patient['patient_initials']}, born in {patient['patient_birth_year']}"
        in form.text
    )
    assert f"Treated at {patient['establishment_name']}" in form.text
    assert patient["patient_initials"] not in body.split("http")[0].split()
    # The address carries the token, as for invitations: not cached, not referred.
    assert form.headers["Cache-Control"] == "no-store"
    assert form.headers["Referrer-Policy"] == "strict-origin"
    sent = answer(professional, path, files=[document("registry.pdf", "Registry")])
    assert sent.status_code == 303
    assert "your answer has been sent to ANSM" in professional.get(sent.location).text
    assert status_of(app, submitted) == "under_review"

    review_page = reviewer.get(f"/review/requests/{submitted}").text
    assert "Answer from Dr Anne Leroy" in review_page and "Three children" in review_page
    assert "registry.pdf" in review_page

    # Opened again by who answered, within the hour: their thank-you page; by another
    # browser: a link used.
    reopened = professional.get(path)
    assert reopened.status_code == 303 and reopened.location.endswith("/questions/answered")
    used = app.test_client().get(path)
    assert used.status_code == 410 and "already been used" in used.text
    # The same answer sent again from the same browser, once answered, was received.
    twice = answer(professional, path, files=[document("registry.pdf", "Registry")])
    assert twice.status_code == 303 and twice.location.endswith("/questions/answered")
    later = app.test_client().get(twice.location)  # another browser, or an hour later
    assert later.status_code == 200 and "This confirmation is no longer shown" in later.text
    assert "If you sent your answer, ANSM has it." in later.text
    assert "registry.pdf" not in later.text
    other = answer(app.test_client(), path, files=[document("registry.pdf", "Registry")])
    assert other.status_code == 410 and "already been used" in other.text
    # What a professional sent ANSM is not the manufacturer's to download.
    with app.app_context():
        item = questions(submitted)[0].replies[0].documents[0].id
    assert manufacturer.get(f"/requests/{submitted}/reply-documents/{item}").status_code == 404
    # Downloaded by ANSM under a name that says whose answer it came with.
    saved_as = reviewer.get(f"/review/requests/{submitted}/reply-documents/{item}")
    assert "-reply-Leroy-registry.pdf" in saved_as.headers["Content-Disposition"]
    assert "Three children" not in manufacturer.get(f"/requests/{submitted}/submitted").text


def test_a_question_on_a_global_request_names_its_patients_not_one(
    app, inbox, reviewer, submitted_global
):
    act(reviewer, submitted_global, "start-review")
    ask_the_author(app, reviewer, submitted_global, hcp_email="anne.leroy@necker.example")
    path = LINK.search(body_of(inbox.to("anne.leroy@necker.example")[0])).group(1)
    page = app.test_client().get(path).text
    assert "Answer ANSM" in page and "Initials" not in page and "<dt>Patient</dt>" not in page
    indication = sample_answers("global")["scope"]["indication"]
    assert f'<dt>Indication</dt><dd class="pre-line">{indication}</dd>' in page


def test_a_link_expires_at_the_end_of_the_day_the_answer_is_needed_by(
    app, inbox, reviewer, submitted, monkeypatch
):
    act(reviewer, submitted, "start-review")
    due = (clock.today() + timedelta(days=3)).isoformat()
    ask_the_author(app, reviewer, submitted, hcp_email="anne.leroy@necker.example", due_date=due)
    path = LINK.search(body_of(inbox.to("anne.leroy@necker.example")[0])).group(1)
    later = clock.now() + timedelta(days=5)
    monkeypatch.setattr(clock, "now", lambda: later)
    expired = app.test_client().get(path)
    assert expired.status_code == 410 and "This link has expired" in expired.text


def test_a_wrong_link_opens_nothing(app, submitted):
    response = app.test_client().get("/questions/" + "x" * 43)
    assert response.status_code == 404 and "This link does not work" in response.text


@pytest.mark.parametrize("due_in", [20, None])
def test_the_email_names_the_last_day_the_link_works(
    app, inbox, reviewer, submitted, monkeypatch, due_in
):
    """With an answer needed by a date, the link works until the end of that day; without
    one, for INVITE_TTL_DAYS. The email names that day, in French and in English."""
    act(reviewer, submitted, "start-review")
    days = due_in if due_in is not None else app.config["INVITE_TTL_DAYS"]
    last_day = clock.today() + timedelta(days=days)
    fields = {"due_date": last_day.isoformat()} if due_in is not None else {}
    ask_the_author(app, reviewer, submitted, hcp_email="anne.leroy@necker.example", **fields)
    body = body_of(inbox.to("anne.leroy@necker.example")[0])
    french = format_date(last_day, "long", locale="fr")
    english = format_date(last_day, "long", locale="en_GB")
    assert f"jusqu’au {french} inclus (heure de Paris)" in body
    assert f"until the end of {english} (French time)" in body
    # The page says it too, when it does not say the day the answer is needed by.
    path = LINK.search(body).group(1)
    page = " ".join(app.test_client().get(path).text.split())
    said = f"This link works until</dt><dd>the end of {english} (French time)"
    assert (said in page) == (due_in is None)

    # And the link does work until the last minute of that day in France, not after.
    midnight = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=clock.PARIS)
    monkeypatch.setattr(clock, "now", lambda: midnight - timedelta(minutes=1))
    assert app.test_client().get(path).status_code == 200
    monkeypatch.setattr(clock, "now", lambda: midnight)
    assert app.test_client().get(path).status_code == 410


def test_the_address_is_asked_for_only_when_a_professional_is_to_answer(app, reviewer, submitted):
    act(reviewer, submitted, "start-review")
    with app.app_context():
        letter_id = dossier(submitted).hcp_letters[0].id
    page = reviewer.get(f"/review/requests/{submitted}").text
    # The page shows it once a professional is chosen (app.js).
    block = re.search(r'<div class="field" id="field-request-information-hcp_email"[^>]*>', page)
    assert 'data-shown-when="request-information-addressee"' in block.group(0)
    assert f'data-shown-values="letter-{letter_id}"' in block.group(0)
    # How long a link works without a date asked for is said before the date is left empty.
    assert "or for 14 days if no date is given" in " ".join(page.split())
    # Typed, then the manufacturer chosen: the address that no longer applies is not checked.
    asked = act(reviewer, submitted, "request-information", hcp_email="not an address")
    assert asked.status_code == 303
    with app.app_context():
        [question] = questions(submitted)
        assert question.addressee == "manufacturer" and question.hcp_email is None


def test_a_professional_sending_one_file_under_two_names_is_told(
    app, inbox, reviewer, manufacturer, submitted
):
    act(reviewer, submitted, "start-review")
    ask_the_author(app, reviewer, submitted, hcp_email="anne.leroy@necker.example")
    path, _token = LINK.search(body_of(inbox.to("anne.leroy@necker.example")[0])).groups()
    files = [document("letter.pdf", "Same"), document("letter (1).pdf", "Same")]
    refused = answer(app.test_client(), path, files=files)
    assert refused.status_code == 422
    assert "“letter (1).pdf” is the same file as “letter.pdf”" in refused.text
    assert "Three children this year." in refused.text
    assert status_of(app, submitted) == "information_requested"


def test_a_reply_to_the_question_email_reaches_ansm(app, inbox, reviewer, manufacturer, submitted):
    """The professional has no account and the sender is no-reply: replying to the email
    reaches the reviewer who asked, or ANSM's mailbox for these requests once configured."""
    act(reviewer, submitted, "start-review")
    ask_the_author(app, reviewer, submitted, hcp_email="anne.leroy@necker.example")
    [email] = inbox.to("anne.leroy@necker.example")
    with app.app_context():
        asked_by = questions(submitted)[0].asked_by.email
    assert email["Reply-To"] == asked_by
    assert "reply to this email: your message reaches ANSM" in body_of(email)


def test_replies_go_to_ansm_s_mailbox_once_configured(
    app, inbox, reviewer, manufacturer, submitted, monkeypatch
):
    monkeypatch.setitem(app.config, "ANSM_REPLY_TO", "derogations@ansm.example")
    act(reviewer, submitted, "start-review")
    ask_the_author(app, reviewer, submitted, hcp_email="anne.leroy@necker.example")
    [email] = inbox.to("anne.leroy@necker.example")
    assert email["Reply-To"] == "derogations@ansm.example"


def test_a_professional_whose_letter_was_for_another_patient_is_named_so_and_not_shown_this_one(
    app, inbox, reviewer, submitted
):
    """A letter written for another patient (the request named someone else then): the
    reviewer choosing whom to ask sees it beside the name; asked anyway, the professional's
    page does not show this request's patient, whom they may never have treated."""
    with app.app_context():
        letter = dossier(submitted).hcp_letters[0]
        letter.written_for_patient = "ZZ 1950"
        db.session.commit()
    act(reviewer, submitted, "start-review")
    page = " ".join(reviewer.get(f"/review/requests/{submitted}").text.split())
    assert "who sent a letter (written for another patient, ZZ born in 1950)" in page
    asked = ask_the_author(app, reviewer, submitted, hcp_email="anne.leroy@necker.example")
    assert asked.status_code == 303
    [email] = inbox.to("anne.leroy@necker.example")
    path, _token = LINK.search(body_of(email)).groups()
    form = app.test_client().get(path)
    assert form.status_code == 200 and "How many of your patients" in form.text
    patient = sample_answers("individual")["patient"]
    assert f"Initials {patient['patient_initials']}" not in form.text
    assert patient["establishment_name"] not in form.text


def test_changing_language_on_the_answer_page_keeps_what_was_typed(app, inbox, reviewer, submitted):
    """The switch is a button of the answer's form (JavaScript off too): the page comes back
    in French with the answer typed, nothing sent, the link still working."""
    import html

    act(reviewer, submitted, "start-review")
    assert ask_the_author(app, reviewer, submitted, hcp_email="anne.leroy@necker.example")
    link = LINK.search(body_of(inbox.to("anne.leroy@necker.example")[-1])).group(1)
    professional = app.test_client()
    page = professional.get(link).text
    assert 'form="answer-form" name="switch_language" value="fr"' in page
    switched = professional.post(
        link,
        data={"answer-message": "Three children this year.", "switch_language": "fr"},
        content_type="multipart/form-data",
    )
    assert switched.status_code == 200
    said = html.unescape(switched.text)
    assert '<html lang="fr"' in said
    assert "est repris\u00a0; rien n’est encore envoyé." in said
    assert "Three children this year." in said
    with app.app_context():
        assert questions(submitted)[0].replies == []
    assert answer(professional, link).status_code == 303  # then sent, in French
