"""The dashboard lists an organisation's requests a page at a time (`views.PAGE_SIZE`), newest
change first: a manufacturer filing for years has hundreds, and each filed one is read for its
review state."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update

from tests.conftest import dossier_with, make_user
from wizard import clock
from wizard.domain.lifecycle import Status
from wizard.extensions import db
from wizard.filing import views
from wizard.models import Dossier


def requests_listed(page: str) -> list[str]:
    return re.findall(r'<span class="table__reference">(DA-[\d-]+)</span>', page)


def filed(user_id: int, count: int) -> list[int]:
    """`count` filed requests, the first changed longest ago."""
    ids = []
    for number in range(count):
        dossier_id = dossier_with(user_id, "global", files=False)
        at = clock.now() - timedelta(days=count - number)
        db.session.execute(
            update(Dossier)
            .where(Dossier.id == dossier_id)
            .values(
                status=Status.SUBMITTED,
                reference=f"DA-2026-{number + 1:06d}",
                submitted_at=at,
                updated_at=at,
            )
        )
        ids.append(dossier_id)
    db.session.commit()
    return ids


def test_requests_come_a_page_at_a_time_newest_first(app, logged_in, user, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    with app.app_context():
        filed(user[0], 7)
    first = logged_in.get("/dashboard").text
    assert requests_listed(first) == ["DA-2026-000007", "DA-2026-000006", "DA-2026-000005"]
    assert '<nav class="pagination" aria-label="Pages of your requests">' in first
    assert "Page 1 of 3 · 7 requests" in first
    assert 'href="/dashboard?page=2" rel="next">Next page</a>' in first
    assert "Previous page" not in first
    last = logged_in.get("/dashboard?page=3").text
    assert requests_listed(last) == ["DA-2026-000001"]
    assert 'href="/dashboard?page=2" rel="prev">Previous page</a>' in last
    assert "Next page" not in last
    # A page past the last (an old link), or not a number: the last, the first.
    assert requests_listed(logged_in.get("/dashboard?page=40").text) == ["DA-2026-000001"]
    assert requests_listed(logged_in.get("/dashboard?page=x").text)[0] == "DA-2026-000007"
    assert "Start a new request" in last  # on every page


def test_one_page_says_no_pages(app, logged_in, user):
    with app.app_context():
        filed(user[0], 2)
    page = logged_in.get("/dashboard").text
    assert len(requests_listed(page)) == 2 and "pagination" not in page


def test_another_organisation_s_requests_are_never_counted_nor_listed(
    app, logged_in, user, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    with app.app_context():
        other = make_user("paul@ortho.example", "Orthomed")
        filed(other.id, 5)
        dossier_with(user[0])  # one draft of one's own
    page = logged_in.get("/dashboard").text
    assert requests_listed(page) == [] and "pagination" not in page
    assert "Continue" in page
