"""A step sent once the session had ended is not saved, but what it carried is kept for the
browser that sent it: signed in again, the same person finds the step's page filled in with
it, unsaved, to check and save (`wizard.unsent`)."""

from __future__ import annotations

import html
import re
import time
from datetime import timedelta

from sqlalchemy import func, select

from tests.conftest import PASSWORD, make_colleague
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
    "It is kept in this browser for 24 hours: once you have signed in again, the page opens "
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


def sign_out(client):
    token = token_from(client.get("/account").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303


def five_hours_later(monkeypatch):
    """The session's cookie, signed five hours ago: it has ended (four hours idle)."""
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 5 * 3600)


def sent_signed_out(client, step_url: str, token: str, headers=FROM_THE_PAGE, data=TYPED):
    return client.post(
        step_url, data={**data, "csrf_token": token, "action": "continue"}, headers=headers
    )


def typed_on(page: str) -> dict:
    return {
        name: html.unescape(value).replace("\r\n", "\n")
        for name, value in re.findall(
            r'<textarea[^>]*name="(\w+)"[^>]*>\n?(.*?)</textarea>', page, re.S
        )
    }


def filled_in(page: str) -> bool:
    return FILLED_IN in " ".join(page.split())


def owner(app) -> User:
    with app.app_context():
        return db.session.scalar(select(User).order_by(User.id.desc()))


def rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(UnsentAnswers))


def saved_need(app, step_url: str) -> dict | None:
    dossier_id = int(step_url.split("/")[2])
    with app.app_context():
        return db.session.get(Dossier, dossier_id).answers().get("medical-need")


def test_signed_in_again_the_step_opens_with_what_was_sent_unsaved(csrf_app, monkeypatch):  # noqa: F811
    client, step_url, token = signed_in_at_step(csrf_app)
    five_hours_later(monkeypatch)
    refused = sent_signed_out(client, step_url, token)
    assert refused.status_code == 400
    assert KEPT in " ".join(refused.text.split())
    # Still listed, to copy: another browser, or more than a day, would not have them.
    assert html.escape(TYPED["alternatives_considered"]) in refused.text
    assert "copy what you need first: it is kept only in this one." in refused.text
    # The database cannot read them alone: sealed with the browser's token.
    with csrf_app.app_context():
        kept = db.session.scalar(select(UnsentAnswers))
        assert "transplant" not in kept.sealed and len(kept.token_sha256) == 64
    again = sign_in(client, owner(csrf_app).email, step_url)
    assert again.status_code == 303 and again.location.endswith(step_url)
    page = client.get(step_url).text
    assert filled_in(page)
    assert typed_on(page) == {**typed_on(page), **TYPED}
    assert "data-unsaved" in page  # leaving the page asks first (app.js)
    assert saved_need(csrf_app, step_url) is None  # not saved for them
    # Given back once: the next visit shows what is saved (nothing), and no row is left.
    assert not filled_in(client.get(step_url).text)
    assert rows(csrf_app) == 0
    # Saved from the page filled in again, as from any page of the step (here for later:
    # the step has other questions).
    saved = client.post(
        step_url, data={**TYPED, "csrf_token": token_from(page), "action": "save_exit"}
    )
    assert saved.status_code == 303
    assert saved_need(csrf_app, step_url) == TYPED


def test_pages_opened_after_the_session_ended_do_not_lose_whose_it_was(csrf_app, monkeypatch):  # noqa: F811
    """Once the session has ended, any page opened (a live check, another tab: the login page
    it leads to) writes a new session: it remembers whose ended, so that the step sent after
    is still kept for that person, in the language the pages were in."""
    client, step_url, token = signed_in_at_step(csrf_app)
    client.get("/language/fr?next=/dashboard")
    five_hours_later(monkeypatch)
    assert client.get("/dashboard").location.startswith("/login")  # another tab
    login_page = client.get("/login")
    assert 'lang="fr"' in login_page.text  # the new session kept the page's language
    refused = sent_signed_out(client, step_url, token)
    assert refused.status_code == 400
    assert "conservé dans ce navigateur pendant 24 heures" in " ".join(refused.text.split())
    assert sign_in(client, owner(csrf_app).email, step_url).status_code == 303
    assert typed_on(client.get(step_url).text).items() >= TYPED.items()


