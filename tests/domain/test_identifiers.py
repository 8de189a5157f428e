"""Identifier validators: what a filer may type, what is stored, and which error code shows."""

import pytest
from stdnum import luhn

from wizard.domain.identifiers import (
    DEVICE_CLASSES,
    ERROR_CODES,
    IdentifierError,
    UdiDi,
    finess_numbers_in,
    validate_emdn,
    validate_finess,
    validate_notified_body_number,
    validate_rpps,
    validate_siren,
    validate_siret,
    validate_srn,
    validate_udi_di,
)


def with_luhn_digit(body: str) -> str:
    """Append the Luhn check digit, so test numbers are valid without being anyone's."""
    return body + luhn.calc_check_digit(body)


def wrong_last_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def assert_code(validator, value, code):
    assert code in ERROR_CODES
    with pytest.raises(IdentifierError) as caught:
        validator(value)
    assert caught.value.code == code
    assert caught.value.message


VALID_RPPS = with_luhn_digit("1000000000")
CORSICAN_FINESS = "2A" + with_luhn_digit("200000" + "01")[2:]  # key computed on "20000001"

ALL_VALIDATORS = [
    validate_srn,
    validate_udi_di,
    validate_notified_body_number,
    validate_emdn,
    validate_siren,
    validate_siret,
    validate_rpps,
    validate_finess,
]


@pytest.mark.parametrize("validator", ALL_VALIDATORS)
@pytest.mark.parametrize("value", ["", "   ", "\t\n", "\u00a0", None])
def test_empty_input_is_reported_as_empty(validator, value):
    assert_code(validator, value, "empty")


@pytest.mark.parametrize("validator", ALL_VALIDATORS)
@pytest.mark.parametrize("value", ["12\x0034", "P07\x1b04", "FR\u202e12", "ab\u2028cd", "1\t2"])
def test_control_and_invisible_characters_are_a_format_error(validator, value):
    assert_code(validator, value, "format")


@pytest.mark.parametrize(
    ("validator", "pasted", "expected"),
    [
        (validate_srn, "FR\u2013MF\u2013000012345", "FR-MF-000012345"),  # en dashes
        (validate_srn, "FR\u2011MF\u2011000012345", "FR-MF-000012345"),  # no-break hyphens
        (validate_srn, "\u200bFR-MF-000012345", "FR-MF-000012345"),  # zero-width space
        (validate_siret, "732\u2010829\u2010320\u201000074", "73282932000074"),
        (validate_rpps, "100\u2212000\u2212000\u221209", VALID_RPPS),  # minus signs
        (validate_udi_di, "\ufeff3760123456784", UdiDi("3760123456784", "GS1")),
        (validate_udi_di, "3760\u20131234\u20135678\u20134", UdiDi("3760123456784", "GS1")),
        (validate_finess, "750\u00ad712\u00ad184", "750712184"),  # soft hyphens
        (validate_notified_body_number, "27\u206097", "2797"),  # a word joiner
    ],
)
def test_an_identifier_pasted_with_typographic_dashes_or_unseen_marks_is_taken(
    validator, pasted, expected
):
    """What the person saw is what is checked: a copy from a document or a web page that
    brings dashes for hyphens, or invisible zero-width marks, is not refused for them."""
    assert validator(pasted) == expected


@pytest.mark.parametrize("validator", ALL_VALIDATORS)
def test_only_unseen_marks_are_empty(validator):
    assert_code(validator, "\u200b\u00ad", "empty")


def test_identifier_error_is_a_value_error_with_a_code():
    error = IdentifierError("checksum", "bad digit")
    assert isinstance(error, ValueError)
    assert (error.code, error.message, str(error)) == ("checksum", "bad digit", "bad digit")


# --- SRN -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("FR-MF-000012345", "FR-MF-000012345"),
        ("  fr-mf-000012345 ", "FR-MF-000012345"),
        ("DE-AR-123456789", "DE-AR-123456789"),
        ("US-MF-000000001", "US-MF-000000001"),
        ("CN-IM-987654321", "CN-IM-987654321"),
        ("CH-PR-000000042", "CH-PR-000000042"),
        ("XI-MF-000000007", "XI-MF-000000007"),
        ("MF-MF-000000007", "MF-MF-000000007"),  # Saint Martin's code is also a role
    ],
)
def test_valid_srn_is_normalised(value, expected):
    assert validate_srn(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("FRMF000012345", "format"),
        ("FR MF 000012345", "format"),
        ("F1-MF-000012345", "format"),
        ("FR-MF-00001234A", "format"),
        ("FR-MF-０００012345", "format"),  # full-width digits
        ("ZZ-MF-000012345", "country"),
        ("EU-MF-000012345", "country"),
        ("UK-MF-000012345", "country"),
        ("FR-XX-000012345", "role"),
        ("FR-DI-000012345", "role"),
        ("FR-MF-00001234", "length"),
        ("FR-MF-0000123456", "length"),
    ],
)
def test_invalid_srn(value, code):
    assert_code(validate_srn, value, code)


