"""Steps 6–11: medical need, clinical evidence, benefit and risk, HCP support, certification,
period; and step 13, the declaration."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

from wtforms.validators import ValidationError

from wizard.forms import identifiers as idf
from wizard.forms.base import (
    StepForm,
    choice,
    coming_example,
    confirmation,
    iso_date,
    long_text,
    text,
)
from wizard.forms.choices import CLINICAL_INVESTIGATION_STATUS, NB_APPLICATION_STATUS
from wizard.forms.validators import RequiredIf, after_field, after_today, not_in_past
from wizard.i18n import gettext as _
from wizard.i18n import lazy_gettext as _l
from wizard.i18n import long_date


class MedicalNeedForm(StepForm):
    unmet_need = long_text(
        _l("Unmet medical need"),
        _l("Describe the unmet medical need."),
        # Worded for one patient and for many alike: the form is the same on both paths.
        hint=_l("Who has no satisfactory option today, and what happens without the device."),
    )
    alternatives_considered = long_text(
        _l("CE-marked alternatives considered"),
        _l("Describe the CE-marked alternatives you considered."),
        hint=_l(
            "The CE-marked devices that could be used instead: name each and say why it is "
            "unsuitable here. For one patient, the treatments already tried are on the "
            "patient step: refer to them rather than repeat them."
        ),
    )
    public_health_interest = long_text(
        # Article 59(1)'s test, whole: "public health or patient safety or health".
        _l("Interest for public health, or for patients' safety or health"),
        _l("Describe the interest for public health, or for patients' safety or health."),
        hint=_l(
            "What the device brings that nothing else does, for example: without it, the "
            "patient's life is at risk; or, for a group, how many patients would otherwise go "
            "untreated."
        ),
    )


class ClinicalEvidenceForm(StepForm):
    efficacy_summary = long_text(
        _l("Summary of efficacy data"),
        _l("Summarise the efficacy data."),
        hint=_l("Studies, number of patients, main results."),
    )
    safety_summary = long_text(
        _l("Summary of safety data"),
        _l("Summarise the safety data."),
    )
    known_incidents = long_text(
        _l("Incidents known"),
        _l("Describe the incidents known, or write “None known”."),
        hint=_l("Serious incidents and field safety corrective actions, in any country."),
    )


class BenefitRiskForm(StepForm):
    expected_benefit = long_text(
        _l("Expected benefit"),
        _l("Describe the expected benefit."),
        hint=_l("For the patient this request is for, or for the patients the device would treat."),
    )
    known_risks = long_text(_l("Known risks"), _l("Describe the known risks."))
    requirements_not_demonstrated = long_text(
        _l("Requirements whose conformity is not demonstrated"),
        _l("Describe which general safety and performance requirements are not demonstrated."),
        hint=_l("Refer to Annex I of Regulation (EU) 2017/745."),
    )
    mitigation = long_text(
        _l("Measures that reduce the risks"), _l("Describe the measures that reduce the risks.")
    )
    follow_up = long_text(
        _l("Follow-up you propose"),
        _l("Describe the follow-up you propose."),
        hint=_l("Clinical follow-up, reporting to ANSM, registries."),
    )


class HcpSupportForm(StepForm):
    """No questions: letters come by invitation (`wizard/invites`) or with `HcpLetterForm`."""


class CertificationForm(StepForm):
    # An application called planned, where the situation step gave the date one was lodged
    # (`validate_nb_application`, a warning).
    reads_other_steps = True
    changes_with_time = True  # the expected CE marking date, a planned application's
    live_dependents = {
        "nb_application": ("nb_application_date", "nb_number"),
        "nb_application_date": ("expected_ce_date",),
    }
    nb_application = choice(
        _l("Where is your application to a notified body?"),
        NB_APPLICATION_STATUS,
        _l(
            "Select whether your application to a notified body is lodged or planned, or that "
            "none is needed."
        ),
    )
    nb_application_date = iso_date(
        _l("Date of the application (or planned date)"),
        required_if=(
            "nb_application",
            {"lodged", "planned"},
            _l("Enter the date of the application to the notified body."),
        ),
    )
    nb_number = text(
        _l("Number of the notified body"),
        # Not asked when none is needed (a class I device): not kept then, as the date.
        RequiredIf(
            "nb_application",
            {"lodged", "planned"},
            _l("Enter the notified body's number."),
            required_for={"lodged"},
        ),
        hint=_l(
            "4 digits, as listed in NANDO, for example 2797. Required once the application is "
            "lodged; for a planned one, if you have chosen the notified body."
        ),
        rules=[idf.notified_body()],
        width="4",
        spellcheck=False,
    )
    clinical_investigation = choice(
        _l("Clinical investigation"),
        CLINICAL_INVESTIGATION_STATUS,
        _l("Select where the clinical investigation stands."),
    )
    clinical_investigation_reference = text(
        _l("Reference of the clinical investigation"),
        required_if=(
            "clinical_investigation",
            {"submitted"},
            _l("Enter the reference of the clinical investigation (for example its CIV-ID)."),
        ),
        hint=_l("Once it is submitted. For example the EUDAMED CIV-ID or the ANSM reference."),
        width="20",
    )
    expected_ce_date = iso_date(
        _l("Date you expect CE marking"),
        _l("Enter the date you expect CE marking."),
        rules=[
            after_today(lambda form: _("The expected CE marking date must be after today.")),
            # The notified body certifies after assessing the application.
            after_field(
                "nb_application_date",
                lambda form: _(
                    "CE marking comes after the notified body has assessed the application: "
                    "enter a date after that of the application, %(date)s.",
                    date=long_date(form.nb_application_date.data),
                ),
            ),
        ],
    )
    commitment = confirmation(
        _l(
            "The manufacturer commits to pursue CE certification of the device and understands "
            "that a derogation is never a way around conformity assessment."
        ),
        _l("Confirm the commitment to pursue CE certification."),
    )

    def validate_nb_application(self, field):
        # Only a class I device is certified without a notified body (the device step's
        # class; a device step not answered yet is asked first, as the steps come in order).
        device_class = self.context.get("device", {}).get("device_class")
        if field.data == "not_needed" and device_class != "I":
            raise ValidationError(
                _(
                    "A class %(device_class)s device needs a notified body to assess its "
                    "conformity (as given on the device step): choose whether your "
                    "application is lodged or planned.",
                    device_class=device_class,
                )
                if device_class
                else _(
                    "Give the device's class on the device step first: only a class I device "
                    "needs no notified body."
                )
            )
        # Accepted, but worth a second look: an application lodged before (the situation
        # step's date, which Regulation 2023/607 reads) may have ended, and a new one be
        # planned; more often, "planned" is a slip.
        lodged = self.context.get("situation", {}).get("mdr_application_date")
        if field.data == "planned" and lodged:
            field.warning = _(
                "On the regulatory situation step, you gave %(date)s as the date you lodged "
                "your MDR application. If that application is still open, choose “%(lodged)s”.",
                date=long_date(date.fromisoformat(lodged)),
                lodged=dict(NB_APPLICATION_STATUS)["lodged"],
            )

    def validate_nb_application_date(self, field):
        if not isinstance(field.data, date):
            return
        lodged = self.nb_application.data == "lodged"
        if lodged and field.data > _today():
            raise ValidationError(_("A lodged application's date cannot be in the future."))
        if self.nb_application.data == "planned" and field.data < _today():
            raise ValidationError(_("A planned application's date must be today or later."))
        # Accepted, but worth a second look: the situation step gave another date for the
        # application lodged (one may have ended and another been lodged since).
        given = self.context.get("situation", {}).get("mdr_application_date")
        if lodged and given and date.fromisoformat(given) != field.data:
            field.warning = _(
                "On the regulatory situation step, you gave %(date)s as the date you lodged "
                "your MDR application. Check which date is right.",
                date=long_date(date.fromisoformat(given)),
            )


def _today() -> date:
    from wizard import clock

    return clock.today()


# A period starting further ahead than this is said to be worth a second look.
FAR_START = timedelta(days=365)


class PeriodForm(StepForm):
    reads_other_steps = True  # the period must include the patient's date (`_needed_by`)
    changes_with_time = True  # its start, the patient's date
    live_dependents = {"start_date": ("end_date",)}
    start_date = iso_date(
        _l("Start of the period"),
        _l("Enter the start of the period."),
        rules=[not_in_past(lambda form: _("The period cannot start in the past."))],
    )
    end_date = iso_date(
        _l("End of the period"),
        _l("Enter the end of the period."),
        hint=coming_example(9),
        rules=[after_field("start_date", lambda form: _("The end must be after the start."))],
    )

    @property
    def intro(self):
        if self.context.get("access-type", {}).get("access_type") == "global":
            return _("Give the period for which you request the authorisation for the device.")
        return _(
            "Give a period that covers supplying the device and using it for this patient: "
            "the patient's follow-up goes on after it, as the decision says."
        )

    # The period must include the date the patient needs the device by: the field that
    # leaves it out is the one called wrong (a start after it, an end before it).
    def validate_start_date(self, field):
        if isinstance(field.data, date) and field.data > _today() + FAR_START:
            # Accepted, but worth a second look: 2027 typed for 2026, or a need that can wait.
            field.warning = _(
                "The period starts more than a year from today, on %(date)s: a derogation "
                "answers a need that cannot wait for CE marking. Check the start date.",
                date=long_date(field.data),
            )
        needed = self._needed_by()
        if needed and isinstance(field.data, date) and field.data > needed:
            if needed < _today():  # a draft left a while: no period can start by then now
                raise ValidationError(
                    _(
                        "The date the device is needed by, %(date)s, has passed: change it on "
                        "the patient step, then give the period.",
                        date=long_date(needed),
                    )
                )
            raise ValidationError(
                _(
                    "The period must start on or before %(date)s, the date the device is needed "
                    "by (given on the patient step).",
                    date=long_date(needed),
                )
            )

    def validate_end_date(self, field):
        needed = self._needed_by()
        if needed and isinstance(field.data, date) and field.data < needed:
            raise ValidationError(
                _(
                    "The period must end on or after %(date)s, the date the device is needed by "
                    "(given on the patient step).",
                    date=long_date(needed),
                )
            )
        # Accepted, but worth a second look: once CE marked, the device needs no derogation.
        expected = self.context.get("certification", {}).get("expected_ce_date")
        if expected and isinstance(field.data, date) and field.data > date.fromisoformat(expected):
            field.warning = _(
                "The period ends after %(date)s, the date you expect CE marking (path to "
                "certification step). Once CE marked, the device no longer needs this "
                "derogation: check the end date.",
                date=long_date(date.fromisoformat(expected)),
            )

    def _needed_by(self) -> date | None:
        """An individual request's date the device is needed by (the patient step)."""
        if self.context.get("access-type", {}).get("access_type") == "global":
            return None
        needed_by = self.context.get("patient", {}).get("needed_by")
        return date.fromisoformat(needed_by) if needed_by else None


