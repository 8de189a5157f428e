"""The current time, in one place so tests can move it (time is a true edge)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today as a filer in France sees it."""
    return now().astimezone(PARIS).date()


def as_utc(moment: datetime) -> datetime:
    """A stored timestamp with its zone: SQLite returns them naive, in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
