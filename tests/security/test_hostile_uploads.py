"""Uploads are never trusted: what is not a plain PDF is refused with a message, names are
neutralised, and files are served back only as attachments with the PDF type."""

from __future__ import annotations

import html
import io
import logging
import re

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PdfFileWriter
from sqlalchemy import func, select
from werkzeug.http import parse_options_header

from tests.conftest import dossier_with
from wizard import confined
from wizard.demo import minimal_pdf, pdf_of_objects
from wizard.extensions import db
from wizard.models import Document
from wizard.pdf_check import Verdict, inspect
from wizard.uploads import _ACTIVE_CONTENT, _acts_by_its_bytes

WINDOWS_EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
HTML_PAGE = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
# Cut short (a download interrupted), its end marker added back: not parseable.
DAMAGED = minimal_pdf()[:300] + b"\n%%EOF\n"
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


def pdf_of(catalog: bytes = b"", page: bytes = b"", *more: bytes) -> bytes:
    """A well-formed one-page PDF (right offsets, so it parses) with extra entries in its
    catalog and page, and more objects from number 4 on."""
    return pdf_of_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] " + page + b" >>",
            *more,
        ],
        version="1.7",
    )


# Names may be written with #xx escapes (ISO 32000-1 7.3.5): readers decode them, so must we.
ESCAPED_SCRIPT = pdf_of(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>")
ESCAPED_LAUNCH = pdf_of(b"/OpenAction << /S /L#61unch /F (calc.exe) >>")
ESCAPED_ATTACHMENTS = pdf_of(b"/Names << /Embedded#46iles << /Names [] >> >>")
PAGE_OPEN_SCRIPT = pdf_of(page=b"/AA << /O << /S /J#61vaScript /J#53 (app.alert(1)) >> >>")
XFA_FORM = pdf_of(
    b"/AcroForm << /Fields [] /XFA 4 0 R >>", b"", b"<< /Length 0 >>\nstream\n\nendstream"
)
SUBMIT_FORM = pdf_of(b"/OpenAction << /S /SubmitForm /F << /FS /URL /F (https://x.example) >> >>")
# A web address opened by the file itself, a page-open action of any kind, a link that runs
# a script or opens a local file: none is a link a reader chooses to follow.
OPENS_A_WEB_PAGE = pdf_of(b"/OpenAction << /S /URI /URI (https://phishing.example) >>")
OPENS_A_WEB_PAGE_NEXT = pdf_of(
    b"/OpenAction << /S /GoTo /D [3 0 R /Fit] "
    b"/Next << /S /URI /URI (https://phishing.example) >> >>"
)
PAGE_OPEN_LINK = pdf_of(page=b"/AA << /O << /S /URI /URI (https://tracker.example) >> >>")
SCRIPT_LINK = pdf_of(
    b"",
    b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] "
    b"/A << /S /URI /URI (javascript:app.alert\\(1\\)) >> >>]",
)
LOCAL_FILE_LINK = pdf_of(
    b"",
    b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] "
    b"/A << /S /URI /URI <66696c653a2f2f2f6574632f706173737764> >> >>]",  # file:///etc/passwd
)
FILE_ANNOTATION = pdf_of(
    b"",
    b"/Annots [<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] /FS 4 0 R >>]",
    b"<< /Type /Filespec /F (x.exe) >>",
)

# A key given twice in one dictionary: pyHanko reads the first value, Poppler (and, it is
# thought, most readers) the last, where a script or an attached file would hide.
DUPLICATE_NAMES = pdf_of(
    b"/Names << /Dests 4 0 R >> "
    b"/Names << /J#61vaScript << /Names [(a) << /S /J#61vaScript /J#53 (app.alert(1)) >>] >> >>",
    b"",
    b"<< /Names [] >>",
)
DUPLICATE_SUBTYPE = pdf_of(
    b"",
    b"/Annots [<< /Type /Annot /Subtype /Link /Subtype /Fil#65Attachment /Rect [0 0 9 9] "
    b"/FS 4 0 R >>]",
    b"<< /Type /Filespec /F (x.exe) >>",
)
DUPLICATE_ACTION = pdf_of(b"/OpenAction << /S /GoTo /D [3 0 R /Fit] /S /L#61unch /F (calc.exe) >>")

