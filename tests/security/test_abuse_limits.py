"""What a stranger could repeat at the portal's expense has a budget: accounts created per
client address, and receipts checked on the public /verify page per client address. Only real
attempts count: a form refused for a typing mistake does not."""

from __future__ import annotations

import io

from wtforms import TextAreaField

from tests.auth.test_accounts import REGISTRATION
from tests.conftest import dossier_with
from wizard import create_app
from wizard.config import TEXT_FORM_BYTES, request_cap
from wizard.demo import minimal_pdf
from wizard.flow.steps import FLOW


def register(client, number: int, address="198.51.100.4", **changes):
    data = {**REGISTRATION, "email": f"person{number}@cardiotech.example", **changes}
    return client.post("/register", data=data, environ_base={"REMOTE_ADDR": address})


def test_accounts_created_from_one_address_are_limited(limited_app):
    app = create_app({**limited_app.config, "REGISTER_RATE_LIMIT": "3 per hour"})
    client = app.test_client()
    assert register(client, 0, password="short").status_code == 422  # not counted
    for number in range(2):
        assert register(app.test_client(), number).status_code == 303
    # An address already used is a real attempt too (the same page): it counts.
    assert register(client, 0).status_code == 303
    refused = register(client, 7)
    assert refused.status_code == 429 and "Too many accounts created" in refused.text
    assert register(client, 8, address="192.0.2.50").status_code == 303


def test_registrations_with_one_email_address_are_limited(limited_app):
    """Each registration emails the address typed: from however many connections, that
    address gets a few emails an hour, not a flood."""
    app = create_app({**limited_app.config, "REGISTER_RATE_LIMIT_ACCOUNT": "2 per hour"})
    for number in range(2):
        assert register(app.test_client(), 0, address=f"198.51.100.{number}").status_code == 303
    refused = register(
        app.test_client(), 0, address="198.51.100.9", email="PERSON0@cardiotech.example"
    )
    assert refused.status_code == 429 and "Too many accounts created" in refused.text
    assert "or with this email address" in refused.text
    assert register(app.test_client(), 1, address="198.51.100.9").status_code == 303


def check(client, content: bytes, address="198.51.100.4"):
    return client.post(
        "/verify",
        data={"receipt": (io.BytesIO(content), "receipt.pdf")},
        content_type="multipart/form-data",
        environ_base={"REMOTE_ADDR": address},
    )


def test_receipt_checks_from_one_address_are_limited(limited_app):
    app = create_app({**limited_app.config, "VERIFY_RATE_LIMIT": "3 per minute"})
    client = app.test_client()
    empty = client.post("/verify", data={}, environ_base={"REMOTE_ADDR": "198.51.100.4"})
    assert empty.status_code == 422  # nothing checked, not counted
    pdf = minimal_pdf("Not a receipt")
    for _ in range(3):
        assert check(client, pdf).status_code == 200
    refused = check(client, pdf)
    assert refused.status_code == 429 and "Too many files checked" in refused.text
    assert check(client, pdf, address="192.0.2.50").status_code == 200


def test_a_file_far_larger_than_any_receipt_is_not_parsed(client):
    big = minimal_pdf("Padding") + b"%" + b"x" * (2 * 1024 * 1024)
    refused = check(client, big)
    assert refused.status_code == 422
    assert "A receipt is smaller than 2 MB" in refused.text


def test_passwords_tried_on_one_confirmation_link_are_limited(limited_app):
    """Whoever holds a confirmation link (the owner of a mistyped address) cannot keep
    guessing the registrant's password, from however many connections."""
    import re

    from wizard import mail

    register(limited_app.test_client(), 0)
    with limited_app.app_context():
        [sent] = [m for m in mail.outbox_messages() if "person0@" in m.message["To"]]
        link = re.search(r"https?://\S+(/register/confirm/\S+)", sent.message.get_content())[1]
    # Another spelling of the same link (base64's last character carries spare bits): the
    # same account, the same budget.
    from wizard.auth import confirm

    with limited_app.test_request_context():
        spellings = [link] + [
            variant
            for variant in (
                link[:-1] + c
                for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            )
            if variant != link and confirm.user_for(variant.rsplit("/", 1)[1]) is not None
        ]
    assert len(spellings) > 1
    responses = [
        limited_app.test_client().post(
            spellings[n % 2],
            data={"password": f"guess {n}"},
            environ_base={"REMOTE_ADDR": f"203.0.113.{n}"},
        )
        for n in range(6)
    ]
    assert [response.status_code for response in responses] == [422] * 5 + [429]
    # Said as the page's own wait: signing in, for 15 minutes, by this link again.
    paused = " ".join(responses[-1].text.split())
    assert "Too many sign-in attempts" in paused
    assert "Wait 15 minutes, then open the link from your email again" in paused


