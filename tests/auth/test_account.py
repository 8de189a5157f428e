"""A signed-in manufacturer changes their name and the manufacturer's, a reviewer only reads
theirs (the administrators change it); anyone changes their password, and a new one ends every
other session of the account."""

from __future__ import annotations

import html

from sqlalchemy import select

from tests.conftest import PASSWORD, login, make_user
from tests.invites.support import body_of
from wizard.extensions import db
from wizard.models import Role, User

NEW_PASSWORD = "orange kettle under seven bridges"


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(
        "/account/password",
        data={
            "password-current": current,
            "password-password": new,
            "password-confirmation": new if again is None else again,
        },
    )


def test_the_account_page_changes_the_names_and_keeps_what_was_typed_when_wrong(
    app, logged_in, user
):
    page = logged_in.get("/account").text
    assert "Your account" in page and user[1] in page
    assert 'value="Claire Martin"' in page and 'value="Cardiotech"' in page
    assert 'href="/account"' in logged_in.get("/dashboard").text  # in the header
    empty = logged_in.post(
        "/account/details", data={"details-name": "", "details-organisation_name": "Cardio SAS"}
    )
    assert empty.status_code == 422 and "Enter your full name." in empty.text
    assert 'value="Cardio SAS"' in empty.text and 'href="#details-name"' in empty.text
    # The address a refused form leaves in the browser, opened again, is the account page.
    for address, anchor in (("/account/details", ""), ("/account/password", "#password-title")):
        reopened = logged_in.get(address)
        assert reopened.status_code == 303 and reopened.location == "/account" + anchor
    saved = logged_in.post(
        "/account/details",
        data={"details-name": "Claire Martin-Roux", "details-organisation_name": "Cardio SAS"},
    )
    assert saved.status_code == 303 and saved.location == "/account"
    assert "Your details are saved." in logged_in.get("/account").text
    with app.app_context():
        account = db.session.get(User, user[0])
        assert account.name == "Claire Martin-Roux" and account.organisation.name == "Cardio SAS"
    assert "Cardio SAS" in logged_in.get("/dashboard").text


def test_a_reviewer_reads_their_name_and_job_title_and_cannot_change_them(app, client):
    with app.app_context():
        make_user("reviewer@ansm.example", role=Role.REVIEWER)
    login(client, "reviewer@ansm.example")
    page = client.get("/account").text
    # The decisions they sign state both: shown as text, with who changes them, not inputs.
    assert "Name, stated on the decisions you sign" in page and "Claire Martin" in page
    assert "Head of the medical devices division" in page
    assert "only the portal's administrators change them" in page
    assert 'name="details-' not in page and "Save my details" not in page
    # Sent anyway (a page kept from before, a hand-made request): refused, saying so.
    refused = client.post(
        "/account/details",
        data={
            "details-name": "Pr Jean Dupont, Directeur général de l'ANSM",
            "details-job_title": "Director General",
            "details-organisation_name": "Sneaky SAS",
        },
    )
    assert refused.status_code == 422
    assert "Error: Your account" in refused.text and 'href="#details-title"' in refused.text
    assert "Your name is not changed: the decisions you sign state it" in refused.text
    assert "Pr Jean Dupont" not in refused.text and "Claire Martin" in refused.text
    with app.app_context():
        reviewer = db.session.scalar(select(User).where(User.role == Role.REVIEWER))
        assert reviewer.name == "Claire Martin" and reviewer.organisation is None
        assert reviewer.job_title == "Head of the medical devices division"


def test_a_manufacturer_still_changes_their_own_name(app, logged_in, user):
    page = logged_in.get("/account").text
    assert 'name="details-name"' in page and "Save my details" in page
    assert "stated on the decisions you sign" not in page
    saved = logged_in.post(
        "/account/details",
        data={"details-name": "Claire Martin-Roux", "details-organisation_name": "Cardiotech"},
    )
    assert saved.status_code == 303
    with app.app_context():
        assert db.session.get(User, user[0]).name == "Claire Martin-Roux"


def test_the_administrators_record_a_reviewers_name(app, client):
    with app.app_context():
        make_user("reviewer@ansm.example", role=Role.REVIEWER)
        make_user("maker@cardiotech.example")
    runner = app.test_cli_runner()
    done = runner.invoke(args=["set-reviewer-name", "Reviewer@ANSM.example", "  Claire  Roux "])
    assert done.exit_code == 0, done.output
    assert "Claire Martin -> Claire Roux" in done.output
    for args in (
        ["maker@cardiotech.example", "Pr Jean Dupont"],  # not a reviewer
        ["nobody@ansm.example", "Pr Jean Dupont"],
        ["reviewer@ansm.example", " "],
        ["reviewer@ansm.example", "x" * 201],
    ):
        assert runner.invoke(args=["set-reviewer-name", *args]).exit_code != 0
    with app.app_context():
        names = dict(db.session.execute(select(User.email, User.name)).all())
        assert names == {
            "reviewer@ansm.example": "Claire Roux",
            "maker@cardiotech.example": "Claire Martin",
        }
    login(client, "reviewer@ansm.example")
    assert "Claire Roux" in client.get("/account").text


def test_the_administrators_record_a_reviewers_job_title(app, client):
    with app.app_context():
        make_user("reviewer@ansm.example", role=Role.REVIEWER)
        make_user("maker@cardiotech.example")
    runner = app.test_cli_runner()
    done = runner.invoke(
        args=["set-reviewer-title", "Reviewer@ANSM.example", "  Deputy director,  devices "]
    )
    assert done.exit_code == 0, done.output
    assert "Head of the medical devices division -> Deputy director, devices" in done.output
    for args in (
        ["maker@cardiotech.example", "Director"],  # not a reviewer
        ["reviewer@ansm.example", " "],
        ["reviewer@ansm.example", "x" * 201],
    ):
        assert runner.invoke(args=["set-reviewer-title", *args]).exit_code != 0
    login(client, "reviewer@ansm.example")
    assert "Deputy director, devices" in client.get("/account").text


