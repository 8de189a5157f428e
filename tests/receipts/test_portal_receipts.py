"""The receipt of a real submission: produced once, downloadable by its filer only, and
verifiable by anyone (CLI and /verify), which spots a single altered byte."""

from __future__ import annotations

import hashlib
import html
import io
import json
import threading
import zlib
from contextlib import contextmanager

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.conftest import dossier_with, login, make_user
from wizard.demo import minimal_pdf, pdf_of_objects, sample_answers
from wizard.domain.canonical import canonical_json
from wizard.extensions import db
from wizard.models import Dossier, Receipt
from wizard.receipts import service, verify
from wizard.receipts.document import build_receipt_pdf
from wizard.receipts.keys import ensure_dev_signing_identity, load_signer


@pytest.fixture
def submitted(app, user, logged_in):
    """A global request submitted through the declaration page, as a filer does it."""
    from tests.conftest import sign_and_submit

    with app.app_context():
        dossier_id = dossier_with(user[0], "global")
    response = sign_and_submit(logged_in, dossier_id)
    assert response.status_code == 303
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        return dossier_id, dossier.reference


def receipt_bytes(app, dossier_id) -> bytes:
    with app.app_context():
        return db.session.scalar(select(Receipt).where(Receipt.dossier_id == dossier_id)).pdf


def test_submission_produces_one_receipt_stating_what_was_filed(app, submitted):
    dossier_id, reference = submitted
    pdf = receipt_bytes(app, dossier_id)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert reference in text and "VentriAssist Mini" in text
    # The manufacturer the request names, and the organisation that filed it for it.
    assert "Manufacturer" in text and "Cardiotech Médical SAS" in text
    assert "Filed by" in text and "Cardiotech\n" in text
    assert "Patient (initiales" not in text  # a global request is for no one patient
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        for item in (
            dossier.submitted_answers["documents"] + dossier.submitted_answers["hcp_letters"]
        ):
            assert item["sha256"] in text
        assert dossier.answers_sha256 in text
        attached = PdfReader(io.BytesIO(pdf)).attachments["answers.json"][0]
        assert hashlib.sha256(attached).hexdigest() == dossier.answers_sha256
        assert json.loads(attached)["answers"]["device"]["trade_name"] == "VentriAssist Mini"
        assert db.session.scalar(select(func.count()).select_from(Receipt)) == 1


def test_the_filer_downloads_the_receipt_from_confirmation_and_dashboard(app, logged_in, submitted):
    dossier_id, reference = submitted
    confirmation = logged_in.get(f"/requests/{dossier_id}/steps/confirmation").text
    dashboard = logged_in.get("/dashboard").text
    url = f"/requests/{dossier_id}/receipt.pdf"
    assert url in confirmation and url in dashboard
    assert "We have emailed it to claire@cardiotech.example" in confirmation
    # What comes after a decision is said too: reports, and asking the authorisation's end.
    assert "CE certification stands" in confirmation
    assert "you can ask ANSM in a report to end it" in confirmation
    response = logged_in.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"receipt-{reference}.pdf" in response.headers["Content-Disposition"]
    assert response.data == receipt_bytes(app, dossier_id)


def test_another_organisation_cannot_download_the_receipt(app, submitted):
    with app.app_context():
        make_user("eve@rival.example", "Rival")
    client = app.test_client()
    login(client, "eve@rival.example")
    assert client.get(f"/requests/{submitted[0]}/receipt.pdf").status_code == 404


