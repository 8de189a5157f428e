"""`flask` commands: create a reviewer, change their name or job title, remove one who has
left, populate a demo portal, read the development outbox, send again the emails not sent
yet, remove stored files nothing names any more."""

from __future__ import annotations

import functools
import time
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale
from sqlalchemy import delete, func, select
from sqlalchemy.exc import DBAPIError

from wizard import clock
from wizard.auth import email_change
from wizard.auth.forms import check_password_strength
from wizard.domain.lifecycle import ALLOWED_TRANSITIONS, FILED_STATUSES
from wizard.extensions import db
from wizard.forms.validators import normalised_email
from wizard.models import Dossier, Organisation, Role, User


@click.command("create-reviewer")
@with_appcontext
@click.argument("email")
@click.argument("name")
@click.option(
    "--title",
    prompt="Job title (stated on the decisions they sign)",
    help="The reviewer's function, stated after their name on the decisions they sign.",
)
@click.option(
    "--delegation",
    default=None,
    help=(
        "The act delegating them the signature of decisions, as their decisions cite it "
        '(for example "décision DG n° 2026-12 du 5 janvier 2026"); without it they review '
        "but do not sign (set-reviewer-delegation gives it later)."
    ),
)
@click.password_option(prompt="Password for the reviewer")
def create_reviewer(
    email: str, name: str, title: str, delegation: str | None, password: str
) -> None:
    """Create an agency reviewer account (reviewers never file requests)."""
    name, title = _stated_on_decisions(name, "name"), _stated_on_decisions(title, "job title")
    if delegation is not None:
        delegation = _stated_on_decisions(delegation, "delegation", limit=300)
    # As the sign-in page reads it: an address it refuses would make an account never used.
    address = normalised_email(email)
    if address is None:
        raise click.ClickException(
            f"{email.strip()} is not an email address the sign-in page accepts "
            "(a reserved domain such as .test or .localhost is not)."
        )
    email = address.lower()
    with force_locale("en"):  # as the command's other words, not the portal's French
        problem = check_password_strength(password, email)
    if problem:
        raise click.ClickException(problem)
    if email_change.in_use(email):
        former = User.with_email(email)
        if former is not None and former.is_reviewer and former.removed_at is not None:
            raise click.ClickException(
                f"{email} is a reviewer's account that was removed: "
                f"`flask reinstate-reviewer {email}` lets them sign in again."
            )
        raise click.ClickException(f"An account already uses {email}.")
    user = User(
        email=email,
        name=name,
        job_title=title,
        signing_delegation=delegation,
        role=Role.REVIEWER,
        email_confirmed_at=clock.now(),
    )
    user.set_password(password)
    # A registration never confirmed holds nothing and never signed in: anyone may have made
    # one with the address (registering is open), which would otherwise block it for good.
    if User.with_email(email) is not None:
        email_change.free_of_unconfirmed(email, user)
        click.echo(f"A registration never confirmed for {email} was removed.")
    db.session.add(user)
    db.session.commit()
    click.echo(f"Reviewer {email} created.")
    if delegation is None:
        click.echo(
            "They hold no delegation of signature: they review but do not sign decisions "
            "until `flask set-reviewer-delegation` records one."
        )


@click.command("set-reviewer-title")
@with_appcontext
@click.argument("email")
@click.argument("title")
def set_reviewer_title(email: str, title: str) -> None:
    """Record a reviewer's job title, which the decisions they sign state (CRPA L. 212-1)."""
    _restate(email, "job_title", "job title", title)


