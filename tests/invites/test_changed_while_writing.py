"""A professional's letter is written for the request their link's page showed (the patient,
the type of access, the device): if the manufacturer changes it while the page is open, the
letter is not sent, and the page shows the request as it is now, with what was typed and the
file chosen kept."""

from __future__ import annotations

import html
import io
import re

import pytest

from tests.conftest import post_step
from tests.invites.support import LETTER, SIGNED_LETTER, invite, letters_of, link_in, send_letter
from wizard import uploads
from wizard.demo import sample_answers
from wizard.invites import service


def shown_on(page: str) -> str:
    return re.search(r'<input type="hidden" name="shown" value="([0-9a-f.]+)">', page).group(1)


def opened_by_the_professional(manufacturer, clinician, inbox) -> tuple[str, str]:
    """The professional invited, their link opened: the link, and the page it shows."""
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    link = link_in(inbox[-1])
    return link, clinician.get(link).text


def test_a_letter_is_not_sent_for_a_patient_its_author_was_not_shown(
    app, manufacturer, clinician, inbox
):
    client, dossier_id = manufacturer
    link, opened = opened_by_the_professional(manufacturer, clinician, inbox)
    shown = shown_on(opened)
    was = sample_answers("individual")["patient"]
    assert f"{was['patient_initials']}" in opened

    # Meanwhile the manufacturer names another patient.
    other = {**was, "patient_initials": "AB", "patient_birth_year": "1950"}
    assert post_step(client, dossier_id, "patient", other).status_code == 303

    refused = send_letter(clinician, link, shown=shown)
    assert refused.status_code == 409
    assert "Your letter has not been sent" in refused.text
    # What changed is named, and marked where the page shows it.
    said = " ".join(html.unescape(refused.text).split())
    assert (
        "Cardiotech Médical SAS changed the patient while this page was open "
        "(marked “Changed” below)"
    ) in said
    assert (
        'Initials AB, born in 1950 <strong class="tag tag--todo">Changed</strong>' in said
    )  # the patient now
    assert said.count(">Changed</strong>") == 1
    assert "We have kept the letter you chose: letter-leroy.pdf" in refused.text
    assert 'value="Dr Anne Leroy"' in refused.text  # what was typed
    with app.app_context():
        assert letters_of(dossier_id) == []

    # Sent again from the page as it is now (the file kept): received, for that patient.
    sent = send_letter(clinician, link, file=None, shown=shown_on(refused.text))
    assert sent.status_code == 303
    with app.app_context():
        [letter] = letters_of(dossier_id)
        assert (letter.written_for, letter.written_for_patient) == ("individual", "AB 1950")


def test_a_change_is_said_with_a_slip_and_again_in_the_other_language(
    app, manufacturer, clinician, inbox
):
    """A letter refused for a mistyped RPPS while the patient changed: the page says both
    (else, showing the request as it is now, it would take the change in unsaid, and the
    corrected letter go to a patient its author never read of); its language switch then
    says the change again."""
    client, dossier_id = manufacturer
    link, opened = opened_by_the_professional(manufacturer, clinician, inbox)
    other = {**sample_answers("individual")["patient"], "patient_initials": "AB"}
    assert post_step(client, dossier_id, "patient", other).status_code == 303

    slip = send_letter(clinician, link, shown=shown_on(opened), author_rpps="10000000008")
    assert slip.status_code == 422
    said = " ".join(html.unescape(slip.text).split())
    assert "This RPPS number is not valid" in said
    assert "changed the patient while this page was open (marked “Changed” below)" in said
    assert said.count(">Changed</strong>") == 1

    data = {**LETTER, "shown": shown_on(slip.text), "switch_language": "fr"}
    data["marked"] = re.search(r'name="marked" value="([a-z_,]+)"', slip.text).group(1)
    switched = clinician.post(link, data=data, content_type="multipart/form-data")
    french = " ".join(html.unescape(switched.text).split())
    # Said as seen before, not as why a letter was not sent (nothing was sent).
    assert "a modifié le patient après la première ouverture de cette page" in french
    assert "n’a pas été envoyée" not in french
    assert french.count(">Modifié</strong>") == 1
    # A second slip: the change is said again as seen, the slip as why.
    slip_again = {**LETTER, "shown": shown_on(slip.text), "marked": data["marked"]}
    slip_again |= {"author_rpps": "10000000008", "file": (io.BytesIO(SIGNED_LETTER), "l.pdf")}
    again = clinician.post(link, data=slip_again, content_type="multipart/form-data")
    said = " ".join(html.unescape(again.text).split())
    assert again.status_code == 422 and "Ce numéro RPPS n’est pas valide" in said
    assert "a modifié le patient après la première ouverture de cette page" in said
    assert "pendant que cette page était ouverte" not in said
    with app.app_context():
        assert letters_of(dossier_id) == []


