"""Every other page type passes axe-core, and every page reflows at 320 CSS px and keeps its
controls usable with text zoomed to 200 %."""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.keyboard import (
    choose_file,
    choose_radio,
    press_button,
    tab_to,
    tick,
    type_into,
)
from tests.conftest import PASSWORD, dossier_with, make_colleague, make_user
from wizard.demo import minimal_pdf


@pytest.fixture
def filer(app):
    """A manufacturer with one request half-way and one submitted (receipt produced)."""
    with app.app_context():
        user = make_user("pages@cardiotech.example")
        draft = dossier_with(user.id, steps=["before-you-start", "situation"], files=False)
        submitted = dossier_with(user.id, "global", submit=True)
        from wizard.extensions import db
        from wizard.models import Dossier
        from wizard.receipts import service

    def produce_receipt():
        with app.app_context():
            service.ensure_receipt(db.session.get(Dossier, submitted))

    # pyHanko runs its own event loop: not in this thread, where Playwright's runs.
    worker = threading.Thread(target=produce_receipt)
    worker.start()
    worker.join()
    return draft, submitted


def sign_in(page, email="pages@cardiotech.example"):
    page.goto("/login")
    type_into(page, "#email", email)
    type_into(page, "#password", PASSWORD)
    press_button(page, "form button[type=submit]")


def focus_is_around(page, element_id: str) -> bool:
    """The focus is on a message box, the one around the element named (its title)."""
    script = """(id) => {
        const focused = document.activeElement;
        return focused.matches(".error-summary") && focused.contains(document.getElementById(id));
    }"""
    return page.evaluate(script, element_id)


def test_sign_in_page_and_its_error_state(page, filer):
    page.goto("/login")
    assert_accessible(page, "login")
    type_into(page, "#email", "pages@cardiotech.example")
    type_into(page, "#password", "not the password")
    press_button(page, "form button[type=submit]")
    assert "not right" in page.inner_text(".error-summary")
    assert_accessible(page, "login-error")


def test_sign_in_before_confirming_the_address_and_a_broken_confirmation_link(app, page):
    with app.app_context():
        from wizard.extensions import db

        user = make_user("unconfirmed@cardiotech.example")
        user.email_confirmed_at = None
        db.session.commit()
    sign_in(page, "unconfirmed@cardiotech.example")
    assert "Just created your account?" in page.content()
    assert_accessible(page, "login-unconfirmed")
    page.goto("/register/confirm/not-a-link")
    assert "This link does not work" in page.content()
    assert_accessible(page, "confirmation-link-broken")


def test_a_new_request_started_from_a_filed_one(page, filer):
    _draft, submitted = filer
    sign_in(page)
    page.goto(f"/requests/{submitted}/submitted")
    # Sent once however many clicks (a slow answer clicked again would make two requests).
    prevented = page.evaluate(
        """() => {
            const form = document.querySelector("form[action$='/start-from']");
            return [1, 2].map(() => {
                const submit = new Event("submit", {bubbles: true, cancelable: true});
                form.dispatchEvent(submit);
                return submit.defaultPrevented;
            });
        }"""
    )
    assert prevented == [False, True]
    page.reload()
    press_button(page, "form[action$='/start-from'] button")
    assert "These answers are copied from request" in page.content()
    assert_accessible(page, "started-from-a-filed-request")
    page.goto(page.url.rsplit("/", 1)[0] + "/check")
    assert "check it" in page.content()
    assert_accessible(page, "check-copied-answers")


def test_the_account_page_and_its_error_state(page, filer):
    sign_in(page)
    page.goto("/account")
    assert_accessible(page, "account")
    type_into(page, "#password-current", "not the password at all")
    type_into(page, "#password-password", "orange kettle under seven bridges")
    type_into(page, "#password-confirmation", "orange kettle under seven bridges")
    press_button(page, "form[action$='/account/password'] button")
    assert "This is not your current password." in page.inner_text(".error-summary")
    assert_accessible(page, "account-error")


