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
