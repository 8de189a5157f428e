"""A filer who types something wrong is told what and where — next to the field and in the error
summary — keeps everything else they typed, and no half-valid step is stored (DESIGN.md §6).
The same messages come back live (htmx) and on the upload forms."""

from __future__ import annotations

import hashlib
import html
import io
import re
import time
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from babel.dates import format_date
from markupsafe import escape
from wtforms.validators import ValidationError

from tests.conftest import dossier_with, login, make_user, post_step, statements_sent
from wizard import clock, uploads
from wizard.auth import held
from wizard.demo import minimal_pdf, sample_answers, sample_declaration, sample_letter
from wizard.extensions import db
from wizard.filing import service
from wizard.forms.base import to_formdata
from wizard.models import Dossier, Role, User

CONTROL = "Remove the invisible control characters from this answer (they were pasted in)."
CHOOSE = "Choose one of the options listed."
# The example is a date to come (14 March of next year): the date asked may be one that must
# not be past.
_NEXT = clock.today().year + 1
BAD_DATE = f"Enter a real date: day, month and year, for example 14 March {_NEXT} or 14/03/{_NEXT}."
BAD_YEAR = "Check the year: enter a year between 1900 and 2100."
NOT_A_NUMBER = "Enter a whole number in figures, with no letters or decimals."
NB_DIGITS = "A notified body number has 4 digits, for example 2797 (see NANDO)."
RPPS_CHECK = (
    "This RPPS number is not valid (its check digit does not match): "
    "check it on the professional's card or in the RPPS directory."
)
GTIN_CHECK = (
    "The last digit of this GTIN does not match the others (check digit): "
    "check it for a typing mistake."
)
NOT_PDF = (
    "The selected file is not a PDF document. Save or export it as PDF first, then choose that "
    "file."
)
FRENCH_PHONE = (
    "A phone number in France has 10 digits, for example 01 23 45 67 89. Outside France, start "
    "with the country code, for example +49."
)


# Dates are worked out when a test runs, not when it is collected: a run that crosses
# midnight in Paris (CI runs at any hour) would otherwise expect yesterday's dates.
def needed_by() -> date:
    return date.fromisoformat(sample_answers()["patient"]["needed_by"])


def must_start_by() -> str:
    return (
        f"The period must start on or before {format_date(needed_by(), 'long', locale='en_GB')}, "
        "the date the device is needed by (given on the patient step)."
    )


def must_end_after() -> str:
    return (
        f"The period must end on or after {format_date(needed_by(), 'long', locale='en_GB')}, "
        "the date the device is needed by (given on the patient step)."
    )


def day(offset: int) -> str:
    return (clock.today() + timedelta(days=offset)).isoformat()


def long_day(offset: int) -> str:
    return format_date(clock.today() + timedelta(days=offset), "long", locale="en_GB")


def too_long(cap: int) -> tuple[str, str]:
    return "x" * (cap + 1), f"Use {cap:,} characters or fewer (you have {cap + 1:,})."


def bad(step, field, value, message, label, **also):
    return pytest.param(step, {field: value, **also}, field, message, id=f"{step}:{label}")


def long(step, field, cap, label="too-long", **also):
    return bad(step, field, *too_long(cap), label, **also)


WITHDRAWN_CERTIFICATE = {
    "reason": "certificate_withdrawn",
    "certificate_number": "MDR 0123-4567",
    "certificate_body": "2797",
    "certificate_date": "2026-01-15",
    "withdrawal_grounds": "Clinical data found insufficient at the surveillance audit.",
}
US_WITH_REPRESENTATIVE = {"country": "US", "siret": None, "representative_name": "EU Rep GmbH"}


