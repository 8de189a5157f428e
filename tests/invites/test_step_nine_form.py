"""Step 9 is one form: the invitation and the letter fields belong to it, so that no button
on the page leaves what was typed in them behind without a word. "Save and continue" attaches
a letter described (as the evidence step does with a chosen document), and does not send an
invitation unasked: it says it was not sent, and keeps it as typed."""

from __future__ import annotations

import io
import re

from tests.flow.test_csrf import csrf_app  # noqa: F401 - the fixture
from tests.invites.support import INVITE, SIGNED_LETTER, invitations_of, letters_of
from wizard import clock
from wizard.demo import VALID_RPPS

LETTER = {
    "letter-author_name": "Dr Paul Henry",
    "letter-author_rpps": VALID_RPPS,
    "letter-specialty": "Cardiology",
    "letter-establishment": "CHU de Lille",
    "letter-letter_date": clock.today().isoformat(),
}
STEP = "/requests/{}/steps/hcp-support"


def with_file(data: dict, name="letter-henry.pdf") -> dict:
    return {**data, "letter-file": (io.BytesIO(SIGNED_LETTER), name)}


def post(client, url: str, data: dict):
    return client.post(url, data=data, content_type="multipart/form-data")


def test_the_page_is_one_form_that_sends_files(manufacturer):
    client, dossier_id = manufacturer
    page = client.get(STEP.format(dossier_id)).text
    assert f' action="/requests/{dossier_id}/invitations"' not in page  # no form of its own
    assert f' action="/requests/{dossier_id}/letters"' not in page
    assert 'id="step-form" enctype="multipart/form-data"' in page
    for name in ("invite-email", "letter-author_name", "letter-file"):
        assert f'name="{name}"' in page and 'form="step-form"' in page
    assert f'formaction="/requests/{dossier_id}/invitations"' in page
    assert f'formaction="/requests/{dossier_id}/letters"' in page


def test_save_and_continue_attaches_the_letter_described(app, manufacturer):
    client, dossier_id = manufacturer
    response = post(client, STEP.format(dossier_id), with_file({**LETTER, "action": "continue"}))
    assert response.status_code == 303
    assert "/steps/certification" in response.location
    with app.app_context():
        assert [letter.author_name for letter in letters_of(dossier_id)] == ["Dr Paul Henry"]
    # Said on the next step, where no section of letters would hold it: at the top.
    following = client.get(response.location).text
    assert "The letter from Dr Paul Henry has been added." in following
    assert following.index("has been added") < following.index("<h1")


def test_a_letter_half_described_stops_the_step_with_what_is_missing(app, manufacturer):
    client, dossier_id = manufacturer
    described = {**LETTER, "letter-author_rpps": "", "action": "continue"}
    response = post(client, STEP.format(dossier_id), with_file(described))
    assert response.status_code == 422
    assert "Enter the author&#39;s RPPS number." in response.text
    assert 'value="Dr Paul Henry"' in response.text
    # The file chosen is kept for the next try: a browser never sends it twice.
    assert "We have kept the letter you chose: letter-henry.pdf" in response.text
    with app.app_context():
        assert letters_of(dossier_id) == []


def test_save_and_continue_does_not_send_an_invitation_typed_but_says_so(app, manufacturer, inbox):
    client, dossier_id = manufacturer
    for action in ("continue", "save_exit"):
        response = post(client, STEP.format(dossier_id), {**INVITE, "action": action})
        assert response.status_code == 422
        assert "You have filled in an invitation without sending it." in response.text
        assert 'href="#invite-clinician_name"' in response.text  # from the error summary
        # …and said there, beside the invitation's first field, once in the summary.
        assert 'id="invite-clinician_name-error"' in response.text
        # (The field checked live carries the summary's words too, for app.js: not shown.)
        said = "You have filled in an invitation without sending it."
        assert response.text.count(said) - response.text.count(f'data-summary="{said}') == 2
        assert 'value="anne.leroy@necker.example"' in response.text
        assert "your letter would help the child" in response.text
    assert inbox == []
    with app.app_context():
        assert invitations_of(dossier_id) == []


