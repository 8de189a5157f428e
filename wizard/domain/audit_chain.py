"""The hash chain of the audit trail, as plain Python.

Each event stores the hash of the event before it and its own hash:

    hash = sha256( previous_hash as ASCII hex  ||  canonical_json(content) )

with `previous_hash` of the first event = 64 zeros (`GENESIS`) and `canonical_json` from
`wizard.domain.canonical`. Changing an event's content breaks its own hash; removing or
inserting one breaks the link (or the numbering) of the next. Rewriting every hash after a
change, or removing the last events, is not detected by the chain alone: keep the last
event's number and hash somewhere else (the verify command prints them) and give them to a
later run (`--anchor`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from wizard.domain.canonical import canonical_json

GENESIS = "0" * 64


def link_hash(previous_hash: str, content: dict[str, Any]) -> str:
    """The hash an event with this content must carry after `previous_hash`."""
    return hashlib.sha256(previous_hash.encode("ascii") + canonical_json(content)).hexdigest()


class Link(Protocol):
    """What the chain needs of a stored event."""

    id: int
    sequence: int
    previous_hash: str
    hash: str

    def content(self) -> dict[str, Any]: ...


class Problem(StrEnum):
    MISSING = "missing"  # the numbering jumps: events before this one were removed
    UNLINKED = "unlinked"  # it does not point at the event before it
    ALTERED = "altered"  # its content no longer gives its hash


@dataclass(frozen=True)
class Break:
    """The first place where the chain does not hold."""

    sequence: int
    event_id: int
    problem: Problem


@dataclass(frozen=True)
class ChainReport:
    events: int
    last_hash: str
    broken: Break | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def check_chain(events: Iterable[Link]) -> ChainReport:
    """Walk the events in sequence order; stop at the first broken link."""
    expected_sequence, previous, count = 1, GENESIS, 0
    for event in events:
        problem = None
        if event.sequence != expected_sequence:
            problem = Problem.MISSING
        elif event.previous_hash != previous:
            problem = Problem.UNLINKED
        elif link_hash(event.previous_hash, event.content()) != event.hash:
            problem = Problem.ALTERED
        if problem is not None:
            return ChainReport(count, previous, Break(event.sequence, event.id, problem))
        count += 1
        expected_sequence, previous = event.sequence + 1, event.hash
    return ChainReport(count, previous, None)
