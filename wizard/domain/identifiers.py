"""Validation and normalisation of the identifiers a filing carries (DESIGN.md section 2).

Each `validate_*` function takes what the user typed and either returns the normalised value
to store or raises `IdentifierError`. The error's `code` is one of `ERROR_CODES`; the UI maps
it to a translated message, so codes are part of the contract and the `message` is only for
developers and logs.

Common rules for every validator: surrounding whitespace is ignored; non-breaking and other
Unicode spaces count as spaces (French sites print "732 829 320" with them); typographic
dashes count as hyphens (a word processor's en dash, a PDF's non-breaking hyphen) and the
zero-width marks a copy from a web page carries unseen are dropped; empty or
whitespace-only input is "empty"; other control, format and line-separator characters anywhere
are "format".

Check digits are delegated to python-stdnum where it covers the identifier (SIREN, SIRET,
GTIN, Luhn); it has no RPPS or FINESS module (checked in python-stdnum 2.2), so those two
apply `stdnum.luhn` to the documented structure.
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from stdnum import ean, luhn
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError
from stdnum.fr import siren, siret

from wizard.domain.countries import SRN_COUNTRY_CODES

ERROR_CODES: tuple[str, ...] = (
    "empty",
    "format",
    "length",
    "checksum",
    "country",
    "role",
    "letter_for_digit",  # a digit typed as the letter it looks like (O for 0)
    "placeholder",  # zeros only, which pass every check digit
)

DEVICE_CLASSES: tuple[str, ...] = ("I", "Is", "Im", "Ir", "IIa", "IIb", "III")

# EUDAMED actor roles: manufacturer, authorised representative, importer, and producer of
# system/procedure packs.
SRN_ROLES: frozenset[str] = frozenset({"MF", "AR", "IM", "PR"})

UDI_ISSUER_GS1 = "GS1"
UDI_ISSUER_OTHER = "other"
UDI_FREE_TEXT_MAX_LENGTH = 120
GTIN_LENGTHS: frozenset[int] = frozenset({8, 12, 13, 14})

# Categories refused anywhere in the input: Cc/Cf/Cs/Co/Cn (controls, invisible format marks
# such as bidi overrides, surrogates, private use, unassigned) and line/paragraph separators.
_REFUSED_CATEGORIES = ("C", "Zl", "Zp")

_SRN = re.compile(r"([A-Z]{2})-([A-Z]{2})-([0-9]+)")
_DIGITS = re.compile(r"[0-9]+")
_GTIN_SEPARATORS = re.compile(r"[ .-]")
_GS1_GTIN_PREFIX = re.compile(r"^\(01\)\s*")
_EMDN = re.compile(r"[A-Z][0-9]{2,12}")
_EMDN_SHAPE = re.compile(r"[A-Z][0-9]+")
_NB_PREFIX = re.compile(r"NB")
# What a copy from a document or a web page puts in an identifier in place of what was seen:
# dashes for its hyphens (hyphen, non-breaking hyphen, figure, en and em dashes, minus sign,
# small and full-width hyphen-minus), and invisible marks (soft hyphen, zero-width space,
# joiners, word joiner, byte-order mark).
_DASHES = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
_ZERO_WIDTH = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
# FINESS: département (two digits, or 2A/2B for Corsica), 6 digits, 1 check key.
_FINESS = re.compile(r"(?:[0-9]{2}|2A|2B)[0-9]{7}")


class IdentifierError(ValueError):
    """An identifier failed validation; `code` says why, in a form the UI can translate."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class UdiDi:
    """A validated UDI-DI; `issuer` is "GS1" when it is a checked GTIN, else "other"."""

    value: str
    issuer: str


def validate_srn(value: str) -> str:
    """Validate a EUDAMED single registration number `CC-RR-NNNNNNNNN`, e.g. "FR-MF-000012345"."""
    text = _prepare_ascii(value).upper()
    match = _SRN.fullmatch(text)
    if match is None:
        raise IdentifierError("format", "SRN must look like CC-RR-NNNNNNNNN")
    country, role, number = match.groups()
    if country not in SRN_COUNTRY_CODES:
        raise IdentifierError("country", f"{country!r} is not an ISO 3166-1 country code")
    if role not in SRN_ROLES:
        raise IdentifierError("role", f"SRN role {role!r} is not one of MF, AR, IM, PR")
    _not_placeholder(number, "SRN")
    if len(number) != 9:
        raise IdentifierError("length", "SRN must end with exactly 9 digits")
    return text


_DIGIT_LOOK_ALIKES = str.maketrans("OoIl", "0011")