def bad_answers() -> list:
    """Every bad answer, with its message: built when each test runs (`needed_by`)."""
    return [
    bad("before-you-start", "is_manufacturer", None,
        "Select yes if you are filing for the manufacturer of the device.", "unanswered"),
    bad("before-you-start", "is_manufacturer", "no",
        "Only the manufacturer, or someone acting for it, can file this request. If you are a "
        "hospital or a distributor, ask the manufacturer to file it.", "not-the-manufacturer"),
    bad("before-you-start", "lacks_valid_ce", "no",
        "A device with a valid CE marking for this use does not need a derogation: it can be "
        "placed on the market normally.", "device-already-ce-marked"),
    bad("before-you-start", "lacks_valid_ce", "maybe", CHOOSE, "unknown-radio-value"),
    bad("before-you-start", "other_route", None,
        "Select yes if the device is custom-made, meant for a clinical investigation, or made "
        "and used within the same health establishment.", "other-route-unanswered"),
    bad("before-you-start", "other_route", "yes",
        "Such a device does not need this derogation: a custom-made device follows article "
        "52(8) and Annex XIII of Regulation (EU) 2017/745, a device for a clinical "
        "investigation is used under that investigation's authorisation (articles 62 to 82), "
        "and a device made and used within a health establishment follows article 5(5).",
        "custom-made-or-investigational"),
    bad("situation", "reason", None,
        "Select why the device does not have a valid CE marking.", "reason-unanswered"),
    bad("situation", "reason", "lost", CHOOSE, "unknown-reason"),
    bad("situation", "reason_other", None, "Describe why the device has no valid CE marking.",
        "other-reason-undescribed", reason="other"),
    long("situation", "reason_other", 1000, "other-reason-too-long", reason="other"),
    bad("situation", "legacy_certificate_number", None,
        "Enter the number of the last MDD or AIMDD certificate.", "certificate-missing"),
    long("situation", "legacy_certificate_number", 200),
    bad("situation", "legacy_certificate_number", "MDD\x07-2019", CONTROL, "bell-character"),
    bad("situation", "legacy_certificate_expiry", "2024-02-30", BAD_DATE, "unreal-date"),
    bad("situation", "legacy_certificate_expiry", day(30),
        "An expired certificate has an expiry date in the past: check the date, or choose that "
        "its renewal is under way.", "expired-in-the-future"),
    bad("situation", "legacy_notified_body", "27970", NB_DIGITS, "five-digit-nb"),
    bad("situation", "legacy_notified_body", "NB 0000",
        "0000 is no notified body's number: find its 4 digits in NANDO.", "nb-of-zeros"),
    bad("situation", "legacy_notified_body", "TÜV", NB_DIGITS, "nb-name-not-number"),
    bad("situation", "mdr_application_date", day(5),
        "The application date cannot be in the future.", "application-in-future"),
    bad("situation", "written_agreement", "perhaps", CHOOSE, "unknown-radio-value"),
    bad("situation", "written_agreement_date", None,
        "Enter the date the written agreement was signed.", "agreement-undated",
        written_agreement="yes"),
    bad("situation", "written_agreement_date", day(1),
        "The agreement date cannot be in the future.", "agreement-in-future",
        written_agreement="yes"),
    bad("situation", "certificate_number", None, "Enter the number of the certificate.",
        "withdrawn-certificate-unnumbered",
        **{**WITHDRAWN_CERTIFICATE, "certificate_number": None}),
    bad("situation", "certificate_body", "27970", NB_DIGITS, "other-use-certificate-body",
        reason="other_purpose", certificate_number="CE 123456"),
    bad("situation", "certificate_date", day(10),
        "This date is in the future: an expired, suspended or withdrawn certificate has a date "
        "in the past. Check the date, or choose that the certificate is being renewed.",
        "withdrawn-in-the-future", **{**WITHDRAWN_CERTIFICATE, "certificate_date": day(10)}),
    bad("situation", "withdrawal_grounds", None,
        "Say why the notified body suspended, restricted or withdrew the certificate.",
        "withdrawn-without-grounds", **{**WITHDRAWN_CERTIFICATE, "withdrawal_grounds": None}),
    # Without it, the Regulation (EU) 2023/607 notice could not be given (`legacy_notice`).
    bad("situation", "mdr_application_date", None,
        "Enter the date you lodged your MDR application: a written agreement with a notified "
        "body follows one.", "agreement-without-application", written_agreement="yes",
        written_agreement_date=day(-30)),
    bad("manufacturer", "legal_name", None, "Enter the manufacturer's legal name.", "empty"),
    bad("manufacturer", "legal_name", "Cardiotech\u202eSAS", CONTROL, "bidi-override"),
    # Word's line break, pasted: it would keep the invitations' emails from leaving.
    bad("manufacturer", "legal_name", "Cardiotech\u2028Médical SAS", CONTROL, "line-separator"),
    long("manufacturer", "legal_name", 200),
    bad("manufacturer", "country", None,
        "Choose the country of the registered office.", "no-country"),
    bad("manufacturer", "country", "XX", CHOOSE, "unknown-country"),
    long("manufacturer", "address", 500),
    # An accent pasted apart from its letter (macOS, some PDFs: NFD) counts once, as seen.
    bad("manufacturer", "address", "e\u0301" * 501,
        "Use 500 characters or fewer (you have 501).", "decomposed-accents-counted-once"),
    bad("manufacturer", "srn", "FR-IM-000012345",
        "The middle part of the manufacturer's SRN must be MF.", "importer-srn"),
    bad("manufacturer", "srn", "FR-XX-000012345",
        "The middle part of the manufacturer's SRN must be MF.",
        "unknown-srn-role"),
    bad("manufacturer", "srn", "FR-MF-12345",
        "The last part of an SRN has exactly 9 digits.", "short-srn"),
    bad("manufacturer", "srn", "ZZ-MF-000012345",
        "The SRN must start with a real country code, such as FR, DE or US.", "srn-country"),
    bad("manufacturer", "srn", "FRMF000012345",
        "Enter the SRN as country-role-9 digits, for example FR-MF-000012345.", "srn-format"),
    bad("manufacturer", "srn", None,
        "Enter the manufacturer's SRN from EUDAMED, or tick the box below if it has none.",
        "no-srn"),
    bad("manufacturer", "no_srn", True,
        "You entered an SRN and ticked that there is none: clear one or the other.",
        "srn-and-none"),
    bad("manufacturer", "siret", None, "Enter the SIRET number (14 digits).", "french-no-siret"),
    bad("manufacturer", "siret", "73282932000075",
        "This SIRET number is not valid (its check digit does not match): copy it again from "
        "the Kbis extract or the INSEE notice.", "siret-check-digit"),
    bad("manufacturer", "siret", "7328293200", "A SIRET number has 14 digits.", "short-siret"),
    # Zeros pass every check digit: a filler, said so.
    bad("manufacturer", "siret", "000 000 000 00000",
        "A SIRET number of zeros only is not a real one: copy it from the Kbis extract or the "
        "INSEE notice.", "siret-of-zeros"),
    bad("manufacturer", "srn", "FR-MF-000000000",
        "An SRN whose number is only zeros is an example, not a real one: enter the SRN "
        "EUDAMED gave.", "srn-of-zeros"),
    bad("manufacturer", "siret", "732 829 320",
        "This looks like a SIREN number (9 digits). The SIRET has 14: the SIREN followed by the "
        "5 digits of the establishment (NIC), as on the Kbis extract or the INSEE notice.",
        "siren-for-siret"),
    bad("manufacturer", "contact_name", None,
        "Enter the name of the person ANSM should contact.", "no-contact"),
    bad("manufacturer", "contact_email", "claire.martin@",
        "Enter an email address in the correct format, like name@example.com.", "bad-email"),
    bad("manufacturer", "contact_phone", "call reception",
        "Enter a phone number using digits, spaces and + - . ( ) only, for example +33 1 23 45 "
        "67 89.",
        "phone-in-words"),
    bad("manufacturer", "contact_phone", "0612",
        "This number has 4 digits: a phone number has 6 to 15. A number in France has 10, for "
        "example 01 23 45 67 89.", "phone-too-short"),
    bad("manufacturer", "contact_phone", "+1 555 0100 2000 3000 4",
        "This number has 17 digits: a phone number has 6 to 15. Start it with its country "
        "code, for example +49 30 1234 5678.", "phone-too-long-abroad",
        **US_WITH_REPRESENTATIVE),
    bad("manufacturer", "contact_phone", "04 72 12 34 5", FRENCH_PHONE, "french-digit-missing"),
    bad("manufacturer", "contact_phone", "+33 4 72 12 34 56 7", FRENCH_PHONE, "plus-33-long"),
    bad("manufacturer", "representative_name", None,
        "Enter the authorised representative's name: the manufacturer is outside the EEA.",
        "us-without-representative", country="US", siret=None,
        representative_srn="DE-AR-000012345"),
    bad("manufacturer", "representative_srn", None,
        "Enter the authorised representative's SRN: the manufacturer is outside the EEA.",
        "us-without-representative-srn", **US_WITH_REPRESENTATIVE),
    bad("manufacturer", "representative_srn", "DE-MF-000012345",
        "The middle part of the authorised representative's SRN must be AR.",
        "representative-with-manufacturer-srn", **US_WITH_REPRESENTATIVE),
    bad("device", "trade_name", None, "Enter the device's trade name.", "empty"),
    long("device", "model", 200),
    bad("device", "udi_di", "3760123456785", GTIN_CHECK, "gtin-check-digit"),
    bad("device", "udi_di", "0000000000000",
        "A UDI-DI of zeros only is not a real one: copy it from the label.", "gtin-of-zeros"),
    bad("device", "udi_di", "3760123456",
        "A GS1 UDI-DI (GTIN) has 8, 12, 13 or 14 digits.", "gtin-length"),
    bad("device", "udi_di", "3760\x07123456784", CONTROL, "bell-character"),
    bad("device", "udi_di", "3760-1234-5678-5", GTIN_CHECK, "gtin-with-dashes"),
    bad("device", "udi_di", "376O123456784",
        "This looks like a GS1 GTIN with a letter typed for a digit (O for 0, I or l for 1): "
        "type it with digits only, as printed on the label.", "letter-o-for-zero"),
    bad("device", "udi_di", "N/A",
        "Enter the UDI-DI as printed on the label: a GS1 GTIN of 8, 12, 13 or 14 digits, or a "
        "HIBCC, ICCBBA or IFA code, written as one word.", "not-a-udi"),
    bad("device", "udi_di", None,
        "Enter the device's UDI-DI, or tick the box below if none is assigned yet.", "no-udi"),
    bad("device", "no_udi_di", True,
        "You entered a UDI-DI and ticked that there is none: clear one or the other.",
        "udi-and-none"),
    bad("device", "device_class", "IV", CHOOSE, "unknown-class"),
    bad("device", "device_class", None, "Select the device's risk class.", "no-class"),
    bad("device", "emdn_code", "P1",
        "An EMDN code is a letter followed by 2 to 12 digits.", "emdn-length"),
    bad("device", "emdn_code", "0704",
        "An EMDN code is a letter followed by digits, for example P0704.", "emdn-format"),
    bad("device", "implantable", "sometimes", CHOOSE, "unknown-radio-value"),
    long("device", "intended_purpose", 2000),
    bad("device", "description", None, "Describe the device briefly.", "empty"),
    bad("device", "other_countries", "FDA \u202e510(k)", CONTROL, "bidi-override"),
    bad("access-type", "access_type", None, "Select individual or global.", "unanswered"),
    bad("access-type", "access_type", "both", CHOOSE, "unknown-radio-value"),
    bad("patient", "patient_initials", None, "Enter the patient's initials.", "empty"),
    bad("manufacturer", "legal_name", "Cardiotech (https://cardio.example/a).",
        "Remove the web address “https://cardio.example/a”: the portal's emails carry no "
        "link but their own.", "web-address-in-a-name"),
    bad("device", "trade_name", "See cardiotech.example/va",
        "Remove the web address “cardiotech.example/va”: the portal's emails carry no link but "
        "their own.", "web-address-in-the-device-name"),
    bad("patient", "patient_initials", "J2",
        "Enter the patient's initials only, 1 to 4 letters, for example JD: never their name.",
        "digit-in-initials"),
    bad("patient", "patient_birth_year", "twenty", NOT_A_NUMBER, "year-in-words"),
    bad("patient", "patient_birth_year", "1850",
        f"Enter a number between 1900 and {clock.today().year}.", "year-out-of-range"),
    bad("patient", "patient_birth_year", str(clock.today().year + 1),
        "The year of birth cannot be in the future.", "born-next-year"),
    bad("patient", "patient_informed", None,
        "Confirm that the patient has been told and has agreed.", "patient-not-told"),
    bad("patient", "patient_birth_year", "20199",
        "Enter the year of birth in 4 digits, for example 1987.", "year-of-five-digits"),
    bad("patient", "patient_sex", "other", CHOOSE, "unknown-radio-value"),
    long("patient", "establishment_name", 200),
    bad("patient", "establishment_finess", "750712185",
        "This FINESS number is not valid (its check key does not match): check it in the "
        "FINESS directory.", "finess-check-key"),
    bad("patient", "establishment_finess", "7507121",
        "A FINESS number has 9 characters.", "finess-length"),
    bad("patient", "establishment_finess", "75071218x",
        "A FINESS number is made of digits only, but for the département at its start, which "
        "may be 2A or 2B: for example 750712184.", "finess-letter-among-nine"),
    bad("patient", "physician_name", None, "Enter the treating physician's name.", "empty"),
    bad("patient", "physician_rpps", "10000000008", RPPS_CHECK, "rpps-check-digit"),
    bad("patient", "physician_rpps", "1000000000", "An RPPS number has 11 digits.", "rpps-len"),
    bad("patient", "physician_rpps", "00000000000",
        "An RPPS number of zeros only is not a real one: check it on the professional's card or "
        "in the RPPS directory.", "rpps-of-zeros"),
    bad("patient", "establishment_finess", "000000000",
        "A FINESS number of zeros only is not a real one: check it in the FINESS directory.",
        "finess-of-zeros"),
    bad("patient", "physician_specialty", "Cardio\x07logy", CONTROL, "bell-character"),
    long("patient", "clinical_situation", 5000),
    bad("patient", "alternatives_tried", None,
        "Describe the treatments and alternatives already tried.", "empty-textarea"),
    bad("patient", "needed_by", day(-1),
        "The date the device is needed by cannot be in the past.", "needed-yesterday"),
    bad("patient", "needed_by", "14 Brumaire 2027", BAD_DATE, "unknown-month"),
    bad("patient", "needed_by", "03/2027", BAD_DATE, "no-day"),
    bad("situation", "mdr_application_date", "0202-05-20", BAD_YEAR, "year-missing-a-digit"),
    bad("situation", "mdr_application_date", "22024-05-20", BAD_YEAR, "year-with-a-digit-more"),
    bad("scope", "indication", None,
        "Describe the indication the device would be used for.", "empty"),
    long("scope", "target_population", 2000),
    bad("scope", "patient_information", None,
        "Describe how each patient is told about the derogation and gives their agreement.",
        "patients-not-told"),
    long("scope", "patient_information", 3000),
    # A FINESS number given for an establishment is checked, as on the patient step.
    bad("scope", "establishments",
        "AP-HP Necker, Paris, FINESS 750712184\nCHU Bordeaux FINESS 12345",
        "Line 2: “12345” is not a valid FINESS number (9 characters with a check key, for "
        "example 750712184): check it in the FINESS directory, or leave it out.",
        "finess-in-list"),
    bad("scope", "establishments", "CHU, FINESS : 750 712 185 75013 Paris",
        "Line 1: “750 712 185” is not a valid FINESS number (9 characters with a check key, for "
        "example 750712184): check it in the FINESS directory, or leave it out.",
        "finess-grouped-check-key"),
    bad("scope", "estimated_patients", "0",
        "Enter a number between 1 and 100,000.", "no-patients"),
    bad("scope", "estimated_patients", "a dozen", NOT_A_NUMBER, "number-in-words"),
    bad("scope", "estimated_patients", "12.5", NOT_A_NUMBER, "decimal-number"),
    long("scope", "establishments", 3000),
    bad("scope", "distribution_plan", "Direct\x07delivery", CONTROL, "bell-character"),
    bad("scope", "user_training", None, "Describe how users will be trained.", "empty-training"),
    bad("medical-need", "unmet_need", None, "Describe the unmet medical need.", "empty"),
    long("medical-need", "alternatives_considered", 5000),
    bad("medical-need", "public_health_interest", "Bridge\u202eto transplant", CONTROL, "bidi"),
    bad("clinical-evidence", "efficacy_summary", None, "Summarise the efficacy data.", "empty"),
    long("clinical-evidence", "safety_summary", 5000),
    bad("clinical-evidence", "known_incidents", "None\x07known", CONTROL, "bell-character"),
    bad("benefit-risk", "expected_benefit", None, "Describe the expected benefit.", "empty"),
    long("benefit-risk", "known_risks", 5000),
    bad("benefit-risk", "requirements_not_demonstrated", "GSPR\u202e1", CONTROL, "bidi"),
    bad("benefit-risk", "mitigation", None,
        "Describe the measures that reduce the risks.", "no-mitigation"),
    bad("benefit-risk", "follow_up", None,
        "Describe the follow-up you propose.", "no-follow-up"),
    bad("certification", "nb_application", None,
        "Select whether your application to a notified body is lodged or planned, or that "
        "none is needed.", "empty"),
    # The sample device is class III: only a class I device needs no notified body.
    bad("certification", "nb_application", "not_needed",
        "A class III device needs a notified body to assess its conformity (as given on the "
        "device step): choose whether your application is lodged or planned.",
        "not-needed-class-iii", nb_application_date=None, nb_number=None),
    bad("certification", "nb_application", "rejected", CHOOSE, "unknown-radio-value"),
    bad("certification", "nb_application_date", "2025-01-32", BAD_DATE, "unreal-date"),
    bad("certification", "nb_application_date", day(3),
        "A lodged application's date cannot be in the future.", "lodged-tomorrow"),
    bad("certification", "nb_application_date", day(-3),
        "A planned application's date must be today or later.", "planned-in-past",
        nb_application="planned"),
    bad("certification", "nb_number", "279", NB_DIGITS, "three-digit-nb"),
    bad("certification", "nb_number", None, "Enter the notified body's number.", "lodged-no-nb"),
    bad("certification", "nb_number", "279", NB_DIGITS, "planned-bad-nb",
        nb_application="planned", nb_application_date=day(30)),
    bad("certification", "clinical_investigation", "abandoned", CHOOSE, "unknown-ci-status"),
    bad("certification", "clinical_investigation_reference", None,
        "Enter the reference of the clinical investigation (for example its CIV-ID).",
        "submitted-without-reference", clinical_investigation="submitted"),
    long("certification", "clinical_investigation_reference", 200,
         clinical_investigation="submitted"),
    bad("certification", "expected_ce_date", day(-1),
        "The expected CE marking date must be after today.", "ce-in-past"),
    bad("certification", "expected_ce_date", day(20),
        "CE marking comes after the notified body has assessed the application: enter a date "
        f"after that of the application, {long_day(30)}.",
        "ce-before-application", nb_application="planned", nb_application_date=day(30)),
    bad("certification", "commitment", None,
        "Confirm the commitment to pursue CE certification.", "no-commitment"),
    bad("period", "start_date", None, "Enter the start of the period.", "no-start"),
    bad("period", "start_date", day(-1), "The period cannot start in the past.", "starts-past"),
    bad("period", "end_date", day(5), "The end must be after the start.", "ends-before-start"),
    bad("period", "end_date", "soon", BAD_DATE, "unparsable-end"),
    # The date left out of the period is called wrong, not the other one.
    bad("period", "start_date", day(40), must_start_by(), "starts-after-needed-by",
        end_date=day(200)),
    bad("period", "end_date", day(20), must_end_after(), "ends-before-needed-by"),
    bad("declaration", "attest_accuracy", None,
        "Confirm that the information is accurate and complete.", "accuracy-unticked"),
    bad("declaration", "attest_not_circumvention", None,
        "Confirm that you understand a derogation is not a way around certification.",
        "circumvention-unticked"),
    bad("declaration", "attest_vigilance", None,
        "Confirm the commitment to report incidents and to trace each device.",
        "vigilance-unticked"),
    bad("declaration", "signatory_name", None, "Enter your full name.", "no-name"),
    bad("declaration", "signatory_name", "Claire\u202eMartin", CONTROL, "bidi-in-name",
        signature="Claire\u202eMartin"),
    long("declaration", "signatory_role", 200),
    bad("declaration", "signature", "Claire Martine",
        "Type your name exactly as in “Your full name”.", "signature-differs"),
]  # fmt: skip


