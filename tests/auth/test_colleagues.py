"""Colleagues of a manufacturer: one invites another by email, the colleague creates their
account from the link and files with the organisation; an invitation can be cancelled; a
colleague who left is removed, signed out, and hears no more of the organisation's requests."""

from __future__ import annotations

import copy
import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.conftest import (
    PASSWORD,
    dossier_with,
    login,
    make_colleague,
    make_user,
    without_csrf_tokens,
)
from tests.invites.support import body_of, free_port
from wizard import clock, create_app
from wizard.extensions import db
from wizard.models import ColleagueInvitation, Dossier, Role, User
from wizard.review.notify import correspondents

LINK = re.compile(r"https?://[^/\s]+(/join/[A-Za-z0-9_-]{43})\b")
COLLEAGUE = "marc.durand@cardiotech.example"
NEW_PASSWORD = "orange kettle under seven bridges"

YOURS = {"current": PASSWORD}  # one's own password, asked before removing a colleague


def invite(client, email=COLLEAGUE, password=PASSWORD):
    return client.post("/account/colleagues", data={"email": email, "current": password})


def join_link(inbox, email=COLLEAGUE) -> str:
    match = LINK.search(body_of(inbox.to(email)[-1]))
    assert match, body_of(inbox.to(email)[-1])
    return match.group(1)


def join(browser, link, name="Marc Durand", password=NEW_PASSWORD, again=None):
    return browser.post(
        link,
        data={"name": name, "password": password, "confirmation": again or password},
    )


def test_a_colleague_invited_by_email_creates_an_account_and_files_with_the_organisation(
    app, logged_in, user, inbox
):
    with app.app_context():
        dossier_id = dossier_with(user[0])
    assert 'href="/account/colleagues"' in logged_in.get("/account").text
    page = logged_in.get("/account/colleagues").text
    assert "Who files for Cardiotech" in page and user[1] in page and "(you)" in page

    sent = invite(logged_in, "  Marc.Durand@Cardiotech.example ")
    assert sent.status_code == 303 and sent.location == "/account/colleagues"
    page = logged_in.get("/account/colleagues").text
    assert f"An invitation has been sent to {COLLEAGUE}." in page
    assert "Invitations not yet accepted" in page and "Claire Martin" in page

    (message,) = inbox.to(COLLEAGUE)
    assert message["Subject"].startswith("Claire Martin vous invite")
    assert "Claire Martin invites you to file for Cardiotech with ANSM" in message["Subject"]
    body = body_of(message)
    assert "Bonjour," in body and "Hello," in body and user[1] in body
    link = join_link(inbox)

    colleague = app.test_client()
    opened = colleague.get(link)
    assert opened.status_code == 200 and "Join Cardiotech" in opened.text
    assert opened.headers["Cache-Control"] == "no-store"
    assert opened.headers["Referrer-Policy"] == "strict-origin"
    assert COLLEAGUE in opened.text

    refused = join(colleague, link, name="Marc Durand", password="short")
    assert refused.status_code == 422 and "at least 12 characters" in refused.text
    assert 'value="Marc Durand"' in refused.text and 'href="#password"' in refused.text
    # Whoever knows where the colleague works would try its name first.
    guessable = join(colleague, link, password="cardiotech rules 2026")
    assert guessable.status_code == 422
    assert "must not contain your organisation&#39;s name, “Cardiotech”" in guessable.text
    typo = join(colleague, link, again=NEW_PASSWORD + "!")
    assert typo.status_code == 422 and "The two passwords are not the same." in typo.text
    nameless = join(colleague, link, name="")
    assert nameless.status_code == 422 and "Enter your full name." in nameless.text

    joined = join(colleague, link)
    assert joined.status_code == 303 and joined.location == "/dashboard"
    dashboard = colleague.get("/dashboard").text
    assert "Welcome. You file for Cardiotech with your colleagues." in dashboard
    assert f"/requests/{dossier_id}" in dashboard  # the organisation's request
    assert "Started by Claire Martin" in dashboard
    assert "Started by" not in logged_in.get("/dashboard").text  # one's own
    assert colleague.get(f"/requests/{dossier_id}/steps/device").status_code == 200

    # The link worked once; the account signs in with its password.
    again = app.test_client().get(link)
    assert again.status_code == 410 and "already been used" in again.text
    assert 'href="/login"' in again.text and 'href="/password/forgot"' in again.text
    opened_again = colleague.get(link)  # by the one who joined, still signed in
    assert opened_again.status_code == 410 and "You are signed in" in opened_again.text
    assert 'href="/dashboard"' in opened_again.text and 'href="/login"' not in opened_again.text
    assert login(app.test_client(), COLLEAGUE, NEW_PASSWORD).status_code == 303
    with app.app_context():
        account = db.session.scalar(select(User).where(User.email == COLLEAGUE))
        assert account.name == "Marc Durand" and account.email_confirmed
        assert account.organisation_id == db.session.get(User, user[0]).organisation_id
    page = logged_in.get("/account/colleagues").text
    assert "Invitations not yet accepted" not in page and COLLEAGUE in page


