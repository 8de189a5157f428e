"""Step 5: the patient (individual path) or the scope (global path)."""

from __future__ import annotations

import re

from flask_babel import LazyString
from wtforms.validators import ValidationError

from wizard import clock
from wizard.domain import identifiers as ids
from wizard.forms import identifiers as idf
from wizard.forms.base import (
    StepForm,
    choice,
    coming_date,
    confirmation,
    iso_date,
    long_text,
    number,
    text,
)
from wizard.forms.choices import PATIENT_SEX
from wizard.forms.validators import not_in_past
from wizard.i18n import gettext as _
from wizard.i18n import lazy_gettext as _l
from wizard.i18n import long_date

# Up to four: two compound names ("Jean-Pierre Le Goff" is JPLG).
_INITIALS = re.compile(r"[A-ZÀ-ÖØ-Þ]{1,4}")
_INITIALS_SEPARATORS = re.compile(r"[\s.\-\u2010\u2011'’]")
# A capital then two or more small letters, one word: how a first name is written.
_WRITTEN_AS_A_NAME = re.compile(r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]{2,}")
_VOWELS = re.compile(r"[aeiouyàâäéèêëîïôöùûüÿœæ]")


class PatientForm(StepForm):
    changes_with_time = True  # the date the device is needed by
    intro = _l(
        "Describe the patient by their initials, year of birth and sex only: these are "
        "pseudonymised health data. Never enter a name, a date of birth or a social security "
        "number."
    )

    patient_initials = text(
        _l("Patient's initials"),
        _l("Enter the patient's initials."),
        hint=_l("1 to 4 letters, for example JD."),
        width="4",
        spellcheck=False,
        autocapitalize="characters",  # a phone's keyboard would write "Jdm"
    )
    patient_birth_year = number(
        _l("Patient's year of birth"),
        _l("Enter the patient's year of birth."),
        minimum=1900,
        maximum=lambda: clock.today().year,
        hint=_l("4 digits, for example 1987."),
    )
    patient_sex = choice(_l("Patient's sex"), PATIENT_SEX, _l("Select the patient's sex."))
    establishment_name = text(
        _l("Health establishment where the patient is treated"),
        _l("Enter the name of the health establishment."),
    )
    establishment_finess = text(
        _l("FINESS number of the establishment"),
        _l("Enter the establishment's FINESS number."),
        hint=_l(
            "9 characters: the number of the site where the patient is treated (FINESS "
            "géographique), not of its legal entity, as the FINESS directory gives it."
        ),
        rules=[idf.finess()],
        width="10",
        spellcheck=False,
    )
    physician_name = text(
        _l("Treating physician's full name"), _l("Enter the treating physician's name.")
    )
    physician_rpps = text(
        _l("Treating physician's RPPS number"),
        _l("Enter the treating physician's RPPS number."),
        hint=_l("11 digits, on the professional's card."),
        rules=[idf.rpps()],
        inputmode="numeric",
        width="20",
        spellcheck=False,
    )
    physician_specialty = text(
        _l("Treating physician's specialty"), _l("Enter the treating physician's specialty.")
    )
    clinical_situation = long_text(
        _l("Patient's clinical situation"),
        _l("Describe the patient's clinical situation."),
        hint=_l("Diagnosis, stage, why the situation is urgent."),
    )
    alternatives_tried = long_text(
        _l("Treatments and alternatives already tried"),
        _l("Describe the treatments and alternatives already tried."),
        hint=_l("Say why each was unsuitable or failed (therapeutic deadlock)."),
    )
    needed_by = iso_date(
        _l("Date the device is needed by"),
        _l("Enter the date the device is needed by."),
        hint=LazyString(
            lambda: _(
                "The planned date of the procedure, for example %(date)s.",
                date=long_date(coming_date(3)),
            )
        ),
        rules=[
            not_in_past(lambda form: _("The date the device is needed by cannot be in the past."))
        ],
    )
    # A device without valid CE marking, used by derogation: the patient knows and agrees.
    patient_informed = confirmation(
        _l(
            "The treating physician has told the patient (or their legal representative) that "
            "the device has no valid CE marking and would be used by derogation, and the "
            "patient has agreed."
        ),
        _l("Confirm that the patient has been told and has agreed."),
    )

    def validate_patient_initials(self, field):
        # Written the one way ("J.D." and "J.-D.", a compound first name, are JD) once right;
        # shown back as typed when not.
        initials = _INITIALS_SEPARATORS.sub("", field.data).upper()
        if not _INITIALS.fullmatch(initials):
            raise ValidationError(
                _(
                    "Enter the patient's initials only, 1 to 4 letters, for example JD: "
                    "never their name."
                )
            )
        typed = field.data.strip()
        if _WRITTEN_AS_A_NAME.fullmatch(typed) and _VOWELS.search(typed[1:]):
            # Written as a name is (Léo, Eve, Ali), with a vowel after its capital: a first
            # name, not three initials ("Jdm", a phone's capital on initials, is not refused).
            raise ValidationError(
                _(
                    "“%(typed)s” is written as a first name: enter the patient's initials "
                    "only, for example LM for Léo Martin.",
                    typed=typed,
                )
            )
        if len(initials) == 4 and not _INITIALS_SEPARATORS.search(typed):
            # Four letters in one word may be a first name (Anne, Paul, JEAN): four initials
            # are written apart.
            raise ValidationError(
                _(
                    "Write four initials with dots or spaces between them, for example "
                    "J.-P. L. G.: four letters in one word may be a first name."
                )
            )
        field.data = initials

    def validate_patient_birth_year(self, field):
        if field.data is None:
            return
        if not 1000 <= field.data <= 9999:  # 20199 is a slip of the keyboard, not the future
            raise ValidationError(_("Enter the year of birth in 4 digits, for example 1987."))
        if field.data > clock.today().year:
            raise ValidationError(_("The year of birth cannot be in the future."))


