"""Uploaded PDFs: checked by content, stored outside `static/` by their sha256, never trusted.

A file is accepted only if it is a non-empty PDF within the size cap, with no script, no
action other than a link or a move within the document, no XML form, no embedded file and no
3D model or media (the things that make a PDF act rather than be read), wherever they hide in
it; or if it is one of the portal's own signed receipts and decisions, unchanged (they carry
their signed record attached). Its structure is read in a limited child process
(`wizard/pdf_check.py`): a file built to exhaust the server is refused.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, g, request
from flask_babel import format_decimal
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from wizard import confined, pdf_check
from wizard.config import FILES_AT_ONCE
from wizard.i18n import gettext as _

# Names that make a PDF run code, carry other files or hold a 3D model or media, as written
# in its bytes (the parsed file is checked too, `pdf_check`); found here, the file is refused
# without being parsed, so none may be short enough to turn up by chance in compressed data:
# "/3D" and "/JS" do (about once in 20 MB each, which would refuse one large scan in a few
# dozen, and its new print as well), "/3DD" once in some 270 such scans. A 3D annotation is
# looked for by its subtype after the key, a script by "/JavaScript", which every JavaScript
# action carries as its type (`/S`); the parsed check finds the short keys wherever they are.
_ACTIVE_CONTENT = re.compile(
    rb"/(JavaScript|Launch|EmbeddedFiles?|RichMedia(Content|Execute)?|OnInstantiate)\b"
    rb"|/Subtype\s*/3D\b"
)


# A character of a name written as #xx (ISO 32000-1 7.3.5: "/J#61vaScript"), which readers
# decode; the scan reads the bytes so decoded too. What the parsed check may not see (an
# object no cross-reference table lists, which a reader rebuilding a damaged file's table
# would find) is then still scanned by the names readers see.
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def _acts_by_its_bytes(content: bytes) -> bool:
    """Whether the file's bytes, with names decoded, say what `_ACTIVE_CONTENT` refuses."""
    if _ACTIVE_CONTENT.search(content):
        return True
    if b"#" not in content:
        return False
    decoded = _NAME_ESCAPE.sub(lambda found: bytes.fromhex(found[1].decode()), content)
    return _ACTIVE_CONTENT.search(decoded) is not None


class UploadRejected(ValueError):
    """The upload cannot be accepted; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class StoredFile:
    filename: str
    sha256: str
    size: int


def too_big_in_browser(name: str) -> list[str]:
    """The files chosen in the file field `name` that the page's script kept from being sent
    for their size (app.js: said at once, rather than after minutes of sending), as it names
    them in `<name>-too-big`: refused here as if they had been sent."""
    names = request.form.getlist(f"{name}-too-big")[:FILES_NAMED]
    return [named(chosen) for chosen in names]


def named(filename: str) -> str:
    """A chosen file's name as a message about it says it: no path, nothing that is not
    plain text ("A file" when nothing is left)."""
    return plain_name(filename)[:MAX_NAME] or _("A file")


def too_big_message() -> str:
    return _(
        "The selected file must be smaller than %(size)s.",
        size=human_size(current_app.config["MAX_UPLOAD_BYTES"]),
    )


FILES_NAMED = FILES_AT_ONCE  # as many as a form sends at once
MAX_NAME = 200


def read_pdf(upload: FileStorage | None, max_bytes: int) -> tuple[str, bytes]:
    """Return (safe file name, content) of an uploaded PDF, or raise `UploadRejected`."""
    if upload is None or not upload.filename:
        raise UploadRejected(_("Choose a PDF file to upload."))
    content = upload.stream.read(max_bytes + 1)
    if not content:
        raise UploadRejected(_("The selected file is empty. Choose the PDF again."))
    if len(content) > max_bytes:
        raise UploadRejected(
            _("The selected file must be smaller than %(size)s.", size=human_size(max_bytes))
        )
    if not content.startswith(b"%PDF-") or b"%%EOF" not in content[-2048:]:
        raise UploadRejected(
            _(
                "The selected file is not a PDF document. Save or export it as PDF first, then "
                "choose that file."
            )
        )
    try:
        _check(content)
    except confined.Busy:
        raise UploadRejected(busy_message()) from None
    return safe_name(upload.filename), content


def busy_message() -> str:
    return _(
        "The portal is checking many files at this moment and could not check this one: "
        "choose it again and send it in a minute."
    )


def _check(content: bytes) -> None:
    """Raise `UploadRejected` unless the PDF holds only what is read (`pdf_check`), or is
    the portal's own signed receipt or decision; `confined.Busy` if it cannot be checked now."""
    if _acts_by_its_bytes(content):
        found = pdf_check.Verdict.ACTIVE
    else:
        g.pdf_checks = g.get("pdf_checks", 0) + 1  # counted (`auth.limits`): each costs a process
        found = pdf_check.verdict(
            content,
            cpu_seconds=current_app.config["PDF_CHECK_CPU_SECONDS"],
            memory_mb=current_app.config["PDF_CHECK_MEMORY_MB"],
        )
    if found is pdf_check.Verdict.TOO_COMPLEX:
        raise UploadRejected(
            _(
                "This PDF is too complex for us to check (it is made of too many parts): "
                "print it to a new PDF (for example “Print”, then “Save as PDF”) and send "
                "that file."
            )
        )
    if found is pdf_check.Verdict.LOCKED:
        raise UploadRejected(
            _(
                "This PDF needs a password to open, so the portal cannot check it and has not "
                "taken it: open it with its password, save or print it to a new PDF without "
                "one (for example “Print”, then “Save as PDF”) and send that file."
            )
        )
    if found is pdf_check.Verdict.UNREADABLE:
        raise UploadRejected(
            _(
                "This PDF cannot be read: it may be damaged or incomplete. Open it to check it, "
                "then save or print it to a new PDF (for example “Print”, then “Save as PDF”) "
                "and send that file."
            )
        )
    signed = _SIGNED.search(content) is not None
    if found is pdf_check.Verdict.ACTIVE and not (signed and _portal_signed(content)):
        if signed:
            raise UploadRejected(
                _(
                    "This PDF contains scripts, attached files, 3D models, videos or actions "
                    "that open other files or send data, which we cannot accept. It is signed: "
                    "printed to a new PDF (for example “Print”, then “Save as PDF”), it loses "
                    "its signature, but ANSM can read it; send that file, and keep the signed "
                    "one in case ANSM asks for it."
                )
            )
        raise UploadRejected(
            _(
                "This PDF contains scripts, attached files, 3D models, videos or actions that "
                "open other files or send data, which we cannot accept: print it to a new PDF "
                "(for example “Print”, then “Save as PDF”) and send that file."
            )
        )


