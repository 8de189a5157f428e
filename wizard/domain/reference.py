"""Reference numbers of submitted requests: `DA-YYYY-NNNNNN` (DESIGN.md section 5).

The year is the submission year and the sequence counts within it from 1. Numbers are unique
but may have gaps (a failed transaction can burn one), so nothing may assume they are
consecutive. Allocating the sequence is the database's job; this module only formats and
parses.
"""

import re

PREFIX = "DA"
MAX_SEQUENCE = 999_999
# re.ASCII keeps `\d` to 0-9; use `fullmatch` so a trailing newline is not accepted.
REFERENCE_PATTERN: re.Pattern[str] = re.compile(r"^DA-(\d{4})-(\d{6})$", re.ASCII)


def format_reference(year: int, sequence: int) -> str:
    """Build the reference, e.g. `format_reference(2026, 42) == "DA-2026-000042"`."""
    if not 1000 <= year <= 9999:
        raise ValueError(f"year must have four digits, got {year}")
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"sequence must be between 1 and {MAX_SEQUENCE}, got {sequence}")
    return f"{PREFIX}-{year:04d}-{sequence:06d}"


def parse_reference(text: str) -> tuple[int, int]:
    """Split a reference into (year, sequence); raise ValueError when it is malformed.

    Surrounding whitespace and lower case are tolerated because people type references from
    a printed receipt into the verification page.
    """
    match = REFERENCE_PATTERN.fullmatch(text.strip().upper())
    if match is None:
        raise ValueError(f"not a reference of the form DA-YYYY-NNNNNN: {text!r}")
    year, sequence = int(match.group(1)), int(match.group(2))
    if sequence == 0:
        raise ValueError("sequence numbers start at 000001")
    return year, sequence