def test_export_and_verify_commands(app, submitted, tmp_path):
    dossier_id, reference = submitted
    runner = app.test_cli_runner()
    target = tmp_path / "receipt.pdf"
    exported = runner.invoke(args=["receipts", "export", reference, str(target)])
    assert exported.exit_code == 0, exported.output
    assert target.read_bytes() == receipt_bytes(app, dossier_id)
    # It embeds every answer: readable by its owner alone, even written over a file.
    assert target.stat().st_mode & 0o777 == 0o600
    target.chmod(0o644)
    assert runner.invoke(args=["receipts", "export", reference, str(target)]).exit_code == 0
    assert target.stat().st_mode & 0o777 == 0o600

    verified = runner.invoke(args=["receipts", "verify", str(target)])
    assert verified.exit_code == 0, verified.output
    assert "intact" in verified.output and reference in verified.output
    assert "matches the stored request" in verified.output and "VALID" in verified.output
    assert "Status:                 Submitted\n" in verified.output  # as the pages name it

    altered = tmp_path / "altered.pdf"
    altered.write_bytes(flip_a_signed_byte(target.read_bytes()))
    refused = runner.invoke(args=["receipts", "verify", str(altered)])
    assert refused.exit_code == 1
    assert "ALTERED" in refused.output and "NOT VALID" in refused.output
    # What an altered file says is not compared (it may say anything), and the portal's own
    # certificate is not blamed: the file no longer matches its signature.
    assert "matches the stored" not in refused.output and "NOT FOUND" not in refused.output
    assert "Answers hash:           not compared (the file was changed after it was signed)" in (
        refused.output
    )
    assert "not one the portal trusts" not in refused.output
    assert "(not confirmed: the file no longer matches its signature)" in refused.output

    # A download cut short says so, and nothing else it could not check, wherever it was cut.
    whole = target.read_bytes()
    for kept in (len(whole) - 3000, len(whole) // 2, 10_000, 1_000):
        cut = tmp_path / "cut.pdf"
        cut.write_bytes(whole[:kept])
        incomplete = runner.invoke(args=["receipts", "verify", str(cut)])
        assert incomplete.exit_code == 1
        assert "INCOMPLETE (its end is missing)" in incomplete.output, kept
        assert "MISSING" not in incomplete.output and "ALTERED" not in incomplete.output
        assert incomplete.output.rstrip().endswith("NOT VALID")

    # A PDF never signed is said unsigned, not altered after a signing it never had.
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(minimal_pdf("A letter"))
    unsigned = runner.invoke(args=["receipts", "verify", str(plain)])
    assert unsigned.exit_code == 1
    assert "Signature:              MISSING\n" in unsigned.output
    assert "Integrity:              -\n" in unsigned.output and "ALTERED" not in unsigned.output


def flip_a_signed_byte(pdf: bytes) -> bytes:
    """Change one character of the visible text, inside the range the signature covers."""
    position = pdf.index(b"/Producer")  # in the signed revision, well before the signature
    changed = bytearray(pdf)
    changed[position + 2] ^= 0x01
    return bytes(changed)


def verify_page(client, pdf: bytes) -> str:
    """The public /verify page's answer to `pdf`, uploaded as anyone does."""
    return client.post(
        "/verify", data={"receipt": (io.BytesIO(pdf), "r.pdf")}, content_type="multipart/form-data"
    ).text


@contextmanager
def renewed_seal(app, folder):
    """The portal sealing with a new key and certificate, trusting only it from now on: the
    old certificate expired, or was replaced."""
    kept = app.extensions.get("receipt_identity")
    signer = load_signer(*ensure_dev_signing_identity(folder / "renewed"))
    app.extensions["receipt_identity"] = service.SigningIdentity(signer, [signer.signing_cert])
    try:
        yield
    finally:
        app.extensions["receipt_identity"] = kept


def test_a_receipt_outlives_the_certificate_of_its_seal(app, submitted, tmp_path):
    """The receipts the portal issued still check as genuine once it seals with a new
    certificate: its seal's no longer chains to one it trusts, but the portal keeps the very
    file. A copy changed by one byte is still altered; another file of the old key, refused."""
    dossier_id, reference = submitted
    pdf = receipt_bytes(app, dossier_id)
    (tmp_path / "receipt.pdf").write_bytes(pdf)
    with renewed_seal(app, tmp_path):
        page = verify_page(app.test_client(), pdf)
        verified = app.test_cli_runner().invoke(
            args=["receipts", "verify", str(tmp_path / "receipt.pdf")]
        )
        altered = verify_page(app.test_client(), flip_a_signed_byte(pdf))
    said = " ".join(html.unescape(page).split())
    assert "Genuine receipt" in said and reference in said and "Submitted" in said
    assert (
        "issued by this portal: this very file is the one it keeps, though the certificate" in said
    )
    assert "Match the request held by the portal" in said
    assert verified.exit_code == 0, verified.output
    assert "issued by this portal" in verified.output and "VALID" in verified.output
    assert "Altered" in altered and "Genuine receipt" not in altered


def test_a_receipt_cut_short_is_said_incomplete_not_foreign(app, submitted):
    """An unfinished download is no stranger's file: the page says to fetch it again."""
    pdf = receipt_bytes(app, submitted[0])
    page = verify_page(app.test_client(), pdf[:-200])
    said = " ".join(html.unescape(page).split())
    assert "This file is incomplete" in said and "Download the receipt or decision again" in said
    assert "this is not a signed receipt or decision of this portal" not in said
    assert "No signature found" not in said and "carries no signature" not in said
    assert "Genuine" not in said


def test_line_ends_a_transfer_appends_leave_a_receipt_genuine(app, submitted, tmp_path):
    """A mail client or an FTP transfer may end the file with line ends after its signed
    bytes: they change nothing a reader shows, and the receipt is still genuine (and still the
    very file the portal keeps). Anything else appended is an alteration."""
    dossier_id, reference = submitted
    pdf = receipt_bytes(app, dossier_id)
    for tail in (b"\r\n", b"\n\n  \x00"):
        said = " ".join(html.unescape(verify_page(app.test_client(), pdf + tail)).split())
        assert "Genuine receipt" in said and reference in said, tail
        assert "Match the request held by the portal" in said
    (tmp_path / "receipt.pdf").write_bytes(pdf + b"\r\n")
    with renewed_seal(app, tmp_path):
        kept = " ".join(html.unescape(verify_page(app.test_client(), pdf + b"\r\n")).split())
    assert "this very file is the one it keeps" in kept
    verified = app.test_cli_runner().invoke(
        args=["receipts", "verify", str(tmp_path / "receipt.pdf")]
    )
    assert verified.exit_code == 0 and "VALID" in verified.output, verified.output
    for tail in (b"\r\n%%EOF\r\n", b"\nx", b"\n1 0 obj\n"):
        said = " ".join(html.unescape(verify_page(app.test_client(), pdf + tail)).split())
        assert "Genuine receipt" not in said, tail
    # A byte range of a length no file has is no offset: read as any stranger's file.
    crafted = b"%PDF-1.7\n/ByteRange [0 1 " + b"9" * 5000 + b" 1]\n%%EOF\n  "
    answer = app.test_client().post(
        "/verify",
        data={"receipt": (io.BytesIO(crafted), "r.pdf")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 200 and "cannot be confirmed" in answer.text


def test_the_public_verify_page_gives_the_verdict_and_only_the_status(app, submitted):
    dossier_id, reference = submitted
    client = app.test_client()  # anyone, signed in or not
    pdf = receipt_bytes(app, dossier_id)
    page = client.post(
        "/verify", data={"receipt": (io.BytesIO(pdf), "r.pdf")}, content_type="multipart/form-data"
    ).text
    assert "Genuine receipt" in page and reference in page and "Submitted" in page
    assert "VentriAssist" not in page and "Cardiotech" not in page  # nothing else revealed

    altered = client.post(
        "/verify",
        data={"receipt": (io.BytesIO(flip_a_signed_byte(pdf)), "r.pdf")},
        content_type="multipart/form-data",
    ).text
    assert "Altered" in altered and "Genuine receipt" not in altered
    # What an altered file holds is not compared: "match" beside "Altered" would reassure.
    assert "Not compared: the file was changed after it was signed" in altered
    assert "Match the request" not in altered

    garbage = client.post(
        "/verify",
        data={"receipt": (io.BytesIO(b"%PDF-1.7 hello"), "r.pdf")},
        content_type="multipart/form-data",
    )
    assert garbage.status_code == 200 and "cannot be confirmed" in garbage.text
    assert "Nobody: this is not a signed receipt or decision of this portal" in garbage.text
    assert "Not compared: the file carries no signature" in garbage.text
    # A zip or a picture named .pdf is no receipt: said beside the field, as any wrong file.
    not_a_pdf = client.post(
        "/verify",
        data={"receipt": (io.BytesIO(b"PK\x03\x04" + bytes(200)), "receipt.pdf")},
        content_type="multipart/form-data",
    )
    assert not_a_pdf.status_code == 422
    said = "This file is not a PDF: choose the receipt or decision PDF from the portal."
    assert f'id="receipt-error"><span class="visually-hidden">Error:</span> {said}</p>' in (
        not_a_pdf.text
    )
    assert f'<a href="#receipt">{said}</a>' in not_a_pdf.text
    empty = client.post("/verify", data={}, content_type="multipart/form-data")
    assert empty.status_code == 422 and "Choose the receipt PDF" in empty.text
    # Larger than a receipt ever is (2 MB): said beside the field, whatever the size sent
    # (above the request's own cap too, which the server refuses unread), or kept back by
    # the page, which knows the limit and says it.
    page = client.get("/verify").text
    assert "A receipt or decision weighs less than 2\u00a0MB." in page
    assert f'data-max-bytes="{2 * 1024 * 1024}"' in page
    said = "A receipt is smaller than 2 MB: this file is not one of our receipts."
    for size, status in ((2 * 1024 * 1024 + 10, 422), (5 * 1024 * 1024, 413)):
        large = client.post(
            "/verify",
            data={"receipt": (io.BytesIO(b"%PDF-1.7\n" + bytes(size)), "r.pdf")},
            content_type="multipart/form-data",
        )
        assert large.status_code == status, size
        assert f'<a href="#receipt">{said}</a>' in large.text
        assert "Each PDF can be at most" not in large.text
    kept_back = client.post(
        "/verify", data={"receipt-too-big": "scan.pdf"}, content_type="multipart/form-data"
    )
    assert kept_back.status_code == 422 and f'<a href="#receipt">{said}</a>' in kept_back.text


def many_entries(count: int) -> bytes:
    """A PDF of a few hundred kilobytes whose form-field and attachment lists hold `count`
    entries each, none of them what it should be: seconds of work for a PDF reader."""
    listed = b"[" + b"() 0 " * count + b"]"
    catalog = b"/Names << /EmbeddedFiles << /Names %s >> >> /AcroForm << /Fields [%s] >>" % (
        listed,
        b"0 " * count,
    )
    return pdf_of_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>",
        ],
        version="1.7",
    )


def inflating_attachment(megabytes: int) -> bytes:
    """A PDF of a fraction of that size whose attached answers.json inflates to it."""
    packed = zlib.compress(bytes(megabytes * 1024 * 1024), 9)
    return pdf_of_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R"
            b" /Names << /EmbeddedFiles << /Names [(answers.json) 4 0 R] >> >> >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>",
            b"<< /Type /Filespec /F (answers.json) /UF (answers.json) /EF << /F 5 0 R >> >>",
            b"<< /Type /EmbeddedFile /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed)
            + packed
            + b"\nendstream",
        ],
        version="1.7",
    )