# A PDF signature's dictionary: the byte range its digest covers.
_SIGNED = re.compile(rb"/ByteRange\s*\[")


def _portal_signed(content: bytes) -> bool:
    """A signed PDF that is a receipt or decision of this portal, as it signed it, not a byte
    changed since: its attached record is the portal's own (the previous request's decision,
    attached to a new request), the only file with an attachment that is accepted."""

    from wizard.receipts.service import check_receipt  # (the receipts need the uploads)

    return check_receipt(content).valid


def human_size(size: int) -> str:
    """A size as people read it: "20 MB", "200 KB"."""
    if size >= 1024**2:
        return _("%(number)s MB", number=format_decimal(round(size / 1024**2, 1)))
    return _("%(number)s KB", number=format_decimal(max(1, round(size / 1024))))


def safe_name(filename: str) -> str:
    """A name that is only a label, ending in .pdf (files are stored under their sha256)."""
    stem = plain_name(filename)
    if stem.lower().endswith(".pdf"):
        stem = stem[:-4].rstrip(" .")
    if stem.lower() in ("", "pdf"):
        stem = "document"
    return f"{_shortened(stem)}.pdf"


# At most 100 bytes: the names of files kept from a refused try travel in the session's
# cookie, which browsers drop beyond 4 KB (100 characters of Chinese are 300 bytes).
NAME_BYTES = 100
# A longer name keeps its start and its end, where names differ ("… partie 1 sur 2",
# "… v4.2"), joined by an ellipsis (3 bytes).
_NAME_END_BYTES = 36


def _shortened(stem: str) -> str:
    encoded = stem.encode()
    if len(encoded) <= NAME_BYTES:
        return stem
    start = encoded[: NAME_BYTES - _NAME_END_BYTES - 3].decode(errors="ignore").rstrip(" .")
    end = encoded[-_NAME_END_BYTES:].decode(errors="ignore").lstrip(" ")
    return f"{start}…{end}"


# What no file name on the systems people save to may hold (Windows the strictest).
_NOT_IN_NAMES = re.compile(r'[<>:"/\\|?*]')


def plain_name(filename: str) -> str:
    """A file's name as the person gave it, in their language ("Rapport d’évaluation
    clinique v2.pdf"), without what would make it more than a label: a path (only its last
    part is kept), control and invisible characters (a right-to-left mark that shows
    "report.exe.pdf" as "report.fdp.exe"), characters no saved file may hold, leading dots
    (a hidden file, "..") and repeated spaces."""
    name = unicodedata.normalize("NFC", _last_part(filename))
    name = "".join(" " if unicodedata.category(c).startswith("C") else c for c in name)
    name = " ".join(_NOT_IN_NAMES.sub(" ", name).split())
    return name.lstrip(". ").rstrip(" ")


