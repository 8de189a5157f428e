"""Browsers an account has signed in from ("device cookies", OWASP's answer to lock-outs).

Failed sign-ins pause an account (`auth.limits`); without this, anyone who knows an address
could keep its owner out for good, ten wrong passwords every quarter of an hour. A browser
that once signed in to the account carries a signed cookie naming it; its attempts count
in a budget of their own, which a stranger's failures do not spend. Whoever has no such
cookie (a stranger, or the owner on a new computer) shares the account's budget, and the
refusal reads the same whether or not the account exists.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, request, url_for
from itsdangerous import BadData

from wizard import keys

COOKIE = "known_device"
SALT = "known-device"
LIFETIME = timedelta(days=365)


def remember(response, email: str, *, afresh: bool = False) -> None:
    """Mark this browser as one `email` signed in from (for another year, under the same
    device id if it was already, unless `afresh`: a new id, a budget nothing has spent)."""
    device = (None if afresh else device_of(email)) or secrets.token_hex(8)
    token = keys.serializer(SALT).dumps({"account": _named(email), "device": device})
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(LIFETIME.total_seconds()),
        path=url_for("auth.login"),  # read there only (under the portal's prefix, if any)
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def device_of(email: str) -> str | None:
    """This browser's device id, if it signed in to `email` before (its cookie is ours, not
    older than `LIFETIME` and names that account); otherwise None."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        claims = keys.serializer(SALT).loads(token, max_age=int(LIFETIME.total_seconds()))
    except BadData:
        return None
    if not isinstance(claims, dict) or claims.get("account") != _named(email):
        return None
    device = claims.get("device")
    return device if isinstance(device, str) else None


def _named(email: str) -> str:
    """The account as the cookie names it: not its address, which the cookie need not show."""
    return hashlib.sha256(email.encode()).hexdigest()[:32]
