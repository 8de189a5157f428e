"""A manufacturer creates an account, signs in and out; reviewers come from a command."""

from __future__ import annotations

import html
import time

import pytest
from sqlalchemy import func, select

from tests.auth.test_email_confirmation import confirmation_link
from tests.conftest import PASSWORD, login, make_user, without_csrf_tokens
from tests.invites.support import body_of
from wizard.extensions import db
from wizard.models import Organisation, Role, User

REGISTRATION = {
    "organisation_name": "Cardiotech Médical SAS",
    "name": "Claire Martin",
    "email": "Claire.Martin@Cardiotech.example",
    "password": PASSWORD,
}


def test_a_manufacturer_registers_confirms_the_address_and_lands_on_an_empty_dashboard(
    app, client, inbox
):
    response = client.post("/register", data=REGISTRATION)
    assert response.status_code == 303
    sent = client.get(response.location)
    assert "Check your email" in sent.text
    assert "We have sent a link to claire.martin@cardiotech.example" in sent.text
    assert client.get("/dashboard").status_code == 302  # not signed in yet
    [message] = inbox.to("claire.martin@cardiotech.example")
    assert "Confirm your email address" in message["Subject"]

    confirmed = client.post(confirmation_link(message), data={"password": PASSWORD})
    assert confirmed.status_code == 303 and confirmed.location == "/dashboard"
    page = client.get("/dashboard").text
    assert "Cardiotech Médical SAS" in page and "You have no request yet" in page
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "claire.martin@cardiotech.example" and user.email_confirmed
        assert (
            user.role == Role.MANUFACTURER
            and user.organisation.name == REGISTRATION["organisation_name"]
        )
        assert PASSWORD not in user.password_hash and user.password_hash.startswith("scrypt")


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"password": "short"}, "password", "at least 12 characters"),
        ({"password": "123456789012"}, "password", "too easy to guess"),
        ({"password": "aaaaaaaaaaaaaaaa"}, "password", "too easy to guess"),
        (
            {"password": "claire.martin-secret"},
            "password",
            "must not contain the start of your email",
        ),
        (
            {"password": "Cardio-Tech medical 2026"},
            "password",
            "must not contain your organisation's name, “Cardiotech Médical”",
        ),
        ({"password": "cardiotech forever"}, "password", "name, “Cardiotech”"),
        ({"email": "not-an-email"}, "email", "correct format"),
        # Repeated in emails to others (a colleague invited): never a lure.
        (
            {"organisation_name": "ANSM – vérifiez https://ansm-verif.example/x"},
            "organisation_name",
            "Remove the web address “https://ansm-verif.example/x”: the portal's emails carry "
            "no link but their own.",
        ),
        ({"name": "Service ANSM www.ansm-verif.example"}, "name", "“www.ansm-verif.example”"),
        ({"organisation_name": ""}, "organisation_name", "Enter the name of the manufacturer"),
        ({"name": "x" * 201}, "name", "200 characters or fewer"),
    ],
)
def test_registration_errors_are_specific_and_keep_what_was_typed(client, change, field, message):
    response = client.post("/register", data={**REGISTRATION, **change})
    assert response.status_code == 422
    assert message in html.unescape(response.text)
    assert f'href="#{field}"' in response.text  # in the error summary
    if field != "organisation_name":
        assert 'value="Cardiotech Médical SAS"' in response.text


def test_an_email_can_hold_only_one_account_and_registering_does_not_say_which_have_one(
    app, client, inbox
):
    """A taken address gets the same page as a new one; its owner is told by email, and
    nothing of their account changes."""
    with app.app_context():
        make_user("claire.martin@cardiotech.example")
    taken = client.post("/register", data=REGISTRATION)
    taken_page = client.get(taken.location).text
    new = client.post("/register", data={**REGISTRATION, "email": "bob@cardiotech.example"})
    new_page = client.get(new.location).text
    assert taken.status_code == new.status_code == 303 and taken.location == new.location
    same = [
        without_csrf_tokens(page).replace("claire.martin", "bob") for page in (taken_page, new_page)
    ]
    assert same[0] == same[1]
    [message] = inbox.to("claire.martin@cardiotech.example")
    assert "You already have an account" in message["Subject"]
    body = body_of(message)
    assert "no new account was made" in body and "aucun nouveau compte" in body
    assert "http://localhost/login" in body and "http://localhost/password/forgot" in body
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 2
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 2
    assert login(client, "claire.martin@cardiotech.example").status_code == 303  # unchanged


