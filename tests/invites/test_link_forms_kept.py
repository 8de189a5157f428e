"""What a professional typed behind an emailed link is never lost for a reason they cannot
see: a link that stopped working while they wrote (revoked, run out), or a form left open too
long, shows their text to copy and leads back to their link, not to the manufacturers'
portal."""

from __future__ import annotations

from tests.flow.test_csrf import csrf_app  # noqa: F401 - the fixture
from tests.invites.support import LETTER, invitations_of, invite, link_in, send_letter
from wizard.invites import service


def test_a_letter_sent_to_a_link_revoked_meanwhile_is_shown_to_copy(
    app, manufacturer, clinician, inbox
):
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    link = link_in(inbox[-1])
    assert clinician.get(link).status_code == 200  # the page is open, the letter written
    with app.app_context():
        (invitation,) = invitations_of(dossier_id)
        service.revoke(invitation, invitation.created_by)
    sent = send_letter(clinician, link)
    assert sent.status_code == 410
    assert LETTER["urgency_statement"] in sent.text
    assert "Dr Anne Leroy" in sent.text


def test_a_form_left_open_too_long_leads_back_to_the_link(
    app,
    manufacturer,
    inbox,
    csrf_app,  # noqa: F811
):
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    link = link_in(inbox[-1])
    browser = csrf_app.test_client()
    expired = browser.post(link, data={**LETTER, "csrf_token": "expired"})
    assert expired.status_code == 400
    assert "Your form expired" in expired.text
    assert f'href="{link}"' in expired.text and "Open the form again" in expired.text
    assert LETTER["urgency_statement"] in expired.text
    assert 'href="/login"' not in expired.text  # no account is needed: none suggested
    assert "Go to the start page" not in expired.text
