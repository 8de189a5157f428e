"""Every state-changing request needs the CSRF token, htmx ones included."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD, dossier_with, make_user
from wizard import create_app
from wizard.extensions import db
from wizard.models import User


@pytest.fixture
def csrf_app(app, tmp_path):
    # Same database as the session app, with CSRF protection switched on.
    protected = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path),
            "UPLOAD_FOLDER": tmp_path / "up",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        }
    )
    assert protected.config["WTF_CSRF_ENABLED"] is not False
    return protected


def token_from(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_posts_without_a_token_are_refused_and_with_it_accepted(csrf_app):
    client = csrf_app.test_client()
    with csrf_app.app_context():
        user = make_user()
        email = user.email
        dossier_id = dossier_with(user.id, steps=["before-you-start"], files=False)
    refused = client.post("/login", data={"email": email, "password": PASSWORD})
    assert refused.status_code == 400 and "Your form expired" in refused.text
    token = token_from(client.get("/login").text)
    signed_in = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 303

    step_url = f"/requests/{dossier_id}/steps/situation"
    assert client.post(step_url, data={"reason": "never_certified"}).status_code == 400
    for address in (f"{step_url}/validate", "/steps/situation/validate"):
        live = client.post(
            address,
            data={"reason": "x"},
            headers={"HX-Request": "true", "HX-Trigger-Name": "reason"},
        )
        assert live.status_code == 400
    assert client.post("/requests").status_code == 400
    assert client.post("/logout").status_code == 400

    page = client.get(step_url).text
    token = token_from(page)
    for address in (f"{step_url}/validate", "/steps/situation/validate"):
        live = client.post(
            address,
            data={"reason": "never_certified"},
            headers={"HX-Request": "true", "HX-Trigger-Name": "reason", "X-CSRFToken": token},
        )
        assert live.status_code == 200
    saved = client.post(step_url, data={"reason": "never_certified", "csrf_token": token})
    assert saved.status_code == 303
    with csrf_app.app_context():
        from wizard.models import Dossier

        assert db.session.get(Dossier, dossier_id).answers()["situation"] == {
            "reason": "never_certified"
        }


def signed_in_at_step(csrf_app, step_id: str = "medical-need", email: str | None = None):
    """A filer signed in on a step's page: their browser, the step's address and its token."""
    client = csrf_app.test_client()
    with csrf_app.app_context():
        user = make_user(email, organisation=email) if email else make_user()
        email = user.email
        steps = ["before-you-start", "situation", "manufacturer", "device", "access-type"]
        dossier_id = dossier_with(user.id, steps=[*steps, "patient"], files=False)
    token = token_from(client.get("/login").text)
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    step_url = f"/requests/{dossier_id}/steps/{step_id}"
    return client, step_url, token_from(client.get(step_url).text)


def live_checks(client, step_url: str, token: str):
    """The same live check sent to the address the step's page uses (the form checked alone)
    and to the request's own (used by steps whose rules read other steps)."""
    step_id = step_url.rsplit("/", 1)[1]
    return [
        client.post(
            address,
            data={"unmet_need": "x"},
            headers={"HX-Request": "true", "HX-Trigger-Name": "unmet_need", "X-CSRFToken": token},
        )
        for address in (f"/steps/{step_id}/validate", f"{step_url}/validate")
    ]


TYPED = {
    "unmet_need": "Children in end-stage heart failure,\nawaiting a transplant.",
    "alternatives_considered": "No CE-marked pump fits a child under 10 kg.",
}