# --- UDI-DI ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("96385074", "96385074"),  # GTIN-8
        ("036000291452", "036000291452"),  # GTIN-12 (UPC-A)
        ("4006381333931", "4006381333931"),  # GTIN-13
        ("10614141000415", "10614141000415"),  # GTIN-14
        (" 4006381 333931 ", "4006381333931"),
        ("4006381\u00a0333931", "4006381333931"),
        ("4006-3813-3393-1", "4006381333931"),
        ("(01)10614141000415", "10614141000415"),
        ("400.638.133.393.1", "4006381333931"),
    ],
)
def test_gtin_udi_di_is_checked_and_compacted(value, expected):
    assert validate_udi_di(value) == UdiDi(expected, "GS1")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("4006381333932", "checksum"),
        ("10614141000416", "checksum"),
        ("1234567", "length"),
        ("400638133393", "checksum"),  # 12 digits: read as a UPC-A with a wrong digit
        ("400638133393100", "length"),
        ("1" * 11, "length"),
        ("X" * 121, "format"),
        ("3760-1234-5678-5", "checksum"),  # a GTIN with dashes is still a GTIN
        ("(01)10614141000416", "checksum"),
        ("N/A", "format"),
        ("hello world", "format"),
        ("see label 12", "format"),
        # A GTIN with a letter typed for a digit: not another issuer's code.
        ("376O123456784", "letter_for_digit"),
        ("O3760123456791", "letter_for_digit"),
        ("376012345678l", "letter_for_digit"),
    ],
)
def test_invalid_udi_di(value, code):
    assert_code(validate_udi_di, value, code)


@pytest.mark.parametrize(
    "value",
    ["+H123PARTNO1U", "=/A9999XYZ100T0944", "-PPN1234567", "ABC-123.45", "X" * 119 + "1"],
)
def test_non_gs1_udi_di_is_accepted_as_other(value):
    assert validate_udi_di(value) == UdiDi(value, "other")


# --- Notified body ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2797", "2797"),
        (" 0123 ", "0123"),
        ("NB 2797", "2797"),
        ("nb2797", "2797"),
        ("0 459", "0459"),
    ],
)
def test_valid_notified_body_number(value, expected):
    assert validate_notified_body_number(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("279", "length"),
        ("27970", "length"),
        ("27a7", "format"),
        ("CE 0123", "format"),
        ("NB", "format"),
    ],
)
def test_invalid_notified_body_number(value, code):
    assert_code(validate_notified_body_number, value, code)


def test_device_classes_are_the_mdr_classes():
    assert DEVICE_CLASSES == ("I", "Is", "Im", "Ir", "IIa", "IIb", "III")


# --- EMDN ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("P0704", "P0704"),
        ("z12010101", "Z12010101"),
        (" C01 ", "C01"),
        ("Y" + "1" * 12, "Y" + "1" * 12),
    ],
)
def test_valid_emdn(value, expected):
    assert validate_emdn(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("P0", "length"),
        ("P" + "1" * 13, "length"),
        ("0704", "format"),
        ("PP0704", "format"),
        ("P07-04", "format"),
    ],
)
def test_invalid_emdn(value, code):
    assert_code(validate_emdn, value, code)


# --- SIREN / SIRET ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("732829320", "732829320"),
        ("732 829 320", "732829320"),
        ("732\u202f829\u202f320", "732829320"),
    ],
)
def test_valid_siren(value, expected):
    assert validate_siren(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("732829321", "checksum"),
        ("73282932", "length"),
        ("73282932A", "format"),
        ("732-829-320", "format"),
    ],
)
def test_invalid_siren(value, code):
    assert_code(validate_siren, value, code)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("73282932000074", "73282932000074"),
        ("732 829 320 00074", "73282932000074"),
        ("732-829-320-00074", "73282932000074"),  # grouped as people write it
        ("732.829.320.00074", "73282932000074"),
        ("35600000000048", "35600000000048"),  # La Poste head office
    ],
)
def test_valid_siret(value, expected):
    assert validate_siret(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("73282932000079", "checksum"),
        ("7328293200007", "length"),
        ("732829320000745", "length"),
        ("7328293200007A", "format"),
    ],
)
def test_invalid_siret(value, code):
    assert_code(validate_siret, value, code)


