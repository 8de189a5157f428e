"""Lifecycle of a request on the reviewer's side (DESIGN.md section 4).

    draft -> submitted -> under_review <-> information_requested;  draft -> discarded
    under_review -> authorised | refused
    authorised -> suspended -> authorised | withdrawn;  authorised | suspended -> expired
    withdrawn from any open status before decision (by the manufacturer)

While information is requested, ANSM may ask someone else too (the manufacturer and a
professional at once): that adds a question and moves nothing; the last answer awaited moves
the request back to review.

Refused, withdrawn, expired and discarded are final. A discarded draft never reached the agency:
its manufacturer deleted it, and only its audit events remain. This module only says which
moves are legal; the function that applies one also writes the audit event and sends the
e-mail, elsewhere.
"""

from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    INFORMATION_REQUESTED = "information_requested"
    AUTHORISED = "authorised"
    REFUSED = "refused"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    DISCARDED = "discarded"


ALLOWED_TRANSITIONS: dict[Status, frozenset[Status]] = {
    # A draft is discarded, not withdrawn: nothing has reached the agency yet.
    Status.DRAFT: frozenset({Status.SUBMITTED, Status.DISCARDED}),
    Status.SUBMITTED: frozenset({Status.UNDER_REVIEW, Status.WITHDRAWN}),
    Status.UNDER_REVIEW: frozenset(
        {Status.INFORMATION_REQUESTED, Status.AUTHORISED, Status.REFUSED, Status.WITHDRAWN}
    ),
    Status.INFORMATION_REQUESTED: frozenset({Status.UNDER_REVIEW, Status.WITHDRAWN}),
    # After authorisation, "withdrawn" is the agency withdrawing it (or the manufacturer
    # renouncing it); "expired" happens when the authorised period ends.
    Status.AUTHORISED: frozenset({Status.SUSPENDED, Status.WITHDRAWN, Status.EXPIRED}),
    # A suspension does not outlive the authorisation it suspends.
    Status.SUSPENDED: frozenset({Status.AUTHORISED, Status.WITHDRAWN, Status.EXPIRED}),
    Status.REFUSED: frozenset(),
    Status.WITHDRAWN: frozenset(),
    Status.EXPIRED: frozenset(),
    Status.DISCARDED: frozenset(),
}

# What the agency never sees: a draft, or a draft its manufacturer deleted.
UNFILED_STATUSES: frozenset[Status] = frozenset({Status.DRAFT, Status.DISCARDED})
FILED_STATUSES: tuple[Status, ...] = tuple(s for s in Status if s not in UNFILED_STATUSES)

# Statuses that end with the authorised period (a suspended authorisation too).
LAPSING_STATUSES: frozenset[Status] = frozenset({Status.AUTHORISED, Status.SUSPENDED})

# Statuses in which ANSM may ask questions without moving the request: while information is
# requested (one more question), and while an authorisation is in force or suspended (the
# act says ANSM may ask for further information). Leaving one closes the questions awaited.
ASKING_STATUSES: frozenset[Status] = frozenset(
    {Status.INFORMATION_REQUESTED, Status.AUTHORISED, Status.SUSPENDED}
)

# Statuses reached only through a decision of the agency. Withdrawn is left out: it may come
# from the manufacturer before any decision, and the status alone cannot tell which.
DECIDED_STATUSES: frozenset[Status] = frozenset(
    {Status.AUTHORISED, Status.REFUSED, Status.SUSPENDED, Status.EXPIRED}
)


class TransitionError(ValueError):
    """A status change that the lifecycle does not allow."""


def can_transition(current: Status, target: Status) -> bool:
    """True when a request in `current` may move to `target`."""
    return target in ALLOWED_TRANSITIONS[Status(current)]


def check_transition(current: Status, target: Status) -> None:
    """Raise TransitionError unless `current -> target` is allowed."""
    if not can_transition(current, target):
        raise TransitionError(f"a request cannot go from {current} to {target}")


def is_editable(status: Status) -> bool:
    """Only a draft's answers may change; a submitted filing is frozen."""
    return status == Status.DRAFT


def is_decided(status: Status) -> bool:
    """True once the agency has ruled on the request (see DECIDED_STATUSES)."""
    return status in DECIDED_STATUSES


def is_final(status: Status) -> bool:
    """True when no further transition is possible."""
    return not ALLOWED_TRANSITIONS[Status(status)]
