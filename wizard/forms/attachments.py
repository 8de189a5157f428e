"""Upload forms: supporting documents (step 7) and HCP letters the manufacturer holds (step 9)."""

from __future__ import annotations

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms.validators import ValidationError

from wizard import uploads
from wizard.forms import identifiers as idf
from wizard.forms.base import choice, iso_date, text
from wizard.forms.validators import not_in_future, within_a_year
from wizard.i18n import gettext as _
from wizard.i18n import lazy_gettext as _l
from wizard.models import DocumentKind
from wizard.web import labelled_message

# Radios, not a list: a closed list cuts its choice short at 320 px wide (400 % zoom), and
# shows one choice of five at a time.
DOCUMENT_KINDS = [
    (DocumentKind.CLINICAL_EVALUATION, _l("Clinical evaluation report")),
    (DocumentKind.INSTRUCTIONS_FOR_USE, _l("Instructions for use")),
    (DocumentKind.RISK_MANAGEMENT, _l("Risk management file")),
    (DocumentKind.TEST_REPORT, _l("Test report")),
    (DocumentKind.CERTIFICATE, _l("Last CE certificate (expired, suspended or withdrawn)")),
    (
        DocumentKind.NOTIFIED_BODY_LETTER,
        _l("Notified body's letter (agreement, suspension or withdrawal)"),
    ),
    (DocumentKind.PATIENT_INFORMATION, _l("Patient information note")),
    (DocumentKind.OTHER, _l("Other document")),
]


class PdfFile(FileField):
    """A PDF upload, checked by content; the accepted bytes are kept in `content`."""

    content: bytes = b""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cap = uploads.human_size(current_app.config["MAX_UPLOAD_BYTES"])
        self.description = _("PDF only, %(size)s at most.", size=cap)

    def pre_validate(self, form):
        if not (self.data and self.data.filename) and (
            too_big := uploads.too_big_in_browser(self.name)
        ):
            raise ValidationError(labelled_message(too_big[0], uploads.too_big_message()))
        try:
            self.filename, self.content = uploads.read_pdf(
                self.data, current_app.config["MAX_UPLOAD_BYTES"]
            )
        except uploads.UploadRejected as error:
            # Named: the page comes back with the field empty (a browser never re-sends a file).
            chosen = self.data and self.data.filename
            message = labelled_message(uploads.named(chosen), error) if chosen else str(error)
            raise ValidationError(message) from None


class KeptPdfFile(PdfFile):
    """A PDF (a document, a signed letter). One accepted on an earlier try of the same form
    (the form's `kept_file`) stands in when no new file is chosen: a browser never re-sends a
    file."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = "PdfFile"  # the form macros render it as the PDF upload it is

    @property
    def kept_note(self) -> str | None:
        """The id of the note saying which file is kept, read with the field (a screen
        reader otherwise hears "no file chosen"), while one is."""
        return f"{self.id}-kept" if getattr(self._form, "kept_file", None) else None

    def pre_validate(self, form):
        chosen = (self.data and self.data.filename) or uploads.too_big_in_browser(self.name)
        if getattr(form, "kept_file", None) and not chosen:
            self.filename, self.content = None, b""
            return
        super().pre_validate(form)


def pdf_file(label):
    return PdfFile(label, render_kw={"accept": "application/pdf,.pdf"})


class DocumentForm(FlaskForm):
    kept_file = None  # set by the view: the file accepted on an earlier try, if any

    kind = choice(_l("Type of document"), DOCUMENT_KINDS, _l("Choose the type of document."))
    file = KeptPdfFile(_l("Document"), render_kw={"accept": "application/pdf,.pdf"})


class HcpLetterForm(FlaskForm):
    kept_file = None  # set by the view: the file accepted on an earlier try, if any

    author_name = text(_l("Author's full name"), _l("Enter the name of the letter's author."))
    author_rpps = text(
        _l("Author's RPPS number"),
        _l("Enter the author's RPPS number."),
        hint=_l("11 digits, on the professional's card."),
        rules=[idf.rpps()],
        inputmode="numeric",
        width="20",
        spellcheck=False,
    )
    specialty = text(_l("Author's specialty"), _l("Enter the author's specialty."))
    establishment = text(
        _l("Author's health establishment"), _l("Enter the author's health establishment.")
    )
    letter_date = iso_date(
        _l("Date of the letter"),
        _l("Enter the date of the letter."),
        rules=[
            not_in_future(lambda form: _("The letter's date cannot be in the future.")),
            within_a_year(
                lambda form: _(
                    "The letter's date cannot be more than a year ago: the urgency it states "
                    "must be current. Ask its author for a new letter."
                )
            ),
        ],
    )
    file = KeptPdfFile(_l("Signed letter"), render_kw={"accept": "application/pdf,.pdf"})
