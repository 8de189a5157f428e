"""The dates an authorisation asks follow-up reports by, and which report meets which."""

from datetime import date

import pytest

from wizard.domain.report_schedule import add_months, due_dates, met_by

D = date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2027, 1, 15), 1, D(2027, 2, 15)),
        (D(2027, 1, 31), 1, D(2027, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2027, 11, 30), 3, D(2028, 2, 29)),
        (D(2027, 12, 1), 1, D(2028, 1, 1)),
        (D(2027, 8, 31), 6, D(2028, 2, 29)),
        (D(2027, 1, 1), 24, D(2029, 1, 1)),
    ],
)
def test_months_are_added_as_calendars_count_them(day, months, expected):
    assert add_months(day, months) == expected


def test_every_interval_from_the_first_day_then_the_last_day():
    assert due_dates(D(2027, 1, 1), D(2027, 9, 30), 3) == [
        D(2027, 4, 1),
        D(2027, 7, 1),
        D(2027, 9, 30),
    ]


def test_each_date_counts_from_the_first_day_not_from_the_one_before():
    # 31 January: the last day of each month, not the 28th once February has passed.
    assert due_dates(D(2027, 1, 31), D(2027, 5, 15), 1) == [
        D(2027, 2, 28),
        D(2027, 3, 31),
        D(2027, 4, 30),
        D(2027, 5, 15),
    ]


def test_a_period_shorter_than_the_interval_asks_one_report_on_its_last_day():
    assert due_dates(D(2027, 1, 1), D(2027, 2, 10), 3) == [D(2027, 2, 10)]
    assert due_dates(D(2027, 1, 1), D(2027, 1, 1), 1) == [D(2027, 1, 1)]


def test_a_date_closer_to_the_last_day_than_half_an_interval_is_left_out():
    assert due_dates(D(2027, 1, 1), D(2027, 4, 2), 1) == [
        D(2027, 2, 1),
        D(2027, 3, 1),
        D(2027, 4, 2),
    ]
    assert due_dates(D(2027, 1, 1), D(2027, 7, 3), 6) == [D(2027, 7, 3)]
    # Half an interval or more: kept.
    assert due_dates(D(2027, 1, 1), D(2027, 4, 16), 1)[-2:] == [D(2027, 4, 1), D(2027, 4, 16)]
    assert due_dates(D(2027, 1, 1), D(2027, 10, 1), 6) == [D(2027, 7, 1), D(2027, 10, 1)]


def test_an_interval_ending_on_the_last_day_asks_it_once():
    assert due_dates(D(2027, 1, 1), D(2027, 7, 1), 3) == [D(2027, 4, 1), D(2027, 7, 1)]


def test_no_interval_no_dates():
    assert due_dates(D(2027, 1, 1), D(2027, 12, 31), None) == []


START = D(2027, 1, 1)
DUES = [D(2027, 4, 1), D(2027, 7, 1), D(2027, 9, 30)]


def _state(*met, on=None):
    """The dates, those in `met` met by a report sent `on` that day (the date itself)."""
    return [(due, (on or due) if due in met else None) for due in DUES]


def test_a_report_before_a_date_meets_it():
    assert met_by(_state(), D(2027, 3, 20), START) == [0]
    assert met_by(_state(), D(2027, 4, 1), START) == [0]  # on the day itself


def test_a_second_report_before_the_same_date_meets_nothing_more():
    assert met_by(_state(DUES[0]), D(2027, 3, 25), START) == []
    assert met_by(_state(DUES[0]), D(2027, 4, 1), START) == []


def test_a_report_after_a_date_met_meets_the_next():
    assert met_by(_state(DUES[0]), D(2027, 4, 2), START) == [1]


def test_a_correction_of_a_late_report_sent_the_same_day_meets_nothing_more():
    late = _state(DUES[0], on=D(2027, 4, 7))
    assert met_by(late, D(2027, 4, 7), START) == []
    assert met_by(late, D(2027, 4, 8), START) == [1]


def test_a_late_report_meets_every_date_passed_without_one():
    assert met_by(_state(), D(2027, 4, 5), START) == [0]
    assert met_by(_state(), D(2027, 7, 10), START) == [0, 1]
    assert met_by(_state(DUES[0]), D(2027, 10, 1), START) == [1, 2]


def test_a_report_before_the_period_meets_nothing():
    assert met_by(_state(), D(2026, 12, 31), START) == []
    assert met_by(_state(), START, START) == [0]


def test_every_date_met_nothing_left():
    assert met_by(_state(*DUES), D(2027, 10, 1), START) == []