class FormState(HTMLParser):
    """What a browser would send back from a page: the value each control shows."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._textarea = self._select = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs, name = dict(attrs), dict(attrs).get("name")
        if tag == "input" and name and attrs.get("type") not in ("file", "submit"):
            if attrs.get("type") not in ("radio", "checkbox") or "checked" in attrs:
                self.values[name] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea, self.values[name] = name, ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag in ("textarea", "select"):
            self._textarea = self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] = (self.values[self._textarea] + data).lstrip("\r\n")


def answers_for(step_id: str) -> dict:
    if step_id == "declaration":
        return sample_declaration()
    return sample_answers("global" if step_id == "scope" else "individual")[step_id]


def request_at(app, user, step_id: str) -> int:
    """A request with every other step answered (and its files, for the declaration)."""
    path = "global" if step_id == "scope" else "individual"
    with app.app_context():
        others = [s for s in sample_answers(path) if s != step_id]
        return dossier_with(user[0], path, steps=others, files=step_id == "declaration")


def saved(app, dossier_id: int) -> SimpleNamespace:
    """What the database holds for a request: answers by step, status, number of files."""
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        files = len(dossier.documents) + len(dossier.hcp_letters)
        return SimpleNamespace(answers=dossier.answers(), status=dossier.status, files=files)


def problems(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<li><a href="#[^"]*">(.*?)</a></li>', page)]


def field_block(page: str, field_id: str) -> str:
    match = re.search(
        rf'<div class="field[^"]*" id="field-{field_id}"[^>]*>.*?\n</div>', page, re.S
    )
    assert match, f"no field {field_id!r} on the page"
    return match.group(0)


def error_text(page: str, field_id: str) -> str | None:
    pattern = rf'id="{field_id}-error"[^>]*><span class="visually-hidden">Error:</span> (.*?)</p>'
    match = re.search(pattern, page)
    return html.unescape(match.group(1)) if match else None


def assert_error_shown(page: str, field_id: str, message: str, *, summary: bool = True):
    block = field_block(page, field_id)
    assert error_text(block, field_id) == message
    assert 'aria-invalid="true"' in block
    described = re.findall(r'aria-describedby="([^"]*)"', block)
    assert described and all(f"{field_id}-error" in d.split() for d in described)
    if summary:
        anchor = f"{field_id}-0" if 'type="radio"' in block else field_id
        assert f'id="{anchor}"' in block
        [listed] = re.findall(rf'<li><a href="#{anchor}">([^<]*)</a></li>', page)
        # A message that does not name its field is listed after the field's label (a
        # question's mark is enough to part them: "…requesting? Choose…").
        assert listed == escape(message) or listed.endswith(
            (f": {escape(message)}", f"? {escape(message)}")
        )


NOT_SAVED_YET = (
    "What you typed on this page is not saved yet. Correct the answers listed, or choose "
    "“Save and come back later” to keep the others."
)


def assert_kept(page: str, typed: dict, *, skip: str):
    shown = FormState(page).values
    for name, value in to_formdata(typed).items():
        if name != skip:
            assert shown.get(name) == value, f"{name} lost what was typed"


@pytest.mark.parametrize("case", [case.id for case in bad_answers()])
def test_a_bad_answer_is_explained_at_its_field_and_the_step_is_not_saved(
    app, logged_in, user, case
):
    step_id, changes, field, message = next(c.values for c in bad_answers() if c.id == case)
    dossier_id = request_at(app, user, step_id)
    typed = {**answers_for(step_id), **changes}
    response = post_step(logged_in, dossier_id, step_id, typed)
    assert response.status_code == 422
    assert_error_shown(response.text, field, message)
    assert_kept(response.text, typed, skip=field)
    stored = saved(app, dossier_id)
    assert step_id not in stored.answers and stored.status == "draft"
    # Kept in the page only, and said to be: the portal says elsewhere that answers are saved
    # (the declaration saves nothing before it is signed, and offers no saving for later; a
    # "No" on the first step says the portal is not the way: nothing to correct or keep).
    said_no = step_id == "before-you-start" and (
        "no" in changes.values() or changes.get("other_route") == "yes"
    )
    assert (NOT_SAVED_YET in response.text) == (step_id != "declaration" and not said_no)
    if said_no:
        assert "From your answers, this request cannot be filed here" in response.text


@pytest.mark.parametrize("action", ["continue", "save_exit"])
def test_a_failed_correction_keeps_the_earlier_answers(app, logged_in, user, action):
    dossier_id = request_at(app, user, "period")  # the device step is already saved
    typed = {**answers_for("device"), "udi_di": "3760123456785"}
    response = post_step(logged_in, dossier_id, "device", typed, action=action)
    assert response.status_code == 422
    assert saved(app, dossier_id).answers["device"] == answers_for("device")
    # "Save and come back later" saved the other answers, and says so instead.
    assert (NOT_SAVED_YET in response.text) == (action == "continue")


def test_with_htmx_the_refused_page_comes_back_with_200(app, logged_in, user):
    dossier_id = request_at(app, user, "device")
    typed = {**answers_for("device"), "udi_di": "3760123456785"}
    response = post_step(logged_in, dossier_id, "device", typed, htmx=True)
    assert response.status_code == 200
    assert_error_shown(response.text, "udi_di", GTIN_CHECK)
    assert "device" not in saved(app, dossier_id).answers


MARKUP_REFUSED = "Remove the HTML tags from this answer (such as “%s”): write it as plain text."


def test_markup_in_an_answer_is_refused_by_name_and_never_rendered(app, logged_in, user):
    """HTML pasted in (a page copied whole, or someone trying) is refused with a message that
    names the tag, beside each field and in the summary; the page shows it back as text, and
    nothing is stored. A comparison or an address in angle brackets is no tag."""
    script = "<script>alert(1)</script>"
    dossier_id = request_at(app, user, "device")
    typed = {**answers_for("device"), "trade_name": script, "description": f"See <b>{script}"}
    refused = post_step(logged_in, dossier_id, "device", typed)
    assert refused.status_code == 422
    assert_error_shown(refused.text, "trade_name", MARKUP_REFUSED % "<script>")
    assert_error_shown(refused.text, "description", MARKUP_REFUSED % "<b>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in refused.text
    assert script not in refused.text
    assert "device" not in saved(app, dossier_id).answers
    letter = upload(logged_in, dossier_id, "letters", **{"letter-author_name": script})
    assert letter.status_code == 422 and script not in letter.text
    assert html.unescape(MARKUP_REFUSED % "<script>") in html.unescape(letter.text)

    plain = (
        "Survival p <0.05 at age<18, LVEF <LLN and age >65; the device <<hors AMM>>, "
        "<Nom du produit> a priori; see <https://trials.example/1> or <a.b@chu.fr>."
    )
    accepted = post_step(
        logged_in, dossier_id, "device", {**typed, "trade_name": "VAM", "description": plain}
    )
    assert accepted.status_code == 303
    assert saved(app, dossier_id).answers["device"]["description"] == plain
    assert (
        html.escape(plain, quote=False) in logged_in.get(f"/requests/{dossier_id}/steps/check").text
    )


def test_an_answer_saved_before_a_rule_was_made_stricter_is_not_lost_by_saving_for_later(
    app, logged_in, user
):
    """Saved before HTML tags were refused, an answer is called wrong when its step opens;
    "Save and come back later" with another answer changed keeps it as it was (the step stays
    unfinished) rather than deleting it."""
    dossier_id = request_at(app, user, "medical-need")
    stale = "Children under 20 kg: <b>no</b> pump fits them."
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        service.save_step(
            dossier, "medical-need", {**answers_for("medical-need"), "unmet_need": stale}
        )
    page = logged_in.get(f"/requests/{dossier_id}/steps/medical-need").text
    assert_error_shown(page, "unmet_need", MARKUP_REFUSED % "<b>", summary=False)
    changed = {
        **answers_for("medical-need"),
        "unmet_need": stale,
        "alternatives_considered": "None fit.",
    }
    response = post_step(logged_in, dossier_id, "medical-need", changed, action="save_exit")
    assert response.status_code == 422
    assert saved(app, dossier_id).answers["medical-need"] == {
        **answers_for("medical-need"),
        "unmet_need": stale,
        "alternatives_considered": "None fit.",
    }


def test_line_and_paragraph_separators_pasted_in_a_long_answer_are_kept_as_line_breaks(
    app, logged_in, user
):
    dossier_id = request_at(app, user, "device")
    # Word's manual line break and page break come as a vertical tab and a form feed.
    pasted = "Titanium frame.\u2028Single use.\u2029Sterile.\vLatex-free.\fStore below 25 °C."
    typed = {**answers_for("device"), "description": pasted}
    assert post_step(logged_in, dossier_id, "device", typed).status_code == 303
    stored = saved(app, dossier_id).answers["device"]["description"]
    assert stored == ("Titanium frame.\nSingle use.\n\nSterile.\nLatex-free.\n\nStore below 25 °C.")


IRRELEVANT = [
    pytest.param("situation", {"reason": "never_certified", "reason_other": "Changed my mind",
                               "legacy_notified_body": "not a number"},
                 ["reason_other", "legacy_certificate_number", "legacy_certificate_expiry",
                  "legacy_notified_body", "written_agreement"], id="reason-not-other"),
    pytest.param("situation", {"reason": "never_certified", "written_agreement": "yes",
                               "written_agreement_date": day(-30)},
                 ["written_agreement", "written_agreement_date"],
                 id="agreement-date-when-the-agreement-question-does-not-apply"),
    pytest.param("situation", {"written_agreement": "no", "written_agreement_date": day(1)},
                 ["written_agreement_date"], id="agreement-date-without-agreement"),
    pytest.param("manufacturer", {"country": "NO", "siret": None}, ["siret"],
                 id="norway-is-in-the-eea"),
    pytest.param("manufacturer", {"representative_name": "EU Rep GmbH",
                                  "representative_srn": "bad"},
                 ["representative_name", "representative_srn"], id="representative-of-french"),
    pytest.param("manufacturer", {**US_WITH_REPRESENTATIVE,
                                  "representative_srn": "DE-AR-000012345"},
                 [], id="us-manufacturer-with-representative"),
    pytest.param("certification", {"clinical_investigation": "planned",
                                   "clinical_investigation_reference": "CIV-FR-24-01-012345"},
                 ["clinical_investigation_reference"], id="reference-of-a-planned-study"),
]  # fmt: skip


@pytest.mark.parametrize(("step_id", "changes", "dropped"), IRRELEVANT)
def test_an_answer_that_does_not_apply_is_neither_required_nor_stored(
    app, logged_in, user, step_id, changes, dropped
):
    dossier_id = request_at(app, user, step_id)
    response = post_step(logged_in, dossier_id, step_id, {**answers_for(step_id), **changes})
    assert response.status_code == 303, problems(response.text)
    stored = saved(app, dossier_id).answers[step_id]
    assert not set(dropped) & set(stored)
    assert all(stored[k] == v for k, v in changes.items() if k not in dropped and v is not None)


def test_a_foreign_manufacturers_siret_is_optional_checked_and_kept(app, logged_in, user):
    """A foreign manufacturer with an establishment in France has a SIRET too: typed, it is
    checked like a French one and kept, never dropped without a word."""
    dossier_id = request_at(app, user, "manufacturer")
    german = {**answers_for("manufacturer"), "country": "DE"}
    wrong = post_step(logged_in, dossier_id, "manufacturer", {**german, "siret": "not a siret"})
    assert wrong.status_code == 422 and (
        "A SIRET number is made of 14 digits only: remove any letter or sign." in wrong.text
    )
    assert 'value="not a siret"' in wrong.text
    kept = post_step(
        logged_in, dossier_id, "manufacturer", {**german, "siret": "732-829-320-00074"}
    )
    assert kept.status_code == 303, problems(kept.text)
    assert saved(app, dossier_id).answers["manufacturer"]["siret"] == "73282932000074"
    empty = post_step(logged_in, dossier_id, "manufacturer", {**german, "siret": ""})
    assert empty.status_code == 303, problems(empty.text)
    assert "siret" not in saved(app, dossier_id).answers["manufacturer"]


@pytest.mark.parametrize(
    ("country", "siret_required", "representative_required"),
    [
        ("RE", True, False),  # La Réunion: an EU outermost region, in the SIRENE register
        ("MF", True, False),  # Saint-Martin, the same
        ("PM", True, True),  # Saint-Pierre-et-Miquelon: SIRENE, outside the EU
        ("NC", False, True),  # New Caledonia: a register of its own, outside the EU
        ("AX", False, False),  # Åland: part of Finland
    ],
)
def test_french_overseas_manufacturers_give_a_siret_and_eu_regions_need_no_representative(
    app, logged_in, user, country, siret_required, representative_required
):
    dossier_id = request_at(app, user, "manufacturer")
    answers = {**answers_for("manufacturer"), "country": country, "siret": ""}
    response = post_step(logged_in, dossier_id, "manufacturer", answers)
    problems_seen = problems(response.text) if response.status_code == 422 else []
    assert ("Enter the SIRET number (14 digits)." in problems_seen) == siret_required
    needs_representative = any("authorised representative" in p for p in problems_seen)
    assert needs_representative == representative_required
    assert response.status_code == (422 if siret_required or representative_required else 303)


def live_address(client, dossier_id, step_id) -> str:
    """Where the step's page sends its fields' live checks (htmx `hx-post`)."""
    page = client.get(f"/requests/{dossier_id}/steps/{step_id}").text
    addresses = set(re.findall(r'hx-post="([^"]+)"', page))
    assert len(addresses) == 1, addresses
    return html.unescape(addresses.pop())


def validate_live(client, dossier_id, step_id, name, values, address=None):
    return client.post(
        address or live_address(client, dossier_id, step_id),
        data=to_formdata(values),
        headers={"HX-Request": "true", "HX-Trigger-Name": name},
    )


LIVE = [
    pytest.param("manufacturer", "srn", "FR-AR-000012345",
                 "The middle part of the manufacturer's SRN must be MF.", id="srn-role"),
    pytest.param("patient", "physician_rpps", "10000000008", RPPS_CHECK, id="rpps-check-digit"),
    pytest.param("device", "trade_name", "", "Enter the device's trade name.", id="empty"),
    pytest.param("manufacturer", "siret", "", "Enter the SIRET number (14 digits).",
                 id="siret-required-for-fr"),
    pytest.param("period", "end_date", day(5), "The end must be after the start.",
                 id="end-before-start"),
]  # fmt: skip


@pytest.mark.parametrize(("step_id", "field", "value", "message"), LIVE)
def test_live_validation_answers_with_the_field_alone_and_the_same_message(
    app, logged_in, user, step_id, field, value, message
):
    dossier_id = request_at(app, user, step_id)
    typed = {**answers_for(step_id), field: value}
    fragment = validate_live(logged_in, dossier_id, step_id, field, typed).text
    assert "<html" not in fragment and "error-summary" not in fragment
    assert fragment.lstrip().startswith(f'<div class="field field--error" id="field-{field}"')
    assert_error_shown(fragment, field, message, summary=False)
    status = re.search(r'<div hx-swap-oob="innerHTML:#live-status">(.*?)</div>', fragment)
    assert status and str(escape(message)) in status.group(1)
    full = post_step(logged_in, dossier_id, step_id, typed)
    assert error_text(full.text, field) == error_text(fragment, field) == message
    assert step_id not in saved(app, dossier_id).answers


@pytest.mark.parametrize(
    ("step_id", "identifier", "none_yet", "label"),
    [
        ("manufacturer", "srn", "no_srn", "The manufacturer has no SRN yet"),
        ("device", "udi_di", "no_udi_di", "No UDI-DI is assigned to the device yet"),
    ],
)
def test_an_identifier_not_assigned_yet_is_said_so_in_its_place(
    app, logged_in, user, step_id, identifier, none_yet, label
):
    """A manufacturer filing for its first device may have no SRN yet, a device never placed
    on the market no UDI-DI: the box ticked in its place is checked live, saved and read back
    on the summary."""
    dossier_id = request_at(app, user, step_id)
    typed = {**answers_for(step_id), identifier: None}
    left_empty = validate_live(logged_in, dossier_id, step_id, identifier, typed)
    assert error_text(left_empty.text, identifier).startswith("Enter ")
    assert 'aria-required="true"' in field_block(left_empty.text, identifier)
    typed[none_yet] = True
    # Ticking the box takes the identifier's error back, where it is (hx-swap-oob), and
    # says it is no longer asked.
    ticked = validate_live(logged_in, dossier_id, step_id, none_yet, typed)
    assert f'id="field-{identifier}" hx-swap-oob="true"' in ticked.text
    assert error_text(ticked.text, identifier) is None and "aria-invalid" not in ticked.text
    assert "aria-required" not in field_block(ticked.text, identifier)
    response = post_step(logged_in, dossier_id, step_id, typed)
    assert response.status_code == 303
    stored = saved(app, dossier_id).answers[step_id]
    assert stored[none_yet] is True and identifier not in stored
    summary = logged_in.get(f"/requests/{dossier_id}/steps/check").text
    assert re.search(rf"<dt>{label}</dt>\s*<dd><span class=\"pre-line\">Yes</span>", summary)


def test_a_question_asked_only_with_another_answer_says_whether_it_is_asked(app, logged_in, user):
    """aria-required follows the answer a question depends on: the SIRET is asked of a
    French manufacturer only. The page says it as the answers stand; a live check as the
    country changes (the page's script too, as it is chosen: tested in the browser)."""
    dossier_id = request_at(app, user, "manufacturer")
    page = logged_in.get(f"/requests/{dossier_id}/steps/manufacturer").text
    assert "aria-required" not in field_block(page, "siret")  # no country chosen yet
    assert 'data-required-when="country"' in field_block(page, "siret")
    assert 'aria-required="true"' in field_block(page, "legal_name")  # always asked
    french = answers_for("manufacturer")
    assert french["country"] == "FR"
    answer = validate_live(logged_in, dossier_id, "manufacturer", "country", french).text
    assert 'aria-required="true"' in field_block(answer, "siret")
    german = {**french, "country": "DE"}
    answer = validate_live(logged_in, dossier_id, "manufacturer", "country", german).text
    assert "aria-required" not in field_block(answer, "siret")
    # Sent without a SIRET, a French manufacturer's page says it is asked.
    refused = post_step(logged_in, dossier_id, "manufacturer", {**french, "siret": ""})
    assert 'aria-required="true"' in field_block(refused.text, "siret")


def test_live_validation_of_a_good_answer_clears_the_error(app, logged_in, user):
    dossier_id = request_at(app, user, "manufacturer")
    fragment = validate_live(
        logged_in, dossier_id, "manufacturer", "srn", answers_for("manufacturer")
    )
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div class="field" id="field-srn"')
    # A newer check of the same question cancels the older one (htmx), whose late answer
    # would otherwise draw an older state.
    assert 'hx-sync="closest .field:replace"' in fragment.text
    assert "error-message" not in fragment.text and "aria-invalid" not in fragment.text
    assert re.search(r'<div hx-swap-oob="innerHTML:#live-status"></div>', fragment.text)


def test_a_step_is_checked_live_without_its_request_unless_its_rules_read_other_steps(
    app, logged_in, user
):
    dossier_id = request_at(app, user, "manufacturer")
    assert live_address(logged_in, dossier_id, "manufacturer") == "/steps/manufacturer/validate"
    # The period must include the patient's date (another step): checked with the request.
    period = live_address(logged_in, dossier_id, "period")
    assert period == f"/requests/{dossier_id}/steps/period/validate"
    assert (
        validate_live(
            logged_in, dossier_id, "period", "end_date", {}, "/steps/period/validate"
        ).status_code
        == 404
    )
    assert (
        validate_live(
            logged_in, dossier_id, "nowhere", "x", {}, "/steps/nowhere/validate"
        ).status_code
        == 404
    )


def test_a_live_check_of_a_request_submitted_meanwhile_says_it_was_submitted(app, logged_in, user):
    """The period open in one tab, the request sent from another: its live check (which reads
    the request) answers that the request was submitted, for the page to say it can no longer
    be saved (app.js), not that the check failed."""
    with app.app_context():
        dossier_id = dossier_with(user[0], submit=True)
    address = f"/requests/{dossier_id}/steps/period/validate"
    checked = validate_live(logged_in, dossier_id, "period", "end_date", {}, address)
    assert checked.status_code == 409
    assert checked.headers["X-Request-Submitted"] == "true"


def test_a_field_checked_alone_asks_nothing_of_the_database_and_says_the_same(app, logged_in, user):
    """The live check is sent at every change of a field: one of a step whose rules read only
    the form asks the database nothing (the session found held a moment ago, the CSRF token),
    and answers as the request's own address does."""
    dossier_id = request_at(app, user, "manufacturer")
    typed = {**answers_for("manufacturer"), "srn": "FR-AR-000012345"}
    address = "/steps/manufacturer/validate"
    first = validate_live(logged_in, dossier_id, "manufacturer", "srn", typed, address)
    assert first.status_code == 200  # the account asked once: the session is held
    with statements_sent(app) as statements:
        alone = validate_live(logged_in, dossier_id, "manufacturer", "srn", typed, address)
    assert alone.status_code == 200 and statements == []
    assert alone.text == first.text
    with_request = validate_live(
        logged_in, dossier_id, "manufacturer", "srn", typed,
        f"/requests/{dossier_id}/steps/manufacturer/validate",
    )  # fmt: skip
    # The same fragment, but for where its own next check goes.
    assert alone.text == with_request.text.replace(
        f"/requests/{dossier_id}/steps/manufacturer/validate", address
    )
    assert error_text(alone.text, "srn") == "The middle part of the manufacturer's SRN must be MF."


def test_a_field_is_checked_alone_for_manufacturers_only(app, user):
    with app.app_context():
        make_user("inspector@ansm.example", "ANSM", role=Role.REVIEWER)
    reviewer = app.test_client()
    assert login(reviewer, "inspector@ansm.example").status_code == 303
    typed = {**answers_for("manufacturer"), "srn": "FR-AR-000012345"}
    for _ in range(2):  # asked of the account, then remembered
        response = validate_live(
            reviewer, 0, "manufacturer", "srn", typed, "/steps/manufacturer/validate"
        )
        assert response.status_code == 403


def test_a_session_ended_stops_its_live_checks(app, logged_in, user, monkeypatch):
    """Signing out ends every copy of the session: at once in the server process that signs
    out, and in the others once they ask the account again (`held.RECHECK_SECONDS`)."""
    address = "/steps/manufacturer/validate"
    typed = answers_for("manufacturer")
    copy = app.test_client()
    copy.set_cookie("session", logged_in.get_cookie("session").value)
    assert validate_live(copy, 0, "manufacturer", "srn", typed, address).status_code == 200
    assert logged_in.post("/logout").status_code == 303
    ended = validate_live(copy, 0, "manufacturer", "srn", typed, address)
    assert ended.status_code == 401 and ended.headers["X-Signed-Out"] == "true"

    # Signed out by another server process: this one finds out when it asks again.
    again = app.test_client()
    assert login(again, user[1]).status_code == 303
    assert validate_live(again, 0, "manufacturer", "srn", typed, address).status_code == 200
    with app.app_context():
        db.session.execute(db.update(User).values(session_epoch=User.session_epoch + 1))
        db.session.commit()
    assert validate_live(again, 0, "manufacturer", "srn", typed, address).status_code == 200
    later = time.monotonic() + held.RECHECK_SECONDS
    monkeypatch.setattr(held, "monotonic", lambda: later)
    ended = validate_live(again, 0, "manufacturer", "srn", typed, address)
    assert ended.status_code == 401 and ended.headers["X-Signed-Out"] == "true"


@pytest.mark.parametrize("path", ["individual", "global"])
def test_every_question_checked_alone_reads_no_other_step(app, logged_in, user, path):
    """A rule that read another step's answers in a form checked alone would fail there
    (`NoOtherSteps`): every field of every such step, answered and blank, is checked."""
    from wizard.flow.steps import FLOW

    checked = 0
    for step in FLOW.steps:
        if step.form is None or step.form.reads_other_steps:
            continue
        answers = sample_answers(path).get(step.id, {})
        with app.test_request_context():
            fields = [f.name for f in step.form(meta={"csrf": False}).answer_fields()]
        for name in fields:
            for values in (answers, {**answers, name: ""}):
                address = f"/steps/{step.id}/validate"
                response = validate_live(logged_in, 0, step.id, name, values, address)
                assert response.status_code in (200, 204), (step.id, name)
                checked += 1
    assert checked > 100


@pytest.mark.parametrize("path", ["individual", "global"])
def test_a_question_checked_live_is_checked_as_among_all_the_questions_of_its_step(app, path):
    """A live check builds only the questions it reads (`StepForm.checking`): for every
    question of every step, with the step's answers, with each other answer left out, and
    with none, it answers what the step's whole form answers."""
    from wizard.flow.steps import FLOW
    from wizard.web import live_field

    answers = {**sample_answers(path), "declaration": sample_declaration()}
    compared = 0
    for step in FLOW.steps:
        if step.form is None:
            continue
        given = answers.get(step.id, {})
        with app.test_request_context():
            names = [f.name for f in step.form(meta={"csrf": False}).answer_fields()]
        for values in [given, {}, *({**given, other: ""} for other in names)]:
            with app.test_request_context(method="POST", data=to_formdata(values)):
                for name in names:
                    fragments = []
                    for form_class in (step.form.checking(name), step.form):
                        form = form_class(meta={"csrf": False})
                        form.context = answers
                        fragments.append(live_field(form, name, "/check"))
                    assert fragments[0] == fragments[1], (step.id, name, values)
                    compared += 1
    assert compared > 500


def test_every_question_a_rule_names_is_a_question_of_its_step(app):
    """`live_dependents` and the rules' `other` name questions of the same step: a name left
    from a question renamed would check nothing again, or nothing at all."""
    from wizard.flow.steps import FLOW
    from wizard.forms.base import _fields_read

    for step in FLOW.steps:
        if step.form is None:
            continue
        with app.test_request_context():
            names = {field.name for field in step.form(meta={"csrf": False})}
            named = {
                other for field in step.form(meta={"csrf": False}) for other in _fields_read(field)
            }
        for changed, dependents in step.form.live_dependents.items():
            named |= {changed, *dependents}
        assert named <= names, (step.id, named - names)


def test_a_rule_reading_a_question_it_does_not_name_fails_its_live_check_loudly(app):
    """A `validate_<name>` reading another question must say so (`live_dependents`): a live
    check, which builds only the questions named, would otherwise check against nothing."""
    from wtforms import StringField

    from wizard.forms.base import StepForm
    from wizard.web import live_field

    def rule(form, field):
        if form.country.data == "FR" and not field.data:
            raise ValidationError("Enter the SIRET.")

    class Silent(StepForm):
        country = StringField("Country")
        siret = StringField("SIRET")
        validate_siret = rule

    class Declared(Silent):
        live_dependents = {"country": ("siret",)}

    with app.test_request_context(method="POST", data={"country": "FR", "siret": ""}):
        with pytest.raises(LookupError, match="live_dependents"):
            live_field(Silent.checking("siret")(meta={"csrf": False}), "siret", "/check")
        checked = live_field(Declared.checking("siret")(meta={"csrf": False}), "siret", "/check")
        assert "Enter the SIRET." in checked


@pytest.mark.parametrize("name", ["no_such_field", "csrf_token", ""])
def test_live_validation_of_an_unknown_field_answers_nothing(app, logged_in, user, name):
    dossier_id = request_at(app, user, "device")
    response = validate_live(logged_in, dossier_id, "device", name, answers_for("device"))
    assert response.status_code == 204 and response.data == b""


ACTIVE_PDF = minimal_pdf().replace(
    b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
)
UPLOADS = {
    "documents": {
        "document-kind": "clinical_evaluation",
        "document-file": (minimal_pdf(), "cer.pdf"),
    },
    "letters": {
        **{f"letter-{name}": value for name, value in sample_letter().items()},
        "letter-file": (minimal_pdf("Letter"), "letter.pdf"),
    },
}


def upload(client, dossier_id, kind, **changes):
    fields = {**UPLOADS[kind], **changes}
    data = {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in fields.items()}
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(
        f"/requests/{dossier_id}/{kind}", data=data, content_type="multipart/form-data"
    )


def refusal(kind, field, value, message, label):
    return pytest.param(kind, field, value, message, id=f"{kind}:{label}")


UPLOAD_REFUSALS = [
    refusal("documents", "document-kind", None, "Choose the type of document.", "no-kind"),
    refusal("documents", "document-kind", "passport", CHOOSE, "unknown-kind"),
    refusal("documents", "document-file", (b"MZ\x90\x00 an executable", "cer.pdf"),
            f"cer.pdf: {NOT_PDF}", "not-a-pdf"),
    refusal("documents", "document-file", (b"", "cer.pdf"),
            "cer.pdf: The selected file is empty. Choose the PDF again.", "empty-file"),
    refusal("documents", "document-file", (ACTIVE_PDF, "cer.pdf"),
            "cer.pdf: This PDF contains scripts, attached files, 3D models, videos or actions "
            "that open other files or send data, which we cannot accept: print it to a new PDF "
            "(for example “Print”, then “Save as PDF”) and send that file.", "javascript"),
    refusal("documents", "document-file", None, "Choose a PDF file to upload.", "no-file"),
    refusal("letters", "letter-author_name", None,
            "Enter the name of the letter's author.", "no-author"),
    refusal("letters", "letter-author_rpps", "10000000008", RPPS_CHECK, "rpps-check-digit"),
    refusal("letters", "letter-specialty", "Cardio\u202elogy", CONTROL, "bidi-override"),
    refusal("letters", "letter-establishment", *too_long(200), "too-long"),
    refusal("letters", "letter-letter_date", day(3),
            "The letter's date cannot be in the future.", "dated-in-future"),
    refusal("letters", "letter-letter_date", "yesterday", BAD_DATE, "unparsable-date"),
    refusal("letters", "letter-letter_date", day(-400),
            "The letter's date cannot be more than a year ago: the urgency it states must be "
            "current. Ask its author for a new letter.", "dated-over-a-year-ago"),
    refusal("letters", "letter-author_name", "<b>Dr Leroy</b>", MARKUP_REFUSED % "<b>",
            "markup"),
    refusal("letters", "letter-file", (b"%PDF-1.4 cut short", "letter.pdf"),
            f"letter.pdf: {NOT_PDF}", "truncated-pdf"),
    refusal("letters", "letter-file", None, "Choose a PDF file to upload.", "no-file"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "field", "value", "message"), UPLOAD_REFUSALS)
def test_a_refused_upload_says_why_and_stores_nothing(
    app, logged_in, user, kind, field, value, message
):
    dossier_id = request_at(app, user, "clinical-evidence")
    response = upload(logged_in, dossier_id, kind, **{field: value})
    assert response.status_code == 422
    assert "<title>Error: " in response.text
    assert_error_shown(response.text, field, message)
    typed = {k: v for k, v in UPLOADS[kind].items() if not isinstance(v, tuple)}
    assert_kept(response.text, typed, skip=field)
    assert saved(app, dossier_id).files == 0


@pytest.mark.parametrize(
    ("kind", "step_id", "anchor"),
    [
        ("documents", "clinical-evidence", "#documents"),
        ("letters", "hcp-support", "#letters"),
        ("invitations", "hcp-support", "#invitations"),
    ],
)
def test_the_address_a_refused_form_leaves_leads_back_to_its_step(
    app, logged_in, user, kind, step_id, anchor
):
    """A refused upload or invitation is shown again at the address it was sent to: opened
    again (reloaded, bookmarked, after switching language), that address is the step's."""
    dossier_id = request_at(app, user, "clinical-evidence")
    again = logged_in.get(f"/requests/{dossier_id}/{kind}")
    assert again.status_code == 303
    assert again.location == f"/requests/{dossier_id}/steps/{step_id}{anchor}"
    with app.app_context():
        make_user("stranger@other.example", "Other SAS")
    other = app.test_client()
    assert login(other, "stranger@other.example").status_code == 303
    assert other.get(f"/requests/{dossier_id}/{kind}").status_code == 404


def test_a_letter_refused_for_its_other_answers_keeps_the_pdf_chosen(app, logged_in, user):
    """A browser never sends a file twice: the accepted PDF is kept for the next try, and
    said so, rather than dropped without a word."""
    dossier_id = request_at(app, user, "hcp-support")
    refused = upload(logged_in, dossier_id, "letters", **{"letter-author_rpps": "10000000008"})
    assert refused.status_code == 422
    assert "We have kept the letter you chose: letter.pdf" in refused.text
    # Read with the file field (which says "no file chosen"), as its hint is.
    assert 'id="letter-file-kept"' in refused.text
    field = re.search(r'<input[^>]*id="letter-file"[^>]*>', refused.text).group(0)
    assert 'aria-describedby="letter-file-kept letter-file-hint' in field
    assert saved(app, dossier_id).files == 0
    # Opened again later, the page says it too, since the next try uses it.
    page = logged_in.get(f"/requests/{dossier_id}/steps/hcp-support").text
    assert "We have kept the letter you chose: letter.pdf" in page

    # Removed meanwhile (`flask uploads prune`): forgotten, so the form asks for it again.
    with app.app_context():
        stored = uploads.path_of(hashlib.sha256(minimal_pdf("Letter")).hexdigest())
        kept_bytes = stored.read_bytes()
        stored.unlink()
    page = logged_in.get(f"/requests/{dossier_id}/steps/hcp-support").text
    assert "We have kept the letter you chose" not in page
    with app.app_context():
        stored.write_bytes(kept_bytes)  # back, as if never pruned

    fixed = upload(logged_in, dossier_id, "letters", **{"letter-file": None})
    assert fixed.status_code == 303
    with app.app_context():
        [letter] = db.session.get(Dossier, dossier_id).hcp_letters
        assert letter.filename == "letter.pdf"
        assert letter.sha256 == hashlib.sha256(minimal_pdf("Letter")).hexdigest()
    page = logged_in.get(f"/requests/{dossier_id}/steps/hcp-support").text
    assert "We have kept the letter you chose" not in page


def test_a_file_over_the_cap_is_refused_with_a_message_stating_the_cap(app, logged_in, user):
    dossier_id = request_at(app, user, "clinical-evidence")
    too_big = b"%PDF-1.4\n" + b"0" * (200 * 1024) + b"\n%%EOF\n"
    response = upload(logged_in, dossier_id, "documents", **{"document-file": (too_big, "c.pdf")})
    assert response.status_code == 422
    message = error_text(response.text, "document-file")
    # Named: the page comes back with the field empty, a browser never sending a file again.
    assert message and message.startswith("c.pdf: The selected file must be smaller than")
    assert_error_shown(response.text, "document-file", message)
    # The test app's cap is 200 KiB: "smaller than 0 MB" would tell the filer nothing usable.
    assert "than 0 MB" not in message and "PDF only, 0 MB at most." not in response.text
    assert saved(app, dossier_id).files == 0


def test_a_refused_file_is_named_by_its_own_name_without_its_path_or_markup(app, logged_in, user):
    dossier_id = request_at(app, user, "clinical-evidence")
    chosen = (b"PK\x03\x04 a zip", "../../Users/<img src=x onerror=alert(1)> rapport.docx")
    response = upload(logged_in, dossier_id, "documents", **{"document-file": chosen})
    assert response.status_code == 422
    named = "img src=x onerror=alert(1) rapport.docx"
    assert_error_shown(response.text, "document-file", f"{named}: {NOT_PDF}")
    assert "<img" not in response.text and "Users" not in response.text


@pytest.mark.parametrize("kind", ["documents", "letters"])
def test_a_path_like_file_name_is_stored_as_a_plain_name(app, logged_in, user, kind):
    dossier_id = request_at(app, user, "clinical-evidence")
    path_like = (minimal_pdf(), "../../etc/passwd.pdf")
    response = upload(logged_in, dossier_id, kind, **{f"{kind[:-1]}-file": path_like})
    assert response.status_code == 303
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        (item,) = dossier.documents if kind == "documents" else dossier.hcp_letters
        assert "/" not in item.filename and ".." not in item.filename
        assert item.filename.endswith(".pdf")


def test_the_error_summary_says_which_answer_a_general_message_is_about(app, logged_in, user):
    dossier_id = request_at(app, user, "manufacturer")
    typed = {**answers_for("manufacturer"), "address": "x" * 501, "contact_name": "A\x07B"}
    page = post_step(logged_in, dossier_id, "manufacturer", typed).text
    summary = html.unescape(page[page.index('class="error-summary"') :])
    assert "Address of the registered office: Use 500 characters or fewer" in summary
    assert "Contact person's full name: Remove the invisible control characters" in summary
    # Beside the field, its label already says it.
    assert error_text(field_block(page, "address"), "address").startswith("Use 500 characters")


@pytest.mark.parametrize(
    "phone",
    ["01 23 45 67 89", "01.23.45.67.89", "+33 1 23 45 67 89", "+33 (0)1 23 45 67 89",
     "0033 1 23 45 67 89", "0590 12 34 56", "+49 30 1234567", "+1 (212) 555-0100"],
)  # fmt: skip
def test_phone_numbers_as_people_write_them_are_taken(app, logged_in, user, phone):
    dossier_id = request_at(app, user, "manufacturer")
    typed = {**answers_for("manufacturer"), "contact_phone": phone}
    assert post_step(logged_in, dossier_id, "manufacturer", typed).status_code == 303


def test_a_phone_number_pasted_with_no_break_spaces_is_taken_with_plain_ones(app, logged_in, user):
    """Copied from a French web page or an email signature, whose digits are grouped by
    no-break spaces (or narrow ones), or from a document that made its hyphens dashes."""
    dossier_id = request_at(app, user, "manufacturer")
    for pasted, kept in [
        ("+33\u00a04\u00a072\u00a000\u00a000\u00a000", "+33 4 72 00 00 00"),
        ("04\u202f72\u202f00\u202f00\u202f00", "04 72 00 00 00"),
        ("+1 (212) 555\u20130100", "+1 (212) 555-0100"),
    ]:
        typed = {**answers_for("manufacturer"), "contact_phone": pasted}
        assert post_step(logged_in, dossier_id, "manufacturer", typed).status_code == 303
        with app.app_context():
            saved = db.session.get(Dossier, dossier_id).answers()["manufacturer"]
        assert saved["contact_phone"] == kept


def test_an_email_address_pasted_with_a_zero_width_space_is_taken(app, logged_in, user):
    """Copied from a web page that lets a long address break after its @ (a zero-width
    space there), or from a document (a soft hyphen): the address seen is the one saved."""
    dossier_id = request_at(app, user, "manufacturer")
    pasted = "claire.martin@\u200bexample.org\u00ad"
    typed = {**answers_for("manufacturer"), "contact_email": pasted}
    assert post_step(logged_in, dossier_id, "manufacturer", typed).status_code == 303
    with app.app_context():
        saved = db.session.get(Dossier, dossier_id).answers()["manufacturer"]
    assert saved["contact_email"] == "claire.martin@example.org"


def test_identifiers_pasted_with_dashes_for_hyphens_are_taken(app, logged_in, user):
    """An SRN copied from a document whose word processor made its hyphens en dashes: what
    the person sees is right, and is taken."""
    dossier_id = request_at(app, user, "manufacturer")
    typed = {**answers_for("manufacturer"), "srn": "FR\u2013MF\u2013000012345"}
    assert post_step(logged_in, dossier_id, "manufacturer", typed).status_code == 303
    with app.app_context():
        saved = db.session.get(Dossier, dossier_id).answers()["manufacturer"]
    assert saved["srn"] == "FR-MF-000012345"


def test_a_foreign_manufacturers_number_needs_its_country_code(app, logged_in, user):
    """Not read as French, nor taken without its code: ANSM could not dial it (the hint asks
    for the code outside France)."""
    dossier_id = request_at(app, user, "manufacturer")
    german = {**answers_for("manufacturer"), "country": "DE", "siret": None}
    typed = {**german, "contact_phone": "030 1234 5678"}
    refused = post_step(logged_in, dossier_id, "manufacturer", typed)
    assert refused.status_code == 422
    assert_error_shown(
        refused.text,
        "contact_phone",
        "Start the number with its country code, for example +49 30 1234 5678 (+33 for a "
        "number in France): the manufacturer is outside France.",
    )
    assert 'value="030 1234 5678"' in refused.text
    # The hint said so beforehand: a contact in France (an authorised representative) too.
    assert (
        "With its country code if the manufacturer is outside France (even for a number in "
        "France), for example +33 1 23 45 67 89."
    ) in refused.text
    # The country changed back to France: the phone's error goes with its cause, live.
    national = {**german, "contact_phone": "01 23 45 67 89"}
    answer = validate_live(logged_in, dossier_id, "manufacturer", "country", national).text
    assert "Start the number with its country code" in field_block(answer, "contact_phone")
    french = {**national, "country": "FR", "siret": answers_for("manufacturer")["siret"]}
    answer = validate_live(logged_in, dossier_id, "manufacturer", "country", french).text
    assert 'id="contact_phone"' in answer
    assert "Start the number with its country code" not in field_block(answer, "contact_phone")
    for dialled in (
        "+49 30 1234 5678",
        "(+49) 30 1234 5678",
        "0049 30 1234 5678",
        "+33 1 23 45 67 89",
    ):
        typed = {**german, "contact_phone": dialled}
        assert post_step(logged_in, dossier_id, "manufacturer", typed).status_code == 303


def test_the_examples_of_dates_not_to_be_past_are_never_past(app, logged_in, user, monkeypatch):
    """A date that cannot be past (the period, the patient's date, the expected CE marking)
    is shown an example still to come, whatever the day: after 14 March 2027, "for example
    14 March 2027" would be one the form refuses."""
    dossier_id = request_at(app, user, "period")
    summer = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: summer)
    period = html.unescape(logged_in.get(f"/requests/{dossier_id}/steps/period").text)
    assert "For example 14 March 2028." in period  # the start
    assert "For example 14 September 2028." in period  # the end, after it
    patient = html.unescape(logged_in.get(f"/requests/{dossier_id}/steps/patient").text)
    assert "The planned date of the procedure, for example 14 March 2028." in patient
    certification = logged_in.get(f"/requests/{dossier_id}/steps/certification").text
    assert "For example 14 March 2028." in certification  # the expected CE marking
    for page in (period, patient, certification):
        assert "14 March 2027" not in page and "14 September 2027" not in page


