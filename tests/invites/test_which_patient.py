"""For an individual request, the professional's page says which patient the letter is for
(as the request describes them, pseudonymised): two invitations from one manufacturer for two
patients must not be told apart by luck. The email does not say it."""

from __future__ import annotations

import html
import io
import re

from tests.conftest import login
from tests.invites.support import (
    body_of,
    invite,
    link_in,
    request_awaiting_letters,
    send_letter,
)
from wizard.demo import sample_answers


def test_the_page_names_the_patient_and_the_email_does_not(app, manufacturer, clinician, inbox):
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    email = inbox[-1]
    patient = sample_answers("individual")["patient"]
    assert patient["patient_initials"] not in body_of(email).split("http")[0].split()
    assert "The page the link opens says which (never in an email)." in body_of(email)
    page = clinician.get(link_in(email)).text
    assert (
        f"Initials {patient['patient_initials']}, born in {patient['patient_birth_year']}" in page
    )
    assert f"Treated at {patient['establishment_name']}" in page
    assert "Your letter is for this patient only" in page
    # In French, words that need no article before the establishment, nor the patient's sex.
    clinician.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr-FR"
    page = " ".join(clinician.get(link_in(email)).text.split())
    assert (
        f"Initiales {patient['patient_initials']}, année de naissance "
        f"{patient['patient_birth_year']}" in page
    )
    assert f"Établissement de prise en charge : {patient['establishment_name']}" in page


def test_a_global_request_names_the_patients_it_is_for_not_one(app, client, user, clinician, inbox):
    """The urgency a professional states for "the patients": the page says which, as the
    request words them (indication, target population, how many), in the email never."""
    login(client, user[1])
    with app.app_context():
        dossier_id = request_awaiting_letters(user[0], "global")
    invite(client, dossier_id)
    scope = sample_answers("global")["scope"]
    assert scope["indication"] not in body_of(inbox[-1])
    page = " ".join(clinician.get(link_in(inbox[-1])).text.split())
    assert "Initials" not in page and "Your letter is for this patient only" not in page
    assert f'<dt>Indication</dt><dd class="pre-line">{scope["indication"]}</dd>' in page
    assert f'<dt>Target population</dt><dd class="pre-line">{scope["target_population"]}' in page
    assert (
        "<dt>Estimated number of patients over the period</dt>"
        f"<dd>{scope['estimated_patients']}</dd>" in page
    )


def test_the_urgency_is_asked_of_one_patient_or_of_the_patients(
    app, client, user, clinician, inbox
):
    """An individual request is about one patient, a global one about the patients the device
    would treat: the email, the page, its live check and the page after sending say so."""
    login(client, user[1])
    for kind, label, lead, after in (
        (
            "individual",
            "Why is it urgent for this patient?",
            "how urgent it is for this patient.",
            "more information about this patient.",
        ),
        (
            "global",
            "Why is it urgent for the patients?",
            "how urgent it is for the patients.",
            "more information about the patients.",
        ),
    ):
        with app.app_context():
            dossier_id = request_awaiting_letters(user[0], kind)
        invite(client, dossier_id)
        email = " ".join(body_of(inbox[-1]).split())
        assert lead in email and "patient or patients" not in email
        link = link_in(inbox[-1])
        page = clinician.get(link).text
        assert label in page and lead in page and "patient or patients" not in page
        checked = clinician.post(
            f"{link}/check",
            data={"urgency_statement": ""},
            headers={"HX-Request": "true", "HX-Trigger-Name": "urgency_statement"},
        )
        assert checked.status_code == 200 and label in checked.text
        thanks = clinician.get(send_letter(clinician, link).location).text
        assert after in thanks and "patient or patients" not in thanks


