"""Writing and checking the audit trail of requests: who did what, when, from which address.
`record` appends an event to the hash chain in the caller's transaction; `flask audit verify`
recomputes the chain and names the first broken link."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import click
from flask import has_request_context, request
from flask.cli import AppGroup
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from wizard import clock
from wizard.domain.audit_chain import GENESIS, ChainReport, Problem, check_chain, link_hash
from wizard.extensions import db
from wizard.models import AuditEvent, Role, User

# Serialises appends on PostgreSQL until the appending transaction ends ("AUDT").
CHAIN_LOCK = 0x41554454

STATUS_CHANGED = "status_changed"
REPLY_SENT = "reply_sent"
QUESTION_ADDED = "question_added"  # asked while others wait for their answers
QUESTION_CANCELLED = "question_cancelled"  # taken back by ANSM unanswered
DOCUMENT_UPLOADED = "document_uploaded"
DOCUMENT_DOWNLOADED = "document_downloaded"
PROFESSIONAL_INVITED = "professional_invited"
INVITATION_RENEWED = "invitation_renewed"
INVITATION_REVOKED = "invitation_revoked"
LETTER_RECEIVED = "letter_received"
DOCUMENT_REMOVED = "document_removed"  # from the draft, by the manufacturer
LETTER_UPLOADED = "letter_uploaded"  # a professional's letter, by the manufacturer
LETTER_REMOVED = "letter_removed"  # from the draft (uploaded, or received through a link)
DOCUMENT_PUT_BACK = "document_put_back"  # its removal undone, by the manufacturer
LETTER_PUT_BACK = "letter_put_back"  # an uploaded letter's removal undone
# A letter written for another patient or type of access, said to support the draft as it is.
LETTER_CHECKED = "letter_checked"
STARTED_FROM = "started_from"  # a new request made from a filed one (its answers, documents)
FOLLOW_UP_SENT = "follow_up_sent"  # a report on an authorisation, sent unasked
ASSIGNED = "assigned"  # a filed request given to a reviewer, or to nobody (`review.assignment`)
NOTE_ADDED = "note_added"  # a note for ANSM's reviewers only (`review.notes`)
FOLLOW_UP_READ = "follow_up_read"  # a report marked read by a reviewer, for every reviewer
PERIOD_END_REMINDED = "period_end_reminded"  # by the daily job (`review.reminders`)
REPORT_DUE_REMINDED = "report_due_reminded"  # a report's date, by the daily job too
# Events that change nothing a person reading the request decides on.
NOT_CHANGES = (
    DOCUMENT_DOWNLOADED,
    PERIOD_END_REMINDED,
    REPORT_DUE_REMINDED,
    FOLLOW_UP_READ,
    ASSIGNED,
)


def uploads_of(documents, **owner) -> tuple[tuple[str, dict[str, Any]], ...]:
    """The `DOCUMENT_UPLOADED` events of stored files just added (an answer's, a report's),
    each naming what they came with (`owner`: reply_id=…, report_id=…)."""
    return tuple(
        (
            DOCUMENT_UPLOADED,
            {**owner, "filename": item.filename, "sha256": item.sha256, "size": item.size},
        )
        for item in documents
    )


@dataclass(frozen=True)
class Actor:
    """Who did it: a signed-in user, a professional through a link, or the system."""

    user_id: int | None
    name: str
    role: str
    address: str | None

    @classmethod
    def of(cls, user: User) -> Actor:
        """A signed-in user, at the address of the current request (if any)."""
        role = Role.REVIEWER if user.is_reviewer else Role.MANUFACTURER
        return cls(user.id, f"{user.name} <{user.email}>", str(role), _client_address())

    @classmethod
    def professional(cls, name: str) -> Actor:
        return cls(None, name, "hcp", _client_address())


SYSTEM = Actor(None, "system", "system", None)


def _client_address() -> str | None:
    # Behind a reverse proxy: the client's address when TRUSTED_PROXIES is set.
    return request.remote_addr if has_request_context() else None


def record(
    dossier_id: int,
    action: str,
    actor: Actor,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event; the caller commits it with the change it describes.

    Appending should be the last thing a transaction locks (after the rows it changes), then
    commit: on PostgreSQL it holds the chain's lock until then, so appends never race. The
    unique `sequence` guarantees one chain anyway; elsewhere (SQLite) a lost race retries."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(CHAIN_LOCK)))
    for _attempt in range(5):
        last = db.session.execute(
            select(AuditEvent.sequence, AuditEvent.hash)
            .order_by(AuditEvent.sequence.desc())
            .limit(1)
        ).first()
        event = AuditEvent(
            sequence=last.sequence + 1 if last else 1,
            dossier_id=dossier_id,
            occurred_at=clock.now(),
            action=action,
            actor_id=actor.user_id,
            actor_name=actor.name,
            actor_role=actor.role,
            address=actor.address,
            from_status=from_status,
            to_status=to_status,
            detail=detail or {},
            previous_hash=last.hash if last else GENESIS,
        )
        event.hash = link_hash(event.previous_hash, event.content())
        try:
            with db.session.begin_nested():
                db.session.add(event)
            return event
        except IntegrityError:
            continue  # another event took this place in the chain: append after it
    raise RuntimeError("could not append to the audit trail")


def trail(dossier_id: int) -> list[AuditEvent]:
    """A request's events, oldest first."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.dossier_id == dossier_id)
            .order_by(AuditEvent.sequence)
        )
    )


