"""A manufacturer invites a clinician by keyboard; the clinician follows the emailed link,
makes a mistake, corrects it and sends the letter. Every page passes axe-core."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.keyboard import choose_file, press_button, tab_to, tick, type_into
from tests.browser.test_pages import sign_in
from tests.conftest import attach_files, dossier_with, make_user
from wizard import clock
from wizard.demo import VALID_RPPS, minimal_pdf
from wizard.extensions import db
from wizard.models import Dossier

LINK = re.compile(r"https?://[^/\s]+(/invitations/[A-Za-z0-9_-]{43})")


@pytest.fixture
def awaiting_letters(app):
    with app.app_context():
        user = make_user("pages@cardiotech.example")
        dossier_id = dossier_with(user.id, files=False)
        attach_files(db.session.get(Dossier, dossier_id), user.id, letters=0)
        return dossier_id


def emailed_link(live_app) -> str:
    from wizard import mail

    with live_app.app_context():
        sent = [m for m in mail.outbox_messages() if "anne.leroy" in m.message["To"]]
        # The last invitation (after a letter, a copy of it goes there too).
        links = [LINK.search(m.message.get_content()) for m in sent]
        return [found for found in links if found][-1].group(1)


def write_the_letter(clinician):
    """Every answer of the professional's page but their name, the file and the tick."""
    type_into(clinician, "#author_rpps", VALID_RPPS)
    type_into(clinician, "#specialty", "Paediatric cardiac surgery")
    type_into(clinician, "#establishment", "Hôpital Necker-Enfants malades")
    type_into(clinician, "#urgency_statement", "The child will not survive the wait.")
    written = clock.today() - timedelta(days=1)
    tab_to(clinician, "#letter_date")
    clinician.keyboard.type(f"{written.month:02d}{written.day:02d}{written.year}")


def manufacturer_inviting(browser, base_url, dossier_id: int, **message):
    """The manufacturer's page, once it has invited Dr Anne Leroy (`message`: its own)."""
    manufacturer = browser.new_context(base_url=base_url, locale="en-GB").new_page()
    sign_in(manufacturer)
    manufacturer.goto(f"/requests/{dossier_id}/steps/hcp-support")
    type_into(manufacturer, "#invite-clinician_name", "Dr Anne Leroy")
    type_into(manufacturer, "#invite-email", "anne.leroy@necker.example")
    type_into(manufacturer, "#invite-role", "Paediatric cardiac surgeon")
    if message:
        type_into(manufacturer, "#invite-message", message["message"])
    press_button(manufacturer, "button[formaction$='/invitations']")
    assert "Sent" in manufacturer.content()
    return manufacturer