def test_bad_addresses_and_colleagues_already_in_are_refused_next_to_the_field(
    app, logged_in, user, inbox
):
    empty = invite(logged_in, "")
    assert empty.status_code == 422
    assert "Enter your colleague&#39;s email address." in empty.text
    assert 'href="#email"' in empty.text  # in the error summary
    wrong = invite(logged_in, "marc@<script>")
    assert wrong.status_code == 422 and "Enter an email address in the correct format" in wrong.text
    assert "<script>" not in without_csrf_tokens(wrong.text)
    assert 'value="marc@&lt;script&gt;"' in wrong.text
    with app.app_context():
        make_colleague(user[0], COLLEAGUE)
    member = invite(logged_in, COLLEAGUE.upper())
    assert member.status_code == 422 and "This colleague already files with you." in member.text
    yourself = invite(logged_in, user[1].upper())
    assert yourself.status_code == 422
    assert "This is your own address: enter your colleague&#39;s." in yourself.text
    assert not inbox


def test_a_cancelled_or_replaced_invitation_link_no_longer_works(app, logged_in, inbox):
    invite(logged_in)
    first = join_link(inbox)
    invite(logged_in)  # again: a new link, the first stops working
    second = join_link(inbox)
    assert first != second
    stranger = app.test_client()
    replaced = stranger.get(first)
    assert replaced.status_code == 410 and "This link has been cancelled" in replaced.text
    page = logged_in.get("/account/colleagues").text
    # One invitation pending.
    assert page.count(f'<td class="table__typed table__email">{COLLEAGUE}</td>') == 1
    with app.app_context():
        pending = db.session.scalar(
            select(ColleagueInvitation).where(ColleagueInvitation.revoked_at.is_(None))
        )
    # "Cancel" opens a page saying what it does; only its button cancels.
    address = f"/account/colleagues/invitations/{pending.id}/cancel"
    assert (
        f'<a href="{address}">Cancel<span class="visually-hidden"> the invitation sent to' in page
    )
    asked = logged_in.get(address)
    assert asked.status_code == 200
    said = " ".join(html.unescape(asked.text).split())
    assert f'<h1 class="heading-l">Cancel the invitation sent to {COLLEAGUE}?</h1>' in said
    assert "The link sent to this address will stop working at once" in said
    assert 'href="/account/colleagues">Keep the invitation</a>' in said
    assert stranger.get(second).status_code == 200  # opening the page cancelled nothing
    cancelled = logged_in.post(address)
    assert cancelled.status_code == 303
    assert (
        f"The invitation sent to {COLLEAGUE} is cancelled."
        in logged_in.get("/account/colleagues").text
    )
    assert stranger.get(second).status_code == 410
    refused = join(stranger, second)
    assert refused.status_code == 410
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == COLLEAGUE)) is None


