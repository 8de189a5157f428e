"""A live check's answer redraws the question it checked and those whose rules read it, with
the answers as they were sent: an answer the person changed meanwhile is never put back to
what it was (the check came back late: slow network, fast typing, autofill)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect
from sqlalchemy import update

from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import press_button, sign_in, type_into
from tests.conftest import PASSWORD, dossier_with, make_user
from wizard.demo import sample_declaration
from wizard.extensions import db
from wizard.filing import service
from wizard.models import Dossier, User

EMAIL = "late@cardiotech.example"


def signed_in_at(page, app, email: str, step_id: str, **dossier) -> int:
    """A manufacturer (`email`) signed in, on `step_id` of a request of theirs with every
    step answered (`dossier`: what `dossier_with` is told besides) and no files: its id."""
    with app.app_context():
        user = make_user(email)
        draft = dossier_with(user.id, files=False, **dossier)
    sign_in(page, email)
    page.goto(f"/requests/{draft}/steps/{step_id}")
    return draft


def held_checks(page, field: str) -> list:
    """The live checks of `field`, held until the test lets them go (`route.continue_()`)."""
    held = []

    def route(route):
        if route.request.headers.get("hx-trigger-name") == field:
            held.append(route)
        else:
            route.continue_()

    page.route("**/validate", route)
    return held


def test_an_answer_changed_while_another_was_checked_is_kept(page, app):
    with app.app_context():
        user = make_user(EMAIL)
        draft = dossier_with(user.id, files=False)  # every step answered, the period too
    sign_in(page, EMAIL)
    page.goto(f"/requests/{draft}/steps/period")
    saved_start, saved_end = (
        date.fromisoformat(page.input_value(f"#{name}")) for name in ("start_date", "end_date")
    )
    start, end = str(saved_start - timedelta(days=1)), str(saved_end + timedelta(days=30))
    held = held_checks(page, "start_date")

    page.fill("#start_date", start)
    page.locator("#start_date").blur()  # its check leaves, and is held
    page.wait_for_timeout(200)
    assert len(held) == 1
    page.fill("#end_date", end)  # meanwhile, the end
    page.locator("#end_date").blur()
    held[0].continue_()  # the start's check comes back, redrawing the end as it was sent
    page.wait_for_timeout(800)
    expect(page.locator("#end_date")).to_have_value(end)
    expect(page.locator(".field--error")).to_have_count(0)

    # Saved, the end typed last is what the request holds.
    page.click("button[value=continue]")
    expect(page.locator("h1")).not_to_have_text("Period requested")
    page.goto(f"/requests/{draft}/steps/period")
    expect(page.locator("#start_date")).to_have_value(start)
    expect(page.locator("#end_date")).to_have_value(end)


def test_an_error_a_change_elsewhere_takes_away_is_said_gone(page, app):
    """The start moved after the end: the end's error is said. The start moved back, the
    end's error goes from the page, and the live region says so: the person is in the start
    and would not otherwise know the error they heard of has gone."""
    signed_in_at(page, app, "gone@cardiotech.example", "period")
    start, end = (page.input_value(f"#{name}") for name in ("start_date", "end_date"))
    later = str(date.fromisoformat(end) + timedelta(days=5))

    def start_at(day: str) -> None:
        with page.expect_response("**/validate"):
            page.fill("#start_date", day)
            page.locator("#start_date").blur()

    start_at(later)
    expect(page.locator("#end_date-error")).to_have_count(1)
    expect(page.locator("#live-status")).to_contain_text("The end must be after the start.")
    start_at(start)
    expect(page.locator("#end_date-error")).to_have_count(0)
    expect(page.locator("#live-status")).to_have_text("End of the period: no error any more.")
    # An error the person corrects in the question they are in is not said gone: they did it.
    start_at(later)
    expect(page.locator("#end_date-error")).to_have_count(1)
    with page.expect_response("**/validate"):
        page.fill("#end_date", str(date.fromisoformat(later) + timedelta(days=30)))
        page.locator("#end_date").blur()
        page.locator("#end_date").focus()
    expect(page.locator("#end_date-error")).to_have_count(0)
    expect(page.locator("#live-status")).not_to_contain_text("no error any more")


def test_the_answer_being_checked_is_not_put_back_either(page, app):
    """Typed again while its first check was on its way: the late answer is not drawn."""
    with app.app_context():
        user = make_user(EMAIL)
        draft = dossier_with(user.id, files=False)
    sign_in(page, EMAIL)
    page.goto(f"/requests/{draft}/steps/manufacturer")
    held = held_checks(page, "legal_name")
    page.fill("#legal_name", "Cardiotech")
    page.locator("#legal_name").blur()
    page.wait_for_timeout(200)
    page.fill("#legal_name", "Cardiotech Médical SAS")  # back in it, still typing
    held[0].continue_()
    page.wait_for_timeout(500)
    expect(page.locator("#legal_name")).to_have_value("Cardiotech Médical SAS")


def test_a_check_after_the_session_ended_says_the_page_can_no_longer_be_saved(page, app):
    draft = signed_in_at(page, app, "idle@cardiotech.example", "medical-need")
    page.context.clear_cookies()  # four hours without a request: the session has ended
    page.fill("#unmet_need", "Children awaiting a transplant.")
    page.locator("#unmet_need").blur()
    said = (
        "You have been signed out (after a long time without activity, or in another tab): "
        "what you type on this page can no longer be saved. Copy it, then sign in again."
    )
    expect(page.locator("#live-status")).to_have_text(said)
    # Shown too, at the top of the page: a sighted person would type on; with a way to sign
    # in again that leads back to this page.
    expect(page.locator("#main .cannot-save-notice")).to_have_text(f"{said} Sign in again")
    sign_in = page.locator("#main .cannot-save-notice a")
    assert sign_in.get_attribute("href") == f"/login?next=/requests/{draft}/steps/medical-need"
    assert_accessible(page, "live-check-signed-out")
    # Sent anyway: the page says so, and shows what was typed.
    page.click("button[value=continue]")
    expect(page.locator("h1")).to_have_text("You were signed out")
    expect(page.locator("main")).to_contain_text("Children awaiting a transplant.")
    assert_accessible(page, "signed-out-what-was-typed")


def test_a_check_after_the_request_was_submitted_elsewhere_says_so(page, app):
    """The period open in one tab, the request signed and sent in another (or by a
    colleague): the period's check, which reads the request, says the page can no longer be
    saved, not that the answer will be checked on continuing."""
    with app.app_context():
        user_id = make_user("sent@cardiotech.example").id
        draft = dossier_with(user_id)
    sign_in(page, "sent@cardiotech.example")
    page.goto(f"/requests/{draft}/steps/period")
    with app.app_context():
        owner = db.session.get(User, user_id)
        service.submit(db.session.get(Dossier, draft), owner, sample_declaration())
    page.fill("#end_date", str(date.today() + timedelta(days=120)))
    page.locator("#end_date").blur()
    said = (
        "This request has been submitted (in another tab, or by a colleague): what you type "
        "on this page can no longer be saved."
    )
    expect(page.locator("#live-status")).to_have_text(said)
    expect(page.locator("#main .cannot-save-notice")).to_have_text(said)
    assert_accessible(page, "live-check-submitted-meanwhile")


def test_signed_in_again_the_step_opens_with_what_was_sent_signed_out(page, app):
    """Signed out on another device (the cookie still names the account): the step sent is
    kept for this browser, and signing in again opens it filled in, not saved."""
    signed_in_at(page, app, "again@cardiotech.example", "medical-need")
    with app.app_context():
        db.session.execute(
            update(User)
            .where(User.email == "again@cardiotech.example")
            .values(session_epoch=User.session_epoch + 1)
        )
        db.session.commit()
    page.fill("#unmet_need", "Children awaiting a transplant.")
    page.click("button[value=continue]")
    expect(page.locator("h1")).to_have_text("You were signed out")
    expect(page.locator("main")).to_contain_text("It is kept in this browser for 24 hours")
    page.get_by_role("link", name="Sign in again").click()
    type_into(page, "#email", "again@cardiotech.example")
    type_into(page, "#password", PASSWORD)
    press_button(page, "form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Medical need")
    expect(page.locator("#unmet_need")).to_have_value("Children awaiting a transplant.")
    expect(page.locator("#main .notice--warning")).to_contain_text(
        "You were signed out before these answers were saved."
    )
    assert_accessible(page, "step-filled-in-again-after-sign-in")


def test_an_error_the_change_of_another_answer_lifts_leaves_the_page(page, app):
    """The error "Enter the SIRET number" shown for a French manufacturer: choosing another
    country takes it away from the question, the error summary and the page's title."""
    signed_in_at(page, app, "siret@cardiotech.example", "manufacturer")
    page.fill("#siret", "")
    page.click("button[value=continue]")
    expect(page.locator(".error-summary")).to_contain_text("Enter the SIRET number")
    assert page.title().startswith("Error:")
    # The summary takes the focus (`autofocus`: the browser may give it before the page's
    # scripts run); the country is chosen once the page has loaded, or a slow machine would
    # move the focus away from the list mid-choice, or htmx not yet watch the list.
    expect(page.locator(".error-summary")).to_be_focused()
    page.wait_for_load_state("load")

    page.focus("#country")
    page.select_option("#country", "DE")
    page.locator("#country").blur()  # a list is checked when left
    expect(page.locator("#field-siret")).not_to_have_class(re.compile("field--error"))
    expect(page.locator(".error-summary")).to_have_count(0)
    assert not page.title().startswith("Error:")
    # A blank question the new country asks for is not called wrong before it is reached.
    page.focus("#country")
    page.select_option("#country", "US")
    page.locator("#country").blur()
    page.wait_for_timeout(500)
    expect(page.locator(".field--error")).to_have_count(0)
    assert_accessible(page, "siret-error-lifted")