def _last_part(filename: str) -> str:
    # Only the last part of a path is a name (Windows paths arrive with backslashes).
    return filename.replace("\x00", "").replace("\\", "/").rsplit("/", 1)[-1]


def store(filename: str, content: bytes) -> StoredFile:
    """Write content once under its sha256 (written to a temporary file, on the disk before
    it is renamed: a crash never leaves a name holding less than its bytes). A file there
    already that does not hold them (cut short, changed) is written again."""
    digest = hashlib.sha256(content).hexdigest()
    target = path_of(digest)
    if file_problem(digest, len(content)) is None:
        os.utime(target)  # sent again: young again, so that `prune` leaves it
    else:
        if target.is_file():  # changed or cut short since it was stored: said, then mended
            current_app.logger.error("stored file %s damaged: written again", digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as temporary:
            try:
                temporary.write(content)
                temporary.flush()
                os.fsync(temporary.fileno())
            except OSError:  # the disk full: nothing half written is left
                Path(temporary.name).unlink(missing_ok=True)
                raise
        os.replace(temporary.name, target)
    return StoredFile(filename=filename, sha256=digest, size=len(content))


def file_problem(sha256: str, size: int | None = None) -> str | None:
    """What is wrong with the stored file `sha256` (missing, damaged), or None."""
    path = path_of(sha256)
    if not path.is_file():
        return f"it is missing from {path.parent}"
    if size is not None and path.stat().st_size != size:
        return "its size is not the size it was stored with: it was changed or cut short"
    if sha256_of(path) != sha256:
        return "its content no longer matches its hash: it was changed"
    return None


def sha256_of(path: Path) -> str:
    """The digest of a stored file's content, read a block at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as stored:
        while block := stored.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def stored_names() -> set[str]:
    """The names (digests) of the files stored in the upload folder."""
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    return {
        item.name
        for shard in folder.glob("[0-9a-f][0-9a-f]")
        for item in shard.iterdir()
        if item.is_file() and not item.is_symlink()
    }


def prune(referenced: set[str], older_than: float) -> tuple[int, int]:
    """Remove the stored files no row names any more (a document removed, an upload whose
    form was refused and never sent again, a temporary file left by a crash), once older than
    `older_than` (a timestamp): a file just written may be about to be named. Returns how many
    files, and how many bytes, were removed."""
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    removed = freed = 0
    for shard in folder.glob("[0-9a-f][0-9a-f]"):
        for item in shard.iterdir():
            if item.name in referenced or not item.is_file() or item.is_symlink():
                continue
            status = item.stat()
            if status.st_mtime < older_than:
                item.unlink()
                removed, freed = removed + 1, freed + status.st_size
    return removed, freed


def keep(sha256: str) -> None:
    """Keep a stored file that its last row may have let go of (a document removed, which
    can be put back) from the next `prune` for as long as it keeps a file just written."""
    path = path_of(sha256)
    if path.is_file():
        os.utime(path)


def path_of(sha256: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a sha256 digest")
    return Path(current_app.config["UPLOAD_FOLDER"]) / sha256[:2] / sha256


def sends_files() -> bool:
    """Whether the request is a form that may carry files (multipart: the only way one does)."""
    return request.mimetype == "multipart/form-data"


def files_came() -> bool:
    """Whether the form being refused carried files: chosen in it, or kept from an earlier
    try and ticked to go with it (`…-keep`); a form too large to read did."""
    if not sends_files():
        return False
    try:
        chosen = any(file.filename for file in request.files.values())
        ticked = any(name.endswith("-keep") and value for name, value in request.form.items())
    except RequestEntityTooLarge:
        return True
    return chosen or ticked


# The forms that send up to `FILES_AT_ONCE` files: the answers and reports to ANSM.
MANY_FILES = {"review_filer.reply", "review_hcp.answer", "review_filer.send_report"}


def init_app(app: Flask) -> None:
    """Before CSRFProtect reads a form (so registered before it): the answers to ANSM may
    weigh as much as their files; the public receipt check, as much as a receipt (its own cap,
    whatever the uploads'); a form without a file, as much as text (`TEXT_FORM_BYTES`); every
    other request, as much as one upload."""
    from wizard.config import FILES_AT_ONCE, TEXT_FORM_BYTES, request_cap
    from wizard.receipts.views import MAX_RECEIPT_BYTES

    @app.before_request
    def room_for_the_files():
        if request.endpoint in MANY_FILES:
            cap = current_app.config["MAX_UPLOAD_BYTES"]
            request.max_content_length = request_cap(cap, FILES_AT_ONCE)
        elif request.endpoint == "receipts.verify":
            request.max_content_length = request_cap(MAX_RECEIPT_BYTES)
        elif not sends_files():
            request.max_content_length = TEXT_FORM_BYTES