def test_a_change_the_page_does_not_show_does_not_stop_the_letter(
    app, manufacturer, clinician, inbox
):
    client, dossier_id = manufacturer
    link, opened = opened_by_the_professional(manufacturer, clinician, inbox)
    shown = shown_on(opened)
    medical_need = {**sample_answers("individual")["medical-need"], "unmet_need": "Changed."}
    assert post_step(client, dossier_id, "medical-need", medical_need).status_code == 303
    assert send_letter(clinician, link, shown=shown).status_code == 303
    with app.app_context():
        assert len(letters_of(dossier_id)) == 1


def test_the_request_is_looked_at_again_once_its_draft_is_claimed(
    app, manufacturer, clinician, inbox
):
    """A change saved between the page's check and the letter's filing (the file being
    stored) is seen too: the letter is filed only against the request its page showed."""
    client, dossier_id = manufacturer
    link, opened = opened_by_the_professional(manufacturer, clinician, inbox)
    shown = shown_on(opened)
    other = {**sample_answers("individual")["patient"], "patient_initials": "AB"}
    assert post_step(client, dossier_id, "patient", other).status_code == 303
    details = {k: v for k, v in LETTER.items() if k != "is_author"}
    with app.test_request_context():
        invitation = service.find(link.rsplit("/", 1)[1])
        stored = uploads.store("letter.pdf", SIGNED_LETTER)
        with pytest.raises(service.RequestChanged):
            service.receive_letter(invitation, details, stored, shown=shown)
        assert letters_of(dossier_id) == []
        assert invitation.state == "opened"  # still open: the letter can come again


def test_the_page_names_each_thing_that_changed(app, manufacturer, clinician, inbox):
    """The device renamed and the type of access changed: both named, in the order the page
    shows them, in French too (not the patient: no longer shown, the type's change says it)."""
    client, dossier_id = manufacturer
    link, opened = opened_by_the_professional(manufacturer, clinician, inbox)
    device = {**sample_answers("individual")["device"], "trade_name": "HeartMate 4"}
    assert post_step(client, dossier_id, "device", device).status_code == 303
    assert (
        post_step(client, dossier_id, "access-type", {"access_type": "global"}).status_code == 303
    )
    clinician.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr-FR"
    refused = send_letter(clinician, link, shown=shown_on(opened))
    assert refused.status_code == 409
    said = " ".join(html.unescape(refused.text).split())
    assert (
        "Cardiotech Médical SAS a modifié le dispositif et le type d’accès pendant que "
        "cette page était ouverte"
    ) in said
    assert 'HeartMate 4 <strong class="tag tag--todo">Modifié</strong>' in said
    assert said.count(">Modifié</strong>") == 2  # the patient is no longer shown
    with app.app_context():
        assert letters_of(dossier_id) == []


def test_a_page_from_before_fingerprints_had_parts_is_told_the_request_changed(
    app, manufacturer, clinician, inbox
):
    link, _opened = opened_by_the_professional(manufacturer, clinician, inbox)
    refused = send_letter(clinician, link, shown="0123456789abcdef")
    assert refused.status_code == 409
    assert "changed the request while this page was open" in refused.text
    assert ">Changed</strong>" not in refused.text
    said_as_an_error(refused.text, "Your letter has not been sent")


def said_as_an_error(page: str, words: str) -> None:
    """A letter refused is said as an error is: the page's title says so, and the notice
    takes the focus (read at once by a screen reader, not only shown)."""
    assert "<title>Error: Send your letter to ANSM" in page
    notice = page[page.index("data-error-summary") - 200 :]
    notice = notice[notice.index("<div") : notice.index("</div>")]
    assert 'role="alert" tabindex="-1" autofocus data-error-summary' in notice
    assert words in html.unescape(notice)


def test_a_request_turned_to_global_says_only_that_no_letter_can_be_sent_yet(
    app, manufacturer, clinician, inbox
):
    """The patient's letter refused because the request is now being turned into a global one
    (saying no patients yet): what changed, and that no letter can be sent for now, not also
    "send it again"."""
    client, dossier_id = manufacturer
    link, opened = opened_by_the_professional(manufacturer, clinician, inbox)
    switched = {"access_type": "global"}
    assert post_step(client, dossier_id, "access-type", switched).status_code == 303
    refused = send_letter(clinician, link, shown=shown_on(opened))
    assert refused.status_code == 409
    said = " ".join(html.unescape(refused.text).split())
    assert UNSAID in said and "send it again" not in said
    assert said.count("Your letter has not been sent") == 1
    said_as_an_error(
        refused.text,
        "Your letter has not been sent: Cardiotech Médical SAS changed the type of access while "
        "this page was open",
    )


