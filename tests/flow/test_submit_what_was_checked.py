"""Nobody signs answers they have not seen: a request changed after the filer checked it (a
colleague saved a step, a document was added, a professional's letter arrived) is not
submitted; the declaration page says what changed, by whom and when, keeps what was typed,
and signing again submits the request as it is now, on purpose."""

from __future__ import annotations

import html
import io
import re

import pytest

from tests.conftest import dossier_with, login, make_colleague, post_step
from wizard.demo import minimal_pdf, sample_answers, sample_declaration
from wizard.extensions import db
from wizard.models import Dossier


@pytest.fixture
def ready(app, user):
    """A complete global request, not yet submitted."""
    with app.app_context():
        return dossier_with(user[0], "global")


@pytest.fixture
def colleague(app, user):
    with app.app_context():
        make_colleague(user[0], "marc@cardiotech.example")
    other = app.test_client()
    assert login(other, "marc@cardiotech.example").status_code == 303
    return other


def checked_then_declaring(client, dossier_id: int) -> str:
    """The check page, then its link to the declaration: the version the declaration sends."""
    check = client.get(f"/requests/{dossier_id}/steps/check")
    link = re.search(r'href="([^"]*/steps/declaration[^"]*)"', check.text).group(1)
    declaration = client.get(html.unescape(link))
    return re.search(r'name="checked" value="([^"]+)"', declaration.text).group(1)


def sign(client, dossier_id: int, checked: str, **changes):
    values = {**sample_declaration(), "checked": checked, **changes}
    return post_step(client, dossier_id, "declaration", values)


def status(app, dossier_id: int) -> str:
    with app.app_context():
        return db.session.get(Dossier, dossier_id).status


def save_device(client, dossier_id: int, trade_name: str):
    values = dict(sample_answers("global")["device"], trade_name=trade_name)
    assert post_step(client, dossier_id, "device", values).status_code == 303


def test_a_step_a_colleague_saved_after_the_check_stops_the_submission(
    app, logged_in, colleague, ready
):
    checked = checked_then_declaring(logged_in, ready)
    save_device(colleague, ready, "VentriAssist II")

    stopped = sign(logged_in, ready, checked, signatory_role="Head of regulatory affairs")
    assert stopped.status_code == 409
    box = stopped.text.split('id="since-checked-title"')[1].split("</div>")[0]
    assert "The request has changed since you checked it" in stopped.text
    assert "Step “Device” saved again, by Marc Durand" in box
    assert "Check your answers again" in box and "Nothing is submitted yet" in box
    assert 'value="Head of regulatory affairs"' in stopped.text  # what was typed stays
    assert status(app, ready) == "draft"

    now = re.search(r'name="checked" value="([^"]+)"', stopped.text).group(1)
    assert sign(logged_in, ready, now).status_code == 303  # on purpose, as it is now
    with app.app_context():
        filed = db.session.get(Dossier, ready)
        assert filed.status == "submitted"
        assert filed.submitted_answers["answers"]["device"]["trade_name"] == "VentriAssist II"


def test_a_request_unchanged_since_the_check_is_submitted(app, logged_in, ready):
    assert sign(logged_in, ready, checked_then_declaring(logged_in, ready)).status_code == 303
    assert status(app, ready) == "submitted"


def test_the_same_answers_saved_again_change_nothing_that_is_signed(
    app, logged_in, colleague, ready
):
    checked = checked_then_declaring(logged_in, ready)
    save_device(colleague, ready, sample_answers("global")["device"]["trade_name"])
    assert sign(logged_in, ready, checked).status_code == 303


def test_a_document_added_after_the_check_is_named(app, logged_in, colleague, ready):
    checked = checked_then_declaring(logged_in, ready)
    added = colleague.post(
        f"/requests/{ready}/documents",
        data={
            "document-kind": "test_report",
            "document-file": (io.BytesIO(minimal_pdf("Bench tests")), "bench-tests.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert added.status_code == 303
    stopped = sign(logged_in, ready, checked)
    assert stopped.status_code == 409
    assert "Document added: bench-tests.pdf, by Marc Durand" in stopped.text


def test_a_declaration_opened_without_the_check_page_guards_from_its_own_opening(
    app, logged_in, colleague, ready
):
    page = logged_in.get(f"/requests/{ready}/steps/declaration")
    checked = re.search(r'name="checked" value="([^"]+)"', page.text).group(1)
    save_device(colleague, ready, "VentriAssist II")
    assert sign(logged_in, ready, checked).status_code == 409


@pytest.mark.parametrize("sent", ["", "x", "1.2", "99999999999999.abc", "1." + "z" * 32, "-1"])
def test_a_version_that_is_not_one_of_ours_is_never_an_error(app, logged_in, ready, sent):
    page = logged_in.get(f"/requests/{ready}/steps/declaration?checked={sent}")
    assert page.status_code == 200
    assert sign(logged_in, ready, sent).status_code in (303, 409)


def test_ones_own_change_from_another_tab_is_said_to_be_ones_own(app, logged_in, ready):
    checked = checked_then_declaring(logged_in, ready)
    save_device(logged_in, ready, "VentriAssist II")
    stopped = sign(logged_in, ready, checked)
    assert stopped.status_code == 409 and "Step “Device” saved again, by you" in stopped.text
