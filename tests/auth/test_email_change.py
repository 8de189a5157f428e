"""The address a manufacturer's account signs in with changes by a link sent to the new
address, opened by the account's owner signed in; the former address is told. Nothing changes
before, nor for a wrong password, an address already used (which the form does not reveal), a
link opened by another account; a reviewer's address is the administrators'."""

from __future__ import annotations

import html
import re

from tests.conftest import PASSWORD, login, make_user
from tests.invites.support import body_of

NEW = "claire.martin@cardiotech-medical.example"
LINK = re.compile(r"http://localhost(/account/email/confirm/\S+)")


def ask(client, email=NEW, current=PASSWORD):
    return client.post("/account/email", data={"email-email": email, "email-current": current})


def link_in(inbox, address=NEW) -> str:
    (message,) = inbox.to(address)
    return LINK.search(body_of(message))[1]


def test_a_link_to_the_new_address_changes_it_once_opened_signed_in(app, logged_in, user, inbox):
    asked = ask(logged_in, NEW.upper())  # any case, as at sign-in
    assert asked.status_code == 303 and asked.location == "/account"
    page = " ".join(logged_in.get("/account").text.split())
    assert f"We have sent an email to {NEW}." in page and "Until then, nothing changes." in page
    (message,) = inbox.to(NEW)
    assert "Confirm your new email address" in message["Subject"]
    body = " ".join(body_of(message).split())
    assert f"instead of {user[1]}" in body
    assert "Claire Martin" not in body  # nothing the account holder typed, to an address typed
    link = link_in(inbox)
    # Opening it (as a mail filter does) changes nothing: a button does.
    opened = logged_in.get(link)
    assert opened.status_code == 200 and "Use this address" in opened.text
    assert logged_in.head(link).status_code == 200  # a link checker's HEAD neither
    assert opened.headers["Referrer-Policy"] == "strict-origin"
    assert login(app.test_client(), user[1]).status_code == 303  # still the old address

    used = logged_in.post(link)
    assert used.status_code == 303 and used.location == "/account"
    page = logged_in.get("/account").text  # still signed in
    assert f"Your email address is now {NEW}: sign in with it from now on." in page
    assert login(app.test_client(), NEW).status_code == 303
    assert login(app.test_client(), user[1]).status_code == 422
    # The former address is told, in case it was not its owner.
    (notice,) = inbox.to(user[1])
    told = " ".join(body_of(notice).split())
    assert f"was changed to {NEW}" in told and "someone else has your password" in told
    # Clicked again: done already, said so.
    again = logged_in.post(link)
    assert again.status_code == 303 and again.location == "/account"
    # A password link sent to the former address before the change no longer works there.
    assert login(app.test_client(), NEW).status_code == 303


def test_a_password_link_sent_to_the_former_address_stops_working(app, logged_in, user, inbox):
    forgot = app.test_client().post("/password/forgot", data={"email": user[1]}, buffered=True)
    assert forgot.status_code == 303
    (reset_message,) = inbox.to(user[1])
    reset_link = re.search(r"http://localhost(/password/reset/\S+)", body_of(reset_message))[1]
    ask(logged_in)
    logged_in.post(link_in(inbox))
    stale = app.test_client().get(reset_link)
    assert stale.status_code == 404 and "This link no longer works" in stale.text


def test_the_link_is_the_accounts_and_sign_in_leads_back_to_it(app, logged_in, user, inbox):
    ask(logged_in)
    link = link_in(inbox)
    with app.app_context():
        make_user("paul@orthomed.example", organisation="Orthomed")
    other = app.test_client()
    assert login(other, "paul@orthomed.example").status_code == 303
    assert other.get(link).status_code == 404
    assert other.post(link).status_code == 404
    owner_elsewhere = app.test_client()
    opened = owner_elsewhere.get(link)  # not signed in: to sign in first, then back here
    assert opened.status_code == 302 and "/login?next=" in opened.location
    assert login(app.test_client(), NEW).status_code == 422  # nothing changed
    signed_in = owner_elsewhere.post(opened.location, data={"email": user[1], "password": PASSWORD})
    assert signed_in.status_code == 303 and signed_in.location == link
    assert "Use this address" in owner_elsewhere.get(link).text