def test_changing_the_email_address_pages(page, filer, live_app):
    """The address's form refused, then the page its emailed link opens, before and after an
    address taken meanwhile."""
    sign_in(page)
    page.goto("/account")
    type_into(page, "#email-email", "pages@cardiotech.example")
    type_into(page, "#email-current", PASSWORD)
    press_button(page, "form[action$='/account/email'] button")
    assert "This is already the address" in page.inner_text(".error-summary")
    assert_accessible(page, "account-email-error")
    from wizard.auth import email_change
    from wizard.extensions import db
    from wizard.models import User

    with live_app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email="pages@cardiotech.example"))
        token = email_change.token_for(user, "pages.new@cardiotech.example")
        undo = f"/account/email/undo/{email_change.undo_token_for(user, user.email)}"
    page.goto(f"/account/email/confirm/{token}")
    expect(page.locator("h1")).to_have_text("Confirm your new email address")
    assert_accessible(page, "confirm-new-email")
    press_button(page, "main form button[type=submit]")
    assert "Your email address is now pages.new@cardiotech.example" in page.content()
    # The former address's link to undo it, its page, the password chosen next, and the link
    # opened again; a link that no longer works.
    page.goto(undo)
    expect(page.locator("h1")).to_have_text("Set your account back to its former address")
    assert_accessible(page, "undo-email-change")
    press_button(page, "main form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Choose a new password")
    assert "sign-in address is pages@cardiotech.example again" in page.inner_text("main")
    assert_accessible(page, "undo-email-change-then-password")
    page.goto(undo)
    assert "nothing left to undo" in page.inner_text("main")
    assert_accessible(page, "undo-email-change-done")
    page.goto(undo[:-2] + ("AA" if not undo.endswith("AA") else "BB"))
    expect(page.locator("h1")).to_have_text("This link no longer works")
    assert_accessible(page, "undo-link-unavailable")


def test_colleagues_pages_by_keyboard_from_invitation_to_removal(page, filer, live_app):
    """A manufacturer invites a colleague, who joins from the emailed link; then removes them."""
    sign_in(page)
    page.goto("/account")
    tab_to(page, "a[href='/account/colleagues']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/account/colleagues")
    assert_accessible(page, "colleagues")
    type_into(page, "#email", "not an address")
    press_button(page, "form[action$='/account/colleagues'] button")
    assert "correct format" in page.inner_text(".error-summary")
    assert_accessible(page, "colleagues-error")
    type_into(page, "#email", "marc.durand@cardiotech.example")
    type_into(page, "#current", PASSWORD)
    press_button(page, "form[action$='/account/colleagues'] button")
    assert "An invitation has been sent to marc.durand@cardiotech.example." in page.content()
    assert_accessible(page, "colleagues-invited")

    from wizard import mail

    with live_app.app_context():
        [sent] = [m for m in mail.outbox_messages() if "marc.durand" in m.message["To"]]
    link = re.search(r"https?://\S+(/join/\S+)", sent.message.get_content()).group(1)
    colleague = page.context.browser.new_context(base_url=page.url.split("/account")[0])
    joining = colleague.new_page()
    joining.goto(link)
    assert "Join Cardiotech" in joining.content()
    assert_accessible(joining, "join")
    type_into(joining, "#name", "Marc Durand")
    type_into(joining, "#password", "short")
    type_into(joining, "#confirmation", "short")
    press_button(joining, "main form button[type=submit]")
    assert "at least 12 characters" in joining.inner_text(".error-summary")
    assert_accessible(joining, "join-error")
    type_into(joining, "#password", "orange kettle under seven bridges")
    type_into(joining, "#confirmation", "orange kettle under seven bridges")
    press_button(joining, "main form button[type=submit]")
    joining.wait_for_url("**/dashboard")
    assert "You file for Cardiotech with your colleagues" in joining.content()
    joining.goto(link)
    assert_accessible(joining, "join-link-used")

    page.goto("/account/colleagues")
    tab_to(page, "a[href$='/remove']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/remove")
    assert_accessible(page, "remove-colleague")
    press_button(page, "main form button[type=submit]")  # no password typed
    assert "Enter your password." in page.inner_text(".error-summary")
    assert_accessible(page, "remove-colleague-error")
    type_into(page, "#current", PASSWORD)
    press_button(page, "main form button[type=submit]")
    assert "Marc Durand can no longer sign in" in page.content()
    assert "Marc Durand" in page.inner_text("#former-title + p + .table-scroll")
    assert_accessible(page, "colleagues-with-a-former-one")
    joining.goto("/dashboard")  # signed out, and told why (signing in again would not help)
    assert "A colleague has removed this account from Cardiotech." in joining.content()
    assert_accessible(joining, "removed-colleague-signed-out")
    colleague.close()

    # An invitation cancelled, after a page that says what it does.
    type_into(page, "#email", "anna.roux@cardiotech.example")
    type_into(page, "#current", PASSWORD)
    press_button(page, "form[action$='/account/colleagues'] button")
    tab_to(page, "a[href$='/cancel']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/cancel")
    expect(page.locator("h1")).to_have_text(
        "Cancel the invitation sent to anna.roux@cardiotech.example?"
    )
    assert_accessible(page, "cancel-colleague-invitation")
    press_button(page, "main form button[type=submit]")
    page.wait_for_url("**/account/colleagues")
    assert "The invitation sent to anna.roux@cardiotech.example is cancelled." in page.content()