def test_an_expired_or_unknown_link_says_so(app, logged_in, inbox, monkeypatch):
    invite(logged_in)
    link = join_link(inbox)
    later = clock.now() + timedelta(days=app.config["COLLEAGUE_INVITE_TTL_DAYS"] + 1)
    monkeypatch.setattr(clock, "now", lambda: later)
    expired = app.test_client().get(link)
    assert expired.status_code == 410 and "This link has expired" in expired.text
    assert app.test_client().get("/join/" + "x" * 43).status_code == 404
    assert app.test_client().get("/join/short").status_code == 404


def test_another_organisation_cannot_cancel_an_invitation_or_remove_a_colleague(
    app, logged_in, user, inbox
):
    invite(logged_in)
    with app.app_context():
        invitation_id = db.session.scalar(select(ColleagueInvitation.id))
        colleague_id = make_colleague(user[0], "paul@cardiotech.example").id
        make_user("eve@rival.example", "Rival SAS")
    rival = app.test_client()
    assert login(rival, "eve@rival.example").status_code == 303
    assert COLLEAGUE not in rival.get("/account/colleagues").text
    assert rival.get(f"/account/colleagues/invitations/{invitation_id}/cancel").status_code == 404
    assert rival.post(f"/account/colleagues/invitations/{invitation_id}/cancel").status_code == 404
    assert rival.get(f"/account/colleagues/{colleague_id}/remove").status_code == 404
    assert rival.post(f"/account/colleagues/{colleague_id}/remove").status_code == 404
    with app.app_context():
        assert db.session.get(ColleagueInvitation, invitation_id).revoked_at is None
        assert db.session.get(User, colleague_id).is_active
    # Nobody removes themselves: the organisation keeps someone to file.
    itself = logged_in.post(
        f"/account/colleagues/{user[0]}/remove", data=YOURS, follow_redirects=True
    )
    assert "You cannot remove your own account. A colleague can." in itself.text
    with app.app_context():
        assert db.session.get(User, user[0]).is_active