@click.command("set-reviewer-delegation")
@with_appcontext
@click.argument("email")
@click.argument("delegation", required=False)
@click.option("--none", "withdrawn", is_flag=True, help="The reviewer no longer signs.")
def set_reviewer_delegation(email: str, delegation: str | None, withdrawn: bool) -> None:
    """Record the act by which the Director General delegates to a reviewer the signature of
    ANSM's decisions on these requests, as their decisions cite it after "Vu la délégation de
    signature accordée par": for example "décision DG n° 2026-12 du 5 janvier 2026". Without
    one (`--none`), a reviewer reviews but does not sign."""
    if withdrawn == (delegation is not None):
        raise click.ClickException("Give the delegation, or --none to withdraw it.")
    if withdrawn:
        reviewer = _reviewer(email)
        before = reviewer.signing_delegation
        reviewer.signing_delegation = None
        db.session.commit()
        current_app.logger.info("delegation of reviewer %s withdrawn: %r", reviewer.id, before)
        click.echo(f"{reviewer.email} no longer signs decisions (was: {before or '(none)'}).")
        return
    text = _stated_on_decisions(delegation, "delegation", limit=300)
    _restate(email, "signing_delegation", "delegation", text)


@click.command("set-reviewer-name")
@with_appcontext
@click.argument("email")
@click.argument("name")
def set_reviewer_name(email: str, name: str) -> None:
    """Record a reviewer's name, which the decisions they sign state (CRPA L. 212-1): they
    cannot change it themselves."""
    _restate(email, "name", "name", name)


@click.command("remove-reviewer")
@with_appcontext
@click.argument("email")
def remove_reviewer(email: str) -> None:
    """Remove a reviewer who has left: they can no longer sign in (their open sessions end),
    are offered no more requests and emailed no more; what they did and signed stays under
    their name. The requests they still handle are listed, to give to a colleague."""
    reviewer = _reviewer(email)
    if reviewer.removed_at is not None:
        raise click.ClickException(f"{reviewer.email} was already removed.")
    reviewer.removed_at = clock.now()
    reviewer.session_epoch += 1  # every session of theirs ends, as a sign-out would end it
    handled = db.session.scalars(
        select(Dossier.reference)
        .where(Dossier.assigned_to_id == reviewer.id, Dossier.status.in_(_STILL_MOVING))
        .order_by(Dossier.reference)
    ).all()
    db.session.commit()
    current_app.logger.info("reviewer %s removed", reviewer.id)
    click.echo(f"{reviewer.email} can no longer sign in.")
    if handled:
        click.echo(
            f"Still handled by them, to give to a colleague from the queue: {', '.join(handled)}."
        )


@click.command("reinstate-reviewer")
@with_appcontext
@click.argument("email")
def reinstate_reviewer(email: str) -> None:
    """Let a removed reviewer sign in again (removed by mistake, or back): with their
    password as it was, their job title and delegation of signature as recorded (changed
    since, set them again)."""
    reviewer = _reviewer(email)
    if reviewer.removed_at is None:
        raise click.ClickException(f"{reviewer.email} was not removed: they can sign in.")
    reviewer.removed_at = None
    db.session.commit()
    current_app.logger.info("reviewer %s reinstated", reviewer.id)
    click.echo(
        f"{reviewer.email} can sign in again, with their password (or a new one asked from "
        "the sign-in page)."
    )
    if not reviewer.signs_decisions:
        click.echo(
            "They do not sign decisions: record their job title and delegation of signature "
            "(`set-reviewer-title`, `set-reviewer-delegation`)."
        )


# Filed requests whose status can still change (for a decision, a measure, its expiry).
_STILL_MOVING = [s for s in FILED_STATUSES if ALLOWED_TRANSITIONS.get(s)]


def _restate(email: str, attribute: str, what: str, text: str) -> None:
    """Change what a reviewer's decisions state of them (`attribute`), and say so."""
    text = _stated_on_decisions(text, what)
    reviewer = _reviewer(email)
    before = getattr(reviewer, attribute)
    setattr(reviewer, attribute, text)
    db.session.commit()
    current_app.logger.info("%s of reviewer %s: %r -> %r", what, reviewer.id, before, text)
    click.echo(f"{what.capitalize()} of {reviewer.email}: {before or '(none)'} -> {text}")


def _reviewer(email: str) -> User:
    reviewer = User.with_email(email.strip())
    if reviewer is None or not reviewer.is_reviewer:
        raise click.ClickException(f"No reviewer account uses {email}.")
    return reviewer