@pytest.mark.parametrize(
    ("limits", "content"),
    [
        ({"RECEIPT_CHECK_CPU_SECONDS": 1}, lambda: many_entries(150_000)),
        ({"RECEIPT_CHECK_MEMORY_MB": 40}, lambda: inflating_attachment(200)),
    ],
    ids=["cpu-time", "memory"],
)
def test_a_file_built_to_hold_the_verify_page_is_not_checked(
    app, submitted, limits, content, monkeypatch
):
    """Anyone may send a file to /verify: it is read in a child process with a CPU and a
    memory limit (`wizard.confined`), so that one built to cost seconds of CPU or hundreds of
    megabytes gets a verdict once the limit is reached, and the server goes on checking."""
    for key, value in limits.items():
        monkeypatch.setitem(app.config, key, value)  # the app is shared by the session
    client = app.test_client()
    sent = content()
    assert len(sent) < 2 * 1024 * 1024  # under the page's own cap: read, not cut off
    page = client.post(
        "/verify", data={"receipt": (io.BytesIO(sent), "r.pdf")}, content_type="multipart/form-data"
    )
    assert page.status_code == 200 and "cannot be confirmed" in page.text
    with app.test_request_context():
        verdict = service.check_receipt(sent).verdict
    assert verdict.problems == (
        "The PDF is too complex to be one of the portal's: it was not checked.",
    )
    # The same limits let a genuine receipt through.
    genuine = client.post(
        "/verify",
        data={"receipt": (io.BytesIO(receipt_bytes(app, submitted[0])), "r.pdf")},
        content_type="multipart/form-data",
    )
    assert "Genuine receipt" in genuine.text