# A 3D model whose script runs once it is shown (on page open, `/3DA /A /PO`); and one with
# no script, whose 3D engine is refused too (see `wizard.pdf_check`).
SCRIPTED_MODEL = b"<< /Type /3D /Subtype /U3D /OnInstantiate 5 0 R /Length 4 >>\nstream\nU3D\x00"
MODEL_SCRIPT = b"<< /Length 24 >>\nstream\nhost.alert('3D script');\nendstream"
THREE_D_SCRIPT = pdf_of(
    b"",
    b"/Annots [<< /Type /Annot /Subtype /3D /Rect [50 50 300 300] /3DD 4 0 R "
    b"/3DA << /A /PO /AIS /L >> >>]",
    SCRIPTED_MODEL + b"\nendstream",
    MODEL_SCRIPT,
)
THREE_D_MODEL = pdf_of(
    b"",
    b"/Annots [<< /Type /Annot /Subtype /3D /Rect [50 50 300 300] /3DD 4 0 R >>]",
    b"<< /Type /3D /Subtype /U3D /Length 4 >>\nstream\nU3D\x00\nendstream",
)


def model_in_an_object_stream() -> bytes:
    """A 3D annotation compressed inside an object stream: neither its key (`/3DD`) nor its
    subtype appears as bytes; the model's own stream does, as `/U3D` only."""
    writer = PdfFileWriter(stream_xrefs=True)
    model = writer.add_object(
        generic.StreamObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/3D"),
                generic.NameObject("/Subtype"): generic.NameObject("/U3D"),
            },
            stream_data=b"U3D\x00",
        )
    )
    annotation = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/3D"),
            generic.NameObject("/Rect"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (50, 50, 300, 300)]
            ),
            generic.NameObject("/3DD"): model,
        }
    )
    reference = writer.add_object(annotation, obj_stream=writer.prepare_object_stream())
    writer.root[generic.NameObject("/ModelAnnotation")] = reference
    out = io.BytesIO()
    writer.write(out)
    assert not _ACTIVE_CONTENT.search(out.getvalue())
    return out.getvalue()


# What the person reads of a file that acts rather than is read.
ACTING = "contains scripts, attached files, 3D models, videos or actions"


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
        (WINDOWS_EXECUTABLE, "report.pdf", "is not a PDF document"),
        (HTML_PAGE, "report.pdf", "is not a PDF document"),
        (HTML_PAGE, "report.html", "is not a PDF document"),
        (WITH_JAVASCRIPT, "report.pdf", ACTING),
        (WITH_ATTACHMENT, "report.pdf", ACTING),
        (WITH_LAUNCH, "report.pdf", ACTING),
        (script_in_an_object_stream(), "report.pdf", ACTING),
        (ESCAPED_SCRIPT, "report.pdf", ACTING),
        (ESCAPED_LAUNCH, "report.pdf", ACTING),
        (ESCAPED_ATTACHMENTS, "report.pdf", ACTING),
        (PAGE_OPEN_SCRIPT, "report.pdf", ACTING),
        (XFA_FORM, "report.pdf", ACTING),
        (SUBMIT_FORM, "report.pdf", ACTING),
        (FILE_ANNOTATION, "report.pdf", ACTING),
        (OPENS_A_WEB_PAGE, "report.pdf", ACTING),
        (OPENS_A_WEB_PAGE_NEXT, "report.pdf", ACTING),
        (PAGE_OPEN_LINK, "report.pdf", ACTING),
        (SCRIPT_LINK, "report.pdf", ACTING),
        (LOCAL_FILE_LINK, "report.pdf", ACTING),
        (THREE_D_SCRIPT, "report.pdf", ACTING),
        (THREE_D_MODEL, "report.pdf", ACTING),
        (model_in_an_object_stream(), "report.pdf", ACTING),
        (DAMAGED, "report.pdf", "This PDF cannot be read: it may be damaged or incomplete."),
        # (the byte scan, names decoded, finds the first and the last; the parsed file the
        # key given twice in the second)
        (DUPLICATE_NAMES, "report.pdf", ACTING),
        (DUPLICATE_SUBTYPE, "report.pdf", "This PDF cannot be read: it may be damaged"),
        (DUPLICATE_ACTION, "report.pdf", ACTING),
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
        "escaped-javascript",
        "escaped-launch",
        "escaped-attachments",
        "page-open-script",
        "xfa-form",
        "submit-form",
        "file-annotation",
        "opens-a-web-page",
        "opens-a-web-page-after-a-move",
        "page-open-link",
        "script-link",
        "local-file-link",
        "3d-model-with-script",
        "3d-model",
        "compressed-3d-model",
        "damaged",
        "script-behind-a-key-given-twice",
        "attachment-behind-a-key-given-twice",
        "launch-behind-a-key-given-twice",
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