def validate_udi_di(value: str) -> UdiDi:
    """Validate a UDI-DI: a GS1 GTIN is checked; other issuers are accepted as free text.

    HIBCC ("+..."), ICCBBA ("=...") and IFA ("-...") DIs have their own check characters, but
    the design only asks to accept them with a warning, so the caller shows one when
    `issuer == "other"`.
    """
    text = _prepare(value)
    # A GTIN as people copy it: with spaces, dashes or dots between groups of digits, or with
    # its GS1 application identifier "(01)" in front. Its check digit is checked all the same.
    compact = _GTIN_SEPARATORS.sub("", _GS1_GTIN_PREFIX.sub("", text, count=1))
    if _DIGITS.fullmatch(compact):
        return UdiDi(_validate_gtin(compact), UDI_ISSUER_GS1)
    # A GTIN with a letter typed for a digit that looks like it ("376O123456784": O for 0, I
    # or l for 1): not another issuer's code, whose check would be skipped.
    if _DIGITS.fullmatch(compact.translate(_DIGIT_LOOK_ALIKES)) and len(compact) in GTIN_LENGTHS:
        raise IdentifierError("letter_for_digit", "a GTIN with a letter for a digit")
    if len(text) > UDI_FREE_TEXT_MAX_LENGTH:
        raise IdentifierError("format", f"UDI-DI must be at most {UDI_FREE_TEXT_MAX_LENGTH} chars")
    # Other issuers' codes are one word with digits in it; "N/A" or a sentence is none.
    if " " in text or not any(ch.isdigit() for ch in text):
        raise IdentifierError("format", "not a UDI-DI")
    return UdiDi(text, UDI_ISSUER_OTHER)


def validate_notified_body_number(value: str) -> str:
    """Validate a NANDO notified-body number: 4 digits, an optional "NB" prefix is dropped."""
    text = _NB_PREFIX.sub("", _prepare_ascii(value).upper(), count=1).replace(" ", "")
    if not _DIGITS.fullmatch(text):
        raise IdentifierError("format", "notified body number must be digits, e.g. 2797")
    if len(text) != 4:
        raise IdentifierError("length", "notified body number must have exactly 4 digits")
    _not_placeholder(text, "notified body number")
    return text


def validate_emdn(value: str) -> str:
    """Validate an EMDN code: one category letter then 2 to 12 digits, e.g. "P0704"."""
    text = _prepare_ascii(value).upper()
    if _EMDN.fullmatch(text):
        return text
    if _EMDN_SHAPE.fullmatch(text):
        raise IdentifierError("length", "EMDN code must have 2 to 12 digits after the letter")
    raise IdentifierError("format", "EMDN code must be a letter followed by digits, e.g. P0704")


def validate_siren(value: str) -> str:
    """Validate a French SIREN (9 digits, Luhn) and return it without spaces."""
    return _run_stdnum(siren.validate, _prepare_ascii(value), "SIREN")


def validate_siret(value: str) -> str:
    """Validate a French SIRET (14 digits, Luhn; La Poste rule included); spaces, dashes and
    dots between them (as people group them) are let go."""
    text = _siret_text(value)
    _not_placeholder(text, "SIRET")
    return _run_stdnum(siret.validate, text, "SIRET")


def is_siren_for_siret(value: str | None) -> bool:
    """Whether `value`, given as a SIRET and read as `validate_siret` reads it, is 9 digits:
    the company's SIREN rather than its establishment's SIRET."""
    try:
        text = _siret_text(value)
    except IdentifierError:
        return False
    return len(text) == 9 and text.isdigit()


def _siret_text(value: str | None) -> str:
    return re.sub(r"[ .-]", "", _prepare_ascii(value))


def validate_rpps(value: str) -> str:
    """Validate an RPPS number (French health professional): 11 digits, Luhn check digit;
    spaces, dashes and dots between them (as people group them) are let go, and so is the 8
    before them in the national identifier a professional card shows (IDNPS: 8, then the
    RPPS number)."""
    text = re.sub(r"[ .-]", "", _prepare_ascii(value))
    if len(text) == 12 and text.startswith("8"):
        text = text[1:]
    _require_digits(text, 11, "RPPS")
    _not_placeholder(text, "RPPS")
    return _run_stdnum(luhn.validate, text, "RPPS")


def validate_finess(value: str) -> str:
    """Validate a FINESS number (health or social establishment): 9 characters with a key.

    Structure: 2-character département ("2A"/"2B" in Corsica), 6 digits, then a Luhn check
    digit over the first 8 characters. Sources: the SNDS documentation "Le numéro FINESS dans
    le SNDS" (9 characters, département first, key-less 8-character form) and real public
    numbers checked with Luhn (AP-HP 750712184, HCL 690781810, AP-HM 130786049). No public
    source states how the key is computed for Corsica; like the NIR and INSEE practice, "2A"
    and "2B" are read as "20" for the computation. That is an assumption: revisit if a real
    Corsican number is refused.
    """
    text = _prepare_ascii(value).upper().replace(" ", "")
    if not text.isalnum():
        raise IdentifierError("format", "FINESS may only contain digits (and 2A/2B)")
    if len(text) != 9:
        raise IdentifierError("length", "FINESS must have exactly 9 characters")
    if not _FINESS.fullmatch(text):
        raise IdentifierError("format", "FINESS must be a département code then 7 digits")
    _not_placeholder(text, "FINESS")
    _run_stdnum(luhn.validate, _corsica_as_digits(text), "FINESS")
    return text