def test_a_step_sent_from_before_signing_in_again_elsewhere_opens_filled_in(  # noqa: F811
    csrf_app,  # noqa: F811
    monkeypatch,
):
    """The page left open overnight, the person signed in again in another tab (a new
    session, a new token): the step sent from the old page is refused for its old token, but
    kept for the same person, whose page opens again filled in with it, not saved."""
    client, step_url, old_token = signed_in_at_step(csrf_app)
    person = owner(csrf_app)
    opened_by = re.search(r'name="opened_by" value="(\d+)"', client.get(step_url).text).group(1)
    assert opened_by == str(person.id)
    with csrf_app.app_context():
        colleague = make_colleague(person.id, "marc@cardiotech.example").email
    five_hours_later(monkeypatch)
    # A colleague signed in next in this browser: what the page opened before sends is not
    # kept for them (nobody finds someone else's typing as their own).
    assert sign_in(client, colleague, "/dashboard").status_code == 303
    theirs = sent_signed_out(client, step_url, old_token, data={**TYPED, "opened_by": opened_by})
    assert theirs.status_code == 400
    assert "it opens with your answers filled in" not in " ".join(theirs.text.split())
    assert rows(csrf_app) == 0
    sign_out(client)
    # The person themselves signed in again: kept, and given back.
    assert sign_in(client, person.email, "/dashboard").status_code == 303
    refused = sent_signed_out(client, step_url, old_token, data={**TYPED, "opened_by": opened_by})
    assert refused.status_code == 400
    page = " ".join(refused.text.split())
    assert "Your form expired" in page
    assert "open the page again, and it opens with your answers filled in" in page
    again = client.get(step_url).text
    assert filled_in(again)
    assert typed_on(again).items() >= TYPED.items()
    assert saved_need(csrf_app, step_url) is None


