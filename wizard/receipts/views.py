"""Receipt download (the filing organisation only) and the public verification page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from wizard import confined
from wizard.auth import limits
from wizard.filing.access import manufacturer_required, own_dossier
from wizard.i18n import gettext as _
from wizard.receipts import service
from wizard.review import downloads
from wizard.uploads import busy_message

bp = Blueprint("receipts", __name__)

# Receipts and decisions weigh about 60 KB; anything much larger is not one, and parsing a
# stranger's large PDF is what makes this page costly.
MAX_RECEIPT_BYTES = 2 * 1024 * 1024


@bp.get("/requests/<int:dossier_id>/receipt.pdf")
@manufacturer_required
def download(dossier_id: int):
    dossier = own_dossier(dossier_id)
    if dossier.reference is None:
        abort(404)
    return downloads.send_receipt(dossier)


@bp.route("/verify", methods=["GET", "POST"])
def verify():
    """Anyone may check a receipt: the verdict, and the request's status, nothing else."""
    if request.method != "POST":
        return verify_page()
    upload = request.files.get("receipt")
    content = upload.stream.read(MAX_RECEIPT_BYTES + 1) if upload and upload.filename else b""
    error = None
    # Kept back by the page, chosen above the size (`receipt-too-big`), or sent.
    if request.form.get("receipt-too-big") or len(content) > MAX_RECEIPT_BYTES:
        error = too_big()
    elif not content:
        error = _("Choose the receipt PDF to check.")
    elif b"%PDF-" not in content[:1024]:  # where a PDF reader looks for it
        error = _("This file is not a PDF: choose the receipt or decision PDF from the portal.")
    if error:
        return verify_page(error=error), 422
    limits.count_attempt()
    try:
        check = service.check_receipt(content)
    except confined.Busy:
        return verify_page(error=busy_message()), 503, {"Retry-After": "60"}
    current_app.logger.info("receipt check for %s: %s", check.verdict.reference, check.valid)
    return verify_page(check=check)


def too_big() -> str:
    return _("A receipt is smaller than 2 MB: this file is not one of our receipts.")


def verify_page(check=None, error: str | None = None) -> str:
    """The page, with its verdict or the error beside its field; the browser refuses a file
    above a receipt's size before sending it (`data-max-bytes`)."""
    return render_template(
        "receipts/verify.html",
        check=check,
        error=error,
        max_bytes=MAX_RECEIPT_BYTES,
        too_big=too_big(),
    )
