"""A filer who uses only the keyboard completes both paths, from the start page to the
confirmation; every page on the way passes axe-core."""

from __future__ import annotations

import re
import time
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.keyboard import (
    choose_file,
    choose_radio,
    press_button,
    select_option,
    tab_to,
    tick,
    type_into,
)
from tests.browser.test_pages import sign_in
from tests.conftest import dossier_with, make_user
from wizard import mail
from wizard.demo import minimal_pdf, sample_answers, sample_declaration, sample_letter
from wizard.extensions import db
from wizard.models import Dossier

COUNTRY_LABELS = {"FR": "France"}


def fill(page, values: dict, prefix: str = "") -> None:
    for name, value in values.items():
        selector = f"[name='{prefix}{name}']"
        kind = page.eval_on_selector(selector, "el => el.type || el.tagName.toLowerCase()")
        if kind == "radio":
            choose_radio(page, prefix + name, value)
        elif kind == "checkbox":
            tick(page, selector)
        elif kind == "select-one":
            select_option(page, selector, COUNTRY_LABELS.get(value, value))
        elif kind == "date":
            day = date.fromisoformat(value)
            # Headless Chromium lays its date field out month, day, year (the process locale),
            # whatever the page's language; the segments are typed in that order.
            tab_to(page, selector)
            page.keyboard.type(f"{day.month:02d}{day.day:02d}{day.year}")
        else:
            type_into(page, selector, str(value))


def register(page, live_app, email: str) -> None:
    """Create an account, confirm its address by the emailed link, sign in: by keyboard."""
    page.goto("/")
    assert_accessible(page, "start")
    press_button(page, "a.button--start")
    assert_accessible(page, "register")
    fill(
        page,
        {
            "organisation_name": "Cardiotech Médical SAS",
            "name": "Claire Martin",
            "email": email,
            "password": "correct horse battery staple",
        },
    )
    press_button(page, "form button[type=submit]")
    assert "Check your email" in page.content()
    assert_accessible(page, "register-check-your-email")
    page.goto(emailed_confirmation_link(live_app, email))
    assert "Confirm your email address" in page.content()
    assert_accessible(page, "confirm-email")
    fill(page, {"password": "correct horse battery staple"})
    press_button(page, "main form button[type=submit]")
    assert page.url.endswith("/dashboard")
    assert "Your email address is confirmed" in page.content()


def emailed_confirmation_link(live_app, email: str) -> str:
    """The link in the email the portal wrote to its outbox (the browser tests' app has no
    mail server). It leaves once the response to the registration is closed, which may be a
    moment after the browser has followed the redirect: wait for it a little."""
    deadline = time.monotonic() + 10
    while True:
        with live_app.app_context():
            sent = [m for m in mail.outbox_messages() if email in m.message["To"]]
        if sent or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    if len(sent) != 1:  # say what there is, to find out why
        from sqlalchemy import select

        from wizard.extensions import db
        from wizard.models import User

        with live_app.app_context():
            others = [m.message["To"] for m in mail.outbox_messages()]
            account = db.session.scalar(select(User).where(User.email == email))
            state = account and (account.id, account.email_confirmed, account.confirmation_sent_at)
        raise AssertionError(f"{len(sent)} emails to {email}; outbox: {others}; account: {state}")
    [message] = sent
    return re.search(r"https?://\S+(/register/confirm/\S+)", message.message.get_content()).group(1)


def upload_with_keyboard(page, tmp_path, fields: dict, prefix: str, button: str) -> None:
    pdf = tmp_path / f"{prefix}.pdf"
    pdf.write_bytes(minimal_pdf(prefix))
    if prefix == "letter" and not page.is_visible("#letter-author_name"):
        tab_to(page, "summary.details__summary")
        page.keyboard.press("Enter")
    fill(page, fields, prefix=f"{prefix}-")
    choose_file(page, f"#{prefix}-file", str(pdf))
    press_button(page, button)


@pytest.mark.parametrize("javascript", ["js", "no-js"])
@pytest.mark.parametrize("path", ["individual", "global"])
def test_a_keyboard_user_files_a_request_from_start_to_confirmation(
    request, tmp_path, path, javascript
):
    """With JavaScript off the same journey works through plain form posts."""
    page = request.getfixturevalue("page" if javascript == "js" else "page_without_js")
    register(
        page,
        request.getfixturevalue("live_app"),
        f"keyboard-{path}-{javascript}@cardiotech.example",
    )
    assert_accessible(page, "dashboard-empty")
    press_button(page, "button.button--start")
    answers = sample_answers(path)
    while "/steps/check" not in page.url:
        step_id = page.url.rsplit("/", 1)[-1].split("?")[0]
        assert_accessible(page, f"{path}-{step_id}-{javascript}")
        if step_id == "clinical-evidence":
            upload_with_keyboard(
                page, tmp_path, {"kind": "clinical_evaluation"}, "document", ".upload-form button"
            )
        if step_id == "hcp-support":
            upload_with_keyboard(
                page, tmp_path, sample_letter(), "letter", "button[formaction$='/letters']"
            )
        fill(page, answers[step_id])
        press_button(page, "button[value=continue]")
        assert "There is a problem" not in page.content(), (page.url, page.inner_text("main"))
    assert_accessible(page, f"{path}-check-{javascript}")
    press_button(page, "a.button")  # Continue to the declaration
    assert_accessible(page, f"{path}-declaration-{javascript}")
    fill(page, sample_declaration())
    press_button(page, "form.step-form button[type=submit]")
    assert "Request submitted" in page.content()
    assert_accessible(page, f"{path}-confirmation-{javascript}")
    tab_to(page, "a[href$='/receipt.pdf']")
    press_button(page, "header a[href='/dashboard']")
    assert_accessible(page, f"{path}-dashboard-{javascript}")
    assert "Submitted" in page.content()


