"""The medical need and the benefit and risk are written for the request's own case: its
patient, or, for global access, the device's population. When the patient named changes, or
the type of access, they are not finished until looked at and saved again (the step list, the
step's page and the summary say so), so that one patient's narrative is never filed for
another's."""

from __future__ import annotations

import html
import io
import re

from tests.conftest import checked_on_the_check_page, dossier_with, post_step
from wizard.demo import minimal_pdf, sample_answers

CASE_STEPS = ("medical-need", "benefit-risk")


def filled_in_order(app, logged_in, user, path="individual") -> int:
    """A request filled in as the step list leads: the patient (or scope) named before the
    steps about them are saved."""
    with app.app_context():
        dossier_id = dossier_with(user[0], path)
    for step in CASE_STEPS:
        assert post_step(logged_in, dossier_id, step, sample_answers(path)[step]).status_code == 303
    assert checked_on_the_check_page(logged_in, dossier_id) is not None  # ready to sign
    return dossier_id


def add_other_document(client, dossier_id: int, filename: str) -> None:
    """A document of no set kind ("Other document") added on the evidence step."""
    added = client.post(
        f"/requests/{dossier_id}/documents",
        data={
            "document-kind": "other",
            "document-file": (io.BytesIO(minimal_pdf(filename)), filename),
        },
        content_type="multipart/form-data",
    )
    assert added.status_code == 303


def page_of(client, dossier_id: int, step: str) -> str:
    return " ".join(html.unescape(client.get(f"/requests/{dossier_id}/steps/{step}").text).split())


def test_another_patient_named_asks_for_the_steps_about_the_patient_to_be_looked_at_again(
    app, logged_in, user
):
    dossier_id = filled_in_order(app, logged_in, user)
    patient = {**sample_answers("individual")["patient"], "patient_initials": "ML"}
    assert post_step(logged_in, dossier_id, "patient", patient).status_code == 303

    said = (
        "You wrote this step for the patient JD born in 2019, and the request now names "
        "another patient. Check that it is about this patient, then save the step."
    )
    for step in CASE_STEPS:
        page = page_of(logged_in, dossier_id, step)
        assert said in page
    # The step list marks both; the summary too, and no signing before they are saved.
    page = page_of(logged_in, dossier_id, "device")
    assert page.count("(to check)") == 2 and "copied: to check" not in page
    summary = page_of(logged_in, dossier_id, "check")
    assert summary.count("Written for another patient: check it") == 2
    assert checked_on_the_check_page(logged_in, dossier_id) is None

    # Looked at and saved again, unchanged: done.
    for step in CASE_STEPS:
        post_step(logged_in, dossier_id, step, sample_answers("individual")[step])
        assert said not in page_of(logged_in, dossier_id, step)
    assert "Written for another patient" not in page_of(logged_in, dossier_id, "check")
    assert checked_on_the_check_page(logged_in, dossier_id) is not None


def test_the_same_patient_saved_again_asks_for_nothing(app, logged_in, user):
    dossier_id = filled_in_order(app, logged_in, user)
    patient = sample_answers("individual")["patient"]
    assert post_step(logged_in, dossier_id, "patient", patient).status_code == 303
    assert "You wrote this step" not in page_of(logged_in, dossier_id, "medical-need")
    assert checked_on_the_check_page(logged_in, dossier_id) is not None


def test_a_change_of_the_type_of_access_asks_for_them_to_be_looked_at_again(app, logged_in, user):
    dossier_id = filled_in_order(app, logged_in, user, "global")
    add_other_document(logged_in, dossier_id, "registry.pdf")
    assert (
        post_step(logged_in, dossier_id, "access-type", {"access_type": "individual"}).status_code
        == 303
    )
    patient = sample_answers("individual")["patient"]
    assert post_step(logged_in, dossier_id, "patient", patient).status_code == 303
    said = (
        "You wrote this step while the request was for global access (the device as a "
        "whole). Check that it is about this patient, then save the step."
    )
    assert said in page_of(logged_in, dossier_id, "medical-need")
    summary = page_of(logged_in, dossier_id, "check")
    assert summary.count("Written for global access: check it") == 2
    assert (
        "Added while the request was for global access (the device), not for this patient."
        in summary
    )