def test_a_corrected_answer_leaves_the_error_summary(page, app):
    signed_in_at(page, app, "corrected@cardiotech.example", "manufacturer")
    page.fill("#srn", "FR-XX-1")
    page.fill("#legal_name", "")
    page.click("button[value=continue]")
    expect(page.locator(".error-summary li")).to_have_count(2)
    page.fill("#srn", "FR-MF-000012345")
    page.locator("#srn").blur()
    expect(page.locator(".error-summary li")).to_have_count(1)
    expect(page.locator(".error-summary")).to_contain_text("legal name")


def test_an_answer_too_long_to_be_sent_is_said_beside_it(page, app):
    """A paste of megabytes makes the live check too heavy to be read (`TEXT_FORM_BYTES`):
    the question says so, to be shortened before the step is sent."""
    from wizard.config import TEXT_FORM_BYTES

    signed_in_at(page, app, "paste@cardiotech.example", "medical-need")
    page.fill("#unmet_need", "x" * (TEXT_FORM_BYTES + 1))
    with page.expect_response("**/validate"):
        page.locator("#unmet_need").blur()
    said = "What this page holds is too long to be sent: shorten the answer you just changed."
    expect(page.locator("#field-unmet_need .too-long-message")).to_have_text(said)
    expect(page.locator("#live-status")).to_have_text(said)
    assert_accessible(page, "live-check-too-long")
    # Shortened: checked again, the question redrawn without it.
    page.fill("#unmet_need", "Children awaiting a transplant.")
    with page.expect_response("**/validate"):
        page.locator("#unmet_need").blur()
    expect(page.locator("#field-unmet_need .too-long-message")).to_have_count(0)


