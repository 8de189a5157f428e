"""Steps 0–4: eligibility, regulatory situation, manufacturer, device, type of access."""

from __future__ import annotations

import unicodedata

from wtforms.validators import ValidationError

from wizard import clock
from wizard.forms import identifiers as idf
from wizard.forms.base import (
    StepForm,
    choice,
    iso_date,
    long_text,
    not_assigned_yet,
    select,
    text,
    yes_no,
)
from wizard.forms.choices import (
    ACCESS_TYPES,
    DEVICE_CLASS_CHOICES,
    EEA_COUNTRIES,
    NO_CE_REASONS,
    SIRENE_COUNTRIES,
    countries,
    country_name,
)
from wizard.forms.validators import DateRule, EmailAddress, RequiredWhen, not_in_future
from wizard.i18n import gettext as _
from wizard.i18n import lazy_gettext as _l
from wizard.i18n import long_date, ngettext

LEGACY = ("certificate_expired", "renewal_in_progress")
# Reasons of a certificate the device has or had otherwise (under the Regulation, or one its
# notified body stopped, or one for another use): ANSM reads it, and why it no longer serves.
CERTIFIED = (
    "mdr_certificate_expired",
    "mdr_renewal_in_progress",
    "certificate_withdrawn",
    "other_purpose",
)
# Those whose certificate has a date that matters: expired, expiring, or stopped on.
CERTIFICATE_DATED = ("mdr_certificate_expired", "mdr_renewal_in_progress", "certificate_withdrawn")


def outside_eea(country: object) -> bool:
    return bool(country) and country not in EEA_COUNTRIES


class MustBeYes:
    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data == "no":
            raise ValidationError(str(self.message))


class BeforeYouStartForm(StepForm):
    is_manufacturer = yes_no(
        _l("Are you filing for the manufacturer of the device?"),
        _l("Select yes if you are filing for the manufacturer of the device."),
        hint=_l("Only the manufacturer, or someone acting for it, can file this request."),
    )
    lacks_valid_ce = yes_no(
        _l("Does the device lack a valid CE marking for the use you are requesting?"),
        _l("Select yes if the device lacks a valid CE marking for this use."),
    )
    other_route = yes_no(
        _l(
            "Is the device custom-made, meant for a clinical investigation, or made and used "
            "within the same health establishment?"
        ),
        _l(
            "Select yes if the device is custom-made, meant for a clinical investigation, or "
            "made and used within the same health establishment."
        ),
        hint=_l("Such devices have their own rules in Regulation (EU) 2017/745."),
    )

    def validate_is_manufacturer(self, field):
        MustBeYes(
            _l(
                "Only the manufacturer, or someone acting for it, can file this request. If you "
                "are a hospital or a distributor, ask the manufacturer to file it."
            )
        )(self, field)

    def validate_other_route(self, field):
        if field.data == "yes":
            raise ValidationError(
                _(
                    "Such a device does not need this derogation: a custom-made device follows "
                    "article 52(8) and Annex XIII of Regulation (EU) 2017/745, a device for a "
                    "clinical investigation is used under that investigation's authorisation "
                    "(articles 62 to 82), and a device made and used within a health "
                    "establishment follows article 5(5)."
                )
            )

    def validate_lacks_valid_ce(self, field):
        MustBeYes(
            _l(
                "A device with a valid CE marking for this use does not need a derogation: "
                "it can be placed on the market normally."
            )
        )(self, field)


def _issuing_body(reasons, label):
    """The number of the notified body that issued the certificate the `reasons` ask about."""
    return text(
        label,
        required_if=(
            "reason",
            reasons,
            _l("Enter the number of the notified body that issued it."),
        ),
        hint=_l("4 digits, as listed in NANDO, for example 2797."),
        rules=[idf.notified_body()],
        width="4",
        spellcheck=False,
    )


def _past_for(reasons, message) -> DateRule:
    """A certificate's date that is past for the `reasons` saying it lapsed or was stopped."""
    return DateRule(
        lambda value, form: form.reason.data not in reasons or value <= clock.today(),
        message,
        other="reason",
    )