def test_wrong_password_same_or_taken_address_are_refused_beside_their_field(
    app, logged_in, user, inbox
):
    wrong = ask(logged_in, current="not my password at all")
    assert wrong.status_code == 422 and "This is not your current password." in wrong.text
    assert f'value="{NEW}"' in wrong.text and 'href="#email-current"' in wrong.text
    same = ask(logged_in, user[1])
    assert same.status_code == 422
    assert "This is already the address you sign in with." in same.text
    malformed = ask(logged_in, "claire@")
    assert malformed.status_code == 422 and "in the correct format" in malformed.text
    assert inbox == []
    # An address another account uses: the same answer as any (signing in is not a way to
    # learn who has an account); that address's owner is told, and nothing changes.
    with app.app_context():
        make_user("paul@orthomed.example", organisation="Orthomed")
    taken = ask(logged_in, "Paul@Orthomed.example")
    assert taken.status_code == 303
    assert "We have sent an email to paul@orthomed.example." in logged_in.get("/account").text
    (note,) = inbox.to("paul@orthomed.example")
    note_text = " ".join(body_of(note).split())
    assert "asked to change their account's sign-in address to this one" in note_text
    assert "An account already uses it, so nothing has changed." in note_text
    assert "sign in with this address instead" in note_text
    assert "/account/email/confirm/" not in body_of(note)
    inbox.clear()
    # Taken after the link left: the link's page says so, and nothing changes.
    ask(logged_in)
    link = link_in(inbox)
    with app.app_context():
        make_user(NEW, organisation="Someone else")
    refused = logged_in.post(link)
    assert refused.status_code == 409
    assert "Another account uses this address" in refused.text
    assert login(app.test_client(), user[1]).status_code == 303


def test_links_sent_are_limited_per_account_and_guesses_share_the_password_forms_budget(
    limited_app,
):
    from tests.auth.test_account import change_password

    with limited_app.app_context():
        make_user("claire@cardiotech.example")
    client = limited_app.test_client()
    assert login(client, "claire@cardiotech.example").status_code == 303
    # Five links a day (`EMAIL_CHANGE_LINK_LIMIT`), whatever the addresses.
    statuses = [ask(client, f"new{n}@cardiotech.example").status_code for n in range(6)]
    assert statuses == [303] * 5 + [429]
    paused = " ".join(ask(client, "new9@cardiotech.example").text.split())
    assert "changing your email address is paused" in paused
    # Wrong current passwords on either form spend one budget.
    with limited_app.app_context():
        make_user("paul@orthomed.example", organisation="Orthomed")
    other = limited_app.test_client()
    assert login(other, "paul@orthomed.example").status_code == 303
    for n in range(3):
        assert ask(other, current=f"guess {n}").status_code == 422
    for n in range(2):
        assert change_password(other, current=f"guess password {n}").status_code == 422
    assert ask(other, current="one more guess").status_code == 429
    assert change_password(other, current="one more guess").status_code == 429


def test_a_reviewer_cannot_change_their_address(app, client):
    from wizard.models import Role

    with app.app_context():
        make_user("reviewer@ansm.example", role=Role.REVIEWER)
    assert login(client, "reviewer@ansm.example").status_code == 303
    page = client.get("/account").text
    assert "administrators' to change" in page and 'action="/account/email"' not in page
    refused = ask(client)
    assert refused.status_code == 422 and "Your email address is not changed" in refused.text


UNDO = re.compile(r"http://localhost(/account/email/undo/\S+)")
THIRD = "claire@elsewhere.example"
NEW_PASSWORD = "a brand new passphrase 2026"


def changed(client, inbox, new=NEW, current=PASSWORD) -> str:
    """The address changed to `new` by its form and its link: the link the address it had
    received to undo it (the emails cleared)."""
    assert ask(client, new, current).status_code == 303
    assert client.post(link_in(inbox, new)).status_code == 303
    (undo,) = [found[1] for message in inbox if (found := UNDO.search(body_of(message)))]
    inbox.clear()
    return undo


def chose_password(client, undone) -> None:
    """After an undo, the password chosen on the page it leads to."""
    data = {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}
    assert client.post(undone.location, data=data).status_code == 303


