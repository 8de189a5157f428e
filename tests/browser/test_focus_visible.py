"""Where the keyboard is stays visible in forced colours (a Windows contrast theme), which
drop backgrounds and shadows: every control reached by Tab keeps an outline, drawn in the
system's colour (WCAG 2.4.7). Links marked their focus with a yellow background alone; a
date's calendar button, reached by Tab after its year, had no mark in any colours."""

from __future__ import annotations

from tests.browser.test_live_checks import signed_in_at

FOCUS_MARK = """() => {
    const element = document.activeElement;  // a date's calendar button: the date input
    const style = getComputedStyle(element);
    const width = parseFloat(style.outlineWidth);
    window.marked = window.marked || 0;
    element.marked = element.marked || ++window.marked;
    return {
        number: element.marked,
        what: element.tagName + (element.id ? "#" + element.id : "") + " " +
              (element.textContent || "").trim().slice(0, 40),
        outlined: style.outlineStyle !== "none" && width >= 2,
    };
}"""


def test_every_control_reached_by_tab_shows_its_focus_in_forced_colours(browser, base_url, app):
    context = browser.new_context(base_url=base_url, locale="en-GB", forced_colors="active")
    page = context.new_page()
    try:
        signed_in_at(page, app, "contrast@cardiotech.example", "hcp-support")
        unmarked, seen = [], {}
        for _ in range(120):
            page.keyboard.press("Tab")
            mark = page.evaluate(FOCUS_MARK)
            if mark["what"].startswith("BODY") or (mark["number"] == 1 and seen):
                break  # round the page once (a date's day, month and year are one control)
            seen[mark["number"]] = mark["what"]
            if not mark["outlined"]:
                unmarked.append(mark["what"])
        assert len(seen) > 20  # the header, the step list, the letters, the forms
        assert any(what.startswith("A") for what in seen.values())
        assert not unmarked, unmarked
    finally:
        context.close()


def focused_colours(page, selector: str, *states: str) -> list[str]:
    """The text and background colours of `selector` in the pseudo-states `states`, as the
    browser's developer tools force them (a page cannot read `:visited` styles itself)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    cdp.send("CSS.forcePseudoState", {"nodeId": node, "forcedPseudoClasses": list(states)})
    computed = cdp.send("CSS.getComputedStyleForNode", {"nodeId": node})["computedStyle"]
    style = {entry["name"]: entry["value"] for entry in computed}
    return [style["color"], style["background-color"]]


DARK_ON_YELLOW = ["rgb(27, 27, 31)", "rgb(255, 191, 71)"]


def test_the_service_name_focused_is_dark_on_yellow_visited_or_not(page, app):
    """Its link, the start page, is nearly always visited: it stayed white on the focus
    yellow (1.6:1)."""
    signed_in_at(page, app, "visited@cardiotech.example", "situation")
    assert focused_colours(page, ".header__service", "focus") == DARK_ON_YELLOW
    assert focused_colours(page, ".header__service", "focus", "visited") == DARK_ON_YELLOW


def test_the_review_queues_current_filter_focused_is_marked_as_any_link(browser, base_url, app):
    """It stayed dark blue, a dark bar under it its only mark."""
    from tests.browser.test_pages import sign_in
    from tests.conftest import make_user
    from wizard.models import Role

    with app.app_context():
        make_user("rita@ansm.example", role=Role.REVIEWER)
    reviewer = browser.new_context(base_url=base_url, locale="en-GB").new_page()
    sign_in(reviewer, "rita@ansm.example")
    assert reviewer.url.endswith("/review")
    current = ".status-counts a[aria-current]"
    assert focused_colours(reviewer, current)[1] != DARK_ON_YELLOW[1]  # marked as current
    assert focused_colours(reviewer, current, "focus") == DARK_ON_YELLOW
