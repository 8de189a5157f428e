"""A reviewer's action sent twice (two clicks without JavaScript, a send retried): the second
sending finds what the first did, and the reviewer reads its "Done", not that the action is
not possible and nothing was recorded; another sending (other words, a colleague's change
since) is still refused."""

from __future__ import annotations

import html

from tests.review.support import act, action_data, in_days, questions, seen_on, status_of
from tests.review.test_parallel_questions import second_reviewer


def page_of(client, response) -> str:
    assert response.status_code == 303, response.status_code
    return " ".join(html.unescape(client.get(response.location).text).split())


def test_the_review_started_twice_is_said_started(app, reviewer, submitted):
    shown = seen_on(reviewer, submitted)
    assert act(reviewer, submitted, "start-review", shown=shown).status_code == 303
    page = page_of(reviewer, act(reviewer, submitted, "start-review", shown=shown))
    assert "Done: the request is now “Under review”." in page
    assert "is not possible" not in page and "Nothing was recorded" not in page
    assert status_of(app, submitted) == "under_review"


def test_the_review_resumed_twice_is_said_resumed(app, reviewer, submitted):
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information")
    shown = seen_on(reviewer, submitted)
    note = {"reason": "We no longer need it: answered by telephone."}
    assert act(reviewer, submitted, "start-review", shown=shown, **note).status_code == 303
    page = page_of(reviewer, act(reviewer, submitted, "start-review", shown=shown, **note))
    assert "Done: the request is now “Under review”." in page
    assert "is not possible" not in page


def test_a_start_with_another_note_or_after_a_colleague_is_still_refused(app, reviewer, submitted):
    shown = seen_on(reviewer, submitted)
    act(reviewer, submitted, "start-review", shown=shown)
    other = act(reviewer, submitted, "start-review", shown=shown, reason="Another note.")
    assert other.status_code == 409
    assert "Nothing was recorded" in " ".join(other.text.split())
    colleague = second_reviewer(app)
    shown = seen_on(reviewer, submitted)
    act(colleague, submitted, "request-information", shown=seen_on(colleague, submitted))
    act(colleague, submitted, "start-review", shown=seen_on(colleague, submitted))
    late = act(reviewer, submitted, "start-review", shown=shown)
    assert late.status_code == 409


def test_a_question_sent_twice_is_asked_once_and_said_sent(app, reviewer, submitted):
    act(reviewer, submitted, "start-review")
    shown = seen_on(reviewer, submitted)
    assert act(reviewer, submitted, "request-information", shown=shown).status_code == 303
    page = page_of(reviewer, act(reviewer, submitted, "request-information", shown=shown))
    assert "Done: your question has been sent to the manufacturer." in page
    assert "has not answered the question" not in page
    with app.app_context():
        assert len(questions(submitted)) == 1


def test_another_question_to_someone_still_awaited_is_refused(app, reviewer, submitted):
    act(reviewer, submitted, "start-review")
    shown = seen_on(reviewer, submitted)
    act(reviewer, submitted, "request-information", shown=shown)
    data = action_data("request-information", message="Also send the IFU.") | shown
    other = reviewer.post(f"/review/requests/{submitted}/request-information", data=data)
    assert other.status_code == 422
    assert "has not answered the question asked on" in other.text
    with app.app_context():
        assert len(questions(submitted)) == 1


def decisions_in(app, dossier_id: int):
    from wizard.extensions import db
    from wizard.models import Decision

    with app.app_context():
        return [
            (d.kind, d.period_end, d.max_patients, d.record.get("procedure"))
            for d in db.session.query(Decision).filter_by(dossier_id=dossier_id)
        ]


def test_an_authorisation_signed_twice_is_issued_once_and_said_done(
    app, reviewer, submitted_global
):
    act(reviewer, submitted_global, "start-review")
    shown = seen_on(reviewer, submitted_global)
    assert act(reviewer, submitted_global, "authorise", shown=shown).status_code == 303
    page = page_of(reviewer, act(reviewer, submitted_global, "authorise", shown=shown))
    assert "Done" in page and "Nothing was recorded" not in page
    assert len(decisions_in(app, submitted_global)) == 1


def test_an_authorisation_signed_in_another_tab_with_other_terms_is_refused(
    app, reviewer, submitted_global
):
    """Two tabs of one reviewer, one request: the second tab's authorisation, on the same
    grounds but another period or cap, is another decision, not the first sent again: it is
    refused, said not recorded, with what was typed, and the first alone is issued."""
    act(reviewer, submitted_global, "start-review")
    shown = seen_on(reviewer, submitted_global)
    assert act(reviewer, submitted_global, "authorise", shown=shown).status_code == 303
    (issued,) = decisions_in(app, submitted_global)
    for other in ({"period_end": in_days(120)}, {"max_patients": "5"}, {"follow_up": "None."}):
        late = act(reviewer, submitted_global, "authorise", shown=shown, **other)
        assert late.status_code == 409, other
        assert "Nothing was recorded" in " ".join(html.unescape(late.text).split())
        assert decisions_in(app, submitted_global) == [issued]


def test_a_suspension_signed_in_another_tab_heard_otherwise_is_refused(
    app, reviewer, submitted_global
):
    """The same grounds, but the manufacturer heard otherwise (its observations invited, not
    urgency): another act, refused as late."""
    act(reviewer, submitted_global, "start-review")
    act(reviewer, submitted_global, "authorise", period_start=in_days(0))
    shown = seen_on(reviewer, submitted_global)
    assert act(reviewer, submitted_global, "suspend", shown=shown).status_code == 303
    again = act(reviewer, submitted_global, "suspend", shown=shown)
    assert again.status_code == 303  # the same form sent twice
    heard = {
        "procedure": "observations",
        "observations_invited_on": in_days(0),
        "observations_received": "no",
    }
    late = act(reviewer, submitted_global, "suspend", shown=shown, **heard)
    assert late.status_code == 409
    assert [kind for kind, *_rest in decisions_in(app, submitted_global)] == [
        "authorisation",
        "suspension",
    ]