def test_sign_in_failure_does_not_say_whether_the_account_exists(app, client):
    with app.app_context():
        make_user("claire@cardiotech.example")
    wrong_password = login(client, "claire@cardiotech.example", "wrong password!!")
    unknown = login(client, "nobody@cardiotech.example", "wrong password!!")
    assert wrong_password.status_code == unknown.status_code == 422
    message = "The email address or the password is not right."
    assert message in wrong_password.text and message in unknown.text


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",  # browsers read a backslash as a slash
        "/\t/evil.example/",  # and drop tabs and line breaks
        "javascript:alert(1)",
    ],
)
def test_sign_in_redirects_only_within_the_site(app, client, target):
    with app.app_context():
        make_user("claire@cardiotech.example")
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "claire@cardiotech.example", "password": PASSWORD},
    )
    assert response.location == "/dashboard"


def test_sign_in_goes_on_to_the_page_asked_for(app, client):
    with app.app_context():
        make_user("claire@cardiotech.example")
    response = client.post(
        "/login",
        query_string={"next": "/requests/new?x=1"},
        data={"email": "claire@cardiotech.example", "password": PASSWORD},
    )
    assert response.location == "/requests/new?x=1"


def test_a_sign_in_link_followed_once_signed_in_again_goes_on_to_its_page(app, client):
    """Signed in meanwhile in another tab: the "Sign in again" link of a page refused for
    being signed out leads to where it was going, not to the dashboard; never elsewhere."""
    with app.app_context():
        make_user("claire@cardiotech.example")
    assert login(client, "claire@cardiotech.example").status_code == 303
    followed = client.get("/login", query_string={"next": "/requests/7/steps/device"})
    assert followed.status_code == 302 and followed.location == "/requests/7/steps/device"
    away = client.get("/login", query_string={"next": "https://evil.example/"})
    assert away.location == "/dashboard"


def test_an_account_whose_address_has_an_accent_before_the_at_still_signs_in(app, client):
    """Invitations refuse such an address (it seldom arrives); an account's own is kept."""
    with app.app_context():
        make_user("andr\u00e9@cardiotech.example")
    assert login(client, "andr\u00e9@cardiotech.example").status_code == 303
    assert client.get("/dashboard").status_code == 200


def test_sign_out_ends_the_session(app, client):
    with app.app_context():
        make_user("claire@cardiotech.example")
    login(client, "claire@cardiotech.example")
    assert client.get("/dashboard").status_code == 200
    client.post("/logout")
    assert client.get("/dashboard").status_code == 302


def test_sign_out_leaves_nothing_of_the_session_but_its_language(app, client):
    """A session nobody is signed in to lasts a day: what the signed-in one held (files kept
    from a refused form) does not stay behind in the browser; its language does, and the
    token of the forms of its pages (sent, they say "You were signed out")."""
    with app.app_context():
        make_user("claire@cardiotech.example")
    client.get("/language/fr")
    login(client, "claire@cardiotech.example")
    with client.session_transaction() as held:
        held["review_kept_files"] = {"reply-1": [{"filename": "x.pdf", "sha256": "0" * 64}]}
        held["csrf_token"] = "a token"
    client.post("/logout")
    with client.session_transaction() as held:
        assert set(held) - {"_flashes"} == {"locale", "csrf_token"}


def test_sign_out_ends_every_copy_of_the_session(app, client):
    """A cookie copied while signed in (a shared computer, a proxy's log) dies with the sign-out,
    as does the account's session in another browser."""
    with app.app_context():
        make_user("claire@cardiotech.example")
    login(client, "claire@cardiotech.example")
    other_browser = app.test_client()
    login(other_browser, "claire@cardiotech.example")
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert copy.get("/dashboard").status_code == 200
    client.post("/logout")
    assert copy.get("/dashboard").status_code == 302
    assert other_browser.get("/dashboard").status_code == 302
    # Signing in again opens a new session, which works.
    login(client, "claire@cardiotech.example")
    assert client.get("/dashboard").status_code == 200


def test_signing_in_starts_a_new_session_keeping_only_the_language(app, client):
    """Nothing planted in a session before sign-in (a CSRF secret a stranger knows) survives it."""
    with app.app_context():
        make_user("claire@cardiotech.example")
    with client.session_transaction() as before:
        before["csrf_token"] = "known-to-a-stranger"
        before["locale"] = "en"
    login(client, "claire@cardiotech.example")
    with client.session_transaction() as after:
        assert after.get("csrf_token") != "known-to-a-stranger"
        assert after["locale"] == "en" and after["_user_id"]


