"""Changing the address an account signs in with: a signed, timed link is sent to the new
address, and the change is made when the account's owner, signed in, confirms it from there
(so the new address is proven theirs, and a mail filter opening the link changes nothing).

The token names the account, the address it had when the link left and the new one: a change
made since (by this link or another) ends every other link. Nothing is stored; links last
`EMAIL_CONFIRMATION_MAX_AGE` seconds, as the confirmation of a new account's address does.

Once made, the change is told to the former address with a second link, which undoes it: the
account signs in with that address again, every session ends and the password stops working
(whoever made the change knew it). It works for `EMAIL_UNDO_DAYS` days, whatever the address
has become meanwhile (a second change must not put the account out of its owner's reach), and
once (`Undo.still_works`). The price: for those days, whoever reads the former mailbox can
take the account back, which is what the link is for when it is the owner, and what an owner
who left that mailbox for good must know.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadData
from sqlalchemy import delete, func, select, update
from werkzeug.security import generate_password_hash

from wizard import keys
from wizard.extensions import db
from wizard.models import Organisation, User

SALT = "email-change"
UNDO_SALT = "email-undo"


def token_for(user: User, new_email: str) -> str:
    return keys.serializer(SALT).dumps({"user": user.id, "from": user.email, "to": new_email})


def change_for(token: str, user: User) -> tuple[str, str] | None:
    """The change a link makes to `user`'s account (the address then, the new one), while it
    is valid: signed by us, not expired, sent for this account. Whether the account still has
    the first address is for the caller to see (made already, or by another link)."""
    try:
        max_age = current_app.config["EMAIL_CONFIRMATION_MAX_AGE"]
        claims = keys.serializer(SALT).loads(token, max_age=max_age)
        user_id, old, new = int(claims["user"]), str(claims["from"]), str(claims["to"])
    except (BadData, KeyError, TypeError, ValueError):
        return None
    return (old, new) if user_id == user.id else None


@dataclass(frozen=True)
class Undo:
    """A link to undo a change of address, as the former address received it."""

    user: User
    former: str  # the address it gives back
    made: int  # when the link was made, in seconds since the epoch

    @property
    def still_works(self) -> bool:
        """Once a link has been used, those made after it and before its use no longer work:
        they undo changes made before (maybe by whoever it locked out, to take the account
        back with the link their own address received). The earlier ones still work (the
        earliest address within the days allowed is taken as the owner's), as do those of
        changes made since, and a link is used once."""
        made, used = self.user.address_undo_made, self.user.address_undo_used
        return made is None or used is None or self.made < made or self.made > used


def undo_token_for(user: User, former_email: str) -> str:
    return keys.serializer(UNDO_SALT).dumps({"user": user.id, "to": former_email})


def undo_for(token: str) -> Undo | None:
    """What a link to undo an address change does, while it may: signed by us, not expired,
    its account still there and not removed. Whether another one's use ended it is
    `Undo.still_works`."""
    try:
        max_age = current_app.config["EMAIL_UNDO_DAYS"] * 86400
        claims, made = keys.serializer(UNDO_SALT).loads(
            token, max_age=max_age, return_timestamp=True
        )
        user_id, former = int(claims["user"]), str(claims["to"])
    except (BadData, KeyError, TypeError, ValueError):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:  # removed since: it signs in no more
        return None
    return Undo(user, former, int(made.timestamp()))


def holder(undo: Undo) -> User | None:
    """Another account that uses the former address now and keeps it: a confirmed one (a
    registration never confirmed never signed in and holds nothing: `done` takes it over)."""
    other = User.with_email(undo.former)
    if other is None or other.id == undo.user.id or other.email_confirmed_at is None:
        return None
    return other


def in_use(email: str) -> bool:
    """Whether an account signs in with the address (`user_of`)."""
    return user_of(email) is not None


def user_of(email: str) -> User | None:
    """The account that holds the address, removed by a colleague or not: a registration never
    confirmed never signed in and holds nothing, and does not count (`free_of_unconfirmed`
    takes it over)."""
    other = User.with_email(email)
    return other if other is not None and other.email_confirmed_at is not None else None


def free_of_unconfirmed(email: str, user: User) -> None:
    """Delete the registrations never confirmed that hold the address, each with its
    organisation if it has no one else, for `user` to take it. Not committed."""
    unconfirmed = select(User.id, User.organisation_id).where(
        func.lower(User.email) == email.lower(),
        User.id != user.id,
        User.email_confirmed_at.is_(None),
    )
    for other_id, organisation_id in db.session.execute(unconfirmed).all():
        # Still never confirmed: one confirmed at this very moment keeps its account.
        deleted = db.session.execute(
            delete(User).where(User.id == other_id, User.email_confirmed_at.is_(None))
        ).rowcount
        if deleted != 1:
            continue
        members = select(User.id).where(User.organisation_id == organisation_id)
        db.session.execute(
            delete(Organisation).where(Organisation.id == organisation_id, ~members.exists())
        )


def done(undo: Undo) -> bool:
    """Give the account its former address back, on condition that nothing changed since the
    link was read (another link used at the same moment: False). Whoever made the change knew
    the password: none works now (an unknown one, hashed as any is), which ends every session
    too (`User.session_fingerprint`). A registration never confirmed that took the address
    since is deleted with its organisation. Raises IntegrityError when a confirmed account
    has the address (taken at this very moment). Not committed."""
    user = undo.user
    free_of_unconfirmed(undo.former, user)
    unknown = generate_password_hash(secrets.token_urlsafe(32))
    now = int(time.time())  # the clock itsdangerous stamps the links with
    changed = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            User.email != undo.former,
            User.address_undo_made.is_not_distinct_from(user.address_undo_made),
            User.address_undo_used.is_not_distinct_from(user.address_undo_used),
        )
        .values(
            email=undo.former,
            password_hash=unknown,
            address_undo_made=undo.made,
            address_undo_used=now,
        )
    ).rowcount
    return bool(changed)