def test_a_letter_written_for_the_other_type_of_access_is_pointed_out(
    app, client, user, clinician, inbox
):
    """A professional wrote for a global request (their page named no patient); the request
    is then made individual: the letter stays, but the manufacturer is told it may not be
    about this patient, and so is the reviewer, beside the letter."""
    from tests.conftest import make_user, post_step, sign_and_submit
    from wizard.models import Role

    login(client, user[1])
    with app.app_context():
        dossier_id = request_awaiting_letters(user[0], "global")
    invite(client, dossier_id)
    assert send_letter(clinician, link_in(inbox[-1])).status_code == 303
    step_nine = f"/requests/{dossier_id}/steps/hcp-support"
    assert "ritten while the request was for" not in client.get(step_nine).text

    individual = sample_answers("individual")
    # (The steps about the case are looked at again for the patient now named.)
    for step_id in ("access-type", "patient", "period", "medical-need", "benefit-risk"):
        assert post_step(client, dossier_id, step_id, individual[step_id]).status_code == 303
    said = (
        "The letter from Dr Anne Leroy was written while the request was for global access. "
        "Check that it supports access for this patient, or ask for a new letter."
    )
    tag = "Written while the request was for global access (the device), not for this patient."
    for page in (
        client.get(step_nine).text,
        client.get(f"/requests/{dossier_id}/steps/check").text,
    ):
        assert said in page and tag in page
    # The manufacturer may say it does, beside it, on step 9 (the check page only shows).
    assert ">It supports this request<" in client.get(step_nine).text
    # At the top of the summary, said as it is (not "another patient, or…").
    top = (
        "The letter from Dr Anne Leroy was written while the request had the other type of "
        "access: check that it supports this request, or ask for a new letter."
    )
    check = " ".join(html.unescape(client.get(f"/requests/{dossier_id}/steps/check").text).split())
    assert top in check and "written for another patient" not in check
    assert sign_and_submit(client, dossier_id).status_code == 303
    with app.app_context():
        make_user("rita@ansm.example", role=Role.REVIEWER)
    reviewer = app.test_client()
    assert login(reviewer, "rita@ansm.example").status_code == 303
    assert tag in reviewer.get(f"/review/requests/{dossier_id}").text


def test_a_letter_about_another_patient_is_pointed_out(app, manufacturer, clinician, inbox):
    """A professional wrote about the patient their page named; the manufacturer then names
    another patient (a mistake corrected, or another person): the letter stays, but the
    manufacturer is told, and the reviewer sees it beside the letter. A letter the manufacturer
    attaches itself records the patient named then, as a professional's does."""
    from tests.conftest import checked_on_the_check_page, make_user, post_step, sign_and_submit
    from tests.invites.test_step_nine_form import LETTER, STEP, post
    from wizard.demo import minimal_pdf
    from wizard.models import Role

    client, dossier_id = manufacturer
    invite(client, dossier_id)
    assert send_letter(clinician, link_in(inbox[-1])).status_code == 303
    own = {**LETTER, "letter-file": (io.BytesIO(minimal_pdf("Letter of Dr Henry")), "henry.pdf")}
    assert post(client, f"/requests/{dossier_id}/letters", own).status_code == 303
    step_nine = STEP.format(dossier_id)
    check = f"/requests/{dossier_id}/steps/check"
    assert "not the patient the request now names" not in client.get(step_nine).text

    patient = sample_answers("individual")["patient"]
    initials, year = patient["patient_initials"], patient["patient_birth_year"]
    another = {**patient, "patient_initials": "RB", "patient_birth_year": "1990"}
    assert post_step(client, dossier_id, "patient", another).status_code == 303
    tag = (
        f"Written for the patient {initials} born in {year}, not the patient the request now names."
    )
    for name in ("Dr Anne Leroy", "Dr Paul Henry"):
        said = (
            f"The letter from {name} was written for the patient {initials} born in {year}, "
            "and the request now names another patient. Check that the letter is about this "
            "patient, or ask for a new letter."
        )
        for url in (step_nine, check):
            page = " ".join(client.get(url).text.split())
            assert said in page and page.count(tag) == 2
    # Said at the top of the summary, and on the declaration, where the signer looks: not only
    # in the letters' part, screens further down.
    top = (
        "The letters from Dr Anne Leroy, Dr Paul Henry were written for another patient: "
        "check that they support this request, or ask for new letters."
    )
    for step in ("medical-need", "benefit-risk"):  # looked at again for this patient
        assert post_step(client, dossier_id, step, sample_answers()[step]).status_code == 303
    checked = checked_on_the_check_page(client, dossier_id)
    assert checked is not None  # ready to sign: it is only pointed out
    for url in (check, f"/requests/{dossier_id}/steps/declaration?checked={checked}"):
        page = " ".join(html.unescape(client.get(url).text).split())
        assert top in page, url
        assert f'href="{check}#summary-hcp-support">See the letters</a>' in page

    # Initials are written the one way ("j.d." is JD): the same patient is no other patient.
    typed = {**patient, "patient_initials": ".".join(initials.lower()) + "."}
    assert post_step(client, dossier_id, "patient", typed).status_code == 303
    assert "now names another patient" not in client.get(check).text
    assert post_step(client, dossier_id, "patient", another).status_code == 303
    assert sign_and_submit(client, dossier_id).status_code == 303
    with app.app_context():
        make_user("rita@ansm.example", role=Role.REVIEWER)
    reviewer = app.test_client()
    assert login(reviewer, "rita@ansm.example").status_code == 303
    assert tag in " ".join(reviewer.get(f"/review/requests/{dossier_id}").text.split())


