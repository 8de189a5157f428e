"""An answer holding a character no installed font draws is refused beside its field: the
signed receipt or decision would print it as an empty box, and cannot be corrected."""

from __future__ import annotations

import html
import subprocess
import unicodedata

import pytest

from tests.conftest import dossier_with, post_step
from wizard.demo import sample_answers
from wizard.glyphs import first_unprintable

HEART = "\U0001fac0"  # 🫀, an anatomical heart (Unicode 13): in no font `make fonts` installs


def drawn_by_a_font(character: str) -> bool:
    listed = subprocess.run(
        ["fc-list", f":charset={ord(character):x}"], capture_output=True, text=True, check=True
    )
    return bool(listed.stdout.strip())


@pytest.fixture
def undrawable() -> str:
    if drawn_by_a_font(HEART):
        pytest.skip("this machine has a font that draws the anatomical heart")
    return HEART


def test_a_character_no_font_draws_is_refused_and_what_was_typed_kept(
    app, logged_in, user, undrawable
):
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start", "situation"], files=False)
    typed = {**sample_answers()["device"], "trade_name": f"VentriAssist {undrawable} Mini"}
    refused = post_step(logged_in, dossier_id, "device", typed)
    assert refused.status_code == 422
    said = html.unescape(refused.text)
    assert (
        f"Remove “{undrawable}” (or write it otherwise): the portal's signed PDF documents "
        "cannot print this character." in said
    )
    assert f'value="VentriAssist {undrawable} Mini"' in said  # kept, to be corrected
    assert 'href="#trade_name"' in refused.text  # in the error summary


def test_the_scripts_the_portal_prints_are_taken():
    """Latin with its accents, Greek, Cyrillic, Arabic, Hebrew and Vietnamese (DejaVu), and
    Chinese, Japanese and Korean where their font is installed (`make fonts`)."""
    for text in ("Cardiotech Médical SAS – Łódź", "Ελληνικά", "Москва", "مستشفى", "שלום"):
        assert first_unprintable(text) is None, text
    assert first_unprintable("Bệnh viện Bạch Mai") is None
    if drawn_by_a_font("北"):
        assert first_unprintable("北京协和医院 · 東京 · 서울") is None
    assert first_unprintable("a\u200db\u0301 c") is None  # a joiner, a combining accent


def test_marks_piled_on_a_letter_are_refused_and_what_was_typed_kept(app, logged_in, user):
    """Pasted "Zalgo" text: a hundred accents on one letter are drawn over the lines above,
    on the pages and on the signed receipt. Vietnamese, typed composed or not, is taken."""
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start", "situation"], files=False)
    piled = "Zalgo" + "\u0301\u0302\u0303\u0304" * 20
    typed = {**sample_answers()["device"], "trade_name": piled}
    refused = post_step(logged_in, dossier_id, "device", typed)
    assert refused.status_code == 422
    said = html.unescape(refused.text)
    assert (
        "Remove the marks piled on “ó”: a letter carries 4 accents or marks at most (these "
        "were probably pasted in)." in said
    )
    # Kept, to be corrected: as typed, composed (NFC: the same text, "o" and its first
    # accent written as the one letter "ó").
    assert f'value="{unicodedata.normalize("NFC", piled)}"' in said
    assert 'href="#trade_name"' in refused.text  # in the error summary
    for vietnamese in ("Nguyễn Thị Ánh", "Nguye\u0302\u0303n Thi\u0323 A\u0301nh"):
        typed = {**sample_answers()["device"], "trade_name": vietnamese}
        assert post_step(logged_in, dossier_id, "device", typed).status_code == 303
