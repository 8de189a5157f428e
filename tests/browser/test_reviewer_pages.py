"""An agency reviewer works a request with the keyboard only: queue, review page, an action
with an error, a conditional authorisation that the manufacturer then reads. Every page passes
axe-core."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.keyboard import choose_radio, press_button, tab_to, type_into
from tests.browser.test_pages import sign_in
from tests.conftest import dossier_with, login, make_user
from tests.review.support import act, document, questions, reply
from tests.review.test_parallel_questions import second_reviewer
from wizard import clock
from wizard.models import Role


@pytest.fixture
def filed(app):
    with app.app_context():
        owner = make_user("pages@cardiotech.example")
        make_user("rita@ansm.example", role=Role.REVIEWER)
        return dossier_with(owner.id, "global", submit=True)


def open_action(page, name: str) -> None:
    tab_to(page, f"#action-{name} summary")
    page.keyboard.press("Enter")


def test_a_reviewer_authorises_with_conditions_and_the_manufacturer_reads_them(
    browser, base_url, filed
):
    reviewer = browser.new_context(base_url=base_url, locale="en-GB").new_page()
    sign_in(reviewer, "rita@ansm.example")
    assert reviewer.url.endswith("/review")
    assert_accessible(reviewer, "review-queue")
    reviewer.goto("/account")  # their name and title, read only
    assert "stated on the decisions you sign" in reviewer.content()
    assert_accessible(reviewer, "reviewer-account")
    reviewer.goto("/review")
    press_button(reviewer, f"a[href='/review/requests/{filed}']")
    assert_accessible(reviewer, "review-request")
    # The device and its manufacturer, heard apart in the page's heading.
    heading = reviewer.get_by_role("heading", level=1)
    expect(heading).to_have_accessible_name(re.compile(r"^VentriAssist Mini ?, \S"))

    # A note for the other reviewers, by keyboard: refused empty (the summary takes the
    # focus), then added: the focus is on it.
    tab_to(reviewer, "#notes-title + p + details summary")
    reviewer.keyboard.press("Enter")
    press_button(reviewer, "form[action$='/notes'] button")
    expect(reviewer.locator(".error-summary")).to_be_focused()
    assert_accessible(reviewer, "review-note-error")
    type_into(reviewer, "#note-text", "Called the manufacturer: CER v2 next week.")
    press_button(reviewer, "form[action$='/notes'] button")
    # The confirmation, said where the page comes back to (JavaScript off too), has the focus.
    expect(reviewer.locator("#notes .notice[role=status]")).to_be_focused()
    expect(reviewer.locator("#notes .notice")).to_contain_text("Only ANSM's reviewers see it.")
    assert_accessible(reviewer, "review-note-added")

    # Taken by keyboard: the confirmation, in the row saying who handles it, has the focus.
    press_button(reviewer, "#assignment form button")
    expect(reviewer.locator("#assignment .notice[role=status]")).to_be_focused()
    expect(reviewer.locator("#assignment")).to_contain_text("Claire Martin (you)")
    assert_accessible(reviewer, "review-handled-by-me")

    open_action(reviewer, "start-review")  # taken up without a note: the note is optional
    press_button(reviewer, "#action-start-review button[type=submit]")
    assert "Under review" in reviewer.content()

    # A professional's address is asked for once a professional is chosen to answer.
    open_action(reviewer, "request-information")
    address = reviewer.locator("#field-request-information-hcp_email")
    choose_radio(reviewer, "request-information-addressee", "manufacturer")
    expect(address).to_be_hidden()
    letter = reviewer.get_attribute(
        "[name='request-information-addressee'][value^=letter-]", "value"
    )
    choose_radio(reviewer, "request-information-addressee", letter)
    expect(address).to_be_visible()
    open_action(reviewer, "request-information")  # closed again

    open_action(reviewer, "authorise")
    press_button(reviewer, "#action-authorise button[type=submit]")  # no grounds given
    assert "There is a problem" in reviewer.content()
    assert_accessible(reviewer, "review-action-error")
    if not reviewer.is_visible("#authorise-reason"):  # the form reopens with its errors
        open_action(reviewer, "authorise")
    start = clock.today()  # in force at once: the manufacturer reports patients below
    end = start + timedelta(days=180)
    fields = {
        "period_start": f"{start.month:02d}{start.day:02d}{start.year}",
        "period_end": f"{end.month:02d}{end.day:02d}{end.year}",
    }
    for name, typed in fields.items():
        tab_to(reviewer, f"#authorise-{name}")
        reviewer.keyboard.type(typed)
    type_into(reviewer, "#authorise-indication", "Insuffisance cardiaque terminale de l’enfant.")
    type_into(reviewer, "#authorise-max_patients", "8")
    type_into(reviewer, "#authorise-follow_up", "Monthly report of every implanted patient.")
    choose_radio(reviewer, "authorise-report_every", "1")  # reports at set dates, monthly
    type_into(reviewer, "#authorise-reason", "Benefit outweighs the risk for these children.")
    press_button(reviewer, "#action-authorise button[type=submit]")
    # Read back before it is signed: nothing is decided yet.
    assert "Check the decision before it is signed" in reviewer.content()
    read_back = reviewer.inner_text("main")
    assert "Monthly report of every implanted patient." in read_back and "8" in read_back
    assert "Every month" in read_back
    assert "A follow-up report is sent to ANSM through the portal every month" in read_back
    assert "Insuffisance cardiaque terminale de l’enfant." in read_back  # ANSM’s words
    assert_accessible(reviewer, "review-check-decision")
    # Changed: back on the request's page at the action's form, open, what was typed kept.
    press_button(reviewer, "button[value=change]")
    assert reviewer.evaluate("() => document.activeElement.id") == "action-authorise"
    assert reviewer.input_value("#authorise-max_patients") == "8"
    press_button(reviewer, "#action-authorise button[type=submit]")
    assert "Check the decision before it is signed" in reviewer.content()
    press_button(reviewer, "button[value=sign]")
    assert "Authorised" in reviewer.content()
    # The message saying it is done has the focus: it is read, and Tab goes on from it.
    assert reviewer.evaluate("() => document.activeElement.matches('.notice[role=status]')")
    assert_accessible(reviewer, "review-authorised")

    manufacturer = browser.new_context(base_url=base_url, locale="en-GB").new_page()
    sign_in(manufacturer)
    assert "Authorised" in manufacturer.content()
    assert_accessible(manufacturer, "dashboard-authorised")
    manufacturer.goto(f"/requests/{filed}/submitted")
    text = manufacturer.inner_text("main")
    assert "8" in text and "Monthly report of every implanted patient." in text
    assert "Your next report is due by" in text and "Reports due" in text
    assert_accessible(manufacturer, "manufacturer-conditions")

    # A follow-up report, by keyboard: refused empty (said beside each question), then sent.
    tab_to(manufacturer, "#reports summary")
    manufacturer.keyboard.press("Enter")
    press_button(manufacturer, "#reports button[type=submit]")
    assert "There is a problem" in manufacturer.content()
    assert_accessible(manufacturer, "manufacturer-report-error")
    type_into(manufacturer, "#report-patients_treated", "3")
    # The new date CE marking is expected by is asked once its answer is chosen.
    expect(manufacturer.locator("#report-ce_expected_on")).to_be_hidden()
    choose_radio(manufacturer, "report-certification", "delayed")
    expect(manufacturer.locator("#report-ce_expected_on")).to_be_visible()
    expect(manufacturer.locator("#report-certificate_number")).to_be_hidden()
    expected = clock.today() + timedelta(days=500)
    tab_to(manufacturer, "#report-ce_expected_on")
    manufacturer.keyboard.type(f"{expected.month:02d}{expected.day:02d}{expected.year}")
    type_into(manufacturer, "#report-message", "Three children implanted; no incident.")
    press_button(manufacturer, "#reports button[type=submit]")
    assert "Your report has been sent to ANSM." in manufacturer.content()
    assert "CE marking now expected by" in manufacturer.inner_text("#reports")
    assert "Report no. 1, sent on" in manufacturer.inner_text("#reports table")  # a date met
    assert_accessible(manufacturer, "manufacturer-report-sent")
    reviewer.goto(f"/review/requests/{filed}")
    assert "Three children implanted; no incident." in reviewer.inner_text("main")
    assert_accessible(reviewer, "review-follow-up-report")

    # Not read yet: the queue says so and lists it alone; marked read by keyboard, the
    # focus is on the report, which says by whom.
    reviewer.goto("/review")
    assert "1 report not read yet" in reviewer.inner_text("main")
    tab_to(reviewer, "main a[href*='unread=y']")
    reviewer.keyboard.press("Enter")
    reviewer.wait_for_url(re.compile(r"unread=y"))
    expect(reviewer.locator("#unread")).to_be_checked()
    assert "Handled by Claire Martin" in reviewer.inner_text("main table")
    assert_accessible(reviewer, "review-queue-unread")
    tab_to(reviewer, "main table a")
    reviewer.keyboard.press("Enter")
    reviewer.wait_for_url(re.compile(r"/review/requests/\d+$"))
    press_button(reviewer, "form[action$='/read'] button")
    expect(reviewer.locator("#reports .notice[role=status]")).to_be_focused()
    expect(reviewer.locator("#reports .notice")).to_contain_text("Done: report no. 1 is marked")
    assert "Read by Claire Martin on" in reviewer.inner_text("main")
    assert_accessible(reviewer, "review-follow-up-report-read")
    manufacturer.goto(f"/requests/{filed}/submitted")
    assert "Read by ANSM on" in manufacturer.inner_text("main")


def test_a_reviewer_asks_the_manufacturer_and_a_professional_at_once(browser, base_url, filed):
    reviewer = browser.new_context(base_url=base_url, locale="en-GB").new_page()
    sign_in(reviewer, "rita@ansm.example")
    reviewer.goto(f"/review/requests/{filed}")
    open_action(reviewer, "start-review")
    press_button(reviewer, "#action-start-review button[type=submit]")

    open_action(reviewer, "request-information")
    type_into(reviewer, "#request-information-message", "Send the latest vigilance report.")
    press_button(reviewer, "#action-request-information button[type=submit]")
    assert "Information requested" in reviewer.content()

    # The manufacturer's question waits: the same action asks someone else.
    summary = reviewer.locator("#action-request-information summary")
    expect(summary).to_have_text("Ask someone else too")
    open_action(reviewer, "request-information")
    letter = reviewer.get_attribute("[name='request-information-addressee']", "value")
    assert letter.startswith("letter-")  # the manufacturer is not offered again
    choose_radio(reviewer, "request-information-addressee", letter)
    type_into(reviewer, "#request-information-hcp_email", "anne.leroy@necker.example")
    type_into(reviewer, "#request-information-message", "How many patients this year?")
    press_button(reviewer, "#action-request-information button[type=submit]")
    thread = reviewer.inner_text("main")
    assert "Send the latest vigilance report." in thread and "How many patients" in thread
    assert "Also asked" in thread  # the audit trail
    assert_accessible(reviewer, "review-two-questions-waiting")

    # The manufacturer's page says who else ANSM waits for, and so does its withdrawal form.
    manufacturer = browser.new_context(base_url=base_url, locale="en-GB").new_page()
    sign_in(manufacturer, "pages@cardiotech.example")
    manufacturer.goto(f"/requests/{filed}/submitted")
    tab_to(manufacturer, "#withdraw-title + details summary")
    manufacturer.keyboard.press("Enter")
    warning = manufacturer.locator("form[action$=withdraw] .notice--warning")
    expect(warning).to_contain_text("ANSM is still waiting for an answer from:")
    expect(warning).to_contain_text("Dr Anne Leroy, asked on")
    assert_accessible(manufacturer, "withdrawal-warns-of-answers-awaited")

    # Their answer sent, the page's top says the review still awaits the professional's (and
    # takes the focus); the history lists both questions and the answer.
    type_into(manufacturer, "#reply-message", "The vigilance report is attached.")
    press_button(manufacturer, "form[action$='/reply'] button[type=submit]")
    notice = manufacturer.locator(".notice[role=status]")
    expect(notice).to_contain_text("ANSM resumes its review once Dr Anne Leroy has answered too")
    assert manufacturer.evaluate("() => document.activeElement.matches('.notice[role=status]')")
    history = manufacturer.inner_text("section[aria-labelledby=history-title]")
    assert "ANSM asked Dr Anne Leroy, who wrote a letter, for more information." in history
    assert "answered ANSM's question." in history
    assert_accessible(manufacturer, "answered-a-professional-awaited")

    # The professional's address was mistyped: the reviewer withdraws that question, by
    # keyboard, and the review resumes (nothing else is awaited).
    reviewer.reload()
    tab_to(reviewer, "article details summary")
    expect(reviewer.locator("article details summary")).to_have_text(
        "Withdraw the question to Dr Anne Leroy"
    )
    reviewer.keyboard.press("Enter")
    assert_accessible(reviewer, "review-withdraw-question")
    press_button(reviewer, "article details button[type=submit]")
    expect(reviewer.locator(".notice[role=status]")).to_contain_text(
        "the question to Dr Anne Leroy is withdrawn"
    )
    assert "Under review" in reviewer.content()
    assert "Withdrawn by ANSM on" in reviewer.inner_text("main")
    assert_accessible(reviewer, "review-question-withdrawn")


def test_an_answer_that_came_while_the_reviewer_wrote_a_refusal_is_shown_first(
    app, browser, base_url, filed
):
    reviewer = browser.new_context(base_url=base_url, locale="en-GB").new_page()
    sign_in(reviewer, "rita@ansm.example")
    reviewer.goto(f"/review/requests/{filed}")
    open_action(reviewer, "start-review")
    press_button(reviewer, "#action-start-review button[type=submit]")
    open_action(reviewer, "refuse")
    type_into(reviewer, "#refuse-reason", "No clinical data on children.")

    # Meanwhile a colleague asks the manufacturer, who answers with a document.
    colleague = second_reviewer(app)
    assert act(colleague, filed, "request-information").status_code == 303
    manufacturer = app.test_client()
    login(manufacturer, "pages@cardiotech.example")
    with app.app_context():
        question_id = questions(filed)[0].id
    assert (
        reply(manufacturer, filed, question_id, files=[document("children.pdf")]).status_code == 303
    )

    press_button(reviewer, "#action-refuse button[type=submit]")
    main = reviewer.locator("main")
    expect(main).to_contain_text("Nothing was signed: the request changed since you opened")
    expect(main).to_contain_text("Answer to ANSM's question sent")
    expect(main).to_contain_text("Document uploaded: children.pdf")
    expect(reviewer.locator("#refuse-reason")).to_have_value("No clinical data on children.")
    assert_accessible(reviewer, "review-changed-since-opened")


def test_the_queues_filtered_results_are_read_first_at_any_zoom(browser, base_url, filed):
    """Applying the filters (or a status) brings the page back at its top, under a form as
    tall as several screens at 400 %: the results' heading takes the focus, in view, and
    their count starts the title."""
    context = browser.new_context(base_url=base_url, viewport={"width": 320, "height": 256})
    page = context.new_page()
    sign_in(page, "rita@ansm.example")
    assert page.title().startswith("Review queue")  # nothing filtered: the page's top
    page.select_option("#access_type", "global")
    press_button(page, "form.filters button[type=submit]")
    assert page.title().startswith("1 request – Review queue")
    focused = page.evaluate("document.activeElement.id")
    assert focused == "results-title"
    top = page.evaluate("document.activeElement.getBoundingClientRect().top")
    assert 0 <= top < 256, top
    assert_accessible(page, "queue-filtered-400")
    context.close()