def test_a_check_the_network_never_answered_says_so(page, app):
    """No answer at all (the network down, the server stopped) is no passed check either."""
    signed_in_at(page, app, "offline@cardiotech.example", "manufacturer")
    page.route("**/validate", lambda route: route.abort("internetdisconnected"))
    page.fill("#srn", "FR-XX-000012345")
    page.locator("#srn").blur()
    expect(page.locator("#live-status")).to_have_text(
        "This answer could not be checked now; it will be checked when you continue."
    )


def test_an_answer_still_wrong_for_another_reason_says_the_new_one_in_the_summary(page, app):
    signed_in_at(page, app, "reworded@cardiotech.example", "manufacturer")
    page.fill("#srn", "FR-XX-1")
    page.fill("#legal_name", "")
    page.click("button[value=continue]")
    page.wait_for_load_state()  # its live checks ready (htmx)
    first = page.inner_text("#srn-error").replace("Error:", "").strip()
    assert first in page.inner_text(".error-summary")
    page.fill("#srn", "FR-MF-00001234")  # wrong for another reason: eight digits
    with page.expect_response("**/validate"):
        page.locator("#srn").blur()
    expect(page.locator("#srn-error")).not_to_contain_text(first)
    now = page.inner_text("#srn-error").replace("Error:", "").strip()
    expect(page.locator(".error-summary a[href='#srn']")).to_contain_text(now)
    expect(page.locator(".error-summary")).not_to_contain_text(first)
    expect(page.locator(".error-summary li")).to_have_count(2)


