"""Page geometry of the receipt, shared by the template's CSS and the signer.

One source of truth for where the visible signature goes: the template leaves the band at the
bottom of the last page empty (see `template_geometry`), and `signing.sign_pdf` draws the
signature box at `SIGNATURE_BOX`. Units are PDF points (1/72 inch); PDF coordinates start at
the bottom-left corner of the page.
"""

from __future__ import annotations

#: A4, as WeasyPrint lays it out for `@page { size: A4 }`.
PAGE_WIDTH = 595.276
PAGE_HEIGHT = 841.89

MARGIN_TOP = 50
MARGIN_SIDE = 48
MARGIN_BOTTOM = 56

#: Visible signature field on the last page: (lower-left x, lower-left y, upper-right x,
#: upper-right y). Right-aligned with the text column, just above the bottom margin.
SIGNATURE_BOX: tuple[int, int, int, int] = (307, 60, 547, 140)

#: Height of the band kept free of flowing text at the bottom of the last page's content
#: area: the box, plus its caption above it.
SIGNATURE_BAND_HEIGHT = 112

_GAP = 14


def template_geometry() -> dict[str, float]:
    """CSS lengths (in pt) for the template, derived from the constants above.

    Positions inside the band are relative to the page's content area, which is what an
    absolutely positioned box without positioned ancestor uses as containing block.
    """
    left, bottom, right, top = SIGNATURE_BOX
    box_left = left - MARGIN_SIDE
    box_bottom = bottom - MARGIN_BOTTOM
    return {
        "margin_top": MARGIN_TOP,
        "margin_side": MARGIN_SIDE,
        "margin_bottom": MARGIN_BOTTOM,
        "band_height": SIGNATURE_BAND_HEIGHT,
        "box_left": box_left,
        "box_bottom": box_bottom,
        "box_width": right - left,
        "box_height": top - bottom,
        "caption_bottom": top - MARGIN_BOTTOM + 4,
        "note_width": box_left - _GAP,
    }