def test_a_3d_model_is_found_by_the_byte_scan_as_by_the_parsed_file():
    """The byte scan looks for the names the parsed file refuses, but for the short ones
    (`/3DD`, `/JS`, which compressed data holds by chance): a 3D annotation (by its subtype),
    a model's script even where no annotation shows the model (`/OnInstantiate`), rich media;
    the parsed file finds them too, compressed or not."""
    model_alone = pdf_of(b"", b"", SCRIPTED_MODEL + b"\nendstream", MODEL_SCRIPT)
    subtype_alone = pdf_of(b"", b"/Annots [<< /Type /Annot /Subtype/3D /Rect [0 0 9 9] >>]")
    rich_media = pdf_of(
        b"",
        b"/Annots [<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] "
        b"/RichMediaContent << /Assets << /Names [] >> >> >>]",
    )
    for content in (THREE_D_SCRIPT, THREE_D_MODEL, model_alone, subtype_alone, rich_media):
        assert _ACTIVE_CONTENT.search(content)
        assert inspect(content) is Verdict.ACTIVE
    assert _ACTIVE_CONTENT.search(b"/S /RichMediaExecute")


def test_a_letter_whose_bytes_say_3d_by_chance_is_accepted(app, logged_in, user):
    """The bytes are not searched for "/3D" alone: it turns up by chance in compressed data,
    and in a link to a page about 3D printing, which a plain letter may hold."""
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
    content = pdf_of(
        b"",
        b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] "
        b"/A << /S /URI /URI (https://chu.example/impression/3D/valves) >> >>]",
    )
    assert re.search(rb"/3D\b", content)
    assert upload(logged_in, dossier_id, content, "letter.pdf").status_code == 303
    assert documents(app) == 1


def test_a_scan_whose_compressed_bytes_say_js_by_chance_is_accepted(app, logged_in, user):
    """ "/JS" (three bytes) turns up by chance in compressed data, about once in 20 MB: the
    byte scan does not refuse on it; a script's action says "/JavaScript", and the parsed
    check reads the key itself."""
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
    chance = b"x\x9c\x03/JS\x00\x8f" * 3  # as a compressed image's bytes may hold it
    content = pdf_of(
        b"", b"", b"<< /Length %d >>\nstream\n" % len(chance) + chance + b"\nendstream"
    )
    assert re.search(rb"/JS\b", content) and not _ACTIVE_CONTENT.search(content)
    assert upload(logged_in, dossier_id, content, "scan.pdf").status_code == 303
    assert documents(app) == 1
    # A script's key without its action's type is still found, by the parsed check.
    assert inspect(pdf_of(b"/OpenAction << /JS (app.alert(1)) >>")) is Verdict.ACTIVE


def test_escaped_names_are_read_as_readers_read_them():
    """The parsed file decodes them; so does the byte scan (for an object no table lists,
    which only a reader rebuilding the table would find), before it looks for the names."""
    for content in (ESCAPED_SCRIPT, ESCAPED_LAUNCH, ESCAPED_ATTACHMENTS, PAGE_OPEN_SCRIPT):
        assert not _ACTIVE_CONTENT.search(content)
        assert inspect(content) is Verdict.ACTIVE
        assert _acts_by_its_bytes(content)
    plain, script = pdf_of(), b"9 0 obj\n<< /S /J#61vaScript /J#53 (app.alert(1)) >>\nendobj\n"
    table = plain.rindex(b"\nxref\n") + 1  # the object goes before it, which moves it
    orphan = (
        plain[:table]
        + script
        + plain[table:].replace(b"startxref\n%d" % table, b"startxref\n%d" % (table + len(script)))
    )
    assert _acts_by_its_bytes(orphan)
    assert not _acts_by_its_bytes(pdf_of(b"/Title (100#25 #41#42)"))  # escapes, no action


def test_a_key_given_twice_is_not_vouched_for_whatever_the_logging_configuration():
    """pyHanko says a key was given twice only in a warning: heard even where the logging
    configuration drops warnings (and the words listened for are still pyHanko's)."""
    root, pyhanko = logging.getLogger(), logging.getLogger(generic.__name__)
    level, disabled = root.level, pyhanko.disabled
    root.setLevel(logging.ERROR)
    pyhanko.disabled = True  # as a configuration read after it was imported leaves it
    logging.disable(logging.WARNING)
    try:
        for content in (DUPLICATE_NAMES, DUPLICATE_SUBTYPE, DUPLICATE_ACTION):
            assert inspect(content) is Verdict.UNREADABLE
        assert pyhanko.disabled and logging.root.manager.disable == logging.WARNING  # as was
    finally:
        root.setLevel(level)
        pyhanko.disabled = disabled
        logging.disable(logging.NOTSET)
    assert inspect(pdf_of()) is Verdict.PLAIN  # the same file, each key once


def test_an_object_no_table_lists_is_not_vouched_for():
    """A reader rebuilding the table of a file it finds damaged takes in every object the
    bytes hold, one listed nowhere too (pyHanko, reading the table, never sees it): here a
    web page opened with the page, whose short names the byte scan does not look for."""
    plain = pdf_of()
    hidden = b"9 0 obj\n<< /AA << /O << /S /URI /URI (https://tracker.example) >> >> >>\nendobj\n"
    table = plain.rindex(b"\nxref\n") + 1
    orphan = (
        plain[:table]
        + hidden
        + plain[table:].replace(b"startxref\n%d" % table, b"startxref\n%d" % (table + len(hidden)))
    )
    assert not _acts_by_its_bytes(orphan)
    assert inspect(orphan) is Verdict.UNREADABLE
    assert inspect(plain) is Verdict.PLAIN


def test_links_and_moves_within_the_document_are_accepted(app, logged_in, user):
    """Letters and reports carry links to web pages and a table of contents: those stay."""
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
    content = pdf_of(
        b"/OpenAction [3 0 R /Fit] /Outlines << /Count 0 >>",
        b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] "
        b"/A << /S /URI /URI (https://ansm.sante.fr) >> >> "
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] "
        b"/A << /S /URI /URI (mailto:pharmacovigilance@ansm.sante.fr) >> >> "
        b"<< /Type /Annot /Subtype /Link /Rect [9 9 18 18] /A << /S /GoTo /D [3 0 R /Fit] >> >>]",
    )
    assert upload(logged_in, dossier_id, content, "letter.pdf").status_code == 303
    assert documents(app) == 1


