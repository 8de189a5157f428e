"""Operating pages with the keyboard only, as a person who cannot use a mouse does."""

from __future__ import annotations

MAX_TABS = 120


def focused_matches(page, selector: str) -> bool:
    return page.evaluate(
        "(selector) => !!document.activeElement && document.activeElement.matches(selector)",
        selector,
    )


def tab_to(page, selector: str, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the element matching `selector` has the focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        if focused_matches(page, selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{selector} cannot be reached with {key}")


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    if text:
        page.keyboard.type(text)


def choose_radio(page, name: str, value: str) -> None:
    """Tab into the radio group, then move with the arrow keys to the wanted option."""
    tab_to(page, f"input[type=radio][name='{name}']")
    for _ in range(12):
        if focused_matches(page, f"input[name='{name}'][value='{value}']"):
            page.keyboard.press("Space")
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"option {value} of {name} not reachable with the arrows")


def tick(page, selector: str) -> None:
    tab_to(page, selector)
    if not page.is_checked(selector):
        page.keyboard.press("Space")


def select_option(page, selector: str, label_start: str) -> None:
    """A native select, driven by typing the start of the option's label."""
    tab_to(page, selector)
    page.keyboard.type(label_start)


def press_button(page, selector: str) -> None:
    """Enter on a link or a submit button, waiting for the page it leads to."""
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def choose_file(page, selector: str, path: str) -> None:
    """Reach the file field by keyboard; the operating system's file dialog that Space opens
    is outside the page, so the file is handed to the focused field directly."""
    tab_to(page, selector)
    page.set_input_files(selector, path)