def test_a_removed_colleague_is_signed_out_hears_no_more_and_can_be_invited_back(
    app, logged_in, user, inbox
):
    with app.app_context():
        colleague_id = make_colleague(user[0], COLLEAGUE).id
        dossier_id = dossier_with(colleague_id, submit=True)
    colleague = app.test_client()
    assert login(colleague, COLLEAGUE).status_code == 303
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        assert correspondents(dossier).startswith(COLLEAGUE)

    confirm = logged_in.get(f"/account/colleagues/{colleague_id}/remove")
    assert confirm.status_code == 200 and "Remove Marc Durand?" in confirm.text
    assert "stay with Cardiotech" in confirm.text
    # Not the one removed, even named as contact person (`correspondents`, below).
    assert (
        "and to the contact person each request names, unless that is Marc Durand."
        in html.unescape(confirm.text)
    )
    # Asked for one's password, as before inviting: a wrong one removes nobody.
    wrong = logged_in.post(f"/account/colleagues/{colleague_id}/remove", data={"current": "nope"})
    assert wrong.status_code == 422
    assert "This is not your current password." in wrong.text and "There is a problem" in wrong.text
    assert login(app.test_client(), COLLEAGUE).status_code == 303  # still there
    removed = logged_in.post(f"/account/colleagues/{colleague_id}/remove", data=YOURS)
    assert removed.status_code == 303
    page = logged_in.get("/account/colleagues").text
    assert "Marc Durand can no longer sign in to file for you." in page
    members, former = page.split("Marc Durand can no longer")[1].split("Former colleagues")
    assert COLLEAGUE not in members  # listed among those who were, with the day
    assert COLLEAGUE in former and re.search(r"\d+ \w+ \d{4} at \d\d:\d\d", former)
    assert '<td data-label="Removed on">' in former  # stacked at 320 px, the date says what it is

    (notice,) = inbox.to(COLLEAGUE)  # a removal nobody expected does not go unseen
    assert "Claire Martin (claire@cardiotech.example) has removed your account" in body_of(notice)
    # Signed out at once, told why (signing in again would not help), and refused at sign-in
    # with the reason (the password was right).
    why = "A colleague has removed this account from Cardiotech."
    ended = colleague.get("/dashboard")
    assert ended.status_code == 401 and why in ended.text
    assert 'href="/login' not in ended.text.split("<main")[1]
    sent = colleague.post("/account/details", data={"name": "Marc"})
    assert sent.status_code == 401 and why in sent.text and "was not saved" in sent.text
    again = login(app.test_client(), COLLEAGUE)
    assert again.status_code == 422
    assert "A colleague has removed this account from Cardiotech." in again.text
    wrong = login(app.test_client(), COLLEAGUE, "not the password at all")
    assert "removed" not in wrong.text  # only whoever knows the password learns it
    # What they filed stays the organisation's; ANSM's news goes to who is left.
    assert f"/requests/{dossier_id}/submitted" in logged_in.get("/dashboard").text
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        assert COLLEAGUE not in correspondents(dossier)
        assert user[1] in correspondents(dossier)

    # Invited back: the same account, with the password chosen now.
    invite(logged_in)
    back = join(app.test_client(), join_link(inbox), name="Marc Durand-Leroy")
    assert back.status_code == 303
    assert login(app.test_client(), COLLEAGUE, PASSWORD).status_code == 422
    assert login(app.test_client(), COLLEAGUE, NEW_PASSWORD).status_code == 303
    with app.app_context():
        account = db.session.get(User, colleague_id)
        assert account.is_active and account.name == "Marc Durand-Leroy"


def test_an_address_with_its_own_account_cannot_join_but_an_unconfirmed_one_can(
    app, logged_in, user, inbox
):
    with app.app_context():
        make_user("anne@other.example", "Other SAS")
    invite(logged_in, "anne@other.example")
    taken = app.test_client().get(join_link(inbox, "anne@other.example"))
    assert taken.status_code == 409
    assert "This email address already has an account" in taken.text
    with app.app_context():
        assert (
            db.session.scalar(
                select(User.organisation_id).where(User.email == "anne@other.example")
            )
            != db.session.get(User, user[0]).organisation_id
        )

    # A registration never confirmed (nobody ever signed in to it) joins instead.
    register = app.test_client()
    register.post(
        "/register",
        data={
            "organisation_name": "Typo SAS",
            "name": "Marc",
            "email": COLLEAGUE,
            "password": "a long enough password here",
        },
    )
    invite(logged_in)
    assert join(app.test_client(), join_link(inbox)).status_code == 303
    with app.app_context():
        account = db.session.scalar(select(User).where(User.email == COLLEAGUE))
        assert account.email_confirmed
        assert account.organisation_id == db.session.get(User, user[0]).organisation_id