def test_a_letter_about_a_patient_half_described_is_not_said_to_be_about_another(
    app, manufacturer, inbox
):
    """The patient step saved for later without the year of birth, a letter attached, then
    the year given: the same patient, completed, not another. Nor is a letter about
    "another patient" while the request names none (the initials cleared, saved for later)."""
    from tests.conftest import post_step
    from tests.invites.test_step_nine_form import LETTER, post
    from wizard.demo import minimal_pdf

    client, dossier_id = manufacturer
    patient = sample_answers("individual")["patient"]
    half = {**patient, "patient_birth_year": ""}
    assert post_step(client, dossier_id, "patient", half, action="save_exit").status_code == 303
    own = {**LETTER, "letter-file": (io.BytesIO(minimal_pdf("Letter of Dr Henry")), "henry.pdf")}
    assert post(client, f"/requests/{dossier_id}/letters", own).status_code == 303
    assert post_step(client, dossier_id, "patient", patient).status_code == 303
    step_nine = f"/requests/{dossier_id}/steps/hcp-support"
    assert "now names another patient" not in client.get(step_nine).text

    # Attached about the whole patient; the initials then cleared (saved for later).
    own = {**LETTER, "letter-author_name": "Dr Marie Blanc"}
    own["letter-file"] = (io.BytesIO(minimal_pdf("Letter of Dr Blanc")), "blanc.pdf")
    assert post(client, f"/requests/{dossier_id}/letters", own).status_code == 303
    cleared = {**patient, "patient_initials": ""}
    assert post_step(client, dossier_id, "patient", cleared, action="save_exit").status_code == 303
    page = client.get(step_nine).text
    assert "now names another patient" not in page and "born in ," not in page


def test_the_page_offers_the_name_and_role_the_invitation_gave(manufacturer, clinician, inbox):
    """Filled in as the manufacturer named the professional, for them to correct: not typed
    again."""
    client, dossier_id = manufacturer
    invite(client, dossier_id)
    page = clinician.get(link_in(inbox[-1])).text
    assert re.search(r'name="author_name"[^>]*value="Dr Anne Leroy"', page)
    assert re.search(r'name="specialty"[^>]*value="Paediatric cardiac surgeon"', page)
    assert not re.search(r'name="author_rpps"[^>]*value="[^"]', page)  # theirs alone


