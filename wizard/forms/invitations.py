"""Invitations: the manufacturer's invite form (step 9) and the clinician's letter form."""

from __future__ import annotations

from flask_wtf import FlaskForm

from wizard.forms import identifiers as idf
from wizard.forms.attachments import KeptPdfFile
from wizard.forms.base import confirmation, iso_date, long_text, text
from wizard.forms.validators import EmailAddress, not_in_future, within_a_year
from wizard.i18n import gettext as _
from wizard.i18n import lazy_gettext as _l

MESSAGE_MAX = 1000
# A healthcare professional's address, invited to send a letter or to answer ANSM.
PROFESSIONAL_EMAIL = EmailAddress(
    _l("Enter the email address in the correct format, like name@hospital.fr."),
    ascii_local=True,
)
URGENCY_MAX = 2000


class InvitationForm(FlaskForm):
    clinician_name = text(
        _l("Full name of the healthcare professional"),
        _l("Enter the name of the healthcare professional."),
        hint=_l("For example Dr Anne Leroy."),
        links=False,
    )
    email = text(
        _l("Their email address"),
        _l("Enter the healthcare professional's email address."),
        hint=_l("We send the invitation link there. Only this person should receive it."),
        autocomplete="off",
        rules=[PROFESSIONAL_EMAIL],
        spellcheck=False,
    )
    role = text(
        _l("Their role or specialty"),
        _l("Enter the healthcare professional's role or specialty."),
        hint=_l("For example paediatric cardiac surgeon, or head of the cardiology department."),
        links=False,
    )
    message = long_text(
        _l("Personal message (optional)"),
        hint=_l("Shown in the email and on their page. Say why you ask them."),
        max_length=MESSAGE_MAX,
        # The professional's only link is the one the email brings.
        links=False,
    )


class ClinicianLetterForm(FlaskForm):
    kept_file = None  # set by the view: the file accepted on an earlier try, if any

    author_name = text(
        _l("Your full name"), _l("Enter your full name."), autocomplete="name", links=False
    )
    author_rpps = text(
        _l("Your RPPS number"),
        _l("Enter your RPPS number."),
        hint=_l("11 digits, on your professional card (CPS)."),
        rules=[idf.rpps(own=True)],
        inputmode="numeric",
        width="20",
        spellcheck=False,
    )
    specialty = text(_l("Your specialty"), _l("Enter your specialty."))
    establishment = text(
        _l("Your health establishment"),
        _l("Enter the name of your health establishment."),
        autocomplete="organization",
    )
    establishment_finess = text(
        _l("FINESS number of the establishment (optional)"),
        hint=_l(
            "9 characters: the number of the site where you work (FINESS géographique), not "
            "of its legal entity, as the FINESS directory gives it."
        ),
        rules=[idf.finess()],
        width="10",
        spellcheck=False,
    )
    urgency_statement = long_text(
        _l("Why is it urgent for the patient or patients?"),
        _l("Describe briefly why the device is urgently needed."),
        hint=_l("A few sentences: your signed letter gives the details."),
        max_length=URGENCY_MAX,
    )
    letter_date = iso_date(
        _l("Date of your letter"),
        _l("Enter the date of your letter."),
        rules=[
            not_in_future(lambda form: _("Your letter's date cannot be in the future.")),
            within_a_year(
                lambda form: _(
                    "Your letter's date cannot be more than a year ago: the urgency it states "
                    "must be current. Write and sign a new letter."
                )
            ),
        ],
    )
    file = KeptPdfFile(_l("Your signed letter"), render_kw={"accept": "application/pdf,.pdf"})
    is_author = confirmation(
        _l("I am the author of this letter"),
        _l("Confirm that you are the author of this letter."),
    )

    def about(self, kind: str | None) -> ClinicianLetterForm:
        """Its questions worded for the request: one patient (individual), or the patients
        the device would treat (global); both while the manufacturer has not chosen yet."""
        if kind in URGENCY_LABELS:
            self.urgency_statement.label.text = URGENCY_LABELS[kind]
        return self


URGENCY_LABELS = {
    "individual": _l("Why is it urgent for this patient?"),
    "global": _l("Why is it urgent for the patients?"),
}