def test_the_former_address_undoes_a_change_and_locks_whoever_made_it_out(
    app, logged_in, user, inbox
):
    assert ask(logged_in).status_code == 303
    assert logged_in.post(link_in(inbox)).status_code == 303
    (notice,) = inbox.to(user[1])
    told = " ".join(body_of(notice).split())
    assert "Within 7 days, open this link to set your account back to this address" in told
    undo = UNDO.search(body_of(notice))[1]
    inbox.clear()
    # A password link asked for at the new address, before the undo.
    app.test_client().post("/password/forgot", data={"email": NEW}, buffered=True)
    (reset_message,) = inbox.to(NEW)
    reset_link = re.search(r"http://localhost(/password/reset/\S+)", body_of(reset_message))[1]
    inbox.clear()

    owner = app.test_client()  # no sign-in asked: the mailbox is the proof
    opened = owner.get(undo)  # as a mail filter would: nothing changes
    assert opened.status_code == 200 and opened.headers["Referrer-Policy"] == "strict-origin"
    assert owner.head(undo).status_code == 200  # a link checker's HEAD neither
    page = " ".join(opened.text.split())
    assert f"now signs in with {NEW}" in page and "Undo the change" in page
    assert f"signs in with {user[1]} again" in page
    assert logged_in.get("/account").status_code == 200

    undone = owner.post(undo)
    assert undone.status_code == 303 and undone.location.startswith("/password/reset/")
    # Whoever made the change is signed out, and neither the address nor the password they
    # knew signs in any more; nor does their password link.
    assert logged_in.get("/account").status_code == 302
    assert login(app.test_client(), NEW).status_code == 422
    assert login(app.test_client(), user[1]).status_code == 422
    assert app.test_client().get(reset_link).status_code == 404
    (told_new,) = inbox.to(NEW)
    assert f"was set back to {user[1]}" in " ".join(body_of(told_new).split())
    # The owner chooses a password straight away, and signs in with it.
    chooser = " ".join(html.unescape(owner.get(undone.location).text).split())
    assert f"Your account's sign-in address is {user[1]} again" in chooser
    assert "Choose a new password" in chooser
    chose_password(owner, undone)
    assert login(app.test_client(), user[1], NEW_PASSWORD).status_code == 303
    # Opened again: nothing left to undo, and the password chosen stays.
    again = owner.post(undo)
    assert again.status_code == 200 and "There is nothing left to undo." in again.text
    assert login(app.test_client(), user[1], NEW_PASSWORD).status_code == 303


def test_the_earliest_address_wins_and_the_account_cannot_be_taken_back(
    app, logged_in, user, inbox, monkeypatch
):
    """Whoever knew the password changes the address twice: the second change's link goes to
    an address of theirs. The owner's link (the first) still works after a second change, and
    even after theirs was used; once the owner's is used, theirs no longer works."""
    import time

    start = time.time()

    def minutes_on(minutes: int) -> None:  # links are stamped to the second
        monkeypatch.setattr(time, "time", lambda: start + 60 * minutes)

    first_undo = changed(logged_in, inbox, NEW)  # to the owner's address
    minutes_on(1)
    second_undo = changed(logged_in, inbox, THIRD)  # to NEW, the other person's
    minutes_on(2)
    taken = app.test_client()
    taken_back = taken.post(second_undo)  # theirs first: the account at NEW again
    assert taken_back.status_code == 303
    chose_password(taken, taken_back)
    assert login(app.test_client(), NEW, NEW_PASSWORD).status_code == 303
    inbox.clear()

    minutes_on(3)
    owner = app.test_client()
    undone = owner.post(first_undo)
    assert undone.status_code == 303
    (told,) = inbox.to(NEW)  # the address the account had
    assert f"was set back to {user[1]}" in " ".join(body_of(told).split())
    chose_password(owner, undone)
    # Theirs, used again, no longer works: the account stays the owner's.
    again = app.test_client().post(second_undo)
    assert again.status_code == 404 and "This link no longer works" in again.text
    assert login(app.test_client(), user[1], NEW_PASSWORD).status_code == 303
    # A change made since has a link of its own, which works.
    minutes_on(4)
    assert login(logged_in, user[1], NEW_PASSWORD).status_code == 303
    later_undo = changed(logged_in, inbox, THIRD, NEW_PASSWORD)
    assert app.test_client().post(later_undo).status_code == 303


def test_a_registration_never_confirmed_does_not_keep_the_address_from_its_owner(
    app, logged_in, user, inbox
):
    from tests.auth.test_accounts import REGISTRATION
    from wizard.extensions import db
    from wizard.models import Organisation, User

    undo = changed(logged_in, inbox)
    # The other person registers the former address (they cannot confirm it).
    registered = app.test_client().post("/register", data={**REGISTRATION, "email": user[1]})
    assert registered.status_code == 303
    assert app.test_client().get(undo).status_code == 200
    assert app.test_client().post(undo).status_code == 303
    with app.app_context():
        accounts = db.session.scalars(db.select(User).filter_by(email=user[1])).all()
        assert [account.id for account in accounts] == [user[0]]
        names = db.session.scalars(db.select(Organisation.name)).all()
        assert names == ["Cardiotech"]  # the registration's organisation went with it


def test_an_undo_link_refused_when_taken_expired_forged_or_removed(
    app, logged_in, user, inbox, monkeypatch
):
    import time

    from wizard.extensions import db
    from wizard.models import User

    undo = changed(logged_in, inbox)
    # Someone has an account with the former address since: it stays theirs, ANSM is the way,
    # said as soon as the link is opened.
    with app.app_context():
        make_user(user[1], organisation="Someone else")
    for refused in (app.test_client().get(undo), app.test_client().post(undo)):
        assert refused.status_code == 409
        page = " ".join(refused.text.split())
        assert f"Another account now uses {user[1]}" in page and "Undo the change" not in page
        assert 'href="https://ansm.sante.fr/contact"' in refused.text
    assert logged_in.get("/account").status_code == 200  # nothing changed
    # Eight days on: expired (itsdangerous reads the time itself).
    later = time.time() + 8 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    expired = app.test_client().post(undo)
    assert expired.status_code == 404 and "for 7 days after the change" in expired.text
    monkeypatch.undo()
    forged = undo[:-2] + ("AA" if not undo.endswith("AA") else "BB")
    assert app.test_client().get(forged).status_code == 404
    # Removed by a colleague since: it signs in no more, whatever its address.
    with app.app_context():
        db.session.get(User, user[0]).removed_at = db.func.now()
        db.session.commit()
    assert app.test_client().post(undo).status_code == 404


