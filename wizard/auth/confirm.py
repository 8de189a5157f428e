"""Confirming an account's email address: a signed, timed link sent to the address when the
account is made (and again when its owner tries to sign in before opening it).

The token names the account, the address it was sent to and a fingerprint of the password: a
registration that replaces one never confirmed (`auth.views.register`) ends the links sent for
it. Nothing is stored, so there is nothing to clean up; links last
`EMAIL_CONFIRMATION_MAX_AGE` seconds.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from wizard import keys
from wizard.extensions import db
from wizard.models import User

SALT = "email-confirmation"


def _serializer() -> URLSafeTimedSerializer:
    return keys.serializer(SALT)


def token_for(user: User) -> str:
    return _serializer().dumps(
        {"user": user.id, "email": user.email, "password": user.password_fingerprint}
    )


def user_for(token: str) -> User | None:
    """The account a link is for, while it is valid: signed by us, not expired, and still for
    the address and the password it was sent for."""
    try:
        max_age = current_app.config["EMAIL_CONFIRMATION_MAX_AGE"]
        claims = _serializer().loads(token, max_age=max_age)
        user_id, email = int(claims["user"]), str(claims["email"])
        fingerprint = str(claims["password"])
    except (BadData, KeyError, TypeError, ValueError):
        return None
    user = db.session.get(User, user_id)
    if user is None or user.email != email:
        return None
    if not user.password_fingerprint_matches(fingerprint):
        return None
    return user