def changes_since(dossier_id: int, seen: int) -> list[AuditEvent]:
    """A request's events after the one numbered `seen`, oldest first, but for downloads and
    the daily job's reminder (`NOT_CHANGES`): what changed it since someone read it."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.dossier_id == dossier_id,
                AuditEvent.sequence > seen,
                AuditEvent.action.not_in(NOT_CHANGES),
            )
            .order_by(AuditEvent.sequence)
        )
    )


def last_change(events: list[AuditEvent]) -> int:
    """The number of the last of `events` that changed the request (0 if none): what a page
    showing them has shown, for `changes_since`."""
    return max((e.sequence for e in events if e.action not in NOT_CHANGES), default=0)


def _unanchored(sequence: int, expected: str) -> str | None:
    """Why the chain no longer holds the anchored event, if it does not."""
    found = db.session.scalar(select(AuditEvent.hash).where(AuditEvent.sequence == sequence))
    if found is None:
        return (
            f"the anchored event {sequence} is no longer there: events were removed from the "
            "end of the trail"
        )
    if found != expected:
        return (
            f"the anchored event {sequence} no longer has the hash kept: events were removed "
            "or rewritten up to it"
        )
    return None


def check() -> ChainReport:
    events = db.session.scalars(
        select(AuditEvent).order_by(AuditEvent.sequence).execution_options(yield_per=500)
    )
    return check_chain(events)


audit_cli = AppGroup("audit", help="Check the audit trail.")

EXPLANATIONS = {
    Problem.ALTERED: "its content no longer matches its hash: it was changed after it was written",
    Problem.UNLINKED: "it does not follow the event before it: an event was removed or inserted",
    Problem.MISSING: "events before it are missing from the numbering",
}


ANCHOR = re.compile(r"([1-9]\d*):([0-9a-f]{64})")


def _anchor(_context, _parameter, value: str | None) -> tuple[int, str] | None:
    if value is None:
        return None
    found = ANCHOR.fullmatch(value.strip().lower())
    if found is None:
        raise click.BadParameter(
            "an anchor is the event's number and its hash, as `audit verify` printed them: "
            "NUMBER:HASH (64 hexadecimal characters)."
        )
    return int(found.group(1)), found.group(2)


@audit_cli.command("verify")
@click.option(
    "--anchor",
    callback=_anchor,
    help="NUMBER:HASH of an event, as an earlier run printed it and kept elsewhere: the "
    "chain must still hold it (events removed from its end, or every hash rewritten after a "
    "change, are found then).",
)
def verify(anchor: tuple[int, str] | None) -> None:
    """Recompute the hash chain; exit code 0 only if every event is intact (and the anchor
    given is still in the chain)."""
    report = check()
    if report.intact and anchor is not None and (problem := _unanchored(*anchor)):
        click.echo(f"Audit trail BROKEN: {problem}.")
        raise SystemExit(1)
    if report.intact:
        click.echo(f"Audit trail intact: {report.events} events.")
        if anchor is not None:
            click.echo(f"It still holds the anchored event {anchor[0]}.")
        if report.events:
            click.echo(
                f"Anchor: {report.events}:{report.last_hash} (keep it elsewhere; give it to "
                "a later run as --anchor to check no event was removed or rewritten since)"
            )
        return
    broken = report.broken
    event = db.session.get(AuditEvent, broken.event_id)
    click.echo(
        f"Audit trail BROKEN at event {broken.sequence} (row id {broken.event_id}, "
        f"{event.action} on request {event.dossier_id}, {event.occurred_at:%Y-%m-%d %H:%M:%S}): "
        f"{EXPLANATIONS[broken.problem]}."
    )
    click.echo(f"The {report.events} events before it are intact.")
    raise SystemExit(1)


@audit_cli.command("records")
def records() -> None:
    """Read every filed request's answers, its receipt and decisions, and every stored file
    again against the hashes written when they were made and those the trail holds; exit code
    0 only if all match (`wizard/integrity.py`)."""
    from wizard import integrity

    raise SystemExit(integrity.report())