def test_an_unknown_address_takes_as_long_to_refuse_as_a_wrong_password(app, client):
    """The time of the answer must not tell whether an account exists: both check a password
    hash (scrypt, tens of milliseconds; without it an unknown address took ~1 ms)."""
    with app.app_context():
        make_user("claire@cardiotech.example")

    def quickest_of_three(email):
        times = []
        for _ in range(3):
            start = time.perf_counter()
            assert login(client, email, "wrong password!!").status_code == 422
            times.append(time.perf_counter() - start)
        return min(times)

    known, unknown = (
        quickest_of_three("claire@cardiotech.example"),
        quickest_of_three("nobody@cardiotech.example"),
    )
    assert unknown > known / 3, (known, unknown)


def test_the_create_reviewer_command_makes_a_reviewer(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-reviewer", "Rita@ANSM.example", "Rita Reviewer"],
        # Asked for, as the password is: the decisions the reviewer signs state it.
        input=f"Head of the medical devices division\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        reviewer = db.session.scalar(select(User).where(User.email == "rita@ansm.example"))
        assert reviewer.is_reviewer and reviewer.organisation_id is None
        assert reviewer.job_title == "Head of the medical devices division"
        assert reviewer.signing_delegation is None  # reviews, does not sign: said
    assert "They hold no delegation of signature" in result.output
    delegated = runner.invoke(
        args=[
            *("create-reviewer", "paul@ansm.example", "Paul Signer", "--title", "Head"),
            *("--delegation", "  décision DG n° 2026-12  du 5 janvier 2026 "),
        ],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert delegated.exit_code == 0, delegated.output
    assert "no delegation" not in delegated.output
    with app.app_context():
        signer = db.session.scalar(select(User).where(User.email == "paul@ansm.example"))
        assert signer.signing_delegation == "décision DG n° 2026-12 du 5 janvier 2026"
    untitled = runner.invoke(
        args=["create-reviewer", "y@ansm.example", "Y", "--title", " "],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert untitled.exit_code != 0 and "job title" in untitled.output
    weak = runner.invoke(
        args=["create-reviewer", "x@ansm.example", "X", "--title", "Reviewer"],
        input="short\nshort\n",
    )
    # In English, as the command's prompts and its other messages.
    assert weak.exit_code != 0
    assert "Your password must be at least 12 characters long." in weak.output
    taken = runner.invoke(
        args=["create-reviewer", "RITA@ansm.example", "R", "--title", "Reviewer"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert taken.exit_code != 0 and "An account already uses rita@ansm.example." in taken.output
    # An address the sign-in page refuses makes no account that could never sign in.
    for refused in ("rev1@ansm.test", "rita ansm.example", "rita@"):
        result = runner.invoke(
            args=["create-reviewer", refused, "R", "--title", "Reviewer"],
            input=f"{PASSWORD}\n{PASSWORD}\n",
        )
        assert result.exit_code != 0
        assert "is not an email address the sign-in page accepts" in result.output
        with app.app_context():
            assert User.with_email(refused.strip().lower()) is None
    # (the sign-in page's own words for it)
    refused_page = login(app.test_client(), "rev1@ansm.test")
    assert "Enter an email address in the correct format" in refused_page.text


def test_a_registration_never_confirmed_does_not_block_a_reviewers_address(app, client):
    """Registering is open: anyone may register a reviewer's address first. Never confirmed,
    it holds nothing: the command takes the address over, and says so."""
    squatted = {**REGISTRATION, "email": "new.reviewer@ansm.example"}
    assert client.post("/register", data=squatted).status_code in (200, 303)
    with app.app_context():
        assert User.with_email("new.reviewer@ansm.example").email_confirmed_at is None
    result = app.test_cli_runner().invoke(
        args=["create-reviewer", "new.reviewer@ansm.example", "Nadia Reviewer"],
        input=f"Reviewer\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "A registration never confirmed for new.reviewer@ansm.example was removed." in (
        result.output
    )
    with app.app_context():
        reviewer = User.with_email("new.reviewer@ansm.example")
        assert reviewer.is_reviewer and reviewer.name == "Nadia Reviewer"
        # The stranger's organisation, left with nobody, went with it.
        assert not db.session.scalar(
            select(func.count())
            .select_from(Organisation)
            .where(Organisation.name == REGISTRATION["organisation_name"])
        )


def test_the_demo_command_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    assert "demo@example.org" in first.output and "DA-" in first.output
    assert first.output == second.output
    with app.app_context():
        from wizard.models import Dossier

        statuses = sorted(d.status for d in db.session.scalars(select(Dossier)))
    assert statuses == ["draft", "submitted"]


def test_the_demo_command_makes_no_account_in_production(app, monkeypatch):
    """Its password is in the README: in production it would be a way in for anyone."""
    monkeypatch.setitem(app.config, "PRODUCTION", True)
    refused = app.test_cli_runner().invoke(args=["demo"])
    assert refused.exit_code == 1 and "not in production" in refused.output
    with app.app_context():
        assert User.with_email("demo@example.org") is None
