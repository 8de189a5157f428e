"""A question that applies only after a given answer shows once that answer is chosen (with
JavaScript; without it, every question shows and says when it applies); the error summary
follows the answers corrected since the form was sent."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.keyboard import choose_radio, press_button, type_into
from tests.browser.test_pages import sign_in
from tests.conftest import dossier_with, make_user

EMAIL = "shown@cardiotech.example"
LEGACY = ("legacy_certificate_number", "legacy_certificate_expiry", "legacy_notified_body")


@pytest.fixture
def situation(app) -> str:
    with app.app_context():
        user = make_user(EMAIL)
        draft = dossier_with(user.id, steps=["before-you-start"], files=False)
    return f"/requests/{draft}/steps/situation"


def shown(page, name: str) -> bool:
    return page.is_visible(f"#field-{name}")


def assert_shown(page, *names: str) -> None:
    """Waits for it: a live check's answer may still be on its way."""
    for name in names:
        expect(page.locator(f"#field-{name}")).to_be_visible()


def assert_hidden(page, *names: str) -> None:
    for name in names:
        expect(page.locator(f"#field-{name}")).to_be_hidden()


def test_questions_show_once_the_answer_they_follow_is_chosen(page, situation):
    sign_in(page, EMAIL)
    page.goto(situation)
    assert shown(page, "reason") and shown(page, "mdr_application_date")
    assert not any(shown(page, name) for name in ("reason_other", *LEGACY, "written_agreement"))

    choose_radio(page, "reason", "other")
    assert_shown(page, "reason_other")
    assert_hidden(page, "legacy_certificate_number")
    choose_radio(page, "reason", "certificate_expired")
    assert_hidden(page, "reason_other", "written_agreement_date")
    assert_shown(page, *LEGACY, "written_agreement")
    # Its live check (sent after a pause) redraws the question: awaited, so that it does not
    # land while the keyboard moves on (the focus would be lost mid-way).
    with page.expect_response(
        lambda response: (
            "validate" in response.url
            and response.request.headers.get("hx-trigger-name") == "written_agreement"
        )
    ):
        choose_radio(page, "written_agreement", "yes")
    expect(page.locator(".htmx-request")).to_have_count(0)
    assert_shown(page, "written_agreement_date")
    assert_accessible(page, "situation-questions-that-apply")
    # The agreement date follows a question that no longer applies: hidden with it.
    choose_radio(page, "reason", "never_certified")
    assert_hidden(page, "written_agreement", "written_agreement_date")
    # The legacy certificate's group goes with its questions, as does the other certificate's;
    # the MDR application, asked of every device, stays, outside them.
    groups = page.locator("fieldset.fieldset--group")
    expect(groups).to_have_count(2)
    expect(groups.nth(0)).to_be_hidden()
    expect(groups.nth(1)).to_be_hidden()
    assert_shown(page, "mdr_application_date")
    # A certificate its notified body withdrew: that certificate, its date and the grounds.
    choose_radio(page, "reason", "certificate_withdrawn")
    expect(groups.nth(1)).to_be_visible()
    assert_shown(page, "certificate_number", "certificate_body", "certificate_date")
    assert_shown(page, "withdrawal_grounds")
    assert_hidden(page, *LEGACY)
    choose_radio(page, "reason", "other_purpose")  # CE marked for another use: no date
    assert_hidden(page, "certificate_date", "withdrawal_grounds")
    assert_shown(page, "certificate_number", "certificate_body")


def test_the_answer_that_shows_a_question_says_so_to_screen_readers(page, situation):
    """Each answer that shows a question controls it (aria-controls); the other answers say
    nothing of it. A radio cannot say it is expanded (ARIA): the question comes next."""
    sign_in(page, EMAIL)
    page.goto(situation)
    other = page.locator("input[name=reason][value=other]")
    expect(other).to_have_attribute("aria-controls", "field-reason_other")
    expired = page.locator("input[name=reason][value=certificate_expired]")
    controlled = expired.get_attribute("aria-controls").split()
    assert {f"field-{name}" for name in (*LEGACY, "written_agreement")} <= set(controlled)
    assert "field-reason_other" not in controlled
    assert page.locator("input[name=reason][value=never_certified][aria-controls]").count() == 0

    choose_radio(page, "reason", "certificate_expired")
    agreed = page.locator("input[name=written_agreement][value=yes]")
    expect(agreed).to_have_attribute("aria-controls", "field-written_agreement_date")
    choose_radio(page, "written_agreement", "yes")
    assert_shown(page, "written_agreement_date")
    # A live check replaces the question's block: the attribute comes back with it.
    page.keyboard.press("Tab")
    expect(page.locator(".htmx-request")).to_have_count(0)
    expect(agreed).to_have_attribute("aria-controls", "field-written_agreement_date")
    assert page.locator("[aria-expanded]").count() == 0
    assert_accessible(page, "situation-answers-that-show-questions")


def test_without_javascript_every_question_shows(page_without_js, situation):
    sign_in(page_without_js, EMAIL)
    page_without_js.goto(situation)
    for name in ("reason_other", *LEGACY, "written_agreement", "written_agreement_date"):
        assert shown(page_without_js, name), name


