"""Choice lists shown in forms, labelled in the reader's language."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from babel import Locale
from flask_babel import get_locale

from wizard.domain.countries import ISO_3166_ALPHA2
from wizard.domain.identifiers import DEVICE_CLASSES
from wizard.i18n import lazy_gettext as _l

# France's overseas departments and regions, and Saint-Martin, which ISO codes apart: EU
# outermost regions, where EU law (the MDR) applies as in mainland France.
FRENCH_OUTERMOST_REGIONS = frozenset("GF GP MQ RE YT MF".split())
# Where a company has a SIRET (INSEE's SIRENE register): France, those regions, and
# Saint-Barthélemy and Saint-Pierre-et-Miquelon (outside the EU). Not New Caledonia or French
# Polynesia, which keep registers of their own.
SIRENE_COUNTRIES = frozenset({"FR", *FRENCH_OUTERMOST_REGIONS, "BL", "PM"})
# EU member states and the other EEA countries (Iceland, Liechtenstein, Norway), where the MDR
# applies, with the parts of them ISO codes apart (the French regions above; Åland, Finnish):
# a manufacturer elsewhere needs an authorised representative.
EEA_COUNTRIES = (
    frozenset(
        "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK "
        "IS LI NO AX".split()
    )
    | FRENCH_OUTERMOST_REGIONS
)


def countries() -> list[tuple[str, str]]:
    """ISO country codes with their names in the current language, France first."""
    return [("", _l("Choose a country")), *_country_names(str(get_locale()))]


@lru_cache(maxsize=8)
def _country_names(locale: str) -> tuple[tuple[str, str], ...]:
    names = Locale.parse(locale).territories
    listed = sorted(
        ((code, names.get(code, code)) for code in ISO_3166_ALPHA2 if code != "FR"),
        key=lambda pair: strxfrm_key(pair[1]),
    )
    return (("FR", names.get("FR", "France")), *listed)


def country_name(code: str) -> str:
    """A country's name in the current language (its code if it has none)."""
    return dict(_country_names(str(get_locale()))).get(code, code)


def strxfrm_key(name: str) -> str:
    """Sort "Égypte" with the E's, not after Z."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


DEVICE_CLASS_CHOICES = [(code, _l("Class %(code)s", code=code)) for code in DEVICE_CLASSES]

# "certificate_expired" and "renewal_in_progress" are of a certificate under the former
# directives (the situation step asks for it: Regulation 2023/607 may still count it valid).
NO_CE_REASONS = [
    ("never_certified", _l("The device has never been CE marked")),
    (
        "certificate_expired",
        _l("Its certificate under the former directives (MDD or AIMDD) has expired"),
    ),
    (
        "renewal_in_progress",
        _l(
            "Its certificate under the former directives (MDD or AIMDD) is being replaced by "
            "an MDR certificate, not issued yet"
        ),
    ),
    ("mdr_certificate_expired", _l("Its certificate under Regulation (EU) 2017/745 has expired")),
    (
        "mdr_renewal_in_progress",
        _l("Its certificate under Regulation (EU) 2017/745 is being renewed, not issued yet"),
    ),
    (
        "certificate_withdrawn",
        _l("Its certificate was suspended, restricted or withdrawn by its notified body"),
    ),
    ("other_purpose", _l("It is CE marked, but not for the use this request is for")),
    ("other", _l("Another reason")),
]

PATIENT_SEX = [
    ("female", _l("Female")),
    ("male", _l("Male")),
    ("unspecified", _l("Not specified")),
]

ACCESS_TYPES = [
    ("individual", _l("Individual — for one identified patient")),
    ("global", _l("Global — for the device, for a group of patients")),
]

NB_APPLICATION_STATUS = [
    ("lodged", _l("An application has been lodged with a notified body")),
    ("planned", _l("An application is planned")),
    # Class I devices are certified by their manufacturer alone (Regulation (EU) 2017/745,
    # article 52(7)), unless sterile, measuring, or reusable surgical instruments (Is, Im, Ir).
    (
        "not_needed",
        _l(
            "None is needed: the device is class I (not sterile, with no measuring function, "
            "not a reusable surgical instrument)"
        ),
    ),
]

CLINICAL_INVESTIGATION_STATUS = [
    ("submitted", _l("A clinical investigation has been submitted")),
    ("planned", _l("A clinical investigation is planned")),
    ("not_needed", _l("No clinical investigation is needed for certification")),
]