def test_a_patients_date_passed_since_is_said_on_the_period_step(app, logged_in, user, monkeypatch):
    """A draft left a while: the patient's "needed by" date has passed, so no period starting
    today can include it: the period step says where to change it, not only "start by"."""
    dossier_id = request_at(app, user, "period")
    needed = needed_by()
    later = clock.now() + timedelta(days=40)  # needed by: in 30 days
    monkeypatch.setattr(clock, "now", lambda: later)
    start = clock.today().isoformat()
    end = (clock.today() + timedelta(days=100)).isoformat()
    typed = {**answers_for("period"), "start_date": start, "end_date": end}
    refused = post_step(logged_in, dossier_id, "period", typed)
    assert refused.status_code == 422
    assert_error_shown(
        refused.text,
        "start_date",
        f"The date the device is needed by, {format_date(needed, 'long', locale='en_GB')}, "
        "has passed: change it on the patient step, then give the period.",
    )


def test_a_number_grouped_by_spaces_is_read(app, logged_in, user):
    dossier_id = request_at(app, user, "scope")
    typed = {**answers_for("scope"), "estimated_patients": "1\u202f200"}
    assert post_step(logged_in, dossier_id, "scope", typed).status_code == 303
    assert saved(app, dossier_id).answers["scope"]["estimated_patients"] == 1200


