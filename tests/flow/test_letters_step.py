"""Step 9's page: what it is made of, as a screen reader's list of regions and headings
finds it."""

from __future__ import annotations

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
