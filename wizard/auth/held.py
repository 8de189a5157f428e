"""Whether a session is still held by its account, remembered a few seconds, for the live
checks: sent at every change of a field, they read nothing else of the database
(`filing.check_field`), and asking the account each time was most of their cost.

A session is held while its account exists and its fingerprint is the account's (no sign-out
since, no new password: `User.session_fingerprint`). Each worker asks the database again
after `RECHECK_SECONDS`; signing out or in forgets the session at once in the worker that
does it, so that there a copy of the cookie stops at once, and elsewhere within that time.
Pages and forms always ask the database (Flask-Login's `load_user`).
"""

from __future__ import annotations

from time import monotonic

from flask import session

RECHECK_SECONDS = 30
# Sessions of people typing now: a few per person, dropped all at once past this many.
_MOST = 4096
# Session id ("user id.fingerprint", Flask-Login's `_user_id`) → (when found held, whether
# its account is a manufacturer's). A dict's reads and writes are atomic between threads.
_held: dict[str, tuple[float, bool]] = {}


def manufacturer_session() -> bool | None:
    """For the request's session: whether it is a manufacturer's (False: a reviewer's), or
    None if no account holds it (signed out, here or elsewhere, or never signed in)."""
    session_id = session.get("_user_id")
    if not session_id:
        return None
    now = monotonic()
    found = _held.get(session_id)
    if found is not None and now - found[0] < RECHECK_SECONDS:
        return found[1]
    from wizard.auth.views import load_user  # views import this module

    user = load_user(session_id)
    if user is None:
        _held.pop(session_id, None)
        return None
    if len(_held) >= _MOST:
        _held.clear()
    _held[session_id] = (now, user.is_manufacturer)
    return user.is_manufacturer


def forget(session_id: str | None) -> None:
    """The session ends (signing out, or in again): no longer taken as held here."""
    if session_id:
        _held.pop(session_id, None)