def test_a_number_grouped_by_commas_is_read_in_english_and_a_decimal_in_french(
    app, logged_in, user
):
    """English writes 1,200; in French "1,200" is a decimal number, not a whole one."""
    dossier_id = request_at(app, user, "scope")
    typed = {**answers_for("scope"), "estimated_patients": "1,200"}
    assert post_step(logged_in, dossier_id, "scope", typed).status_code == 303
    assert saved(app, dossier_id).answers["scope"]["estimated_patients"] == 1200
    logged_in.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr-FR"
    french = post_step(logged_in, dossier_id, "scope", typed)
    assert french.status_code == 422
    in_french = "Saisissez un nombre entier en chiffres, sans lettres ni décimales."
    assert in_french in html.unescape(french.text)


def test_a_field_without_a_hint_points_to_no_hint(app, logged_in, user):
    dossier_id = request_at(app, user, "manufacturer")
    page = logged_in.get(f"/requests/{dossier_id}/steps/manufacturer").text
    block = field_block(page, "legal_name")
    assert "legal_name-hint" not in block and ">None<" not in page
    assert 'id="srn-hint"' in page and 'aria-describedby="srn-hint"' in page


@pytest.mark.parametrize("nb_number", [None, "2797"], ids=["not-chosen-yet", "chosen"])
def test_a_planned_application_may_not_name_its_notified_body_yet(app, logged_in, user, nb_number):
    dossier_id = request_at(app, user, "certification")
    answers = {
        **answers_for("certification"),
        "nb_application": "planned",
        "nb_application_date": day(30),
        "nb_number": nb_number,
    }
    assert post_step(logged_in, dossier_id, "certification", answers).status_code == 303
    assert saved(app, dossier_id).answers["certification"].get("nb_number") == nb_number


