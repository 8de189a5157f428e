"""A link from an email opened in a browser signed in to another account: the request's page
is not found for it (nobody learns whether another organisation's request exists), and the
page says who is signed in, with a way to sign out and open the link with the right account."""

from __future__ import annotations

import html

from tests.conftest import PASSWORD, dossier_with, login, make_user


def test_a_request_link_opened_signed_in_as_another_account_offers_to_switch(app, user):
    with app.app_context():
        dossier_id = dossier_with(user[0], "individual", submit=True)
        make_user("eve@rival.example", "Rival")
    browser = app.test_client()
    assert login(browser, "eve@rival.example").status_code == 303
    link = f"/requests/{dossier_id}/submitted"

    page = browser.get(link)
    said = " ".join(html.unescape(page.text).split())
    assert page.status_code == 404 and "Page not found" in said
    assert "You are signed in as eve@rival.example." in said
    assert f'<input type="hidden" name="next" value="{link}">' in page.text
    # A request that does not exist reads the same: nothing is revealed.
    missing = " ".join(html.unescape(browser.get("/requests/999999/submitted").text).split())
    assert "You are signed in as eve@rival.example." in missing

    signed_out = browser.post("/logout", data={"next": link})
    assert signed_out.status_code == 303
    assert signed_out.headers["Location"] == f"/login?next={link}"
    signed_in = browser.post(
        signed_out.headers["Location"], data={"email": user[1], "password": PASSWORD}
    )
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == link
    assert browser.get(link).status_code == 200
    # Never a way off the site.
    away = browser.post("/logout", data={"next": "https://evil.example/"})
    assert away.headers["Location"] == "/login"


def test_a_page_not_found_signed_out_or_not_a_requests_says_nothing_of_accounts(app, user):
    browser = app.test_client()
    assert "You are signed in" not in browser.get("/requests/1/submitted").text
    assert login(browser, user[1]).status_code == 303
    assert "You are signed in" not in browser.get("/no-such-page").text


def test_a_page_of_ones_own_request_not_found_leads_to_the_request(app, user, logged_in):
    """A step's name mistyped in the address of one's own request: no talk of another
    account (it is the right one), the way to the request instead."""
    with app.app_context():
        draft = dossier_with(user[0], steps=["before-you-start"], files=False)
        filed = dossier_with(user[0], "individual", submit=True)
    page = logged_in.get(f"/requests/{draft}/steps/path-to-certification")
    said = " ".join(html.unescape(page.text).split())
    assert page.status_code == 404 and "Page not found" in said
    assert "You are signed in as" not in said
    assert "The request is yours, but this address is not one of its pages." in said
    assert f'<a class="button" href="/requests/{draft}">Continue the request</a>' in page.text
    page = logged_in.get(f"/requests/{filed}/steps/bogus")
    assert page.status_code == 404 and "You are signed in as" not in page.text
    assert f'href="/requests/{filed}/submitted">See request DA-' in page.text
