"""Two decisions on one request at the same moment (PostgreSQL, the production database): one
is recorded, numbered and signed; the other is refused with the reason, never an error page."""

from __future__ import annotations

import threading

from tests.review.support import act, status_of
from tests.security.test_concurrency import postgres_only, run_together  # noqa: F401
from wizard.extensions import db
from wizard.models import Decision
from wizard.review import decisions


def test_a_refusal_signed_as_the_manufacturer_withdraws_leaves_one_decision(
    app,
    reviewer,
    manufacturer,
    submitted,
    monkeypatch,
    postgres_only,  # noqa: F811
):
    act(reviewer, submitted, "start-review")
    # Both have numbered their decision before either records it: the moment they race.
    numbered = threading.Barrier(2)
    next_number = decisions._next_number

    def numbered_together(dossier):
        number = next_number(dossier)
        numbered.wait(timeout=10)
        return number

    monkeypatch.setattr(decisions, "_next_number", numbered_together)
    outcomes = {}

    def one(index):
        if index == 0:
            outcomes["refusal"] = act(reviewer, submitted, "refuse")
        else:
            withdrawal = {"withdraw-reason": "We found another solution."}
            outcomes["withdrawal"] = manufacturer.post(
                f"/requests/{submitted}/withdraw", data=withdrawal
            )

    assert run_together(one, 2) == []
    codes = {name: response.status_code for name, response in outcomes.items()}
    status = status_of(app, submitted)
    if status == "refused":
        assert codes == {"refusal": 303, "withdrawal": 409}
        assert "A request can be withdrawn only before ANSM decides on it." in (
            " ".join(outcomes["withdrawal"].text.split())
        )
    else:
        assert status == "withdrawn"
        assert codes == {"refusal": 409, "withdrawal": 303}
        assert "the request is “Request withdrawn”" in " ".join(outcomes["refusal"].text.split())
    with app.app_context():
        recorded = db.session.scalars(
            db.select(Decision).where(Decision.dossier_id == submitted)
        ).all()
        assert [(d.number, str(d.status_after)) for d in recorded] == [(1, status)]