def test_in_french_the_summary_says_the_new_error_as_the_page_would_list_it(page, app):
    """French goes on in lower case after a question's label ("Raison sociale : supprimez…"),
    and a message that names its question has no label before it: a live check's new error
    reads in the summary as the server would list it."""
    draft = signed_in_at(page, app, "summary-fr@cardiotech.example", "manufacturer")
    page.goto(f"/language/fr?next=/requests/{draft}/steps/manufacturer")
    page.fill("#legal_name", "<b>Cardiotech</b>")
    page.fill("#srn", "FR-XX-1")
    page.click("button[value=continue]")
    page.wait_for_load_state()  # its live checks ready (htmx)
    summary = page.locator(".error-summary a[href='#legal_name']")
    listed = summary.inner_text()
    page.fill("#legal_name", "")  # wrong for another reason: now empty
    with page.expect_response("**/validate"):
        page.locator("#legal_name").blur()
    expect(summary).not_to_have_text(listed)
    now = page.inner_text("#legal_name-error").replace("Erreur\u00a0:", "").strip()
    listed_now = page.get_attribute("#legal_name-error", "data-summary")
    expect(summary).to_have_text(listed_now)
    assert listed_now.endswith(now[1:])  # the same words, as the server lists them
    page.fill("#legal_name", "<b>Cardiotech SAS</b>")  # and back to a labelled one
    with page.expect_response("**/validate"):
        page.locator("#legal_name").blur()
    expect(summary).to_have_text(listed)
    expect(page.locator(".error-summary li")).to_have_count(2)


def test_a_check_s_words_change_in_the_live_region_the_page_holds(page, app):
    """Screen readers read the changes of a live region already on the page, not one put in
    its place already filled: each check changes the words of the page's own region."""
    signed_in_at(page, app, "region@cardiotech.example", "patient")
    page.evaluate("window.heldRegion = document.getElementById('live-status')")
    page.fill("#patient_initials", "12345")
    with page.expect_response("**/validate"):
        page.locator("#patient_initials").blur()
    expect(page.locator("#live-status")).to_contain_text("Enter the patient's initials only")
    assert page.evaluate("document.getElementById('live-status') === window.heldRegion")
    assert page.locator("#live-status").get_attribute("role") == "status"
    page.fill("#patient_initials", "JD")
    with page.expect_response("**/validate"):
        page.locator("#patient_initials").blur()
    expect(page.locator("#live-status")).to_have_text("")
    assert page.evaluate("document.getElementById('live-status') === window.heldRegion")


