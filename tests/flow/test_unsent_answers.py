"""A step sent once the session had ended is not saved, but what it carried is kept for the
browser that sent it: signed in again, the step's page opens filled in with it, unsaved, for
the person to check and save (`wizard.unsent`)."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from sqlalchemy import func, select

from tests.conftest import PASSWORD, make_user
from tests.flow.test_csrf import (
    TYPED,
    csrf_app,  # noqa: F401 - the fixture
    signed_in_at_step,
    token_from,
)
from wizard import clock
from wizard.extensions import db
from wizard.models import Dossier, UnsentAnswers, User

FROM_THE_PAGE = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
KEPT = (
    "It is kept in this browser for a day: once you have signed in again, the page opens "
    "with your answers filled in, for you to check and save."
)
FILLED_IN = (
    "You were signed out before these answers were saved. They are filled in as you typed "
    "them: check them, then save the step."
)


def sign_in(client, email: str, next_page: str):
    login_page = f"/login?next={next_page}"
    token = token_from(client.get(login_page).text)
    return client.post(login_page, data={"email": email, "password": PASSWORD, "csrf_token": token})


def sent_signed_out(client, step_url: str, token: str, headers=FROM_THE_PAGE):
    client.delete_cookie("session")  # four hours idle: the session has ended
    return client.post(
        step_url, data={**TYPED, "csrf_token": token, "action": "continue"}, headers=headers
    )


def typed_on(page: str) -> dict:
    return {
        name: html.unescape(value).replace("\r\n", "\n")
        for name, value in re.findall(
            r'<textarea[^>]*name="(\w+)"[^>]*>\n?(.*?)</textarea>', page, re.S
        )
    }


def owner_email(app) -> str:
    with app.app_context():
        return db.session.scalar(select(User.email).order_by(User.id.desc()))


def saved_need(app, step_url: str) -> dict | None:
    dossier_id = int(step_url.split("/")[2])
    with app.app_context():
        return db.session.get(Dossier, dossier_id).answers().get("medical-need")


def test_signed_in_again_the_step_opens_with_what_was_sent_unsaved(csrf_app):  # noqa: F811
    client, step_url, token = signed_in_at_step(csrf_app)
    refused = sent_signed_out(client, step_url, token)
    assert refused.status_code == 400
    assert KEPT in " ".join(refused.text.split())
    # Still listed, to copy: another browser, or more than a day, would not have them.
    assert html.escape(TYPED["alternatives_considered"]) in refused.text
    assert "copy what you need first: it is kept only in this one." in refused.text
    assert "it is shown here only" not in refused.text
    # The database cannot read them alone: sealed with the browser's token.
    with csrf_app.app_context():
        kept = db.session.scalar(select(UnsentAnswers))
        assert "transplant" not in kept.sealed and len(kept.token_sha256) == 64

    again = sign_in(client, owner_email(csrf_app), step_url)
    assert again.status_code == 303 and again.location.endswith(step_url)
    page = client.get(step_url).text
    assert FILLED_IN in " ".join(page.split())
    assert typed_on(page) == {**typed_on(page), **TYPED}
    assert "data-unsaved" in page  # leaving the page asks first (app.js)
    assert saved_need(csrf_app, step_url) is None  # not saved for them
    # Given back once: the next visit shows what is saved (nothing), and no row is left.
    assert FILLED_IN not in " ".join(client.get(step_url).text.split())
    with csrf_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UnsentAnswers)) == 0
    # Saved from the page filled in again, as from any page of the step (here for later:
    # the step has other questions).
    page_token = token_from(page)
    saved = client.post(step_url, data={**TYPED, "csrf_token": page_token, "action": "save_exit"})
    assert saved.status_code == 303
    assert saved_need(csrf_app, step_url) == TYPED


def test_a_form_posted_from_another_site_plants_nothing(csrf_app):  # noqa: F811
    client, step_url, token = signed_in_at_step(csrf_app)
    for headers in (
        {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://evil.example"},
        {},  # neither header: not known to come from the portal's page
    ):
        refused = sent_signed_out(client, step_url, token, headers)
        assert refused.status_code == 400 and "You were signed out" in refused.text
        assert KEPT not in " ".join(refused.text.split())
    with csrf_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UnsentAnswers)) == 0
    sign_in(client, owner_email(csrf_app), step_url)
    assert FILLED_IN not in " ".join(client.get(step_url).text.split())


def test_only_someone_the_request_belongs_to_gets_them_back(csrf_app):  # noqa: F811
    """Another organisation's account signed in in that browser opens nothing of them (the
    request is not theirs); its owner, signed in after, still does."""
    client, step_url, token = signed_in_at_step(csrf_app)
    owner = owner_email(csrf_app)
    sent_signed_out(client, step_url, token)
    with csrf_app.app_context():
        make_user("someone@else.example", organisation="Other SAS")
    sign_in(client, "someone@else.example", "/")
    assert client.get(step_url).status_code == 404
    signed_out = token_from(client.get("/account").text)
    assert client.post("/logout", data={"csrf_token": signed_out}).status_code in (302, 303)
    sign_in(client, owner, step_url)
    page = client.get(step_url).text
    assert (
        FILLED_IN in " ".join(page.split()) and typed_on(page)["unmet_need"] == TYPED["unmet_need"]
    )


def test_kept_a_day_and_only_for_the_step_they_were_sent_to(csrf_app, monkeypatch):  # noqa: F811
    client, step_url, token = signed_in_at_step(csrf_app)
    sent_signed_out(client, step_url, token)
    sign_in(client, owner_email(csrf_app), step_url)
    # Another step's page leaves them for theirs.
    other = step_url.replace("medical-need", "patient")
    assert FILLED_IN not in " ".join(client.get(other).text.split())
    later = clock.now() + timedelta(hours=25)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert FILLED_IN not in " ".join(client.get(step_url).text.split())
    with csrf_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UnsentAnswers)) == 0
