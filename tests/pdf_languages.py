"""What language a tagged PDF says each piece of its text is in, as a screen reader finds it:
the structure tree's `/Lang`, inherited from the document's down to each marked content."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader


def text_by_language(pdf: bytes) -> list[tuple[str, str]]:
    """(language, text) for each piece of text of the structure tree, page by page, blank ones
    left out, and the running headers too (not in the tree: WeasyPrint leaves them out)."""
    reader = PdfReader(BytesIO(pdf))
    catalog = reader.trailer["/Root"]
    pages = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages)}
    language_of: dict[tuple[int, int], str] = {}

    def walk(element, language: str, page: int | None) -> None:
        element = element.get_object()
        language = str(element.get("/Lang", language))
        if "/Pg" in element:
            page = pages[element.raw_get("/Pg").idnum]
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            if isinstance(kid, int):
                language_of[(page, kid)] = language
            else:
                walk(kid, language, page)

    walk(catalog["/StructTreeRoot"], str(catalog.get("/Lang", "")), None)
    pieces = []
    for number, page in enumerate(reader.pages):
        for mcid, value in _marked_text(page).items():
            if (number, mcid) in language_of and value.strip():
                pieces.append((language_of[(number, mcid)], " ".join(value.split())))
    return pieces


def _marked_text(page) -> dict[int | None, str]:
    """A page's text by the marked content (MCID) it is drawn in."""
    texts: dict[int | None, str] = {}
    open_ids: list[int | None] = []

    def before(operator, operands, *_):
        if operator == b"BDC":
            properties = operands[1]
            open_ids.append(properties.get("/MCID") if hasattr(properties, "get") else None)
        elif operator == b"BMC":
            open_ids.append(None)
        elif operator == b"EMC" and open_ids:
            open_ids.pop()

    def text(value, *_):
        mcid = next((m for m in reversed(open_ids) if m is not None), None)
        texts[mcid] = texts.get(mcid, "") + value

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return texts


def in_language(pdf: bytes, language: str) -> str:
    """The text of `pdf` tagged as `language`, pieces joined by spaces."""
    return " ".join(text for lang, text in text_by_language(pdf) if lang == language)
