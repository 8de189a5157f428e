"""Before an authorisation's period ends, its manufacturer is reminded once, by the daily job
(`flask decisions expire`), `PERIOD_END_REMINDER_DAYS` before its last day: to file a new
request in time if the device is still needed (a lapsed authorisation leaves the next patient
without it while ANSM reviews), and to send its follow-up report if the authorisation asks for
one. Not an authorisation whose period (or decision) came less than a week before the reminder
would: its decision said the period. Not a suspended one: nothing may be done under it until
ANSM reinstates it (reinstated, it is reminded then).

The same job reminds a manufacturer, a week before, of each date its authorisation asks a
follow-up report by (`review.follow_up`), unless a report met it already: suspended too (the
patients treated go on being followed); a date less than a week after the decision, from the
day after it (the decision's email, that day, said the date)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select, update

from wizard import audit, clock, mail
from wizard.domain.lifecycle import Status
from wizard.extensions import db
from wizard.i18n import gettext as _
from wizard.i18n import long_date
from wizard.mail import bilingual, plain_text
from wizard.models import Decision, DecisionKind, Dossier, ReportDue
from wizard.review.notify import correspondents, device_name, first_overdue
from wizard.web import external_url

# The reminder is not sent to an authorisation signed, or starting, this close to it.
SETTLED = timedelta(days=7)
# How long before a report's date its manufacturer is reminded of it (the form says a week).
REPORT_NOTICE = timedelta(days=7)


def due(today: date) -> list[tuple[Dossier, Decision]]:
    """The authorisations in force whose last day is within the reminder's days, not
    reminded yet, and neither signed nor started just before the reminder's day."""
    days = timedelta(days=current_app.config["PERIOD_END_REMINDER_DAYS"])
    rows = db.session.execute(
        select(Dossier, Decision)
        .join(Decision, Decision.dossier_id == Dossier.id)
        .where(
            Dossier.status == Status.AUTHORISED,
            Dossier.period_end_reminded_at.is_(None),
            Decision.kind == DecisionKind.AUTHORISATION,
            Decision.period_end >= today,
            Decision.period_end <= today + days,
        )
        .order_by(Dossier.id)
    ).all()
    return [
        (dossier, authorisation)
        for dossier, authorisation in rows
        if max(clock.day_in_paris(authorisation.decided_at), authorisation.period_start) + SETTLED
        <= authorisation.period_end - days
    ]


def remind(dossier: Dossier, authorisation: Decision) -> bool:
    """Email the manufacturer (`correspondents`) and record it, unless another run of the job
    did meanwhile, or the authorisation is no longer in force (suspended since): the request
    is claimed first (its row stays locked until the commit). The email is written before
    anything is recorded, so that one that cannot be written is tried again the next day."""
    context = {
        "dossier": dossier,
        "device": device_name(dossier),
        "authorisation": authorisation,
        # A report date passed that no report met: said, as the period's end approaches.
        "report_overdue": first_overdue(dossier),
        "link": external_url("filing.submitted", dossier_id=dossier.id),
    }
    to = correspondents(dossier)
    subject = bilingual(lambda: _subject(dossier, authorisation), " / ")
    body = bilingual(lambda: plain_text("review/email/period_ending.txt", **context))
    at = clock.now()
    claimed = db.session.execute(
        update(Dossier)
        .where(
            Dossier.id == dossier.id,
            Dossier.status == Status.AUTHORISED,
            Dossier.period_end_reminded_at.is_(None),
        )
        # Not a change of the request: the list of requests keeps its order.
        .values(period_end_reminded_at=at, updated_at=Dossier.updated_at)
    ).rowcount
    event = (audit.PERIOD_END_REMINDED, {"period_end": authorisation.period_end.isoformat()})
    about = f"end of the period of request {dossier.id}"
    return _claimed(claimed, dossier, event, (to, subject, body, about))


def _subject(dossier: Dossier, authorisation: Decision) -> str:
    return _(
        "The authorisation of request %(reference)s ends on %(date)s",
        reference=dossier.reference,
        date=long_date(authorisation.period_end),
    )


def reports_due(today: date) -> list[ReportDue]:
    """The dates a report is due by within `REPORT_NOTICE`, not met nor reminded yet, of
    authorisations in force or suspended, not decided on `today` itself."""
    dues = db.session.scalars(
        select(ReportDue)
        .join(Dossier, Dossier.id == ReportDue.dossier_id)
        .where(
            Dossier.status.in_([Status.AUTHORISED, Status.SUSPENDED]),
            ReportDue.report_id.is_(None),
            ReportDue.reminded_at.is_(None),
            ReportDue.due_on >= today,
            ReportDue.due_on <= today + REPORT_NOTICE,
        )
        .order_by(ReportDue.dossier_id, ReportDue.due_on)
    )
    return [due for due in dues if clock.day_in_paris(due.decision.decided_at) < today]


def remind_report(due: ReportDue) -> bool:
    """Email the manufacturer of the report due by `due.due_on` and record it, unless another
    run of the job did meanwhile or a report met it since (the date is claimed first)."""
    dossier = db.session.get(Dossier, due.dossier_id)
    context = {
        "dossier": dossier,
        "device": device_name(dossier),
        "due_on": due.due_on,
        "link": external_url("filing.submitted", dossier_id=dossier.id, _anchor="reports"),
    }
    to = correspondents(dossier)
    subject = bilingual(
        lambda: _(
            "Follow-up report on request %(reference)s due by %(date)s",
            reference=dossier.reference,
            date=long_date(due.due_on),
        ),
        " / ",
    )
    body = bilingual(lambda: plain_text("review/email/report_due.txt", **context))
    claimed = db.session.execute(
        update(ReportDue)
        .where(
            ReportDue.id == due.id,
            ReportDue.reminded_at.is_(None),
            ReportDue.report_id.is_(None),
        )
        .values(reminded_at=clock.now())
    ).rowcount
    event = (audit.REPORT_DUE_REMINDED, {"due_on": due.due_on.isoformat()})
    return _claimed(
        claimed, dossier, event, (to, subject, body, f"report due on request {dossier.id}")
    )


def _claimed(claimed: int, dossier: Dossier, event: tuple[str, dict], email: tuple) -> bool:
    """After the claim of a reminder (`claimed`: the rows it changed): if it was ours, the
    audit `event` (action, detail) recorded and the `email` (to, subject, body, about) sent
    once committed; if not (another run did meanwhile), nothing."""
    if claimed != 1:
        db.session.rollback()
        return False
    action, detail = event
    audit.record(dossier.id, action, audit.SYSTEM, detail=detail)
    db.session.commit()
    to, subject, body, about = email
    mail.send_after_response(to, subject, body, about=about)
    return True
