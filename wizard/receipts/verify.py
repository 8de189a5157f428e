"""Is this PDF a genuine, unaltered receipt of the portal? The verdict behind
`flask receipts verify` and the public `/verify` page.

Never raises on what a stranger uploads: anything unreadable becomes a `Verdict` whose
`problems` say why. What it reports (reference, attached JSON) is read from the revision the
signature covers, not from anything appended afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from io import BytesIO

from asn1crypto import x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.rw_common import PdfHandler
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from wizard import confined

logger = logging.getLogger(__name__)

ANSWERS_FILENAME = "answers.json"
# A decision PDF carries its record instead (wizard/review/decisions.py).
DECISION_FILENAME = "decision.json"
SIGNED_RECORDS = (ANSWERS_FILENAME, DECISION_FILENAME)
REFERENCE_PATTERN = re.compile(r"\bDA-\d{4}-\d{6}\b")
MAX_ANSWERS_BYTES = 5 * 1024 * 1024
# A portal seal is a signature in the nonRepudiation sense; accept digitalSignature too, as
# many organisation certificates carry only that.
KEY_USAGE = KeyUsageConstraints(key_usage={"non_repudiation", "digital_signature"})


@dataclass(frozen=True)
class Verdict:
    signed: bool
    intact: bool
    trusted: bool
    signer: str | None
    signed_at: dt.datetime | None
    reference: str | None
    embedded_json: bytes | None
    embedded_json_sha256: str | None
    problems: tuple[str, ...]
    # Which signed record is attached: answers.json (a receipt) or decision.json (a decision).
    embedded_name: str | None = None

    @property
    def genuine(self) -> bool:
        """Signed by a trusted key, and not a byte changed since."""
        return self.signed and self.intact and self.trusted


# Offsets of at most 10 digits (a receipt weighs 60 KB): a longer number is no offset, and
# would cost `int()` a refusal (Python's limit on long decimal strings).
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*0\s+\d{1,10}\s+(\d{1,10})\s+(\d{1,10})\s*\]")
# What PDF readers count as white space (ISO 32000-1, 7.2.2).
_WHITE_SPACE = b"\x00\t\n\x0c\r "


def as_signed(pdf: bytes) -> bytes:
    """`pdf` without the white space some transfers append to a file (a mail client's or an
    FTP's line ends) after the last signature's signed bytes: it changes nothing a reader
    shows, and the signature still covers every other byte. Anything else after them stays,
    and is an alteration."""
    ends = [int(start) + int(length) for start, length in _BYTE_RANGE.findall(pdf)]
    end = max(ends, default=len(pdf))
    if end < len(pdf) and not pdf[end:].strip(_WHITE_SPACE):
        return pdf[:end]
    return pdf


def verify_pdf(pdf: bytes, trust_roots: list) -> Verdict:
    """Check the portal signature of `pdf` against `trust_roots` (asn1crypto certificates,
    see `keys.load_trust_roots`). Offline: no OCSP/CRL fetching, validity judged as of now."""
    if not isinstance(pdf, bytes | bytearray) or b"%PDF-" not in pdf[:1024]:
        return _unreadable("This is not a PDF file.")
    try:
        return _verify(bytes(pdf), trust_roots)
    except MemoryError:  # out of the memory allowed (`verify_confined`): no verdict
        raise
    except Exception:  # any parser failure on an uploaded file means "cannot be trusted"
        logger.info("Receipt verification failed on an unreadable file", exc_info=True)
        return _unreadable("The PDF is damaged or was altered: it cannot be read.")


def verify_confined(pdf: bytes, trust_roots: list, *, cpu_seconds: int, memory_mb: int) -> Verdict:
    """`verify_pdf` for a stranger's file (the public /verify page): in a child process that
    can only spend so much (`wizard.confined`). A receipt of the portal weighs about 60 KB
    and is checked in a fraction of a second; a file built to hold a worker (hundreds of
    thousands of form fields, an attachment that inflates to gigabytes) reaches a limit and
    is not one."""
    roots = [root.dump() for root in trust_roots]
    found = confined.answer(
        _verified,
        (bytes(pdf), roots),
        sizes=(64 * 1024, MAX_ANSWERS_BYTES),
        cpu_seconds=cpu_seconds,
        memory_mb=memory_mb,
    )
    if found is None:
        return _unreadable("The PDF is too complex to be one of the portal's: it was not checked.")
    try:
        return _from_wire(*found)
    except (ValueError, TypeError, KeyError):  # not an answer the child can give
        return _unreadable("The PDF is damaged or was altered: it cannot be read.")


def _verified(pdf: bytes, roots: list[bytes]) -> list[bytes]:
    """In the child: the verdict as JSON, and the attached record's bytes."""
    # A file of 300 000 malformed form fields makes pyHanko warn 300 000 times.
    logging.getLogger("pyhanko").setLevel(logging.ERROR)
    verdict = verify_pdf(pdf, [x509.Certificate.load(root) for root in roots])
    said = {
        "signed": verdict.signed,
        "intact": verdict.intact,
        "trusted": verdict.trusted,
        "signer": verdict.signer,
        "signed_at": verdict.signed_at.isoformat() if verdict.signed_at else None,
        "reference": verdict.reference,
        "problems": list(verdict.problems),
        "embedded_name": verdict.embedded_name,
        "embedded": verdict.embedded_json is not None,
    }
    return [json.dumps(said).encode(), verdict.embedded_json or b""]


def _from_wire(header: bytes, embedded: bytes) -> Verdict:
    """The child's verdict, every value checked for its type (JSON, never unpickled)."""
    said = json.loads(header)
    flags = [said[key] for key in ("signed", "intact", "trusted", "embedded")]
    texts = [said[key] for key in ("signer", "signed_at", "reference", "embedded_name")]
    problems = said["problems"]
    if not (
        all(isinstance(flag, bool) for flag in flags)
        and all(text is None or isinstance(text, str) for text in texts)
        and isinstance(problems, list)
        and all(isinstance(problem, str) for problem in problems)
    ):
        raise ValueError("not a verdict")
    signed, intact, trusted, has_record = flags
    signer, signed_at, reference, name = texts
    record = embedded if has_record else None
    return Verdict(
        signed=signed,
        intact=intact,
        trusted=trusted,
        signer=signer,
        signed_at=dt.datetime.fromisoformat(signed_at) if signed_at else None,
        reference=reference if reference and REFERENCE_PATTERN.fullmatch(reference) else None,
        embedded_json=record,
        embedded_json_sha256=_sha256(record),
        problems=tuple(problems),
        embedded_name=name if name in SIGNED_RECORDS else None,
    )


def _unreadable(problem: str) -> Verdict:
    return Verdict(False, False, False, None, None, None, None, None, (problem,))


def _verify(pdf: bytes, trust_roots: list) -> Verdict:
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    signatures = reader.embedded_regular_signatures
    if not signatures:
        reference, name, answers = _contents(reader)
        return Verdict(
            signed=False,
            intact=False,
            trusted=False,
            signer=None,
            signed_at=None,
            reference=reference,
            embedded_json=answers,
            embedded_json_sha256=_sha256(answers),
            problems=("The PDF carries no signature.",),
            embedded_name=name,
        )
    signature = signatures[0]
    status = validate_pdf_signature(
        signature,
        ValidationContext(trust_roots=list(trust_roots)),
        key_usage_settings=KEY_USAGE,
    )
    reference, name, answers = _contents(reader.get_historical_resolver(signature.signed_revision))
    problems = _problems(status, extra_signatures=len(signatures) - 1)
    if reference is None:
        problems.append("The PDF does not state a receipt reference.")
    if answers is None:
        problems.append(f"The PDF has no attached {' or '.join(SIGNED_RECORDS)}.")
    return Verdict(
        signed=True,
        intact=_intact(status),
        trusted=bool(status.trusted),
        signer=_common_name(status),
        signed_at=_signed_at(status),
        reference=reference,
        embedded_json=answers,
        embedded_json_sha256=_sha256(answers),
        problems=tuple(problems),
        embedded_name=name,
    )


def _intact(status: PdfSignatureStatus) -> bool:
    # The digest must match, the signature over it must verify, and it must cover the whole
    # file: bytes appended after signing (an incremental update) count as an alteration.
    return bool(
        status.intact and status.valid and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    )


def _problems(status: PdfSignatureStatus, *, extra_signatures: int) -> list[str]:
    problems = []
    if not (status.intact and status.valid):
        problems.append("The signature does not match the content: the file was altered.")
    elif status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        problems.append("The file was changed after it was signed.")
    elif not status.trusted:  # (a signature that does not match vouches for nobody)
        problems.append("The signing certificate is not one the portal trusts.")
    if status.revoked:
        problems.append("The signing certificate has been revoked.")
    if extra_signatures:
        problems.append("The PDF carries more signatures than the portal's.")
    return problems


def _common_name(status: PdfSignatureStatus) -> str | None:
    subject = status.signing_cert.subject
    return subject.native.get("common_name") or subject.human_friendly


def _signed_at(status: PdfSignatureStatus) -> dt.datetime | None:
    # A timestamp authority's time (PAdES B-T) beats the time the signer claims.
    if status.timestamp_validity is not None:
        return status.timestamp_validity.timestamp
    return status.signer_reported_dt


def _sha256(content: bytes | None) -> str | None:
    return None if content is None else hashlib.sha256(content).hexdigest()


def _contents(handler: PdfHandler) -> tuple[str | None, str | None, bytes | None]:
    """The reference, and the first signed record attached (its name and bytes)."""
    for name in SIGNED_RECORDS:
        content = _attachment(handler.root, name)
        if content is not None:
            return _reference(handler), name, content
    return _reference(handler), None, None


def _reference(handler: PdfHandler) -> str | None:
    """The reference as the document's Subject (or Title) states it."""
    try:
        info_ref = handler.trailer_view.raw_get("/Info")
    except KeyError:
        return None
    # Through the handler: the trailer's own reference would resolve in the latest revision.
    info = handler.get_object(info_ref.reference)
    for key in ("/Subject", "/Title"):
        match = REFERENCE_PATTERN.search(str(info.get(key, "")))
        if match:
            return match.group(0)
    return None


def _attachment(root: generic.DictionaryObject, filename: str) -> bytes | None:
    try:
        tree = root["/Names"]["/EmbeddedFiles"]
    except KeyError:
        return None
    for name, filespec in _name_tree_items(tree, depth=0):
        spec_name = filespec.get("/UF", filespec.get("/F", name))
        if str(spec_name) == filename:
            content = filespec["/EF"]["/F"].data
            return content if len(content) <= MAX_ANSWERS_BYTES else None
    return None


def _name_tree_items(node: generic.DictionaryObject, *, depth: int):
    if depth > 8:  # a name tree this deep is not one WeasyPrint wrote
        return
    names = node.get("/Names", generic.ArrayObject())
    for index in range(0, len(names) - 1, 2):
        yield str(names[index]), names[index + 1]
    for kid in node.get("/Kids", generic.ArrayObject()):
        yield from _name_tree_items(kid, depth=depth + 1)
