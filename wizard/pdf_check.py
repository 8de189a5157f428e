"""Reading an uploaded PDF's structure, in a child process that can only spend so much
(`wizard.confined`): a file that reaches a limit is "too complex" and refused.

This module needs pyHanko only (importing it runs the package's `__init__`, which imports
Flask's class and nothing of the app): the fork server preloads it.
"""

from __future__ import annotations

import enum
import io
import logging
import re
from contextlib import contextmanager

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.crypt import AuthStatus
from pyhanko.pdf_utils.reader import PdfFileReader

from wizard import confined

# What makes a PDF act rather than be read, once it is parsed: names are compared decoded
# (`/J#61vaScript` is `/JavaScript` to every reader), in every dictionary however deeply
# nested, including those inside compressed object streams, which a byte scan cannot see.
# Links to web pages (`/URI`, http, https or mailto only) and moves within the document
# (`/GoTo`) stay allowed: letters and reports carry them. Not when the file follows them by
# itself: a web address opened when the file opens (`/OpenAction`), or any action run by an
# event (`/AA`: a page opened or closed, a field entered), is refused.
_ACTIVE_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/GoToR",
    "/GoToE",
    "/Rendition",
    "/Sound",
    "/Movie",
    "/RichMediaExecute",
}
_ACTIVE_KEYS = {
    "/JS",
    "/JavaScript",
    "/EmbeddedFiles",
    "/EmbeddedFile",
    "/EF",  # a file specification's embedded file
    "/XFA",  # XML forms, whose scripts live in the XML
    "/RichMediaContent",
    "/OnInstantiate",  # a 3D model's script, run when the model is shown
    "/3DD",  # a 3D model, named by its annotation or by a reference to it (`/3DRef`)
}
# Annotations that hand what they hold to something other than the page's reader: a file,
# media, a 3D model. A 3D model (U3D, PRC) is read by a 3D engine whose parsing bugs have
# been used to take over readers, and may carry a script; printed to a new PDF it becomes a
# picture of its view, which is all a request needs.
_ACTIVE_SUBTYPES = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}


class Verdict(enum.Enum):
    PLAIN = "plain"  # only things that are read: accepted
    ACTIVE = "active"  # a script, an action, an embedded file, a 3D model or media: refused
    UNREADABLE = "unreadable"  # not parseable (damaged, cut short): refused, as not vouched for
    LOCKED = "locked"  # needs a password to open: what it holds cannot be read, refused
    TOO_COMPLEX = "too complex"  # reached the time or memory allowed for checking: refused


def verdict(content: bytes, *, cpu_seconds: int, memory_mb: int) -> Verdict:
    """The verdict on a PDF's content, reached in a limited child process."""
    found = confined.answer(
        _inspected, (content,), sizes=(64,), cpu_seconds=cpu_seconds, memory_mb=memory_mb
    )
    if found is None:  # over its time or its memory
        return Verdict.TOO_COMPLEX
    try:
        return Verdict(found[0].decode())
    except ValueError:  # not an answer the child can give
        return Verdict.UNREADABLE


def _inspected(content: bytes) -> list[bytes]:
    return [inspect(content).value.encode()]


def inspect(content: bytes) -> Verdict:
    """ACTIVE when anything in the file carries a script, an action other than a link or an
    embedded file; UNREADABLE when the file cannot be parsed, or may read otherwise in other
    readers (a key given twice, an object no table lists): it is not a PDF we can vouch for,
    and the person is told it seems damaged, not that it holds scripts; else PLAIN.
    Unlimited: call it through `verdict`."""
    duplicates = _DuplicateKeys()
    try:
        with duplicates.watching():
            reader = PdfFileReader(io.BytesIO(content), strict=False)
            # Protected by its author: restricted (printing only, say, as hospitals' letters
            # often are) but opened by every reader without a password, it is read as they
            # read it; one that needs a password to open cannot be checked.
            if reader.encrypted and not _opens_without_a_password(reader):
                return Verdict.LOCKED
            for revision in range(reader.xrefs.total_revisions):
                for ref in reader.xrefs.explicit_refs_in_revision(revision):
                    if _holds_active(reader.get_object(ref)):
                        return Verdict.ACTIVE
            active = _holds_active(reader.trailer_view)
    except MemoryError:
        raise
    except Exception:  # any parse failure: refuse rather than trust
        return Verdict.UNREADABLE
    if active:
        return Verdict.ACTIVE
    # A key given twice in one dictionary: pyHanko keeps the first value, other readers
    # (Poppler, and it is thought most) the last, which was never looked at: a script or an
    # attached file could hide there. So could an object no cross-reference table lists,
    # which a reader rebuilding the table of a file it finds damaged would take in. Neither
    # is vouched for: refused as a damaged file.
    if duplicates.found or _unlisted_objects(reader, content):
        return Verdict.UNREADABLE
    return Verdict.PLAIN