def test_current_passwords_tried_by_a_session_are_limited(limited_app):
    """A stolen session cannot guess the password to change it."""
    from tests.auth.test_account import change_password
    from tests.conftest import login, make_user

    with limited_app.app_context():
        make_user("claire@cardiotech.example")
    client = limited_app.test_client()
    assert login(client, "claire@cardiotech.example").status_code == 303
    responses = [change_password(client, current=f"guess number {n}") for n in range(6)]
    assert [response.status_code for response in responses] == [422] * 5 + [429]
    paused = " ".join(responses[-1].text.split())
    assert "Too many wrong passwords" in paused and "Your password has not changed." in paused
    assert "link from your email" not in paused  # no link was involved
    assert '<a href="/dashboard">Back to your requests</a>' in paused
    # Whoever forgot it is shown the way to a new one.
    assert 'href="/password/forgot">Choose a new password' in paused


def test_a_form_without_a_file_too_heavy_to_be_read_is_cut_off_unread(
    app, logged_in, user, monkeypatch
):
    """A form with no file is read only up to `TEXT_FORM_BYTES` (reading one costs about a
    second per 4 MB, before anyone is known): above it, the page says the text is too long."""
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
    heavy = {"legal_name": "x" * TEXT_FORM_BYTES}
    for client, address in (
        (app.test_client(), "/login"),
        (logged_in, "/steps/manufacturer/validate"),
        (logged_in, f"/requests/{dossier_id}/steps/manufacturer"),
    ):
        refused = client.post(address, data=heavy)
        assert refused.status_code == 413, address
        assert "What you sent is too long" in refused.text
        assert "The file is too large" not in refused.text
    # A file's form still weighs as much as its file.
    # (The app is shared by the session: its settings come back after the test.)
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 4 * TEXT_FORM_BYTES)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", request_cap(4 * TEXT_FORM_BYTES))
    document = {
        "document-kind": "clinical_evaluation",
        "document-file": (io.BytesIO(minimal_pdf() + b"%" * TEXT_FORM_BYTES), "cer.pdf"),
    }
    sent = logged_in.post(
        f"/requests/{dossier_id}/documents", data=document, content_type="multipart/form-data"
    )
    assert sent.status_code != 413


def test_a_file_too_large_to_be_read_leads_back_to_the_page_it_was_chosen_on(
    app, logged_in, user, monkeypatch
):
    """Above what a document's form may weigh, the form is not read: the page says the file
    is too large and leads back to the step it was chosen on (the form's own address, the
    documents', leads to that step too)."""
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", request_cap(TEXT_FORM_BYTES))
    step = f"/requests/{dossier_id}/steps/clinical-evidence"
    heavy = minimal_pdf() + b"%" * (4 * TEXT_FORM_BYTES)

    def sent_from(page: str) -> str:
        refused = logged_in.post(
            f"/requests/{dossier_id}/documents",
            data={"document-kind": "ifu", "document-file": (io.BytesIO(heavy), "ifu.pdf")},
            content_type="multipart/form-data",
            headers={"Referer": page},
        )
        assert refused.status_code == 413
        assert "The file is too large" in refused.text
        return refused.text

    again = '<a class="button" href="{}">Open the form again</a>'
    assert again.format(step) in sent_from(f"http://localhost{step}")
    # Sent from another site's page: not back to that site, but to the form's own address.
    assert again.format(f"/requests/{dossier_id}/documents") in sent_from(
        f"https://elsewhere.example{step}"
    )
    assert logged_in.get(f"/requests/{dossier_id}/documents").location.endswith(f"{step}#documents")


