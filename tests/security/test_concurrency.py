"""Many filers at once, on PostgreSQL (the production database): every submission gets its
own reference and its own receipt, and no answer is lost; two tabs saving one step never
corrupt the draft (last write wins for that step)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from tests.conftest import dossier_with, login, make_user, post_step
from wizard.demo import sample_answers, sample_declaration
from wizard.extensions import db
from wizard.models import Dossier, Receipt

FILERS = 50


@pytest.fixture
def postgres_only(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("concurrency is tested on PostgreSQL, the production database")


def run_together(work, count: int) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def one(index):
        try:
            barrier.wait()
            work(index)
        except BaseException as error:  # reported by the test
            errors.append(error)

    threads = [threading.Thread(target=one, args=[i]) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_fifty_organisations_submit_at_once(app, postgres_only):
    filers = []
    with app.app_context():
        for index in range(FILERS):
            user = make_user(f"filer{index}@org{index}.example", f"Organisation {index}")
            filers.append((user.email, dossier_with(user.id, "global")))

    def submit(index):
        email, dossier_id = filers[index]
        client = app.test_client()
        login(client, email)
        declaration = dict(sample_declaration(), signatory_role=f"Role {index}")
        response = post_step(client, dossier_id, "declaration", declaration)
        assert response.status_code == 303, response.text[:500]

    assert run_together(submit, FILERS) == []
    with app.app_context():
        dossiers = db.session.scalars(select(Dossier)).all()
        references = {d.reference for d in dossiers}
        assert len(references) == FILERS and None not in references
        assert db.session.scalar(select(func.count()).select_from(Receipt)) == FILERS
        for dossier in dossiers:
            role = dossier.submitted_answers["declaration"]["signatory_role"]
            assert role.startswith("Role ")
            assert dossier.submitted_answers["answers"]["scope"]["estimated_patients"] == 12


def test_two_tabs_saving_the_same_step_leave_one_complete_answer(app, user, postgres_only):
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
    versions = [dict(sample_answers()["device"], trade_name=f"Tab {i}") for i in range(8)]

    def save(index):
        client = app.test_client()
        login(client, user[1])
        assert post_step(client, dossier_id, "device", versions[index]).status_code == 303

    assert run_together(save, len(versions)) == []
    with app.app_context():
        stored = db.session.get(Dossier, dossier_id).answers()["device"]
    assert stored in versions  # one tab's whole answer, never a mix
