"""What pages are made of, as a screen reader's list of regions (landmarks) finds it: each
region named for what is in it, and few enough to be a way through the page."""

from __future__ import annotations

import re

from tests.conftest import dossier_with


def test_step_9_parts_are_regions_of_their_own(app, logged_in, user):
    """The letters received, the invitations (with the form to send one) and the letter the
    manufacturer holds are separate parts: a region's heading names only what is in it."""
    with app.app_context():
        dossier_id = dossier_with(user[0], files=False)
    page = logged_in.get(f"/requests/{dossier_id}/steps/hcp-support").text
    letters = page[page.index('<section class="panel" id="letters"') :]
    letters = letters[: letters.index("</section>")]
    assert "invite-email" not in letters and "letter-file" not in letters
    invitations = page[page.index('<section class="panel" id="invitations"') :]
    invitations = invitations[: invitations.index("</section>")]
    assert '<h2 class="heading-m" id="invitations-title">Invitations</h2>' in invitations
    assert 'name="invite-email"' in invitations and "letter-file" not in invitations


def test_the_summary_of_answers_is_no_dozen_of_regions(app, logged_in, user):
    """The check page's steps are sections found by their headings, not a region each."""
    with app.app_context():
        dossier_id = dossier_with(user[0])
    page = logged_in.get(f"/requests/{dossier_id}/steps/check").text
    assert page.count('class="summary-card"') >= 10
    regions = len(re.findall(r"<section[^>]*aria-label", page)) + page.count('role="region"')
    assert regions <= 3, regions
