"""What a person typed is not lost without a word: once they change an answer of a step (or
type their letter on the clinician's page), leaving the page other than by sending the form
asks first, with the browser's own "Leave site?" (`beforeunload`). Sending the form, by any of
its buttons, does not ask; neither does a page left untouched."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.keyboard import press_button, type_into
from tests.browser.test_pages import sign_in
from tests.conftest import attach_files, dossier_with, make_user
from wizard import clock
from wizard.demo import VALID_GTIN, minimal_pdf
from wizard.extensions import db
from wizard.invites import service
from wizard.models import Dossier, Invitation, InvitationState

EMAIL = "unsaved@cardiotech.example"


@pytest.fixture
def draft(app) -> int:
    with app.app_context():
        user = make_user(EMAIL)
        return dossier_with(user.id, files=False)  # every step answered


def dialogs(page, *, accept: bool) -> list[str]:
    """The types of the dialogs the page opens from now on, each accepted (the page is left)
    or dismissed (it stays)."""
    seen: list[str] = []

    def answer(dialog):
        seen.append(dialog.type)
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", answer)
    return seen


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_switching_language_on_a_step_brings_back_what_was_typed(
    browser, base_url, app, draft, javascript
):
    """On a step, the language switch is a button of the step's form: nothing is asked, the
    page comes back in the other language with what was typed (JavaScript off too), not saved,
    saying so; that page then asks before it is left, as any page holding unsaved typing."""
    context = browser.new_context(base_url=base_url, locale="en-GB", java_script_enabled=javascript)
    page = context.new_page()
    sign_in(page, EMAIL)
    page.goto(f"/requests/{draft}/steps/manufacturer")
    step = page.url
    page.fill("#contact_name", "Dr Paul Girard")
    seen = dialogs(page, accept=False)
    with page.expect_navigation():
        page.locator("header button[lang=fr]").focus()
        page.keyboard.press("Enter")
    assert seen == []
    assert page.url == step
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#contact_name")).to_have_value("Dr Paul Girard")
    expect(page.locator(".notice").first).to_contain_text("n’est pas encore enregistré")
    if not javascript:
        expect(page.locator(".notice").first).not_to_contain_text("fichier")
    if javascript:
        assert_accessible(page, "step-language-switched")
    with app.app_context():
        saved = db.session.get(Dossier, draft).answers()["manufacturer"]
        assert saved["contact_name"] != "Dr Paul Girard"
    if javascript:
        page.click("header a[href='/dashboard']")
        page.wait_for_timeout(500)
        assert seen == ["beforeunload"]  # dismissed: the page stays, with what was typed
        expect(page.locator("#contact_name")).to_have_value("Dr Paul Girard")
    context.close()


def test_saving_the_step_does_not_ask(page, draft):
    sign_in(page, EMAIL)
    page.goto(f"/requests/{draft}/steps/manufacturer")
    type_into(page, "#contact_name", "Dr Paul Girard")
    seen = dialogs(page, accept=True)
    press_button(page, "button[value=continue]")
    expect(page.locator("h1")).not_to_have_text("Manufacturer")
    assert seen == []
    page.goto(f"/requests/{draft}/steps/manufacturer")
    expect(page.locator("#contact_name")).to_have_value("Dr Paul Girard")


def test_a_button_of_the_step_outside_its_form_does_not_ask(page, draft):
    """Step 9's "Send the invitation" (form="step-form", its own formaction)."""
    sign_in(page, EMAIL)
    page.goto(f"/requests/{draft}/steps/hcp-support")
    type_into(page, "#invite-clinician_name", "Dr Anne Leroy")
    type_into(page, "#invite-email", "anne.leroy@necker.example")
    type_into(page, "#invite-role", "Paediatric cardiac surgeon")
    seen = dialogs(page, accept=True)
    press_button(page, "button[formaction$='/invitations']")
    assert "Sent" in page.content()
    assert seen == []
    # Back on the page, nothing typed since: it is left without a word.
    press_button(page, ".back-link")
    assert seen == []


