"""Colleagues: the people who file for one manufacturer. Any of them invites another by an
emailed link (opening it proves the address), sees who is in and who is invited, cancels an
invitation, and removes a colleague who has left: that account can no longer sign in, and
what it filed stays the organisation's.

Only the sha256 of a link's token is stored. Every change is a conditional update, so that two
colleagues acting at once (a link used while it is cancelled) never both win.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import aliased
from werkzeug.security import generate_password_hash

from wizard import clock, mail
from wizard.extensions import db
from wizard.i18n import gettext as _
from wizard.invites.service import TOKEN_BYTES, token_hash
from wizard.models import ColleagueInvitation, Organisation, Role, User
from wizard.web import external_url

_TOKEN_LENGTH = len(secrets.token_urlsafe(TOKEN_BYTES))  # anything else: no look-up


class AlreadyMember(Exception):
    """The address is that of an account of the organisation already."""


class LinkUnavailable(Exception):
    """A join link that cannot be used; `reason` says why (a key of the page's explanations)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# An invitation neither accepted nor cancelled (its link works until it expires).
_UNUSED = (ColleagueInvitation.accepted_at.is_(None), ColleagueInvitation.revoked_at.is_(None))


def members(organisation: Organisation) -> list[User]:
    """The organisation's accounts that can sign in, by name."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.organisation_id == organisation.id, User.removed_at.is_(None))
            .order_by(func.lower(User.name), User.id)
        )
    )


def former_members(organisation: Organisation) -> list[User]:
    """The organisation's accounts a colleague removed, the latest removed first: who could
    file for it, and until when."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.organisation_id == organisation.id, User.removed_at.is_not(None))
            .order_by(User.removed_at.desc(), User.id.desc())
        )
    )


def pending_invitations(organisation: Organisation) -> list[ColleagueInvitation]:
    """Invitations whose link still works, newest first."""
    return list(
        db.session.scalars(
            select(ColleagueInvitation)
            .where(
                ColleagueInvitation.organisation_id == organisation.id,
                *_UNUSED,
                ColleagueInvitation.expires_at > clock.now(),
            )
            .order_by(ColleagueInvitation.created_at.desc(), ColleagueInvitation.id.desc())
        )
    )


def invite(inviter: User, email: str) -> ColleagueInvitation:
    """Email `email` a link to join the inviter's organisation; an earlier invitation of the
    same address stops working. `AlreadyMember` if it is a colleague's address; `MailError` if
    the email could not leave (the invitation is then cancelled: nobody has its link)."""
    organisation = inviter.organisation
    member = db.session.scalar(
        select(User.id).where(
            func.lower(User.email) == email,
            User.organisation_id == organisation.id,
            User.removed_at.is_(None),
        )
    )
    if member is not None:
        raise AlreadyMember(email)
    now = clock.now()
    db.session.execute(
        update(ColleagueInvitation)
        .where(
            ColleagueInvitation.organisation_id == organisation.id,
            ColleagueInvitation.email == email,
            *_UNUSED,
        )
        .values(revoked_at=now)
    )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    last_day = clock.today() + timedelta(days=current_app.config["COLLEAGUE_INVITE_TTL_DAYS"])
    invitation = ColleagueInvitation(
        organisation=organisation,
        email=email,
        token_hash=token_hash(token),
        invited_by=inviter,
        expires_at=clock.end_of_day_in_paris(last_day),
    )
    db.session.add(invitation)
    db.session.commit()
    try:
        _email_link(invitation, token)
    except mail.MailError:
        current_app.logger.exception("colleague invitation %s not sent", invitation.id)
        invitation.revoked_at = clock.now()
        db.session.commit()
        raise
    current_app.logger.info(
        "user %s invited a colleague to organisation %s", inviter.id, organisation.id
    )
    return invitation


def _email_link(invitation: ColleagueInvitation, token: str) -> None:
    """In French then English: we do not know the colleague's language. It names who invites,
    so that a stranger's address receiving it by mistake knows to ignore it."""
    link = external_url("auth.join", token=token)
    subject = mail.bilingual(
        lambda: _(
            "%(name)s invites you to file for %(organisation)s with ANSM",
            name=invitation.invited_by.name,
            organisation=invitation.organisation.name,
        ),
        " / ",
    )
    body = mail.bilingual_text(
        "auth/email/colleague_invitation.txt", invitation=invitation, link=link
    )
    mail.send(invitation.email, subject, body)


def find(token: str) -> ColleagueInvitation:
    """The invitation whose link this is, if it can still be used; else `LinkUnavailable`."""
    invitation = None
    if len(token) == _TOKEN_LENGTH:
        invitation = db.session.scalar(
            select(ColleagueInvitation).where(ColleagueInvitation.token_hash == token_hash(token))
        )
    if invitation is None:
        raise LinkUnavailable("unknown")
    state = _state_of(invitation)
    if state != "pending":
        raise LinkUnavailable(state)
    return invitation


def is_pending(invitation: ColleagueInvitation) -> bool:
    """Whether its link still works (not accepted, cancelled, nor expired)."""
    return _state_of(invitation) == "pending"


def _state_of(invitation: ColleagueInvitation) -> str:
    if invitation.accepted_at is not None:
        return "used"
    if invitation.revoked_at is not None or not invitation.invited_by.is_active:
        return "revoked"
    return "expired" if invitation.is_expired else "pending"


def account_of(invitation: ColleagueInvitation) -> User | None:
    return User.with_email(invitation.email)