def test_a_certificate_under_renewal_may_expire_later(app, logged_in, user):
    """Only an expired certificate must have its date in the past."""
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
    answers = {
        **sample_answers()["situation"],
        "reason": "renewal_in_progress",
        "legacy_certificate_expiry": day(30),
    }
    assert post_step(logged_in, dossier_id, "situation", answers).status_code == 303


def test_a_date_typed_day_first_is_read_and_shown_back_as_the_date_control_reads_it(
    app, logged_in, user
):
    """Where a browser shows a text box for a date, people in France type 14/03/2027: it is
    read, and a page shown again gives it in ISO (a date control empties any other form)."""
    dossier_id = request_at(app, user, "patient")
    needed_by = clock.today() + timedelta(days=40)
    typed = {**answers_for("patient"), "needed_by": needed_by.strftime("%d/%m/%Y")}
    refused = post_step(logged_in, dossier_id, "patient", {**typed, "patient_birth_year": "1850"})
    assert refused.status_code == 422
    assert FormState(refused.text).values["needed_by"] == needed_by.isoformat()
    assert post_step(logged_in, dossier_id, "patient", typed).status_code == 303
    assert saved(app, dossier_id).answers["patient"]["needed_by"] == needed_by.isoformat()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_date_typed_as_the_hint_writes_it_is_read(app, logged_in, user, language):
    """The hints write dates with the month's name ("For example 14 March 2027"): typed so in
    a text box, in either language, whole or shortened, it is read as that date."""
    dossier_id = request_at(app, user, "patient")
    needed_by = clock.today() + timedelta(days=40)
    month = format_date(needed_by, "MMMM" if language == "en" else "MMM", locale=language)
    typed = f"{needed_by.day} {month} {needed_by.year}"
    answers = {**answers_for("patient"), "needed_by": typed}
    assert post_step(logged_in, dossier_id, "patient", answers).status_code == 303, typed
    assert saved(app, dossier_id).answers["patient"]["needed_by"] == needed_by.isoformat()
    wrong = {**answers, "needed_by": f"{needed_by.day} Brumaire {needed_by.year}"}
    assert_error_shown(
        post_step(logged_in, dossier_id, "patient", wrong).text, "needed_by", BAD_DATE
    )


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "for example 14 March 2029 or 14/03/2029."),
        ("fr", "par exemple 14 mars 2029 ou 14/03/2029."),
    ],
)
def test_a_date_typed_wrong_is_shown_an_example_still_to_come(
    app, logged_in, user, monkeypatch, language, said
):
    """On 2 April 2028, the example of a date is 14 March 2029: the one of 2028 is past, and a
    date that must not be past (the patient's "needed by") typed as it would be refused."""
    dossier_id = request_at(app, user, "patient")
    logged_in.get(f"/language/{language}")
    monkeypatch.setattr(clock, "now", lambda: datetime(2028, 4, 2, 9, 0, tzinfo=UTC))
    wrong = {**answers_for("patient"), "needed_by": "soon"}
    refused = post_step(logged_in, dossier_id, "patient", wrong)
    assert refused.status_code == 422
    assert said in " ".join(refused.text.split())
    assert FormState(refused.text).values["needed_by"] == "soon"  # what was typed, kept