class SituationForm(StepForm):
    live_dependents = {
        "reason": ("legacy_certificate_expiry", "certificate_date", "mdr_application_date"),
        "written_agreement": ("mdr_application_date",),
    }
    reason = choice(
        _l("Why does the device not have a valid CE marking?"),
        NO_CE_REASONS,
        _l("Select why the device does not have a valid CE marking."),
    )
    reason_other = long_text(
        _l("Describe the reason"),
        hint=_l("Only if you chose “Another reason”."),
        required_if=("reason", {"other"}, _l("Describe why the device has no valid CE marking.")),
        max_length=1000,
    )
    legacy_certificate_number = text(
        _l("Number of the last MDD or AIMDD certificate"),
        required_if=(
            "reason",
            LEGACY,
            _l("Enter the number of the last MDD or AIMDD certificate."),
        ),
        hint=_l("Only if the certificate expired or its renewal is under way."),
        spellcheck=False,
        width="20",
    )
    legacy_certificate_expiry = iso_date(
        _l("Date the certificate expired or expires"),
        required_if=("reason", LEGACY, _l("Enter the date the certificate expired or expires.")),
        rules=[
            _past_for(
                {"certificate_expired"},
                lambda form: _(
                    "An expired certificate has an expiry date in the past: check the date, or "
                    "choose that its renewal is under way."
                ),
            )
        ],
    )
    legacy_notified_body = _issuing_body(
        LEGACY, _l("Number of the notified body that issued the MDD or AIMDD certificate")
    )
    written_agreement = yes_no(
        _l("Have you signed a written agreement with a notified body for your MDR certification?"),
        required_if=(
            "reason",
            LEGACY,
            _l(
                "Select yes if you have signed a written agreement with a notified body for your "
                "MDR certification."
            ),
        ),
    )
    written_agreement_date = iso_date(
        _l("Date the written agreement was signed"),
        required_if=(
            "written_agreement",
            {"yes"},
            _l("Enter the date the written agreement was signed."),
        ),
        hint=_l("Only if you signed one. For example 14 March 2024."),
        rules=[not_in_future(lambda form: _("The agreement date cannot be in the future."))],
    )
    certificate_number = text(
        _l("Number of the certificate"),
        required_if=("reason", CERTIFIED, _l("Enter the number of the certificate.")),
        hint=_l("The certificate the device has or had, as its notified body issued it."),
        spellcheck=False,
        width="20",
    )
    certificate_body = _issuing_body(
        CERTIFIED, _l("Number of the notified body that issued this certificate")
    )
    certificate_date = iso_date(
        _l("Date the certificate expired or expires, or was suspended or withdrawn"),
        required_if=(
            "reason",
            CERTIFICATE_DATED,
            _l("Enter the date the certificate expired or expires, or was suspended or withdrawn."),
        ),
        rules=[
            _past_for(
                {"mdr_certificate_expired", "certificate_withdrawn"},
                lambda form: _(
                    "This date is in the future: an expired, suspended or withdrawn "
                    "certificate has a date in the past. Check the date, or choose that the "
                    "certificate is being renewed."
                ),
            )
        ],
    )
    withdrawal_grounds = long_text(
        _l("Why the notified body suspended, restricted or withdrew it"),
        required_if=(
            "reason",
            {"certificate_withdrawn"},
            _l("Say why the notified body suspended, restricted or withdrew the certificate."),
        ),
        hint=_l(
            "As its letter says. Add the letter on the step “Clinical evidence” (a notified "
            "body's letter)."
        ),
        max_length=2000,
    )
    # Whatever the reason (a device never CE marked too): after the legacy certificate's group.
    mdr_application_date = iso_date(
        _l("Date you lodged your MDR application with a notified body"),
        RequiredWhen(
            "written_agreement",
            {"yes"},
            _l(
                "Enter the date you lodged your MDR application: a written agreement with a "
                "notified body follows one."
            ),
        ),
        hint=_l(
            "Leave empty if you have not lodged one (needed with a written agreement). For "
            "example 20 May 2024."
        ),
        rules=[not_in_future(lambda form: _("The application date cannot be in the future."))],
    )

    def validate_certificate_date(self, field):
        if (
            self.reason.data == "mdr_renewal_in_progress"
            and field.data
            and field.data > clock.today()
        ):
            # Accepted, but worth a second look: a certificate still valid needs no derogation.
            field.warning = _(
                "Your certificate is valid until %(date)s: until then the device has a valid CE "
                "marking and needs no derogation. Request a period that starts after that date, "
                "or explain on the step “Medical need” why a derogation is needed before it.",
                date=long_date(field.data),
            )


