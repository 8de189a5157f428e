"""The dates an authorisation asks its follow-up reports by, and which report meets which.

ANSM may set reports at a fixed interval: every `n` months from the period's first day, the
last on its last day (a report by then on the whole period); a date of the interval closer to
the last day than half an interval is left out (not two reports days apart). Each date is met
by a report sent after the date before it, and after the report that met that one (the first:
from the period's first day), and by that date; or, late, by the next report sent: one report
sent late meets every date passed without one. A second report sent the same day as the one
that met a date, or before the date it met (a correction), meets nothing more: the next date
still asks for its own."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """`day` moved `months` on; the month's last day where it is shorter (31 January and one
    month: 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_dates(start: date, end: date, every_months: int | None) -> list[date]:
    """The dates reports are due by over the period `start`–`end` (its last day included):
    every `every_months` from `start` (each counted from `start`, not from the date before,
    so that 31 January stays the month's last day), then `end`. None: no dates."""
    if every_months is None:
        return []
    dates = []
    step = 1
    while (due := add_months(start, step * every_months)) < end:
        dates.append(due)
        step += 1
    # Half an interval at least before the last day: about 15 days for a month, 3 months for
    # six (1 April and 2 April would ask two reports on the same patients).
    if dates and (end - dates[-1]) * 2 < add_months(dates[-1], every_months) - dates[-1]:
        dates.pop()
    return [*dates, end]


def met_by(
    dues: Sequence[tuple[date, date | None]], sent_on: date, period_start: date
) -> list[int]:
    """Which of `dues` (each its date and the day of the report that met it, None if none did
    yet; in date order) a report sent on `sent_on` meets, by their index: every date passed
    (that day included) without a report; or else the next date, if the report was sent after
    the date before it and after the report that met that one (from the period's first day,
    for the first)."""
    late = [index for index, (due, met_on) in enumerate(dues) if met_on is None and due <= sent_on]
    if late:
        return late
    pending = next((index for index, (_due, met_on) in enumerate(dues) if met_on is None), None)
    if pending is None:
        return []
    if pending:
        opened = max(dues[pending - 1][0], dues[pending - 1][1])
    else:
        opened = period_start - timedelta(days=1)
    return [pending] if sent_on > opened else []