def test_what_the_checking_process_answers_is_read_as_data_only():
    """The child that read a stranger's file answers in JSON, each value checked for its
    type: an answer of any other shape is an unreadable file, never a verdict."""
    good = {
        "signed": True,
        "intact": True,
        "trusted": True,
        "signer": "Portal seal",
        "signed_at": "2026-12-03T10:00:00+00:00",
        "reference": "DA-2026-000001",
        "problems": [],
        "embedded_name": "answers.json",
        "embedded": True,
    }
    verdict = verify._from_wire(json.dumps(good).encode(), b"{}")
    assert verdict.genuine and verdict.embedded_json == b"{}"
    assert verdict.embedded_json_sha256 == hashlib.sha256(b"{}").hexdigest()
    for wrong in ({"signed": "yes"}, {"problems": "none"}, {"signer": ["x"]}, {"trusted": 1}):
        with pytest.raises(ValueError):
            verify._from_wire(json.dumps({**good, **wrong}).encode(), b"")
    odd = verify._from_wire(
        json.dumps({**good, "reference": "DROP TABLE", "embedded_name": "x.exe"}).encode(), b""
    )
    assert odd.reference is None and odd.embedded_name is None


def forged_pdf(reference: str, attachment: tuple[str, bytes] | None = None) -> bytes:
    """A stranger's own unsigned PDF naming a request, as anyone can write one."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": reference, "/Subject": reference})
    if attachment:
        writer.add_attachment(*attachment)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_receipt_sealed_with_another_key_is_not_compared_with_the_request(
    app, submitted, tmp_path
):
    """Someone's own key over the real answers: intact, but not the portal's seal, so what it
    holds is neither vouched for nor compared (which would tell whether it is the stored one)."""
    dossier_id, _reference = submitted
    with app.test_request_context():
        dossier = db.session.get(Dossier, dossier_id)
        forged = build_receipt_pdf(
            service.receipt_fields(dossier),
            answers_json=canonical_json(dossier.submitted_answers),
            signer=load_signer(*ensure_dev_signing_identity(tmp_path)),
            env=app.jinja_env,
        )
    page = app.test_client().post(
        "/verify",
        data={"receipt": (io.BytesIO(forged), "r.pdf")},
        content_type="multipart/form-data",
    )
    said = " ".join(page.text.split())
    assert page.status_code == 200 and "This receipt cannot be confirmed" in said
    assert "Unchanged since signing" in said and "not a signature this portal trusts" in said
    assert "Not compared: the signature is not the portal's" in html.unescape(said)
    assert "Match the request" not in said and "Do not match" not in said
    assert "Current status" not in said


def test_a_file_merely_naming_a_request_learns_nothing_of_it(app, submitted):
    """References are sequential: a forged file must not tell whether a request exists, nor its
    status."""
    _dossier_id, reference = submitted
    page = verify_page(app.test_client(), forged_pdf(reference))
    assert "This file cannot be confirmed" in page and "No signature found" in page
    assert "the file carries no signature to check it against" in page
    assert "Changed after signing" not in page
    assert "Current status" not in page and "Submitted" not in page
    assert "Not compared: the file carries no signature" in page


def test_racing_producers_store_a_single_receipt(app, user):
    with app.app_context():
        dossier_id = dossier_with(user[0], "global", submit=True)
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def produce():
        try:
            with app.app_context():
                dossier = db.session.get(Dossier, dossier_id)
                barrier.wait()
                service.ensure_receipt(dossier)
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=produce) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if db_dialect(app) == "postgresql":
        assert not errors
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Receipt)) == 1


def db_dialect(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


def test_an_individual_receipt_names_its_patient_as_the_filing_does(app, user, logged_in):
    """Pseudonymised, as filed: two patients' receipts for one device tell them apart; a
    global request's receipt names no patient."""
    from tests.conftest import sign_and_submit

    with app.app_context():
        dossier_id = dossier_with(user[0], "individual")
    assert sign_and_submit(logged_in, dossier_id).status_code == 303
    pdf = receipt_bytes(app, dossier_id)
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    patient = sample_answers("individual")["patient"]
    assert (
        "Patient (initiales, année de naissance) Patient (initials, year of birth) "
        f"{patient['patient_initials']}, {patient['patient_birth_year']}"
    ) in text
    assert f"Établissement Establishment {patient['establishment_name']}" in text