def test_a_focused_link_of_the_error_summary_is_dark_on_yellow(page, app):
    """As every focused link: the summary's red on the focus yellow is under 4.5:1."""
    signed_in_at(page, app, "contrast@cardiotech.example", "situation", steps=[])
    page.click("button[value=continue]")
    # The summary takes the focus as the page loads: only then is its link focused here.
    expect(page.locator(".error-summary")).to_be_focused()
    link = page.locator(".error-summary a").first
    link.focus()
    colours = link.evaluate("a => [getComputedStyle(a).color, getComputedStyle(a).backgroundColor]")
    assert colours == ["rgb(27, 27, 31)", "rgb(255, 191, 71)"]


def test_typing_tells_the_server_the_person_is_still_there(page, app):
    """The session ends after a while without a request; typing on one page is activity."""
    signed_in_at(page, app, "typing@cardiotech.example", "medical-need")
    with page.expect_request("**/session/alive") as said:
        page.locator("#unmet_need").press_sequentially("Children", delay=20)
    assert said.value.method == "GET"
    # At most once a minute: the rest of the typing says nothing more.
    more = []
    page.on("request", lambda r: more.append(r) if r.url.endswith("/session/alive") else None)
    page.locator("#unmet_need").press_sequentially(" awaiting a transplant", delay=20)
    page.wait_for_timeout(300)
    assert more == []


def test_radios_and_a_checkbox_keep_the_focus_as_they_are_checked(page, app):
    """A question redrawn by its live check keeps its radios and checkbox as they are: the
    one in focus stays the same control (a screen reader does not read it out again at each
    check), and what the check says of it is brought to it."""
    draft = signed_in_at(page, app, "radios@cardiotech.example", "patient")
    page.locator("#patient_sex-0").focus()
    page.evaluate("window.heldControl = document.activeElement")
    with page.expect_response("**/validate"):
        page.keyboard.press("ArrowDown")
    page.wait_for_timeout(200)  # settled
    assert page.evaluate("document.getElementById('patient_sex-1') === document.activeElement")
    assert page.evaluate("document.getElementById('patient_sex-0') === window.heldControl"), (
        "the radios were replaced"
    )

    page.goto(f"/requests/{draft}/steps/certification")
    box = page.locator("#commitment")
    box.focus()
    page.evaluate("window.heldControl = document.activeElement")
    was_checked = box.is_checked()
    with page.expect_response("**/validate"):
        page.keyboard.press("Space")
    if was_checked:  # unticked: said wrong, beside it and on it
        expect(page.locator("#commitment-error")).to_be_visible()
        expect(box).to_have_attribute("aria-invalid", "true")
        expect(box).to_have_attribute("aria-describedby", "commitment-error")
        with page.expect_response("**/validate"):
            page.keyboard.press("Space")
    expect(page.locator("#commitment-error")).to_have_count(0)
    page.wait_for_timeout(200)
    assert box.get_attribute("aria-invalid") is None
    assert page.evaluate("document.activeElement === window.heldControl")
    assert page.evaluate("document.getElementById('commitment') === window.heldControl")


def test_without_moving_nodes_kept_radios_are_redrawn_and_keep_the_focus_by_id(page, app):
    """A browser that cannot move a node without blurring it (no `moveBefore`): the radios
    are redrawn with their question, and the focus goes to the new radio of the same id."""
    page.add_init_script("delete Element.prototype.moveBefore")
    signed_in_at(page, app, "older@cardiotech.example", "patient")
    assert page.locator("[hx-preserve]").count() == 0
    page.locator("#patient_sex-0").focus()
    with page.expect_response("**/validate"):
        page.keyboard.press("ArrowDown")
    page.wait_for_timeout(200)
    assert page.evaluate("document.activeElement.id") == "patient_sex-1"
    assert page.locator("[hx-preserve]").count() == 0