def test_a_clinician_follows_the_invite_link_and_sends_a_letter(
    browser, base_url, live_app, awaiting_letters, tmp_path
):
    manufacturer = manufacturer_inviting(
        browser, base_url, awaiting_letters, message="Your letter would help the child."
    )
    assert_accessible(manufacturer, "hcp-support-invitation-sent")
    # "Cancel" asks first; "Keep it" changes nothing (by keyboard).
    press_button(manufacturer, "button[formaction$='/revoke']")
    assert "Cancel the invitation to Dr Anne Leroy?" in manufacturer.content()
    assert_accessible(manufacturer, "revoke-invitation")
    press_button(manufacturer, "main form button[value=no]")
    assert manufacturer.url.endswith("/steps/hcp-support#invitations")

    clinician = browser.new_context(base_url=base_url, locale="en-GB").new_page()
    clinician.goto(emailed_link(live_app))
    assert "VentriAssist Mini" in clinician.content()
    assert_accessible(clinician, "clinician-page")
    # A file above the limit, chosen: the field is in error (aria-invalid) until it is not.
    too_big = tmp_path / "scan.pdf"
    too_big.write_bytes(b"%PDF-1.4\n" + b"0" * live_app.config["MAX_UPLOAD_BYTES"] + b"\n%%EOF")
    choose_file(clinician, "#file", str(too_big))
    expect(clinician.locator("#file")).to_have_attribute("aria-invalid", "true")
    clinician.set_input_files("#file", [])
    expect(clinician.locator("#file-size-error")).to_have_count(0)
    assert clinician.get_attribute("#file", "aria-invalid") is None
    # A browser's navigation (its fetch metadata says so) counts as opening the link.
    manufacturer.reload()
    assert "Opened on" in manufacturer.content()
    type_into(clinician, "#author_name", "Dr Anne Leroy")
    type_into(clinician, "#author_rpps", "12345678901")
    press_button(clinician, "form button[type=submit]")
    assert "There is a problem" in clinician.content()
    assert clinician.evaluate("document.activeElement.matches('[data-error-summary]')")
    assert_accessible(clinician, "clinician-page-errors")

    letter = tmp_path / "letter.pdf"
    letter.write_bytes(minimal_pdf("Signed letter"))
    write_the_letter(clinician)
    # A file above the limit is refused when chosen, before minutes of sending it.
    choose_file(clinician, "#file", str(too_big))
    expect(clinician.locator("#file-size-error")).to_contain_text("must be smaller than")
    assert clinician.input_value("#file") == ""
    assert_accessible(clinician, "clinician-file-too-big")
    # Sent all the same: refused for its size, said beside the field and in the summary (not
    # as if no file had been chosen), what was typed kept.
    press_button(clinician, "form button[type=submit]")
    summary = clinician.inner_text(".error-summary")
    assert "scan.pdf: The selected file must be smaller than" in summary
    assert "Choose a PDF file" not in summary
    expect(clinician.locator("#urgency_statement")).to_have_value(
        "The child will not survive the wait."
    )
    choose_file(clinician, "#file", str(letter))
    expect(clinician.locator("#file-size-error")).to_have_count(0)
    tick(clinician, "#is_author")
    press_button(clinician, "form button[type=submit]")
    assert "Thank you" in clinician.content()
    assert_accessible(clinician, "clinician-thank-you")

    # Opened again from its email by who sent the letter: their thank-you page.
    clinician.goto(emailed_link(live_app))
    assert "Thank you" in clinician.content()
    # The link works once: from another browser, it is used.
    elsewhere = browser.new_context(base_url=base_url, locale="en-GB").new_page()
    elsewhere.goto(emailed_link(live_app))
    assert "already been used" in elsewhere.content()
    assert_accessible(elsewhere, "clinician-link-used")

    manufacturer.reload()
    assert "Letter received" in manufacturer.content()
    assert_accessible(manufacturer, "hcp-support-letter-received")
    tab_to(manufacturer, "button[value=continue]")


def test_a_link_that_stops_working_while_the_page_is_open_says_so_at_once(
    browser, base_url, live_app, awaiting_letters
):
    """The manufacturer cancels the invitation (or submits, or deletes the request) while
    the professional writes: their next answer checked says, on the page and in its live
    region, that the letter can no longer be sent, rather than "will be checked later"."""
    from sqlalchemy import update

    from wizard.models import Invitation

    manufacturer_inviting(browser, base_url, awaiting_letters)
    clinician = browser.new_context(base_url=base_url, locale="en-GB").new_page()
    clinician.goto(emailed_link(live_app))
    type_into(clinician, "#author_name", "Dr Anne Leroy")
    with live_app.app_context():
        db.session.execute(
            update(Invitation)
            .where(Invitation.dossier_id == awaiting_letters)
            .values(state="revoked")
        )
        db.session.commit()
    type_into(clinician, "#specialty", "Paediatric cardiac surgery")
    with clinician.expect_response("**/check"):
        clinician.keyboard.press("Tab")
    notice = clinician.locator("main .cannot-save-notice")
    expect(notice).to_contain_text("This link no longer works")
    expect(clinician.locator("#live-status")).to_contain_text("This link no longer works")
    # Beside the question just answered too: the notice at the top is out of sight on a phone.
    beside = clinician.locator("#specialty").locator(
        "xpath=ancestor::*[contains(@class,'field')][1]"
    )
    expect(beside.locator(".cannot-save-message")).to_contain_text("This link no longer works")
    assert_accessible(clinician, "clinician-link-closed-while-open")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_changing_language_on_the_letter_page_keeps_what_was_typed(
    browser, base_url, live_app, awaiting_letters, javascript
):
    manufacturer_inviting(browser, base_url, awaiting_letters)
    context = browser.new_context(base_url=base_url, locale="en-GB", java_script_enabled=javascript)
    clinician = context.new_page()
    clinician.goto(emailed_link(live_app))
    type_into(clinician, "#author_name", "Dr Anne Leroy")
    type_into(clinician, "#urgency_statement", "The child will not survive the wait.")
    press_button(clinician, "header button[name=switch_language]")
    assert clinician.locator("html").get_attribute("lang") == "fr"
    expect(clinician.locator("#author_name")).to_have_value("Dr Anne Leroy")
    expect(clinician.locator("#urgency_statement")).to_have_value(
        "The child will not survive the wait."
    )
    assert "Ce que vous avez saisi sur cette page est repris" in clinician.content()
    if javascript:  # axe runs in the page (the same markup)
        assert_accessible(clinician, "clinician-page-in-french")


