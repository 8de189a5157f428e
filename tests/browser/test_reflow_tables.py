"""At 320 CSS px (400 % zoom) no page scrolls sideways (WCAG 1.4.10 Reflow): not the steps with
their tables of documents, letters and invitations, nor the check of the answers, nor the
dashboard, the submitted request and the reviewer's pages when a device or an organisation has
a very long unbroken name. The buttons in the tables stay reachable and every page passes
axe-core, in English and in French."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, assert_accessible, screenshot
from tests.browser.test_pages import sign_in
from tests.conftest import attach_files, dossier_with, make_user
from wizard import clock
from wizard.audit import Actor
from wizard.demo import sample_answers, sample_declaration
from wizard.domain.lifecycle import Status
from wizard.filing import service
from wizard.models import Dossier, Invitation, InvitationState, Role, User
from wizard.review.transitions import change_status

NARROW = {"width": 320, "height": 640}
WIDE = {"width": 1280, "height": 900}
LONG_TRADE_NAME = "VentriAssistPaediatricContinuousFlowImplantablePump" * 3
LONG_ORGANISATION = "CardiotechMedicalDevicesInternationalHoldingGroup" * 3
LONG_URL = "https://devices.cardiotech.example/instructions-for-use/" + "vam-200-" * 12 + "fr.pdf"
MANUFACTURER = "reflow@cardiotech.example"
REVIEWER = "rita@ansm.example"
STEPS = ["clinical-evidence", "hcp-support", "check"]


def request_with_long_names(owner: User, *, submit: bool) -> int:
    """A request whose manufacturer and device have long unbroken names and whose description
    holds a URL, with a document, a letter and (while a draft) an invitation sent."""
    from wizard.extensions import db

    dossier = service.create_dossier(owner)
    answers = sample_answers("individual")
    answers["manufacturer"]["legal_name"] = LONG_ORGANISATION
    answers["device"] |= {
        "trade_name": LONG_TRADE_NAME,
        "description": f"Instructions for use: {LONG_URL}",
    }
    for step_id, values in answers.items():
        service.save_step(dossier, step_id, values)
    attach_files(dossier, owner.id)
    if submit:
        service.submit(dossier, owner, sample_declaration())
        return dossier.id
    db.session.add(
        Invitation(
            dossier=dossier,
            clinician_name="Dr Bérénice Castelnau-Delacroix",
            email="berenice.castelnau-delacroix@hopital-necker-enfants-malades.example",
            role="Paediatric cardiac surgeon",
            token_hash="0" * 64,
            state=InvitationState.SENT,
            created_by_id=owner.id,
            sent_at=clock.now(),
            expires_at=clock.now() + timedelta(days=7),
        )
    )
    db.session.commit()
    return dossier.id


@pytest.fixture
def long_names(app):
    """A draft and a submitted request of an organisation with a very long unbroken name."""
    from wizard.extensions import db

    with app.app_context():
        owner = make_user(MANUFACTURER, organisation=LONG_ORGANISATION)
        reviewer = make_user(REVIEWER, role=Role.REVIEWER)
        draft = request_with_long_names(owner, submit=False)
        submitted = request_with_long_names(db.session.get(User, owner.id), submit=True)
        assert db.session.get(Dossier, submitted).reference
        # A note with a URL in the request's history, which the manufacturer reads too.
        change_status(
            db.session.get(Dossier, submitted),
            Status.UNDER_REVIEW,
            Actor.of(db.session.get(User, reviewer.id)),
            note=f"See {LONG_URL} for the procedure.",
        )
        return draft, submitted


@pytest.fixture(params=["en-GB", "fr-FR"])
def narrow_page(request, browser, base_url):
    context = browser.new_context(base_url=base_url, locale=request.param, viewport=NARROW)
    opened = context.new_page()
    yield opened
    context.close()


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def sticking_out(page) -> list[str]:
    """The elements that reach past the right edge of the window, to say what to fix."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > innerWidth + 1)
            .map(el => `${el.tagName.toLowerCase()}.${el.className}`).slice(0, 8)"""
    )


def assert_reflows(page, name: str) -> None:
    """Nothing sticks out sideways, every button of a table can be scrolled to and seen whole,
    and axe-core finds nothing (it also keeps a screenshot)."""
    screenshot(page, name)
    width = page.viewport_size["width"]
    assert page_width(page) <= width, f"{name}: {page_width(page)} px, {sticking_out(page)}"
    buttons = page.locator("table button")
    for index in range(buttons.count()):
        button = buttons.nth(index)
        button.evaluate("el => el.scrollIntoView({block: 'center', inline: 'nearest'})")
        assert button.is_visible(), f"{name}: {button.inner_text()} is hidden"
        box = button.bounding_box()
        assert box and 0 <= box["x"] and box["x"] + box["width"] <= width, (name, box)
    assert_accessible(page, name)


def name_of(page, what: str) -> str:
    language = page.evaluate("document.documentElement.lang")
    return f"reflow-{page.viewport_size['width']}-{language}-{what}"


@pytest.mark.parametrize("step", STEPS)
def test_the_steps_with_tables_reflow_and_keep_their_buttons_reachable(
    narrow_page, long_names, step
):
    draft, _submitted = long_names
    sign_in(narrow_page, MANUFACTURER)
    narrow_page.goto(f"/requests/{draft}/steps/{step}")
    assert narrow_page.locator("table").count() >= 1
    if step != "check":
        assert narrow_page.locator("table button").count() >= 1
    assert_reflows(narrow_page, name_of(narrow_page, step))


def test_long_unbroken_names_wrap_on_the_manufacturers_pages(narrow_page, long_names):
    _draft, submitted = long_names
    sign_in(narrow_page, MANUFACTURER)
    assert narrow_page.url.endswith("/dashboard")
    assert LONG_TRADE_NAME in narrow_page.inner_text("main")
    assert_reflows(narrow_page, name_of(narrow_page, "dashboard"))
    narrow_page.goto(f"/requests/{submitted}/submitted")
    assert LONG_URL in narrow_page.inner_text(".history")
    assert_reflows(narrow_page, name_of(narrow_page, "submitted"))


def test_long_unbroken_names_wrap_on_the_reviewers_pages(narrow_page, long_names):
    _draft, submitted = long_names
    sign_in(narrow_page, REVIEWER)
    assert narrow_page.url.endswith("/review")
    assert LONG_ORGANISATION in narrow_page.inner_text("main")
    assert_reflows(narrow_page, name_of(narrow_page, "review-queue"))
    narrow_page.goto(f"/review/requests/{submitted}")
    assert_reflows(narrow_page, name_of(narrow_page, "review-request"))
    # Under review (`long_names`), the actions' forms opened: whom to ask names the
    # manufacturer, in a radio's label.
    narrow_page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert LONG_ORGANISATION in narrow_page.inner_text("#action-request-information")
    assert_reflows(narrow_page, name_of(narrow_page, "review-request-forms-open"))


def tables_scrolling(page) -> list[str]:
    """The tables wider than their scroll region: their columns past the edge are reached
    only by scrolling the table sideways."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.table-scroll')]
            .filter(region => region.scrollWidth > region.clientWidth + 1)
            .map(region => region.getAttribute('aria-label')
                 || region.getAttribute('aria-labelledby'))"""
    )


def test_on_a_wide_screen_the_same_pages_do_not_scroll_sideways_either(page, long_names):
    """Nor do their tables: a long name wraps in its cell rather than pushing the table's
    other columns out of sight."""
    draft, submitted = long_names
    page.set_viewport_size(WIDE)
    sign_in(page, MANUFACTURER)
    assert_reflows(page, name_of(page, "dashboard"))
    assert tables_scrolling(page) == []
    for step in STEPS:
        page.goto(f"/requests/{draft}/steps/{step}")
        assert_reflows(page, name_of(page, step))
        assert tables_scrolling(page) == [], step
    page.goto(f"/requests/{submitted}/submitted")
    assert_reflows(page, name_of(page, "submitted"))
    assert tables_scrolling(page) == []
    page.context.clear_cookies()  # signed out
    sign_in(page, REVIEWER)
    assert_reflows(page, name_of(page, "review-queue"))
    assert tables_scrolling(page) == []
    page.goto(f"/review/requests/{submitted}")
    assert_reflows(page, name_of(page, "review-request"))
    assert tables_scrolling(page) == []


def stacked_cells(page, region: str) -> list[dict]:
    """The cells of the table in the scroll region named by `region` (a heading's id), or in
    the section it names: whether the region scrolls sideways, each cell's edges, display,
    label and the label shown."""
    return page.evaluate(
        """(region) => {
            let scroller = document.querySelector(`[aria-labelledby="${region}"]`);
            if (!scroller.matches('.table-scroll')) {
                scroller = scroller.querySelector('.table-scroll');
            }
            return [...scroller.querySelectorAll('td')].map(td => ({
                scrolls: scroller.scrollWidth > scroller.clientWidth + 1,
                left: td.getBoundingClientRect().left,
                right: td.getBoundingClientRect().right,
                display: getComputedStyle(td).display,
                label: td.dataset.label,
                before: getComputedStyle(td, '::before').content,
            }));
        }""",
        region,
    )


def assert_stacked_and_labelled(page, region: str) -> None:
    """Nothing in the table scrolls sideways: each cell is a block within the window, named by
    its column (its `data-label` shown before it), so no value is left without its heading."""
    cells = stacked_cells(page, region)
    assert cells, region
    width = page.viewport_size["width"]
    for cell in cells:
        assert not cell["scrolls"], (region, cell)
        assert cell["display"] == "block", (region, cell)
        assert 0 <= cell["left"] and cell["right"] <= width + 1, (region, cell)
        assert cell["label"] and cell["before"] not in ("none", "normal"), (region, cell)


def test_the_reviewers_tables_stack_at_320_px_and_each_value_says_its_column(
    narrow_page, long_names
):
    _draft, submitted = long_names
    sign_in(narrow_page, REVIEWER)
    assert narrow_page.url.endswith("/review")
    assert_stacked_and_labelled(narrow_page, "results-title")
    screenshot(narrow_page, name_of(narrow_page, "review-queue-stacked"))
    narrow_page.goto(f"/review/requests/{submitted}")
    for region in ("documents-title", "letters-title", "trail-title"):
        assert_stacked_and_labelled(narrow_page, region)
    # The letter itself, the PDF the reviewer came for, is in sight without scrolling sideways.
    letter = narrow_page.locator("[aria-labelledby=letters-title] a[href*='/letters/']").first
    letter.scroll_into_view_if_needed()
    box = letter.bounding_box()
    assert box and 0 <= box["x"] and box["x"] + box["width"] <= NARROW["width"], box
    files = narrow_page.locator("section[aria-labelledby=files-title]")
    files.screenshot(path=str(SCREENSHOTS / f"{name_of(narrow_page, 'review-request-files')}.png"))
    assert_reflows(narrow_page, name_of(narrow_page, "review-request-stacked"))


def words_split(page, selector: str) -> list[str]:
    """The words of the cells `selector` finds that are broken over two lines (a word whose
    characters do not all sit on one line)."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].flatMap(cell => {
            const text = cell.firstChild;
            if (!text || text.nodeType !== Node.TEXT_NODE) return [];
            const split = [];
            for (const match of text.data.matchAll(/\\S+/g)) {
                const range = document.createRange();
                range.setStart(text, match.index);
                range.setEnd(text, match.index + match[0].length);
                const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                if (tops.size > 1) split.push(match[0]);
            }
            return split;
        })""",
        selector,
    )


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_the_queue_stacks_its_rows_before_its_columns_split_a_name_mid_word(
    browser, base_url, app, locale
):
    """Eight columns: on a window too narrow to hold them side by side (a laptop's half
    screen, a zoom of 150 %), the queue's rows stack rather than the device's or the
    manufacturer's name being cut mid-word; wide enough, the columns hold them whole."""
    with app.app_context():
        owner = make_user("queue@cardiotech.example", organisation="Cardiotech Médical SAS")
        make_user(REVIEWER, role=Role.REVIEWER)
        dossier_with(owner.id, "global", submit=True)
    context = browser.new_context(
        base_url=base_url, locale=locale, viewport={"width": 800, "height": 900}
    )
    page = context.new_page()
    sign_in(page, REVIEWER)
    assert_stacked_and_labelled(page, "results-title")
    assert words_split(page, ".table--queue td") == []
    assert_reflows(page, name_of(page, "review-queue-stacked"))
    page.set_viewport_size({"width": 1024, "height": 900})
    page.reload()
    assert page.locator(".table--queue td").first.evaluate(
        "td => getComputedStyle(td).display"
    ) == ("table-cell")
    assert words_split(page, ".table--queue td") == []
    assert tables_scrolling(page) == []
    context.close()


def test_a_table_is_a_tab_stop_only_while_it_has_something_to_scroll(page, app):
    """Its box is a stop so that a keyboard can scroll it; with nothing to scroll it would be
    an empty stop, so it leaves the Tab order until the table overflows again."""
    from tests.conftest import dossier_with

    with app.app_context():
        user = make_user("stops@cardiotech.example")
        dossier_with(user.id, files=False)
    sign_in(page, "stops@cardiotech.example")
    page.goto("/dashboard")
    region = page.locator(".table-scroll[role=region]")
    assert region.get_attribute("tabindex") is None
    page.keyboard.press("Tab")  # the skip link, then on: never the table's box
    for _ in range(12):
        assert not page.evaluate("document.activeElement.classList.contains('table-scroll')")
        page.keyboard.press("Tab")
    # Wider than the window (a long name, text zoomed without the window resized): a stop
    # again, seen by the box's watcher, not only on a resize.
    page.evaluate(
        "const box = document.querySelector('.table-scroll');"
        "box.style.height = box.offsetHeight + 'px';"  # the box itself keeps its size
        "box.querySelector('td').style.minWidth = '4000px'"
    )
    expect(region).to_have_attribute("tabindex", "0")
    assert_accessible(page, "table-overflowing")