class ManufacturerForm(StepForm):
    live_dependents = {
        "country": ("siret", "representative_name", "representative_srn", "contact_phone", "srn"),
        "srn": ("no_srn",),
        "no_srn": ("srn",),
    }
    # Repeated in the emails to professionals (`links`: no web address, as below).
    legal_name = text(
        _l("Legal name of the manufacturer"),
        _l("Enter the manufacturer's legal name."),
        autocomplete="organization",
        links=False,
    )
    country = select(
        _l("Country of the registered office"),
        countries,
        _l("Choose the country of the registered office."),
        autocomplete="country",
    )
    address = long_text(
        _l("Address of the registered office"),
        _l("Enter the address of the registered office."),
        max_length=500,
    )
    # A manufacturer has an SRN once registered in EUDAMED, which it must be before placing a
    # device on the market: one whose first device this is may have none yet.
    srn = text(
        _l("Single registration number (SRN)"),
        RequiredWhen(
            "no_srn",
            {False},
            _l("Enter the manufacturer's SRN from EUDAMED, or tick the box below if it has none."),
        ),
        hint=_l(
            "From EUDAMED, for example FR-MF-000012345. If the manufacturer has none yet, tick "
            "the box below."
        ),
        rules=[
            idf.SrnWithRole(
                "MF",
                _l("The middle part of the manufacturer's SRN must be MF."),
                "FR-MF-000012345",
            )
        ],
        width="20",
        spellcheck=False,
    )
    no_srn = not_assigned_yet(
        _l("The manufacturer has no SRN yet"),
        "srn",
        _l("You entered an SRN and ticked that there is none: clear one or the other."),
        hint=_l("It is not registered in EUDAMED as a manufacturer yet."),
    )
    # Required of a manufacturer registered in France (overseas included: SIRENE_COUNTRIES); a
    # foreign one with an establishment in France has one too and may give it: checked and
    # kept, never dropped unseen.
    siret = text(
        _l("SIRET number"),
        RequiredWhen("country", SIRENE_COUNTRIES, _l("Enter the SIRET number (14 digits).")),
        hint=_l(
            "14 digits, on the Kbis extract. Required of a French manufacturer; a foreign one "
            "gives it only if it has an establishment in France."
        ),
        rules=[idf.NotSiren(), idf.siret()],
        width="20",
    )
    contact_name = text(
        _l("Contact person's full name"),
        _l("Enter the name of the person ANSM should contact."),
        autocomplete="name",
        links=False,
    )
    contact_email = text(
        _l("Contact person's email address"),
        _l("Enter the contact person's email address."),
        autocomplete="email",
        rules=[
            EmailAddress(_l("Enter an email address in the correct format, like name@example.com."))
        ],
        spellcheck=False,
    )
    contact_phone = text(
        _l("Contact person's phone number"),
        _l("Enter the contact person's phone number."),
        hint=_l(
            "With its country code if the manufacturer is outside France (even for a number "
            "in France), for example +33 1 23 45 67 89."
        ),
        autocomplete="tel",
        width="20",
    )
    representative_name = text(
        _l("Name of the authorised representative in the EU"),
        hint=_l("Only if the manufacturer is outside the EEA."),
        required_if=(
            "country",
            outside_eea,
            _l("Enter the authorised representative's name: the manufacturer is outside the EEA."),
        ),
    )
    representative_srn = text(
        _l("SRN of the authorised representative"),
        required_if=(
            "country",
            outside_eea,
            _l("Enter the authorised representative's SRN: the manufacturer is outside the EEA."),
        ),
        hint=_l("Only if the manufacturer is outside the EEA. For example DE-AR-000012345."),
        rules=[
            idf.SrnWithRole(
                "AR",
                _l("The middle part of the authorised representative's SRN must be AR."),
                "DE-AR-000012345",
            )
        ],
        width="20",
        spellcheck=False,
    )

    def validate_srn(self, field):
        # Accepted, but worth a second look: EUDAMED gives a manufacturer's SRN the code of the
        # country it is established in (France for its overseas regions; XI, Northern Ireland,
        # for some in the United Kingdom).
        country = self.country.data
        if field.errors or not field.data or not country:
            return
        given = field.data.split("-")[0]
        expected = {"FR"} if country in SIRENE_COUNTRIES else {country}
        if country == "GB":
            expected.add("XI")
        if given not in expected:
            field.warning = _(
                "This SRN starts with %(code)s (%(srn_country)s), while the registered office is "
                "in %(country)s: EUDAMED gives a manufacturer the code of the country it is "
                "established in. Check the SRN and the country.",
                code=given,
                srn_country=country_name(given),
                country=country_name(country),
            )

    def validate_contact_phone(self, field):
        field.data = _typed_separators(field.data)
        digits = "".join(ch for ch in field.data if ch.isdigit())
        allowed = set("0123456789 +-.()")
        if not set(field.data) <= allowed:
            raise ValidationError(
                _(
                    "Enter a phone number using digits, spaces and + - . ( ) only, for example "
                    "+33 1 23 45 67 89."
                )
            )
        typed = field.data.strip()
        in_france = self.country.data in (None, "", *SIRENE_COUNTRIES)
        if len(digits) < 6 or len(digits) > 15:
            raise ValidationError(
                ngettext(
                    "This number has %(num)d digit: a phone number has 6 to 15.",
                    "This number has %(num)d digits: a phone number has 6 to 15.",
                    len(digits),
                )
                + " "
                + (
                    _("A number in France has 10, for example 01 23 45 67 89.")
                    if in_france
                    else _("Start it with its country code, for example +49 30 1234 5678.")
                )
            )
        if in_france and not _french_number_complete(typed, digits):
            raise ValidationError(
                _(
                    "A phone number in France has 10 digits, for example 01 23 45 67 89. Outside "
                    "France, start with the country code, for example +49."
                )
            )
        if not in_france and not (typed.lstrip("(").startswith("+") or digits.startswith("00")):
            # Of a manufacturer abroad, a number without its country code cannot be dialled
            # from France, nor told from a French one.
            raise ValidationError(
                _(
                    "Start the number with its country code, for example +49 30 1234 5678 (+33 "
                    "for a number in France): the manufacturer is outside France."
                )
            )


