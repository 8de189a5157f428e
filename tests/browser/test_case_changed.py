"""What a change of the request's case (another patient, the other type of access) asks of
the filer, as a browser shows it: the steps written for the earlier case to look at again,
and a step the change took off the path, sent from a page opened before it."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import assert_accessible
from tests.browser.test_live_checks import signed_in_at
from tests.conftest import make_colleague
from wizard.demo import sample_answers
from wizard.extensions import db
from wizard.filing import service
from wizard.models import Dossier, User


def save(app, dossier_id: int, step: str, values: dict) -> None:
    with app.app_context():
        service.save_step(db.session.get(Dossier, dossier_id), step, values)


def test_a_step_written_for_another_patient_says_so_and_passes_axe(page, app):
    dossier_id = signed_in_at(page, app, "case@cardiotech.example", "device")
    answers = sample_answers("individual")
    for step in ("medical-need", "benefit-risk"):  # written for the patient named: JD 2019
        save(app, dossier_id, step, answers[step])
    save(app, dossier_id, "patient", {**answers["patient"], "patient_initials": "ML"})
    page.goto(f"/requests/{dossier_id}/steps/medical-need")
    expect(page.locator("#main .notice--warning")).to_contain_text(
        "You wrote this step for the patient JD born in 2019, and the request now names"
    )
    expect(page.locator(".step-nav")).to_contain_text("Benefit and risk (to check)")
    assert_accessible(page, "step-written-for-another-patient")


def test_a_step_sent_after_the_type_of_access_changed_shows_what_was_typed(page, app):
    dossier_id = signed_in_at(page, app, "tabs@cardiotech.example", "patient")
    page.fill("#patient_initials", "MZ")
    save(app, dossier_id, "access-type", {"access_type": "global"})  # in another tab
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("h1")).to_have_text("This step no longer applies to the request")
    expect(page.locator("main")).to_contain_text("MZ")
    assert_accessible(page, "step-no-longer-applies")


def test_a_save_stopped_by_a_colleagues_stays_said_on_a_step_with_questions_hidden(page, app):
    """The manufacturer step hides the representative's questions (a French manufacturer):
    hiding them takes them out of the error summary, which must not take the box saying the
    save was stopped with it (it lists nothing to correct)."""
    email = "stopped@cardiotech.example"
    dossier_id = signed_in_at(page, app, email, "manufacturer")
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.email == email))
        colleague = make_colleague(owner.id, "marc@cardiotech.example")
        dossier = db.session.get(Dossier, dossier_id)
        theirs = {**sample_answers()["manufacturer"], "address": "12 rue de la Paix, Paris"}
        service.save_step(
            dossier,
            "manufacturer",
            theirs,
            based_on=dossier.revision_of("manufacturer"),
            by=colleague,
        )
    expect(page.locator("#field-representative_name")).to_be_hidden()
    page.fill("#address", "3 avenue Foch, Lyon")
    page.get_by_role("button", name="Save and continue").click()
    box = page.locator("#changed-title")
    expect(box).to_have_text("Your answers on this page were not saved")
    expect(page.locator(".error-summary")).to_contain_text("Marc Durand saved this page on")
    expect(page.locator("#address")).to_have_value("3 avenue Foch, Lyon")
    assert_accessible(page, "step-saved-by-a-colleague-meanwhile")