def test_an_invitation_that_could_not_be_sent_says_so_and_leaves_no_link(
    app, logged_in, monkeypatch
):
    # Nothing listens on that port: the SMTP connection is refused.
    for key, value in {
        "MAIL_HOST": "127.0.0.1",
        "MAIL_PORT": free_port(),
        "MAIL_USE_TLS": False,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    failed = invite(logged_in)
    assert failed.status_code == 422
    assert "The email could not be sent." in failed.text and f'value="{COLLEAGUE}"' in failed.text
    assert "Invitations not yet accepted" not in logged_in.get("/account/colleagues").text


@pytest.mark.parametrize("path", ["/account/colleagues", "/account/colleagues/1/remove"])
def test_a_reviewer_has_no_colleagues_page(app, client, path):
    with app.app_context():
        make_user("reviewer@ansm.example", role=Role.REVIEWER)
    login(client, "reviewer@ansm.example")
    assert client.get(path).status_code == 403
    assert 'href="/account/colleagues"' not in client.get("/account").text


def test_invitation_emails_share_the_accounts_daily_budget_and_links_cannot_be_guessed(
    app, limited_app, user, inbox
):
    for key in ("MAIL_HOST", "MAIL_PORT", "MAIL_USE_TLS"):
        limited_app.config[key] = app.config[key]
    limited_app.config["INVITATION_EMAIL_RATE_LIMIT"] = "2 per day"
    limited_app.config["INVITE_RATE_LIMIT"] = "3 per minute"
    limited = create_app(limited_app.config)
    signed_in = limited.test_client()
    assert login(signed_in, user[1]).status_code == 303
    assert invite(signed_in, "not an address").status_code == 422  # a refused form is free
    assert invite(signed_in, "a@cardiotech.example").status_code == 303
    assert invite(signed_in, "b@cardiotech.example").status_code == 303
    refused = invite(signed_in, "c@cardiotech.example")
    assert refused.status_code == 429 and "Invite your colleague tomorrow" in refused.text
    # The budget is the organisation's: a colleague (a new account) brings no more emails.
    with limited.app_context():
        make_colleague(user[0], "paul@cardiotech.example")
    colleague = limited.test_client()
    assert login(colleague, "paul@cardiotech.example").status_code == 303
    assert invite(colleague, "d@cardiotech.example").status_code == 429
    assert len(inbox) == 2

    guesser = limited.test_client()
    for _ in range(3):
        assert guesser.get("/join/" + "x" * 43).status_code == 404
    assert guesser.get("/join/" + "y" * 43).status_code == 429


def test_a_wrong_password_when_inviting_counts_as_one_not_as_an_invitation_email(
    app, limited_app, user, inbox
):
    """Typed wrong, the password counts towards the account's budget of wrong passwords (as
    on the password and address forms), not towards the organisation's invitation emails,
    which letters from professionals need too."""
    for key in ("MAIL_HOST", "MAIL_PORT", "MAIL_USE_TLS"):
        limited_app.config[key] = app.config[key]
    limited_app.config["INVITATION_EMAIL_RATE_LIMIT"] = "2 per day"
    limited = create_app(limited_app.config)
    signed_in = limited.test_client()
    assert login(signed_in, user[1]).status_code == 303
    for _ in range(4):
        assert invite(signed_in, password="wrong password").status_code == 422
    assert invite(signed_in).status_code == 303  # the emails' budget is whole
    assert invite(signed_in, "b@cardiotech.example", password="wrong").status_code == 422
    # Five wrong in all (LOGIN_RATE_LIMIT_ACCOUNT): the sixth try is refused, right or not,
    # saying why (not the invitation emails' limit, which is not reached).
    paused = invite(signed_in, "b@cardiotech.example")
    assert paused.status_code == 429
    said = " ".join(paused.text.split())
    assert "Too many wrong passwords" in said and "invitation emails" not in said
    assert "inviting colleagues is paused after several wrong passwords: nobody was invited" in (
        said
    )
    assert 'href="/password/forgot">Choose a new password' in said  # for whoever forgot it
    assert len(inbox.to(COLLEAGUE)) == 1 and not inbox.to("b@cardiotech.example")
    # Removing a colleague asks for the same password: paused as well.
    with limited.app_context():
        colleague_id = make_colleague(user[0], "c@cardiotech.example").id
    removal = signed_in.post(f"/account/colleagues/{colleague_id}/remove", data=YOURS)
    assert removal.status_code == 429 and "Too many wrong passwords" in removal.text
    assert "removing a colleague is paused after several wrong passwords: nobody was removed" in (
        " ".join(removal.text.split())
    )


def test_removing_a_colleague_cancels_the_invitations_they_sent(app, logged_in, user, inbox):
    """Someone about to leave cannot keep a way back in by inviting a private address."""
    with app.app_context():
        make_colleague(user[0], COLLEAGUE)
    leaving = app.test_client()
    assert login(leaving, COLLEAGUE).status_code == 303
    assert invite(leaving, "marc.private@mail.example").status_code == 303
    link = join_link(inbox, "marc.private@mail.example")
    with app.app_context():
        colleague_id = db.session.scalar(select(User.id).where(User.email == COLLEAGUE))
    logged_in.post(f"/account/colleagues/{colleague_id}/remove", data=YOURS)
    assert "marc.private" not in logged_in.get("/account/colleagues").text
    stranger = app.test_client()
    assert stranger.get(link).status_code == 410
    assert join(stranger, link).status_code == 410
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email.like("marc.private%"))) is None
    again = logged_in.post(
        f"/account/colleagues/{colleague_id}/remove", data=YOURS, follow_redirects=True
    )
    assert "Marc Durand has already been removed." in again.text


