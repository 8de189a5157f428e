"""Forms of the manufacturer's side of a filed request: withdrawing it, answering ANSM's question
(a professional's answer through their link too), and a follow-up report on an authorisation."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField
from wtforms.validators import ValidationError

from wizard import clock
from wizard.forms import identifiers as idf
from wizard.forms.base import choice, iso_date, number, text
from wizard.forms.validators import DateRule, after_today, not_in_future
from wizard.i18n import gettext as _
from wizard.i18n import lazy_gettext as _l
from wizard.i18n import long_date
from wizard.models import FollowUpReport
from wizard.review.forms import asked_with, pdf_documents, reason_text, say_when_missing


class WithdrawRequestForm(FlaskForm):
    reason = reason_text(
        _l("Why do you withdraw this request?"),
        _l("Say why you withdraw this request."),
        _l(
            "ANSM reads it, and the email confirming the withdrawal repeats it to those who "
            "started and submitted the request and to its contact person: emails are not "
            "encrypted, leave out any patient's identity. Withdrawing cannot be undone: to ask "
            "again, file a new request."
        ),
    )


class ReplyForm(FlaskForm):
    """The manufacturer's reply to a question, and a professional's answer through a link."""

    message = reason_text(
        _l("Your answer"), _l("Enter your answer."), _l("ANSM reads it with the documents.")
    )
    documents = pdf_documents()


class FollowUpReportForm(FlaskForm):
    """A manufacturer's follow-up report on its authorisation (`review.follow_up`)."""

    patients_treated = number(
        _l("Patients treated so far"),
        _l(
            "Enter how many patients have received the device under this authorisation, 0 if "
            "none yet."
        ),
        minimum=0,
        maximum=1_000_000,
        hint=_l("Every patient since the authorisation, not only since your last report."),
    )
    certification = choice(
        _l("Where does the device's CE certification stand?"),
        [
            ("as_planned", _l("Under way as planned")),
            ("delayed", _l("Under way, but CE marking is now expected on another date")),
            ("certified", _l("The device now has its CE marking")),
            ("stopped", _l("No longer pursued: say why in your report")),
        ],
        _l("Say where the device's CE certification stands."),
        hint=_l("The authorisation rests on your commitment to pursue CE certification."),
    )
    ce_expected_on = iso_date(
        _l("Date CE marking is now expected"),
        hint=_l("If it is now expected on another date. For example 14 March 2028."),
        required_if=(
            "certification",
            {"delayed"},
            _l("Enter the date CE marking is now expected."),
        ),
        rules=[after_today(lambda form: _("The expected CE marking date must be after today."))],
    )
    certificate_number = text(
        _l("Number of the CE certificate"),
        required_if=(
            "certification",
            {"certified"},
            _l("Enter the number of the CE certificate."),
        ),
        hint=_l("If the device now has its CE marking: as the certificate prints it."),
        width="20",
        spellcheck=False,
    )
    certificate_body = text(
        _l("Number of the notified body that issued it"),
        required_if=("certification", {"certified"}, _l("Enter the notified body's number.")),
        hint=_l(
            "If the device now has its CE marking: 4 digits, as listed in NANDO, for example 2797."
        ),
        rules=[idf.notified_body()],
        width="4",
        spellcheck=False,
    )
    certificate_issued_on = iso_date(
        _l("Date the certificate was issued"),
        hint=_l("If the device now has its CE marking. For example 14 March 2026."),
        required_if=(
            "certification",
            {"certified"},
            _l("Enter the date the certificate was issued."),
        ),
        rules=[
            not_in_future(lambda form: _("The certificate's date cannot be in the future.")),
            DateRule(
                lambda value, form: form.filed_on is None or value >= form.filed_on,
                lambda form: _(
                    "The certificate cannot be dated before your request was filed, on "
                    "%(date)s: check the year.",
                    date=long_date(form.filed_on),
                ),
            ),
        ],
    )
    end_asked = BooleanField(
        _l("I ask ANSM to end this authorisation"),
        description=_l(
            "For example because the device now has its CE marking, or is no longer supplied: "
            "say why in your report. ANSM decides, and tells you; until then the authorisation "
            "stands."
        ),
    )
    # The date CE marking was expected by so far (the request's, or a later report's), and
    # the report that gave it (None: the request): `expecting`.
    expected: date | None = None
    expected_by_report: int | None = None
    certified_in: int | None = None  # the report that said the device CE-marked: `certified_by`
    filed_on: date | None = None  # the day the request was filed (`pages.new_report_form`)
    # The form's one-time mark (`follow_up.send`): written in the page, sent back as it was;
    # not checked (one that is not a mark the page writes is left out: `web.mark_of`).
    sent_as = HiddenField()
    message = reason_text(
        _l("Your report"),
        _l("Enter your report."),
        _l(
            "How the patients treated are followed, the incidents that occurred, and anything "
            "else the authorisation's conditions ask for. A serious incident is reported at "
            "once through vigilance (Regulation (EU) 2017/745, articles 87 to 89), not kept "
            "for a report."
        ),
    )
    documents = pdf_documents()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The date and the certificate are asked only with their answer (app.js).
        asked_with(self, self.certification, ["delayed"], self.ce_expected_on)
        asked_with(
            self,
            self.certification,
            ["certified"],
            self.certificate_number,
            self.certificate_body,
            self.certificate_issued_on,
        )

    def in_force(self, in_force: bool) -> FollowUpReportForm:
        """The authorisation's end is asked only of one in force or suspended."""
        if not in_force:
            del self.end_asked
        return self

    def expecting(self, expected: date | None, by_report: int | None) -> FollowUpReportForm:
        """The date CE marking is expected by so far, said beside the question and checked
        against: the request's (`by_report` None), or the last report's that gave one."""
        self.expected, self.expected_by_report = expected, by_report
        self._certification_hint = self.certification.description
        if expected is None:
            return self
        if by_report is None:
            said = _("Your request expected CE marking by %(date)s.", date=long_date(expected))
        else:
            said = _(
                "Your report no. %(number)d expected CE marking by %(date)s.",
                number=by_report,
                date=long_date(expected),
            )
        self.certification.description = f"{said} {self.certification.description}"
        return self

    def stopped_by(self, number: int) -> FollowUpReportForm:
        """The last report saying where certification stands said it was given up: said
        beside the question first, rather than the date it was expected by before."""
        said = _(
            "Your report no. %(number)d said CE certification was no longer pursued: say "
            "where it stands now.",
            number=number,
        )
        # In place of the date it was expected by (`expecting`), no longer what stands.
        self.certification.description = f"{said} {self._certification_hint}"
        return self

    def without_notified_body(self) -> FollowUpReportForm:
        """A class I device, filed as needing no notified body (MDR article 52(7)): its CE
        marking rests on the manufacturer's EU declaration of conformity, not on a notified
        body's certificate; no body's number is asked."""
        del self.certificate_body
        number, issued = self.certificate_number, self.certificate_issued_on
        number.label.text = _("Reference of the EU declaration of conformity")
        number.description = _("If the device now has its CE marking: as the declaration gives it.")
        issued.label.text = _("Date of the EU declaration of conformity")
        issued.description = _("If the device now has its CE marking. For example 14 March 2026.")
        say_when_missing(number, _("Enter the reference of the EU declaration of conformity."))
        say_when_missing(issued, _("Enter the date of the EU declaration of conformity."))
        return self

    def certified_by(self, report: FollowUpReport, number: int) -> FollowUpReportForm:
        """The device has its CE marking, as report no. `number` said: said beside the
        question instead of the date expected, "as planned" no longer offered, and refused
        (nothing is planned any more: a page opened before may send it), and its certificate
        written in again unless the form was sent."""
        self.certified_in = number
        self.certification.choices = [
            (value, label) for value, label in self.certification.choices if value != "as_planned"
        ]
        if "certificate_body" in self:
            said = _(
                "Your report no. %(number)d said the device has its CE marking (certificate "
                "%(certificate)s).",
                number=number,
                certificate=report.certificate_number,
            )
        else:
            said = _(
                "Your report no. %(number)d said the device has its CE marking (EU declaration "
                "of conformity %(declaration)s).",
                number=number,
                declaration=report.certificate_number,
            )
        self.certification.description = said
        if not self.is_submitted():
            self.certificate_number.data = report.certificate_number
            if "certificate_body" in self:
                self.certificate_body.data = report.certificate_body
            self.certificate_issued_on.data = report.certificate_issued_on
        return self

    def validate_certification(self, field):
        if field.data == "as_planned" and self.certified_in is not None:
            field.errors[:] = []  # not offered any more: why, rather than "one of the options"
            raise ValidationError(
                _(
                    "Your report no. %(number)d said the device has its CE marking: choose that "
                    "it still has it, that CE marking is now expected on another date (its "
                    "certificate suspended or withdrawn: say why in your report), or that its "
                    "certification is no longer pursued.",
                    number=self.certified_in,
                )
            )
        # "As planned" once the date planned has passed without a certificate cannot be.
        if field.data == "as_planned" and self.expected and self.expected < clock.today():
            raise ValidationError(
                _(
                    "CE marking was expected by %(date)s, which has passed: choose that the "
                    "device now has it, that it is expected on another date, or that its "
                    "certification is no longer pursued.",
                    date=long_date(self.expected),
                )
            )

    def validate_ce_expected_on(self, field):
        if not field.errors and self.expected is not None and field.data == self.expected:
            raise ValidationError(
                _(
                    "CE marking was already expected by %(date)s: choose “Under way as "
                    "planned”, or enter the new date.",
                    date=long_date(self.expected),
                )
            )

    def answers(self) -> dict:
        """Where the certification stands and whether the authorisation's end is asked, as the
        report records them: the answers that apply (`FollowUpReport`'s columns)."""
        chosen = self.certification.data
        return {
            "end_asked": "end_asked" in self and bool(self.end_asked.data),
            "certification": chosen,
            "ce_expected_on": self.ce_expected_on.data if chosen == "delayed" else None,
            "certificate_number": self.certificate_number.data if chosen == "certified" else None,
            "certificate_body": (
                self.certificate_body.data
                if chosen == "certified" and "certificate_body" in self
                else None
            ),
            "certificate_issued_on": (
                self.certificate_issued_on.data if chosen == "certified" else None
            ),
        }