def test_a_change_to_global_access_asks_for_them_to_be_looked_at_for_the_device(
    app, logged_in, user
):
    """Written for one patient, the request made global: said as such (not "another
    patient"); the type's page said it before the change."""
    dossier_id = filled_in_order(app, logged_in, user)
    before = page_of(logged_in, dossier_id, "access-type")
    assert (
        "The steps “Medical need” and “Benefit and risk” you wrote will then be to check, and "
        "to save again, before the request can be signed."
    ) in html.unescape(before)
    assert (
        post_step(logged_in, dossier_id, "access-type", {"access_type": "global"}).status_code
        == 303
    )
    said = (
        "You wrote this step for the patient JD born in 2019, while the request was for one "
        "patient. Check that it is about the device as a whole, then save the step."
    )
    assert said in page_of(logged_in, dossier_id, "medical-need")
    summary = page_of(logged_in, dossier_id, "check")
    assert summary.count("Written for one patient: check it") == 2
    assert "Written for another patient" not in summary


def test_going_back_to_the_type_the_steps_were_written_for_is_not_said_to_mark_them(
    app, logged_in, user
):
    """Individual, then global: the steps written for the patient are to check. The type's
    page then offers to go back to one patient without saying they will be to check: they
    were written for that patient, and are done again once back."""
    dossier_id = filled_in_order(app, logged_in, user)
    assert post_step(logged_in, dossier_id, "access-type", {"access_type": "global"}).status_code
    scope = sample_answers("global")["scope"]
    assert post_step(logged_in, dossier_id, "scope", scope).status_code == 303
    will = "you wrote will then be to check"
    assert will not in page_of(logged_in, dossier_id, "access-type")
    individual = {"access_type": "individual"}
    assert post_step(logged_in, dossier_id, "access-type", individual).status_code == 303
    assert "(to check)" not in page_of(logged_in, dossier_id, "device")
    # From one patient again, global would mark them: said.
    assert will in page_of(logged_in, dossier_id, "access-type")


def test_a_step_the_type_of_access_took_off_the_path_meanwhile_says_so_with_what_was_typed(
    app, logged_in, user
):
    """The patient's page open in one tab, the type of access made global in another: the
    patient's answers sent then are not saved, and the page says why, listing them to copy."""
    with app.app_context():
        dossier_id = dossier_with(user[0], "individual")
    global_access = {"access_type": "global"}
    assert post_step(logged_in, dossier_id, "access-type", global_access).status_code == 303
    typed = {**sample_answers("individual")["patient"], "patient_initials": "MZ"}
    sent = post_step(logged_in, dossier_id, "patient", typed)
    assert sent.status_code == 409
    text = " ".join(html.unescape(sent.text).split())
    assert "This step no longer applies to the request" in text
    assert "the step “Patient” is no longer part of the request" in text
    assert "MZ" in text  # what was typed, to copy
    assert f'href="/requests/{dossier_id}/steps/access-type"' in sent.text
    # Opened, the address is not a page of this request's path: the one in its place opens.
    opened = logged_in.get(f"/requests/{dossier_id}/steps/patient")
    assert opened.location.endswith(f"/requests/{dossier_id}/steps/scope")


def test_a_step_saved_while_no_patient_is_named_keeps_the_patient_it_was_written_for(
    app, logged_in, user
):
    """The patient's initials cleared and the step saved for later, the medical need saved
    meanwhile: it is still the earlier patient's, and another one named later flags it."""
    dossier_id = filled_in_order(app, logged_in, user)
    unnamed = {**sample_answers("individual")["patient"], "patient_initials": ""}
    post_step(logged_in, dossier_id, "patient", unnamed, action="save_exit")
    assert post_step(
        logged_in, dossier_id, "medical-need", sample_answers("individual")["medical-need"]
    ).status_code in (302, 303)
    other = {**sample_answers("individual")["patient"], "patient_initials": "ML"}
    assert post_step(logged_in, dossier_id, "patient", other).status_code == 303
    assert "You wrote this step for the patient JD" in page_of(
        logged_in, dossier_id, "medical-need"
    )


