"""Two colleagues with the same step open: the first to save wins, and the second is shown
what was saved meanwhile, by whom and when, with their own answers still in the form, rather
than overwriting it unseen. Saving again then keeps their answers, on purpose. So are two
tabs of one person: each page carries its own id. A page's own saves never stop it, nor
does a page that does not say which it is: the last one wins."""

from __future__ import annotations

import io
import re

import pytest

from tests.conftest import (
    checked_on_the_check_page,
    dossier_with,
    login,
    make_colleague,
    post_step,
)
from wizard.demo import minimal_pdf, sample_answers
from wizard.extensions import db
from wizard.filing import service
from wizard.forms.base import to_formdata
from wizard.models import Dossier

DEVICE = sample_answers()["device"]
WRONG_UDI = "3760123456785"  # its check digit is wrong


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


def revision_in(page: str) -> str:
    """The revision of the step a page shows, as the browser sends it back."""
    return re.search(r'name="saved_revision" value="(\d+)"', page).group(1)


def opened(client, dossier_id: int, step: str = "device") -> str:
    page = client.get(f"/requests/{dossier_id}/steps/{step}")
    assert page.status_code == 200
    return revision_in(page.text)


def save(client, dossier_id, revision, trade_name, *, action="continue", query="", **more):
    values = dict(DEVICE, trade_name=trade_name, saved_revision=revision, **more)
    return post_step(client, dossier_id, "device", values, action=action, query=query)


def stored(app, dossier_id: int, step: str = "device") -> dict:
    with app.app_context():
        return db.session.get(Dossier, dossier_id).answers()[step]


def message_box(page: str) -> str:
    return page.split('id="changed-title"')[1].split("</table>")[0]


def test_a_colleague_who_saved_first_is_named_and_the_second_save_waits_for_a_decision(
    app, logged_in, colleague, draft
):
    mine, theirs = opened(logged_in, draft), opened(colleague, draft)
    assert save(colleague, draft, theirs, "VentriAssist II").status_code == 303

    stopped = save(logged_in, draft, mine, "VentriAssist Junior")
    assert stopped.status_code == 409
    assert "Your answers on this page were not saved" in stopped.text
    assert re.search(r"Marc Durand saved this page on \d+ \w+ \d{4} at \d\d:\d\d", stopped.text)
    box = message_box(stopped.text)
    # Side by side: the saved answer under its author's name, and the one not saved.
    row = re.search(r'<th scope="row">Trade name</th>(.*?)</tr>', box, re.S).group(1)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row) == ["VentriAssist II", "VentriAssist Junior"]
    assert "Saved by Marc Durand" in box and "Yours, not saved" in box
    assert "Model" not in box  # the same on both sides
    assert 'value="VentriAssist Junior"' in stopped.text  # nothing typed is lost
    assert stored(app, draft)["trade_name"] == "VentriAssist II"

    assert (
        save(logged_in, draft, revision_in(stopped.text), "VentriAssist Junior").status_code == 303
    )
    assert stored(app, draft)["trade_name"] == "VentriAssist Junior"


def page_in(page: str) -> str:
    return re.search(r'name="page_id" value="([\w-]+)"', page).group(1)


def test_two_tabs_of_one_person_are_two_pages(app, logged_in, draft):
    """Two tabs of one's own: the second to save is shown what the first saved, as with a
    colleague, in the words of one's own other tab; nothing typed is lost, and saving again
    keeps it. The same page saving twice (a refused save, then a good one) is never stopped."""
    first = logged_in.get(f"/requests/{draft}/steps/device").text
    second = logged_in.get(f"/requests/{draft}/steps/device").text
    assert page_in(first) != page_in(second)
    saved = save(logged_in, draft, revision_in(second), "VentriAssist II", page_id=page_in(second))
    assert saved.status_code == 303
    stopped = save(
        logged_in, draft, revision_in(first), "VentriAssist Junior", page_id=page_in(first)
    )
    assert stopped.status_code == 409
    text = " ".join(stopped.text.split())
    assert "You saved this page in another tab (or window) on" in text
    assert "Saved in your other tab" in message_box(stopped.text)
    assert 'value="VentriAssist Junior"' in stopped.text
    assert page_in(stopped.text) == page_in(first)  # still this page
    assert stored(app, draft)["trade_name"] == "VentriAssist II"
    again = save(
        logged_in,
        draft,
        revision_in(stopped.text),
        "VentriAssist Junior",
        page_id=page_in(stopped.text),
    )
    assert again.status_code == 303 and stored(app, draft)["trade_name"] == "VentriAssist Junior"
    # One page sending twice (a save, then another from the same page): never stopped.
    page = logged_in.get(f"/requests/{draft}/steps/device").text
    own = {"page_id": page_in(page)}
    assert save(logged_in, draft, revision_in(page), "VentriAssist III", **own).status_code == 303
    assert save(logged_in, draft, revision_in(page), "VentriAssist IV", **own).status_code == 303


