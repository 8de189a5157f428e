"""A step not yet saved is offered what the filer said elsewhere (their organisation, who
they are, the MDR application given on the situation step), filled in and said so; nothing
is stored until they save it."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from tests.conftest import dossier_with, post_step
from wizard import clock
from wizard.demo import sample_answers
from wizard.extensions import db
from wizard.filing import service
from wizard.models import Dossier

OFFERED = "Some answers are filled in from what you told us before."


def value_of(page: str, name: str) -> str | None:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    return match.group(1) if match else None


def test_the_manufacturer_step_offers_the_organisation_and_the_person(app, logged_in, user):
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start", "situation"], files=False)
    page = logged_in.get(f"/requests/{dossier_id}/steps/manufacturer").text
    assert OFFERED in page
    assert value_of(page, "legal_name") == "Cardiotech"
    assert value_of(page, "contact_name") == "Claire Martin"
    assert value_of(page, "contact_email") == "claire@cardiotech.example"
    with app.app_context():
        assert "manufacturer" not in db.session.get(Dossier, dossier_id).answers()

    mine = {**sample_answers()["manufacturer"], "legal_name": "Cardiotech Médical SAS"}
    assert post_step(logged_in, dossier_id, "manufacturer", mine).status_code == 303
    saved = logged_in.get(f"/requests/{dossier_id}/steps/manufacturer").text
    assert OFFERED not in saved and value_of(saved, "legal_name") == "Cardiotech Médical SAS"


def textarea_of(page: str, name: str) -> str | None:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', page, re.S)
    return html.unescape(match.group(1)).replace("\r\n", "\n") if match else None


def test_a_new_request_offers_the_manufacturer_as_the_last_request_filed_it(app, logged_in, user):
    """A second request of the organisation: the manufacturer as its latest filed request gave
    it (not a draft's), the signed-in person as contact, with the telephone only if that
    person was the contact then too."""
    filed = sample_answers()["manufacturer"]
    with app.app_context():
        dossier_with(user[0], "global", submit=True)
        draft = dossier_with(
            user[0],
            steps=["before-you-start", "situation", "manufacturer"],
            files=False,
            changes={"manufacturer": {"siret": "55210055400013"}},
        )
        dossier_id = dossier_with(user[0], steps=["before-you-start", "situation"], files=False)
    assert draft  # a draft's answers are not offered: not filed
    page = logged_in.get(f"/requests/{dossier_id}/steps/manufacturer").text
    assert OFFERED in page
    assert value_of(page, "legal_name") == html.escape(filed["legal_name"])
    assert value_of(page, "siret") == filed["siret"]
    assert value_of(page, "srn") == filed["srn"]
    assert re.search(r'<option value="FR" selected', page)
    assert textarea_of(page, "address") == filed["address"]
    assert value_of(page, "contact_name") == "Claire Martin"
    assert value_of(page, "contact_email") == "claire@cardiotech.example"
    # Filed with another contact (claire.martin@example.org): not this person's telephone.
    assert value_of(page, "contact_phone") in (None, "")
    with app.app_context():
        assert "manufacturer" not in db.session.get(Dossier, dossier_id).answers()


def test_the_telephone_is_offered_when_the_contact_was_this_person(app, logged_in, user):
    mine = {"contact_email": "Claire@cardiotech.example", "contact_phone": "+33 4 72 11 22 33"}
    with app.app_context():
        dossier_with(user[0], "global", submit=True, changes={"manufacturer": mine})
        dossier_id = dossier_with(user[0], steps=["before-you-start", "situation"], files=False)
    page = logged_in.get(f"/requests/{dossier_id}/steps/manufacturer").text
    assert value_of(page, "contact_phone") == "+33 4 72 11 22 33"


def test_the_path_to_certification_offers_the_mdr_application_already_given(app, logged_in, user):
    steps = list(sample_answers())
    lodged = "2024-05-20"
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=steps[: steps.index("certification")])
        situation = {**sample_answers()["situation"], "mdr_application_date": lodged}
        service.save_step(db.session.get(Dossier, dossier_id), "situation", situation)
    page = logged_in.get(f"/requests/{dossier_id}/steps/certification").text
    assert OFFERED in page
    assert re.search(r'name="nb_application" value="lodged" checked', page)
    assert value_of(page, "nb_application_date") == lodged


def test_an_application_lodged_on_the_situation_step_called_planned_is_pointed_out(
    app, logged_in, user
):
    """The situation step gave the date an MDR application was lodged: "planned" on the path
    to certification is likely a slip (or that application ended and another is planned),
    said beside the answer and when the step is saved, never refused."""
    steps = list(sample_answers())
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=steps[: steps.index("certification")])
        situation = {**sample_answers()["situation"], "mdr_application_date": "2024-05-20"}
        service.save_step(db.session.get(Dossier, dossier_id), "situation", situation)
    planned = {
        **sample_answers()["certification"],
        "nb_application": "planned",
        "nb_application_date": (clock.today() + timedelta(days=30)).isoformat(),
    }
    said = (
        "On the regulatory situation step, you gave 20 May 2024 as the date you lodged your MDR "
        "application. If that application is still open, choose “An application has been "
        "lodged with a notified body”."
    )
    live = logged_in.post(
        f"/requests/{dossier_id}/steps/certification/validate",
        data=planned,
        headers={"HX-Request": "true", "HX-Trigger-Name": "nb_application"},
    )
    assert live.status_code == 200 and said in html.unescape(live.text)
    saved = post_step(logged_in, dossier_id, "certification", planned)
    assert saved.status_code == 303
    assert said in html.unescape(logged_in.get(saved.location).text)
    lodged = {**planned, "nb_application": "lodged", "nb_application_date": "2024-05-20"}
    saved = post_step(logged_in, dossier_id, "certification", lodged)
    assert saved.status_code == 303
    assert "you gave 20 May 2024" not in logged_in.get(saved.location).text
