"""Every pair of statuses, tried through the pages and the expiry command: a request moves from
one status to another exactly when the lifecycle (DESIGN.md §4) allows it, and anything else
is refused with a message, the request unchanged."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from tests.conftest import sign_and_submit
from tests.review.support import (
    act,
    action_data,
    in_days,
    request_in,
    seen_on,
    status_of,
    withdraw,
)
from wizard import clock
from wizard.domain.lifecycle import (
    ALLOWED_TRANSITIONS,
    ASKING_STATUSES,
    DECIDED_STATUSES,
    Status,
)

ANY, BEFORE_DECISION, AFTER_DECISION = "any", "before decision", "after decision"

# Every way a person (or the daily job) can move a request, by the status it leads to, and
# when it applies beyond the lifecycle: authorising is a first decision, reinstating lifts a
# suspension; a manufacturer withdraws before any decision, the agency withdraws after.
ROUTES: dict[Status, list[tuple[str, str]]] = {
    Status.DRAFT: [],
    Status.SUBMITTED: [("declaration", ANY)],
    Status.UNDER_REVIEW: [("start-review", ANY)],
    Status.INFORMATION_REQUESTED: [("request-information", ANY)],
    Status.AUTHORISED: [("authorise", BEFORE_DECISION), ("reinstate", AFTER_DECISION)],
    Status.REFUSED: [("refuse", ANY)],
    Status.SUSPENDED: [("suspend", ANY)],
    Status.WITHDRAWN: [("withdraw", AFTER_DECISION), ("withdraw-request", BEFORE_DECISION)],
    Status.EXPIRED: [("expire-command", ANY)],
    Status.DISCARDED: [("discard", ANY)],
}


def expected(current: Status, target: Status, stage: str) -> bool:
    if target not in ALLOWED_TRANSITIONS[current]:
        return False
    if stage == ANY:
        return True
    return (current in DECIDED_STATUSES) == (stage == AFTER_DECISION)


def attempt(app, route, dossier_id, reviewer, manufacturer, monkeypatch):
    """Try one route; returns the HTTP status (or the command's exit code)."""
    if route == "declaration":
        return sign_and_submit(manufacturer, dossier_id).status_code
    if route == "discard":  # confirmed on the page that says what goes
        page = manufacturer.get(f"/requests/{dossier_id}/discard").text
        shown = re.search(r'name="shown" value="([^"]+)"', page)
        data = {"shown": shown.group(1)} if shown else {}
        return manufacturer.post(f"/requests/{dossier_id}/discard", data=data).status_code
    if route == "withdraw-request":
        data = {"withdraw-reason": "We found another solution."}
        return manufacturer.post(f"/requests/{dossier_id}/withdraw", data=data).status_code
    if route == "expire-command":
        later = clock.now() + timedelta(days=400)  # past the arranged authorisation's end
        monkeypatch.setattr(clock, "now", lambda: later)
        return app.test_cli_runner().invoke(args=["decisions", "expire"]).exit_code
    return act(reviewer, dossier_id, route).status_code


@pytest.mark.parametrize("current", list(Status), ids=str)
def test_a_request_moves_between_two_statuses_only_as_the_lifecycle_allows(
    app, user, reviewer, manufacturer, monkeypatch, current
):
    """For each target status, every route to it is tried on a fresh request in `current`."""
    wrong = []
    for target in Status:
        moved_by = []
        for route, stage in ROUTES[target]:
            if target == Status.INFORMATION_REQUESTED and current in ASKING_STATUSES:
                # Asking someone else too, or asking of an authorisation, moves nothing:
                # test_parallel_questions, test_questions_after_authorisation.
                continue
            with app.app_context():
                dossier_id = request_in(user[0], current)
            outcome = attempt(app, route, dossier_id, reviewer, manufacturer, monkeypatch)
            monkeypatch.undo()
            after = status_of(app, dossier_id)
            if expected(current, target, stage):
                if after != target or outcome not in (303, 0):
                    wrong.append(f"{current} → {target} by {route}: {outcome}, now {after}")
                moved_by.append(route)
            # Refused: a draft is invisible to the agency (404), a deleted one too, and its
            # manufacturer is told it was deleted (410); only a draft can be submitted or
            # deleted (409), but a declaration sent again (a double click) is led to the
            # filed request's page (303); otherwise the page says why (409).
            elif after != current or outcome not in (
                (0, 404, 409, 410, 303) if route == "declaration" else (0, 404, 409, 410)
            ):
                wrong.append(f"{current} → {target} by {route} not refused: {outcome}, {after}")
        if bool(moved_by) != (target in ALLOWED_TRANSITIONS[current]):
            wrong.append(f"{current} → {target}: moved by {moved_by or 'nothing'}")
    assert wrong == []


@pytest.mark.parametrize(
    "current",
    [s for s in Status if s not in (Status.DRAFT, Status.DISCARDED, Status.UNDER_REVIEW)],
    ids=str,
)
def test_a_refused_action_says_why_and_what_is_possible(app, user, reviewer, current):
    with app.app_context():
        dossier_id = request_in(user[0], current)
    response = act(reviewer, dossier_id, "refuse", reason="Typed before the refusal.")
    assert response.status_code == 409
    page = response.text
    assert "“Refuse” is not possible" in page and "There is a problem" in page
    assert "Typed before the refusal." in page  # nothing typed is lost
    assert status_of(app, dossier_id) == current


def test_a_refusal_names_the_action_as_the_button_pressed_named_it(
    app, reviewer, manufacturer, submitted
):
    """ "Resume the review", pressed on a page opened before the manufacturer withdrew, is
    refused under that name, not as "Start the review" (the name it has for a new request)."""
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "request-information")
    shown = seen_on(reviewer, submitted)
    assert shown["shown"] == "information_requested"
    assert withdraw(manufacturer, submitted).status_code == 303
    refused = reviewer.post(
        f"/review/requests/{submitted}/start-review", data={**action_data("start-review"), **shown}
    )
    assert refused.status_code == 409
    # Named as its status is named everywhere else: the manufacturer withdrew its request.
    assert "“Resume the review” is not possible: the request is “Request withdrawn”." in " ".join(
        refused.text.split()
    )