def test_ones_own_earlier_page_saved_again_simply_saves(app, logged_in, draft):
    """A page that does not say which it is (not one of the portal's): the last save wins."""
    earlier = opened(logged_in, draft)
    assert save(logged_in, draft, earlier, "VentriAssist II").status_code == 303
    assert save(logged_in, draft, earlier, "VentriAssist Junior").status_code == 303
    assert stored(app, draft)["trade_name"] == "VentriAssist Junior"


def test_the_same_answers_saved_twice_are_simply_saved(app, logged_in, colleague, draft):
    mine, theirs = opened(logged_in, draft), opened(colleague, draft)
    assert save(colleague, draft, theirs, "VentriAssist II").status_code == 303
    assert save(logged_in, draft, mine, "VentriAssist II").status_code == 303


def test_a_page_refused_for_a_mistyped_answer_already_says_a_colleague_saved(
    app, logged_in, colleague, draft
):
    mine, theirs = opened(logged_in, draft), opened(colleague, draft)
    assert save(colleague, draft, theirs, "VentriAssist II").status_code == 303
    refused = save(logged_in, draft, mine, "VentriAssist Junior", udi_di=WRONG_UDI)
    assert refused.status_code == 422
    assert "Marc Durand saved this page" in refused.text and "VentriAssist II" in refused.text
    assert 'href="#udi_di"' in refused.text  # and what to correct
    # The mistyped answer is shown as typed beside the saved one, not as "No answer".
    row = re.search(r'<th scope="row">UDI-DI</th>(.*?)</tr>', message_box(refused.text), re.S)
    assert WRONG_UDI in row.group(1)
    # Corrected, and sent from the page that said it: saved on purpose.
    corrected = save(logged_in, draft, revision_in(refused.text), "VentriAssist Junior")
    assert corrected.status_code == 303
    assert stored(app, draft)["trade_name"] == "VentriAssist Junior"


def test_saving_for_later_with_a_mistyped_answer_is_stopped_without_blaming_blanks(
    app, logged_in, colleague, draft
):
    mine, theirs = opened(logged_in, draft), opened(colleague, draft)
    assert save(colleague, draft, theirs, "VentriAssist II").status_code == 303
    values = {
        "trade_name": "VentriAssist Junior",
        "udi_di": WRONG_UDI,
        "saved_revision": mine,
    }
    stopped = post_step(logged_in, draft, "device", values, action="save_exit")
    assert stopped.status_code == 409 and "Marc Durand saved this page" in stopped.text
    assert 'href="#udi_di"' in stopped.text
    assert "Enter the device" not in stopped.text  # blanks may stay blank for later
    assert stopped.text.count('role="alert"') == 1  # one message takes the focus
    assert stored(app, draft)["trade_name"] == "VentriAssist II"


def test_a_change_made_from_the_check_page_is_stopped_the_same_way(app, user, logged_in, colleague):
    with app.app_context():
        ready = dossier_with(user[0], "global")
    mine = opened(logged_in, ready)
    assert save(colleague, ready, opened(colleague, ready), "VentriAssist II").status_code == 303
    stopped = save(logged_in, ready, mine, "VentriAssist Junior", query="?return_to=check")
    assert stopped.status_code == 409
    keep_theirs = re.search(r'<a href="([^"]+)">Keep the saved answers instead', stopped.text)
    assert "return_to=check" in keep_theirs.group(1)


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
    values = dict(DEVICE, trade_name="VentriAssist Junior", saved_revision=mine)
    stopped = post_step(logged_in, draft, "device", values, htmx=True)
    assert stopped.status_code == 200  # htmx swaps only a successful answer in
    assert "Marc Durand saved this page on" in stopped.text


