"""A class I device is certified by its manufacturer alone (Regulation (EU) 2017/745, article
52(7)): its path to certification says no notified body is needed, and asks for no
application's date or notified body number (not kept when typed); a device of another class
is refused that answer, also when its class changes after the step was saved."""

from __future__ import annotations

from tests.conftest import dossier_with, post_step
from tests.flow.test_aged_letters import text_of
from tests.flow.test_validation import assert_error_shown, saved
from wizard.demo import sample_answers

NO_BODY = {
    **sample_answers("individual")["certification"],
    "nb_application": "not_needed",
    "nb_application_date": "",
    "nb_number": "",
}
# A class I device filed needing no notified body, as `dossier_with` takes it.
CLASS_ONE = {
    "device": {"device_class": "I"},
    "certification": {
        "nb_application": "not_needed",
        "nb_application_date": None,
        "nb_number": None,
    },
}
NEEDS_A_BODY = (
    "A class IIa device needs a notified body to assess its conformity (as given on the device "
    "step): choose whether your application is lodged or planned."
)


def class_one_request(app, user) -> int:
    """A request whose device is class I, every step answered but the certification."""
    with app.app_context():
        others = [s for s in sample_answers("individual") if s != "certification"]
        return dossier_with(user[0], steps=others, changes={"device": CLASS_ONE["device"]})


def test_a_class_one_device_needs_no_notified_body(app, logged_in, user):
    dossier_id = class_one_request(app, user)
    page = logged_in.get(f"/requests/{dossier_id}/steps/certification").text
    assert "None is needed: the device is class I (not sterile, with no measuring function" in (
        page
    )
    # The application's date and the body's number are asked only with an application: with
    # JavaScript, shown once one is lodged or planned (the number required once lodged).
    for question in ("nb_application_date", "nb_number"):
        assert (
            f'id="field-{question}" data-shown-when="nb_application" '
            'data-shown-values="lodged planned"'
        ) in page
    assert 'data-required-values="[&#34;lodged&#34;]"' in page.split('id="field-nb_number"')[1]
    # A date and a number typed before choosing (the page shows them without JavaScript) are
    # not kept, nor is the date compared with the expected CE marking date.
    typed = {**NO_BODY, "nb_application_date": "2099-01-01", "nb_number": "2797"}
    assert post_step(logged_in, dossier_id, "certification", typed).status_code == 303
    answers = saved(app, dossier_id).answers["certification"]
    assert answers["nb_application"] == "not_needed"
    assert "nb_application_date" not in answers and "nb_number" not in answers
    assert "(not finished)" not in logged_in.get(f"/requests/{dossier_id}/steps/period").text
    # The summary reads the answer as chosen.
    check = logged_in.get(f"/requests/{dossier_id}/steps/check").text
    assert "None is needed: the device is class I" in check


def test_a_class_changed_since_makes_the_answer_wrong(app, logged_in, user):
    """Saved for a class I device, then the device step says class IIa: the certification
    step is unfinished, and says why when opened."""
    dossier_id = class_one_request(app, user)
    assert post_step(logged_in, dossier_id, "certification", NO_BODY).status_code == 303
    device = {**sample_answers("individual")["device"], "device_class": "IIa"}
    assert post_step(logged_in, dossier_id, "device", device).status_code == 303
    certification = f"/requests/{dossier_id}/steps/certification"
    assert (
        f'<a href="{certification}">Path to certification</a> '
        '<span class="step-nav__note">(not finished)</span>'
    ) in text_of(logged_in, f"/requests/{dossier_id}/steps/device")
    reopened = logged_in.get(f"/requests/{dossier_id}/steps/certification").text
    assert_error_shown(reopened, "nb_application", NEEDS_A_BODY)
    # Sent again as it is, it is refused with the same words.
    refused = post_step(logged_in, dossier_id, "certification", NO_BODY)
    assert refused.status_code == 422
    assert_error_shown(refused.text, "nb_application", NEEDS_A_BODY)
