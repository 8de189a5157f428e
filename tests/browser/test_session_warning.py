"""Before the session ends without activity, a signed-in page asks whether to stay signed in
(WCAG 2.2.1, timing adjustable): a dialog takes the focus five minutes before; staying gives
the whole time again and puts the focus back; left unanswered, the page says that what it
holds can no longer be saved.

The page's clock is moved on (Playwright's), and the server's answers to the page's
questions (HEAD /session/alive, which is no activity) are given by that clock: a browser test
cannot move the server's. Staying signed in asks the real server (GET)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import filer, sign_in  # noqa: F401 (a fixture)

MINUTE = 60 * 1000


class ServerClock:
    """The session as the server would count it, on the page's clock: it ends `idle` after
    the last activity (the page opened, "Stay signed in", or another tab)."""

    def __init__(self, idle_minutes: int):
        self.idle, self.now, self.active_at = idle_minutes * MINUTE, 0, 0

    def run_for(self, page, milliseconds: int) -> None:
        self.now += milliseconds
        page.clock.run_for(milliseconds)

    def sleep(self, page, milliseconds: int) -> None:
        """The computer asleep: the clocks move on, the page's timers do not run meanwhile."""
        self.now += milliseconds
        page.clock.fast_forward(milliseconds)

    def answer(self, route) -> None:
        if route.request.method != "HEAD":  # staying signed in: the real server
            self.active_at = self.now
            route.continue_()
            return
        left = (self.active_at + self.idle - self.now) // 1000
        headers = {"X-Session-Seconds-Left": str(left)} if left > 0 else {"X-Signed-Out": "true"}
        route.fulfill(status=204, headers=headers)


def on_a_step_page(page, draft: int, live_app) -> ServerClock:
    """Signed in on a step of `draft`, the page's clock installed and its questions to the
    server answered by the session as the server would count it."""
    server = ServerClock(live_app.config["SESSION_IDLE_MINUTES"])
    page.clock.install()
    sign_in(page)
    page.goto(f"/requests/{draft}/steps/manufacturer")
    page.route("**/session/alive", server.answer)
    return server


def test_the_page_warns_before_the_session_ends_and_staying_signed_in_keeps_it(
    page,
    filer,  # noqa: F811 (the fixture imported above)
    live_app,
):
    server = on_a_step_page(page, filer[0], live_app)
    page.focus("#legal_name")
    # Changed: its live check runs as the dialog takes the focus. Typing is activity: the
    # page says so (GET /session/alive), answered before its clock moves on.
    with page.expect_response(lambda answer: answer.request.method == "GET"):
        page.keyboard.type(" SAS")
    dialog = page.locator("#session-ending")

    server.run_for(page, server.idle - 6 * MINUTE)  # six minutes left: nothing yet
    expect(dialog).to_be_hidden()
    page.evaluate(
        "() => document.addEventListener('htmx:afterSettle', () => { window.checked = true; })"
    )
    server.run_for(page, MINUTE)  # five left: asked
    expect(dialog).to_be_visible()
    page.wait_for_function("() => window.checked === true")  # the question drawn again
    # The dialog itself has the focus: read from its title, its text in sight at any zoom.
    assert page.evaluate("() => document.activeElement.id") == "session-ending"
    assert "you will be signed out in 5 minutes" in dialog.inner_text()
    assert_accessible(page, "session-ending")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.matches('[data-stay-signed-in]')")
    with page.expect_response(lambda answer: answer.request.method == "GET"):
        page.keyboard.press("Enter")  # "Stay signed in"
    expect(dialog).to_be_hidden()
    # Back where it was, in the question the live check drew again.
    assert page.evaluate("() => document.activeElement.id") == "legal_name"
    assert "SAS" in page.input_value("#legal_name")

    # Asked again near the end; meanwhile the person works in another tab: the dialog goes,
    # since the server says the session goes on.
    server.run_for(page, server.idle - 4 * MINUTE)
    expect(dialog).to_be_visible()
    server.active_at = server.now  # another tab
    server.run_for(page, 45 * 1000)
    expect(dialog).to_be_hidden()
    expect(page.locator(".cannot-save-notice")).to_have_count(0)

    # Asked again, and left unanswered past the end: the page says it can no longer be saved,
    # and that message has the focus.
    server.run_for(page, server.idle - 3 * MINUTE)
    expect(dialog).to_be_visible()
    server.run_for(page, 4 * MINUTE)
    expect(dialog).to_be_hidden()
    notice = page.locator(".cannot-save-notice")
    expect(notice).to_contain_text("You have been signed out")
    assert page.evaluate("() => document.activeElement.matches('.cannot-save-notice')")
    # Said once, by the notice that has the focus, not by the live region as well.
    assert "signed out" not in page.inner_text("#live-status")
    expect(notice.get_by_role("link", name="Sign in again")).to_have_attribute(
        "href", re.compile(r"^/login\?next=/requests/\d+/steps/")
    )


def test_the_warning_says_the_minutes_left_when_it_opens_late(
    page,
    filer,  # noqa: F811 (the fixture imported above)
    live_app,
):
    """Opened after the computer slept, with two and a half minutes left: it says two, not
    the five it says when opened in time."""
    server = on_a_step_page(page, filer[0], live_app)
    dialog = page.locator("#session-ending")

    server.sleep(page, server.idle - 150 * 1000)
    expect(dialog).to_be_visible()
    assert "you will be signed out in 2 minutes if nothing happens" in dialog.inner_text()
    with page.expect_response(lambda answer: answer.request.method == "GET"):
        page.keyboard.press("Escape")  # staying signed in
    expect(dialog).to_be_hidden()

    server.run_for(page, server.idle - 5 * MINUTE)  # opened in time: five minutes
    expect(dialog).to_be_visible()
    assert "you will be signed out in 5 minutes" in dialog.inner_text()


def test_staying_signed_in_puts_the_focus_back_on_a_button_and_says_an_unreachable_portal(
    page,
    filer,  # noqa: F811 (the fixture imported above)
    live_app,
):
    """The focus goes back to where it was, a button without an id too ("Save and
    continue"), not to the page's top. When the portal cannot be reached, the dialog stays
    and says so as an alert, which a screen reader reads without moving the focus."""
    server = on_a_step_page(page, filer[0], live_app)
    dialog = page.locator("#session-ending")
    save = page.locator('button[name="action"][value="continue"]')
    assert save.get_attribute("id") is None
    save.focus()
    server.run_for(page, server.idle - 5 * MINUTE)
    expect(dialog).to_be_visible()
    with page.expect_response(lambda answer: answer.request.method == "GET"):
        page.keyboard.press("Escape")  # staying signed in
    expect(dialog).to_be_hidden()
    assert page.evaluate("() => document.activeElement.value") == "continue"

    server.run_for(page, server.idle - 5 * MINUTE)
    expect(dialog).to_be_visible()
    page.unroute("**/session/alive")
    page.route("**/session/alive", lambda route: route.abort())  # the network gone
    dialog.locator("[data-stay-signed-in]").click()
    unreachable = dialog.locator("[data-unreachable]")
    expect(unreachable).to_be_visible()
    expect(unreachable).to_have_attribute("role", "alert")
    expect(unreachable).to_have_text(
        "The portal could not be reached: check your connection, then press the button again."
    )
    expect(dialog).to_be_visible()