def test_a_global_receipt_states_the_indication_and_the_patients_expected(app, user, logged_in):
    """Two global requests for one device differ by what they ask, as two patients' do."""
    from tests.conftest import sign_and_submit
    from wizard.filing import service as filing

    with app.app_context():
        dossier_id = dossier_with(user[0], "global")
        scope = {**sample_answers("global")["scope"], "estimated_patients": 12000}
        filing.save_step(db.session.get(Dossier, dossier_id), "scope", scope)
    assert sign_and_submit(logged_in, dossier_id).status_code == 303
    pdf = receipt_bytes(app, dossier_id)
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    indication = " ".join(scope["indication"].split())
    assert f"Indication Indication {indication}" in text
    # (grouped by a narrow no-break space in French, a space once the words are joined)
    assert "Nombre estimé de patients Estimated number of patients 12 000 12,000" in text
    assert "Patient (initiales" not in text


def test_a_device_with_no_udi_di_yet_is_said_to_have_none(app, user, logged_in):
    """A device never placed on the market may have no UDI-DI: the receipt says none was
    assigned, rather than leaving its line blank."""
    from tests.conftest import sign_and_submit
    from wizard.filing import service as filing

    with app.app_context():
        dossier_id = dossier_with(user[0], "global")
        device = {**sample_answers("global")["device"], "no_udi_di": True}
        del device["udi_di"]
        filing.save_step(db.session.get(Dossier, dossier_id), "device", device)
    assert sign_and_submit(logged_in, dossier_id).status_code == 303
    pdf = receipt_bytes(app, dossier_id)
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "IUD-ID UDI-DI non attribué not assigned" in text


