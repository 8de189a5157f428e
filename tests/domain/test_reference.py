"""Reference numbers DA-YYYY-NNNNNN."""

import pytest

from wizard.domain.reference import REFERENCE_PATTERN, format_reference, parse_reference


def test_format_pads_the_sequence():
    assert format_reference(2026, 42) == "DA-2026-000042"
    assert format_reference(2026, 999_999) == "DA-2026-999999"


@pytest.mark.parametrize(("year", "sequence"), [(2026, 1), (2026, 42), (2031, 999_999)])
def test_round_trip(year, sequence):
    reference = format_reference(year, sequence)
    assert REFERENCE_PATTERN.fullmatch(reference)
    assert parse_reference(reference) == (year, sequence)


@pytest.mark.parametrize(
    ("year", "sequence"), [(2026, 0), (2026, -1), (2026, 1_000_000), (999, 1), (10_000, 1)]
)
def test_format_refuses_out_of_range(year, sequence):
    with pytest.raises(ValueError):
        format_reference(year, sequence)


def test_parse_tolerates_whitespace_and_lower_case():
    assert parse_reference("  da-2026-000042\n") == (2026, 42)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "DA-2026-42",
        "DA-26-000042",
        "DA-2026-0000042",
        "XX-2026-000042",
        "DA-2026-000000",
        "DA 2026 000042",
        "DA-2026-000042x",
        "DA-２０２６-000042",
    ],
)
def test_parse_refuses_malformed(text):
    with pytest.raises(ValueError):
        parse_reference(text)
