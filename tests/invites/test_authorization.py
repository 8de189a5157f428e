"""A link opens one request only; only the filing organisation manages its invitations, and only
while the request is a draft. Every POST needs the CSRF token, the clinician's included."""

from __future__ import annotations

import html
import re

import pytest

from tests.conftest import PASSWORD, login, make_user, sign_and_submit
from tests.flow.test_access import assert_asked_to_sign_in
from tests.invites.support import (
    INVITE,
    LETTER,
    invitations_of,
    invite,
    letters_of,
    link_in,
    request_awaiting_letters,
    send_letter,
)
from wizard import create_app
from wizard.demo import sample_answers
from wizard.extensions import db
from wizard.filing import service
from wizard.models import Dossier, Role


@pytest.fixture
def rival(app):
    """Another organisation with its own request for another device."""
    with app.app_context():
        rival = make_user("eve@rival.example", "Rival Devices")
        dossier_id = request_awaiting_letters(rival.id)
        device = {**sample_answers()["device"], "trade_name": "HeartMate Rival"}
        service.save_step(db.session.get(Dossier, dossier_id), "device", device)
        return rival.email, dossier_id


def management_urls(dossier_id: int, invitation_id: int) -> list[str]:
    base = f"/requests/{dossier_id}/invitations"
    return [base, f"{base}/{invitation_id}/resend", f"{base}/{invitation_id}/revoke"]


def test_a_link_for_one_request_never_shows_or_touches_another(
    app, manufacturer, rival, clinician, inbox
):
    client, dossier_id = manufacturer
    _rival_email, rival_dossier = rival
    invite(client, dossier_id)
    link = link_in(inbox[-1])
    page = clinician.get(link).text
    assert "VentriAssist Mini" in page
    assert "HeartMate Rival" not in page and "Rival Devices" not in page
    # Whatever the form carries, the letter goes to the link's request.
    sent = send_letter(clinician, link, dossier_id=str(rival_dossier))
    assert sent.status_code == 303
    with app.app_context():
        assert len(letters_of(dossier_id)) == 1
        assert letters_of(rival_dossier) == []
        assert invitations_of(rival_dossier) == []


def test_another_organisation_gets_404_on_the_invitation_routes(
    app, manufacturer, rival, clinician, inbox
):
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    with app.app_context():
        invitation_id = invitations_of(dossier_id)[0].id
    rival_email, rival_dossier = rival
    intruder = app.test_client()
    login(intruder, rival_email)
    urls = management_urls(dossier_id, invitation_id)
    # Their own request's URLs with our invitation's id: not theirs either.
    urls += management_urls(rival_dossier, invitation_id)[1:]
    for url in urls:
        assert intruder.post(url, data=INVITE).status_code == 404, url
    rival_step = intruder.get(f"/requests/{rival_dossier}/steps/hcp-support").text
    assert INVITE["invite-email"] not in rival_step and "No invitation sent yet." in rival_step
    with app.app_context():
        (invitation,) = invitations_of(dossier_id)
        assert invitation.state == "sent"
    assert len(inbox) == 1
    assert clinician.get(link_in(inbox[0])).status_code == 200


def test_a_reviewer_and_an_anonymous_visitor_cannot_manage_invitations(app, manufacturer, inbox):
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    with app.app_context():
        invitation_id = invitations_of(dossier_id)[0].id
        make_user("rita@ansm.example", role=Role.REVIEWER)
    reviewer, anonymous = app.test_client(), app.test_client()
    login(reviewer, "rita@ansm.example")
    for url in management_urls(dossier_id, invitation_id):
        assert reviewer.post(url, data=INVITE).status_code == 403, url
        assert_asked_to_sign_in(anonymous.post(url, data=INVITE), "POST", url)
    with app.app_context():
        assert len(invitations_of(dossier_id)) == 1


def test_once_submitted_the_invitations_can_no_longer_change(app, manufacturer, clinician, inbox):
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    send_letter(clinician, link_in(inbox[-1]))
    invite(client, dossier_id, **{"invite-email": "paul.roux@lyon.example"})
    assert sign_and_submit(client, dossier_id).status_code == 303
    with app.app_context():
        pending = invitations_of(dossier_id)[1].id
    for url in management_urls(dossier_id, pending):
        response = client.post(url, data=INVITE)
        assert response.status_code == 409 and "can no longer be changed" in response.text
    with app.app_context():
        assert [i.state for i in invitations_of(dossier_id)] == ["letter_received", "sent"]