def test_the_error_summary_keeps_only_what_is_still_wrong(page, situation):
    sign_in(page, EMAIL)
    page.goto(situation)
    choose_radio(page, "reason", "certificate_expired")
    press_button(page, "button[value=continue]")
    summary = page.locator(".error-summary li")
    assert summary.count() == 4 and page.title().startswith("Error:")

    type_into(page, "#legacy_certificate_number", "CERT-2019-0042")
    page.keyboard.press("Tab")  # leaving the field checks it
    expect(summary).to_have_count(3)
    assert page.locator(".error-summary a[href='#legacy_certificate_number']").count() == 0

    choose_radio(page, "reason", "never_certified")  # the other three no longer apply
    expect(page.locator(".error-summary")).to_have_count(0)
    assert not page.title().startswith("Error:")


def test_a_list_that_shows_questions_controls_them(page, app):
    """The manufacturer's country (a list) shows the representative's questions when outside
    the EEA: the list controls them, whatever its answer."""
    with app.app_context():
        user = make_user("country@cardiotech.example")
        draft = dossier_with(user.id, steps=["before-you-start", "situation"], files=False)
    sign_in(page, "country@cardiotech.example")
    page.goto(f"/requests/{draft}/steps/manufacturer")
    country = page.locator("select[name=country]")
    controlled = country.get_attribute("aria-controls").split()
    assert {"field-representative_name", "field-representative_srn"} <= set(controlled)
    assert_hidden(page, "representative_name")
    country.select_option("CH")
    assert_shown(page, "representative_name", "representative_srn")
    assert_accessible(page, "manufacturer-country-controls")


@pytest.fixture
def french_manufacturer(app) -> str:
    """The manufacturer step already answered for a manufacturer in France (inside the EEA)."""
    with app.app_context():
        user = make_user("group@cardiotech.example")
        draft = dossier_with(
            user.id, steps=["before-you-start", "situation", "manufacturer"], files=False
        )
    return f"/requests/{draft}/steps/manufacturer"


def representative_group(page):
    return page.locator("fieldset.fieldset--group").filter(
        has=page.locator("#field-representative_name")
    )


def test_a_group_whose_questions_do_not_apply_is_hidden_with_them(page, french_manufacturer):
    """The authorised representative's questions apply only outside the EEA: for France
    their group (its legend and its hint) is hidden too, not left as an empty heading, and
    is shown again with them for a country outside the EEA."""
    sign_in(page, "group@cardiotech.example")
    page.goto(french_manufacturer)
    assert page.locator("select[name=country]").input_value() == "FR"
    screenshot(page, "manufacturer-france-group")
    group = representative_group(page)
    expect(group).to_be_hidden()
    expect(group).to_have_attribute("hidden", "")
    assert_hidden(page, "representative_name", "representative_srn")
    expect(page.get_by_role("group", name="Authorised representative")).to_have_count(0)
    expect(page.get_by_role("group", name="Contact person")).to_be_visible()

    page.locator("select[name=country]").select_option("CH")
    expect(group).to_be_visible()
    assert_shown(page, "representative_name", "representative_srn")
    expect(page.get_by_text("Only if the manufacturer is established outside")).to_be_visible()
    expect(page.get_by_role("group", name="Authorised representative")).to_be_visible()
    assert_accessible(page, "manufacturer-outside-eea-group")

    page.locator("select[name=country]").select_option("DE")
    expect(group).to_be_hidden()
    assert_hidden(page, "representative_name", "representative_srn")
    assert_accessible(page, "manufacturer-inside-eea-group")


def test_a_group_shows_whatever_its_questions_say_without_javascript(
    page_without_js, french_manufacturer
):
    sign_in(page_without_js, "group@cardiotech.example")
    page_without_js.goto(french_manufacturer)
    group = representative_group(page_without_js)
    expect(group).to_be_visible()
    expect(group.locator("legend")).to_have_text("Authorised representative")
    expect(group.get_by_text("Only if the manufacturer is established outside")).to_be_visible()
    for name in ("representative_name", "representative_srn"):
        assert shown(page_without_js, name), name


def test_a_class_one_device_is_asked_no_application_when_none_is_needed(page, app):
    """The application's date and the notified body's number show once an application is
    lodged or planned (the number then asked only of a lodged one), and go with "None is
    needed", which only a class I device may choose."""
    from tests.flow.test_class_one import class_one_request

    with app.app_context():
        user = make_user("class-one@cardiotech.example")
        draft = class_one_request(app, (user.id,))
    sign_in(page, "class-one@cardiotech.example")
    page.goto(f"/requests/{draft}/steps/certification")
    assert_hidden(page, "nb_application_date", "nb_number")
    number = page.locator("#nb_number")
    choose_radio(page, "nb_application", "planned")
    assert_shown(page, "nb_application_date", "nb_number")
    expect(number).not_to_have_attribute("aria-required", "true")
    choose_radio(page, "nb_application", "lodged")
    expect(number).to_have_attribute("aria-required", "true")
    choose_radio(page, "nb_application", "not_needed")
    assert_hidden(page, "nb_application_date", "nb_number")
    assert_accessible(page, "certification-class-one")