def test_nothing_is_kept_that_was_not_the_persons_typing_on_the_portal(csrf_app, monkeypatch):  # noqa: F811
    """Another site's form; a blank form; a form sent signed out in another tab (its cookie
    names no account): listed to copy at most, never kept."""
    client, step_url, token = signed_in_at_step(csrf_app)
    sign_out(client)  # in another tab
    signed_out_here = sent_signed_out(client, step_url, token)
    assert "You were signed out" in signed_out_here.text
    assert KEPT not in " ".join(signed_out_here.text.split())
    client, step_url, token = signed_in_at_step(csrf_app, email="other@cardiotech.example")
    five_hours_later(monkeypatch)
    for headers in (
        {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://evil.example"},
        {},  # neither header: not known to come from the portal's page
    ):
        refused = sent_signed_out(client, step_url, token, headers)
        assert refused.status_code == 400 and "You were signed out" in refused.text
        assert KEPT not in " ".join(refused.text.split())
    blank = sent_signed_out(client, step_url, token, data={"unmet_need": " "})
    assert KEPT not in " ".join(blank.text.split())
    assert rows(csrf_app) == 0


def test_only_the_person_whose_session_ended_gets_them_back(csrf_app, monkeypatch):  # noqa: F811
    """A colleague signed in next in that browser opens the step as saved; the person, signed
    in after, finds their answers; signing out forgets them."""
    client, step_url, token = signed_in_at_step(csrf_app)
    person = owner(csrf_app)
    with csrf_app.app_context():
        colleague = make_colleague(person.id, "marc@cardiotech.example").email
    five_hours_later(monkeypatch)
    sent_signed_out(client, step_url, token)
    sign_in(client, colleague, step_url)
    assert not filled_in(client.get(step_url).text)
    sign_out(client)
    assert rows(csrf_app) == 0  # signing out, this browser keeps nothing for anyone
    sent_signed_out(client, step_url, token_from(client.get("/login").text))
    assert rows(csrf_app) == 0  # (and this session named nobody)


def test_kept_24_hours_and_only_for_the_step_they_were_sent_to(csrf_app, monkeypatch):  # noqa: F811
    client, step_url, token = signed_in_at_step(csrf_app)
    five_hours_later(monkeypatch)
    sent_signed_out(client, step_url, token)
    sign_in(client, owner(csrf_app).email, step_url)
    # Another step's page leaves them for theirs.
    assert not filled_in(client.get(step_url.replace("medical-need", "patient")).text)
    assert rows(csrf_app) == 1
    later = clock.now() + timedelta(hours=25)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert not filled_in(client.get(step_url).text)
    assert rows(csrf_app) == 0


def test_the_evidence_summaries_sent_with_a_file_are_kept_too(csrf_app, monkeypatch):  # noqa: F811
    """On the evidence step "Upload the document" and "Remove" send its summaries along (one
    form): sent once signed out, they come back as "Save and continue" would have them."""
    client, step_url, token = signed_in_at_step(csrf_app, "clinical-evidence")
    dossier_id = step_url.split("/")[2]
    summaries = {"efficacy_summary": "Twelve patients at Necker, 2025: all alive."}
    five_hours_later(monkeypatch)
    refused = client.post(
        f"/requests/{dossier_id}/documents",
        data={**summaries, "csrf_token": token, "document-kind": "clinical_evaluation"},
        headers=FROM_THE_PAGE,
    )
    assert refused.status_code == 400
    assert KEPT in " ".join(refused.text.split())
    again = sign_in(client, owner(csrf_app).email, step_url)
    assert again.status_code == 303
    page = client.get(step_url).text
    assert filled_in(page)
    assert typed_on(page)["efficacy_summary"] == summaries["efficacy_summary"]


def test_one_account_keeps_its_latest_answers_only(csrf_app, monkeypatch):  # noqa: F811
    """Forms sent again and again with one ended session's cookie (each without the
    browser's own cookie, to another request's address) keep that account's latest 50 only:
    they cannot fill what the portal keeps for everyone."""
    from wizard.unsent import COOKIE, MAX_ROWS_PER_ACCOUNT

    client, step_url, token = signed_in_at_step(csrf_app)
    ended = client.get_cookie("session").value
    five_hours_later(monkeypatch)
    dossier_id = int(step_url.split("/")[2])

    def sent_again(address: str):
        client.delete_cookie(COOKIE)
        client.set_cookie("session", ended)
        return sent_signed_out(client, address, token)

    for n in range(MAX_ROWS_PER_ACCOUNT + 5):
        sent_again(step_url.replace(f"/{dossier_id}/", f"/{dossier_id + 1000 + n}/"))
    assert rows(csrf_app) == MAX_ROWS_PER_ACCOUNT
    # The last one sent is among them: given back on that request's step once signed in.
    assert KEPT in " ".join(sent_again(step_url).text.split())
    assert rows(csrf_app) == MAX_ROWS_PER_ACCOUNT
    monkeypatch.undo()
    sign_in(client, owner(csrf_app).email, step_url)
    assert filled_in(client.get(step_url).text)


def test_signed_in_from_the_sign_in_page_the_dashboard_says_where_answers_wait(
    csrf_app,  # noqa: F811
    monkeypatch,
):
    """Signed in again without the link that leads back to the step: the list of requests
    says which page holds answers kept for this browser; opened, it gives them back."""
    client, step_url, token = signed_in_at_step(csrf_app)
    five_hours_later(monkeypatch)
    assert sent_signed_out(client, step_url, token).status_code == 400
    assert sign_in(client, owner(csrf_app).email, "/dashboard").status_code == 303
    page = " ".join(html.unescape(client.get("/dashboard").text).split())
    assert "Answers not saved yet" in page
    assert f'<a href="{step_url}">Medical need, request for ' in page
    assert typed_on(client.get(step_url).text).items() >= TYPED.items()
    assert "Answers not saved yet" not in client.get("/dashboard").text  # given back once
