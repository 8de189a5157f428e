"""Moving around the wizard: branch switch, resume, Back and Change, save and come back."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta

from tests.conftest import (
    checked_on_the_check_page,
    dossier_with,
    login,
    post_step,
    sign_and_submit,
    statements_sent,
)
from tests.flow.test_written_for_another import filled_in_order
from wizard import clock
from wizard.demo import sample_answers, sample_declaration
from wizard.extensions import db
from wizard.models import Dossier


def stored(app, dossier_id):
    with app.app_context():
        return db.session.get(Dossier, dossier_id).answers()


def test_switching_path_keeps_both_answers_but_submits_only_the_chosen_one(app, logged_in, user):
    with app.app_context():
        dossier_id = dossier_with(user[0], "individual")
    global_answers = sample_answers("global")
    assert (
        post_step(logged_in, dossier_id, "access-type", {"access_type": "global"}).status_code
        == 303
    )
    # The global path now needs its own scope step: resuming lands there.
    resume = logged_in.get(f"/requests/{dossier_id}")
    assert resume.location.endswith("/steps/scope")
    assert logged_in.get(f"/requests/{dossier_id}/steps/patient").location.endswith("/steps/scope")
    post_step(logged_in, dossier_id, "scope", global_answers["scope"])
    answers = stored(app, dossier_id)
    assert "patient" in answers and "scope" in answers
    check = logged_in.get(f"/requests/{dossier_id}/steps/check").text
    assert "Scope of the authorisation" in check and "Patient&#39;s initials" not in check
    assert sign_and_submit(logged_in, dossier_id).status_code == 303
    with app.app_context():
        frozen = db.session.get(Dossier, dossier_id).submitted_answers
    assert frozen["access_type"] == "global"
    assert "scope" in frozen["answers"] and "patient" not in frozen["answers"]


def test_back_to_the_other_paths_step_leads_to_the_one_in_its_place_and_says_why(
    app, logged_in, user
):
    """The patient's page reached by the browser's Back (or a bookmark) once the request is
    made global: the scope's page, saying why, not a "page not found" that suggests signing
    in with another account."""
    with app.app_context():
        dossier_id = dossier_with(user[0], "individual")
    post_step(logged_in, dossier_id, "access-type", {"access_type": "global"})
    back = logged_in.get(f"/requests/{dossier_id}/steps/patient", follow_redirects=True)
    assert back.status_code == 200
    assert back.request.path == f"/requests/{dossier_id}/steps/scope"
    text = " ".join(html.unescape(back.text).split())
    assert "The step “Patient” is not part of this request with the type of access it now " in text
    assert "here is the step “Scope of the authorisation” in its place." in text
    assert "Page not found" not in text and "another account" not in text


def test_a_step_of_the_other_path_of_a_filed_request_leads_to_the_request(app, logged_in, user):
    with app.app_context():
        dossier_id = dossier_with(user[0], "global", submit=True)
    opened = logged_in.get(f"/requests/{dossier_id}/steps/patient")
    assert opened.location.endswith(f"/requests/{dossier_id}/submitted")


def test_switching_back_finds_the_patient_answers_again(app, logged_in, user):
    with app.app_context():
        dossier_id = dossier_with(user[0], "individual")
    post_step(logged_in, dossier_id, "access-type", {"access_type": "global"})
    post_step(logged_in, dossier_id, "access-type", {"access_type": "individual"})
    page = logged_in.get(f"/requests/{dossier_id}/steps/patient").text
    assert 'value="JD"' in page
    assert logged_in.get(f"/requests/{dossier_id}").location.endswith("/steps/check")


def test_resuming_after_signing_out_lands_on_the_first_unfinished_step(app, client, user):
    with app.app_context():
        dossier_id = dossier_with(
            user[0], steps=["before-you-start", "situation", "manufacturer"], files=False
        )
    login(client, user[1])
    client.post("/logout")
    assert client.get(f"/requests/{dossier_id}").status_code == 302  # to the login page
    login(client, user[1])
    response = client.get(f"/requests/{dossier_id}")
    assert response.location.endswith(f"/requests/{dossier_id}/steps/device")
    dashboard = client.get("/dashboard").text
    assert f"/requests/{dossier_id}" in dashboard and "Continue" in dashboard


def test_back_shows_saved_answers_and_progress_counts_the_branch(app, logged_in, user):
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start", "situation", "manufacturer"])
    page = logged_in.get(f"/requests/{dossier_id}/steps/device").text
    assert f'href="/requests/{dossier_id}/steps/manufacturer"' in page  # Back
    assert "Step 4 of 14" in page
    # In the title too, read first when the page opens or its tab is chosen.
    assert "<title>Device – Step 4 of 14 – Derogatory access for medical devices</title>" in page
    back = logged_in.get(f"/requests/{dossier_id}/steps/manufacturer").text
    assert 'value="FR-MF-000012345"' in back and "69007 Lyon" in back


def test_change_from_the_summary_returns_to_the_summary(app, logged_in, user):
    with app.app_context():
        dossier_id = dossier_with(user[0])
    check = logged_in.get(f"/requests/{dossier_id}/steps/check").text
    change_url = f"/requests/{dossier_id}/steps/device?return_to=check"
    assert change_url in check
    page = logged_in.get(change_url).text
    assert "Back to your answers" in page
    device = dict(sample_answers()["device"], trade_name="VentriAssist Mini 2")
    response = post_step(logged_in, dossier_id, "device", device, query="?return_to=check")
    # At the section changed, its heading focused (fragment), saying the change is saved.
    assert response.location == f"/requests/{dossier_id}/steps/check#summary-device"
    page = html.unescape(logged_in.get(response.location).text)
    assert "VentriAssist Mini 2" in page
    assert '<h2 class="heading-s" id="summary-device" tabindex="-1">Device</h2>' in page
    section = page[page.index('id="summary-device"') : page.index('id="summary-access-type"')]
    assert "Your changes to “Device” are saved." in section


def test_a_change_from_the_summary_goes_back_to_it_past_a_step_left_to_do(app, logged_in, user):
    """A step that was not finished before the change (no document, no letter yet) is not
    where the change leads: the summary says what is still to do."""
    steps = [s for s in sample_answers() if s != "hcp-support"]
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=steps, files=False)
    device = dict(sample_answers()["device"], model="VA-300")
    response = post_step(logged_in, dossier_id, "device", device, query="?return_to=check")
    assert response.location == f"/requests/{dossier_id}/steps/check#summary-device"
    page = html.unescape(logged_in.get(response.location).text)
    assert "Some steps are not finished yet." in page
    assert "Continue with “" in page


def test_a_change_of_path_from_the_summary_leads_through_the_new_steps_first(app, logged_in, user):
    """Individual to global from the summary: the scope step (not answered yet) comes next,
    then the two steps written for the patient, now to check for the device, then the summary
    again, not six steps already done."""
    dossier_id = filled_in_order(app, logged_in, user, "individual")
    changed = post_step(
        logged_in,
        dossier_id,
        "access-type",
        sample_answers("global")["access-type"],
        query="?return_to=check",
    )
    assert changed.location == f"/requests/{dossier_id}/steps/scope?return_to=check&unfinished="
    assert "Back to your answers" in logged_in.get(changed.location).text
    # What was left before the change goes along (here: nothing), so that the steps the
    # change made to check are not taken for steps left before it.
    page = logged_in.get(changed.location).text
    assert f'action="/requests/{dossier_id}/steps/scope?return_to=check&amp;unfinished="' in page
    scoped = post_step(
        logged_in,
        dossier_id,
        "scope",
        sample_answers("global")["scope"],
        query="?return_to=check&unfinished=",
    )
    then = "?return_to=check&unfinished="
    assert scoped.location == f"/requests/{dossier_id}/steps/medical-need{then}"
    for step, following in (("medical-need", "steps/benefit-risk" + then), ("benefit-risk", None)):
        saved = post_step(logged_in, dossier_id, step, sample_answers("global")[step], query=then)
        assert saved.location == (
            f"/requests/{dossier_id}/{following}"
            if following
            else f"/requests/{dossier_id}/steps/check#summary-benefit-risk"
        )


def test_save_and_come_back_later_saves_and_returns_to_the_dashboard(app, logged_in, user):
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
    response = post_step(
        logged_in, dossier_id, "situation", sample_answers()["situation"], action="save_exit"
    )
    assert response.location.endswith("/dashboard")
    assert "Your answers are saved" in logged_in.get("/dashboard").text
    assert "situation" in stored(app, dossier_id)


def test_save_and_come_back_later_keeps_a_step_half_done(app, logged_in, user):
    """Only the first answers typed: they are saved, the step stays to be finished, and
    resuming the request leads back to it with them."""
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start", "situation"], files=False)
    half = {"legal_name": "Cardiotech Médical SAS", "country": "FR"}
    response = post_step(logged_in, dossier_id, "manufacturer", half, action="save_exit")
    assert response.status_code == 303 and response.location.endswith("/dashboard")
    assert "This step is not finished" in logged_in.get("/dashboard").text
    assert stored(app, dossier_id)["manufacturer"] == half
    resumed = logged_in.get(f"/requests/{dossier_id}")
    assert resumed.location.endswith("/steps/manufacturer")
    page = logged_in.get(resumed.location).text
    assert 'value="Cardiotech Médical SAS"' in page and "There is a problem" not in page
    check = logged_in.get(f"/requests/{dossier_id}/steps/check").text
    assert "Not finished" in check and "Some steps are not finished yet." in check
    # Beside the steps of any page, it says so too: not shown as done.
    listed = step_list(logged_in.get(f"/requests/{dossier_id}/steps/situation").text)
    assert (
        "unfinished",
        "Manufacturer (not finished)",
        f"/requests/{dossier_id}/steps/manufacturer",
    ) in listed
    assert listed[-1][0] == "ahead"  # nor is the summary

    # Finished, it is done.
    post_step(logged_in, dossier_id, "manufacturer", sample_answers()["manufacturer"])
    listed = step_list(logged_in.get(f"/requests/{dossier_id}/steps/situation").text)
    assert ("saved", "Manufacturer", f"/requests/{dossier_id}/steps/manufacturer") in listed


def test_a_step_another_step_made_inconsistent_is_listed_not_finished(app, logged_in, user):
    """The list of steps says what the summary says: the patient's date moved outside the
    period already saved makes the period step not finished; mending it finishes it."""
    with app.app_context():
        dossier_id = dossier_with(user[0], "individual", files=False)
    period = f"/requests/{dossier_id}/steps/period"
    situation = f"/requests/{dossier_id}/steps/situation"
    assert ("saved", "Period requested", period) in step_list(logged_in.get(situation).text)
    end = date.fromisoformat(sample_answers("individual")["period"]["end_date"])
    later = dict(sample_answers("individual")["patient"], needed_by=str(end + timedelta(days=9)))
    assert post_step(logged_in, dossier_id, "patient", later).status_code == 303
    listed = step_list(logged_in.get(situation).text)
    assert ("unfinished", "Period requested (not finished)", period) in listed
    check = logged_in.get(f"/requests/{dossier_id}/steps/check").text
    assert "Some steps are not finished yet." in check
    # The step itself says why, next to the date and in a summary that does not take the
    # focus (nothing was sent).
    page = logged_in.get(period).text
    assert 'role="group" aria-labelledby="error-summary-title"' in page
    assert "autofocus" not in page.split('class="error-summary"')[1].split(">")[0]
    # The summary, the question (and what the page's script lists in the summary if a live
    # check changes the error, `data-summary`).
    assert page.count("The period must end on or after") == 3
    assert 'data-summary="The period must end on or after' in page
    # The period made to include the date again: done.
    wider = dict(sample_answers("individual")["period"], end_date=str(end + timedelta(days=30)))
    assert post_step(logged_in, dossier_id, "period", wider).status_code == 303
    listed = step_list(logged_in.get(situation).text)
    assert ("saved", "Period requested", period) in listed


def test_a_step_made_wrong_by_time_alone_says_why_on_its_page(app, logged_in, user, monkeypatch):
    """Saved finished, the period was to start in 10 days; the filer comes back 15 days
    later: the period's page says what the summary and the submission go by, beside the
    date, and not as an alert (nothing was sent)."""
    with app.app_context():
        dossier_id = dossier_with(user[0], "individual")
    later = datetime.combine(clock.today() + timedelta(days=15), datetime.min.time(), UTC)
    monkeypatch.setattr(clock, "now", lambda: later + timedelta(hours=10))
    page = logged_in.get(f"/requests/{dossier_id}/steps/period").text
    # The summary, the date (and its line in the summary should a live check change it).
    assert page.count("The period cannot start in the past.") == 3
    assert 'role="group" aria-labelledby="error-summary-title"' in page
    # A step still right says nothing; the list of steps, on any page, says which is not.
    device = logged_in.get(f"/requests/{dossier_id}/steps/device").text
    assert "error-summary" not in device
    listed = {title: state for state, title, _link in step_list(device)}
    assert listed["Period requested (not finished)"] == "unfinished"
    assert listed["Manufacturer"] == "saved"


def test_save_and_come_back_later_with_a_mistake_saves_the_rest_and_shows_it(app, logged_in, user):
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
    bad = dict(sample_answers()["manufacturer"], srn="FR-XX-1", contact_phone="")
    response = post_step(logged_in, dossier_id, "manufacturer", bad, action="save_exit")
    assert response.status_code == 422
    assert "There is a problem" in response.text and 'value="FR-XX-1"' in response.text
    assert "Enter the contact person&#39;s phone number" not in response.text  # left empty
    assert "Your other answers on this page are saved" in response.text
    kept = stored(app, dossier_id)["manufacturer"]
    assert kept["legal_name"] == "Cardiotech Médical SAS" and "srn" not in kept
    # The step is not finished: the summary says so.
    assert "Not finished" in logged_in.get(f"/requests/{dossier_id}/steps/check").text
    # Opened again, the step says why its questions are empty: nothing there is called wrong.
    again = logged_in.get(f"/requests/{dossier_id}/steps/manufacturer").text
    assert "There is a problem" not in again and 'name="srn" value=""' in again
    assert (
        "You saved this step before finishing it: answer the questions left empty (an answer "
        "that was not right was not kept), then save the step."
    ) in html.unescape(again)
    # A step finished says nothing of the kind.
    post_step(logged_in, dossier_id, "manufacturer", sample_answers()["manufacturer"])
    done = logged_in.get(f"/requests/{dossier_id}/steps/manufacturer").text
    assert "You saved this step before finishing it" not in done


def test_save_and_come_back_later_with_only_a_mistake_says_nothing_is_saved(app, logged_in, user):
    """Only a wrong answer typed on a step never saved: nothing to keep, said so (not "your
    other answers are saved")."""
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
    response = post_step(logged_in, dossier_id, "device", {"udi_di": "12345"}, action="save_exit")
    assert response.status_code == 422
    text = html.unescape(response.text)
    assert "Nothing on this page is saved yet." in text
    assert "Your other answers on this page are saved" not in text
    assert "device" not in stored(app, dossier_id)


def test_an_earlier_answer_that_no_longer_fits_the_new_ones_is_not_kept(app, logged_in, user):
    """The start typed wrong keeps its earlier value only if it fits the new end: here the new
    end is before it, so the new end is kept and the old start goes. Fields left empty are
    not called wrong on the page shown again: only the one that blocks saving is."""
    with app.app_context():
        steps = [s for s in sample_answers() if s != "period"]
        dossier_id = dossier_with(user[0], steps=steps, files=False)
    start, end = clock.today() + timedelta(days=100), clock.today() + timedelta(days=130)
    post_step(
        logged_in,
        dossier_id,
        "period",
        {"start_date": start.isoformat(), "end_date": end.isoformat()},
    )
    new_end = clock.today() + timedelta(days=90)
    typed = {"start_date": "31/02/2027", "end_date": new_end.isoformat()}
    response = post_step(logged_in, dossier_id, "period", typed, action="save_exit")
    assert response.status_code == 422
    assert stored(app, dossier_id)["period"] == {"end_date": new_end.isoformat()}


def test_a_mistake_saved_over_keeps_the_earlier_right_answer(app, logged_in, user):
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start", "manufacturer"], files=False)
    bad = dict(sample_answers()["manufacturer"], srn="FR-XX-1")
    assert (
        post_step(logged_in, dossier_id, "manufacturer", bad, action="save_exit").status_code == 422
    )
    assert stored(app, dossier_id)["manufacturer"] == sample_answers()["manufacturer"]
    # Its answers are whole and right: the step is done, as the summary and the submission
    # find it (the list of steps, reopening it and the summary say the same).
    elsewhere = logged_in.get(f"/requests/{dossier_id}/steps/device").text
    listed = {title: state for state, title, _link in step_list(elsewhere)}
    assert listed["Manufacturer"] == "saved"
    again = logged_in.get(f"/requests/{dossier_id}/steps/manufacturer").text
    assert "You saved this step before finishing it" not in again
    check = html.unescape(logged_in.get(f"/requests/{dossier_id}/steps/check").text)
    assert "Continue with “Regulatory situation”" in check  # the first step not finished


def test_submitting_with_an_unfinished_step_sends_the_filer_there(app, logged_in, user):
    with app.app_context():
        steps = [s for s in sample_answers() if s != "benefit-risk"]
        dossier_id = dossier_with(user[0], steps=steps)
    response = post_step(logged_in, dossier_id, "declaration", sample_declaration())
    assert response.status_code == 303
    assert response.location.endswith("/steps/benefit-risk")
    page = logged_in.get(response.location).text
    assert "finish the step “Benefit and risk”" in page
    with app.app_context():
        assert db.session.get(Dossier, dossier_id).status == "draft"


def test_submitting_without_an_hcp_letter_is_refused(app, logged_in, user):
    with app.app_context():
        dossier_id = dossier_with(user[0], files=False)
    response = post_step(logged_in, dossier_id, "declaration", sample_declaration())
    assert response.location.endswith("/steps/clinical-evidence")
    # Evidence blocks leaving its step until the clinical evaluation is attached.
    page = post_step(
        logged_in, dossier_id, "clinical-evidence", sample_answers()["clinical-evidence"]
    )
    assert page.status_code == 422
    missing = "Upload the clinical evaluation report (PDF) before continuing."
    # Next to the file field, as any refused answer is, and once in the summary, linked there.
    assert re.search(
        r'<p class="error-message" id="document-file-error">.*?</span> ' + re.escape(missing),
        page.text,
    )
    assert 'document-file-error"' in page.text.split('id="document-file"')[1].split(">")[0]
    summary = page.text.split('class="error-summary"')[1].split("</div>")[0]
    assert summary.count(missing) == 1 and 'href="#document-file"' in summary


def test_the_hcp_step_can_be_left_without_letters_but_submission_needs_one(app, logged_in, user):
    from tests.conftest import attach_files

    with app.app_context():
        dossier_id = dossier_with(user[0], files=False)
        attach_files(db.session.get(Dossier, dossier_id), user[0], letters=0)
    left = post_step(logged_in, dossier_id, "hcp-support", {})
    assert left.status_code == 303
    # The next page says what the request still needs (nobody is invited either).
    assert (
        "The request has no healthcare professional's letter yet: it can be submitted only "
        "with one." in html.unescape(logged_in.get(left.location).text)
    )
    response = post_step(logged_in, dossier_id, "declaration", sample_declaration())
    assert response.location.endswith("/steps/hcp-support")


def test_the_hcp_step_left_with_a_letter_says_nothing_of_it(app, logged_in, user):
    with app.app_context():
        dossier_id = dossier_with(user[0], files=True)
    left = post_step(logged_in, dossier_id, "hcp-support", {})
    assert "has no healthcare professional's letter yet" not in html.unescape(
        logged_in.get(left.location).text
    )


def test_the_2023_607_notice_appears_when_the_legacy_certificate_may_still_count(
    app, logged_in, user, monkeypatch
):
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start", "device"], files=False)
    situation = {
        "reason": "certificate_expired",
        "legacy_certificate_number": "MDD-1",
        "legacy_certificate_expiry": "2024-03-01",
        "legacy_notified_body": "2797",
        "mdr_application_date": "2024-02-01",
        "written_agreement": "yes",
        "written_agreement_date": "2024-02-20",
    }
    response = post_step(logged_in, dossier_id, "situation", situation)
    assert response.status_code == 303  # a warning, never a block
    # Said at once, on the next page, before the filer spends an hour on the rest.
    following = logged_in.get(response.location).text
    assert "You may not need a derogation: from your answers" in following
    assert "31 December 2027" in following and "notice--warning" in following
    page = logged_in.get(f"/requests/{dossier_id}/steps/situation").text
    assert "You may not need a derogation" in page
    assert "31 December 2027" in page  # class III device: the earlier deadline
    late = dict(situation, mdr_application_date="2024-06-30")
    saved = post_step(logged_in, dossier_id, "situation", late)
    assert "You may not need" not in logged_in.get(saved.location).text
    assert (
        "You may not need a derogation"
        not in logged_in.get(f"/requests/{dossier_id}/steps/situation").text
    )


def test_before_the_device_class_is_known_the_2023_607_notice_gives_both_dates(
    app, logged_in, user, monkeypatch
):
    """The date depends on the class, given later (step 3): said with both dates, not one
    that changes without a word once the class is given."""
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
    situation = {
        "reason": "certificate_expired",
        "legacy_certificate_number": "MDD-1",
        "legacy_certificate_expiry": "2024-03-01",
        "legacy_notified_body": "2797",
        "mdr_application_date": "2024-02-01",
        "written_agreement": "yes",
        "written_agreement_date": "2024-02-20",
    }
    response = post_step(logged_in, dossier_id, "situation", situation)
    both = (
        "31 December 2027 (31 December 2028 for a device of class I, IIa, or IIb not implantable)"
    )
    assert both in html.unescape(logged_in.get(response.location).text)
    page = f"/requests/{dossier_id}/steps/situation"
    assert both in html.unescape(logged_in.get(page).text)
    device = {**sample_answers()["device"], "device_class": "IIa", "implantable": "no"}
    assert post_step(logged_in, dossier_id, "device", device).status_code == 303
    shown = html.unescape(logged_in.get(page).text)
    assert "until 31 December 2028 under" in shown and "December 2027" not in shown


def test_the_summary_marks_a_step_whose_file_or_letter_went_since_it_was_answered(
    app, logged_in, user
):
    """Answered, then its clinical evaluation report or the last professional's letter
    deleted: the summary says the step is not finished, as the submission would."""
    with app.app_context():
        dossier_id = dossier_with(user[0])
    check = logged_in.get(f"/requests/{dossier_id}/steps/check").text
    assert "Not finished" not in check
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        for letter in list(dossier.hcp_letters):
            db.session.delete(letter)
        db.session.commit()
    check = logged_in.get(f"/requests/{dossier_id}/steps/check").text
    marked = re.findall(
        r'id="summary-([\w-]+)".*?</div>\s*(<p class="tag tag--todo">)?', check, re.S
    )
    assert [step for step, todo in marked if todo] == ["hcp-support"]


def step_list(page: str) -> list[tuple[str, str, str | None]]:
    """The side list of steps: (state, title, link) in order."""
    nav = re.search(r'<nav class="step-nav".*?</nav>', page, re.S).group(0)
    items = re.findall(r'step-nav__item--(\w+)">\s*(.*?)\s*</li>', nav, re.S)
    listed = []
    for state, inner in items:
        link = re.search(r'href="([^"]+)"', inner)
        title = re.sub(r"<[^>]+>|\(saved\)|\(copied: to check\)", "", inner).strip()
        listed.append((state, title, link.group(1) if link else None))
    return listed


def test_the_side_list_of_steps_leads_to_every_step_answered_and_the_next(app, logged_in, user):
    with app.app_context():
        dossier_id = dossier_with(
            user[0], steps=["before-you-start", "situation", "manufacturer"], files=False
        )
    page = logged_in.get(f"/requests/{dossier_id}/steps/situation").text
    listed = step_list(page)
    base = f"/requests/{dossier_id}/steps/"
    assert listed[0] == ("saved", "Before you start", base + "before-you-start")
    assert listed[1] == ("current", "Regulatory situation", base + "situation")
    assert 'aria-current="step"' in page
    assert listed[2] == ("saved", "Manufacturer", base + "manufacturer")
    assert listed[3][0] == "next" and listed[3][2] == base + "device"
    assert all(state == "ahead" and link is None for state, _t, link in listed[4:])
    assert listed[-2][1] == "Check your answers"
    # As many as "Step 2 of 14" counts: the declaration last, reached from the summary only.
    assert "Step 2 of 14" in page and len(listed) == 14
    assert listed[-1] == ("ahead", "Declaration and submission", None)
    # Once every question is answered, the summary is one click away from any step.
    with app.app_context():
        done = dossier_with(user[0])
    summary, declaration = step_list(logged_in.get(f"/requests/{done}/steps/device").text)[-2:]
    assert summary == ("saved", "Check your answers", f"/requests/{done}/steps/check")
    assert declaration == ("ahead", "Declaration and submission", None)
    # On the declaration, it is the current step: "Step 14 of 14".
    checked = checked_on_the_check_page(logged_in, done)
    signing = logged_in.get(f"/requests/{done}/steps/declaration?checked={checked}").text
    assert "Step 14 of 14" in signing
    state, title, link = step_list(signing)[-1]
    assert (state, title) == ("current", "Declaration and submission")
    assert html.unescape(link) == f"/requests/{done}/steps/declaration?checked={checked}"


def test_a_saved_step_lacking_its_document_or_letter_is_not_shown_done(app, logged_in, user):
    """As on the summary: the evidence step needs its clinical evaluation report, and the
    professionals' step a letter, before the list of steps shows them done."""
    with app.app_context():
        lacking = dossier_with(user[0], files=False)  # every step answered, no file at all
        complete = dossier_with(user[0])
    states = {
        title: state
        for state, title, _link in step_list(
            logged_in.get(f"/requests/{lacking}/steps/period").text
        )
    }
    assert states["Clinical evidence (not finished)"] == "unfinished"
    assert states["Healthcare professionals' letters (not finished)"] == "unfinished"
    # The summary, where they are listed, is a link, without the tick of all done.
    assert states["Device"] == "saved" and states["Check your answers"] == "next"
    listed = step_list(logged_in.get(f"/requests/{complete}/steps/period").text)
    assert {state for state, _title, _link in listed[:-1]} == {"saved", "current"}


def test_a_name_typed_for_the_initials_is_shown_back_as_typed(app, logged_in, user):
    with app.app_context():
        dossier_id = dossier_with(user[0], "individual", files=False)
    named = dict(sample_answers("individual")["patient"], patient_initials="Jean Dupont")
    response = post_step(logged_in, dossier_id, "patient", named)
    assert response.status_code == 422
    assert 'value="Jean Dupont"' in response.text
    assert "never their name" in response.text
    dotted = dict(named, patient_initials="j. d.")
    assert post_step(logged_in, dossier_id, "patient", dotted).status_code == 303
    with app.app_context():
        assert db.session.get(Dossier, dossier_id).answers()["patient"]["patient_initials"] == "JD"
    # A compound first name, as French writes it (Jean-David: "J.-D."), is the same JD.
    for compound in ("J.-D.", "J-D", "J.‑D. L."):
        typed = dict(named, patient_initials=compound)
        assert post_step(logged_in, dossier_id, "patient", typed).status_code == 303, compound
    with app.app_context():
        assert db.session.get(Dossier, dossier_id).answers()["patient"]["patient_initials"] == "JDL"
    # Two compound names (Jean-Pierre Le Goff) make four; five letters are a name.
    typed = dict(named, patient_initials="J.-P. L. G.")
    assert post_step(logged_in, dossier_id, "patient", typed).status_code == 303
    with app.app_context():
        assert (
            db.session.get(Dossier, dossier_id).answers()["patient"]["patient_initials"] == "JPLG"
        )
    typed = dict(named, patient_initials="Lucas")
    assert post_step(logged_in, dossier_id, "patient", typed).status_code == 422
    # Four letters in one word may be a first name: written apart, they are initials.
    for name in ("paul", "JEAN", "JPLG"):
        refused = post_step(logged_in, dossier_id, "patient", dict(named, patient_initials=name))
        assert refused.status_code == 422, name
        assert "Write four initials with dots or spaces between them" in refused.text
    for apart in ("J P L G", "JP LG", "j.p.l.g."):
        typed = dict(named, patient_initials=apart)
        assert post_step(logged_in, dossier_id, "patient", typed).status_code == 303, apart
    # Letters written as a name is (Léo, Anne): a first name, said so; three initials
    # in capitals, or in lower case, are initials.
    for name in ("Léo", "Eve", "Anne"):
        refused = post_step(logged_in, dossier_id, "patient", dict(named, patient_initials=name))
        assert refused.status_code == 422, name
        said = f"“{name}” is written as a first name: enter the patient's initials only"
        assert said in html.unescape(refused.text)
        assert f'value="{name}"' in refused.text
    # A phone's keyboard capitalises the first letter of initials typed in small letters:
    # asked to write capitals throughout, and not refused when it does not.
    page = logged_in.get(f"/requests/{dossier_id}/steps/patient").text
    assert re.search(r'id="patient_initials"[^>]* autocapitalize="characters"', page)
    for initials in ("LEO", "jdm", "Jd", "Jdm", "Jmd"):
        typed = dict(named, patient_initials=initials)
        assert post_step(logged_in, dossier_id, "patient", typed).status_code == 303, initials


def test_headings_nest_as_the_pages_read(app, logged_in, user):
    """A screen reader moving by headings hears each step's answers under the section that
    holds them: on the summary directly under the page's title, on the submitted request's
    page under "What you submitted"."""
    with app.app_context():
        dossier_id = dossier_with(user[0], "individual")
    levels = re.compile(r"<h([1-6])[^>]*>\s*([^<]*)")
    check = dict(
        (title, level)
        for level, title in levels.findall(
            logged_in.get(f"/requests/{dossier_id}/steps/check").text
        )
    )
    assert check["Device"] == "2"
    sign_and_submit(logged_in, dossier_id)
    page = logged_in.get(f"/requests/{dossier_id}/submitted").text
    # The page's own headings: not the session's dialog after it (shown only when open).
    headings = levels.findall(page[: page.index("</main>")])
    after = [level for level, _title in headings[headings.index(("2", "What you submitted")) + 1 :]]
    assert after and set(after) <= {"3", "4"}


def test_a_no_on_the_first_step_is_not_called_a_mistake_to_correct(app, logged_in, user):
    """Answered "No" (a hospital, a device with a valid CE marking): the portal is not the
    way, which the page says, rather than to correct the answers or save them for later."""
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=[], files=False)
    answers = {"is_manufacturer": "no", "lacks_valid_ce": "yes"}
    refused = post_step(logged_in, dossier_id, "before-you-start", answers)
    assert refused.status_code == 422
    text = html.unescape(" ".join(refused.text.split()))
    assert (
        "From your answers, this request cannot be filed here: the reason is said below. If an "
        "answer was a slip, change it to go on." in text
    )
    assert "Correct the answers listed" not in text
    assert "If you are a hospital or a distributor, ask the manufacturer to file it." in text
    # Left blank, it is a form to finish, as any step.
    blank = post_step(logged_in, dossier_id, "before-you-start", {})
    assert "Correct the answers listed" in html.unescape(blank.text)