# The word FINESS, then what may stand between it and its number ("n°", "no.", a colon).
_FINESS_WORD = re.compile(r"\bFINESS\b[\s:.]*(?:(?:n°|no\.?|number|numéro)[\s:.]*)?", re.I)
# A number as people write it: a first group (which may start with 2A or 2B, Corsica), then
# groups of digits set apart by spaces (any: non-breaking ones come with text pasted from a
# word processor), dots or dashes.
_FINESS_WRITTEN = re.compile(r"(?:2[AB]|[0-9])[0-9]*(?:[\s.\-‐‑][0-9]+)*", re.I)
_FINESS_GROUPS = re.compile(r"[\s.\-‐‑]+")
# Fewer digits than this after the word FINESS is not a number given for it ("1 site").
FINESS_FEWEST_DIGITS = 5


def finess_numbers_in(text: str) -> list[tuple[int, str, str]]:
    """The FINESS numbers a free text gives after the word FINESS ("AP-HP, FINESS 750712184",
    "FINESS : 750 712 184"), each with its line number (from 1), as typed, and without its
    separators, for `validate_finess` to check. Groups are joined while they make at most 9
    characters and the first is short (a grouped number); a postcode or a street number
    after a whole number is not part of it."""
    found = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        for word in _FINESS_WORD.finditer(line):
            written = _FINESS_WRITTEN.match(line, word.end())
            if written is None:
                continue
            groups = _FINESS_GROUPS.split(written.group())
            end = written.start() + len(groups[0])
            joined = len(groups[0])
            if joined <= 3:  # "750 712 184", "75-010020-8": grouped
                for group in groups[1:]:
                    if joined + len(group) > 9:
                        break
                    end = line.index(group, end) + len(group)
                    joined += len(group)
            typed = line[written.start() : end]
            if sum(ch.isdigit() for ch in typed) >= FINESS_FEWEST_DIGITS:
                found.append((line_number, typed, _FINESS_GROUPS.sub("", typed)))
    return found


def _validate_gtin(digits: str) -> str:
    if len(digits) not in GTIN_LENGTHS:
        raise IdentifierError("length", "a GS1 GTIN has 8, 12, 13 or 14 digits")
    _not_placeholder(digits, "GTIN")
    return _run_stdnum(ean.validate, digits, "GTIN")


def _corsica_as_digits(finess: str) -> str:
    if finess[:2] in ("2A", "2B"):
        return "20" + finess[2:]
    return finess


def _not_placeholder(digits: str, name: str) -> None:
    """Zeros only pass every check digit (Luhn, GS1): a form's example or a filler typed to
    get past a question ("00000000000000"), never a real number."""
    if digits and set(digits) == {"0"}:
        raise IdentifierError("placeholder", f"{name} of zeros only")


def _require_digits(text: str, length: int, name: str) -> None:
    if not _DIGITS.fullmatch(text):
        raise IdentifierError("format", f"{name} may only contain digits")
    if len(text) != length:
        raise IdentifierError("length", f"{name} must have exactly {length} digits")


def _run_stdnum(check: Callable[[str], str], text: str, name: str) -> str:
    """Run a python-stdnum validator and translate its exceptions into our codes."""
    try:
        return check(text)
    except InvalidChecksum as error:
        raise IdentifierError("checksum", f"{name} check digit does not match") from error
    except InvalidLength as error:
        raise IdentifierError("length", f"{name} has the wrong number of digits") from error
    except ValidationError as error:  # InvalidFormat and anything stdnum adds later
        raise IdentifierError("format", f"{name} is not in the expected format") from error


def as_typed(value: str) -> str:
    """`value` as typed rather than copied: its dashes hyphens, its invisible marks gone."""
    return _ZERO_WIDTH.sub("", _DASHES.sub("-", value))


def _prepare(value: str | None) -> str:
    """Apply the common rules: unify spaces, strip, refuse empty and invisible characters."""
    if value is None:
        raise IdentifierError("empty", "no value given")
    value = as_typed(value)
    text = "".join(" " if unicodedata.category(ch) == "Zs" else ch for ch in value).strip()
    if not text:
        raise IdentifierError("empty", "no value given")
    if any(unicodedata.category(ch).startswith(_REFUSED_CATEGORIES) for ch in text):
        raise IdentifierError("format", "value contains control or invisible characters")
    return text


def _prepare_ascii(value: str | None) -> str:
    # Every structured identifier is ASCII; refusing the rest early keeps look-alike digits
    # (full-width, Arabic-Indic) and letters that upper-case into ASCII out of stored values.
    text = _prepare(value)
    if not text.isascii():
        raise IdentifierError("format", "value contains characters outside A-Z and 0-9")
    return text