def test_a_letter_checked_by_the_manufacturer_counts_for_the_request_as_it_is(
    app, manufacturer, clinician, inbox
):
    """The patient's initials corrected after a professional wrote: the letter, flagged as
    written for another patient, is said by the manufacturer to be about this one (a button
    beside it, part of step 9's form: what is typed there is kept). It is flagged no more, to
    them or to ANSM, whose history of the request says who said so and of which patient it
    was written; a colleague's second click changes nothing more."""
    from tests.conftest import make_user, post_step, sign_and_submit
    from tests.invites.test_step_nine_form import STEP, post
    from wizard.extensions import db
    from wizard.models import Dossier, Role

    client, dossier_id = manufacturer
    invite(client, dossier_id)
    assert send_letter(clinician, link_in(inbox[-1])).status_code == 303
    patient = sample_answers("individual")["patient"]
    initials, year = patient["patient_initials"], patient["patient_birth_year"]
    corrected = {**patient, "patient_initials": "RB"}
    assert post_step(client, dossier_id, "patient", corrected).status_code == 303
    step_nine = STEP.format(dossier_id)
    page = " ".join(client.get(step_nine).text.split())
    assert "now names another patient" in page
    with app.app_context():
        letter_id = db.session.get(Dossier, dossier_id).hcp_letters[0].id
    action = f"/requests/{dossier_id}/letters/{letter_id}/checked"
    shown = f"individual:RB {year}"  # what the request is for, as the page showed it
    assert (
        f'name="case_shown" value="{shown}" formaction="{action}">It is about this patient'
        '<span class="visually-hidden">: the letter from Dr Anne Leroy</span></button>' in page
    )
    typed = {"invite-clinician_name": "Dr Jeanne Roux", "invite-email": "jeanne.roux@chu.example"}
    # The patient changed again since the page showed it (a colleague): nothing is recorded.
    assert (
        post_step(
            client, dossier_id, "patient", {**corrected, "patient_initials": "XY"}
        ).status_code
        == 303
    )
    stale = post(client, action, {**typed, "case_shown": shown})
    assert stale.status_code == 200 and 'value="Dr Jeanne Roux"' in stale.text
    assert (
        "The request's patient or type of access changed since this page was opened: check "
        "the letter from Dr Anne Leroy against it again." in html.unescape(stale.text)
    )
    assert "now names another patient" in stale.text  # still marked
    assert post_step(client, dossier_id, "patient", corrected).status_code == 303
    answer = post(client, action, {**typed, "case_shown": shown})
    assert answer.status_code == 200  # step 9 again, with what was typed in it
    said = " ".join(html.unescape(answer.text).split())
    assert (
        "The letter from Dr Anne Leroy now counts for this request as it is: ANSM sees that "
        "you checked it." in said
    )
    assert 'value="Dr Jeanne Roux"' in answer.text
    assert "now names another patient" not in said and "It is about this patient" not in said
    again = post(client, action, {"case_shown": shown})
    assert again.status_code == 303
    for url in (step_nine, f"/requests/{dossier_id}/steps/check"):
        assert "another patient" not in client.get(url).text

    for step in ("medical-need", "benefit-risk"):  # looked at again for this patient
        assert post_step(client, dossier_id, step, sample_answers()[step]).status_code == 303
    assert sign_and_submit(client, dossier_id).status_code == 303
    with app.app_context():
        make_user("rita@ansm.example", role=Role.REVIEWER)
    reviewer = app.test_client()
    assert login(reviewer, "rita@ansm.example").status_code == 303
    page = " ".join(html.unescape(reviewer.get(f"/review/requests/{dossier_id}").text).split())
    assert "not the patient the request now names" not in page
    history = (
        f"Letter from Dr Anne Leroy, written for the patient {initials} born in {year}, said "
        "by the manufacturer to be about the patient the request now names"
    )
    assert page.count(history) == 1
    # Filed, the request's letters are no longer the manufacturer's to check; the address
    # opened again (a reload) leads to the request's page.
    assert post(client, action, {"case_shown": shown}).status_code == 409
    reloaded = client.get(action)
    assert reloaded.status_code in (302, 303)
    assert client.get(reloaded.location, follow_redirects=True).status_code == 200
