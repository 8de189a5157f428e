"""A form that makes something (an account, an invitation, a link by email) is sent once,
however many clicks: a second registration would replace the first and kill the link it
emailed, a second "Join" would find its link used."""

from __future__ import annotations

from tests.browser.conftest import assert_accessible


def test_a_second_click_on_create_the_account_sends_no_second_registration(page):
    sent = []
    page.on("request", lambda r: r.method == "POST" and sent.append(r.url))
    page.goto("/register")
    assert_accessible(page, "register")
    page.fill("#organisation_name", "Double Click SAS")
    page.fill("#name", "Dana Click")
    page.fill("#email", "dana@double-click.example")
    page.fill("#password", "a long and unusual passphrase 42")
    # A slow connection: the second click comes while the first send is on its way.
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 600, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    button = page.locator("main button[type=submit]")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    x, y = box["x"] + 5, box["y"] + 5
    page.mouse.click(x, y)
    page.wait_for_timeout(150)
    page.mouse.click(x, y)
    page.wait_for_url("**/register/sent")
    assert len(sent) == 1, sent