def test_a_document_of_no_set_kind_added_for_one_patient_is_marked_once_another_is_named(
    app, logged_in, user
):
    """A document of no set kind ("other", a patient's file more often than not) records
    the patient it was added for; once the request names another one, or is for the device
    as a whole, it is marked beside it. A document of a set kind (the clinical evaluation) is
    about the device, never marked."""
    dossier_id = filled_in_order(app, logged_in, user)
    add_other_document(logged_in, dossier_id, "scan-jd.pdf")
    evidence = page_of(logged_in, dossier_id, "clinical-evidence")
    assert "Added for the patient" not in evidence

    other = {**sample_answers("individual")["patient"], "patient_initials": "ML"}
    assert post_step(logged_in, dossier_id, "patient", other).status_code == 303
    said = "Added for the patient JD born in 2019, not the patient the request now names."
    evidence = page_of(logged_in, dossier_id, "clinical-evidence")
    assert evidence.count(said) == 1  # the scan only, not the clinical evaluation
    assert said in page_of(logged_in, dossier_id, "check")

    assert (
        post_step(logged_in, dossier_id, "access-type", {"access_type": "global"}).status_code
        == 303
    )
    assert "Added for the patient JD born in 2019, not for the device as a whole." in (
        page_of(logged_in, dossier_id, "clinical-evidence")
    )


def test_written_in_a_tab_opened_before_the_type_of_access_changed_it_stays_to_check(
    app, logged_in, user
):
    """The medical need open in one tab for the patient, the request made global in another
    (or by a colleague), then the need saved: it was written for the patient, so it is marked
    so, to be looked at for the device's population, not taken as written for it."""
    dossier_id = filled_in_order(app, logged_in, user)
    page = logged_in.get(f"/requests/{dossier_id}/steps/medical-need").text
    shown_for = re.search(r'name="shown_for" value="([^"]+)"', page).group(1)
    assert post_step(logged_in, dossier_id, "access-type", {"access_type": "global"}).status_code
    post_step(logged_in, dossier_id, "scope", sample_answers("global")["scope"])

    typed = {**sample_answers("individual")["medical-need"], "shown_for": shown_for}
    assert post_step(logged_in, dossier_id, "medical-need", typed).status_code == 303
    said = "You wrote this step for the patient JD born in 2019"
    assert said in page_of(logged_in, dossier_id, "medical-need")
    assert page_of(logged_in, dossier_id, "check").count("Written for one patient: check it") == 2
    # Looked at again on a page shown for the device's population, and saved: done.
    page = logged_in.get(f"/requests/{dossier_id}/steps/medical-need").text
    shown_for = re.search(r'name="shown_for" value="([^"]+)"', page).group(1)
    assert shown_for == "global"
    again = {**sample_answers("global")["medical-need"], "shown_for": shown_for}
    assert post_step(logged_in, dossier_id, "medical-need", again).status_code == 303
    assert page_of(logged_in, dossier_id, "check").count("Written for one patient: check it") == 1


def test_a_document_added_from_a_page_opened_before_the_type_of_access_changed_is_marked(
    app, logged_in, user
):
    """The evidence step open in one tab for the patient, the request made global in
    another: a patient's file added then is marked as added for the patient."""
    dossier_id = filled_in_order(app, logged_in, user)
    page = logged_in.get(f"/requests/{dossier_id}/steps/clinical-evidence").text
    shown_for = re.search(r'name="shown_for" value="([^"]+)"', page).group(1)
    assert post_step(logged_in, dossier_id, "access-type", {"access_type": "global"}).status_code
    added = logged_in.post(
        f"/requests/{dossier_id}/documents",
        data={
            "document-kind": "other",
            "document-file": (io.BytesIO(minimal_pdf("scan-jd.pdf")), "scan-jd.pdf"),
            "shown_for": shown_for,
        },
        content_type="multipart/form-data",
    )
    assert added.status_code == 303
    said = "Added for the patient JD born in 2019, not for the device as a whole."
    assert said in page_of(logged_in, dossier_id, "clinical-evidence")


def test_the_type_of_access_page_names_only_the_steps_written(app, logged_in, user):
    """The benefit and risk not written yet: only the medical need is said to be to check."""
    steps = ["before-you-start", "situation", "manufacturer", "device", "access-type"]
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=[*steps, "patient", "medical-need"])
    page = page_of(logged_in, dossier_id, "access-type")
    assert (
        "The step “Medical need” you wrote will then be to check, and to save again, before "
        "the request can be signed." in page
    )
    assert "“Benefit and risk” you wrote" not in page  # (the step list names it, to do)
