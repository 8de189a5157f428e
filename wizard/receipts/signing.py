"""PAdES signature of a rendered receipt, with a visible signature box on its last page.

Baseline B-B by default, B-T when a timestamp authority is given. The signature is appended as
an incremental update, so the bytes WeasyPrint produced (and their PDF/A structure) stay as
they were. The box goes where the template left room for it: `layout.SIGNATURE_BOX`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import VENDOR as PYHANKO_PRODUCER
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.signers import constants
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.stamp import TextStampStyle

from wizard.receipts.fonts import DEFAULT_STAMP_FONT, stamp_font_path
from wizard.receipts.layout import SIGNATURE_BOX

logger = logging.getLogger(__name__)

STAMP_FONT_SIZE = 8
#: `%(signer)s` and `%(ts)s` are filled in by pyHanko; `%z` is Paris's offset (`SIGNED_IN`).
STAMP_TIME_FORMAT = "%Y-%m-%d %H:%M:%S %z"
#: The zone of the signing time the box shows (and the signature states, in UTC as CMS
#: does): Paris, as the documents date everything, whatever the server's zone.
SIGNED_IN = ZoneInfo("Europe/Paris")
#: The template's navy (#1f3a68), as RGB fractions.
STAMP_COLOUR = (0.12, 0.23, 0.41)


def sign_pdf(
    pdf: bytes,
    signer: signers.Signer,
    *,
    field_name: str = "PortalSignature",
    reason: str,
    location: str = "France",
    timestamp_url: str | None = None,
    stamp_text: str,
    timestamper: TimeStamper | None = None,
    stamp_font: Path | None = None,
) -> bytes:
    """Sign `pdf` (PAdES B-B, or B-T with a timestamp) and return the signed file.

    `stamp_text` is the visible box's text; it may use `%(signer)s` (the certificate's common
    name) and `%(ts)s` (signing time). `timestamper` overrides `timestamp_url` (tests use
    pyHanko's `DummyTimeStamper`); `stamp_font` replaces DejaVu Sans in the box.
    """
    if timestamper is None and timestamp_url:
        timestamper = HTTPTimeStamper(timestamp_url)
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        name=signer.subject_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    pdf_signer = _PdfA3Signer(
        metadata,
        signer,
        timestamper=timestamper,
        stamp_style=_stamp_style(stamp_text, stamp_font_path(stamp_font or DEFAULT_STAMP_FONT)),
        new_field_spec=fields.SigFieldSpec(field_name, on_page=-1, box=SIGNATURE_BOX),
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    _align_producer(writer)
    return pdf_signer.sign_pdf(writer).getvalue()


class _PdfA3Signer(signers.PdfSigner):
    """pyHanko's signer, signing in Paris time, and leaving the file a PDF 1.7, which PDF/A-3
    is based on. For an ECDSA
    key on a common curve pyHanko declares ISO 32002, a PDF 2.0 extension, and so turns the
    file into a PDF 2.0; ECDSA signatures are valid PAdES in PDF 1.7 all the same (ETSI EN
    319 142-1), so only the PAdES extension (ESIC) is declared, as for any other key."""

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        # The signing time, in Paris (pyHanko takes the server's zone, UTC in a container).
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = datetime.now(SIGNED_IN)
        return session

    def register_extensions(self, pdf_out, *, md_algorithm: str) -> None:
        cert = self.signer.signing_cert
        plain_ecdsa = (
            cert is not None
            and cert.public_key.algorithm == "ec"
            and not md_algorithm.startswith(("sha3_", "shake"))
            and pdf_out.security_handler is None
        )
        if not plain_ecdsa:  # other keys, SHA-3, encryption: as pyHanko says
            super().register_extensions(pdf_out, md_algorithm=md_algorithm)
            return
        pdf_out.ensure_output_version(version=(1, 7))
        pdf_out.register_extension(constants.ESIC_EXTENSION_1)


def _align_producer(writer: IncrementalPdfFileWriter) -> None:
    # pyHanko sets XMP's pdf:Producer to "pyHanko x.y" but appends that to the Info
    # dictionary's /Producer; PDF/A wants the two equal, so make the Info one match already.
    try:
        info_ref = writer.trailer.raw_get("/Info")
    except KeyError:
        return
    info_ref.get_object()["/Producer"] = generic.TextStringObject(PYHANKO_PRODUCER)
    writer.mark_update(info_ref)


def _stamp_style(stamp_text: str, font_path: Path | None) -> TextStampStyle:
    font = _embedded_font(font_path)
    size = {
        "font_size": STAMP_FONT_SIZE,
        "leading": STAMP_FONT_SIZE + 3,
        "text_color": STAMP_COLOUR,
    }
    text_style = TextBoxStyle(font=font, **size) if font else TextBoxStyle(**size)
    return TextStampStyle(
        stamp_text=stamp_text,
        timestamp_format=STAMP_TIME_FORMAT,
        text_box_style=text_style,
        border_width=1,
        border_color=STAMP_COLOUR,
        background=None,
    )


def _embedded_font(font_path: Path | None):
    """pyHanko's embedding font engine, or None: then the box uses Courier, not embedded,
    and the signed file no longer meets PDF/A."""
    if font_path is None:
        return None
    try:
        # pyHanko's optional "opentype" dependencies: fontTools and uharfbuzz.
        from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    except ImportError:
        logger.warning("uharfbuzz is missing: the signature box uses a non-embedded font")
        return None
    # Same size in the engine and the text box, or multi-line stamps drift (pyHanko issue 733).
    return GlyphAccumulatorFactory(str(font_path), font_size=STAMP_FONT_SIZE)