def _typed_separators(number: str) -> str:
    """A number as pasted from a web page or an email signature, its digits grouped by
    no-break spaces (French typography) or typographic dashes: with typed ones."""
    separators = {"Zs": " ", "Pd": "-"}
    return "".join(separators.get(unicodedata.category(ch), ch) for ch in number)


def _french_number_complete(typed: str, digits: str) -> bool:
    """Of a manufacturer in France, a number without a country code is read as French (the
    hint asks for the code outside France): ten digits from a 0, or nine after +33 (a "(0)"
    after the code is how some write it). A digit missing or too many is a typing slip."""
    typed = typed.lstrip("(")  # "(+33) 1 23…"
    if typed.startswith("+33") or digits.startswith("0033"):
        national = digits.removeprefix("0033") if digits.startswith("0033") else digits[2:]
        return len(national.removeprefix("0")) == 9
    if typed.startswith("+") or digits.startswith("00"):
        return True  # another country's: its length is its own
    return len(digits) == 10 and digits.startswith("0")


class DeviceForm(StepForm):
    live_dependents = {"udi_di": ("no_udi_di",), "no_udi_di": ("udi_di",)}
    trade_name = text(_l("Trade name"), _l("Enter the device's trade name."), links=False)
    model = text(_l("Model or catalogue reference"), _l("Enter the model or catalogue reference."))
    # A UDI is assigned before a device is placed on the market: one that never was may have
    # none yet.
    udi_di = text(
        _l("UDI-DI"),
        RequiredWhen(
            "no_udi_di",
            {False},
            _l("Enter the device's UDI-DI, or tick the box below if none is assigned yet."),
        ),
        hint=_l(
            "The device identifier part of the UDI, from the label: a GS1 GTIN (8, 12, 13 or 14 "
            "digits) or a HIBCC, ICCBBA or IFA code. If none is assigned yet, tick the box below."
        ),
        rules=[idf.udi_di()],
        width="20",
        spellcheck=False,
    )
    no_udi_di = not_assigned_yet(
        _l("No UDI-DI is assigned to the device yet"),
        "udi_di",
        _l("You entered a UDI-DI and ticked that there is none: clear one or the other."),
        hint=_l("A UDI is assigned before a device is placed on the market anywhere."),
    )
    device_class = choice(
        _l("Risk class under the MDR"),
        DEVICE_CLASS_CHOICES,
        _l("Select the device's risk class."),
    )
    emdn_code = text(
        _l("EMDN code (optional)"),
        hint=_l("European Medical Device Nomenclature, for example P0704."),
        rules=[idf.emdn()],
        width="10",
        spellcheck=False,
    )
    implantable = yes_no(
        _l("Is the device implantable?"), _l("Select yes if the device is implantable.")
    )
    intended_purpose = long_text(
        _l("Intended purpose"),
        _l("Describe the device's intended purpose."),
        hint=_l("As stated in the instructions for use."),
        max_length=2000,
    )
    description = long_text(
        _l("Short description of the device"),
        _l("Describe the device briefly."),
        hint=_l("How it works, its main components, who uses it."),
        max_length=2000,
    )
    other_countries = long_text(
        _l("Status in other countries (optional)"),
        hint=_l(
            "For example: authorised in the United States (FDA 510(k) K123456), "
            "or derogations granted by other EU authorities."
        ),
        max_length=2000,
    )


class AccessTypeForm(StepForm):
    access_type = choice(
        _l("What type of authorisation are you requesting?"),
        ACCESS_TYPES,
        _l("Select individual or global."),
        hint=_l(
            "Individual: for one specifically identified patient. Global: for the device, "
            "for the patients who need it during a defined period."
        ),
    )
