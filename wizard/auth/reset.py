"""Forgotten passwords: a link by email, signed and timed, that works once.

The token names the account, the address it was sent to and a fingerprint of its current
password hash: once the password is changed (by this link or otherwise), or the account's
address (the old mailbox may be someone else's now), every link sent before stops working.
Nothing is stored, so there is nothing to clean up; links last `PASSWORD_RESET_MAX_AGE`
seconds.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from wizard import keys
from wizard.extensions import db
from wizard.models import User

SALT = "password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return keys.serializer(SALT)


def token_for(user: User) -> str:
    return _serializer().dumps(
        {"user": user.id, "email": user.email, "password": user.password_fingerprint}
    )


def user_for(token: str) -> User | None:
    """The account a link is for, while it is valid: signed by us, not expired, unused."""
    try:
        claims = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
        user_id, fingerprint = int(claims["user"]), str(claims["password"])
        email = str(claims["email"])
    except (BadData, KeyError, TypeError, ValueError):
        return None
    user = db.session.get(User, user_id)
    if user is None or user.email != email or not user.password_fingerprint_matches(fingerprint):
        return None
    return user