def test_a_send_stopped_before_its_answer_asks_again_before_leaving(page, draft):
    """The browser's Stop pressed during a slow send (an upload): nothing was saved, the page
    still holds what was typed, and leaving it asks, as before the send."""
    sign_in(page, EMAIL)
    page.goto(f"/requests/{draft}/steps/manufacturer")
    type_into(page, "#contact_name", "Dr Paul Girard")
    # Cut off as Stop cuts it (net::ERR_ABORTED: the page stays, no error page).
    page.route("**/steps/manufacturer", lambda route: route.abort("aborted")
               if route.request.method == "POST" else route.continue_())  # fmt: skip
    page.click("button[value=continue]", no_wait_after=True)
    page.wait_for_timeout(500)
    page.unroute("**/steps/manufacturer")
    seen = dialogs(page, accept=False)
    page.click("header a[href='/dashboard']")
    page.wait_for_timeout(500)
    assert seen == ["beforeunload"]  # dismissed: the page stays, with what was typed
    expect(page.locator("#contact_name")).to_have_value("Dr Paul Girard")


def test_a_page_left_untouched_does_not_ask(page, draft):
    sign_in(page, EMAIL)
    page.goto(f"/requests/{draft}/steps/situation")  # questions shown and hidden: not typing
    seen = dialogs(page, accept=True)
    press_button(page, ".back-link")
    assert "/steps/situation" not in page.url
    assert seen == []


def test_a_step_shown_again_after_a_refused_send_asks_before_leaving(page, draft):
    """Refused, nothing of the step was saved: what the page shows again is still to keep."""
    sign_in(page, EMAIL)
    page.goto(f"/requests/{draft}/steps/device")
    type_into(page, "#trade_name", "VentriAssist Maxi")
    type_into(page, "#udi_di", "03700000000010")  # a wrong check digit
    press_button(page, "main button[value=continue]")
    expect(page.locator(".error-summary")).to_contain_text("check digit")
    seen = dialogs(page, accept=False)
    page.click(".back-link")
    page.wait_for_timeout(500)
    assert seen == ["beforeunload"]
    expect(page.locator("#trade_name")).to_have_value("VentriAssist Maxi")
    # Corrected and sent: saved, and nothing is asked.
    page.fill("#udi_di", VALID_GTIN)
    press_button(page, "main button[value=continue]")
    expect(page.locator("h1")).not_to_have_text("Device")
    assert seen == ["beforeunload"]


def test_a_file_added_while_a_summary_is_unfinished_asks_before_leaving(page, app, tmp_path):
    """The evidence step's upload keeps a half-written summary on the page, not saved (it
    would be called wrong): leaving asks."""
    from wizard.demo import minimal_pdf, sample_answers

    with app.app_context():
        user = make_user(EMAIL)
        steps = [step for step in sample_answers() if step != "clinical-evidence"]
        dossier_id = dossier_with(user.id, steps=steps, files=False)
    pdf = tmp_path / "cer.pdf"
    pdf.write_bytes(minimal_pdf("Clinical evaluation"))
    sign_in(page, EMAIL)
    page.goto(f"/requests/{dossier_id}/steps/clinical-evidence")
    type_into(page, "#efficacy_summary", "Twelve patients at Necker, 2025.")
    page.check("#document-kind-0")  # the clinical evaluation report
    page.set_input_files("#document-file", str(pdf))
    press_button(page, "button[formaction$='/documents']")
    expect(page.locator("main")).to_contain_text("“cer.pdf” has been added.")
    expect(page.locator("#efficacy_summary")).to_have_value("Twelve patients at Necker, 2025.")
    seen = dialogs(page, accept=False)
    page.click(".back-link")
    page.wait_for_timeout(500)
    assert seen == ["beforeunload"]


@pytest.fixture
def invite_link(app) -> str:
    """A clinician's link, made here rather than read from an email."""
    token = secrets.token_urlsafe(service.TOKEN_BYTES)
    with app.app_context():
        user = make_user(EMAIL)
        dossier_id = dossier_with(user.id, files=False)
        dossier = db.session.get(Dossier, dossier_id)
        attach_files(dossier, user.id, letters=0)
        db.session.add(
            Invitation(
                dossier=dossier,
                clinician_name="Dr Anne Leroy",
                email="anne.leroy@necker.example",
                role="Paediatric cardiac surgeon",
                token_hash=service.token_hash(token),
                state=InvitationState.SENT,
                created_by_id=user.id,
                created_at=clock.now(),
                sent_at=clock.now(),
                expires_at=clock.end_of_day_in_paris(clock.today() + timedelta(days=7)),
            )
        )
        db.session.commit()
    return f"/invitations/{token}"