def test_the_reviewer_is_told_what_was_done_as_the_page_says_it(
    app, inbox, reviewer, submitted_global
):
    act(reviewer, submitted_global, "start-review")
    done = reviewer.get(f"/review/requests/{submitted_global}").text
    assert "Done: the request is now “Under review”." in done
    asked = act(reviewer, submitted_global, "request-information")
    assert (
        "Done: your question has been sent to the manufacturer."
        in reviewer.get(asked.location).text
    )
    act(reviewer, submitted_global, "start-review")
    act(
        reviewer,
        submitted_global,
        "authorise",
        period_start=in_days(1),
        period_end=in_days(30),
    )
    withdrawn = act(reviewer, submitted_global, "withdraw", reason="Serious incidents.")
    assert withdrawn.status_code == 303, withdrawn.text
    page = reviewer.get(withdrawn.location).text
    # Its status tag and the message say the same: an authorisation ANSM withdrew.
    assert "Done: the request is now “Authorisation withdrawn by ANSM”." in page


def test_the_actions_possible_instead_are_quoted_as_each_language_quotes(app, reviewer, submitted):
    act(reviewer, submitted, "start-review")
    reviewer.get("/language/fr")
    shown = seen_on(reviewer, submitted)
    refused = reviewer.post(
        f"/review/requests/{submitted}/start-review", data={**action_data("start-review"), **shown}
    )
    assert refused.status_code == 409
    said = " ".join(html.unescape(refused.text).split())
    possible = said.split("Actions possibles maintenant")[1].split(".")[0]
    assert "« Autoriser »" in possible.replace("\xa0", " ").replace("\u202f", " ")
    assert "“" not in possible