@pytest.mark.parametrize("kind", ["documents", "letters"])
def test_a_document_is_never_also_a_letter(app, logged_in, user, kind):
    """The same PDF as a document and as a professional's letter would support the request
    twice under two names: refused, naming the file it already is."""
    dossier_id = request_at(app, user, "clinical-evidence")
    other = "letters" if kind == "documents" else "documents"
    same = (minimal_pdf("Same"), "first.pdf")
    assert upload(logged_in, dossier_id, other, **{f"{other[:-1]}-file": same}).status_code == 303
    field = f"{kind[:-1]}-file"
    again = upload(logged_in, dossier_id, kind, **{field: (minimal_pdf("Same"), "again.pdf")})
    assert again.status_code == 422
    message = (
        "This file is already attached as a healthcare professional’s letter, “first.pdf”: a "
        "document is a file of its own."
        if kind == "documents"
        else "This file is already attached as a document, “first.pdf”: a healthcare "
        "professional’s letter is a file of its own."
    )
    assert_error_shown(again.text, field, message)
    assert saved(app, dossier_id).files == 1


@pytest.mark.parametrize("kind", ["documents", "letters"])
def test_the_same_file_twice_is_refused_and_named(app, logged_in, user, kind):
    """It would be listed twice on the receipt."""
    dossier_id = request_at(app, user, "clinical-evidence")
    field = f"{kind[:-1]}-file"
    first = upload(logged_in, dossier_id, kind, **{field: (minimal_pdf("Same"), "first.pdf")})
    assert first.status_code == 303
    again = upload(logged_in, dossier_id, kind, **{field: (minimal_pdf("Same"), "again.pdf")})
    assert again.status_code == 422
    assert_error_shown(again.text, field, "This file is already attached, as “first.pdf”.")
    assert saved(app, dossier_id).files == 1


@pytest.mark.parametrize(
    ("kind", "other_answer"),
    [("documents", "document-kind"), ("letters", "letter-author_name")],
)
def test_the_same_file_with_another_answer_missing_is_said_at_once_and_not_kept(
    app, logged_in, user, kind, other_answer
):
    """The same file chosen again with its type (or its author) not given: said attached
    already now, not kept with "add it once the rest is put right", then refused on the
    next try, a loop."""
    dossier_id = request_at(app, user, "clinical-evidence")
    field = f"{kind[:-1]}-file"
    upload(logged_in, dossier_id, kind, **{field: (minimal_pdf("Same"), "first.pdf")})
    again = upload(
        logged_in,
        dossier_id,
        kind,
        **{field: (minimal_pdf("Same"), "again.pdf")},
        **{other_answer: None},
    )
    assert again.status_code == 422
    assert_error_shown(again.text, field, "This file is already attached, as “first.pdf”.")
    assert "again.pdf" not in again.text  # not offered as kept for the next try
    completed = upload(logged_in, dossier_id, kind, **{field: None})
    assert completed.status_code == 422  # nothing kept to add: the file is asked for
    assert "This file is already attached" not in completed.text
    assert saved(app, dossier_id).files == 1


def test_fixing_the_start_date_clears_the_end_dates_live_error(app, logged_in, user):
    """The end date's error came from the start date: changing the start checks the end again
    and replaces it where it stands (hx-swap-oob), with or without an error."""
    dossier_id = request_at(app, user, "period")
    typed = {**answers_for("period"), "start_date": day(250), "end_date": day(200)}
    end = validate_live(logged_in, dossier_id, "period", "end_date", typed).text
    assert_error_shown(end, "end_date", "The end must be after the start.", summary=False)
    fixed = validate_live(
        logged_in, dossier_id, "period", "start_date", {**typed, "start_date": day(10)}
    )
    checked_again = re.search(
        r'<div class="field" id="field-end_date" hx-swap-oob="true">', fixed.text
    )
    assert checked_again and "error-message" not in fixed.text
    broken = validate_live(
        logged_in, dossier_id, "period", "start_date", {**typed, "start_date": day(220)}
    )
    assert re.search(r'id="field-end_date" hx-swap-oob="true"', broken.text)
    # Said to screen readers too: the error appeared where the person is not.
    status = re.search(r'<div hx-swap-oob="innerHTML:#live-status">(.*?)</div>', broken.text).group(
        1
    )
    assert status.endswith(": The end must be after the start.")
    # An end date not given yet is left alone: no error for what the filer has not reached.
    untouched = validate_live(
        logged_in, dossier_id, "period", "start_date", {**typed, "end_date": ""}
    )
    assert "field-end_date" not in untouched.text


UDI_WARNING = (
    "This is not a GS1 GTIN, so its check digit cannot be checked here: it is accepted as a "
    "HIBCC, ICCBBA or IFA code. Compare it with the label once more."
)


def test_a_udi_di_of_another_issuer_is_accepted_with_a_warning(app, logged_in, user):
    """DESIGN §2: HIBCC, ICCBBA and IFA codes are accepted as free text, with a warning, live
    and once saved (on the next page, for those without JavaScript)."""
    dossier_id = request_at(app, user, "device")
    typed = {**answers_for("device"), "udi_di": "+H123PARTNO1U"}
    fragment = validate_live(logged_in, dossier_id, "device", "udi_di", typed).text
    assert "error-message" not in fragment and "aria-invalid" not in fragment
    assert '<p class="warning-message" id="udi_di-warning">' in fragment
    assert UDI_WARNING in fragment and 'aria-describedby="udi_di-hint udi_di-warning"' in fragment
    assert re.search(
        r'<div hx-swap-oob="innerHTML:#live-status">UDI-DI: This is not a GS1 GTIN', fragment
    )
    saved_step = post_step(logged_in, dossier_id, "device", typed)
    assert saved_step.status_code == 303
    assert saved(app, dossier_id).answers["device"]["udi_di"] == "+H123PARTNO1U"
    following = logged_in.get(saved_step.location).text
    assert "notice--warning" in following and UDI_WARNING in following
    gtin = validate_live(logged_in, dossier_id, "device", "udi_di", answers_for("device")).text
    assert "warning-message" not in gtin
    # Heard in the page's language, "Warning:" included.
    logged_in.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr-FR"
    french = validate_live(logged_in, dossier_id, "device", "udi_di", typed).text
    assert '<span class="visually-hidden">Attention\u00a0:</span> Ce n’est pas un GTIN' in french


def test_choosing_a_renewal_clears_the_expired_certificates_date_error(app, logged_in, user):
    dossier_id = request_at(app, user, "situation")
    typed = {**answers_for("situation"), "legacy_certificate_expiry": day(30)}
    expired = validate_live(logged_in, dossier_id, "situation", "legacy_certificate_expiry", typed)
    assert "An expired certificate has an expiry date in the past" in expired.text
    renewal = validate_live(
        logged_in, dossier_id, "situation", "reason", {**typed, "reason": "renewal_in_progress"}
    )
    assert 'id="field-legacy_certificate_expiry" hx-swap-oob="true"' in renewal.text
    assert "An expired certificate" not in renewal.text