def test_news_reaches_who_submitted_and_never_a_colleague_who_left_even_as_contact(app, user):
    with app.app_context():
        colleague_id = make_colleague(user[0], COLLEAGUE).id
        dossier_id = dossier_with(user[0], submit=True)
        dossier = db.session.get(Dossier, dossier_id)
        dossier.submitted_by_id = colleague_id  # started by one, submitted by the other
        frozen = copy.deepcopy(dossier.submitted_answers)
        frozen["answers"]["manufacturer"]["contact_email"] = COLLEAGUE  # a filer names themself
        dossier.submitted_answers = frozen
        db.session.commit()
        assert dossier.filer_addresses == sorted([user[1], COLLEAGUE])
        assert correspondents(dossier).count(COLLEAGUE) == 1
        colleague = db.session.get(User, colleague_id)
        colleague.removed_at = clock.now()
        db.session.commit()
        assert correspondents(dossier) == user[1]


def test_an_address_whose_account_files_elsewhere_is_refused_even_by_posting_the_form(
    app, logged_in, user, inbox
):
    with app.app_context():
        other = make_user("anne@other.example", "Other SAS")
        other_org, other_hash = other.organisation_id, other.password_hash
        # An account removed from another organisation cannot be taken over either.
        removed = make_user("paul@third.example", "Third SAS")
        removed.removed_at = clock.now()
        db.session.commit()
        removed_org = removed.organisation_id
    for address in ("anne@other.example", "paul@third.example"):
        invite(logged_in, address)
        link = join_link(inbox, address)
        stranger = app.test_client()
        assert stranger.get(link).status_code == 409
        posted = join(stranger, link)
        assert posted.status_code == 409 and "already has an account" in posted.text
    with app.app_context():
        anne = db.session.scalar(select(User).where(User.email == "anne@other.example"))
        assert anne.organisation_id == other_org and anne.password_hash == other_hash
        paul = db.session.scalar(select(User).where(User.email == "paul@third.example"))
        assert paul.organisation_id == removed_org and not paul.is_active


def test_a_removed_colleague_asking_for_a_new_password_is_told_they_were_removed(
    app, logged_in, user, inbox
):
    from wizard.auth import reset

    with app.app_context():
        colleague = make_colleague(user[0], COLLEAGUE)
        earlier_link = "/password/reset/" + reset.token_for(colleague)
    logged_in.post(f"/account/colleagues/{colleague.id}/remove", data=YOURS)
    asked = app.test_client().post("/password/forgot", data={"email": COLLEAGUE})
    assert asked.status_code == 303
    *_removal, notice = inbox.to(COLLEAGUE)
    assert "removed" in notice["Subject"]
    assert "A colleague has removed your account from Cardiotech" in body_of(notice)
    assert "/password/reset/" not in body_of(notice)
    assert app.test_client().get(earlier_link).status_code == 404


