"""Confirming an account's email address: a signed, timed link sent to the address when the
account is made (and again when its owner tries to sign in before opening it).

The token names the account and the address it was sent to. Nothing is stored, so there is
nothing to clean up; links last `EMAIL_CONFIRMATION_MAX_AGE` seconds.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from wizard.extensions import db
from wizard.models import User

SALT = "email-confirmation"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for(user: User) -> str:
    return _serializer().dumps({"user": user.id, "email": user.email})


def user_for(token: str) -> User | None:
    """The account a link is for, while it is valid: signed by us, not expired, and still for
    the address it was sent to."""
    try:
        max_age = current_app.config["EMAIL_CONFIRMATION_MAX_AGE"]
        claims = _serializer().loads(token, max_age=max_age)
        user_id, email = int(claims["user"]), str(claims["email"])
    except (BadData, KeyError, TypeError, ValueError):
        return None
    user = db.session.get(User, user_id)
    if user is None or user.email != email:
        return None
    return user
