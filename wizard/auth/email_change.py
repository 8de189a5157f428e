"""Changing the address an account signs in with: a signed, timed link is sent to the new
address, and the change is made when the account's owner, signed in, confirms it from there
(so the new address is proven theirs, and a mail filter opening the link changes nothing).

The token names the account, the address it had when the link left and the new one: a change
made since (by this link or another) ends every other link. Nothing is stored; links last
`EMAIL_CONFIRMATION_MAX_AGE` seconds, as the confirmation of a new account's address does.

Once made, the change is told to the former address with a second link, which undoes it: the
account signs in with that address again, every session ends and the password stops working
(whoever made the change knew it). It works for `EMAIL_RESTORE_MAX_AGE` seconds, whatever the
address has become meanwhile (a second change must not put the account out of its owner's
reach), until the account has the former address again.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadData

from wizard import keys
from wizard.extensions import db
from wizard.models import User

SALT = "email-change"
RESTORE_SALT = "email-restore"


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


def restore_token_for(user: User, former_email: str) -> str:
    return keys.serializer(RESTORE_SALT).dumps({"user": user.id, "to": former_email})


def restore_for(token: str) -> tuple[User, str] | None:
    """The account a link to undo an address change is for and the address it gives back,
    while the link is valid: signed by us, not expired, the account still there."""
    try:
        max_age = current_app.config["EMAIL_RESTORE_MAX_AGE"]
        claims = keys.serializer(RESTORE_SALT).loads(token, max_age=max_age)
        user_id, former = int(claims["user"]), str(claims["to"])
    except (BadData, KeyError, TypeError, ValueError):
        return None
    user = db.session.get(User, user_id)
    return (user, former) if user is not None else None