def test_the_heaviest_answers_a_step_asks_for_are_read(app, logged_in, user):
    """Every long answer of every step at its limit, in characters of three bytes (nine once
    URL-encoded): read, and refused only for what the answers say."""
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
    for step in FLOW.steps:
        if step.form is None:
            continue
        with app.test_request_context():
            form = step.form(meta={"csrf": False})
            answers = {f.name: "€" * 5000 for f in form if isinstance(f, TextAreaField)}
        response = logged_in.post(f"/requests/{dossier_id}/steps/{step.id}", data=answers)
        assert response.status_code != 413, step.id


def test_a_manufacturers_forms_refused_again_and_again_with_a_file_are_stopped(app, tmp_path):
    """A document or letter refused for another reason is kept for the next try, as on a
    professional's link: refused sends with a file are counted per account, on every form of
    the manufacturer's that takes files (one budget), and the page that stops them shows what
    was typed. Refused sends without a file, and accepted ones, are not counted, and sends
    without a file are never stopped."""
    from tests.conftest import login, make_user

    limited = create_app(
        {
            **app.config,
            "INSTANCE_PATH": str(tmp_path),
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "REFUSED_UPLOAD_RATE_LIMIT": "3 per hour",
        }
    )
    with limited.app_context():
        user_id = make_user("files@cardiotech.example").id
        dossier_id = dossier_with(user_id, steps=["before-you-start", "situation"], files=False)
    client = limited.test_client()
    assert login(client, "files@cardiotech.example").status_code == 303

    def document(kind: str, with_file=True, sender=None):
        data = {"document-kind": kind, "efficacy_summary": "Typed before the upload."}
        if with_file:
            # (another file than the one attached: that one is said attached, not kept)
            data["document-file"] = (io.BytesIO(minimal_pdf(f"Evaluation {kind}")), "cer.pdf")
        url = f"/requests/{dossier_id}/documents"
        return (sender or client).post(url, data=data, content_type="multipart/form-data")

    def letter(with_file=True):
        data = {"letter-author_name": ""}  # refused: the author is missing
        if with_file:
            data["letter-file"] = (io.BytesIO(minimal_pdf("Urgency")), "letter.pdf")
        url = f"/requests/{dossier_id}/letters"
        return client.post(url, data=data, content_type="multipart/form-data")

    def step(kind: str):  # "Save and continue" with a file chosen, the summaries unfinished
        data = {
            "document-kind": kind,
            "document-file": (io.BytesIO(minimal_pdf(f"Report {kind}")), f"{kind}.pdf"),
            "efficacy_summary": "Typed before the upload.",
            "action": "continue",
        }
        url = f"/requests/{dossier_id}/steps/clinical-evidence"
        return client.post(url, data=data, content_type="multipart/form-data")

    for _ in range(4):  # refused without a file: not counted
        assert document("", with_file=False).status_code == 422
    accepted = document("clinical_evaluation")  # attached, not kept: not counted
    assert accepted.status_code == 200 and "“cer.pdf” has been added." in accepted.text
    attached = step("test_report")  # the step refused, its file attached: not counted
    assert attached.status_code == 422 and "“test_report.pdf” has been added." in attached.text
    assert document("").status_code == 422  # refused for its type, the file kept: one
    assert letter().status_code == 422  # two, on another form
    assert step("").status_code == 422  # three, on the step itself
    stopped = document("")
    assert stopped.status_code == 429
    page = " ".join(stopped.text.split())
    assert "Your forms have been sent many times in the last hour with a file" in page
    assert "Typed before the upload." in page  # what was typed, to copy
    assert letter().status_code == 429  # one budget for every such form
    # Only sends with a file are stopped: the request's steps are still saved.
    assert document("", with_file=False).status_code == 422
    saved = client.post(
        f"/requests/{dossier_id}/steps/clinical-evidence",
        data={"efficacy_summary": "Typed before the upload.", "action": "save_exit"},
    )
    assert saved.status_code == 303
    # Another account of the same organisation has its own.
    with limited.app_context():
        from tests.conftest import make_colleague

        make_colleague(user_id, "marc@cardiotech.example")
    colleague = limited.test_client()
    assert login(colleague, "marc@cardiotech.example").status_code == 303
    assert document("", sender=colleague).status_code == 422