def test_a_step_sent_after_the_session_ended_says_so_and_shows_what_was_typed(csrf_app):
    client, step_url, token = signed_in_at_step(csrf_app)
    client.delete_cookie("session")  # four hours idle: the session has ended
    refused = client.post(step_url, data={**TYPED, "csrf_token": token, "action": "continue"})
    assert refused.status_code == 400
    text = " ".join(refused.text.split())
    assert "You were signed out" in text
    assert "after 4 hours without activity" in text
    assert "What you sent was not saved." in text
    # What was typed, by question, to copy (pages are never kept: going back shows none).
    rows = re.findall(r'summary-list__key">([^<]+)</dt>\s*<dd[^>]*>([^<]+)</dd>', refused.text)
    assert rows == [
        ("Unmet medical need", TYPED["unmet_need"]),
        ("CE-marked alternatives considered", TYPED["alternatives_considered"]),
    ]
    assert f'href="/login?next={step_url}"' in refused.text
    # A live check says it too (app.js reads the header).
    assert all(
        live.headers["X-Signed-Out"] == "true" for live in live_checks(client, step_url, token)
    )
    # Signing in again from there leads back to the step.
    login_page = f"/login?next={step_url}"
    token = token_from(client.get(login_page).text)
    with csrf_app.app_context():
        email = db.session.scalar(db.select(User.email).order_by(User.id.desc()))
    again = client.post(
        login_page, data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert again.status_code == 303 and again.location.endswith(step_url)


def test_a_form_sent_with_a_token_from_another_session_says_it_expired(csrf_app):
    """Still signed in (in another tab, since): not signed out, the form's page is old."""
    client, step_url, token = signed_in_at_step(csrf_app)
    other = csrf_app.test_client()
    stale = token_from(other.get("/login").text)  # a token of another session
    refused = client.post(step_url, data={**TYPED, "csrf_token": stale})
    assert refused.status_code == 400
    assert "Your form expired" in refused.text and "You were signed out" not in refused.text
    assert "or was started again (signing in, in another tab)" in " ".join(refused.text.split())
    assert TYPED["alternatives_considered"] in refused.text
    assert "X-Signed-Out" not in refused.headers
    # Signed in: the way back is the page the form was on, not the portal's start page,
    # with its query (a step changed from the summary goes back to it once saved).
    assert f'<a class="button" href="{step_url}">Open the form again</a>' in refused.text
    from_summary = client.post(f"{step_url}?return_to=check", data={**TYPED, "csrf_token": stale})
    assert (
        f'<a class="button" href="{step_url}?return_to=check">Open the form again</a>'
        in from_summary.text
    )


def test_a_token_taken_once_is_still_taken_only_from_its_session_and_its_own_site(csrf_app):
    """A token's signature is checked once per server process (`wizard.csrf`): what else
    is checked at every request still is. Another session's token, good there a moment ago,
    is refused here; over HTTPS, a form sent from another site (its Referer) is refused even
    with the person's own token."""
    client, step_url, token = signed_in_at_step(csrf_app)
    other, other_url, other_token = signed_in_at_step(csrf_app, email="ines@orthomed.example")
    assert [r.status_code for r in live_checks(client, step_url, token)] == [200, 200]
    assert [r.status_code for r in live_checks(other, other_url, other_token)] == [200, 200]
    assert [r.status_code for r in live_checks(client, step_url, other_token)] == [400, 400]
    assert [r.status_code for r in live_checks(client, step_url, token + "x")] == [400, 400]

    secure = {"base_url": "https://localhost"}
    sent = {"data": {**TYPED, "csrf_token": token}, **secure}
    foreign = client.post(step_url, headers={"Referer": "https://elsewhere.example/"}, **sent)
    assert foreign.status_code == 400
    unsaid = client.post(step_url, **sent)  # no Referer at all
    assert unsaid.status_code == 400
    own = client.post(step_url, headers={"Referer": f"https://localhost{step_url}"}, **sent)
    # Taken: the step's own questions answer (two of its answers are missing).
    assert own.status_code == 422 and "Your form expired" not in own.text


def test_behind_a_proxy_passing_its_own_host_the_portals_pages_are_its_own_site(
    csrf_app, monkeypatch
):
    """nginx passes on the address it reaches the app by (`proxy_pass`), not the one the
    browser asked for: a form sent from the portal's public address (`PUBLIC_BASE_URL`) is
    taken, one from another site still refused."""
    monkeypatch.setitem(csrf_app.config, "PUBLIC_BASE_URL", "https://derogations.example")
    client, step_url, token = signed_in_at_step(csrf_app)
    sent = {"data": {**TYPED, "csrf_token": token}, "base_url": "https://localhost:5413"}
    public = client.post(
        step_url, headers={"Referer": f"https://derogations.example{step_url}"}, **sent
    )
    assert public.status_code == 422 and "Your form expired" not in public.text
    for foreign in ("https://elsewhere.example/", "https://derogations.example.evil.test/"):
        assert client.post(step_url, headers={"Referer": foreign}, **sent).status_code == 400


def test_signed_out_in_another_tab_a_step_sent_says_so_with_what_was_typed(csrf_app):
    client, step_url, token = signed_in_at_step(csrf_app)
    other_tab = token_from(client.get("/account").text)
    assert client.post("/logout", data={"csrf_token": other_tab}).status_code in (302, 303)
    refused = client.post(step_url, data={**TYPED, "csrf_token": token, "action": "continue"})
    assert refused.status_code == 401
    assert "You were signed out" in refused.text
    assert TYPED["alternatives_considered"] in refused.text
    assert f'href="/login?next={step_url}"' in refused.text
    for live in live_checks(client, step_url, token):
        assert live.status_code == 401 and live.headers["X-Signed-Out"] == "true"


def test_a_removal_sent_signed_out_leads_back_to_the_step_it_was_sent_from(csrf_app):
    client, step_url, token = signed_in_at_step(csrf_app, "clinical-evidence")
    client.delete_cookie("session")
    dossier_path = step_url.split("/steps/")[0]
    refused = client.post(
        f"{dossier_path}/documents/1/delete",
        data={"efficacy_summary": "Twelve patients.", "csrf_token": token},
        headers={"Referer": f"http://localhost{step_url}"},
    )
    assert refused.status_code == 400 and "You were signed out" in refused.text
    assert f'href="/login?next={step_url}"' in refused.text  # the page, not the removal
    assert "Twelve patients." in refused.text  # the evidence step's summary, to copy


def test_sign_out_from_a_tab_older_than_the_session_signs_out(csrf_app):
    """ "Sign out" pressed in a tab opened before the session was started again (signed in
    again elsewhere) carries a token of the old session: the person asked to sign out, from
    a page of the portal (the browser says so), and is signed out. From another site (a
    page forcing people out), or unsaid, the token is asked for as on any form."""
    client, step_url, old_token = signed_in_at_step(csrf_app)
    # The session started again in another tab: signed out, then in again.
    with csrf_app.app_context():
        email = db.session.scalar(db.select(User.email).order_by(User.id.desc()))
    assert client.post("/logout", data={"csrf_token": old_token}).status_code == 303
    fresh = token_from(client.get("/login").text)
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": fresh})
    assert client.get(step_url).status_code == 200
    for refused in ({}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
        answer = client.post("/logout", data={"csrf_token": old_token}, headers=refused)
        assert answer.status_code == 400, refused
        assert client.get(step_url).status_code == 200  # still signed in
    signed_out = client.post(
        "/logout", data={"csrf_token": old_token}, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert signed_out.status_code == 303 and signed_out.location.endswith("/login")
    assert "You are signed out" in client.get("/login").text
    assert client.get(step_url).status_code in (302, 303, 401)
    # Pressed again, once signed out, with the same old token: said so, not "expired".
    again = client.post(
        "/logout", data={"csrf_token": old_token}, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert again.status_code == 303 and again.location.endswith("/login")


def test_another_sites_form_writes_no_session_over_the_persons_own(csrf_app):
    """A form on another site posting to the portal comes without the person's cookie
    (SameSite=Lax): whatever the portal answers, it sets no session cookie, which would
    replace theirs and sign them out from afar."""
    stranger = csrf_app.test_client()  # the cookie is kept back: none is sent
    for path in ("/logout", "/login", "/requests"):
        answer = stranger.post(path, headers={"Sec-Fetch-Site": "cross-site"})
        assert answer.status_code in (400, 401, 403), path
        assert "Set-Cookie" not in answer.headers, path
    # From the portal's own page, a first visit's form still gets its session.
    own = stranger.post("/login", headers={"Sec-Fetch-Site": "same-origin"})
    assert "Set-Cookie" in own.headers


def test_a_withdrawal_sent_with_an_expired_form_shows_its_reason_to_copy(csrf_app):
    """The reason for withdrawing a filed request, as the answers to ANSM are: typed at
    length, and not kept by the request's page opened again."""
    client = csrf_app.test_client()
    with csrf_app.app_context():
        user = make_user()
        email, dossier_id = user.email, dossier_with(user.id, submit=True)
    token = token_from(client.get("/login").text)
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    stale = token_from(csrf_app.test_client().get("/login").text)  # another session's
    reason = "The patient was transferred to another hospital."
    refused = client.post(
        f"/requests/{dossier_id}/withdraw", data={"withdraw-reason": reason, "csrf_token": stale}
    )
    assert refused.status_code == 400 and "Your form expired" in refused.text
    assert reason in refused.text
