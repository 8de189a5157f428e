"""What a person may do to a request, and from which status.

Each action moves the request to one target status, so the lifecycle (ALLOWED_TRANSITIONS)
says where it may start. Some targets are reached by two actions, told apart by whether the
agency has already decided: authorising is a first decision and reinstating lifts a
suspension; a manufacturer withdraws a request before any decision, the agency withdraws an
authorisation after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from wizard.domain.lifecycle import ASKING_STATUSES, Status, can_transition, is_decided
from wizard.i18n import gettext as _
from wizard.i18n import lazy_gettext as _l
from wizard.models import DecisionKind
from wizard.web import status_label


class Stage(Enum):
    ANY = "any"
    BEFORE_DECISION = "before_decision"
    AFTER_DECISION = "after_decision"


@dataclass(frozen=True)
class Action:
    name: str  # in the URL
    title: object  # the button and heading a person reads
    target: Status
    stage: Stage = Stage.ANY
    decision: DecisionKind | None = None  # the decision it records, with a signed PDF
    # Where it may also be done without moving the request: a question asked while others
    # wait for their answers (the manufacturer and a professional asked at once).
    also_in: frozenset[Status] = frozenset()

    def permits(self, status: Status) -> bool:
        if status in self.also_in:
            return True
        if not can_transition(status, self.target):
            return False
        if self.stage is Stage.ANY:
            return True
        return is_decided(status) == (self.stage is Stage.AFTER_DECISION)

    def heading(self, status: Status) -> str:
        if self.target == Status.UNDER_REVIEW and status == Status.INFORMATION_REQUESTED:
            return _("Resume the review")
        if status == Status.INFORMATION_REQUESTED and status in self.also_in:
            return _("Ask someone else too")
        return str(self.title)


REVIEWER_ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action("start-review", _l("Start the review"), Status.UNDER_REVIEW),
        Action(
            "request-information",
            _l("Ask for more information"),
            Status.INFORMATION_REQUESTED,
            also_in=ASKING_STATUSES,
        ),
        Action(
            "authorise",
            _l("Authorise"),
            Status.AUTHORISED,
            Stage.BEFORE_DECISION,
            DecisionKind.AUTHORISATION,
        ),
        Action("refuse", _l("Refuse"), Status.REFUSED, decision=DecisionKind.REFUSAL),
        Action(
            "suspend",
            _l("Suspend the authorisation"),
            Status.SUSPENDED,
            decision=DecisionKind.SUSPENSION,
        ),
        Action(
            "reinstate",
            _l("Reinstate the authorisation"),
            Status.AUTHORISED,
            Stage.AFTER_DECISION,
            DecisionKind.REINSTATEMENT,
        ),
        Action(
            "withdraw",
            _l("Withdraw the authorisation"),
            Status.WITHDRAWN,
            Stage.AFTER_DECISION,
            DecisionKind.WITHDRAWAL,
        ),
    )
}

MANUFACTURER_WITHDRAWAL = Action(
    "withdraw-request",
    _l("Withdraw this request"),
    Status.WITHDRAWN,
    Stage.BEFORE_DECISION,
    DecisionKind.WITHDRAWAL,
)


class ActionRefused(Exception):
    """The action cannot be done now; the message says why, for the person who tried."""


def available(status: Status) -> list[Action]:
    return [action for action in REVIEWER_ACTIONS.values() if action.permits(status)]


def refusal(
    action: Action, status: Status, *, shown: str | None = None, authorised: bool | None = None
) -> ActionRefused:
    """Why `action` is refused in `status`, and what can be done instead; `shown`: the status
    of the page its button was pressed on, which named the action ("Resume the review");
    `authorised`: whether the request had an authorisation, which names a withdrawal as its
    page does ("Request withdrawn", "Authorisation withdrawn by ANSM")."""
    label = status_label(status, authorised)
    named_in = Status(shown) if shown in set(Status) else status
    message = _(
        "“%(action)s” is not possible: the request is “%(status)s”.",
        action=action.heading(named_in),
        status=label,
    )
    if action is MANUFACTURER_WITHDRAWAL:
        return ActionRefused(
            message + " " + _("A request can be withdrawn only before ANSM decides on it.")
        )
    possible = available(status)
    if possible:
        names = ", ".join(_("“%(name)s”", name=other.heading(status)) for other in possible)
        return ActionRefused(message + " " + _("Possible now: %(actions)s.", actions=names))
    if status == Status.EXPIRED:
        return ActionRefused(
            message
            + " "
            + _("Its authorised period has ended: the manufacturer must file a new request.")
        )
    return ActionRefused(message + " " + _("No further action is possible on it."))