def test_a_registration_never_confirmed_does_not_keep_the_new_address_from_the_account(
    app, logged_in, user, inbox
):
    """Someone registered the new address and never confirmed it: that account never
    signed in and holds nothing. The change goes ahead, and that registration is taken over
    (deleted with its organisation), as registering again or an undo would."""
    from wizard.extensions import db
    from wizard.models import Organisation, User

    with app.app_context():
        stale = make_user(NEW, organisation="Never confirmed SAS")
        stale.email_confirmed_at = None
        db.session.commit()
    assert ask(logged_in).status_code == 303
    link = link_in(inbox)  # the confirmation link, not "an account already uses it"
    used = logged_in.post(link)
    assert used.status_code == 303 and used.location == "/account"
    assert f"Your email address is now {NEW}" in logged_in.get("/account").text
    assert login(app.test_client(), NEW).status_code == 303
    with app.app_context():
        assert User.with_email(NEW).id == user[0]
        assert db.session.query(Organisation).filter_by(name="Never confirmed SAS").count() == 0


def test_a_confirmed_account_keeps_its_address(app, logged_in, user, inbox):
    with app.app_context():
        make_user(NEW, organisation="Orthomed")
    assert ask(logged_in).status_code == 303
    (message,) = inbox.to(NEW)
    assert LINK.search(body_of(message)) is None  # told it is in use, no link


def test_an_undo_done_signed_in_to_another_account_ends_on_the_accounts_sign_in_page(
    app, logged_in, user, inbox
):
    undo = changed(logged_in, inbox)
    with app.app_context():
        make_user("paul@orthomed.example", organisation="Orthomed")
    paul = app.test_client()  # the owner's browser, signed in to another account
    assert login(paul, "paul@orthomed.example").status_code == 303
    undone = paul.post(undo)
    assert undone.status_code == 303
    chooser = " ".join(paul.get(undone.location).text.split())
    assert "You are signed in as paul@orthomed.example." in chooser
    chose_password(paul, undone)
    signing_in = paul.get("/login")
    assert signing_in.status_code == 200
    assert "Your password is changed. Sign in with it." in signing_in.text
    assert f'value="{user[1]}"' in signing_in.text
    assert paul.get("/dashboard").status_code == 302


def test_the_security_notices_are_in_french_then_english_whoever_acted(app, logged_in, user, inbox):
    """Whoever reads the address told may not be whoever acted (nor read the page in the same
    language): the notices speak French then English, as the other emails to a reader whose
    language is not known do. The pages here are in English."""
    assert ask(logged_in).status_code == 303
    assert logged_in.post(link_in(inbox)).status_code == 303
    (notice,) = inbox.to(user[1])  # the former address, with the only link that undoes it
    body = " ".join(body_of(notice).split())
    assert "a été remplacée par" in body and f"was changed to {NEW}" in body
    assert body.index("a été remplacée par") < body.index("was changed to")
    assert "L’adresse e-mail de votre compte" in notice["Subject"]
    assert "The email address of your account" in notice["Subject"]
    undo = UNDO.search(body_of(notice))[1]
    inbox.clear()

    assert app.test_client().post(undo).status_code == 303
    (told,) = inbox.to(NEW)  # the address the account lost
    body = " ".join(body_of(told).split())
    assert "est redevenue" in body and f"was set back to {user[1]}" in body
    assert "L’adresse e-mail de votre compte" in told["Subject"]
    inbox.clear()

    # An address another account uses, asked for from a French page: English too.
    with app.app_context():
        make_user("paul@orthomed.example", organisation="Orthomed")
    french = app.test_client()
    french.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    assert login(french, "paul@orthomed.example").status_code == 303
    asked = french.post("/account/email", data={"email-email": user[1], "email-current": PASSWORD})
    assert asked.status_code == 303
    (note,) = inbox.to(user[1])
    body = " ".join(body_of(note).split())
    assert "Si c’était vous, connectez-vous plutôt avec cette adresse" in body
    assert "If it was you, sign in with this address instead" in body
    assert "Votre adresse e-mail sur le portail" in note["Subject"]
    assert "Your email address on the ANSM derogation portal" in note["Subject"]
