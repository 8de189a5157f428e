"""The font of the visible signature box: DejaVu Sans, subset to Latin text and rescaled to
1000 units per em.

PDF/A wants every font embedded, which the PDF standard fonts pyHanko uses by default are not;
pyHanko embeds TrueType fonts through its optional "opentype" dependencies (fontTools,
uharfbuzz). But pyHanko 0.38 writes the glyph widths (`/W`) in the font's own units while PDF
reads them in thousandths of an em: DejaVu's 2048 units per em would spread the letters twice
too wide and make the widths disagree with the font program (a PDF/A violation). A copy with
1000 units per em avoids both; it is made once per process, in a private temporary directory
removed at exit.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import logging
import shutil
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

#: Where Debian's `fonts-dejavu-core` installs it.
DEFAULT_STAMP_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

# Basic Latin to Latin Extended-A, general punctuation, euro sign: names, dates, references.
# Kept small because pyHanko subsets the font again on every signature.
_UNICODES = [*range(0x20, 0x180), *range(0x2000, 0x2070), 0x20AC]


@functools.lru_cache(maxsize=8)
def stamp_font_path(source: Path = DEFAULT_STAMP_FONT) -> Path | None:
    """A 1000-units-per-em Latin subset of `source`, or None when that cannot be made."""
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont
        from fontTools.ttLib.scaleUpem import scale_upem
    except ImportError:
        logger.warning("fontTools is missing: the signature box uses a non-embedded font")
        return None
    if not source.is_file():
        logger.warning("Font %s not found: the signature box uses a non-embedded font", source)
        return None
    font = TTFont(source)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    # FFTM: fontTools cannot subset it and says so on every use. GPOS (kerning, mark placement):
    # decoding DejaVu's was half the time of a signature, for a box of plain Latin text.
    options.drop_tables += ["FFTM", "GPOS"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_UNICODES)
    subsetter.subset(font)
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    tag = hashlib.sha256(str(source).encode()).hexdigest()[:12]
    target = _private_directory() / f"{source.stem}-{tag}-1000upem.ttf"
    font.save(target)
    return target


@functools.cache
def _private_directory() -> Path:
    # mkdtemp makes it readable by this user only: nobody can swap the font under us.
    directory = Path(tempfile.mkdtemp(prefix="wizard-receipts-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory
