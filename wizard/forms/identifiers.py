"""Identifier fields: each domain check paired with messages a person can act on."""

from __future__ import annotations

from wtforms.validators import ValidationError

from wizard.domain import identifiers as ids
from wizard.forms.validators import Identifier
from wizard.i18n import gettext as _


class SrnWithRole(Identifier):
    """An SRN that must carry one role: MF for the manufacturer, AR for its representative.
    `role_message` is a whole sentence (never assembled from parts, so it translates well)."""

    def __init__(self, role_code: str, role_message, example: str):
        super().__init__(
            ids.validate_srn,
            lambda: {
                "empty": _("Enter the SRN."),
                "format": _(
                    "Enter the SRN as country-role-9 digits, for example %(example)s.",
                    example=example,
                ),
                "length": _("The last part of an SRN has exactly 9 digits."),
                "country": _("The SRN must start with a real country code, such as FR, DE or US."),
                "role": str(role_message),
                "placeholder": _(
                    "An SRN whose number is only zeros is an example, not a real one: enter "
                    "the SRN EUDAMED gave."
                ),
            },
        )
        self.role_code = role_code
        self.role_message = role_message

    def __call__(self, form, field):
        super().__call__(form, field)
        if field.data.split("-")[1] != self.role_code:
            raise ValidationError(str(self.role_message))


def udi_di() -> Identifier:
    return Identifier(
        ids.validate_udi_di,
        lambda: {
            "empty": _("Enter the UDI-DI."),
            "format": _(
                "Enter the UDI-DI as printed on the label: a GS1 GTIN of 8, 12, 13 or 14 digits, "
                "or a HIBCC, ICCBBA or IFA code, written as one word."
            ),
            "length": _("A GS1 UDI-DI (GTIN) has 8, 12, 13 or 14 digits."),
            "checksum": _(
                "The last digit of this GTIN does not match the others (check digit): "
                "check it for a typing mistake."
            ),
            "placeholder": _("A UDI-DI of zeros only is not a real one: copy it from the label."),
            "letter_for_digit": _(
                "This looks like a GS1 GTIN with a letter typed for a digit (O for 0, I or l "
                "for 1): type it with digits only, as printed on the label."
            ),
        },
        normalise=lambda udi: udi.value,
        warning=lambda udi: (
            _(
                "This is not a GS1 GTIN, so its check digit cannot be checked here: it is accepted "
                "as a HIBCC, ICCBBA or IFA code. Compare it with the label once more."
            )
            if udi.issuer == ids.UDI_ISSUER_OTHER
            else None
        ),
    )


def notified_body() -> Identifier:
    return Identifier(
        ids.validate_notified_body_number,
        lambda: {
            "empty": _("Enter the notified body's number."),
            "format": _("A notified body number has 4 digits, for example 2797 (see NANDO)."),
            "length": _("A notified body number has 4 digits, for example 2797 (see NANDO)."),
            "placeholder": _("0000 is no notified body's number: find its 4 digits in NANDO."),
        },
    )


def siret() -> Identifier:
    return Identifier(
        ids.validate_siret,
        lambda: {
            "empty": _("Enter the SIRET number."),
            # Said whatever the length: a letter or another sign among the digits is the slip.
            "format": _("A SIRET number is made of 14 digits only: remove any letter or sign."),
            "length": _("A SIRET number has 14 digits."),
            "checksum": _(
                "This SIRET number is not valid (its check digit does not match): "
                "copy it again from the Kbis extract or the INSEE notice."
            ),
            "placeholder": _(
                "A SIRET number of zeros only is not a real one: copy it from the Kbis extract "
                "or the INSEE notice."
            ),
        },
    )


class NotSiren:
    """A SIRET field given a SIREN (the company's 9 digits, which people know best): said as
    such, with where the other 5 are found."""

    def __call__(self, form, field):
        if ids.is_siren_for_siret(field.data):
            raise ValidationError(
                _(
                    "This looks like a SIREN number (9 digits). The SIRET has 14: the SIREN "
                    "followed by the 5 digits of the establishment (NIC), as on the Kbis extract "
                    "or the INSEE notice."
                )
            )


def rpps(*, own: bool = False) -> Identifier:
    """An RPPS number; `own`: the professional's own, typed by them (their letter's page),
    whose messages speak of "your card"."""

    def messages():
        if own:
            checksum = _(
                "This RPPS number is not valid (its check digit does not match): check it on "
                "your professional card (CPS) or in the RPPS directory."
            )
            placeholder = _(
                "An RPPS number of zeros only is not a real one: check it on your professional "
                "card (CPS) or in the RPPS directory."
            )
        else:
            checksum = _(
                "This RPPS number is not valid (its check digit does not match): "
                "check it on the professional's card or in the RPPS directory."
            )
            placeholder = _(
                "An RPPS number of zeros only is not a real one: check it on the professional's "
                "card or in the RPPS directory."
            )
        return {
            "empty": _("Enter the RPPS number."),
            # Said whatever the length: a letter or another sign among the digits is the slip.
            "format": _("An RPPS number is made of 11 digits only: remove any letter or sign."),
            "length": _("An RPPS number has 11 digits."),
            "checksum": checksum,
            "placeholder": placeholder,
        }

    return Identifier(ids.validate_rpps, messages)


def finess() -> Identifier:
    return Identifier(
        ids.validate_finess,
        lambda: {
            "empty": _("Enter the FINESS number."),
            # Said whatever the length: a letter typed among nine characters is the slip.
            "format": _(
                "A FINESS number is made of digits only, but for the département at its start, "
                "which may be 2A or 2B: for example 750712184."
            ),
            "length": _("A FINESS number has 9 characters."),
            "checksum": _(
                "This FINESS number is not valid (its check key does not match): "
                "check it in the FINESS directory."
            ),
            "placeholder": _(
                "A FINESS number of zeros only is not a real one: check it in the FINESS directory."
            ),
        },
    )


def emdn() -> Identifier:
    return Identifier(
        ids.validate_emdn,
        lambda: {
            "empty": _("Enter the EMDN code."),
            "format": _("An EMDN code is a letter followed by digits, for example P0704."),
            "length": _("An EMDN code is a letter followed by 2 to 12 digits."),
        },
    )
