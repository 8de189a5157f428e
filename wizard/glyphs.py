"""Which characters the signed PDFs can print: those some installed font draws. WeasyPrint
finds a font for each character through fontconfig, falling back from the receipts' DejaVu
to any font installed; a character none has prints as an empty box, in a receipt or a
decision that is signed and cannot be corrected. Answers are refused with such a character
rather (`forms.validators.CleanText`), whichever fonts the server has (`make fonts`).
"""

from __future__ import annotations

import bisect
import functools
import logging
import subprocess
import unicodedata

logger = logging.getLogger(__name__)

# Letters, digits, punctuation and symbols (emoji among them): what a font must draw. Spaces,
# combining marks and format characters (a joiner between Arabic letters) are drawn with the
# characters around them, or not at all; control characters are refused for themselves.
_DRAWN = frozenset("LNPS")


@functools.cache
def _covered() -> tuple[list[int], list[int]] | None:
    """The code points the installed fonts draw, as sorted, merged ranges (starts, ends);
    None when fontconfig cannot be asked (then nothing is refused for want of a font)."""
    try:
        listed = subprocess.run(
            ["fc-list", "--format", "%{charset}\n"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        logger.warning("fc-list could not be run: characters are not checked against the fonts")
        return None
    ranges = sorted(
        (int(first, 16), int(last or first, 16))
        for first, _dash, last in (token.partition("-") for token in listed.split())
    )
    starts: list[int] = []
    ends: list[int] = []
    for first, last in ranges:
        if ends and first <= ends[-1] + 1:
            ends[-1] = max(ends[-1], last)
        else:
            starts.append(first)
            ends.append(last)
    return (starts, ends) if starts else None


@functools.lru_cache(maxsize=4096)
def _printable(character: str) -> bool:
    if unicodedata.category(character)[0] not in _DRAWN:
        return True
    covered = _covered()
    if covered is None:
        return True
    starts, ends = covered
    at = bisect.bisect_right(starts, ord(character)) - 1
    return at >= 0 and ord(character) <= ends[at]


def first_unprintable(text: str) -> str | None:
    """The first character of `text` no installed font draws, if any."""
    if text.isascii():  # every font the receipts use draws these
        return None
    return next((character for character in text if not _printable(character)), None)