def test_a_step_a_colleague_saved_meanwhile_is_shown_not_overwritten(app, page, filer):
    """The device step open; a colleague saves it meanwhile; saving is stopped with what they
    saved (the message takes the focus), keeps what was typed, and saving again keeps it."""
    draft, _submitted = filer
    with app.app_context():
        from wizard.demo import sample_answers
        from wizard.extensions import db
        from wizard.filing import service
        from wizard.models import Dossier, User

        owner = db.session.query(User).filter_by(email="pages@cardiotech.example").one()
        colleague = make_colleague(owner.id, "marc@cardiotech.example").id
        service.save_step(db.session.get(Dossier, draft), "device", sample_answers()["device"])
    sign_in(page)
    step = f"/requests/{draft}/steps/device"
    page.goto(step)
    with app.app_context():
        theirs = dict(sample_answers()["device"], trade_name="VentriAssist II")
        by = db.session.get(User, colleague)
        service.save_step(db.session.get(Dossier, draft), "device", theirs, by=by)
    dashboard = page.context.new_page()  # meanwhile, in another tab: who saved it last
    dashboard.goto("/dashboard")
    assert "Last saved by Marc Durand" in dashboard.inner_text("main")
    assert_accessible(dashboard, "dashboard-saved-by-a-colleague")
    # Each action is one word on one line, however narrow its column ("Conti/nue" was seen).
    lines = dashboard.locator(".table__actions a").evaluate_all(
        "links => links.map(link => new Set("
        "  [...link.getClientRects()].map(box => Math.round(box.top))).size)"
    )
    assert lines and set(lines) == {1}, lines
    dashboard.close()
    type_into(page, "#trade_name", "VentriAssist Junior")
    press_button(page, "button[value=continue]")
    message = page.locator("#changed-title").locator("..")
    assert "Marc Durand saved this page" in message.inner_text()
    assert "VentriAssist II" in message.inner_text()
    assert focus_is_around(page, "changed-title")
    assert page.input_value("#trade_name") == "VentriAssist Junior"
    assert_accessible(page, "step-changed-meanwhile")
    press_button(page, "button[value=continue]")
    assert not page.url.endswith(step)
    with app.app_context():
        stored = db.session.get(Dossier, draft).answers()["device"]["trade_name"]
    assert stored == "VentriAssist Junior"


def test_a_request_changed_after_the_check_is_not_submitted_unseen(app, page, filer):
    """From the check page to the declaration; a colleague saves a step meanwhile; signing
    is stopped with what changed (focused, axe-clean), and leads back to the answers."""
    with app.app_context():
        from wizard.demo import sample_answers
        from wizard.extensions import db
        from wizard.filing import service
        from wizard.models import Dossier, User

        owner = db.session.query(User).filter_by(email="pages@cardiotech.example").one()
        ready = dossier_with(owner.id, "global")
        colleague = make_colleague(owner.id, "marc@cardiotech.example").id
    sign_in(page)
    page.goto(f"/requests/{ready}/steps/check")
    press_button(page, "a.button[href*='/steps/declaration']")
    with app.app_context():
        device = dict(sample_answers("global")["device"], trade_name="VentriAssist II")
        by = db.session.get(User, colleague)
        service.save_step(db.session.get(Dossier, ready), "device", device, by=by)

    def sign():
        for box in (
            "#attest_accuracy",
            "#attest_responsibility",
            "#attest_not_circumvention",
            "#attest_vigilance",
        ):
            tick(page, box)
        type_into(page, "#signatory_role", "Regulatory affairs manager")
        type_into(page, "#signature", page.input_value("#signatory_name"))
        press_button(page, "form.step-form button[type=submit]")

    sign()
    assert "Step “Device” changed by Marc Durand" in page.inner_text("#since-checked-title + ul")
    assert focus_is_around(page, "since-checked-title")
    assert page.input_value("#signatory_role") == "Regulatory affairs manager"
    assert_accessible(page, "declaration-changed-since-checked")
    press_button(page, ".error-summary a[href$='/steps/check']")
    assert "VentriAssist II" in page.inner_text("main")
    press_button(page, "a.button[href*='/steps/declaration']")
    sign()
    assert page.url.endswith("/steps/confirmation")