def test_a_letter_is_not_sent_for_patients_its_author_was_not_shown(
    app, client, user, clinician, inbox
):
    """A global request's indication changed while the professional wrote: their urgency was
    stated for other patients; the page names the change and marks it."""
    from tests.conftest import login
    from tests.invites.support import request_awaiting_letters

    login(client, user[1])
    with app.app_context():
        dossier_id = request_awaiting_letters(user[0], "global")
    invite(client, dossier_id)
    link = link_in(inbox[-1])
    shown = shown_on(clinician.get(link).text)
    scope = {**sample_answers("global")["scope"], "indication": "Adults in cardiogenic shock."}
    assert post_step(client, dossier_id, "scope", scope).status_code == 303
    refused = send_letter(clinician, link, shown=shown)
    assert refused.status_code == 409
    said = " ".join(html.unescape(refused.text).split())
    assert "changed the indication while this page was open" in said
    assert 'Adults in cardiogenic shock. <strong class="tag tag--todo">Changed</strong>' in said
    assert said.count(">Changed</strong>") == 1
    with app.app_context():
        assert letters_of(dossier_id) == []
    # Only the number estimated changed: that row is marked, not the indication's.
    shown = shown_on(clinician.get(link).text)
    assert post_step(client, dossier_id, "scope", {**scope, "estimated_patients": "40"}).status_code
    refused = send_letter(clinician, link, shown=shown)
    said = " ".join(html.unescape(refused.text).split())
    assert "changed the estimated number of patients while this page was open" in said
    assert '40 <strong class="tag tag--todo">Changed</strong>' in said
    assert said.count(">Changed</strong>") == 1


UNSAID = (
    "Cardiotech Médical SAS is changing this request, which does not say yet what a letter "
    "would support (the device, the type of access, the patient or the patients it is for). "
    "A letter can be sent only once it does: come back to this link later."
)


def test_a_link_takes_no_letter_for_a_patient_named_without_a_year_of_birth(
    app, manufacturer, clinician, inbox
):
    """Step 9's rule, one with the link's: a patient is named by initials and year of birth
    (what a letter records); saved for later with initials only, no letter is taken."""
    client, dossier_id = manufacturer
    link, _opened = opened_by_the_professional(manufacturer, clinician, inbox)
    half = {**sample_answers("individual")["patient"], "patient_birth_year": None}
    assert post_step(client, dossier_id, "patient", half, action="save_exit").status_code == 303
    page = clinician.get(link)
    assert UNSAID in " ".join(html.unescape(page.text).split())
    refused = send_letter(clinician, link, shown=shown_on(page.text))
    assert refused.status_code == 409
    # Switched to French meanwhile: nothing was sent, no file kept, none said so.
    data = {**LETTER, "shown": shown_on(page.text), "switch_language": "fr"}
    switched = clinician.post(link, data=data, content_type="multipart/form-data")
    french = " ".join(html.unescape(switched.text).split())
    assert "est en train de modifier cette demande" in french
    assert "n’a pas été envoyée" not in french and "sont conservés" not in french
    with app.app_context():
        assert letters_of(dossier_id) == []


def test_step_nine_and_the_link_read_one_rule(app, user):
    """What step 9 asks before inviting and what a link asks before taking a letter."""
    from wizard.filing.pages import not_invitable_yet
    from wizard.invites.service import says_what_a_letter_supports

    individual, world = sample_answers("individual"), sample_answers("global")
    cases = [
        individual,
        world,
        {**individual, "patient": {**individual["patient"], "patient_birth_year": None}},
        {**individual, "patient": {}},
        {**world, "scope": {}},
        {**individual, "device": {}},
        {**individual, "access-type": {}},
        {},
    ]
    with app.test_request_context():
        for answers in cases:
            assert says_what_a_letter_supports(answers) == (not not_invitable_yet(answers))


def test_a_link_takes_no_letter_while_the_request_does_not_say_what_it_would_support(
    app, manufacturer, clinician, inbox
):
    """Made global after the invitation, before its indication is written: a letter taken
    then would support whichever patients came next, unflagged. As step 9 invites nobody
    then, the link takes none, and says why; once the request says it, the letter comes."""
    client, dossier_id = manufacturer
    link, _opened = opened_by_the_professional(manufacturer, clinician, inbox)
    assert (
        post_step(client, dossier_id, "access-type", {"access_type": "global"}).status_code == 303
    )
    page = clinician.get(link)
    said = " ".join(html.unescape(page.text).split())
    assert UNSAID in said and "Your letter has not been sent" not in said

    refused = send_letter(clinician, link, shown=shown_on(page.text))
    assert refused.status_code == 409
    said = " ".join(html.unescape(refused.text).split())
    assert f"Your letter has not been sent. {UNSAID}" in said
    assert "What you typed and the file you chose are kept." in said
    assert 'value="Dr Anne Leroy"' in refused.text
    with app.app_context():
        assert letters_of(dossier_id) == []

    scope = sample_answers("global")["scope"]
    assert post_step(client, dossier_id, "scope", scope).status_code == 303
    page = clinician.get(link)
    assert UNSAID not in " ".join(html.unescape(page.text).split())
    assert send_letter(clinician, link, file=None, shown=shown_on(page.text)).status_code == 303
    with app.app_context():
        [letter] = letters_of(dossier_id)
        assert letter.written_for == "global"
