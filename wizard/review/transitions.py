"""The one way a submitted request changes status (STYLE.md rule 5): the move is checked
against the lifecycle, applied, written to the audit trail and committed with what comes with
it (a decision, a question, a reply), then the manufacturer is told by email, and of a
decision the professionals who wrote for the request too, as is each professional whose
question it closed unanswered: each address once (a withdrawal's news says both)."""

from __future__ import annotations

from sqlalchemy import update

from wizard import audit, clock
from wizard.domain.lifecycle import ASKING_STATUSES, Status, TransitionError, check_transition
from wizard.extensions import db
from wizard.models import Decision, Dossier, InformationRequest, Reply
from wizard.review import notify


def change_status(
    dossier: Dossier,
    target: Status,
    actor: audit.Actor,
    *,
    note: str | None = None,
    about: Decision | InformationRequest | Reply | None = None,
    events: tuple[tuple[str, dict], ...] = (),
    closed_before: tuple[InformationRequest, ...] = (),
) -> None:
    """Move `dossier` to `target`, or raise `TransitionError` and change nothing.

    `about` is the record that comes with the change, already added to the session by the
    caller: it is committed with the change and described in the audit event and the email.
    `events` are audit events (action, detail) of the same actor that lead to the change (an
    answer, its uploads); they are written first, after the request's row is locked.
    `closed_before`: questions the caller closed unanswered just before (the manufacturer's,
    taken back by ANSM), which its email says are closed as it says of those it closes.
    """
    # The status condition makes a concurrent second change match no row. `about` is written
    # after it, once the row is locked (a decision written first would meet a concurrent one's
    # number before the lock, and fail on it rather than be refused).
    with db.session.no_autoflush:
        current = Status(dossier.status)  # read here too: a reload would write `about` first
        check_transition(current, target)
        at = clock.now()
        moved = db.session.execute(
            update(Dossier)
            .where(Dossier.id == dossier.id, Dossier.status == current)
            .values(status=target, updated_at=at)
        ).rowcount
    if moved != 1:
        db.session.rollback()
        raise TransitionError(f"request {dossier.id} changed status meanwhile")
    closed = []
    if current in ASKING_STATUSES:
        closed = _close_questions(dossier, target, at)
    db.session.flush()  # gives `about` its id
    for action, event_detail in events:
        audit.record(dossier.id, action, actor, detail=event_detail)
    detail = {"note": note, **(about.audit_detail() if about is not None else {})}
    audit.record(
        dossier.id,
        audit.STATUS_CHANGED,
        actor,
        from_status=current,
        to_status=target,
        detail=detail,
    )
    db.session.commit()
    db.session.refresh(dossier)
    notify.status_changed(
        dossier, current, target, note=note, about=about, closed=[*closed_before, *closed]
    )
    # Professionals whose links worked until now: each is told (they may be writing).
    unanswered = [question for question in closed if question.hcp_email]
    told = set()
    if isinstance(about, Decision):
        told = notify.decision_to_professionals(dossier, current, about, unanswered)
    notify.questions_closed_to_professionals(unanswered, dossier, target, told=told)


def _close_questions(dossier: Dossier, target: Status, at) -> list[InformationRequest]:
    """Leaving "information requested" (or an authorisation in force or suspended, whose
    questions a measure or the period's end closes) closes the questions still open: their
    links stop working (an answered question was closed when its answer came). Returns those whose
    answers could still come until now (a professional's link had not expired)."""
    with db.session.no_autoflush:
        awaited = InformationRequest.awaited(dossier.id)
    db.session.execute(
        update(InformationRequest)
        .where(InformationRequest.dossier_id == dossier.id, InformationRequest.closed_at.is_(None))
        .values(closed_at=at, closed_reason=str(target))
    )
    return awaited
