"""The engine derives the path, next, previous, progress and resume point from the answers."""

from __future__ import annotations

import pytest

from tests.conftest import dossier_with
from wizard.demo import sample_answers
from wizard.extensions import db
from wizard.flow.engine import Flow, Step, StepKind
from wizard.flow.steps import FLOW
from wizard.models import Dossier


def ids(steps):
    return [step.id for step in steps]


def test_the_individual_path_has_the_patient_step_and_the_global_path_the_scope_step():
    individual = ids(FLOW.visible(sample_answers("individual")))
    global_ = ids(FLOW.visible(sample_answers("global")))
    assert "patient" in individual and "scope" not in individual
    assert "scope" in global_ and "patient" not in global_
    assert individual.index("patient") == global_.index("scope") == 5
    assert len(individual) == len(global_) == 15


def test_before_the_choice_the_individual_path_stands_in():
    assert "patient" in ids(FLOW.visible({}))


def test_next_previous_and_progress_follow_the_branch():
    answers = sample_answers("global")
    access = FLOW.get("access-type")
    assert FLOW.next(access, answers).id == "scope"
    assert FLOW.previous(FLOW.get("medical-need"), answers).id == "scope"
    assert FLOW.previous(FLOW.get("before-you-start"), answers) is None
    assert FLOW.progress(access, answers) == (5, 14)
    assert FLOW.progress(FLOW.get("declaration"), answers) == (14, 14)


def test_chosen_answers_leave_the_other_path_out():
    answers = {**sample_answers("individual"), "scope": sample_answers("global")["scope"]}
    assert "scope" not in FLOW.chosen_answers(answers)
    answers["access-type"] = {"access_type": "global"}
    chosen = FLOW.chosen_answers(answers)
    assert "scope" in chosen and "patient" not in chosen


def test_the_resume_point_is_the_first_unfinished_step(app, user):
    with app.app_context():
        partial = db.session.get(
            Dossier, dossier_with(user[0], steps=["before-you-start", "situation"], files=False)
        )
        assert FLOW.first_unfinished(partial).id == "manufacturer"
        without_letter = db.session.get(Dossier, dossier_with(user[0], files=False))
        assert FLOW.first_unfinished(without_letter).id == "clinical-evidence"
        complete = db.session.get(Dossier, dossier_with(user[0]))
        assert FLOW.first_unfinished(complete).id == "check"


def test_a_flow_refuses_duplicate_step_ids():
    step = Step("a", "1", "A", StepKind.QUESTION)
    with pytest.raises(ValueError):
        Flow([step, step])