def test_dashboard_submitted_view_and_error_pages(page, filer):
    draft, submitted = filer
    sign_in(page)
    assert_accessible(page, "dashboard")
    page.goto(f"/requests/{submitted}/submitted")
    assert_accessible(page, "submitted-view")
    page.goto(f"/requests/{draft}/steps/check")
    assert_accessible(page, "check-incomplete")
    page.goto(f"/requests/{draft}/discard")
    assert "Delete this draft?" in page.content()
    assert_accessible(page, "discard-draft")
    page.goto("/requests/999999/steps/device")
    assert "Page not found" in page.content()
    assert_accessible(page, "error-404")


def test_a_draft_deleted_meanwhile_says_by_whom(page, filer):
    draft, _submitted = filer
    sign_in(page)
    page.goto(f"/requests/{draft}/steps/device")  # one tab on a step
    deleting = page.context.new_page()  # another on the deletion page
    deleting.goto(f"/requests/{draft}/discard")
    press_button(deleting, "button.button--warning")
    expect(deleting.locator("main")).to_contain_text("The draft is deleted.")
    page.fill("#trade_name", "VentriAssist Mini")
    # Its live check reads the form alone (no request): it finds the answer right, and the
    # save finds the draft gone, with what was typed to copy. (A step whose checks read the
    # request, the period, says so at once: tests/flow/test_discard.py.)
    page.locator("#trade_name").blur()
    expect(page.locator("#field-trade_name")).not_to_have_class(re.compile("field--error"))
    press_button(page, "button[value=continue]")
    expect(page.locator("h1")).to_have_text("This draft was deleted")
    expect(page.locator("main")).to_contain_text("What you sent was not saved.")
    expect(page.locator("main")).to_contain_text("VentriAssist Mini")
    assert_accessible(page, "draft-deleted-meanwhile")


def test_the_verify_page_and_its_verdicts(page, filer, tmp_path, app):
    _draft, submitted = filer
    from wizard.extensions import db
    from wizard.models import Receipt

    with app.app_context():
        pdf = db.session.scalar(db.select(Receipt).where(Receipt.dossier_id == submitted)).pdf
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(pdf)
    page.goto("/verify")
    assert_accessible(page, "verify")
    page.set_input_files("#receipt", str(receipt))
    press_button(page, "form button[type=submit]")
    assert "Genuine receipt" in page.content()
    # The verdict is read first: it takes the focus, in view, and starts the page's title.
    assert page.evaluate("document.activeElement.matches('.verdict[role=status]')")
    assert page.title().startswith("Genuine receipt – Check a receipt or a decision")
    assert page.evaluate("document.activeElement.getBoundingClientRect().top < innerHeight"), (
        "the verdict is out of sight"
    )
    assert_accessible(page, "verify-genuine")
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(minimal_pdf("fake"))
    page.set_input_files("#receipt", str(fake))
    press_button(page, "form button[type=submit]")
    assert "cannot be confirmed" in page.content()
    assert_accessible(page, "verify-not-confirmed")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/login",
        "/verify",
        "/dashboard",
        "/requests/{draft}/steps/manufacturer",
        "/requests/{draft}/steps/situation",
        "/requests/{draft}/steps/check",
        "/requests/{draft}/discard",
        "/requests/{submitted}/submitted",
        "/account/colleagues",
    ],
)
def test_pages_reflow_at_320_css_pixels(browser, base_url, filer, path):
    draft, submitted = filer
    context = browser.new_context(base_url=base_url, viewport={"width": 320, "height": 640})
    page = context.new_page()
    sign_in(page)
    page.goto(path.format(draft=draft, submitted=submitted))
    name = "320-" + path.strip("/").replace("/", "-").replace("{", "").replace("}", "") or "start"
    screenshot(page, name)
    assert no_horizontal_scroll(page), path
    context.close()