def _stated_on_decisions(text: str, what: str, limit: int = 200) -> str:
    """A reviewer's name, job title or delegation, on one line, as the decisions they sign
    state it."""
    text = " ".join(text.split())
    if not text:
        raise click.ClickException(f"A reviewer needs a {what}: their decisions state it.")
    if len(text) > limit:
        raise click.ClickException(f"A {what} has {limit} characters at most.")
    return text


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Create (once) a demo manufacturer with a draft and a submitted request."""
    from wizard import demo as sample
    from wizard.filing import service

    if current_app.config["PRODUCTION"]:  # its password is in the README, for anyone to use
        raise click.ClickException(
            "`flask demo` makes an account whose password is public: not in production."
        )

    user = db.session.scalar(select(User).where(User.email == sample.DEMO_EMAIL))
    if user is None:
        organisation = Organisation(name=sample.DEMO_ORGANISATION)
        user = User(
            email=sample.DEMO_EMAIL,
            name="Claire Martin",
            organisation=organisation,
            email_confirmed_at=clock.now(),
        )
        user.set_password(sample.DEMO_PASSWORD)
        db.session.add_all([organisation, user])
        db.session.commit()
    dossiers = db.session.scalars(
        select(Dossier).where(Dossier.organisation_id == user.organisation_id)
    ).all()
    if not any(d.is_draft for d in dossiers):
        draft = service.create_dossier(user)
        for step_id, values in list(sample.sample_answers("individual").items())[:5]:
            service.save_step(draft, step_id, values)
    submitted = next((d for d in dossiers if d.is_filed), None)
    if submitted is None:
        submitted = service.create_dossier(user)
        for step_id, values in sample.sample_answers("global").items():
            service.save_step(submitted, step_id, values)
        sample.attach_sample_files(submitted.id, user.id)
        service.submit(submitted, user, sample.sample_declaration())
    click.echo(f"Demo login: {sample.DEMO_EMAIL} / {sample.DEMO_PASSWORD}")
    click.echo(f"Submitted request: {submitted.reference}")


@click.command("outbox")
@with_appcontext
@click.argument("number", type=int, required=False)
def outbox(number: int | None) -> None:
    """List the messages of the development outbox (no MAIL_HOST), or print message NUMBER."""
    from wizard import mail

    if host := current_app.config["MAIL_HOST"]:  # nothing is written to the outbox then
        raise click.ClickException(
            f"Emails go out through the mail server {host} (MAIL_HOST): none is written to the "
            "outbox. `flask mail send-pending` sends those still waiting."
        )
    messages = mail.outbox_messages()
    if number is not None:
        if not 1 <= number <= len(messages):
            raise click.ClickException(f"There is no message {number} in the outbox.")
        click.echo(messages[number - 1].as_text())
        return
    if not messages:
        click.echo("The outbox is empty.")
    for position, item in enumerate(messages, start=1):
        click.echo(f"{position:>3}  {item.date}  {item.message['To']}  {item.message['Subject']}")


mail_cli = AppGroup("mail", help="Emails kept until sent.")


@mail_cli.command("send-pending")
@click.option(
    "--now",
    "waiting_too",
    is_flag=True,
    help="Also try those waiting for their next try (the mail settings just put right).",
)
def send_pending(waiting_too: bool) -> None:
    """Send the emails not sent yet (a mail server down, a worker stopped); run it every few
    minutes. Exits with 1 if some could not be sent."""
    from wizard import mail

    sent, failed, left = mail.send_pending(waiting_too=waiting_too)
    click.echo(f"{sent} sent, {failed} failed (tried again later).")
    count, first = mail.waiting()
    if count and not failed:  # (those just failed are said above)
        click.echo(
            f"{count} waiting for their next try, the first at {first:%Y-%m-%d %H:%M} UTC: "
            "`flask mail send-pending --now` tries them now."
        )
    if left:
        days = mail.MAX_AGE.days
        click.echo(f"{left} left unsent after {days} days of tries: see their last_error.")
    if failed:
        raise SystemExit(1)


def in_existing_folder(_context, _parameter, destination: Path) -> Path:
    """A command's file to write: its folder must be there (said, not a traceback)."""
    if not destination.parent.is_dir():
        raise click.BadParameter(f"the folder {destination.parent} does not exist.")
    return destination


