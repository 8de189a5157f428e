"""The app's secret, and the former ones still accepted while a change of key settles.

Changing `SECRET_KEY` (it leaked, or it is simply its time) would otherwise sign everybody
out, refuse every form open in a browser, break every password-reset and confirmation link
in flight and leave the emails waiting to be sent unreadable. So: the new key goes in
`SECRET_KEY` and the old one in `SECRET_KEY_FALLBACKS`. From then on everything is signed
and sealed with the new key only; what the old one signed or sealed is still accepted, and a
session opened under it is carried over to the new key at its next request. Once what the
old key made has lapsed, it is dropped from `SECRET_KEY_FALLBACKS` (README, "Changing the
secret key").
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet
from flask import Flask, current_app
from itsdangerous import URLSafeTimedSerializer


def current() -> str:
    """The key everything new is signed and sealed with."""
    return current_app.config["SECRET_KEY"]


def accepted() -> list[str]:
    """Every key whose signature is still honoured: the current one first, then the former
    ones, newest first."""
    return [current(), *current_app.config["SECRET_KEY_FALLBACKS"]]


def serializer(salt: str) -> URLSafeTimedSerializer:
    """Signs with the current key; reads what any accepted key signed (itsdangerous takes
    the keys oldest first, the current one last)."""
    return URLSafeTimedSerializer(list(reversed(accepted())), salt=salt)


def fernet(purpose: bytes, secret: str) -> Fernet:
    """A sealing key for one purpose (`b"outgoing-email"`…), derived from a secret."""
    key = hashlib.sha256(purpose + b"|" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def init_app(app: Flask) -> None:
    """Flask reads `SECRET_KEY_FALLBACKS` for its session cookie itself; Flask-WTF is told
    here, so that a form opened before the change is still accepted."""
    if former := app.config["SECRET_KEY_FALLBACKS"]:
        app.config.setdefault("WTF_CSRF_SECRET_KEY", [*reversed(former), app.config["SECRET_KEY"]])