def test_typing_the_letter_then_switching_language_asks_nothing_and_keeps_it(page, invite_link):
    """The letter page's switch sends its form (as a step's does): nothing to lose, nothing
    asked; untouched, it is the plain link."""
    page.goto(invite_link)
    type_into(page, "#urgency_statement", "The child will not survive the wait.")
    seen = dialogs(page, accept=False)
    page.click("header button[name=switch_language]")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert seen == []
    expect(page.locator("#urgency_statement")).to_have_value("The child will not survive the wait.")
    assert "/language/" not in page.url  # the form sent, not the link followed


def test_a_refused_form_corrected_and_sent_does_not_ask(page, app):
    """A reviewer's page has a form per action: one refused and shown again holds what was
    typed in it, not in the others, and sending it corrected asks nothing."""
    from tests.browser.test_reviewer_pages import open_action
    from wizard.models import Role

    with app.app_context():
        owner = make_user(EMAIL)
        make_user("rita@ansm.example", role=Role.REVIEWER)
        filed = dossier_with(owner.id, "global", submit=True)
    sign_in(page, "rita@ansm.example")
    page.goto(f"/review/requests/{filed}")
    open_action(page, "start-review")
    press_button(page, "#action-start-review button[type=submit]")
    expect(page.locator("main")).to_contain_text("Under review")
    open_action(page, "request-information")
    page.check("[name='request-information-addressee'][value=manufacturer]")
    press_button(page, "#action-request-information button[type=submit]")  # no question
    expect(page.locator(".error-summary")).to_be_visible()
    seen = dialogs(page, accept=False)
    type_into(page, "#request-information-message", "Which hospitals would implant it?")
    press_button(page, "#action-request-information button[type=submit]")
    expect(page.locator("main")).to_contain_text("Which hospitals would implant it?")
    assert "/request-information" not in page.url
    assert seen == []


def test_a_declaration_being_signed_asks_before_leaving(page, app):
    """Boxes ticked and a name typed to sign are lost to a link as a step's answers would be:
    asked first. The language switch sends the form: the page comes back in the other
    language with them, nothing asked, nothing signed."""
    with app.app_context():
        user = make_user("declaring@cardiotech.example")
        dossier_id = dossier_with(user.id)
    sign_in(page, "declaring@cardiotech.example")
    page.goto(f"/requests/{dossier_id}/steps/check")
    with page.expect_navigation():
        page.click("main a.button")  # on to the declaration
    assert "/steps/declaration" in page.url
    page.check("#attest_accuracy")
    asked = dialogs(page, accept=False)
    page.click("a.back-link")
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    expect(page.locator("#attest_accuracy")).to_be_checked()
    with page.expect_navigation():
        page.click("header button[lang=fr]")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#attest_accuracy")).to_be_checked()
    assert asked == ["beforeunload"]  # the switch asked nothing


def test_switching_language_on_an_untouched_step_is_a_plain_link(page, draft):
    """Nothing changed on the page: the switch opens it again in the other language (its
    address, nothing said of typing), and leaving it then asks nothing."""
    sign_in(page, EMAIL)
    page.goto(f"/requests/{draft}/steps/manufacturer")
    step = page.url
    seen = dialogs(page, accept=True)
    with page.expect_navigation():
        page.click("header button[lang=fr]")
    page.wait_for_load_state()
    assert page.url == step
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator(".notice", has_text="pas encore enregistré")).to_have_count(0)
    page.click("header a[href='/dashboard']")
    page.wait_for_url("**/dashboard")
    assert seen == []


def test_a_file_chosen_then_the_language_switched_is_asked_for_again(page, app, tmp_path):
    """The switch sends the step's answers, not a file chosen (app.js empties it): the page
    that comes back says to choose it again."""
    with app.app_context():
        user = make_user("switch-file@cardiotech.example")
        draft = dossier_with(user.id, files=False)
    pdf = tmp_path / "cer.pdf"
    pdf.write_bytes(minimal_pdf())
    sign_in(page, "switch-file@cardiotech.example")
    page.goto(f"/requests/{draft}/steps/clinical-evidence")
    page.set_input_files("#document-file", str(pdf))
    with page.expect_navigation():
        page.click("header button[lang=fr]")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator(".notice").first).to_contain_text("choisissez-le à nouveau")
    with app.app_context():
        assert not db.session.get(Dossier, draft).documents
