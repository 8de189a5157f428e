"""Sessions end after a while without a request (`SESSION_IDLE_MINUTES`): a portal of health
and business data is used on shared hospital and office computers, where a browser left
signed in would otherwise stay so until it is closed.

Flask's signed cookie carries the time it was signed; a signed-in cookie older than the idle
time is not opened (one nobody is signed in to, older than a day: `NOBODY_SIGNED_IN_IDLE`).
A page requested with a cookie more than ten minutes old signs it again, so that
the time counts from the last page opened, give or take ten minutes (signing at every request
would cost each one a signature and a Set-Cookie header for nothing). A page whose person is
typing asks for `/session/alive` at most once a minute, which counts as a page.

A cookie's signature is checked once per server process (`_signed`): the same cookie comes
with every request until it is signed again. Its age is checked at each request, and the
session read afresh from it.

Signing again writes the session back as the request read it: a form sent at the same moment
that changed it (a message to show after a redirect, a file kept from a refused form) may lose
that change if its answer arrives first. Pages and `/session/alive` take that small risk, once
in ten minutes at most; forms and files never sign again, so that they never do it to each
other.
"""

from __future__ import annotations

import time
from functools import lru_cache

from flask import Flask, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

# A session nobody is signed in to holds no account: a form's token, a file kept from a
# refused try, a message. A professional writing their letter behind an emailed link (no
# account) may leave its page for hours, called away to a patient: their form is still taken
# within a day (the link itself works for days). Signed in, `SESSION_IDLE_MINUTES` holds.
NOBODY_SIGNED_IN_IDLE = 24 * 3600
# The key of a session started when a signed-in one ended for inactivity: that one's account.
ENDED = "ended_user_id"


class IdleExpiringSessionInterface(SecureCookieSessionInterface):
    def __init__(self):
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's, made once per set of keys rather than at every request."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]

    def open_session(self, app: Flask, request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        idle = app.config["SESSION_IDLE_MINUTES"] * 60
        try:
            payload, signed_at = _signed(serializer, cookie)
        except BadSignature:  # forged, or signed with a key no longer ours
            return self.session_class()
        age = time.time() - signed_at
        if not 0 <= age <= max(idle, NOBODY_SIGNED_IN_IDLE):
            return self.session_class()  # idle too long (or signed in the future)
        data = serializer.load_payload(payload)
        if "_user_id" in data and (age > idle or _past_its_lifetime(app, data)):
            # Signed in, and idle too long (or signed in too long ago): signed out. The new
            # session keeps the page's language, and which account's session ended: a step's
            # answers sent later from a page opened before (once other pages have written the
            # new session) are still kept for that account to find once signed in again
            # (`unsent`).
            carried = {ENDED: data["_user_id"], "locale": data.get("locale")}
            return self.session_class({k: v for k, v in carried.items() if v is not None})
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def save_session(self, app: Flask, session, response) -> None:
        # A form another site sends (a POST across sites) comes without the person's
        # cookie (SameSite=Lax keeps it back): the session it would write (a flash, a
        # token, a sign-out) would replace theirs, signing them out from afar. Not written.
        if (
            request.method not in ("GET", "HEAD", "OPTIONS")
            and request.headers.get("Sec-Fetch-Site") == "cross-site"
            and not request.cookies.get(self.get_cookie_name(app))
        ):
            return
        super().save_session(app, session, response)

    def should_set_cookie(self, app: Flask, session: SecureCookieSession) -> bool:
        if super().should_set_cookie(app, session):
            return True
        # Signed again on a page (GET), not on a form's POST or a file: a request that does
        # not change the session could otherwise write back an older copy of it over one a
        # concurrent request just changed.
        if request.method != "GET" or request.endpoint == "static":
            return False
        signed_at = getattr(session, "signed_at", None)
        return bool(session) and signed_at is not None and time.time() - signed_at > _refresh(app)


@lru_cache(maxsize=1024)
def _signed(serializer: URLSafeTimedSerializer, cookie: str) -> tuple[bytes, float]:
    """A cookie's payload as it was signed (base64, compressed if Flask compressed it) and
    when it was signed, once its signature is found right by one of the keys (raises
    BadSignature otherwise, and nothing is remembered). A browser sends the same cookie with
    every request until it is signed again: checking its signature each time (each key
    derived, the signature decoded and compared) was a tenth of a field's live check. What
    is remembered is part of the cookie, never more: its session is decoded at each request
    (a compressed cookie can hold a thousand times its size), afresh (a request changes its
    own copy), and its age checked against the time now."""
    for signer in serializer.iter_unsigners():
        try:
            payload, signed_at = signer.unsign(cookie, return_timestamp=True)
        except BadSignature:
            continue
        return payload, signed_at.timestamp()
    raise BadSignature("Signed with none of the keys.")


# When the person signed in (seconds since the epoch), in their session.
SIGNED_IN_AT = "signed_in_at"


def _past_its_lifetime(app: Flask, data: dict) -> bool:
    """Signed in longer ago than `SESSION_MAX_HOURS`, however busy since: a session cookie
    taken from its browser cannot be kept alive for ever by using it. Twenty hours by
    default, the time past which WCAG 2.2.1 asks no warning nor way to extend (a working day
    never meets it). Sessions begun before this was recorded keep the idle limit alone."""
    began = data.get(SIGNED_IN_AT)
    if not isinstance(began, int | float):
        return False
    return time.time() - began > app.config["SESSION_MAX_HOURS"] * 3600


def seconds_left(app: Flask, session) -> int:
    """How long the session lasts without another request, as this response leaves it (signed
    again now, or as old as its cookie): a signed-in page says so to its script, which warns
    the person before it ends (`app.js`)."""
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    signed_at = getattr(session, "signed_at", None)
    if signed_at is None or app.session_interface.should_set_cookie(app, session):
        return idle
    return max(0, int(idle - (time.time() - signed_at)))


def _refresh(app: Flask) -> float:
    """How old a cookie is re-signed: a tenth of the idle time, at most ten minutes."""
    return min(600, app.config["SESSION_IDLE_MINUTES"] * 6)


def init_app(app: Flask) -> None:
    app.session_interface = IdleExpiringSessionInterface()
    app.jinja_env.globals["session_seconds_left"] = lambda: seconds_left(app, session)
