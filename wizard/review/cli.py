"""`flask decisions expire`: the daily job that records the end of authorised periods, and
reminds manufacturers of the ends to come and of the follow-up reports due soon (`reminders`)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from wizard import audit, clock
from wizard.domain.lifecycle import LAPSING_STATUSES, Status, TransitionError
from wizard.extensions import db
from wizard.models import Decision, DecisionKind, Dossier
from wizard.review import reminders
from wizard.review.transitions import change_status

decisions_cli = AppGroup("decisions", help="Scheduled work on decisions.")


@decisions_cli.command("expire")
def expire() -> None:
    """Move authorisations whose period has ended, suspended ones too, to "expired" and tell
    each manufacturer; remind those whose period ends soon, and those a follow-up report is
    due from within a week. Run it daily (cron); the pages already show them as expired."""
    due = db.session.execute(
        select(Dossier, Decision.period_end)
        .join(Decision, Decision.dossier_id == Dossier.id)
        .where(
            Dossier.status.in_(LAPSING_STATUSES),
            Decision.kind == DecisionKind.AUTHORISATION,
            Decision.period_end < clock.today(),
        )
        .order_by(Dossier.id)
    ).all()
    expired = 0
    for dossier, period_end in due:
        try:
            change_status(dossier, Status.EXPIRED, audit.SYSTEM)
        except TransitionError:  # withdrawn meanwhile
            continue
        expired += 1
        click.echo(f"{dossier.reference}: expired (the period ended on {period_end}).")
    click.echo(f"{expired} authorisation(s) expired.")
    reminded = 0
    for dossier, authorisation in reminders.due(clock.today()):
        try:
            if not reminders.remind(dossier, authorisation):
                continue  # by another run of the job, meanwhile
        except Exception:  # one request's trouble does not keep the others' reminders
            db.session.rollback()
            current_app.logger.exception("reminder of request %s not sent", dossier.id)
            click.echo(f"{dossier.reference}: the reminder could not be sent.", err=True)
            continue
        reminded += 1
        ends = authorisation.period_end
        click.echo(f"{dossier.reference}: reminded (the period ends on {ends}).")
    click.echo(f"{reminded} manufacturer(s) reminded of the end of their authorisation.")
    reminded = 0
    for due in reminders.reports_due(clock.today()):
        reference = due.decision.dossier.reference
        try:
            if not reminders.remind_report(due):
                continue  # by another run of the job, or a report met it, meanwhile
        except Exception:  # as above
            db.session.rollback()
            current_app.logger.exception("report reminder of request %s not sent", due.dossier_id)
            click.echo(f"{reference}: the report reminder could not be sent.", err=True)
            continue
        reminded += 1
        click.echo(f"{reference}: reminded of the report due on {due.due_on}.")
    click.echo(f"{reminded} manufacturer(s) reminded of a follow-up report due.")