def test_the_dashboard_reads_as_much_for_four_drafts_as_for_one(app, logged_in, user):
    """Where each draft resumes is found from answers and documents read for all at once."""

    def statements() -> int:
        with statements_sent(app) as sent:
            assert logged_in.get("/dashboard").status_code == 200
        return len(sent)

    def another_draft():
        with app.app_context():
            dossier_with(user[0])  # every step answered: the letters' step is read too

    another_draft()
    once = statements()
    for _ in range(3):
        another_draft()
    assert statements() == once


def test_a_step_saved_before_a_question_was_added_says_what_it_now_asks(app, logged_in, user):
    """A draft saved whole before step 0 asked whether the device is custom-made: it resumes
    there, the new question said beside it, not a page that looks finished."""
    from wizard.filing import service

    with app.app_context():
        dossier_id = dossier_with(user[0])
        before = {"is_manufacturer": "yes", "lacks_valid_ce": "yes"}  # as saved back then
        service.save_step(db.session.get(Dossier, dossier_id), "before-you-start", before)
    assert logged_in.get(f"/requests/{dossier_id}").location.endswith("/steps/before-you-start")
    page = html.unescape(logged_in.get(f"/requests/{dossier_id}/steps/before-you-start").text)
    assert (
        "Select yes if the device is custom-made, meant for a clinical investigation, or made "
        "and used within the same health establishment."
    ) in page