def test_the_portals_own_receipt_is_accepted_as_a_document_but_not_once_changed(
    app, user, logged_in, submitted, tmp_path
):
    """A receipt (or decision) carries its signed record attached, which an upload otherwise
    may not: the portal's own, unchanged, is accepted (the previous request's, attached to
    a new one); changed after signing, or signed by another key, it is refused, and told
    that printing it loses its signature."""
    pdf = receipt_bytes(app, submitted[0])
    with app.app_context():
        draft = dossier_with(user[0], "global")

    def upload(content: bytes):
        return logged_in.post(
            f"/requests/{draft}/documents",
            data={
                "document-kind": "other",
                "document-file": (io.BytesIO(content), "previous-receipt.pdf"),
            },
            content_type="multipart/form-data",
        )

    assert upload(pdf).status_code == 303
    with app.app_context():
        assert [d.filename for d in db.session.get(Dossier, draft).documents][-1] == (
            "previous-receipt.pdf"
        )
    changed = upload(pdf + b"\n% a line added after signing\n%%EOF\n")
    assert changed.status_code == 422
    said = " ".join(html.unescape(changed.text).split())
    assert "It is signed: printed to a new PDF" in said
    assert "keep the signed one in case ANSM asks for it" in said

    key, cert = ensure_dev_signing_identity(tmp_path)  # another key than the portal's
    with app.test_request_context():
        dossier = db.session.get(Dossier, submitted[0])
        foreign = build_receipt_pdf(
            service.receipt_fields(dossier),
            answers_json=canonical_json(dossier.submitted_answers),
            signer=load_signer(key, cert),
            env=app.jinja_env,
        )
    refused = upload(foreign)
    assert refused.status_code == 422
    assert "It is signed" in html.unescape(refused.text)