class DeclarationForm(StepForm):
    live_dependents = {"signatory_name": ("signature",)}
    attest_accuracy = confirmation(
        _l("I declare that the information given is accurate and complete."),
        _l("Confirm that the information is accurate and complete."),
    )
    attest_responsibility = confirmation(
        _l(
            "I have the authority to file this request for the manufacturer, which remains "
            "responsible for the device."
        ),
        _l("Confirm that you have the authority to file for the manufacturer."),
    )
    attest_not_circumvention = confirmation(
        _l(
            "I understand that a derogation is not a way around conformity assessment, "
            "clinical investigation or marketing procedures."
        ),
        _l("Confirm that you understand a derogation is not a way around certification."),
    )
    # What the derogation does not lift: the manufacturer's vigilance (articles 87 to 89 of
    # Regulation 2017/745) and the traceability of each device supplied.
    attest_vigilance = confirmation(
        _l(
            "The manufacturer will report to ANSM without delay any serious incident and any "
            "field safety corrective action concerning the device, and will trace each device "
            "supplied (UDI, lot or serial number, establishment, patient)."
        ),
        _l("Confirm the commitment to report incidents and to trace each device."),
    )
    signatory_name = text(_l("Your full name"), _l("Enter your full name."), autocomplete="name")
    signatory_role = text(
        _l("Your role in the organisation"),
        _l("Enter your role, for example Regulatory affairs manager."),
        autocomplete="organization-title",
    )
    signature = text(
        _l("Type your full name to sign"),
        _l("Type your full name to sign the request."),
        hint=_l("Typing your name here has the value of your signature on this request."),
    )

    def validate_signature(self, field):
        # The same words, in either order ("Marie Dupont" for "Dupont Marie"), whatever the
        # case, the apostrophe (’ as phones and word processors type it, or ') and the
        # hyphen: the same name.
        if _name_words(field.data) != _name_words(self.signatory_name.data or ""):
            raise ValidationError(_("Type your name exactly as in “Your full name”."))


# Apostrophes and hyphens that look alike, each read as the plain one.
_LOOK_ALIKE = str.maketrans(
    {"’": "'", "‘": "'", "ʼ": "'", "´": "'", "`": "'", "‐": "-", "‑": "-", "–": "-", "—": "-"}
)


def _name_words(name: str) -> list[str]:
    """A typed name's words, as a signature compares them."""
    return sorted(unicodedata.normalize("NFC", name).translate(_LOOK_ALIKE).casefold().split())