uploads_cli = AppGroup("uploads", help="The stored PDF files.")


@uploads_cli.command("prune")
@click.option(
    "--older-than-hours",
    type=click.IntRange(min=0),
    default=48,
    show_default=True,
    help="Keep files younger than this: a form may be about to name them.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Remove them even when the folder holds none of the files the database names.",
)
def prune_uploads(older_than_hours: int, force: bool) -> None:
    """Remove the stored files no request, letter or answer names any more."""
    from wizard import uploads
    from wizard.models.dossier import RemovedFile, StoredFileMixin

    def named() -> set[str]:
        return {
            sha256
            for mapper in db.Model.registry.mappers
            if issubclass(mapper.class_, StoredFileMixin)
            for sha256 in db.session.scalars(select(mapper.class_.sha256))
        } | {removal.item["sha256"] for removal in db.session.scalars(select(RemovedFile))}

    # The folder holds files, and the database holds no request at all, or names files none
    # of which is there: the database or the folder is not the portal's (a command run
    # without DATABASE_URL reads an empty one). Everything would look orphaned: nothing is
    # removed, nor changed in the database, unless asked again with --force. (Requests whose
    # files were all removed name none, rightly.)
    stored, referenced = uploads.stored_names(), named()
    requests = db.session.scalar(select(func.count()).select_from(Dossier))
    apart = stored and not stored & referenced and (referenced or not requests)
    if apart and not force:
        raise click.ClickException(
            f"None of the {len(stored)} files in {current_app.config['UPLOAD_FOLDER']} is one "
            f"the database names ({len(referenced)} files, {requests} requests): are "
            "DATABASE_URL and UPLOAD_FOLDER the portal's? Nothing was removed. If every file "
            "there truly is one nothing names any more, run the command again with --force."
        )
    # Removals older than their two days can no longer be undone: forgotten, and their files
    # go unless something else names them.
    kept_since = clock.now() - timedelta(hours=RemovedFile.KEPT_FOR_HOURS)
    db.session.execute(delete(RemovedFile).where(RemovedFile.removed_at < kept_since))
    db.session.commit()
    referenced = named()
    cutoff = time.time() - older_than_hours * 3600
    removed, freed = uploads.prune(referenced, cutoff)
    click.echo(f"{removed} files removed ({freed} bytes); {len(referenced)} files in use kept.")


def init_app(app: Flask) -> None:
    from wizard.audit import audit_cli
    from wizard.backup import backup_cli
    from wizard.receipts.cli import receipts_cli

    for command in (
        audit_cli,
        backup_cli,
        receipts_cli,
        create_reviewer,
        set_reviewer_title,
        set_reviewer_delegation,
        set_reviewer_name,
        remove_reviewer,
        reinstate_reviewer,
        demo,
        outbox,
        mail_cli,
        uploads_cli,
    ):
        app.cli.add_command(schema_needed(command))


NO_SCHEMA = "This database has no schema yet: run `flask db upgrade` first."


def is_missing_table(error: DBAPIError) -> bool:
    """The database has no such table (PostgreSQL's undefined_table, SQLite's words)."""
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return code == "42P01" or "no such table" in str(error.orig)


def schema_needed(command: click.Command) -> click.Command:
    """The command (each of a group's), saying so when the database has no tables yet (never
    migrated) rather than with a traceback. Wrapped once, however many apps are made."""
    if isinstance(command, click.Group):
        for each in command.commands.values():
            schema_needed(each)
        return command
    callback = command.callback
    if callback is None or getattr(callback, "schema_needed", False):
        return command

    @functools.wraps(callback)
    def run(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except DBAPIError as error:
            if is_missing_table(error):
                raise click.ClickException(NO_SCHEMA) from None
            raise

    run.schema_needed = True
    command.callback = run
    return command
