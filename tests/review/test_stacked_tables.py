"""On a narrow screen (320 CSS px, 400 % zoom) the reviewer's tables stack their rows into
blocks whose headings are out of sight: the request's documents and letters, and the queue.
Each is in a stacking container (`table-scroll--stack`), and each of its cells names its column
(`data-label`, shown before the value), in English and in French. Their layout at 320 px is
checked in the browser (tests/browser/test_reflow_tables.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from tests.review.support import dossier


@dataclass
class Table:
    container: list[str]  # the classes of the scroll container around it
    caption: str = ""
    headings: list[str] = field(default_factory=list)
    rows: list[list[str | None]] = field(default_factory=list)  # each cell's data-label


class Tables(HTMLParser):
    """The tables of a page: their container's classes, caption, headings and cells' labels."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self._divs: list[list[str]] = []
        self._text: str | None = None  # the caption or heading being read
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div":
            self._divs.append((attrs.get("class") or "").split())
        elif tag == "table":
            scrolls = [classes for classes in self._divs if "table-scroll" in classes]
            self.tables.append(Table(scrolls[-1] if scrolls else []))
        elif tag in ("caption", "th"):
            self._text = ""
        elif tag == "tr" and self.tables:
            self.tables[-1].rows.append([])
        elif tag == "td":
            self.tables[-1].rows[-1].append(attrs.get("data-label"))

    def handle_endtag(self, tag):
        if tag == "div" and self._divs:
            self._divs.pop()
        elif tag == "caption":
            self.tables[-1].caption, self._text = self._text.strip(), None
        elif tag == "th":
            self.tables[-1].headings.append(" ".join(self._text.split()))
            self._text = None
        elif tag == "table":
            table = self.tables[-1]
            table.rows = [row for row in table.rows if row]  # the heading's row has no cell

    def handle_data(self, data):
        if self._text is not None:
            self._text += data

    def captioned(self, caption: str) -> Table:
        (table,) = [table for table in self.tables if table.caption == caption]
        return table


def assert_stacks_with_labels(table: Table, rows: int) -> None:
    assert "table-scroll--stack" in table.container, table
    assert len(table.rows) == rows, table
    for row in table.rows:
        assert row == table.headings, (row, table.headings)  # every cell, its column's name


LANGUAGES = {
    "en": ("Documents attached", "Letters received", ["Document", "Type", "Size"]),
    "fr": ("Documents joints", "Lettres reçues", ["Document", "Type", "Taille"]),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_reviewers_documents_and_letters_stack_and_name_their_columns(
    app, reviewer, submitted, language
):
    with app.app_context():
        filed = dossier(submitted)
        counts = len(filed.documents), len(filed.hcp_letters)
    assert min(counts) >= 1
    page = reviewer.get(f"/review/requests/{submitted}", headers={"Accept-Language": language}).text
    documents_caption, letters_caption, document_columns = LANGUAGES[language]
    tables = Tables(page)
    documents = tables.captioned(documents_caption)
    assert documents.headings == document_columns
    assert_stacks_with_labels(documents, rows=counts[0])
    letters = tables.captioned(letters_caption)
    assert len(letters.headings) == 3 and None not in letters.headings
    assert_stacks_with_labels(letters, rows=counts[1])
    # Each scroll region is still named by the heading above it, and the letter's PDF is there.
    assert 'role="region" aria-labelledby="documents-title"' in page
    assert 'role="region" aria-labelledby="letters-title"' in page
    assert f"/review/requests/{submitted}/letters/" in page


@pytest.mark.parametrize(
    "language, columns",
    [
        (
            "en",
            [
                "Reference",
                "Manufacturer",
                "Device",
                "Class",
                "Type",
                "Submitted on",
                "Needed by",
                "Status",
            ],
        ),
        ("fr", None),  # in French too, each cell says its heading
    ],
)
def test_the_queue_stacks_and_each_cell_names_its_column(
    reviewer, submitted, submitted_global, language, columns
):
    page = reviewer.get("/review", headers={"Accept-Language": language}).text
    (queue,) = Tables(page).tables
    if columns:
        assert queue.headings == columns
    # Both dates are told apart: the individual request's "needed by" and its submission.
    assert_stacks_with_labels(queue, rows=2)
