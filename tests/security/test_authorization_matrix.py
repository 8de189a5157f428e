"""Every route of the app (read from the URL map, so a new route is covered automatically) is
requested as an anonymous visitor, the filing organisation, another organisation and an agency
reviewer; each answer must be one the table allows. A route missing from the table fails."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import dossier_with, login, make_colleague, make_user
from wizard import clock
from wizard.extensions import db
from wizard.models import ColleagueInvitation, Dossier, Role
from wizard.receipts import service

ANON, OWNER, OTHER, REVIEWER = "anonymous", "owner", "other organisation", "reviewer"
# Asked to sign in: a page redirects there; a form is refused saying so (401), with what
# was typed.
SIGN_IN = {302, 401}
OK = {200}

# What each kind of route may answer, per role. Filing routes: the owner gets a page, a
# redirect, a refusal of the frozen request (409) or a validation answer; others nothing.
MANUFACTURER_ONLY = {
    ANON: SIGN_IN,
    OWNER: {200, 204, 302, 303, 404, 409, 422},
    OTHER: {404},
    REVIEWER: {403},
}
REVIEWER_ONLY = {ANON: SIGN_IN, OWNER: {403}, OTHER: {403}, REVIEWER: {200, 303, 404, 409, 422}}
PUBLIC = {ANON: OK, OWNER: OK, OTHER: OK, REVIEWER: OK}
PUBLIC_REDIRECT = {role: {302} for role in (ANON, OWNER, OTHER, REVIEWER)}
UNKNOWN_TOKEN = {role: {404} for role in (ANON, OWNER, OTHER, REVIEWER)}

EXPECTED = {
    "static": PUBLIC,
    "public.start": {ANON: OK, OWNER: {302}, OTHER: {302}, REVIEWER: OK},
    "public.accessibility": PUBLIC,
    "public.privacy": PUBLIC,
    "public.health": PUBLIC,
    "public.ready": PUBLIC,
    "public.still_here": {role: {204} for role in (ANON, OWNER, OTHER, REVIEWER)},
    "public.language": PUBLIC_REDIRECT,
    "auth.login": {ANON: {200, 422}, OWNER: {302}, OTHER: {302}, REVIEWER: {302}},
    "auth.register": {ANON: {200, 422}, OWNER: {200, 422}, OTHER: {200, 422}, REVIEWER: {200, 422}},
    "auth.logout": {role: {303} for role in (ANON, OWNER, OTHER, REVIEWER)},
    "auth.forgot_password": {role: {200, 422} for role in (ANON, OWNER, OTHER, REVIEWER)},
    "auth.reset_password": UNKNOWN_TOKEN,
    "auth.confirm_email": UNKNOWN_TOKEN,
    # One's own account, whoever one is: a page, or a form refused for its empty fields.
    "auth.account": {ANON: SIGN_IN, OWNER: OK, OTHER: OK, REVIEWER: OK},
    # (Opened, the address a refused form left leads back to the account page.)
    "auth.account_details": {
        ANON: SIGN_IN,
        OWNER: {303, 422},
        OTHER: {303, 422},
        REVIEWER: {303, 422},
    },
    "auth.account_password": {
        ANON: SIGN_IN,
        OWNER: {303, 422},
        OTHER: {303, 422},
        REVIEWER: {303, 422},
    },
    "auth.account_email": {
        ANON: SIGN_IN,
        OWNER: {303, 422},
        OTHER: {303, 422},
        REVIEWER: {303, 422},
    },
    # A link to change the address: for the signed-in account it was sent for only.
    "auth.confirm_new_email": {ANON: SIGN_IN, OWNER: {404}, OTHER: {404}, REVIEWER: {404}},
    # The former address's link to undo a change: the link is the proof, not a session.
    "auth.undo_email_change": UNKNOWN_TOKEN,
    # One's own organisation's people; an invitation link, with no account.
    "auth.colleagues_page": {ANON: SIGN_IN, OWNER: OK, OTHER: OK, REVIEWER: {403}},
    "auth.invite_colleague": {ANON: SIGN_IN, OWNER: {422}, OTHER: {422}, REVIEWER: {403}},
    "auth.join": UNKNOWN_TOKEN,
    # Shown after registering, or asking for a password link, in that browser; otherwise back
    # to the form.
    "auth.registered": {role: {302} for role in (ANON, OWNER, OTHER, REVIEWER)},
    "auth.reset_link_sent": {role: {302} for role in (ANON, OWNER, OTHER, REVIEWER)},
    "receipts.verify": {role: {200, 422} for role in (ANON, OWNER, OTHER, REVIEWER)},
    "invites.respond": UNKNOWN_TOKEN,
    "invites.check_field": UNKNOWN_TOKEN,
    # Thank-you pages, showing what was sent only right after it was, in that session;
    # otherwise a page saying so, which names nothing.
    "invites.received": PUBLIC,
    "review_hcp.answer": UNKNOWN_TOKEN,
    "review_hcp.answered": PUBLIC,
}
for endpoint in (
    "auth.cancel_colleague_invitation",
    "auth.remove_colleague",
    "filing.dashboard",
    "filing.new_request",
    "filing.resume",
    "filing.discard",
    "filing.start_from",
    "filing.add_document",
    "filing.download_document",
    "filing.delete_document",
    "filing.put_back",
    "filing.invite",
    "filing.resend_invitation",
    "filing.revoke_invitation",
    "filing.add_letter",
    "filing.download_letter",
    "filing.delete_letter",
    "filing.letter_checked",
    "filing.step",
    "filing.validate_field",
    "filing.submitted",
    "receipts.download",
    "review_filer.download_decision",
    "review_filer.reply",
    "review_filer.download_reply_document",
    "review_filer.withdraw",
    "review_filer.send_report",
    "review_filer.download_report_document",
):
    EXPECTED[endpoint] = MANUFACTURER_ONLY
for endpoint in (
    "review.queue_page",
    "review.request_page",
    "review.act",
    "review.cancel_question",
    "review.download_decision",
    "review.download_document",
    "review.download_letter",
    "review.download_receipt",
    "review.download_reply_document",
    "review.download_report_document",
    "review.mark_report_read",
    "review.add_note",
    "review.assign",
):
    EXPECTED[endpoint] = REVIEWER_ONLY
# A typed answer checked against a step's rules, the same for every manufacturer: it reads no
# request and no account, only the signed session (a field's fragment, or nothing for a name
# the step does not ask: this one sends none).
EXPECTED["filing.check_field"] = {ANON: SIGN_IN, OWNER: {204}, OTHER: {204}, REVIEWER: {403}}
EXPECTED["filing.check_attached_field"] = EXPECTED["filing.check_field"]  # step 9's invitation
# Pages of one's own organisation that do not depend on a request id.
EXPECTED["filing.dashboard"] = {ANON: SIGN_IN, OWNER: OK, OTHER: OK, REVIEWER: {403}}
EXPECTED["filing.new_request"] = {ANON: SIGN_IN, OWNER: {303}, OTHER: {303}, REVIEWER: {403}}


@pytest.fixture
def world(app):
    """Organisation A with a submitted request (document, letter, receipt), B, a reviewer."""
    with app.app_context():
        owner = make_user("owner@a.example", "Organisation A")
        make_user("other@b.example", "Organisation B")
        make_user("reviewer@ansm.example", role=Role.REVIEWER)
        colleague = make_colleague(owner.id, "colleague@a.example")
        # Organisation A's invitation of another colleague (the professionals' invitation
        # routes, which take the same argument, find none of theirs by that id).
        invitation = ColleagueInvitation(
            organisation_id=owner.organisation_id,
            email="new@a.example",
            token_hash="0" * 64,
            invited_by=owner,
            expires_at=clock.now() + timedelta(days=7),
        )
        db.session.add(invitation)
        db.session.commit()
        dossier_id = dossier_with(owner.id, "global", submit=True)
        dossier = db.session.get(Dossier, dossier_id)
        service.ensure_receipt(dossier)
        return {
            "dossier_id": dossier_id,
            "item_id": dossier.documents[0].id,
            "invitation_id": invitation.id,
            "user_id": colleague.id,
            "question_id": 1,
            "report_id": 1,
            "removal_id": 1,
            "number": 1,
            "step_id": "device",
            "part": "invite",
            "code": "en",
            "token": secrets.token_urlsafe(32),
            "name": "start-review",
            "filename": "css/app.css",
        }


def clients(app):
    made = {ANON: app.test_client()}
    for role, email in (
        (OWNER, "owner@a.example"),
        (OTHER, "other@b.example"),
        (REVIEWER, "reviewer@ansm.example"),
    ):
        made[role] = app.test_client()
        assert login(made[role], email).status_code == 303
    return made


def test_every_route_answers_every_role_as_the_table_says(app, world):
    rules = [r for r in app.url_map.iter_rules()]
    unlisted = sorted({r.endpoint for r in rules} - set(EXPECTED))
    assert not unlisted, f"routes missing from the authorization table: {unlisted}"
    browsers = clients(app)
    problems = []
    for rule in sorted(rules, key=lambda r: r.rule):
        url = app.url_map.bind("localhost").build(
            rule.endpoint, {k: world[k] for k in rule.arguments}, append_unknown=False
        )
        if rule.endpoint == "auth.logout":
            continue  # would sign the shared browsers out; checked last
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for role, browser in browsers.items():
                response = browser.open(url, method=method, data={})
                allowed = EXPECTED[rule.endpoint][role]
                if response.status_code not in allowed:
                    problems.append((method, url, role, response.status_code, sorted(allowed)))
                policy = response.headers.get("Content-Security-Policy", "")
                if "frame-ancestors 'none'" not in policy:
                    problems.append((method, url, role, "no CSP"))
    for role, browser in browsers.items():
        assert browser.post("/logout").status_code in EXPECTED["auth.logout"][role]
    assert not problems, problems
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.id == world["dossier_id"]))
        assert dossier.status in ("submitted", "under_review")
