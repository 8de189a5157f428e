"""Property-based hostile input on every step's form: arbitrary Unicode, control characters,
very long strings, markup, wrong types, missing and duplicated fields. Never a 500, never an
invalid value stored, the other answers kept, and whatever is echoed back is escaped."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests.conftest import dossier_with
from wizard.demo import sample_answers
from wizard.extensions import db
from wizard.flow.steps import FLOW
from wizard.models import Dossier

QUESTION_STEPS = [s.id for s in FLOW.steps if s.is_question and s.id != "hcp-support"]
MARKUP = "<script>alert(1)</script>"

hostile_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=190, max_size=6000),
    st.sampled_from(
        [
            MARKUP,
            "\x00",
            "\u202e",
            "'; DROP TABLE dossiers; --",
            "0" * 30,
            "-1",
            "1e309",
            "2027-02-30",
            "9999-99-99",
            "yes",
            "no",
            "y",
            "FR",
            "",
            " ",
        ]
    ),
)


@st.composite
def hostile_forms(draw, step_id: str, names: list[str]):
    """Start from a valid answer, then break some fields, drop some, duplicate some."""
    valid = {**sample_answers("global"), **sample_answers("individual")}[step_id]
    pairs = []
    for name in names:
        action = draw(st.sampled_from(["keep", "break", "drop", "duplicate"]))
        value = valid.get(name)
        shown = "y" if value is True else ("" if value is None else str(value))
        if action == "keep":
            pairs.append((name, shown))
        elif action == "break":
            pairs.append((name, draw(hostile_text)))
        elif action == "duplicate":
            pairs += [(name, shown), (name, draw(hostile_text))]
    pairs.append(("action", draw(st.sampled_from(["continue", "save_exit", "☃", ""]))))
    return MultiDict(pairs)


@pytest.mark.parametrize("step_id", QUESTION_STEPS)
def test_hostile_answers_never_break_a_step_or_get_stored(app, logged_in, user, step_id):
    path = "global" if step_id == "scope" else "individual"
    with app.app_context():
        dossier_id = dossier_with(user[0], path)
        before = db.session.get(Dossier, dossier_id).answers()
    with app.test_request_context():
        names = [f.name for f in FLOW.get(step_id).form(meta={"csrf": False})]

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(form=hostile_forms(step_id, names))
    def attempt(form):
        response = logged_in.post(f"/requests/{dossier_id}/steps/{step_id}", data=form)
        assert response.status_code in (303, 422), response.status_code
        assert MARKUP not in response.text  # echoed, if at all, only escaped
        with app.app_context():
            stored = db.session.get(Dossier, dossier_id).answers()
        others = {k: v for k, v in stored.items() if k != step_id}
        assert others == {k: v for k, v in before.items() if k != step_id}
        saved_unfinished = form.get("action") == "save_exit"
        if response.status_code == 422 and not saved_unfinished:
            assert stored.get(step_id) == current.get(step_id)
        elif step_id in stored:
            current[step_id] = stored[step_id]
            with app.test_request_context():
                check = FLOW.get(step_id).form.from_answers(stored[step_id], context=stored)
                valid = check.validate()
            if not saved_unfinished:
                assert valid, check.errors
            # Saved unfinished, a step may lack answers; every answer it holds is right.
            assert not {name: check[name].errors for name in stored[step_id] if check[name].errors}

    current = dict(before)
    with app.app_context():
        attempt()


def test_live_validation_answers_any_field_name_and_value(app, logged_in, user):
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=[], files=False)

    @settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(field=st.text(max_size=40), value=hostile_text)
    def attempt(field, value):
        response = logged_in.post(
            f"/requests/{dossier_id}/steps/manufacturer/validate",
            data={field or "x": value},
            headers={"HX-Request": "true", "HX-Trigger-Name": field.encode("utf-8", "replace")},
        )
        assert response.status_code in (200, 204)
        assert MARKUP not in response.text

    attempt()
