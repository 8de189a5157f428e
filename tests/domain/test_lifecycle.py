"""Every pair of statuses, checked against the lifecycle of DESIGN.md section 4."""

import itertools

import pytest

from wizard.domain.lifecycle import (
    ALLOWED_TRANSITIONS,
    Status,
    TransitionError,
    can_transition,
    check_transition,
    is_decided,
    is_editable,
    is_final,
)

S = Status
EXPECTED_ALLOWED = {
    (S.DRAFT, S.SUBMITTED),
    (S.SUBMITTED, S.UNDER_REVIEW),
    (S.SUBMITTED, S.WITHDRAWN),
    (S.UNDER_REVIEW, S.INFORMATION_REQUESTED),
    (S.UNDER_REVIEW, S.AUTHORISED),
    (S.UNDER_REVIEW, S.REFUSED),
    (S.UNDER_REVIEW, S.WITHDRAWN),
    (S.INFORMATION_REQUESTED, S.UNDER_REVIEW),
    (S.INFORMATION_REQUESTED, S.WITHDRAWN),
    (S.AUTHORISED, S.SUSPENDED),
    (S.AUTHORISED, S.WITHDRAWN),
    (S.AUTHORISED, S.EXPIRED),
    (S.SUSPENDED, S.AUTHORISED),
    (S.SUSPENDED, S.WITHDRAWN),
    (S.SUSPENDED, S.EXPIRED),
    (
        S.DRAFT,
        S.DISCARDED,
    ),  # deleted by its manufacturer  # the period of a suspended authorisation ends too
}
ALL_PAIRS = list(itertools.product(Status, repeat=2))


def test_status_values_are_the_stored_strings():
    assert [s.value for s in Status] == [
        "draft",
        "submitted",
        "under_review",
        "information_requested",
        "authorised",
        "refused",
        "suspended",
        "withdrawn",
        "expired",
        "discarded",
    ]


def test_every_status_has_an_entry():
    assert set(ALLOWED_TRANSITIONS) == set(Status)


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS, ids=lambda s: str(s))
def test_transition_table(current, target):
    allowed = (current, target) in EXPECTED_ALLOWED
    assert can_transition(current, target) is allowed
    if allowed:
        check_transition(current, target)
    else:
        with pytest.raises(TransitionError):
            check_transition(current, target)


def test_plain_strings_are_accepted():
    assert can_transition("draft", "submitted")
    assert not can_transition("refused", "authorised")


def test_transition_error_is_a_value_error():
    assert issubclass(TransitionError, ValueError)


@pytest.mark.parametrize("status", Status)
def test_only_a_draft_is_editable(status):
    assert is_editable(status) is (status is S.DRAFT)


@pytest.mark.parametrize("status", Status)
def test_decided_statuses(status):
    decided = {S.AUTHORISED, S.REFUSED, S.SUSPENDED, S.EXPIRED}
    assert is_decided(status) is (status in decided)


@pytest.mark.parametrize("status", Status)
def test_final_statuses(status):
    assert is_final(status) is (status in {S.REFUSED, S.WITHDRAWN, S.EXPIRED, S.DISCARDED})