def test_the_invite_form_explains_what_is_wrong_and_keeps_what_was_typed(app, manufacturer):
    client, dossier_id = manufacturer
    response = invite(
        client,
        dossier_id,
        **{"invite-email": "anne.leroy@", "invite-role": "", "invite-message": "x" * 1001},
    )
    assert response.status_code == 422
    assert "<title>Error: " in response.text
    summary = re.search(r'<div class="error-summary".*?</div>', response.text, re.S).group(0)
    for field_id, message in (
        ("invite-email", "Enter the email address in the correct format, like name@hospital.fr."),
        ("invite-role", "Enter the healthcare professional&#39;s role or specialty."),
        # A message that does not name its field is listed after the field's label.
        (
            "invite-message",
            "Personal message (optional): Use 1,000 characters or fewer (you have 1,001).",
        ),
    ):
        assert f'<a href="#{field_id}">{message}</a>' in summary
        assert f'id="{field_id}-error"' in response.text
    assert 'value="Dr Anne Leroy"' in response.text and 'value="anne.leroy@"' in response.text
    with app.app_context():
        assert invitations_of(dossier_id) == []


def test_an_address_with_an_emoji_or_an_accent_before_the_at_is_refused(app, manufacturer):
    """Pasted by mistake, and seldom taken by mail servers: the invitation would never
    arrive. The domain may be written in any letters (it is sent in its ASCII form)."""
    client, dossier_id = manufacturer
    for typed in ("anne\U0001f600@aphp.fr", "andr\u00e9@aphp.fr"):
        refused = invite(client, dossier_id, **{"invite-email": typed})
        assert refused.status_code == 422, typed
        # Said as it is: the address is well formed but for what comes before the @.
        assert (
            "Enter the address without accents or special letters before the @ (for example "
            "elodie.martin@chu-lyon.fr): few mail servers accept them."
        ) in html.unescape(refused.text)
        assert "Enter the email address in the correct format" not in refused.text
    assert invite(client, dossier_id, **{"invite-email": "anne@h\u00f4pital.fr"}).status_code == 303
    with app.app_context():
        assert len(invitations_of(dossier_id)) == 1


@pytest.fixture
def csrf_app(app, tmp_path):
    protected = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path),
            "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_ENABLED": False,
        }
    )
    assert protected.config["WTF_CSRF_ENABLED"] is not False
    return protected


def token_in(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_every_invitation_post_needs_the_csrf_token(app, csrf_app, manufacturer, inbox):
    for key in ("MAIL_HOST", "MAIL_PORT", "MAIL_USE_TLS"):
        csrf_app.config[key] = app.config[key]
    _client, dossier_id = manufacturer
    client = csrf_app.test_client()
    client.post("/login", data={"email": "claire@cardiotech.example", "password": PASSWORD,
                                "csrf_token": token_in(client.get("/login").text)})  # fmt: skip
    step = client.get(f"/requests/{dossier_id}/steps/hcp-support").text
    assert "CSRF Token" not in step  # the token is a hidden input, not a question
    assert invite(client, dossier_id).status_code == 400
    assert invite(client, dossier_id, csrf_token=token_in(step)).status_code == 303
    with csrf_app.app_context():
        invitation_id = invitations_of(dossier_id)[0].id
    for url in management_urls(dossier_id, invitation_id)[1:]:
        assert client.post(url).status_code == 400

    clinician = csrf_app.test_client()
    link = link_in(inbox[-1])
    assert send_letter(clinician, link).status_code == 400
    page = clinician.get(link).text
    checked = clinician.post(
        f"{link}/check",
        data=LETTER,
        headers={"HX-Request": "true", "HX-Trigger-Name": "author_rpps"},
    )
    assert checked.status_code == 400
    assert send_letter(clinician, link, csrf_token=token_in(page)).status_code == 303


def test_no_web_address_goes_to_a_professional_in_the_portals_name(app, manufacturer, inbox):
    """The invitation email comes from the portal: its only link is the professional's own
    (a message or a name carrying another would make it a lure)."""
    client, dossier_id = manufacturer
    refused = invite(
        client,
        dossier_id,
        **{
            "invite-clinician_name": "Dr Anne Leroy (www.necker-letters.example)",
            "invite-message": "Dear Dr Leroy,\nplease first sign in at https://ansm-check.example/x",
        },
    )
    assert refused.status_code == 422
    said = html.unescape(refused.text)
    assert (
        "Remove the web address “https://ansm-check.example/x”: the portal's emails carry no "
        "link but their own." in said
    )
    assert "Remove the web address “www.necker-letters.example”" in said
    assert "please first sign in at https://ansm-check.example/x</textarea>" in said  # kept
    assert not inbox
    with app.app_context():
        assert invitations_of(dossier_id) == []
