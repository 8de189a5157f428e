"""Before the session ends without activity, a signed-in page asks whether to stay signed in
(WCAG 2.2.1, timing adjustable): a dialog takes the focus five minutes before; staying gives
the whole time again and puts the focus back; left unanswered, the page says that what it
holds can no longer be saved. The page's clock is moved on (Playwright's), the server's is
not: staying signed in asks the server how long the session lasts now."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import filer, sign_in  # noqa: F401 (a fixture)


def test_the_page_warns_before_the_session_ends_and_staying_signed_in_keeps_it(
    page,
    filer,  # noqa: F811 (the fixture imported above)
    live_app,
):
    idle = live_app.config["SESSION_IDLE_MINUTES"]
    draft, _submitted = filer
    page.clock.install()
    sign_in(page)
    page.goto(f"/requests/{draft}/steps/manufacturer")
    page.focus("#legal_name")
    dialog = page.locator("#session-ending")
    expect(dialog).to_be_hidden()

    page.clock.run_for((idle - 6) * 60 * 1000)  # six minutes left: nothing yet
    expect(dialog).to_be_hidden()
    page.clock.run_for(90 * 1000)  # under five: asked
    expect(dialog).to_be_visible()
    assert page.evaluate("() => document.activeElement.matches('[data-stay-signed-in]')")
    assert "you will be signed out in 5 minutes" in dialog.inner_text()
    assert_accessible(page, "session-ending")
    with page.expect_response("**/session/alive"):
        page.keyboard.press("Enter")  # "Stay signed in"
    page.wait_for_function("() => !document.getElementById('session-ending').open")
    assert page.evaluate("() => document.activeElement.id") == "legal_name"  # back where it was
    page.clock.run_for((idle - 10) * 60 * 1000)  # the whole time again: not asked yet
    expect(dialog).to_be_hidden()

    page.clock.run_for(8 * 60 * 1000)  # asked again, and left unanswered past the end
    expect(dialog).to_be_visible()
    page.clock.run_for(6 * 60 * 1000)
    expect(dialog).to_be_hidden()
    expect(page.locator(".cannot-save-notice")).to_contain_text("You have been signed out")
