"""Uploads are never trusted: what is not a plain PDF is refused with a message, names are
neutralised, and files are served back only as attachments with the PDF type."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PdfFileWriter
from sqlalchemy import func, select

from tests.conftest import dossier_with
from wizard.demo import minimal_pdf
from wizard.extensions import db
from wizard.models import Document

WINDOWS_EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
HTML_PAGE = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
WITH_JAVASCRIPT = minimal_pdf().replace(
    b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
)
WITH_ATTACHMENT = minimal_pdf().replace(
    b"/Type /Catalog", b"/Type /Catalog /Names << /EmbeddedFiles << /Names [] >> >>"
)
WITH_LAUNCH = minimal_pdf().replace(
    b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /Launch /F (cmd.exe) >>"
)


def script_in_an_object_stream() -> bytes:
    """JavaScript compressed inside an object stream: its name never appears as bytes."""
    writer = PdfFileWriter(stream_xrefs=True)
    action = generic.DictionaryObject(
        {
            generic.NameObject("/S"): generic.NameObject("/JavaScript"),
            generic.NameObject("/JS"): generic.TextStringObject("app.alert(1)"),
        }
    )
    reference = writer.add_object(action, obj_stream=writer.prepare_object_stream())
    writer.root[generic.NameObject("/OpenAction")] = reference
    out = io.BytesIO()
    writer.write(out)
    assert b"/JavaScript" not in out.getvalue()
    return out.getvalue()


def upload(client, dossier_id, content, name):
    return client.post(
        f"/requests/{dossier_id}/documents",
        data={"document-kind": "clinical_evaluation", "document-file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def documents(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Document))


@pytest.mark.parametrize(
    "content, name, message",
    [
        (WINDOWS_EXECUTABLE, "report.pdf", "must be a PDF"),
        (HTML_PAGE, "report.pdf", "must be a PDF"),
        (HTML_PAGE, "report.html", "must be a PDF"),
        (WITH_JAVASCRIPT, "report.pdf", "contains scripts or attached files"),
        (WITH_ATTACHMENT, "report.pdf", "contains scripts or attached files"),
        (WITH_LAUNCH, "report.pdf", "contains scripts or attached files"),
        (script_in_an_object_stream(), "report.pdf", "contains scripts or attached files"),
        (b"", "report.pdf", "is empty"),
        (b"%PDF-1.4\n" + b"0" * (300 * 1024) + b"\n%%EOF\n", "big.pdf", "must be smaller than"),
    ],
    ids=[
        "renamed-exe",
        "html-as-pdf",
        "html",
        "javascript",
        "attachment",
        "launch",
        "compressed-javascript",
        "empty",
        "oversized",
    ],
)
def test_anything_but_a_plain_pdf_is_refused(app, logged_in, user, content, name, message):
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
    response = upload(logged_in, dossier_id, content, name)
    assert response.status_code == 422
    assert message in response.text
    assert documents(app) == 0


@pytest.mark.parametrize(
    "name, stored",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("rap\x00port.pdf", "rapport.pdf"),
        ("C:/Users/x/CER final.PDF", "CER_final.pdf"),
        ("....pdf", "document.pdf"),
    ],
)
def test_path_like_names_are_neutralised(app, logged_in, user, name, stored):
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
    assert upload(logged_in, dossier_id, minimal_pdf(), name).status_code == 303
    with app.app_context():
        document = db.session.scalar(select(Document))
        assert document.filename == stored
        document_id = document.id
    served = logged_in.get(f"/requests/{dossier_id}/documents/{document_id}")
    assert served.headers["Content-Type"] == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