def receipt_text(app, dossier_id) -> str:
    pdf = receipt_bytes(app, dossier_id)
    return " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_the_receipt_names_the_service_handling_the_request_and_what_it_does_not_imply(
    app, submitted
):
    """An acknowledgement of receipt names the service and how to reach it (CRPA R. 112-5);
    it says nothing of the agency's silence until that is set."""
    text = receipt_text(app, submitted[0])
    assert (
        "Service chargé de la demande Service handling the request ANSM, direction des "
        "dispositifs médicaux, des cosmétiques et des dispositifs de diagnostic in vitro"
    ) in text
    assert "143-147 boulevard Anatole France, 93285 Saint-Denis Cedex" in text
    assert "+33 1 55 87 30 00" in text
    assert "ne préjuge ni de la complétude ni de la recevabilité de la demande" in text
    assert "does not imply that the request is complete or admissible" in text
    assert "réputée" not in text and "deemed" not in text


@pytest.mark.parametrize(
    ("means", "french", "english"),
    [
        ("refusal", "la demande est réputée rejetée", "the request is deemed refused"),
        ("acceptance", "la demande est réputée acceptée", "the request is deemed accepted"),
    ],
)
def test_the_receipt_says_what_the_agencys_silence_means_once_set(
    app, user, logged_in, monkeypatch, means, french, english
):
    from tests.conftest import sign_and_submit
    from wizard import clock
    from wizard.domain.report_schedule import add_months
    from wizard.i18n import in_french_and_english

    monkeypatch.setitem(app.config, "SILENCE", {"months": 2, "means": means})
    monkeypatch.setitem(app.config, "AGENCY_EMAIL", "derogations@ansm.example")
    with app.app_context():
        dossier_id = dossier_with(user[0], "global")
    assert sign_and_submit(logged_in, dossier_id).status_code == 303
    text = receipt_text(app, dossier_id)
    assert "Adresse électronique Email derogations@ansm.example" in text
    with app.app_context():
        # Two months from the day of the submission in Paris.
        submitted_on = clock.day_in_paris(db.session.get(Dossier, dossier_id).submitted_at)
    fr, en = in_french_and_english(add_months(submitted_on, 2).isoformat())
    assert f"soit le {fr} si elle l’était à la date du dépôt, {french}" in text
    assert f"that is on {en} if it was complete when filed, {english}" in text
    assert ("tribunal administratif de Montreuil" in text) == (means == "refusal")


def test_the_notified_bodys_letter_and_the_last_certificate_are_filed_under_their_own_kind(
    app, user, logged_in
):
    """What ANSM reads first of a device whose certificate lapsed or was withdrawn."""
    from tests.conftest import sign_and_submit, upload_document

    with app.app_context():
        dossier_id = dossier_with(user[0], "global")
    for name, kind in [
        ("certificate-2019.pdf", "certificate"),
        ("nb-withdrawal.pdf", "notified_body_letter"),
        ("patient-note.pdf", "patient_information"),
    ]:
        assert upload_document(logged_in, dossier_id, name, kind).status_code == 303
    page = logged_in.get(f"/requests/{dossier_id}/steps/clinical-evidence").text
    assert "Notified body&#39;s letter (agreement, suspension or withdrawal)" in page
    assert sign_and_submit(logged_in, dossier_id).status_code == 303
    text = receipt_text(app, dossier_id)
    assert "Copie du dernier certificat CE Copy of the last CE certificate certificate-2019" in text
    assert "Courrier de l’organisme notifié Notified body's letter nb-withdrawal" in text
    assert "Note d’information du patient Patient information note patient-note" in text