def test_a_manufacturer_has_no_job_title_to_state(app, logged_in):
    assert "Job title" not in logged_in.get("/account").text


def test_a_new_password_needs_the_current_one_and_ends_the_other_sessions(
    app, logged_in, user, inbox
):
    other_browser = app.test_client()
    login(other_browser, user[1])
    wrong = change_password(logged_in, current="not my password at all")
    assert wrong.status_code == 422 and "This is not your current password." in wrong.text
    empty = change_password(logged_in, new="", again="")
    assert empty.status_code == 422 and "Enter a new password." in empty.text
    assert "Create a password." not in empty.text  # (registration's words)
    weak = change_password(logged_in, new="short")
    assert weak.status_code == 422 and "at least 12 characters" in weak.text
    company = change_password(logged_in, new="cardiotech-2026-spring")
    assert company.status_code == 422
    assert "must not contain your organisation&#39;s name, “Cardiotech”" in company.text
    typo = change_password(logged_in, again=NEW_PASSWORD + "!")
    assert typo.status_code == 422 and "The two passwords are not the same." in typo.text
    same = change_password(logged_in, new=PASSWORD)  # would sign out the others for nothing
    assert same.status_code == 422
    assert "Choose a new password different from your current one." in same.text
    assert login(app.test_client(), user[1], PASSWORD).status_code == 303  # unchanged so far

    changed = change_password(logged_in)
    assert changed.status_code == 303 and changed.location == "/account"
    assert "Your password is changed." in logged_in.get("/account").text  # still signed in
    assert other_browser.get("/dashboard").status_code == 302  # signed out
    assert login(app.test_client(), user[1], PASSWORD).status_code == 422
    assert login(app.test_client(), user[1], NEW_PASSWORD).status_code == 303
    # Its owner is told, in case it was not them.
    [notice] = inbox.to(user[1])
    assert "password for the ANSM derogation portal was changed" in notice["Subject"]
    assert "http://localhost/password/forgot" in body_of(notice)


def test_the_account_pages_need_a_session(client):
    assert client.get("/account").status_code == 302
    # A form sent without a session is refused saying so, not sent to the sign-in page.
    refused = client.post("/account/details", data={"details-name": "X"})
    assert refused.status_code == 401 and "You were signed out" in refused.text
    assert change_password(client).status_code == 401


def test_the_account_pages_two_password_fields_are_named_apart(logged_in):
    """A list of the page's fields (a screen reader's) tells the address form's password
    from the password form's current one."""
    page = logged_in.get("/account").text
    assert '<label class="label" for="email-current">Your password, to confirm</label>' in page
    assert '<label class="label" for="password-current">Current password</label>' in page


def test_the_administrators_remove_a_reviewer_who_has_left(app, client):
    """Removed: their session ends, they cannot sign in, they are offered no more requests,
    and the requests they still handle are listed to give to a colleague."""
    from tests.conftest import dossier_with
    from wizard.models import Dossier

    with app.app_context():
        leaving = make_user("leaving@ansm.example", role=Role.REVIEWER)
        make_user("staying@ansm.example", role=Role.REVIEWER)
        maker = make_user("maker@cardiotech.example")
        dossier_id = dossier_with(maker.id, "global", submit=True)
        dossier = db.session.get(Dossier, dossier_id)
        dossier.assigned_to_id = leaving.id
        reference = dossier.reference
        db.session.commit()
    login(client, "leaving@ansm.example")
    assert client.get("/review").status_code == 200
    runner = app.test_cli_runner()
    done = runner.invoke(args=["remove-reviewer", "Leaving@ANSM.example"])
    assert done.exit_code == 0, done.output
    assert "leaving@ansm.example can no longer sign in." in done.output
    assert f"Still handled by them, to give to a colleague from the queue: {reference}." in (
        done.output
    )
    ended = client.get("/review")  # their session ended, and they are told why
    assert ended.status_code == 401
    closed = "This reviewer account has been closed by the portal's administrators"
    assert closed in html.unescape(ended.text)
    refused = login(client, "leaving@ansm.example")
    assert refused.status_code != 303 and closed in html.unescape(refused.text)
    login(client, "staying@ansm.example")
    queue = client.get(f"/review/requests/{dossier_id}").text
    assert "can no longer sign in" in queue  # the request's handler has left, it says
    again = runner.invoke(args=["remove-reviewer", "leaving@ansm.example"])
    assert again.exit_code != 0 and "was already removed" in again.output
    assert runner.invoke(args=["remove-reviewer", "maker@cardiotech.example"]).exit_code != 0

    # Back (removed by mistake): their address is theirs still, and they sign in again.
    made_again = runner.invoke(
        args=["create-reviewer", "leaving@ansm.example", "Leaving", "--title", "Inspector"],
        input="correct horse battery staple\n" * 2,
    )
    assert made_again.exit_code != 0
    assert "`flask reinstate-reviewer leaving@ansm.example`" in made_again.output
    back = runner.invoke(args=["reinstate-reviewer", "leaving@ansm.example"])
    assert back.exit_code == 0, back.output
    assert "leaving@ansm.example can sign in again" in back.output
    assert login(client, "leaving@ansm.example").status_code in (302, 303)
    assert client.get("/review").status_code == 200
    twice = runner.invoke(args=["reinstate-reviewer", "leaving@ansm.example"])
    assert twice.exit_code != 0 and "was not removed" in twice.output