def test_a_removed_colleague_registering_again_is_told_they_were_removed(
    app, logged_in, user, inbox
):
    """Not "you already have an account: sign in", which the removal makes untrue."""
    with app.app_context():
        colleague_id = make_colleague(user[0], COLLEAGUE).id
    logged_in.post(f"/account/colleagues/{colleague_id}/remove", data=YOURS)
    again = {
        "organisation_name": "Biotronix",
        "name": "Marc Durand",
        "email": COLLEAGUE,
        "password": NEW_PASSWORD,
    }
    assert app.test_client().post("/register", data=again).status_code in (200, 303)
    *_removal, notice = inbox.to(COLLEAGUE)
    body = " ".join(body_of(notice).split())
    assert "already used" in notice["Subject"]
    assert "an account a colleague removed from Cardiotech" in body
    assert "ask a colleague who still has access to invite you again" in body
    assert "with another email address" in body
    assert "/login" not in body and "/password/" not in body


def test_a_removed_colleagues_address_asked_for_by_an_address_change_is_told_what_works(
    app, logged_in, user, inbox
):
    """Not "sign in with this address, or choose a new password", which the removal makes
    untrue; the change asked for is said as it was."""
    with app.app_context():
        colleague_id = make_colleague(user[0], COLLEAGUE).id
        make_user("paul@orthomed.example", organisation="Orthomed")
    logged_in.post(f"/account/colleagues/{colleague_id}/remove", data=YOURS)
    inbox.clear()
    paul = app.test_client()
    assert login(paul, "paul@orthomed.example").status_code == 303
    asked = paul.post("/account/email", data={"email-email": COLLEAGUE, "email-current": PASSWORD})
    assert asked.status_code == 303  # the same answer as for any address
    (notice,) = inbox.to(COLLEAGUE)
    body = " ".join(body_of(notice).split())
    assert "asked to change their account's sign-in address to this one" in body
    assert "an account a colleague removed from Cardiotech" in body
    assert "ask a colleague who still has access to invite you again" in body
    assert "/login" not in body and "/password/" not in body and "/account/" not in body


def test_a_join_link_opened_signed_in_says_who_is_signed_out_by_joining(
    app, logged_in, user, inbox
):
    """The link opened in a browser signed in to another account (the inviter's own, or a
    shared computer's): the page says so before the account is made, and making it signs
    that account out, as "Sign out" does, rather than silently."""
    invite(logged_in)
    link = join_link(inbox)
    page = " ".join(logged_in.get(link).text.split())
    assert (
        "You are signed in as claire@cardiotech.example. Creating this account signs you out "
        "of that one." in page
    )
    assert 'class="notice notice--warning" role="note"' in page
    assert "You are signed in as" not in app.test_client().get(link).text
    copy = app.test_client()  # a copy of Claire's session cookie
    copy.set_cookie("session", logged_in.get_cookie("session").value)
    assert copy.get("/dashboard").status_code == 200
    joined = join(logged_in, link)
    assert joined.status_code == 303
    assert "Marc Durand" in logged_in.get("/account").text  # the new account's session
    # Claire is signed out of this browser only: joining was no sign-out of hers elsewhere.
    assert copy.get("/dashboard").status_code == 200
    elsewhere = app.test_client()
    assert login(elsewhere, user[1]).status_code == 303  # Claire signs in again as before


def test_cancelling_an_invitation_already_accepted_says_so(app, logged_in, inbox):
    invite(logged_in)
    with app.app_context():
        invitation_id = db.session.scalar(select(ColleagueInvitation.id))
    join(app.test_client(), join_link(inbox))
    # The page of an invitation accepted meanwhile (opened from a page not reloaded) says so.
    opened = logged_in.get(
        f"/account/colleagues/invitations/{invitation_id}/cancel", follow_redirects=True
    )
    assert f"The invitation sent to {COLLEAGUE} was no longer waiting." in opened.text
    late = logged_in.post(
        f"/account/colleagues/invitations/{invitation_id}/cancel", follow_redirects=True
    )
    assert f"The invitation sent to {COLLEAGUE} was no longer waiting." in late.text
    assert login(app.test_client(), COLLEAGUE, NEW_PASSWORD).status_code == 303


