"""Who invited which professional, renewed or revoked a link, and which letter came back
through it, is in the request's hash-chained audit trail, which the reviewer reads."""

from __future__ import annotations

from sqlalchemy import update

from tests.invites.support import INVITE, invitations_of, invite, link_in, send_letter
from wizard import audit
from wizard.extensions import db
from wizard.invites import service
from wizard.models import Invitation, InvitationState, User
from wizard.review import history


def trail_of(dossier_id: int) -> list[tuple[str, str, str, dict]]:
    return [
        (event.action, event.actor_role, event.actor_name, event.detail)
        for event in audit.trail(dossier_id)
    ]


def test_invitations_and_the_letter_received_are_in_the_audit_trail(
    app, manufacturer, clinician, inbox
):
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    with app.app_context():
        invitation_id = invitations_of(dossier_id)[0].id
    client.post(f"/requests/{dossier_id}/invitations/{invitation_id}/resend")
    send_letter(clinician, link_in(inbox[-1]))
    invite(client, dossier_id, **{"invite-email": "paul.roux@necker.example"})
    with app.app_context():
        second = invitations_of(dossier_id)[1].id
    client.post(f"/requests/{dossier_id}/invitations/{second}/revoke", data={"confirmed": "yes"})
    # The letter that arrived leaves the draft: that is in the trail too.
    with app.app_context():
        letter = invitations_of(dossier_id)[0].letter
    client.post(f"/requests/{dossier_id}/letters/{letter.id}/delete", data={"confirmed": "yes"})

    with app.app_context():
        events = trail_of(dossier_id)
        assert [action for action, *_rest in events] == [
            audit.PROFESSIONAL_INVITED,
            audit.INVITATION_RENEWED,
            audit.LETTER_RECEIVED,
            audit.PROFESSIONAL_INVITED,
            audit.INVITATION_REVOKED,
            audit.LETTER_REMOVED,
        ]
        removed = events[5]
        assert removed[1] == "manufacturer" and "claire@cardiotech.example" in removed[2]
        assert removed[3]["sha256"] == received_sha256(events)
        invited = events[0]
        assert invited[1] == "manufacturer" and "claire@cardiotech.example" in invited[2]
        assert invited[3]["email"] == INVITE["invite-email"]
        received = events[2]
        assert (received[1], received[2]) == ("hcp", "Dr Anne Leroy")
        assert len(received[3]["sha256"]) == 64
        assert audit.check().intact

    with app.test_request_context(headers={"Accept-Language": "en"}):
        lines = [history.event_text(event) for event in audit.trail(dossier_id)]
    assert lines[0] == (
        "Professional invited to send a letter: Dr Anne Leroy (anne.leroy@necker.example)"
    )
    assert lines[2].startswith("Letter received through the invitation link: ")
    assert lines[4] == "Invitation of Dr Anne Leroy (paul.roux@necker.example) cancelled"
    assert lines[5] == f"Letter from Dr Anne Leroy removed from the draft: {letter.filename}"


def received_sha256(events) -> str:
    return next(detail["sha256"] for action, *_r, detail in events if action == "letter_received")


def test_a_letter_that_arrives_just_before_a_resend_or_revoke_is_not_undone(
    app, manufacturer, inbox
):
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    with app.app_context():
        # The invitation as the manufacturer's page showed it: still open.
        invitation = invitations_of(dossier_id)[0]
        user = db.session.get(User, invitation.created_by_id)
        assert invitation.state == InvitationState.SENT
        # Meanwhile the letter arrives, in another transaction.
        with db.engine.begin() as other:
            other.execute(
                update(Invitation)
                .where(Invitation.id == invitation.id)
                .values(state=InvitationState.LETTER_RECEIVED)
            )
        assert invitation.state == InvitationState.SENT  # the click is made from that view
        assert service.resend(invitation, user) is False
    with app.app_context():
        invitation = invitations_of(dossier_id)[0]
        with db.engine.begin() as other:  # as if the page still showed it open
            other.execute(
                update(Invitation)
                .where(Invitation.id == invitation.id)
                .values(state=InvitationState.LETTER_RECEIVED)
            )
        assert service.revoke(invitation, user) is False
    with app.app_context():
        assert invitations_of(dossier_id)[0].state == InvitationState.LETTER_RECEIVED
        assert [e.action for e in audit.trail(dossier_id)] == [audit.PROFESSIONAL_INVITED]
