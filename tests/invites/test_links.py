"""A link that cannot be used gets a plain page saying why and what to do, with its own status
code, and nothing of any request; the database never holds a raw token."""

from __future__ import annotations

import hashlib
import html
import re
import secrets
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select, update

from tests.conftest import sign_and_submit
from tests.invites.support import INVITE, invitations_of, invite, link_in, send_letter
from wizard import clock
from wizard.demo import minimal_pdf
from wizard.extensions import db
from wizard.invites import service
from wizard.models import Invitation, ReplacedLink, User

ASK_AGAIN = "ask the manufacturer who invited you"
# How to ask them, without the page naming them (the email that brought the link does).
REACH = "reply to the email that brought you the link: your message reaches the person who"


def assert_plain_page(response, status: int, title: str):
    assert response.status_code == status
    assert f'<h1 class="heading-l">{title}</h1>' in response.text
    assert ASK_AGAIN in response.text.lower() and REACH in response.text
    for leaked in ("VentriAssist", "Cardiotech", "Traceback", '<form method="post" enctype'):
        assert leaked not in response.text


@pytest.fixture
def link(manufacturer, inbox):
    client, dossier_id = manufacturer
    assert invite(client, dossier_id).status_code == 303
    return link_in(inbox.to(INVITE["invite-email"])[0])


def test_a_random_token_is_unknown(clinician):
    for token in (secrets.token_urlsafe(32), "x", "a" * 500, "%00%2e%2e"):
        response = clinician.get(f"/invitations/{token}")
        assert_plain_page(response, 404, "This link does not work")
    assert clinician.post(f"/invitations/{secrets.token_urlsafe(32)}").status_code == 404


