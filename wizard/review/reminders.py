"""Before an authorisation's period ends, its manufacturer is reminded once, by the daily job
(`flask decisions expire`), `PERIOD_END_REMINDER_DAYS` before its last day: to file a new
request in time if the device is still needed (a lapsed authorisation leaves the next patient
without it while ANSM reviews), and to send its follow-up report. An authorisation signed with
less time than that left is not reminded: its decision said the period. A suspended one is
not either: nothing may be done under it until ANSM reinstates it."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import exists, select

from wizard import audit, clock, mail
from wizard.domain.lifecycle import Status
from wizard.extensions import db
from wizard.i18n import gettext as _
from wizard.i18n import long_date
from wizard.mail import bilingual, plain_text
from wizard.models import AuditEvent, Decision, DecisionKind, Dossier
from wizard.review.notify import correspondents, device_name
from wizard.web import external_url

PERIOD_END_REMINDED = "period_end_reminded"


def due(today: date) -> list[tuple[Dossier, Decision]]:
    """The authorisations in force whose last day is within the reminder's days, signed
    before those began, not reminded yet."""
    days = timedelta(days=current_app.config["PERIOD_END_REMINDER_DAYS"])
    reminded = exists().where(
        AuditEvent.dossier_id == Dossier.id, AuditEvent.action == PERIOD_END_REMINDED
    )
    rows = db.session.execute(
        select(Dossier, Decision)
        .join(Decision, Decision.dossier_id == Dossier.id)
        .where(
            Dossier.status == Status.AUTHORISED,
            Decision.kind == DecisionKind.AUTHORISATION,
            Decision.period_end >= today,
            Decision.period_end <= today + days,
            ~reminded,
        )
        .order_by(Dossier.id)
    ).all()
    return [
        (dossier, authorisation)
        for dossier, authorisation in rows
        if clock.day_in_paris(authorisation.decided_at) < authorisation.period_end - days
    ]


def remind(dossier: Dossier, authorisation: Decision) -> None:
    """Email the manufacturer (`correspondents`), and record it (once per request)."""
    context = {
        "dossier": dossier,
        "device": device_name(dossier),
        "period_end": authorisation.period_end,
        "link": external_url("filing.submitted", dossier_id=dossier.id),
    }
    audit.record(
        dossier.id,
        PERIOD_END_REMINDED,
        audit.SYSTEM,
        detail={"period_end": authorisation.period_end.isoformat()},
    )
    db.session.commit()
    mail.send_after_response(
        correspondents(dossier),
        bilingual(lambda: _subject(dossier, authorisation), " / "),
        bilingual(lambda: plain_text("review/email/period_ending.txt", **context)),
        about=f"end of the period of request {dossier.id}",
    )


def _subject(dossier: Dossier, authorisation: Decision) -> str:
    return _(
        "The authorisation of request %(reference)s ends on %(date)s",
        reference=dossier.reference,
        date=long_date(authorisation.period_end),
    )
