"""HTML → PDF/A-3b with embedded files, through WeasyPrint.

PDF/A-3 is the PDF/A part that allows arbitrary embedded files (here the canonical JSON of the
answers); the output is tagged for screen readers. Fonts must be installed system-wide and
named in the CSS (DejaVu) so that WeasyPrint embeds them, as PDF/A requires.

The receipts and decisions speak French and English side by side: each English part is marked
`lang="en"` in the HTML, and its structure element says so to a screen reader (`/Lang`), which
then reads it with an English voice. WeasyPrint writes the document's language only:
`_tag_languages` adds the parts'.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

import pydyf
from weasyprint import HTML, Attachment
from weasyprint.pdf import tags
from weasyprint.urls import URLFetcher

PDF_VARIANT = "pdf/a-3b"


@dataclass(frozen=True)
class EmbeddedFile:
    """A file to embed in the PDF, listed in its attachments panel."""

    filename: str
    content: bytes
    description: str
    mime_type: str = "application/octet-stream"
    #: PDF/A-3 `AFRelationship`: how the file relates to the document ("Data", "Source"...).
    relationship: str = "Data"


def render_pdf(html: str, *, base_url: str | None, attachments: list[EmbeddedFile]) -> bytes:
    """Render `html` to a tagged PDF/A-3b document with `attachments` embedded."""
    _tag_languages()
    fetcher = _local_only_fetcher()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # WeasyPrint writes it with a "Z"
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
        pdf_variant=PDF_VARIANT,
        pdf_tags=True,
        attachments=[_weasyprint_attachment(item, fetcher, now) for item in attachments],
    )


def _local_only_fetcher() -> URLFetcher:
    # A receipt never needs the network; refusing it keeps rendering fast and free of SSRF
    # even if a template someday interpolates a user-supplied URL.
    return URLFetcher(allowed_protocols={"data", "file"}, fail_on_errors=False)


def _weasyprint_attachment(item: EmbeddedFile, fetcher: URLFetcher, now: dt.datetime):
    # A data: URL is the one source through which WeasyPrint takes the MIME type as given.
    encoded = base64.b64encode(item.content).decode("ascii")
    return Attachment(
        url=f"data:{item.mime_type};base64,{encoded}",
        url_fetcher=fetcher,
        name=item.filename,
        description=item.description,
        created=now,
        modified=now,
        relationship=item.relationship,
    )


def _tag_languages() -> None:
    """Give the structure element of each box whose HTML element carries a `lang` its
    language (`/Lang`), through WeasyPrint's own tree builder, wrapped once per process. If a
    new WeasyPrint no longer has that builder, the PDFs lose only the parts' languages (and
    the test that reads them fails)."""
    build = getattr(tags, "_build_box_tree", None)
    if build is None or getattr(build, "tags_languages", False):
        return

    def build_with_languages(box, parent, *args):
        element = getattr(box, "element", None)
        lang = None
        if element is not None and box.element_tag not in ("html", "body"):
            lang = element.get("lang")  # the document's is written already
        for built in build(box, parent, *args):
            if lang and "Lang" not in built:
                built["Lang"] = pydyf.String(lang)
            yield built

    build_with_languages.tags_languages = True
    tags._build_box_tree = build_with_languages