def protected(*, user_password: str, more: bytes = b"") -> bytes:
    """A letter encrypted by its author: with an owner's password only (restricted, printing
    only say, but opened by every reader without a password), or one needed to open it."""
    from pyhanko.pdf_utils.crypt import StandardSecurityHandler
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    source = pdf_of(more) if more else minimal_pdf("Lettre du Dr Leroy")
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(source)))
    writer._assign_security_handler(
        StandardSecurityHandler.build_from_pw("owner-secret", user_password)
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_protected_pdf_every_reader_opens_is_read_as_they_read_it(app, logged_in, user):
    """Hospitals often send letters "secured" (printing only): opened without a password by
    every reader, the file is read, decrypted, as they read it: accepted if plain, refused if
    it holds a script. One that needs a password to open is refused saying so, not that it
    seems damaged."""
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
    restricted = protected(user_password="")
    assert b"/Encrypt" in restricted and inspect(restricted) is Verdict.PLAIN
    assert upload(logged_in, dossier_id, restricted, "lettre.pdf").status_code == 303
    assert documents(app) == 1
    with_script = protected(user_password="", more=b"/OpenAction << /S /JavaScript /JS (1) >>")
    refused = upload(logged_in, dossier_id, with_script, "lettre-2.pdf")
    assert refused.status_code == 422 and ACTING in refused.text
    locked = upload(logged_in, dossier_id, protected(user_password="s3cret"), "lettre-3.pdf")
    assert locked.status_code == 422
    said = html.unescape(locked.text)
    assert "This PDF needs a password to open, so the portal cannot check it" in said
    assert "damaged" not in said
    assert documents(app) == 1


def many_parts(count: int) -> bytes:
    """A PDF that is small to send and costly to read: thousands of tiny objects."""
    return pdf_of(b"", b"", *([b"[1 2]"] * count))


@pytest.mark.parametrize(
    "limits",
    [{"PDF_CHECK_CPU_SECONDS": 1}, {"PDF_CHECK_MEMORY_MB": 20}],
    ids=["cpu-time", "memory"],
)
def test_a_pdf_built_to_exhaust_the_server_is_refused(app, logged_in, user, limits, monkeypatch):
    """Its structure is read in a child process with a CPU and a memory limit: reaching one
    refuses the file, and the server goes on answering."""
    for key, value in {
        "MAX_UPLOAD_BYTES": 20 * 1024 * 1024,
        "MAX_CONTENT_LENGTH": 50 * 1024 * 1024,
        **limits,
    }.items():
        monkeypatch.setitem(app.config, key, value)  # the app is shared by the session
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
    response = upload(logged_in, dossier_id, many_parts(150_000), "report.pdf")
    assert response.status_code == 422
    assert "too complex for us to check" in response.text
    assert documents(app) == 0
    # The same limits let an ordinary file through.
    assert upload(logged_in, dossier_id, minimal_pdf(), "report.pdf").status_code == 303
    assert documents(app) == 1


@pytest.mark.parametrize(
    "name, stored",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("rap\x00port.pdf", "rapport.pdf"),
        ("C:/Users/x/CER final.PDF", "CER final.pdf"),
        ("....pdf", "document.pdf"),
        # A name in the filer's language stays theirs; what only a path, a hidden file, a
        # disguise or a saved file's name cannot hold goes.
        (
            "Rapport d’évaluation clinique (v2) – 100 %.pdf",
            "Rapport d’évaluation clinique (v2) – 100 %.pdf",
        ),
        ("e\u0301valuation.pdf", "évaluation.pdf"),
        ("invoice\u202efdp.exe", "invoice fdp.exe.pdf"),
        ("  .hidden\t\tname .pdf", "hidden name.pdf"),
        ("Report: final <v2>?.pdf", "Report final v2.pdf"),
        # At most 100 bytes before ".pdf", never half a character: the name's start and its
        # end, where names differ ("… partie 1 sur 2", "… partie 2 sur 2").
        ("报告" * 60 + ".pdf", "报告" * 10 + "…" + "报告" * 6 + ".pdf"),
        ("x" * 150 + ".pdf", "x" * 61 + "…" + "x" * 36 + ".pdf"),
        (
            "Rapport d'évaluation clinique du dispositif VentriAssist Mini selon l'annexe XIV du "
            "règlement 2017-745 — partie 2 sur 2.pdf",
            "Rapport d'évaluation clinique du dispositif VentriAssist Min…"
            "glement 2017-745 — partie 2 sur 2.pdf",
        ),
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
    # Saved under that name (RFC 6266's UTF-8 form where it is not plain ASCII).
    assert parse_options_header(served.headers["Content-Disposition"])[1]["filename"] == stored
    assert served.headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def checks_all_at_work(monkeypatch):
    """Every check a server process runs at once at work (files built to take their CPU
    seconds each), for longer than a check waits its turn."""
    monkeypatch.setattr(confined, "WAIT_SECONDS", 0.2)
    for _ in range(confined.AT_ONCE):
        assert confined._slots.acquire(timeout=1)
    yield
    for _ in range(confined.AT_ONCE):
        confined._slots.release()


def test_files_sent_while_every_check_is_at_work_are_asked_again_later(
    app, logged_in, user, checks_all_at_work
):
    """Files sent together, built to hold the checks, would share the cores between them and
    leave every page waiting: a process runs `confined.AT_ONCE` checks at once, and a file
    that finds none free in a while is refused, saying to send it again in a minute."""
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
    refused = upload(logged_in, dossier_id, minimal_pdf(), "report.pdf")
    assert refused.status_code == 422
    assert (
        "The portal is checking many files at this moment and could not check this one: "
        "choose it again and send it in a minute." in html.unescape(refused.text)
    )
    assert documents(app) == 0
    # The public page that checks a receipt says so too, and when to come back.
    checked = app.test_client().post(
        "/verify",
        data={"receipt": (io.BytesIO(minimal_pdf()), "r.pdf")},
        content_type="multipart/form-data",
    )
    assert checked.status_code == 503 and checked.headers["Retry-After"] == "60"
    assert "The portal is checking many files at this moment" in html.unescape(checked.text)


def test_a_check_freed_lets_the_next_file_through(app, logged_in, user):
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
    for number in range(confined.AT_ONCE + 1):  # each check gives its place back
        sent = upload(logged_in, dossier_id, minimal_pdf(f"report {number}"), "report.pdf")
        assert sent.status_code == 303