def test_text_zoomed_to_200_percent_keeps_every_control_usable(page, filer):
    draft, _submitted = filer
    sign_in(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/requests/{draft}/steps/manufacturer")
    # Text-only zoom, as browsers offer it: the root font size doubles.
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    screenshot(page, "zoom-200-manufacturer")
    assert no_horizontal_scroll(page)
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea, button, a')]
            .filter(el => el.offsetParent !== null)
            .filter(el => { const r = el.getBoundingClientRect();
                            return r.right > document.documentElement.clientWidth + 1
                                || r.width < 1 || r.height < 1; })
            .map(el => el.outerHTML.slice(0, 80))"""
    )
    assert clipped == []
    type_into(page, "#legal_name", "Zoomed Médical")
    press_button(page, "button[value=save_exit]")
    assert "Your answers are saved" in page.content() or "There is a problem" in page.content()


def test_french_pages_pass_axe_and_say_french(browser, base_url, filer):
    draft, submitted = filer
    context = browser.new_context(base_url=base_url, locale="fr-FR")
    page = context.new_page()
    page.goto("/")
    assert page.get_attribute("html", "lang") == "fr"
    assert_accessible(page, "fr-start")
    sign_in(page)
    assert_accessible(page, "fr-dashboard")
    page.goto(f"/requests/{draft}/steps/manufacturer")
    press_button(page, "button[value=continue]")
    assert "Il y a un problème" in page.content()
    assert_accessible(page, "fr-manufacturer-errors")
    # A live check the server cannot answer is said to have failed, in the page's language.
    page.route("**/validate", lambda route: route.fulfill(status=500, body="Error"))
    # (Not the SRN the manufacturer step offers from the request filed: a change.)
    type_into(page, "#srn", "FR-MF-000054321")
    page.keyboard.press("Tab")
    expect(page.locator("#live-status")).to_have_text(
        "La vérification n’a pas pu être faite\u00a0; elle sera refaite à l’envoi."
    )
    page.unroute("**/validate")
    page.goto(f"/requests/{submitted}/submitted")
    assert_accessible(page, "fr-submitted-view")
    page.goto("/accessibility")
    assert_accessible(page, "fr-accessibility")
    # The switch keeps the person on the page they were reading.
    press_button(page, "a[hreflang=en]")
    assert page.url.endswith("/accessibility") and page.get_attribute("html", "lang") == "en"
    assert "Accessibility statement" in page.inner_text("h1")
    assert_accessible(page, "accessibility")
    page.goto("/privacy")
    assert_accessible(page, "privacy")
    press_button(page, "header a[hreflang=fr]")
    assert "Données personnelles" in page.inner_text("h1")
    assert_accessible(page, "fr-privacy")
    context.close()


def test_forgotten_password_pages_by_keyboard(page, filer, live_app):
    page.goto("/login")
    page.click("text=Forgotten your password?")
    assert_accessible(page, "forgot-password")
    press_button(page, "form button[type=submit]")
    assert "Enter your email address" in page.inner_text(".error-summary")
    assert_accessible(page, "forgot-password-error")
    type_into(page, "#email", "pages@cardiotech.example")
    press_button(page, "form button[type=submit]")
    assert "Check your email" in page.content()
    assert_accessible(page, "reset-link-sent")

    from wizard.auth import reset
    from wizard.extensions import db
    from wizard.models import User

    with live_app.app_context():  # the server's secret signs the link
        user = db.session.query(User).filter_by(email="pages@cardiotech.example").one()
        token = reset.token_for(user)
    page.goto(f"/password/reset/{token}")
    assert "Choose a new password" in page.content()
    assert_accessible(page, "reset-password")
    type_into(page, "#password", "short")
    type_into(page, "#confirmation", "short")
    press_button(page, "form button[type=submit]")
    assert "at least 12 characters" in page.inner_text(".error-summary")
    assert_accessible(page, "reset-password-error")
    page.goto("/password/reset/not-a-token")
    assert_accessible(page, "reset-link-unavailable")


def test_after_adding_a_document_the_keyboard_goes_on_from_the_documents(page, app, tmp_path):
    """Back on the step after an upload, focus is on the confirmation in the documents (not
    the top of the page, nor the whole part), read as it takes the focus: not said again by
    the live region."""
    with app.app_context():
        user = make_user("upload@cardiotech.example")
        steps = ["before-you-start", "situation", "manufacturer", "device", "access-type"]
        dossier_id = dossier_with(user.id, steps=[*steps, "patient", "medical-need"], files=False)
    sign_in(page, "upload@cardiotech.example")
    page.goto(f"/requests/{dossier_id}/steps/clinical-evidence")
    report = tmp_path / "cer.pdf"
    report.write_bytes(minimal_pdf("Clinical evaluation report"))
    choose_radio(page, "document-kind", "clinical_evaluation")
    choose_file(page, "#document-file", str(report))
    press_button(page, "button[formaction$='/documents']")
    focused = "document.activeElement.closest('#documents .notice[role=status]')?.textContent"
    said = page.evaluate(focused)
    assert "cer.pdf" in said and "added" in said
    page.wait_for_timeout(600)  # when the live region would be filled
    assert page.evaluate("document.getElementById('live-status').textContent") == ""
    page.keyboard.press("Tab")  # and the keyboard goes on from there, in the documents
    assert page.evaluate("document.activeElement.closest('#documents') !== null")
    assert_accessible(page, "evidence-after-upload")

    # Half a summary typed, another file chosen, then the document removed: the summary is
    # still there, and the file chosen was not sent for nothing.
    type_into(page, "#efficacy_summary", "Twelve patients at Necker.")
    other = tmp_path / "not-this-one.pdf"
    other.write_bytes(minimal_pdf("Not sent"))
    choose_file(page, "#document-file", str(other))
    sent = []
    page.on("request", lambda request: sent.append(request.post_data_buffer or b""))
    press_button(page, "button[formaction$='/delete']")
    expect(page.locator("main")).to_contain_text("“cer.pdf” has been removed.")
    expect(page.locator("#efficacy_summary")).to_have_value("Twelve patients at Necker.")
    assert "has been removed" in page.evaluate(focused)
    assert sent and all(b"not-this-one.pdf" not in body for body in sent)
    assert b"Twelve patients at Necker." in sent[0]
    assert_accessible(page, "evidence-after-removal")

    # Removed by mistake: the next key press reaches the button that puts it back, with the
    # summary still there.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Put the document back"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("“cer.pdf” has been put back.")
    expect(page.locator("#documents table")).to_contain_text("cer.pdf")
    expect(page.locator("#efficacy_summary")).to_have_value("Twelve patients at Necker.")
    page.wait_for_function(f"({focused} || '').includes('has been put back')")
    screenshot(page, "evidence-after-put-back")
    assert_accessible(page, "evidence-after-put-back")


def test_without_javascript_removing_a_document_keeps_what_was_typed(
    page_without_js, live_app, tmp_path
):
    page = page_without_js
    with live_app.app_context():  # its files where the portal keeps them, to be put back
        user = make_user("remove@cardiotech.example")
        steps = ["before-you-start", "situation", "manufacturer", "device", "access-type"]
        dossier_id = dossier_with(user.id, steps=[*steps, "patient", "medical-need"])
    sign_in(page, "remove@cardiotech.example")
    page.goto(f"/requests/{dossier_id}/steps/clinical-evidence")
    page.fill("#efficacy_summary", "Twelve patients at Necker.")
    page.locator("button[formaction$='/delete']").first.click()
    expect(page.locator("main")).to_contain_text("has been removed.")
    expect(page.locator("#efficacy_summary")).to_have_value("Twelve patients at Necker.")
    assert_accessible(page, "evidence-after-removal-without-js")
    page.get_by_role("button", name="Put the document back").click()
    expect(page.locator("main")).to_contain_text("has been put back.")
    expect(page.locator("#efficacy_summary")).to_have_value("Twelve patients at Necker.")
    assert page.locator("#documents tbody tr").count() == 1
