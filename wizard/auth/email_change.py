"""Changing the address an account signs in with: a signed, timed link is sent to the new
address, and the change is made when the account's owner, signed in, confirms it from there
(so the new address is proven theirs, and a mail filter opening the link changes nothing).

The token names the account, the address it had when the link left and the new one: a change
made since (by this link or another) ends every other link. Nothing is stored; links last
`EMAIL_CONFIRMATION_MAX_AGE` seconds, as the confirmation of a new account's address does.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadData

from wizard import keys
from wizard.models import User

SALT = "email-change"


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