def test_a_clinician_with_an_expired_link_sees_it_has_expired(
    app, manufacturer, clinician, link, monkeypatch
):
    client, dossier_id = manufacturer
    assert clinician.get(link).status_code == 200
    later = clock.now() + timedelta(days=15, minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert_plain_page(clinician.get(link), 410, "This link has expired")
    assert_plain_page(send_letter(clinician, link), 410, "This link has expired")
    # Expiry is read from the date, with no scheduled job: the manufacturer sees it too.
    step = client.get(f"/requests/{dossier_id}/steps/hcp-support").text
    assert "Expired" in step and "Resend" in step
    with app.app_context():
        assert invitations_of(dossier_id)[0].state == "opened"


def test_a_mail_filter_fetching_the_link_does_not_make_it_opened(
    app, manufacturer, clinician, link
):
    """Mail filters fetch every link of an email before its reader sees it; only a browser's
    own navigation (its fetch metadata says so) counts as the professional opening it."""
    client, dossier_id = manufacturer
    scanner = app.test_client()
    assert scanner.get(link).status_code == 200
    scanner.environ_base.update(HTTP_SEC_FETCH_MODE="no-cors", HTTP_SEC_FETCH_DEST="image")
    assert scanner.get(link).status_code == 200
    prefetch = {"Sec-Fetch-Mode": "navigate", "Sec-Purpose": "prefetch"}
    assert app.test_client().get(link, headers=prefetch).status_code == 200
    assert app.test_client().head(link).status_code == 200
    with app.app_context():
        assert invitations_of(dossier_id)[0].state == "sent"
    assert "Opened" not in client.get(f"/requests/{dossier_id}/steps/hcp-support").text
    assert clinician.get(link).status_code == 200
    with app.app_context():
        assert invitations_of(dossier_id)[0].state == "opened"


def test_a_link_works_until_the_end_of_its_last_day_in_france(clinician, link, monkeypatch):
    last_day = clock.today() + timedelta(days=14)
    evening = datetime.combine(last_day, time(23, 59), tzinfo=clock.PARIS)
    monkeypatch.setattr(clock, "now", lambda: evening.astimezone(UTC))
    assert clinician.get(link).status_code == 200
    midnight = datetime.combine(last_day + timedelta(days=1), time(0, 0), tzinfo=clock.PARIS)
    monkeypatch.setattr(clock, "now", lambda: midnight.astimezone(UTC))
    assert clinician.get(link).status_code == 410


def test_a_revoked_link_says_it_was_cancelled(app, manufacturer, clinician, link):
    client, dossier_id = manufacturer
    with app.app_context():
        invitation_id = invitations_of(dossier_id)[0].id
    revoked = client.post(
        f"/requests/{dossier_id}/invitations/{invitation_id}/revoke", data={"confirmed": "yes"}
    )
    assert revoked.status_code == 303
    step = client.get(revoked.location).text
    assert "The link sent to Dr Anne Leroy no longer works." in step and "Cancelled" in step
    assert_plain_page(clinician.get(link), 410, "This link has been cancelled")
    assert_plain_page(send_letter(clinician, link), 410, "This link has been cancelled")
    with app.app_context():
        assert invitations_of(dossier_id)[0].state == "revoked"
    # A revoked invitation stays revoked: the manufacturer invites again instead.
    resent = client.post(f"/requests/{dossier_id}/invitations/{invitation_id}/resend")
    assert (
        "can no longer be sent: invite the professional again" in client.get(resent.location).text
    )
    again = client.post(
        f"/requests/{dossier_id}/invitations/{invitation_id}/revoke", data={"confirmed": "yes"}
    )
    assert "nothing to cancel" in client.get(again.location).text
    with app.app_context():
        assert invitations_of(dossier_id)[0].state == "revoked"
    assert_plain_page(clinician.get(link), 410, "This link has been cancelled")


def test_revoking_asks_first_and_keep_it_changes_nothing(app, manufacturer, clinician, link):
    """Revoking cannot be undone: the list's "Cancel" opens a page that says what it does."""
    client, dossier_id = manufacturer
    with app.app_context():
        invitation_id = invitations_of(dossier_id)[0].id
    confirm = f"/requests/{dossier_id}/invitations/{invitation_id}/revoke"
    step = client.get(f"/requests/{dossier_id}/steps/hcp-support").text
    assert f'form="step-form"\n        formaction="{confirm}"' in step  # a button of step 9's form
    for page in (client.get(confirm), client.post(confirm)):
        assert page.status_code == 200
        assert "Cancel the invitation to Dr Anne Leroy?" in page.text
        assert "anne.leroy@necker.example will stop working at once" in page.text
        assert 'name="confirmed" value="no">Keep it</button>' in page.text
        assert "You cannot undo this." in page.text
        # One cancellation, however many clicks (as the removal of a letter).
        assert '<form method="post" class="button-group" data-submit-once>' in page.text
    kept = client.post(confirm, data={"confirmed": "no"})
    assert kept.status_code == 303 and kept.location.endswith("/steps/hcp-support#invitations")
    with app.app_context():
        assert invitations_of(dossier_id)[0].state == "sent"
    assert clinician.get(link).status_code == 200
    revoked = client.post(confirm, data={"confirmed": "yes"})
    assert revoked.status_code == 303 and revoked.location.endswith(
        "/steps/hcp-support#invitations"
    )
    assert "The link sent to Dr Anne Leroy no longer works." in client.get(revoked.location).text
    with app.app_context():
        assert invitations_of(dossier_id)[0].state == "revoked"
    # Closed: the page is not offered again.
    closed = client.get(confirm)
    assert closed.status_code == 303
    assert "nothing to cancel" in client.get(closed.location).text


def test_a_link_works_once(app, manufacturer, clinician, link):
    _client, dossier_id = manufacturer
    assert send_letter(clinician, link).status_code == 303
    # Opened again by who sent it (back, or from the email), within the hour: their thank-you
    # page, not "already used", which reads as someone else's doing.
    reopened = clinician.get(link)
    assert reopened.status_code == 303 and reopened.location.endswith("/invitations/received")
    assert "letter-leroy.pdf" in clinician.get(reopened.location).text
    other = clinician.application.test_client()
    assert_plain_page(other.get(link), 410, "This link has already been used")
    again = send_letter(clinician, link, author_name="Someone else")
    assert_plain_page(again, 410, "This link has already been used")
    # The same letter sent again from the browser that sent it, once answered (back, then
    # send) was received: its thank-you page, not "already used".
    twice = send_letter(clinician, link)
    assert twice.status_code == 303 and twice.location.endswith("/invitations/received")
    assert "letter-leroy.pdf" in clinician.get(twice.location).text
    # Reopened later (or elsewhere), the thank-you page says what it no longer shows, not
    # that a link is broken, and names nothing of the letter.
    later = clinician.application.test_client().get(twice.location)
    assert later.status_code == 200 and "This confirmation is no longer shown" in later.text
    assert "we emailed you a copy" in later.text and "letter-leroy.pdf" not in later.text
    # From another browser, or another file, it is a link used.
    another_file = send_letter(clinician, link, file=(minimal_pdf("B"), "letter-leroy.pdf"))
    assert_plain_page(another_file, 410, "This link has already been used")
    assert_plain_page(send_letter(other, link), 410, "This link has already been used")
    with app.app_context():
        assert len(invitations_of(dossier_id)[0].dossier.hcp_letters) == 1


def test_resending_gives_a_new_link_and_kills_the_old_one(app, manufacturer, clinician, inbox):
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    old = link_in(inbox[-1])
    with app.app_context():
        invitation = invitations_of(dossier_id)[0]
        first_expiry = invitation.expires_at
    later = clock.now() + timedelta(days=3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: later)
        resent = client.post(f"/requests/{dossier_id}/invitations/{invitation.id}/resend")
        assert resent.status_code == 303
        assert (
            "A new link has been sent to Dr Anne Leroy (anne.leroy@necker.example): the one "
            "sent before no longer works." in html.unescape(client.get(resent.location).text)
        )
        new = link_in(inbox[-1])
        assert new != old
        # The new email is told apart from the first; the old link says where to go.
        assert "New link: Cardiotech Médical SAS asks for your letter" in inbox[-1]["Subject"]
        assert_plain_page(clinician.get(old), 410, "This link has been replaced")
        assert clinician.get(new).status_code == 200
        # Sent again: both older emails' links say so, not only the last one replaced.
        client.post(f"/requests/{dossier_id}/invitations/{invitation.id}/resend")
        newest = link_in(inbox[-1])
        for replaced in (old, new):
            assert_plain_page(clinician.get(replaced), 410, "This link has been replaced")
        assert clinician.get(newest).status_code == 200
        # Once the invitation is cancelled, the old links say so too, not "use the newer one".
        client.post(
            f"/requests/{dossier_id}/invitations/{invitation.id}/revoke", data={"confirmed": "yes"}
        )
        for replaced in (old, new):
            assert_plain_page(clinician.get(replaced), 410, "This link has been cancelled")
    with app.app_context():
        assert invitations_of(dossier_id)[0].expires_at > first_expiry


def test_when_the_request_was_submitted_meanwhile_the_page_says_it_is_closed(
    app, manufacturer, clinician, inbox
):
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    link = link_in(inbox[-1])
    # Another letter lets the manufacturer submit before this clinician answers.
    invite(client, dossier_id, **{"invite-email": "paul.roux@lyon.example"})
    assert send_letter(clinician, link_in(inbox[-1])).status_code == 303
    assert sign_and_submit(client, dossier_id).status_code == 303
    assert_plain_page(clinician.get(link), 410, "This request is closed")
    assert_plain_page(send_letter(clinician, link), 410, "This request is closed")
    with app.app_context():
        assert len(invitations_of(dossier_id)[0].dossier.hcp_letters) == 1


def test_the_database_holds_no_raw_token(app, manufacturer, clinician, inbox):
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    invite(client, dossier_id, **{"invite-email": "paul.roux@lyon.example"})
    tokens = [link_in(message).rsplit("/", 1)[1] for message in inbox]
    send_letter(clinician, f"/invitations/{tokens[0]}")
    assert len(tokens) == 2 and all(len(token) >= 43 for token in tokens)  # >= 256 bits
    with app.app_context():
        stored = ""
        for table in db.metadata.sorted_tables:
            stored += repr(db.session.execute(select(table)).all())
        assert stored and not any(token in stored for token in tokens)
        hashes = {i.token_hash for i in invitations_of(dossier_id)}
        assert hashes == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}


