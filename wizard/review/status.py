"""The status a person reads. It is the stored one, except that an authorisation whose period
(suspended or not) has ended reads "expired" at once, before `flask decisions expire` records it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, case, select

from wizard import clock
from wizard.domain.lifecycle import LAPSING_STATUSES, Status
from wizard.extensions import db
from wizard.models import Decision, DecisionKind, Dossier


def authorisation_of(dossier: Dossier) -> Decision | None:
    """The request's authorisation (the lifecycle allows one at most), with its conditions."""
    return db.session.scalar(
        select(Decision).where(
            Decision.dossier_id == dossier.id, Decision.kind == DecisionKind.AUTHORISATION
        )
    )


def in_force_by(dossier: Dossier) -> Decision | None:
    """The decision that last put the authorisation in force: the authorisation itself, or
    the reinstatement that lifted its last suspension."""
    return _latest(dossier.id, DecisionKind.AUTHORISATION, DecisionKind.REINSTATEMENT)


# The measure behind a status that stops the authorisation's use.
_MEASURES = {Status.SUSPENDED: DecisionKind.SUSPENSION, Status.WITHDRAWN: DecisionKind.WITHDRAWAL}


def measure_of(dossier_id: int, status: Status) -> Decision | None:
    """The suspension or withdrawal that made an authorised request read `status`; None for
    any other status (an expired one reads expired, suspended or not)."""
    kind = _MEASURES.get(status)
    return _latest(dossier_id, kind) if kind is not None else None


def period_begun(authorisation: Decision | None, moment: datetime | None = None) -> bool:
    """Whether the authorised period had begun on the day (in France) of `moment`, now if not
    given: from then on a patient may have received the device under it (an act or email
    says they go on being followed), and a reinstatement puts it back "in force". True
    without an authorisation: nothing to say otherwise."""
    if authorisation is None:
        return True
    day = clock.day_in_paris(moment) if moment is not None else clock.today()
    return authorisation.period_start <= day


def stopped_before_its_period(authorisation: Decision, status: Status) -> bool:
    """Whether the suspension or withdrawal that made the request read `status` was decided
    before the authorised period began (in France): no patient can have received the device
    under it, and none is followed because of it."""
    measure = measure_of(authorisation.dossier_id, status)
    return measure is not None and not period_begun(authorisation, measure.decided_at)


def _latest(dossier_id: int, *kinds: DecisionKind) -> Decision | None:
    """The request's last decision of one of `kinds`."""
    return db.session.scalar(
        select(Decision)
        .where(Decision.dossier_id == dossier_id, Decision.kind.in_(kinds))
        .order_by(Decision.number.desc())
        .limit(1)
    )


def suspended_before_period(authorisation: Decision, *, lifted: bool = False) -> bool:
    """Whether the authorisation's last suspension, not lifted since, was decided before its
    period began: nobody has received the device under it (no report is asked then).
    `lifted`: whether it was, lifted since or not (a reinstatement's news: in force for the
    first time, not again)."""
    kinds = (DecisionKind.SUSPENSION,) if lifted else _MEASURES_LIFTED
    last = _latest(authorisation.dossier_id, *kinds)
    return bool(
        last is not None
        and last.kind == DecisionKind.SUSPENSION
        and not period_begun(authorisation, last.decided_at)
    )


# A suspension, and what lifts it.
_MEASURES_LIFTED = (DecisionKind.SUSPENSION, DecisionKind.REINSTATEMENT)


def period_has_ended(authorisation: Decision | None, today: date | None = None) -> bool:
    """The authorised period includes its last day; it has ended the day after."""
    if authorisation is None or authorisation.period_end is None:
        return False
    return authorisation.period_end < (today or clock.today())


# What waits for ANSM's decision.
_BEFORE_DECISION = frozenset({Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFORMATION_REQUESTED})


def need_passed(dossier: Dossier, status: Status, today: date | None = None) -> bool:
    """An individual request still waiting for ANSM whose patient needed the device by a day
    now past: the need may have moved (said before deciding, not only on the read-back)."""
    needed_by = dossier.needed_by
    return (
        Status(status) in _BEFORE_DECISION
        and needed_by is not None
        and date.fromisoformat(needed_by) < (today or clock.today())
    )


def effective_status(dossier: Dossier) -> Status:
    status = Status(dossier.status)
    if status in LAPSING_STATUSES and period_has_ended(authorisation_of(dossier)):
        return Status.EXPIRED
    return status


def authorisations_subquery():
    return (
        select(
            Decision.dossier_id,
            Decision.period_end,
            Decision.follow_up,
            Decision.report_every_months,
        )
        .where(Decision.kind == DecisionKind.AUTHORISATION)
        .subquery("authorisation")
    )


def effective_status_column(authorisation, today: date):
    """The same rule in SQL, over a query that outer-joins `authorisations_subquery()`."""
    return case(
        (
            and_(Dossier.status.in_(LAPSING_STATUSES), authorisation.c.period_end < today),
            Status.EXPIRED.value,
        ),
        else_=Dossier.status,
    )