def can_join_with(account: User | None, invitation: ColleagueInvitation) -> bool:
    """Whether the invited address may join: with no account yet, with one never confirmed
    (nobody ever signed in to it), or with the account a colleague removed from this
    organisation. An account in use files for its own organisation: it stays there."""
    return (
        account is None
        or (account.is_manufacturer and not account.email_confirmed)
        or (account.organisation_id == invitation.organisation_id and not account.is_active)
    )


def join(invitation: ColleagueInvitation, name: str, password: str) -> User:
    """The invited colleague's account in the organisation, its address confirmed (the link
    reached it); the invitation used. `LinkUnavailable` if it was cancelled, used or expired
    meanwhile, or if the address's account cannot join (`can_join_with`)."""
    used = db.session.execute(
        update(ColleagueInvitation)
        .where(
            ColleagueInvitation.id == invitation.id,
            *_UNUSED,
            ColleagueInvitation.expires_at > clock.now(),
            # Whoever invited is still a colleague (a removal cancels their invitations).
            select(User.id)
            .where(User.id == ColleagueInvitation.invited_by_id, User.removed_at.is_(None))
            .exists(),
        )
        .values(accepted_at=clock.now())
        # Decided by the database alone: SQLite gives back its times without their zone.
        .execution_options(synchronize_session=False)
    ).rowcount
    if not used:
        db.session.rollback()
        state = _state_of(invitation)  # read again: the rollback expired it
        raise LinkUnavailable("expired" if state == "pending" else state)  # by a hair
    account = account_of(invitation)
    if not can_join_with(account, invitation):
        db.session.rollback()
        raise LinkUnavailable("account")
    now = clock.now()
    if account is None:
        account = User(email=invitation.email, role=Role.MANUFACTURER)
        db.session.add(account)
    account.name = name
    account.organisation_id = invitation.organisation_id
    account.password_hash = generate_password_hash(password)
    account.email_confirmed_at = account.email_confirmed_at or now
    account.removed_at = None
    db.session.commit()
    current_app.logger.info(
        "user %s joined organisation %s by invitation %s",
        account.id,
        invitation.organisation_id,
        invitation.id,
    )
    _tell_colleagues_of(account, invitation)
    return account


def _tell_colleagues_of(newcomer: User, invitation: ColleagueInvitation) -> None:
    """Every other colleague hears that someone joined, and who invited them: an account
    nobody expected (given from a computer left signed in) does not go unseen, and any of
    them can remove it. In French then English, as the other account emails."""
    others = db.session.scalars(
        select(User).where(
            User.organisation_id == newcomer.organisation_id,
            User.id != newcomer.id,
            User.removed_at.is_(None),
            User.email_confirmed_at.is_not(None),
        )
    ).all()
    inviter = db.session.get(User, invitation.invited_by_id)
    link = external_url("auth.colleagues_page")
    subject = mail.bilingual(
        lambda: _(
            "%(name)s has joined %(organisation)s on the ANSM derogation portal",
            name=newcomer.name,
            organisation=newcomer.organisation.name,
        ),
        " / ",
    )
    for colleague in others:  # each greeted by name
        body = mail.bilingual_text(
            "auth/email/colleague_joined.txt",
            colleague=colleague,
            newcomer=newcomer,
            inviter=inviter,
            link=link,
        )
        mail.send_after_response(
            colleague.email, subject, body, about=f"user {newcomer.id} joining, to {colleague.id}"
        )


def cancel(invitation: ColleagueInvitation) -> bool:
    """False if it was no longer pending (accepted or cancelled meanwhile)."""
    cancelled = db.session.execute(
        update(ColleagueInvitation)
        .where(
            ColleagueInvitation.id == invitation.id,
            *_UNUSED,
        )
        .values(revoked_at=clock.now())
    ).rowcount
    db.session.commit()
    return bool(cancelled)


def remove(member: User, by: User) -> bool:
    """Take `member` out of `by`'s organisation: it can no longer sign in, its sessions end.
    False if it was removed already (by another colleague meanwhile)."""
    remover = aliased(User)
    removed = db.session.execute(
        update(User)
        .where(
            User.id == member.id,
            User.organisation_id == by.organisation_id,
            User.removed_at.is_(None),
            # Two colleagues removing each other at once: the second finds itself removed.
            select(remover.id).where(remover.id == by.id, remover.removed_at.is_(None)).exists(),
        )
        .values(removed_at=clock.now(), session_epoch=User.session_epoch + 1)
    ).rowcount
    if removed:
        # Their invitations go with them: nobody who left keeps a way back in.
        db.session.execute(
            update(ColleagueInvitation)
            .where(ColleagueInvitation.invited_by_id == member.id, *_UNUSED)
            .values(revoked_at=clock.now())
        )
    db.session.commit()
    if removed:
        current_app.logger.info("user %s removed user %s from their organisation", by.id, member.id)
        _tell_removed(member, by)
    return bool(removed)


def _tell_removed(member: User, by: User) -> None:
    """So that a removal nobody expected (a hostile colleague, a mistake) does not go unseen.
    In French then English: we do not know which the reader prefers."""
    subject = mail.bilingual(
        lambda: _("Your account on the ANSM derogation portal was removed"), " / "
    )
    body = mail.bilingual_text("auth/email/removed_by_colleague.txt", member=member, by=by)
    mail.send_after_response(member.email, subject, body, about=f"removal of user {member.id}")
