"""The receipt of a submitted request: template → PDF/A with the answers attached → signature.

`render_receipt_html` and `build_receipt_pdf` take either a Jinja2 environment (Flask passes
its own) or the project's `templates/` directory; the template is `receipts/receipt.html`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import jinja2
from pyhanko.sign.signers import Signer
from pyhanko.sign.timestamps import TimeStamper

from wizard.receipts.context import receipt_context
from wizard.receipts.render import EmbeddedFile, render_pdf
from wizard.receipts.signing import sign_pdf
from wizard.receipts.verify import ANSWERS_FILENAME

TEMPLATE_NAME = "receipts/receipt.html"
SIGNATURE_REASON = "Accusé de réception / Receipt {reference}"
STAMP_TEXT = (
    "Signé électroniquement par / Digitally signed by\n"
    "%(signer)s\n"
    "Le / On %(ts)s\n"
    "Référence / Reference {reference}"
)


def receipt_environment(template_dir: Path) -> jinja2.Environment:
    """A plain Jinja2 environment over the project's `templates/` directory."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def render_receipt_html(receipt: dict, env: jinja2.Environment) -> str:
    """The receipt as HTML, ready for WeasyPrint."""
    return env.get_template(TEMPLATE_NAME).render(receipt_context(receipt))


def build_receipt_pdf(
    receipt: dict,
    *,
    answers_json: bytes,
    signer: Signer,
    timestamp_url: str | None = None,
    template_dir: Path | None = None,
    env: jinja2.Environment | None = None,
    timestamper: TimeStamper | None = None,
) -> bytes:
    """The signed PDF/A receipt, with `answers_json` attached as `answers.json`.

    `answers_json` must be the canonical JSON whose SHA-256 the receipt prints
    (`receipt["answers_sha256"]`); a mismatch raises `ValueError` rather than issue a receipt
    that contradicts itself.
    """
    if (env is None) == (template_dir is None):
        raise TypeError("Pass exactly one of `env` and `template_dir`.")
    if hashlib.sha256(answers_json).hexdigest() != receipt["answers_sha256"].lower():
        raise ValueError("answers_json does not match the receipt's answers_sha256.")
    html = render_receipt_html(receipt, env or receipt_environment(template_dir))
    base_url = str(template_dir) if template_dir is not None else None
    unsigned = render_pdf(html, base_url=base_url, attachments=[answers_attachment(answers_json)])
    reference = receipt["reference"]
    return sign_pdf(
        unsigned,
        signer,
        reason=SIGNATURE_REASON.format(reference=reference),
        timestamp_url=timestamp_url,
        timestamper=timestamper,
        stamp_text=STAMP_TEXT.format(reference=reference),
    )


def answers_attachment(answers_json: bytes) -> EmbeddedFile:
    return EmbeddedFile(
        filename=ANSWERS_FILENAME,
        content=answers_json,
        description="Réponses déposées, JSON canonique / Submitted answers, canonical JSON",
        mime_type="application/json",
        relationship="Data",
    )
