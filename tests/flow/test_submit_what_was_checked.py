"""Nobody signs what they have not seen: the declaration is reached from the check-your-answers
page, whose link carries the request as checked there; a request changed since (a colleague
saved a step, a file was added or removed, a professional's letter arrived) is not submitted.
The declaration page says what changed, by whom and when, and the way on is to check the
answers again."""

from __future__ import annotations

import html
import re

import pytest

from tests.conftest import (
    checked_on_the_check_page,
    dossier_with,
    login,
    make_colleague,
    post_step,
    sign_and_submit,
    upload_document,
)
from tests.flow.test_put_back import put_back_button
from tests.invites.support import INVITE, invite, link_in, send_letter
from wizard.demo import sample_answers, sample_declaration
from wizard.extensions import db
from wizard.models import Dossier, Invitation


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


def declaring(client, dossier_id: int) -> str:
    """The check page, then its link to the declaration: the version the declaration sends."""
    checked = checked_on_the_check_page(client, dossier_id)
    page = client.get(f"/requests/{dossier_id}/steps/declaration?checked={checked}")
    assert page.status_code == 200
    return re.search(r'name="checked" value="([^"]+)"', page.text).group(1)


def sign(client, dossier_id: int, checked: str, **typed):
    values = {**sample_declaration(), "checked": checked, **typed}
    return post_step(client, dossier_id, "declaration", values)


def status(app, dossier_id: int) -> str:
    with app.app_context():
        return db.session.get(Dossier, dossier_id).status


def save_device(client, dossier_id: int, trade_name: str):
    values = dict(sample_answers("global")["device"], trade_name=trade_name)
    assert post_step(client, dossier_id, "device", values).status_code == 303


def box(page: str) -> str:
    return page.split('id="since-checked-title"')[1].split("</div>")[0]


def test_a_step_a_colleague_saved_after_the_check_stops_the_signature(
    app, logged_in, colleague, ready
):
    checked = declaring(logged_in, ready)
    save_device(colleague, ready, "VentriAssist II")

    stopped = sign(logged_in, ready, checked, signatory_role="Head of regulatory affairs")
    assert stopped.status_code == 409
    said = box(stopped.text)
    assert "Nothing was submitted: the request has changed since you checked it" in stopped.text
    assert re.search(r"Step “Device” changed by Marc Durand on \d+ \w+ \d{4} at \d\d:\d\d", said)
    assert "Check your answers again" in said
    assert 'value="Head of regulatory affairs"' in stopped.text  # what was typed stays
    assert status(app, ready) == "draft"

    # Signing again from this page is refused again: the answers must be seen first.
    assert sign(logged_in, ready, checked).status_code == 409
    assert sign_and_submit(logged_in, ready).status_code == 303  # after the check page
    with app.app_context():
        filed = db.session.get(Dossier, ready)
        assert filed.submitted_answers["answers"]["device"]["trade_name"] == "VentriAssist II"


def test_what_was_ticked_and_typed_comes_back_after_checking_again(
    app, logged_in, colleague, ready
):
    """Refused for a colleague's change, the signer checks the answers again: the declaration
    comes back as they had ticked and typed it (said so, to check before signing), once."""
    checked = declaring(logged_in, ready)
    save_device(colleague, ready, "VentriAssist II")
    typed = {"signatory_role": "Head of regulatory affairs"}
    assert sign(logged_in, ready, checked, **typed).status_code == 409

    again = checked_on_the_check_page(logged_in, ready)  # checked again, then its link
    page = logged_in.get(f"/requests/{ready}/steps/declaration?checked={again}").text
    said = " ".join(html.unescape(page).split())
    assert (
        "What you ticked and typed on this page before checking your answers again is filled "
        "in: check it, then sign." in said
    )
    assert 'value="Head of regulatory affairs"' in page
    assert re.search(r'<input[^>]*name="attest_accuracy"[^>]*checked', page)
    assert sign(logged_in, ready, again, **typed).status_code == 303
    assert status(app, ready) == "submitted"


def test_a_request_unchanged_since_the_check_is_submitted(app, logged_in, ready):
    assert sign(logged_in, ready, declaring(logged_in, ready)).status_code == 303
    assert status(app, ready) == "submitted"


def test_what_does_not_change_the_filing_does_not_stop_the_signature(
    app, user, logged_in, colleague, ready, inbox
):
    checked = declaring(logged_in, ready)
    # The same answers saved again, and a professional invited and the invitation revoked.
    save_device(colleague, ready, sample_answers("global")["device"]["trade_name"])
    assert invite(logged_in, ready).status_code == 303
    with app.app_context():
        invitation = db.session.query(Invitation).filter_by(dossier_id=ready).one()
        revoked = logged_in.post(
            f"/requests/{ready}/invitations/{invitation.id}/revoke", data={"confirmed": "yes"}
        )
    assert revoked.status_code == 303
    assert sign(logged_in, ready, checked).status_code == 303


def test_a_document_added_and_another_removed_after_the_check_are_both_said(
    app, logged_in, colleague, ready
):
    assert upload_document(logged_in, ready, "old-report.pdf", "test_report").status_code == 303
    checked = declaring(logged_in, ready)
    assert upload_document(colleague, ready, "bench-tests.pdf", "test_report").status_code == 303
    with app.app_context():
        documents = db.session.get(Dossier, ready).documents
        old = next(d.id for d in documents if d.filename == "old-report.pdf")
    assert colleague.post(f"/requests/{ready}/documents/{old}/delete").status_code == 303
    stopped = sign(logged_in, ready, checked)
    assert stopped.status_code == 409
    said = box(stopped.text)
    assert "Document “bench-tests.pdf” added by Marc Durand on" in said
    assert "1 document or letter removed" in said