# --- RPPS ------------------------------------------------------------------------------------


def test_valid_rpps():
    assert validate_rpps(VALID_RPPS) == VALID_RPPS
    spaced = f" {VALID_RPPS[:3]} {VALID_RPPS[3:]} "
    assert validate_rpps(spaced) == VALID_RPPS
    grouped = f"{VALID_RPPS[:3]}-{VALID_RPPS[3:6]}.{VALID_RPPS[6:9]}-{VALID_RPPS[9:]}"
    assert validate_rpps(grouped) == VALID_RPPS
    # As a professional card shows it (IDNPS): 8, then the RPPS number.
    assert validate_rpps("8" + VALID_RPPS) == VALID_RPPS
    assert validate_rpps(f"8 {VALID_RPPS}") == VALID_RPPS


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (wrong_last_digit(VALID_RPPS), "checksum"),
        ("10003829283", "checksum"),
        (VALID_RPPS[:-1], "length"),
        (VALID_RPPS + "0", "length"),
        ("9" + VALID_RPPS, "length"),  # only an 8 stands before it on a card
        ("8" + wrong_last_digit(VALID_RPPS), "checksum"),
        ("1000000000A", "format"),
        ("100/000/000/09", "format"),
    ],
)
def test_invalid_rpps(value, code):
    assert_code(validate_rpps, value, code)


# --- FINESS ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("750712184", "750712184"),  # AP-HP (legal entity)
        ("690781810", "690781810"),  # Hospices civils de Lyon
        ("010003820", "010003820"),
        ("75 071 218 4", "750712184"),
        (CORSICAN_FINESS, CORSICAN_FINESS),
        (CORSICAN_FINESS.lower(), CORSICAN_FINESS),
        ("2B" + CORSICAN_FINESS[2:], "2B" + CORSICAN_FINESS[2:]),
    ],
)
def test_valid_finess(value, expected):
    assert validate_finess(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("750712185", "checksum"),
        (wrong_last_digit(CORSICAN_FINESS), "checksum"),
        ("75071218", "length"),
        ("7507121840", "length"),
        ("2C0000014", "format"),
        ("75071218A", "format"),
        ("75-071-218", "format"),
    ],
)
def test_invalid_finess(value, code):
    assert_code(validate_finess, value, code)


@pytest.mark.parametrize(
    ("validator", "value"),
    [
        (validate_siret, "000 000 000 00000"),
        (validate_srn, "FR-MF-000000000"),
        (validate_rpps, "00000000000"),
        (validate_finess, "000000000"),
        (validate_udi_di, "0000000000000"),
        (validate_notified_body_number, "0000"),
    ],
)
def test_zeros_only_pass_check_digits_but_are_refused_as_placeholders(validator, value):
    assert_code(validator, value, "placeholder")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("AP-HP, Paris, FINESS 750712184", [(1, "750712184", "750712184")]),
        ("Necker\nCHU Bordeaux FINESS 12345", [(2, "12345", "12345")]),
        # Grouped as people write it, with any space (pasted: non-breaking), dots or dashes;
        # a postcode after it is not part of it.
        ("FINESS : 750 712 184 75015 Paris", [(1, "750 712 184", "750712184")]),
        ("FINESS\u00a0: 750\u202f712\u202f184", [(1, "750\u202f712\u202f184", "750712184")]),
        ("FINESS 75-010020-8", [(1, "75-010020-8", "750100208")]),
        ("Hôpital (FINESS n° 690781810).", [(1, "690781810", "690781810")]),
        ("n° finess 2A0000012, Ajaccio", [(1, "2A0000012", "2A0000012")]),
        # A whole group is not joined to what follows it (a street number).
        ("FINESS 75010020 8 rue Haxo", [(1, "75010020", "75010020")]),
        # Not a number given for it: too few digits, or none.
        ("FINESS: 1 site", []),
        ("FINESS 2024", []),
        ("FINESS number unknown", []),
        ("Clinique du Parc, Toulouse", []),
    ],
)
def test_finess_numbers_are_found_after_the_word_finess_as_typed(text, found):
    assert finess_numbers_in(text) == found
