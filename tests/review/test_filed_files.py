"""The manufacturer's page of a submitted request lists what was filed, each document and
letter a link that downloads the very file filed (its sha256 beside it)."""

from __future__ import annotations

import hashlib
import html
import re

from tests.review.support import dossier


def test_each_filed_file_downloads_from_the_submitted_page(app, manufacturer, submitted):
    page = manufacturer.get(f"/requests/{submitted}/submitted").text
    filed = page[page.index("What you submitted") :]
    links = re.findall(r'<a href="([^"]+/(?:documents|letters)/\d+)" download>([^<]+)</a>', filed)
    with app.app_context():
        record = dossier(submitted).submitted_answers
    expected = record["documents"] + record["hcp_letters"]
    assert sorted(name for _url, name in links) == sorted(f["filename"] for f in expected)
    for url, name in links:
        got = manufacturer.get(url)
        assert got.status_code == 200 and got.mimetype == "application/pdf"
        (item,) = [f for f in expected if f["filename"] == html.unescape(name)]
        assert hashlib.sha256(got.data).hexdigest() == item["sha256"]
        assert f"sha256 {item['sha256']}" in filed