def test_typing_once_signed_out_elsewhere_says_the_page_can_no_longer_be_saved(page, app):
    """Signed out in another tab: the page learns it from its next word to the server, and
    says so, on screen and in its live region, before anything is sent."""
    signed_in_at(page, app, "elsewhere@cardiotech.example", "medical-need")
    page.context.clear_cookies()
    with page.expect_response("**/session/alive"):
        page.locator("#unmet_need").press_sequentially(" More.", delay=20)
    expect(page.locator("#main .cannot-save-notice")).to_contain_text("You have been signed out")
    expect(page.locator("#live-status")).to_contain_text("You have been signed out")


def test_ticking_that_there_is_no_srn_yet_takes_back_the_srn_error(page, app):
    """A manufacturer filing for its first device may have no SRN: left empty, the SRN asks
    for one or for the box; the box ticked, the error goes at once, and the step saves."""
    draft = signed_in_at(page, app, "first@cardiotech.example", "manufacturer")
    page.fill("#srn", "")
    page.locator("#srn").blur()
    asked = "Enter the manufacturer's SRN from EUDAMED, or tick the box below if it has none."
    expect(page.locator("#srn-error")).to_contain_text(asked)
    page.check("#no_srn")
    expect(page.locator("#srn-error")).to_have_count(0)
    expect(page.locator("#srn")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#no_srn")).to_be_checked()
    assert_accessible(page, "manufacturer-no-srn-yet")
    # Both given: the box says to clear one of them.
    page.fill("#srn", "FR-MF-000012345")
    page.locator("#srn").blur()
    expect(page.locator("#no_srn-error")).to_contain_text("clear one or the other")
    page.uncheck("#no_srn")
    expect(page.locator("#no_srn-error")).to_have_count(0)
    page.check("#no_srn")
    expect(page.locator("#no_srn-error")).to_have_count(1)
    page.fill("#srn", "")
    page.locator("#srn").blur()
    expect(page.locator("#no_srn-error")).to_have_count(0)
    expect(page.locator(".field--error")).to_have_count(0)
    page.click("button[value=continue]")
    expect(page.locator("h1")).to_have_text("Device")
    page.goto(f"/requests/{draft}/steps/manufacturer")
    expect(page.locator("#no_srn")).to_be_checked()
    expect(page.locator("#srn")).to_have_value("")


def test_a_question_redrawn_by_another_check_answers_a_change_made_at_once(page, app):
    """The box's check redraws the SRN (its rules read the box): the SRN emptied the moment
    it is drawn sends its own check, and the page ends with no error, not with the box's
    "clear one or the other" (htmx readied a redrawn question only once the page had
    settled, 20 ms later: a change made before went unchecked)."""
    signed_in_at(page, app, "at-once@cardiotech.example", "manufacturer")
    assert page.input_value("#srn")
    page.evaluate(
        """() => document.addEventListener("htmx:afterSwap", () => setTimeout(() => {
            const srn = document.getElementById("srn");
            srn.value = "";
            srn.dispatchEvent(new Event("change", {bubbles: true}));
        }), {once: true})"""
    )
    with page.expect_request(
        lambda request: (
            request.url.endswith("/validate") and request.headers.get("hx-trigger-name") == "srn"
        )
    ):
        page.check("#no_srn")
    expect(page.locator("#no_srn-error")).to_have_count(0)
    expect(page.locator(".field--error")).to_have_count(0)
    expect(page.locator("#srn")).to_have_value("")
    expect(page.locator("#no_srn")).to_be_checked()


def test_text_selected_whole_as_its_question_is_redrawn_stays_selected(page, app):
    """Ctrl+A in the SRN as the box's check comes back and redraws it (its rules read the
    box): the selection is kept, so Delete empties the answer rather than taking one
    character off it (htmx gives back no selection that starts at the first character)."""
    signed_in_at(page, app, "select@cardiotech.example", "manufacturer")
    held = held_checks(page, "no_srn")
    page.check("#no_srn")
    page.wait_for_timeout(200)
    assert len(held) == 1
    page.focus("#srn")
    page.keyboard.press("ControlOrMeta+a")
    held[0].continue_()  # the SRN is redrawn (both given: the box says so)
    expect(page.locator("#no_srn-error")).to_have_count(1)
    page.keyboard.press("Delete")
    expect(page.locator("#srn")).to_have_value("")


def test_an_older_check_coming_back_last_does_not_undo_a_newer_one(page, app):
    """The box ticked (its check held: a slow network), then the SRN emptied, whose check
    comes back first and redraws the box as the two now are: right. The box's own check,
    sent while the SRN still held a number, comes back last: it says "clear one or the
    other" of answers no longer given, and must not be drawn over the newer one."""
    signed_in_at(page, app, "older@cardiotech.example", "manufacturer")
    expect(page.locator("#srn")).not_to_have_value("")
    held = held_checks(page, "no_srn")
    page.check("#no_srn")
    page.wait_for_timeout(200)
    assert len(held) == 1
    page.fill("#srn", "")
    with page.expect_response(lambda response: "validate" in response.url):
        page.locator("#srn").blur()
    expect(page.locator("#no_srn-error")).to_have_count(0)
    with page.expect_response(lambda response: "validate" in response.url):
        held[0].continue_()
    expect(page.locator(".htmx-request")).to_have_count(0)
    page.wait_for_timeout(200)
    expect(page.locator(".field--error")).to_have_count(0)
    expect(page.locator("#no_srn")).to_be_checked()
    expect(page.locator("#srn")).to_have_value("")


def test_a_question_asked_only_with_another_answer_says_so_as_that_answer_changes(page, app):
    """Screen readers hear whether the SIRET is asked (aria-required) as the country is
    chosen, before any check comes back; the SRN, whether the box says there is none."""
    signed_in_at(page, app, "asked@cardiotech.example", "manufacturer")
    siret, srn = page.locator("#siret"), page.locator("#srn")
    expect(siret).to_have_attribute("aria-required", "true")  # a French manufacturer
    expect(srn).to_have_attribute("aria-required", "true")
    page.select_option("#country", "DE")
    expect(siret).not_to_have_attribute("aria-required", "true")
    # A question shown after an answer is asked once shown.
    page.select_option("#country", "US")
    expect(page.locator("#representative_name")).to_have_attribute("aria-required", "true")
    page.select_option("#country", "FR")
    expect(siret).to_have_attribute("aria-required", "true")
    page.locator("#country").blur()  # its check redraws the SIRET: still asked
    expect(page.locator(".htmx-request")).to_have_count(0)
    expect(siret).to_have_attribute("aria-required", "true")
    page.check("#no_srn")
    expect(srn).not_to_have_attribute("aria-required", "true")
    expect(page.locator(".htmx-request")).to_have_count(0)
    expect(srn).not_to_have_attribute("aria-required", "true")
    page.uncheck("#no_srn")
    expect(srn).to_have_attribute("aria-required", "true")


def test_step_9s_invitation_and_letter_are_checked_as_they_are_filled_in(page, app):
    """Beside the step's form and sent with it, their fields are checked live as its own
    questions are (the forms' token goes with the check; the letter's file does not)."""
    signed_in_at(page, app, "step9@cardiotech.example", "hcp-support")
    page.fill("#invite-email", "anne.leroy@")
    page.locator("#invite-email").blur()
    expect(page.locator("#invite-email-error")).to_contain_text("email address")
    expect(page.locator("#invite-email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#invite-email")).to_have_value("anne.leroy@")
    page.fill("#invite-email", "anne.leroy@necker.example")
    page.locator("#invite-email").blur()
    expect(page.locator("#invite-email-error")).to_have_count(0)

    if not page.locator("#letter-author_rpps").is_visible():
        page.locator("#letter-title").click()  # its disclosure, opened
    page.fill("#letter-author_rpps", "1234567890")
    page.locator("#letter-author_rpps").blur()
    expect(page.locator("#letter-author_rpps-error")).to_contain_text("11 digits")
    # Still the step's own: sent with it (the invitation's button sends the page's form).
    expect(page.locator("#letter-author_rpps")).to_have_attribute("form", "step-form")
    assert_accessible(page, "step-9-live-errors")