def test_a_link_cancelled_while_its_form_is_on_its_way_makes_no_account(app, logged_in, inbox):
    """The page was opened before a colleague cancelled; the form arrives after."""
    from wizard.auth import colleagues

    invite(logged_in)
    token = join_link(inbox).rsplit("/", 1)[1]
    with app.test_request_context():
        invitation = colleagues.find(token)  # the page opened
        db.session.execute(update(ColleagueInvitation).values(revoked_at=clock.now()))
        db.session.commit()  # cancelled meanwhile
        with pytest.raises(colleagues.LinkUnavailable) as refused:
            colleagues.join(invitation, "Marc Durand", NEW_PASSWORD)
        assert refused.value.reason == "revoked"
        assert db.session.scalar(select(User).where(User.email == COLLEAGUE)) is None


def test_the_colleagues_page_names_each_stacked_value_and_speaks_of_removing(app, logged_in, user):
    """At 320 px the tables stack: a value that is not a name or an address says its column.
    In French a colleague is "retiré" (their account and what they did stay), never
    "supprimé", on the link as on the page it leads to."""
    with app.app_context():
        make_colleague(user[0], COLLEAGUE)
    invite(logged_in, "paul@cardiotech.example")
    page = logged_in.get("/account/colleagues").text
    assert '<td class="table__typed" data-label="Invited by">Claire Martin</td>' in page
    assert re.search(r'<td data-label="Link works until">\d+ \w+ \d{4}</td>', page)
    logged_in.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr-FR"
    french = logged_in.get("/account/colleagues").text
    assert '">Retirer<span class="visually-hidden"> Marc Durand</span></a>' in french
    assert "Supprimer" not in french


def test_inviting_a_colleague_asks_for_ones_password(app, logged_in, user, inbox):
    """Someone at a computer left signed in could otherwise give themselves an account of
    their own, which outlives the session: the password is asked, as before a change of
    password or address, and a wrong one counts as a wrong sign-in does."""
    for password, said in (("", "Enter your password."), ("wrong", "not your current password")):
        refused = invite(logged_in, password=password)
        assert refused.status_code == 422 and said in refused.text
        assert COLLEAGUE in refused.text  # what was typed is kept
    assert not inbox.to(COLLEAGUE)
    assert invite(logged_in).status_code == 303 and inbox.to(COLLEAGUE)


def test_the_colleagues_hear_that_someone_joined_and_who_invited_them(app, logged_in, user, inbox):
    with app.app_context():
        make_colleague(user[0], "paul.roux@cardiotech.example", name="Paul Roux")
    assert invite(logged_in).status_code == 303
    assert join(app.test_client(), join_link(inbox)).status_code == 303
    for colleague in (user[1], "paul.roux@cardiotech.example"):
        [told] = [m for m in inbox.to(colleague) if "Marc Durand" in m["Subject"]]
        assert "Marc Durand has joined Cardiotech" in told["Subject"]
        body = " ".join(body_of(told).split())
        assert "/account/colleagues" in body
        assert "Bonjour" in body  # French, then English
        if colleague == user[1]:  # who invited them reads so, not their own name
            assert (
                f"Marc Durand ({COLLEAGUE}), whom you invited, has created an account in "
                "Cardiotech" in body
            )
            assert "invited by Claire Martin" not in body
            assert "If you did not invite them" in body
        else:
            assert f"Marc Durand ({COLLEAGUE}) has created an account in Cardiotech" in body
            assert "invited by Claire Martin" in body
    assert not [m for m in inbox.to(COLLEAGUE) if "has joined" in m["Subject"]]
