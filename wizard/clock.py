"""The current time, in one place so tests can move it (time is a true edge)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today as a filer in France sees it."""
    return now().astimezone(PARIS).date()


def day_in_paris(moment: datetime) -> date:
    """The calendar day a stored timestamp falls on, in France."""
    return as_utc(moment).astimezone(PARIS).date()


def end_of_day_in_paris(day: date) -> datetime:
    """The first instant after `day` ends in France, in UTC: an "until <day>" deadline."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=PARIS).astimezone(UTC)


def last_day_before(deadline: datetime) -> date:
    """The last day (in France) an `end_of_day_in_paris` deadline still allows: the deadline
    itself is the first instant of the day after."""
    return day_in_paris(deadline - timedelta(microseconds=1))


def a_year_before(day: date) -> date:
    """The same day a year earlier (28 February for the 29th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def as_utc(moment: datetime) -> datetime:
    """A stored timestamp with its zone: SQLite returns them naive, in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