def test_after_a_failed_submit_the_error_summary_has_the_focus(page, live_app):
    register(page, live_app, "errors@cardiotech.example")
    press_button(page, "button.button--start")
    press_button(page, "button[value=continue]")
    assert page.evaluate("document.activeElement.matches('[data-error-summary]')")
    assert_accessible(page, "step-with-errors")
    # The summary's link takes the keyboard user to the field.
    tab_to(page, ".error-summary a")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == "is_manufacturer"


def test_live_validation_announces_the_message_and_keeps_the_focus(page, live_app):
    register(page, live_app, "live@cardiotech.example")
    press_button(page, "button.button--start")
    fill(page, sample_answers()["before-you-start"])
    press_button(page, "button[value=continue]")
    fill(page, sample_answers()["situation"])
    press_button(page, "button[value=continue]")
    type_into(page, "#srn", "FR-IM-000012345")
    page.keyboard.press("Tab")  # leaving the field triggers the check
    page.wait_for_selector("#srn-error")
    assert "middle part of the manufacturer's SRN must be MF" in page.inner_text("#live-status")
    assert page.evaluate("document.activeElement.id") == "no_srn"
    assert page.get_attribute("#srn", "aria-invalid") == "true"
    assert_accessible(page, "after-live-validation")
    screenshot(page, "live-validation")


def test_enter_in_a_letter_field_uploads_the_letter_not_the_invitation(page, app):
    """Step 9's two forms are one with the step's: Enter presses the button of the fields it
    is pressed in."""
    with app.app_context():
        user = make_user("enter@cardiotech.example")
        draft = dossier_with(user.id, files=False)
    sign_in(page, "enter@cardiotech.example")
    page.goto(f"/requests/{draft}/steps/hcp-support")
    if not page.is_visible("#letter-author_name"):
        page.click("summary.details__summary")
    type_into(page, "#letter-author_name", "Dr Paul Henry")
    page.keyboard.press("Enter")
    expect(page.locator(".error-summary")).to_contain_text("Enter the author's RPPS number.")
    expect(page.locator(".error-summary")).not_to_contain_text("healthcare professional")
    expect(page.locator("#letter-author_name")).to_have_value("Dr Paul Henry")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_enter_in_a_one_line_answer_saves_the_step(browser, base_url, app, javascript):
    """The step's hidden default button comes first in the page, before the header's language
    switch (also a button of the step's form): Enter in a one-line answer saves and goes on,
    it does not switch language."""
    email = f"enter-{'js' if javascript else 'nojs'}@cardiotech.example"
    with app.app_context():
        user = make_user(email)
        draft = dossier_with(user.id, files=False)
    context = browser.new_context(base_url=base_url, locale="en-GB", java_script_enabled=javascript)
    page = context.new_page()
    sign_in(page, email)
    page.goto(f"/requests/{draft}/steps/manufacturer")
    page.fill("#contact_name", "Dr Paul Girard")
    with page.expect_navigation():
        page.locator("#contact_name").press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith(f"/requests/{draft}/steps/device")
    with app.app_context():
        saved = db.session.get(Dossier, draft).answers()["manufacturer"]
        assert saved["contact_name"] == "Dr Paul Girard"
    context.close()


IN_VIEW = """el => { const box = el.getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight; }"""


@pytest.mark.parametrize(
    "javascript, width, height",
    [(True, 1280, 800), (False, 1280, 800), (True, 320, 256), (False, 320, 256)],
    ids=["js", "no-js", "js-zoomed-400", "no-js-zoomed-400"],
)
def test_an_error_summary_link_shows_the_question_with_its_answer(
    browser, base_url, app, javascript, width, height
):
    """Followed, a link of the error summary brings the answer into view with its error
    above it, and its question too where they fit together (at 400 % zoom, a window of
    320 × 256, they may not): not the answer alone at the top of the window."""
    email = f"summary-{javascript}-{width}@cardiotech.example"
    with app.app_context():
        user = make_user(email)
        draft = dossier_with(user.id, steps=["before-you-start", "situation"], files=False)
    context = browser.new_context(
        base_url=base_url,
        locale="en-GB",
        java_script_enabled=javascript,
        viewport={"width": width, "height": height},
    )
    page = context.new_page()
    sign_in(page, email)
    page.goto(f"/requests/{draft}/steps/manufacturer")
    press_button(page, "button[value=continue]")
    link = page.locator(".error-summary a[href='#contact_phone']")
    link.focus()
    page.keyboard.press("Enter")
    field = page.locator("#contact_phone")
    if javascript:
        expect(field).to_be_focused()
    page.wait_for_timeout(200)  # (a scroll is not an event to wait for)
    assert field.evaluate(IN_VIEW)
    assert page.locator("#contact_phone-error").evaluate(IN_VIEW)
    label = page.locator("label[for=contact_phone]")
    fits = field.evaluate(
        "el => el.getBoundingClientRect().bottom"
        " - el.closest('.field').getBoundingClientRect().top <= window.innerHeight"
    )
    if javascript and fits or height > 256:
        assert label.evaluate(IN_VIEW)
    context.close()
