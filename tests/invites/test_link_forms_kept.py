"""What a professional typed behind an emailed link is never lost for a reason they cannot
see: a link that stopped working while they wrote (revoked, run out), or a form left open too
long, shows their text to copy and leads back to their link, not to the manufacturers'
portal."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from tests.flow.test_csrf import csrf_app  # noqa: F401 - the fixture
from tests.invites.support import (
    LETTER,
    invitations_of,
    invite,
    letters_of,
    link_in,
    send_letter,
)
from wizard.extensions import db
from wizard.filing import service as filing
from wizard.invites import service
from wizard.models import Dossier, Invitation, InvitationState


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


def _meanwhile(monkeypatch, change) -> None:
    """`change` done while the letter's file is being read: after the link was found open,
    before the letter is taken (a manufacturer's click in the same second)."""
    from wizard.invites import views

    read = views.kept.file_of

    def reading(form):
        change()
        return read(form)

    monkeypatch.setattr(views.kept, "file_of", reading)


@pytest.mark.parametrize(
    ("what", "said"),
    [
        ("revoked", "This link has been cancelled"),
        ("deleted", "This request has been deleted"),
        ("submitted", "This request is closed"),
        ("used", "This link has already been used"),
    ],
)
def test_a_link_that_closes_while_its_letter_is_sent_says_why(
    app, manufacturer, clinician, inbox, monkeypatch, what, said
):
    """The letter is refused with the reason it is, never "already used" for a link the
    manufacturer cancelled (the professional would think their letter went through)."""
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    link = link_in(inbox[-1])

    def change():
        (invitation,) = invitations_of(dossier_id)
        if what == "revoked":
            service.revoke(invitation, invitation.created_by)
        elif what == "deleted":
            filing.discard(invitation.dossier, invitation.created_by, as_shown=lambda _: True)
            db.session.commit()
        elif what == "submitted":
            db.session.execute(
                update(Dossier).where(Dossier.id == dossier_id).values(status="submitted")
            )
            db.session.commit()
        else:  # the same link's letter, sent from another tab a moment before
            db.session.execute(update(Invitation).values(state=InvitationState.LETTER_RECEIVED))
            db.session.commit()

    _meanwhile(monkeypatch, change)
    sent = send_letter(clinician, link)
    assert sent.status_code == 410
    assert said in sent.text
    assert LETTER["urgency_statement"] in sent.text  # to copy
    with app.app_context():
        assert all(letter.source != "invite" for letter in letters_of(dossier_id))


def test_changing_language_keeps_what_was_typed_without_sending_the_letter(
    app, manufacturer, clinician, inbox
):
    """The language switch is a button of the letter's form (JavaScript off too): the page
    comes back in French with what was typed, nothing sent; a file chosen is asked for
    again; errors the page said are said again, in French."""
    import html

    client, dossier_id = manufacturer
    invite(client, dossier_id)
    link = link_in(inbox[-1])
    page = clinician.get(link).text
    assert 'form="letter-form" name="switch_language" value="fr"' in page
    switched = send_letter(clinician, link, switch_language="fr")
    assert switched.status_code == 200
    said = html.unescape(switched.text)
    assert '<html lang="fr"' in said
    assert "est repris\u00a0; rien n’est encore envoyé." in said
    assert "choisissez-le à nouveau" in said  # the file chosen was not taken
    # Heard where the file is chosen again, not only in the note at the page's top.
    assert re.search(r'id="file"[^>]* aria-describedby="file-not-kept ', said)
    assert LETTER["urgency_statement"] in said and 'value="Dr Anne Leroy"' in said
    assert "Il y a un problème" not in said  # nothing was sent to be checked
    with app.app_context():
        assert letters_of(dossier_id) == []
    # A page that said what was wrong says it again, in the other language.
    refused = send_letter(clinician, link, author_rpps="123")
    assert refused.status_code == 422 and 'name="errors_shown"' in refused.text
    again = send_letter(clinician, link, author_rpps="123", errors_shown="y", switch_language="en")
    assert '<html lang="en"' in again.text
    assert "An RPPS number has 11 digits." in html.unescape(again.text)
    assert "Choose the PDF" not in again.text  # the file, not sent with the switch: not wrong