def _opens_without_a_password(reader: PdfFileReader) -> bool:
    """Whether an encrypted PDF opens with the empty password (only its owner's restricts
    it), decrypted then for what follows to read it."""
    try:
        return reader.decrypt("").status != AuthStatus.FAILED
    except Exception:  # another security handler (certificates): no password opens it
        return False


# An object as written in the file's bytes ("12 0 obj"); those in object streams are not.
_OBJECT_HEADER = re.compile(
    rb"(?<![0-9])([0-9]{1,10})[ \t\r\n\f\0]+([0-9]{1,5})[ \t\r\n\f\0]+obj\b"
)


def _unlisted_objects(reader: PdfFileReader, content: bytes) -> bool:
    """Whether the bytes hold an object that no revision's cross-reference table lists."""
    xrefs = reader.xrefs
    listed = {
        (ref.idnum, ref.generation)
        for revision in range(xrefs.total_revisions)
        for ref in xrefs.explicit_refs_in_revision(revision)
    }
    listed |= {(ref.idnum, ref.generation) for ref in xrefs.xref_stream_refs}
    return any(
        (int(number), int(generation)) not in listed
        for number, generation in _OBJECT_HEADER.findall(content)
    )


class _DuplicateKeys(logging.Handler):
    """Whether pyHanko, reading a file leniently, met a dictionary holding a key twice: it
    says so only in a warning of its own (`generic.DictionaryObject.read_from_stream`), which
    is listened for while the file is read (a test holds the words, should a version of
    pyHanko change them)."""

    _LOGGER = logging.getLogger(generic.__name__)

    def __init__(self):
        super().__init__(logging.WARNING)
        self.found = False

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Multiple definitions in dictionary"):
            self.found = True

    @contextmanager
    def watching(self):
        logger, manager = self._LOGGER, logging.root.manager
        kept = logger.level, logger.disabled, manager.disable
        # Heard whatever the logging configuration: a level above warnings would drop them,
        # and a configuration read later (Alembic's, gunicorn's) disables existing loggers.
        logging.disable(min(manager.disable, logging.INFO))
        logger.setLevel(logging.WARNING)
        logger.disabled = False
        logger.addHandler(self)
        try:
            yield
        finally:
            logger.removeHandler(self)
            logging.disable(kept[2])
            logger.setLevel(kept[0])
            logger.disabled = kept[1]


def _holds_active(value) -> bool:
    """Walk one object's own dictionaries and arrays (references are objects of their own,
    walked from the cross-reference table)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, generic.DictionaryObject):  # streams included
            if _is_active(item):
                return True
            pending.extend(item.raw_get(key) for key in item)
        elif isinstance(item, generic.ArrayObject):
            pending.extend(item.raw_get(index) for index in range(len(item)))
    return False


_LINK_SCHEMES = ("http://", "https://", "mailto:")


def _is_active(dictionary) -> bool:
    def name(key: str):
        return dictionary[key] if key in dictionary else None  # reading resolves a reference

    opened = name("/OpenAction")
    return (
        not _ACTIVE_KEYS.isdisjoint(dictionary.keys())
        or "/AA" in dictionary
        or name("/S") in _ACTIVE_ACTIONS
        or (name("/S") == "/URI" and not _text(name("/URI")).lower().startswith(_LINK_SCHEMES))
        or _opens_by_itself(opened)
        or name("/Subtype") in _ACTIVE_SUBTYPES
        or name("/Type") == "/EmbeddedFile"
    )


def _opens_by_itself(action) -> bool:
    """Whether the action run when the file opens, or any it chains to (`/Next`, one action or
    an array of them), opens a web address. A move within the document is all it may do."""
    pending, seen = [action], 0
    while pending and seen < 100:  # a chain that loops stops being followed, refused
        item, seen = pending.pop(), seen + 1
        if isinstance(item, generic.ArrayObject):
            pending.extend(item[index] for index in range(len(item)))
        elif isinstance(item, generic.DictionaryObject):
            if "/S" in item and item["/S"] == "/URI":
                return True
            if "/Next" in item:
                pending.append(item["/Next"])
    return bool(pending)


def _text(value) -> str:
    """A PDF string as text, whether written as bytes or as text (a URI is ASCII)."""
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value) if value is not None else ""