@pytest.mark.parametrize("kind", ["documents", "letters"])
def test_a_request_full_of_files_refuses_one_more_next_to_the_file(
    app, logged_in, user, kind, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_FILES_PER_REQUEST", 2)
    with app.app_context():
        dossier_id = dossier_with(user[0], files=False)
    prefix = "document" if kind == "documents" else "letter"
    for name in ("first", "second"):
        held = {f"{prefix}-file": (minimal_pdf(name), f"{name}.pdf")}
        assert upload(logged_in, dossier_id, kind, **held).status_code == 303
    third = {f"{prefix}-file": (minimal_pdf("third"), "third.pdf")}
    refused = upload(logged_in, dossier_id, kind, **third)
    assert refused.status_code == 422
    what = "documents" if kind == "documents" else "letters"
    message = f"This request has 2 {what}, the most it can carry: remove one it no longer needs"
    assert message in " ".join(refused.text.split())
    assert f'href="#{prefix}-file"' in refused.text  # in the error summary, to the field


def test_a_period_ending_after_the_expected_ce_marking_is_taken_with_a_warning(
    app, logged_in, user
):
    """Once CE marked (the path to certification step gives when), the device needs no
    derogation: a later end is likely a slip, said, never refused."""
    dossier_id = request_at(app, user, "period")
    expected = date.fromisoformat(answers_for("certification")["expected_ce_date"])
    typed = {**answers_for("period"), "end_date": (expected + timedelta(days=30)).isoformat()}
    saved_step = post_step(logged_in, dossier_id, "period", typed)
    assert saved_step.status_code == 303
    said = (
        f"The period ends after {format_date(expected, 'long', locale='en_GB')}, the date you "
        "expect CE marking (path to certification step). Once CE marked, the device no longer "
        "needs this derogation: check the end date."
    )
    assert said in html.unescape(logged_in.get(saved_step.location).text)
    live = validate_live(logged_in, dossier_id, "period", "end_date", typed)
    assert said in html.unescape(live.text)
    assert "period" in saved(app, dossier_id).answers


def test_a_lodged_application_dated_apart_from_the_situation_step_is_taken_with_a_warning(
    app, logged_in, user
):
    """The regulatory situation step gave the day the MDR application was lodged; the path
    to certification gives another: one may have ended and another been lodged since, or it
    is a slip, said, never refused. The same day says nothing."""
    with app.app_context():
        situation = {**answers_for("situation"), "mdr_application_date": "2025-01-10"}
        dossier_id = request_at(app, user, "certification")
        service.save_step(db.session.get(Dossier, dossier_id), "situation", situation)
    said = (
        "On the regulatory situation step, you gave 10 January 2025 as the date you lodged "
        "your MDR application. Check which date is right."
    )
    typed = answers_for("certification")  # lodged on 15 January 2025
    live = validate_live(logged_in, dossier_id, "certification", "nb_application_date", typed)
    assert said in html.unescape(live.text)
    saved_step = post_step(logged_in, dossier_id, "certification", typed)
    assert saved_step.status_code == 303
    assert said in html.unescape(logged_in.get(saved_step.location).text)
    same_day = {**typed, "nb_application_date": "2025-01-10"}
    live = validate_live(logged_in, dossier_id, "certification", "nb_application_date", same_day)
    assert "Check which date is right" not in live.text
    # Saved the same, then the situation step's date changed: the certification step, opened
    # again, says it where the date is, not only on the summary.
    assert post_step(logged_in, dossier_id, "certification", same_day).status_code == 303
    with app.app_context():
        moved = {**situation, "mdr_application_date": "2025-02-03"}
        service.save_step(db.session.get(Dossier, dossier_id), "situation", moved)
    reopened = html.unescape(logged_in.get(f"/requests/{dossier_id}/steps/certification").text)
    assert (
        "On the regulatory situation step, you gave 3 February 2025 as the date you lodged "
        "your MDR application. Check which date is right." in reopened
    )


def test_a_warning_another_step_s_change_brings_is_said_on_the_summary(app, logged_in, user):
    """The period was saved ending before the expected CE marking; that date is then moved
    earlier from the summary: the period's page is not seen again, so the summary says it
    beside the end date, and points to it at the top. Said once: not flashed as well."""
    with app.app_context():
        dossier_id = dossier_with(user[0])
    period_end = date.fromisoformat(answers_for("period")["end_date"])
    summary = f"/requests/{dossier_id}/steps/check"
    assert "worth a second look" not in logged_in.get(summary).text

    earlier = {**answers_for("certification"), "expected_ce_date": period_end - timedelta(days=30)}
    moved = post_step(logged_in, dossier_id, "certification", earlier, query="?return_to=check")
    # Back at the section changed, saying so there (the page is long).
    assert moved.status_code == 303 and moved.location == f"{summary}#summary-certification"
    page = " ".join(html.unescape(logged_in.get(summary).text).split())
    section = page[page.index('id="summary-certification"') : page.index('id="summary-period"')]
    assert "Your changes to “Path to certification” are saved." in section
    assert page.count("are saved.") == 1  # not at the top as well
    expected = format_date(period_end - timedelta(days=30), "long", locale="en_GB")
    said = (
        f"The period ends after {expected}, the date you expect CE marking (path to "
        "certification step). Once CE marked, the device no longer needs this derogation: "
        "check the end date."
    )
    assert page.count(said) == 1
    row = page[page.index('id="summary-period"') :]
    assert row.index("End of the period") < row.index(said)
    assert "Some answers are worth a second look before you submit (said beside them):" in page
    assert '<li><a href="#summary-period">Period requested</a></li>' in page
    # Still taken: a warning, never a refusal.
    assert "Continue to the declaration" in page

    # Saved again on its own page, whose next page is the summary: said there once too.
    again = post_step(logged_in, dossier_id, "period", answers_for("period"))
    assert again.status_code == 303 and again.location.endswith(summary)
    assert " ".join(html.unescape(logged_in.get(summary).text).split()).count(said) == 1


def test_a_message_about_a_statement_to_confirm_follows_its_full_stop(app, logged_in, user):
    """A label that is a sentence (the commitment to confirm) ends with its own full stop:
    the live region says the message after it, not after ".:"."""
    dossier_id = request_at(app, user, "certification")
    typed = {**answers_for("certification"), "commitment": None}
    fragment = validate_live(logged_in, dossier_id, "certification", "commitment", typed).text
    said = html.unescape(
        re.search(r'<div hx-swap-oob="innerHTML:#live-status">(.*?)</div>', fragment).group(1)
    )
    assert said.endswith(
        "never a way around conformity assessment. Confirm the commitment to pursue CE "
        "certification."
    )
    assert ".:" not in said


@pytest.mark.parametrize(
    "reason",
    [
        "mdr_certificate_expired",
        "mdr_renewal_in_progress",
        "certificate_withdrawn",
        "other_purpose",
    ],
)
def test_a_reason_without_a_former_directive_certificate_asks_for_none(
    app, logged_in, user, reason
):
    """An MDR certificate expired, a certificate withdrawn, a device CE marked for another
    use: no former-directive certificate is asked for, but the certificate it has or had, and
    the reason is read back."""
    from wizard.forms.choices import NO_CE_REASONS

    dossier_id = request_at(app, user, "situation")
    typed = {**WITHDRAWN_CERTIFICATE, "reason": reason, "written_agreement": "no"}
    assert post_step(logged_in, dossier_id, "situation", typed).status_code == 303
    assert saved(app, dossier_id).answers["situation"]["reason"] == reason
    check = html.unescape(logged_in.get(f"/requests/{dossier_id}/steps/check").text)
    assert str(dict(NO_CE_REASONS)[reason]) in check


def test_a_signature_may_give_the_name_in_either_order(app):
    """ "Marie Dupont" signs for "Dupont Marie" (French usage writes either first); another
    name, or a word left out, does not."""
    from werkzeug.datastructures import MultiDict

    from wizard.forms.case import DeclarationForm

    def signs(name: str, signature: str) -> bool:
        with app.test_request_context(method="POST"):
            data = MultiDict({"signatory_name": name, "signature": signature})
            form = DeclarationForm(formdata=data, meta={"csrf": False})
            form.validate()
            return not form.signature.errors

    assert signs("Dupont Marie", "Marie Dupont")
    assert signs("Claire  Martin", "claire martin")
    # The apostrophe a phone or a word processor types (’) is the one a keyboard types ('),
    # as are the hyphens that look alike.
    assert signs("Marie-Hélène N'Diaye-Lefèvre", "Marie-Hélène N’Diaye-Lefèvre")
    assert signs("Marie‑Hélène N’Diaye", "marie-hélène n'diaye")
    assert not signs("Dupont Marie", "Marie")
    assert not signs("Dupont Marie", "Marie Durand")


def test_a_period_starting_more_than_a_year_ahead_is_worth_a_second_look(app, logged_in, user):
    """2028 typed for 2027, or a need that can wait: said beside the start, never refused."""
    with app.app_context():
        dossier_id = dossier_with(user[0], "global")
    far = clock.today() + timedelta(days=400)
    typed = {"start_date": far.isoformat(), "end_date": (far + timedelta(days=90)).isoformat()}
    fragment = validate_live(logged_in, dossier_id, "period", "start_date", typed)
    on = format_date(far, "long", locale="en_GB")
    said = (
        f"The period starts more than a year from today, on {on}: "
        "a derogation answers a need that cannot wait for CE marking. Check the start date."
    )
    assert said in " ".join(html.unescape(fragment.text).split())
    near = {**typed, "start_date": (clock.today() + timedelta(days=300)).isoformat()}
    fragment = validate_live(logged_in, dossier_id, "period", "start_date", near)
    assert "more than a year from today" not in fragment.text
    assert post_step(logged_in, dossier_id, "period", typed).status_code == 303


def test_establishments_with_right_finess_numbers_or_none_are_taken(app, logged_in, user):
    dossier_id = request_at(app, user, "scope")
    listed = (
        "AP-HP Necker, Paris, FINESS : 750\u00a0712\u00a0184 75015\n"
        "Hospices civils de Lyon (FINESS 690781810)\n"
        "Clinique du Parc, Toulouse (FINESS: 1 site)"
    )
    scope = {**answers_for("scope"), "establishments": listed}
    assert post_step(logged_in, dossier_id, "scope", scope).status_code == 303
    assert saved(app, dossier_id).answers["scope"]["establishments"] == listed


def test_an_srn_of_another_country_than_the_registered_office_is_worth_a_second_look(
    app, logged_in, user
):
    """EUDAMED gives a manufacturer the code of the country it is established in: a German
    SRN for a French office is said beside the SRN (live, when either changes), not refused."""
    dossier_id = request_at(app, user, "manufacturer")
    typed = {**answers_for("manufacturer"), "srn": "DE-MF-000012345"}
    said = (
        "This SRN starts with DE (Germany), while the registered office is in France: EUDAMED "
        "gives a manufacturer the code of the country it is established in. Check the SRN and "
        "the country."
    )
    for name in ("srn", "country"):
        fragment = validate_live(logged_in, dossier_id, "manufacturer", name, typed)
        assert said in " ".join(html.unescape(fragment.text).split()), name
    overseas = {**answers_for("manufacturer"), "country": "RE", "srn": "FR-MF-000012345"}
    fragment = validate_live(logged_in, dossier_id, "manufacturer", "srn", overseas)
    assert "This SRN starts with" not in fragment.text
    assert post_step(logged_in, dossier_id, "manufacturer", typed).status_code == 303


def test_a_certificate_under_the_regulation_still_valid_is_worth_a_second_look(
    app, logged_in, user
):
    """A device whose certificate is being renewed has a valid CE marking until it lapses:
    said beside its date, never refused. A withdrawn certificate is taken with its grounds."""
    dossier_id = request_at(app, user, "situation")
    lapses = clock.today() + timedelta(days=60)
    typed = {
        "reason": "mdr_renewal_in_progress",
        "certificate_number": "MDR 0123-4567",
        "certificate_body": "NB 2797",
        "certificate_date": lapses.isoformat(),
    }
    fragment = validate_live(logged_in, dossier_id, "situation", "certificate_date", typed)
    on = format_date(lapses, "long", locale="en_GB")
    said = (
        f"Your certificate is valid until {on}: until then the device has a valid CE marking "
        "and needs no derogation."
    )
    assert said in " ".join(html.unescape(fragment.text).split())
    # The reason changed, the date checked again with it: a lapsed one says nothing.
    fragment = validate_live(
        logged_in, dossier_id, "situation", "reason", {**typed, "reason": "mdr_certificate_expired"}
    )
    assert "Your certificate is valid until" not in fragment.text
    assert post_step(logged_in, dossier_id, "situation", typed).status_code == 303
    assert saved(app, dossier_id).answers["situation"]["certificate_body"] == "2797"
    assert post_step(logged_in, dossier_id, "situation", WITHDRAWN_CERTIFICATE).status_code == 303
    stored = saved(app, dossier_id).answers["situation"]
    assert stored["withdrawal_grounds"] == WITHDRAWN_CERTIFICATE["withdrawal_grounds"]
    assert "legacy_certificate_number" not in stored  # not asked for this reason


def test_the_application_date_is_checked_again_as_the_answers_it_follows_change(
    app, logged_in, user
):
    """Asked with a written agreement: its error goes as soon as the agreement is answered
    "No", or as the reason no longer asks about one (the live check redraws it too)."""
    dossier_id = request_at(app, user, "situation")
    agreed = {**answers_for("situation"), "written_agreement": "yes",
              "written_agreement_date": day(-30)}  # fmt: skip
    refused = post_step(logged_in, dossier_id, "situation", agreed)
    assert refused.status_code == 422
    missing = "Enter the date you lodged your MDR application"
    assert missing in refused.text
    for name, change in [("written_agreement", "no"), ("reason", "never_certified")]:
        typed = {**agreed, name: change}
        fragment = validate_live(logged_in, dossier_id, "situation", name, typed)
        assert 'id="field-mdr_application_date"' in fragment.text
        assert missing not in fragment.text