def test_sending_again_twice_at_once_sends_one_new_link(app, manufacturer, clinician, inbox):
    """A second click on "Resend", or a colleague's, while the first is under way: the second
    finds the link it read already replaced, and sends nothing more (no second email, no
    link replaced twice)."""
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    with app.app_context():
        invitation = invitations_of(dossier_id)[0]
        first_link = invitation.token_hash
        by = db.session.get(User, invitation.created_by_id)
        # The first click's update lands between this request's read and its own update.
        with db.engine.begin() as other:
            other.execute(
                update(Invitation).where(Invitation.id == invitation.id).values(token_hash="0" * 64)
            )
        sent = len(inbox)
        assert service.resend(invitation, by) is True
        assert len(inbox) == sent
        assert invitation.token_hash == "0" * 64
        replaced = db.session.scalars(
            select(ReplacedLink.token_hash).where(ReplacedLink.invitation_id == invitation.id)
        ).all()
        assert first_link not in replaced


def test_what_is_typed_on_step_9_comes_back_through_the_cancel_page(app, manufacturer, link):
    """Without JavaScript too: "Cancel" is a button of step 9's form, so the invitation and
    the letter being written go along to the page that asks, and come back after it, whether
    the invitation was cancelled or kept."""
    client, dossier_id = manufacturer
    with app.app_context():
        invitation_id = invitations_of(dossier_id)[0].id
    confirm = f"/requests/{dossier_id}/invitations/{invitation_id}/revoke"
    typed = {
        "invite-clinician_name": "Dr Paul Roux",
        "invite-email": "paul.roux@necker.example",
        "letter-author_name": "Dr Marie Curie",
    }
    asked = client.post(confirm, data=typed)
    for name, value in typed.items():
        assert f'<input type="hidden" name="{name}" value="{value}">' in asked.text
    for answer in ("no", "yes"):
        back = client.post(confirm, data={**typed, "confirmed": answer})
        assert back.status_code == 200  # the step shown again with them
        for value in typed.values():
            assert f'value="{value}"' in back.text
    assert "The link sent to Dr Anne Leroy no longer works." in back.text
    with app.app_context():
        assert invitations_of(dossier_id)[0].state == "revoked"


def test_the_thank_you_page_lasts_an_hour(app, manufacturer, clinician, link, monkeypatch):
    """It names the manufacturer, the file and who invited: on a computer shared in a ward,
    not for the day a session nobody is signed in to lasts."""
    import time

    sent = send_letter(clinician, link)
    assert sent.status_code == 303
    assert "your letter has been sent" in clinician.get(sent.location).text
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 3601)
    later = clinician.get(sent.location)
    assert later.status_code == 200 and "This confirmation is no longer shown" in later.text
    assert "Cardiotech" not in later.text and "letter-leroy.pdf" not in later.text


def test_the_rpps_asks_phones_for_digits_and_speaks_of_the_professionals_own_card(
    app, clinician, link
):
    page = clinician.get(link).text
    rpps = re.search(r'<input[^>]*id="author_rpps"[^>]*>', page).group(0)
    assert 'inputmode="numeric"' in rpps
    refused = send_letter(clinician, link, author_rpps="10000000008")
    assert refused.status_code == 422
    assert (
        "This RPPS number is not valid (its check digit does not match): check it on your "
        "professional card (CPS) or in the RPPS directory." in html.unescape(refused.text)
    )
