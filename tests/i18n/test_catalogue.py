"""Every message the code and the templates say has its French translation, with the same
placeholders: a string added without one would show in English on a French page."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def said() -> dict[str | tuple, str]:
    """What the sources say, as `pybabel extract` reads them (the same mapping file)."""
    with open(ROOT / "wizard" / "babel.cfg", encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    found = {}
    for folder in ("wizard", "templates"):
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map, options_map, keywords=KEYWORDS
        ):
            if isinstance(message, tuple):
                message = message[:2]
            found.setdefault(message, f"{folder}/{filename}:{lineno}")
    return found


def test_every_message_has_its_french_translation_with_the_same_placeholders():
    with open(ROOT / "wizard/translations/fr/LC_MESSAGES/messages.po", "rb") as po:
        catalogue = read_po(po)
    missing, mismatched = [], []
    for message, where in said().items():
        key = message[0] if isinstance(message, tuple) else message
        if not key:
            continue
        entry = catalogue.get(key)
        strings = [] if entry is None else entry.string
        strings = [strings] if isinstance(strings, str) else list(strings)
        if entry is None or entry.fuzzy or not all(strings):
            missing.append((where, message))
            continue
        forms = message if isinstance(message, tuple) else (message,)
        every = set(PLACEHOLDER.findall(" ".join(forms)))
        for index, french in enumerate(strings):
            # A singular may leave out the count its English singular leaves out ("The report
            # due by %(date)s…" beside "%(num)d reports due…").
            own = set(PLACEHOLDER.findall(forms[min(index, len(forms) - 1)]))
            if set(PLACEHOLDER.findall(french)) not in (every, own):
                mismatched.append((where, key, french))
    assert not missing, f"untranslated (run pybabel extract/update, then translate): {missing}"
    assert not mismatched, mismatched


def test_french_punctuation_is_spaced_as_french_typography_spaces_it():
    """A high sign (; : ? !) follows a non-breaking space, as « » hold them; no leftover of a
    translator's own shorthand ("{N}") reaches a page."""
    with open(ROOT / "wizard/translations/fr/LC_MESSAGES/messages.po", "rb") as po:
        catalogue = read_po(po)
    wrong = []
    for entry in catalogue:
        if not entry.id:  # the catalogue's own header
            continue
        strings = [entry.string] if isinstance(entry.string, str) else list(entry.string)
        for french in filter(None, strings):
            # (a URL's colon, a time's "14:30", a placeholder's own text are not prose)
            prose = re.sub(r"%\(\w+\)[sd]|https?://\S+|\d:\d", "", french)
            if re.search(r"\{\w*\}|[^\u00a0\u202f][;?!]|[^\u00a0\u202f\d]:(?=\s)", prose):
                wrong.append(french)
    assert not wrong, wrong