def test_a_letter_refused_and_an_invitation_not_sent_are_both_said_at_once(app, manufacturer):
    """ "Save and continue" with a letter half described and an invitation typed: the summary
    lists both, rather than the invitation on the next try."""
    client, dossier_id = manufacturer
    described = {**LETTER, "letter-author_rpps": "", **INVITE, "action": "continue"}
    response = post(client, STEP.format(dossier_id), with_file(described))
    assert response.status_code == 422
    summary = response.text[response.text.index('class="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert 'href="#letter-author_rpps"' in summary
    assert 'href="#invite-clinician_name"' in summary
    assert "You have filled in an invitation without sending it." in summary
    assert 'value="anne.leroy@necker.example"' in response.text  # kept as typed
    # The letter's own button, pressed: only the letter is said (the invitation goes on
    # being typed, as when the letter is attached).
    alone = post(client, f"/requests/{dossier_id}/letters", with_file(described))
    assert alone.status_code == 422 and "without sending it" not in alone.text


def test_sending_the_invitation_keeps_the_letter_being_described(app, manufacturer, inbox):
    client, dossier_id = manufacturer
    response = post(client, f"/requests/{dossier_id}/invitations", with_file({**INVITE, **LETTER}))
    assert response.status_code == 200
    assert "The invitation has been sent to Dr Anne Leroy" in response.text
    assert 'value="Dr Paul Henry"' in response.text
    assert "We have kept the letter you chose: letter-henry.pdf" in response.text
    assert 'value="anne.leroy@necker.example"' not in response.text  # sent: its form is new
    assert len(inbox.to("anne.leroy@necker.example")) == 1
    # The letter then goes with its own button, its file taken from what was kept.
    response = post(client, f"/requests/{dossier_id}/letters", LETTER)
    assert response.status_code == 303
    with app.app_context():
        assert [letter.filename for letter in letters_of(dossier_id)] == ["letter-henry.pdf"]


def test_uploading_the_letter_keeps_the_invitation_being_typed(app, manufacturer, inbox):
    client, dossier_id = manufacturer
    response = post(client, f"/requests/{dossier_id}/letters", with_file({**LETTER, **INVITE}))
    assert response.status_code == 200
    assert "The letter from Dr Paul Henry has been added." in response.text
    assert 'value="anne.leroy@necker.example"' in response.text
    assert 'value="Dr Paul Henry"' not in response.text  # attached: its form is new
    assert inbox == []


def test_nothing_typed_in_either_form_lets_the_step_go_on(manufacturer):
    client, dossier_id = manufacturer
    response = post(client, STEP.format(dossier_id), {"action": "continue"})
    assert response.status_code == 303


def test_an_address_already_invited_is_sent_again_with_resend(app, manufacturer, inbox):
    client, dossier_id = manufacturer
    assert post(client, f"/requests/{dossier_id}/invitations", INVITE).status_code == 303
    again = {**INVITE, "invite-email": "Anne.Leroy@Necker.example"}
    response = post(client, f"/requests/{dossier_id}/invitations", again)
    assert response.status_code == 422
    assert "You have already invited this address (Dr Anne Leroy)." in response.text
    with app.app_context():
        assert len(invitations_of(dossier_id)) == 1
    assert len(inbox) == 1


def test_an_address_of_the_manufacturers_own_accounts_is_not_invited(
    app, manufacturer, user, inbox
):
    """A letter stating a patient's need comes from a professional who treats them: neither
    the filer's own address nor a colleague's gets a link (a letter held is attached)."""
    from tests.conftest import make_colleague

    client, dossier_id = manufacturer
    with app.app_context():
        make_colleague(user[0], "marc.durand@cardiotech.example")
    own = post(client, f"/requests/{dossier_id}/invitations", {**INVITE, "invite-email": user[1]})
    assert own.status_code == 422
    said = " ".join(own.text.replace("&#39;", "'").split())
    assert "This is your own address: the letter must come from a healthcare professional" in said
    assert 'value="Dr Anne Leroy"' in own.text  # what was typed, kept
    colleague = {**INVITE, "invite-email": "Marc.Durand@cardiotech.example"}
    refused = post(client, f"/requests/{dossier_id}/invitations", colleague)
    assert refused.status_code == 422
    said = " ".join(refused.text.replace("&#39;", "'").split())
    assert "This is the address of Marc Durand's account in your organisation" in said
    with app.app_context():
        assert invitations_of(dossier_id) == []
    assert len(inbox) == 0


def test_after_a_change_from_the_summary_the_step_leads_back_to_it(app, manufacturer, inbox):
    client, dossier_id = manufacturer
    page = client.get(STEP.format(dossier_id) + "?return_to=check").text
    assert f'formaction="/requests/{dossier_id}/letters?return_to=check"' in page
    response = post(client, f"/requests/{dossier_id}/letters?return_to=check", with_file(LETTER))
    assert response.location.endswith("/steps/hcp-support?return_to=check#letters")
    assert "Back to your answers" in client.get(response.location).text


def test_a_letter_attached_with_an_invitation_left_unsent_does_not_come_back(
    app, manufacturer, inbox
):
    """Both given, then "Save and continue": the letter is attached and its form comes back
    empty (else it would be attached again), the invitation is kept, unsent; cleared, the step
    goes on."""
    client, dossier_id = manufacturer
    both = with_file({**LETTER, **INVITE, "action": "continue"})
    response = post(client, STEP.format(dossier_id), both)
    assert response.status_code == 422
    assert "The letter from Dr Paul Henry has been added." in response.text
    assert 'value="Dr Paul Henry"' not in response.text
    assert 'value="anne.leroy@necker.example"' in response.text
    assert post(client, STEP.format(dossier_id), {"action": "continue"}).status_code == 303
    with app.app_context():
        assert len(letters_of(dossier_id)) == 1
    assert inbox == []


def test_enter_in_a_one_line_answer_saves_the_step_with_javascript_off(manufacturer):
    """The form's first button in the page is its "Save and continue", out of sight and of
    the Tab order: Enter presses it, not "Send the invitation" or a file's "Remove"."""
    client, dossier_id = manufacturer
    page = client.get(STEP.format(dossier_id)).text
    first = re.search(r'<button type="submit"[^>]*form="step-form"[^>]*>', page).group(0)
    assert "name=" not in first and 'tabindex="-1"' in first  # no action: "continue"
    assert 'aria-hidden="true"' in first


def test_resend_keeps_what_is_typed_in_the_forms(app, manufacturer, inbox):
    client, dossier_id = manufacturer
    assert post(client, f"/requests/{dossier_id}/invitations", INVITE).status_code == 303
    with app.app_context():
        (invitation,) = invitations_of(dossier_id)
    page = client.get(STEP.format(dossier_id)).text
    resend = f"/requests/{dossier_id}/invitations/{invitation.id}/resend"
    assert f'formaction="{resend}"' in page
    typed = {**LETTER, "invite-clinician_name": "Dr Paul Henry"}
    response = post(client, resend, with_file(typed))
    assert response.status_code == 200
    assert 'value="Dr Paul Henry"' in response.text  # the invitation being typed
    assert "We have kept the letter you chose: letter-henry.pdf" in response.text
    assert len(inbox.to("anne.leroy@necker.example")) == 2


def test_a_letter_form_emptied_lets_the_letter_kept_go(app, manufacturer):
    client, dossier_id = manufacturer
    refused = post(client, STEP.format(dossier_id), with_file({"letter-author_name": "Dr X"}))
    assert "We have kept the letter you chose" in refused.text
    assert post(client, STEP.format(dossier_id), {"action": "continue"}).status_code == 303
    assert "We have kept the letter" not in client.get(STEP.format(dossier_id)).text


def test_an_expired_step_nine_lists_the_invitation_and_letter_typed(
    app,
    manufacturer,
    csrf_app,  # noqa: F811
):
    _client, dossier_id = manufacturer
    browser = csrf_app.test_client()
    expired = browser.post(STEP.format(dossier_id), data={**INVITE, **LETTER})
    assert expired.status_code == 400
    assert "anne.leroy@necker.example" in expired.text and "Dr Paul Henry" in expired.text


def test_sent_by_the_default_button_the_step_saves_and_goes_on(manufacturer):
    client, dossier_id = manufacturer
    response = post(client, STEP.format(dossier_id), {})  # no action: Enter's button
    assert response.status_code == 303 and "/steps/certification" in response.location


def test_a_letter_removed_in_another_tab_keeps_what_was_typed_here(app, manufacturer):
    """Step 9 open in two tabs: the letter removed in one, then "Remove" in the other, where
    an invitation was being typed. The page says the letter is gone already and keeps what
    was typed, rather than a "page not found" that loses it."""
    client, dossier_id = manufacturer
    added = post(client, f"/requests/{dossier_id}/letters", with_file(LETTER))
    assert added.status_code == 303
    with app.app_context():
        [letter] = letters_of(dossier_id)
        letter_id = letter.id
    remove = f"/requests/{dossier_id}/letters/{letter_id}/delete"
    first = post(client, remove, {})  # the first tab, which shows the removal
    assert first.status_code == 303
    assert "has been removed" in client.get(first.location).text

    again = post(client, remove, INVITE)  # the second tab, an invitation typed in it
    assert again.status_code == 200
    assert "This letter was removed already, in another tab or by a colleague." in again.text
    assert 'value="anne.leroy@necker.example"' in again.text
    assert "Page not found" not in again.text
    # Opened at that address later (a reload): back to the step.
    assert client.get(remove).location.endswith(f"/requests/{dossier_id}/steps/hcp-support#letters")