def finess_checked(establishments: str | None) -> None:
    """A FINESS number given for an establishment, in a list of them one per line, is checked
    as everywhere else it is asked: "FINESS 12345" would reach ANSM, or its decision, as an
    establishment nobody can find."""
    for line, given, compact in ids.finess_numbers_in(establishments or ""):
        try:
            ids.validate_finess(compact)
        except ids.IdentifierError:
            raise ValidationError(
                _(
                    "Line %(line)d: “%(number)s” is not a valid FINESS number (9 characters "
                    "with a check key, for example 750712184): check it in the FINESS "
                    "directory, or leave it out.",
                    line=line,
                    number=given,
                )
            ) from None


class ScopeForm(StepForm):
    indication = long_text(
        _l("Indication"),
        _l("Describe the indication the device would be used for."),
        max_length=2000,
    )
    target_population = long_text(
        _l("Target population"),
        _l("Describe the patients the device would be used for."),
        hint=_l("Inclusion and exclusion criteria."),
        max_length=2000,
    )
    estimated_patients = number(
        _l("Estimated number of patients over the period"),
        _l("Enter the estimated number of patients."),
        minimum=1,
        maximum=100000,
        width="10",
    )
    establishments = long_text(
        _l("Health establishments concerned"),
        _l("List the health establishments concerned."),
        hint=_l(
            "One per line, with the city and, if you know it, the FINESS number after the "
            "word FINESS (for example: FINESS 750712184)."
        ),
        max_length=3000,
    )

    def validate_establishments(self, field):
        finess_checked(field.data)

    distribution_plan = long_text(
        _l("Distribution and traceability plan"),
        _l("Describe how the device will be distributed and traced."),
        hint=_l("How devices reach the establishments and how each one is traced to a patient."),
    )
    user_training = long_text(
        _l("Training of users"),
        _l("Describe how users will be trained."),
        max_length=3000,
    )
    # The individual path has the physician's confirmation that the patient was told and
    # agreed; for many patients, how it will be done.
    patient_information = long_text(
        _l("How patients are told and give their agreement"),
        _l("Describe how each patient is told about the derogation and gives their agreement."),
        hint=_l(
            "How each patient, or their legal representative, is told that the device has no "
            "valid CE marking and is used under a derogation granted by ANSM, with its expected "
            "benefits and risks, and how their agreement is collected. The information note "
            "can be added on the step “Clinical evidence”."
        ),
        max_length=3000,
    )