def test_a_document_removed_then_put_back_after_the_check_is_said(app, logged_in, colleague, ready):
    """Put back, a document is among the request's files again, perhaps in another order:
    said as added again, not a change the page cannot name."""
    assert upload_document(logged_in, ready, "old-report.pdf", "test_report").status_code == 303
    assert upload_document(logged_in, ready, "bench-tests.pdf", "test_report").status_code == 303
    checked = declaring(logged_in, ready)
    with app.app_context():
        documents = db.session.get(Dossier, ready).documents
        old = next(d.id for d in documents if d.filename == "old-report.pdf")
    removed = colleague.post(f"/requests/{ready}/documents/{old}/delete")
    undo = put_back_button(colleague.get(removed.location).text)
    assert colleague.post(undo).status_code == 303
    stopped = sign(logged_in, ready, checked)
    assert stopped.status_code == 409
    said = box(stopped.text)
    assert "Document “old-report.pdf” added by Marc Durand on" in said


def test_a_letter_arriving_through_an_invitation_after_the_check_is_said(
    app, logged_in, ready, inbox
):
    checked = declaring(logged_in, ready)
    assert invite(logged_in, ready).status_code == 303
    link = link_in(inbox.to(INVITE["invite-email"])[0])
    assert send_letter(app.test_client(), link).status_code == 303
    stopped = sign(logged_in, ready, checked)
    assert stopped.status_code == 409
    assert "Letter from Dr Anne Leroy received on" in box(stopped.text)


def test_ones_own_change_from_another_tab_is_said_to_be_ones_own(app, logged_in, ready):
    checked = declaring(logged_in, ready)
    save_device(logged_in, ready, "VentriAssist II")
    stopped = sign(logged_in, ready, checked)
    assert stopped.status_code == 409 and "Step “Device” changed by you on" in stopped.text


def test_the_declaration_is_reached_only_from_the_check_page(app, logged_in, ready):
    opened = logged_in.get(f"/requests/{ready}/steps/declaration")
    assert opened.status_code == 302 and opened.location.endswith("/steps/check")
    unsigned = post_step(logged_in, ready, "declaration", sample_declaration())
    assert unsigned.status_code == 303 and unsigned.location.endswith("/steps/check")
    page = logged_in.get(unsigned.location).text
    assert "Check your answers, then continue to the declaration to sign them." in page
    assert status(app, ready) == "draft"


def test_a_version_checked_by_a_colleague_is_not_ones_own(app, logged_in, colleague, ready):
    theirs = checked_on_the_check_page(colleague, ready)
    assert sign(logged_in, ready, theirs).status_code == 409


def test_a_refused_declaration_keeps_the_version_checked(app, logged_in, ready):
    checked = declaring(logged_in, ready)
    refused = sign(logged_in, ready, checked, signature="Someone Else")
    assert refused.status_code == 422
    assert f'name="checked" value="{checked}"' in refused.text
    # Its address lacks the version: the language switch leads to the page with it.
    switch = re.search(r'href="(/language/fr\?next=[^"]+)"', refused.text).group(1)
    switched = logged_in.get(html.unescape(switch))
    assert switched.status_code == 302
    again = logged_in.get(switched.location)
    assert again.status_code == 200 and f'name="checked" value="{checked}"' in again.text
    logged_in.get("/language/en")
    assert sign(logged_in, ready, checked).status_code == 303


@pytest.mark.parametrize(
    "sent",
    ["", "x", "1.2", "1.1.abc", "9" * 15 + ".1." + "a" * 32, '"><script>', "-1.0." + "a" * 32],
)
def test_a_version_that_is_not_one_of_ours_is_never_an_error(app, logged_in, ready, sent):
    page = logged_in.get(f"/requests/{ready}/steps/declaration", query_string={"checked": sent})
    assert page.status_code == 302
    refused = sign(logged_in, ready, sent)
    assert refused.status_code == 303 and refused.location.endswith("/steps/check")
    assert status(app, ready) == "draft"


def test_the_language_switch_keeps_the_declaration_as_typed_and_signs_nothing(
    app, logged_in, ready
):
    """The header's switch is a button of the declaration's form: the page comes back in the
    other language with the boxes ticked and the names typed (JavaScript off too), and the
    request is not submitted."""
    checked = declaring(logged_in, ready)
    page = logged_in.get(f"/requests/{ready}/steps/declaration?checked={checked}").text
    assert re.search(r'<button type="submit" form="declaration-form" name="switch_language"', page)
    assert 'id="declaration-form"' in page
    typed = {
        **sample_declaration(),
        "signature": "Claire Mar",
        "checked": checked,
        "switch_language": "fr",
    }
    switched = post_step(logged_in, ready, "declaration", typed)
    assert switched.status_code == 200
    text = " ".join(html.unescape(switched.text).split())
    assert '<html lang="fr"' in switched.text
    assert "rien n’est signé" in text
    assert len(re.findall(r'type="checkbox"[^>]*checked', switched.text)) == 4
    assert re.search(r'name="signature"[^>]*value="Claire Mar"', switched.text)
    assert f'name="checked" value="{checked}"' in switched.text
    assert status(app, ready) == "draft"
    # Sent from there, as typed (the signature finished): submitted.
    assert sign(logged_in, ready, checked).status_code == 303
    assert status(app, ready) == "submitted"