def test_a_file_dropped_by_the_language_switch_is_said_first(
    browser, base_url, live_app, awaiting_letters, tmp_path
):
    """The switch sends what was typed, not the file chosen (app.js): the page that comes back
    says so where the focus is, not in a note further down that nobody is taken to."""
    manufacturer_inviting(browser, base_url, awaiting_letters)
    context = browser.new_context(base_url=base_url, locale="en-GB")
    clinician = context.new_page()
    clinician.goto(emailed_link(live_app))
    type_into(clinician, "#author_name", "Dr Anne Leroy")
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(minimal_pdf("Signed letter"))
    choose_file(clinician, "#file", str(letter))
    press_button(clinician, "header button[name=switch_language]")
    assert clinician.evaluate("document.activeElement.matches('.notice')")
    focused = clinician.evaluate("document.activeElement.textContent")
    assert "Le fichier que vous veniez de choisir n’a pas été envoyé" in focused
    expect(clinician.locator("#author_name")).to_have_value("Dr Anne Leroy")
    assert_accessible(clinician, "clinician-file-dropped-by-language")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_enter_in_a_one_line_answer_sends_the_letter_form_not_the_language_switch(
    browser, base_url, live_app, awaiting_letters, javascript
):
    """The header's switch is a button of the letter's form, found before its own: Enter sends
    the form (here refused, the letter missing), the page staying in its language."""
    manufacturer_inviting(browser, base_url, awaiting_letters)
    context = browser.new_context(base_url=base_url, locale="en-GB", java_script_enabled=javascript)
    clinician = context.new_page()
    clinician.goto(emailed_link(live_app))
    type_into(clinician, "#author_name", "Dr Anne Leroy")
    clinician.locator("#author_name").press("Enter")
    clinician.wait_for_load_state()
    assert clinician.locator("html").get_attribute("lang") == "en"
    expect(clinician.locator(".error-summary")).to_be_visible()
    expect(clinician.locator("#author_name")).to_have_value("Dr Anne Leroy")
    assert "Ce que vous avez saisi" not in clinician.content()


def test_a_letter_stopped_by_a_change_of_the_request_names_and_marks_what_changed(
    browser, base_url, live_app, awaiting_letters, tmp_path
):
    from wizard.demo import sample_answers
    from wizard.filing import service as filing

    manufacturer_inviting(browser, base_url, awaiting_letters)
    clinician = browser.new_context(base_url=base_url, locale="en-GB").new_page()
    clinician.goto(emailed_link(live_app))
    with live_app.app_context():  # the manufacturer renames the device meanwhile
        device = {**sample_answers()["device"], "trade_name": "VentriAssist Maxi"}
        filing.save_step(db.session.get(Dossier, awaiting_letters), "device", device)
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(minimal_pdf("Signed letter"))
    type_into(clinician, "#author_name", "Dr Anne Leroy")
    write_the_letter(clinician)
    choose_file(clinician, "#file", str(letter))
    tick(clinician, "#is_author")
    press_button(clinician, "form button[type=submit]")
    expect(clinician.locator("main [role=alert]")).to_contain_text("changed the device while")
    expect(clinician.locator("dd", has_text="VentriAssist Maxi")).to_contain_text("Changed")
    assert_accessible(clinician, "clinician-request-changed")
