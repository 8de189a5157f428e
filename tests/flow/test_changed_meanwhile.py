"""Two people (or two tabs) with the same step open: the first to save wins, and the second is
shown what was saved meanwhile, by whom and when, with their own answers still in the form,
rather than overwriting it unseen. Saving again then keeps their answers, on purpose."""

from __future__ import annotations

import re

import pytest

from tests.conftest import dossier_with, login, make_colleague, post_step
from wizard.demo import sample_answers
from wizard.extensions import db
from wizard.models import Dossier

DEVICE = sample_answers()["device"]


@pytest.fixture
def draft(app, user):
    with app.app_context():
        return dossier_with(user[0], steps=["before-you-start", "situation"], files=False)


@pytest.fixture
def colleague(app, user, client):
    with app.app_context():
        make_colleague(user[0], "marc@cardiotech.example")
    other = app.test_client()
    assert login(other, "marc@cardiotech.example").status_code == 303
    return other


def opened(client, dossier_id: int, step: str = "device") -> str:
    """The revision of the step the page shows, as the browser sends it back."""
    page = client.get(f"/requests/{dossier_id}/steps/{step}")
    assert page.status_code == 200
    return re.search(r'name="saved_revision" value="(\d+)"', page.text).group(1)


def save(client, dossier_id, revision, trade_name, *, action="continue", **headers):
    values = dict(DEVICE, trade_name=trade_name, saved_revision=revision)
    if headers:
        return client.post(
            f"/requests/{dossier_id}/steps/device",
            data={**values, "action": action},
            headers=headers,
        )
    return post_step(client, dossier_id, "device", values, action=action)


def stored(app, dossier_id: int) -> dict:
    with app.app_context():
        return db.session.get(Dossier, dossier_id).answers()["device"]


def test_a_colleague_who_saved_first_is_named_and_the_second_save_waits_for_a_decision(
    app, logged_in, colleague, draft
):
    mine, theirs = opened(logged_in, draft), opened(colleague, draft)
    assert save(colleague, draft, theirs, "VentriAssist II").status_code == 303

    stopped = save(logged_in, draft, mine, "VentriAssist Junior")
    assert stopped.status_code == 409
    assert "Your answers on this page are not saved yet" in stopped.text
    assert "Marc Durand saved this page on" in stopped.text
    listed = stopped.text.split('id="changed-title"')[1].split("</dl>")[0]
    assert "Trade name" in listed and "VentriAssist II" in listed
    assert 'value="VentriAssist Junior"' in stopped.text  # nothing typed is lost
    assert stored(app, draft)["trade_name"] == "VentriAssist II"

    again = re.search(r'name="saved_revision" value="(\d+)"', stopped.text).group(1)
    assert save(logged_in, draft, again, "VentriAssist Junior").status_code == 303
    assert stored(app, draft)["trade_name"] == "VentriAssist Junior"


def test_the_same_person_in_two_tabs_is_told_it_was_another_tab(app, logged_in, draft):
    first_tab, second_tab = opened(logged_in, draft), opened(logged_in, draft)
    assert save(logged_in, draft, first_tab, "VentriAssist II").status_code == 303
    stopped = save(logged_in, draft, second_tab, "VentriAssist Junior")
    assert stopped.status_code == 409
    assert "This page was saved from another tab or window on" in stopped.text
    assert stored(app, draft)["trade_name"] == "VentriAssist II"


def test_the_same_answers_saved_twice_are_simply_saved(app, logged_in, colleague, draft):
    mine, theirs = opened(logged_in, draft), opened(colleague, draft)
    assert save(colleague, draft, theirs, "VentriAssist II").status_code == 303
    assert save(logged_in, draft, mine, "VentriAssist II").status_code == 303


def test_saving_for_later_is_stopped_the_same_way(app, logged_in, colleague, draft):
    mine, theirs = opened(logged_in, draft), opened(colleague, draft)
    assert save(colleague, draft, theirs, "VentriAssist II").status_code == 303
    stopped = save(logged_in, draft, mine, "VentriAssist Junior", action="save_exit")
    assert stopped.status_code == 409 and "Marc Durand saved this page" in stopped.text
    assert stored(app, draft)["trade_name"] == "VentriAssist II"


def test_keeping_the_saved_answers_shows_them(app, logged_in, colleague, draft):
    mine, theirs = opened(logged_in, draft), opened(colleague, draft)
    save(colleague, draft, theirs, "VentriAssist II")
    stopped = save(logged_in, draft, mine, "VentriAssist Junior")
    link = re.search(r'<a href="([^"]+)">Keep the saved answers instead', stopped.text).group(1)
    page = logged_in.get(link.replace("&amp;", "&"))
    assert page.status_code == 200 and 'value="VentriAssist II"' in page.text


def test_with_htmx_the_page_comes_back_whole_with_the_message(app, logged_in, colleague, draft):
    mine, theirs = opened(logged_in, draft), opened(colleague, draft)
    save(colleague, draft, theirs, "VentriAssist II")
    stopped = save(logged_in, draft, mine, "VentriAssist Junior", **{"HX-Request": "true"})
    assert stopped.status_code == 200  # htmx swaps only a successful answer in
    assert "Marc Durand saved this page on" in stopped.text


def test_a_step_first_saved_by_a_colleague_while_open_is_not_overwritten(
    app, logged_in, colleague, draft
):
    assert opened(logged_in, draft) == "0"  # never saved yet
    assert save(colleague, draft, opened(colleague, draft), "VentriAssist II").status_code == 303
    assert save(logged_in, draft, "0", "VentriAssist Junior").status_code == 409