def test_a_step_first_saved_by_a_colleague_while_open_is_not_overwritten(
    app, logged_in, colleague, draft
):
    assert opened(logged_in, draft) == "0"  # never saved yet
    assert save(colleague, draft, opened(colleague, draft), "VentriAssist II").status_code == 303
    assert save(logged_in, draft, "0", "VentriAssist Junior").status_code == 409
    assert stored(app, draft)["trade_name"] == "VentriAssist II"


def test_a_revision_that_is_not_a_number_counts_as_an_old_page(app, logged_in, colleague, draft):
    assert save(colleague, draft, opened(colleague, draft), "VentriAssist II").status_code == 303
    for sent in ("", "-1", "x", "9" * 12, "１"):
        assert save(logged_in, draft, sent, "VentriAssist Junior").status_code == 409
    assert stored(app, draft)["trade_name"] == "VentriAssist II"


def test_the_upload_button_of_the_evidence_step_does_not_overwrite_a_colleague(
    app, user, logged_in, colleague
):
    """The evidence step's upload button sends the summaries typed beside it: the file is
    added, the summaries a colleague saved meanwhile stay until a decision."""
    with app.app_context():
        steps = ["before-you-start", "situation", "manufacturer", "device", "clinical-evidence"]
        dossier_id = dossier_with(user[0], "global", steps=steps, files=False)
    step = "clinical-evidence"
    mine, theirs = opened(logged_in, dossier_id, step), opened(colleague, dossier_id, step)
    evidence = sample_answers("global")[step]
    theirs_saved = dict(evidence, efficacy_summary="Survival to transplant 90 %.")
    values = dict(theirs_saved, saved_revision=theirs)
    sent = post_step(colleague, dossier_id, step, values, action="save_exit")
    assert sent.status_code == 303  # saved for later: the evaluation is still to attach

    uploaded = logged_in.post(
        f"/requests/{dossier_id}/documents",
        data={
            **evidence,
            "efficacy_summary": "Survival to transplant 80 %.",
            "saved_revision": mine,
            "document-kind": "clinical_evaluation",
            "document-file": (io.BytesIO(minimal_pdf("Evaluation")), "evaluation.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 409 and "Marc Durand saved this page" in uploaded.text
    assert "Survival to transplant 80 %." in uploaded.text  # what was typed stays
    assert stored(app, dossier_id, step)["efficacy_summary"] == "Survival to transplant 90 %."
    with app.app_context():
        assert [d.filename for d in db.session.get(Dossier, dossier_id).documents] == [
            "evaluation.pdf"
        ]


def test_a_step_copied_from_a_filed_request_is_guarded_too(app, user, logged_in, colleague):
    with app.app_context():
        filed = dossier_with(user[0], "global", submit=True)
        owner = db.session.get(Dossier, filed).created_by
        copy_id = service.start_from(db.session.get(Dossier, filed), owner).id
    mine, theirs = opened(logged_in, copy_id), opened(colleague, copy_id)
    assert save(colleague, copy_id, theirs, "VentriAssist II").status_code == 303
    assert save(logged_in, copy_id, mine, "VentriAssist Junior").status_code == 409
    assert stored(app, copy_id)["trade_name"] == "VentriAssist II"


def test_a_colleagues_save_between_two_of_ones_own_is_not_reverted_unseen(
    app, logged_in, colleague, draft
):
    """My first tab open; a colleague saves; I save from a second tab; then the first tab."""
    first_tab = opened(logged_in, draft)
    assert save(colleague, draft, opened(colleague, draft), "VentriAssist II").status_code == 303
    second_tab = opened(logged_in, draft)
    changed = dict(DEVICE, trade_name="VentriAssist II", model="VAM-300")
    changed["saved_revision"] = second_tab
    assert post_step(logged_in, draft, "device", changed).status_code == 303
    stopped = save(logged_in, draft, first_tab, "VentriAssist Junior")
    assert stopped.status_code == 409 and "Marc Durand saved this page" in stopped.text
    assert stored(app, draft)["model"] == "VAM-300"


def test_the_dashboard_says_which_colleague_saved_a_draft_last(app, logged_in, colleague, draft):
    assert "Last saved by" not in logged_in.get("/dashboard").text  # one's own saves
    assert save(colleague, draft, opened(colleague, draft), "VentriAssist II").status_code == 303
    assert "Last saved by Marc Durand" in logged_in.get("/dashboard").text
    assert "Last saved by" not in colleague.get("/dashboard").text


def test_a_page_saying_a_colleague_saved_says_it_again_in_the_other_language(
    app, logged_in, colleague, draft
):
    """Switched to the other language (the switch sends the step's form), the page that
    stopped a save still says whose save stopped it and what differs, until the next save:
    a person switching to read it in their language does not overwrite it unawares."""
    mine, theirs = opened(logged_in, draft), opened(colleague, draft)
    assert save(colleague, draft, theirs, "VentriAssist II").status_code == 303
    stopped = save(logged_in, draft, mine, "VentriAssist Junior")
    assert stopped.status_code == 409
    opened_at = re.search(r'name="opened_revision" value="(\d+)"', stopped.text).group(1)
    assert opened_at == mine
    values = dict(
        DEVICE, trade_name="VentriAssist Junior", saved_revision=revision_in(stopped.text)
    )
    switched = logged_in.post(
        f"/requests/{draft}/steps/device",
        data={**to_formdata(values), "opened_revision": opened_at, "switch_language": "fr"},
    )
    assert switched.status_code == 200 and '<html lang="fr">' in switched.text
    assert "Vos réponses sur cette page n’ont pas été enregistrées" in switched.text
    assert "Marc Durand a enregistré cette page le" in switched.text
    assert 'value="VentriAssist Junior"' in switched.text
    assert f'name="opened_revision" value="{opened_at}"' in switched.text
    assert stored(app, draft)["trade_name"] == "VentriAssist II"
    # Saved from it, knowingly: theirs replaced.
    assert (
        save(logged_in, draft, revision_in(switched.text), "VentriAssist Junior").status_code == 303
    )
    assert stored(app, draft)["trade_name"] == "VentriAssist Junior"


def test_a_declaration_sent_after_a_colleague_submitted_says_it_was_not_taken(
    app, user, logged_in, colleague
):
    """Not "already submitted: here it is", which reads as one's own signature taken."""
    from tests.conftest import sign_and_submit
    from wizard.demo import sample_declaration

    with app.app_context():
        dossier_id = dossier_with(user[0])
    checked = checked_on_the_check_page(logged_in, dossier_id)
    assert sign_and_submit(colleague, dossier_id).status_code == 303
    mine = {**sample_declaration(), "signatory_role": "Quality director", "checked": checked}
    late = post_step(logged_in, dossier_id, "declaration", mine)
    assert late.status_code == 409
    assert "This request can no longer be changed" in late.text
    assert "Quality director" in late.text  # what was typed, to copy
    assert "already submitted: here it is" not in late.text
    # Sent twice by the one who submitted it: their own signature was taken.
    again = sign_and_submit(colleague, dossier_id)
    assert again.status_code == 303 and again.location.endswith(f"/requests/{dossier_id}/submitted")


def test_a_colleague_saving_the_page_unchanged_does_not_turn_a_real_change_away(
    app, draft, logged_in, colleague
):
    """Marc opens the step and saves it as it was; Claire, who opened it before, changes an
    answer: hers is saved, not refused as made after a save that changed nothing."""
    assert save(logged_in, draft, "0", "VentriAssist").status_code == 303
    claire_opened = opened(logged_in, draft)
    marc_opened = opened(colleague, draft)
    assert save(colleague, draft, marc_opened, "VentriAssist").status_code == 303
    assert save(logged_in, draft, claire_opened, "VentriAssist Mini").status_code == 303
    with app.app_context():
        assert (
            db.session.get(Dossier, draft).answers()["device"]["trade_name"] == "VentriAssist Mini"
        )
    # A real change of Marc's still stops a page opened before it.
    marc_opened, claire_opened = opened(colleague, draft), opened(logged_in, draft)
    assert save(colleague, draft, marc_opened, "VentriAssist Kids").status_code == 303
    refused = save(logged_in, draft, claire_opened, "VentriAssist Junior")
    assert refused.status_code == 409 and "Marc Durand" in refused.text
