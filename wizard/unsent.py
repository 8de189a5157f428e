"""A step's answers sent after the session had ended (hours without activity, or signed out in
another tab) cannot be saved: nobody is known to save them for. The page that says so lists
them to copy; they are also kept a day, for the browser that sent them, and the step's page
opens filled in with them, not saved, once someone of the request's organisation has signed
in again in that browser (the page the sign-in leads back to).

Kept only when sent from one of the portal's own pages (a form of another site, posted while
the person is signed out, plants nothing), sealed with a key derived from a token that only
the browser's session holds: the database alone cannot read them. Given back once, and only
on the step they were sent to, of a request the person signed in may open.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from flask import request, session
from sqlalchemy import delete, func, select
from werkzeug.datastructures import MultiDict

from wizard import clock
from wizard.extensions import db
from wizard.flow.steps import FLOW
from wizard.models import UnsentAnswers

KEPT_FOR = timedelta(hours=24)
# Rows at once, and characters in one: whoever sends forms without signing in cannot fill
# the database (a step's answers, all at their longest, are well under the cap).
MAX_ROWS = 10_000
MAX_CHARACTERS = 60_000
_SESSION_KEY = "unsent_answers"


def keep() -> bool:
    """Keep what the step's form being refused carried (its answers and the revision it was
    opened at), for this browser; whether it was kept."""
    step = FLOW.get((request.view_args or {}).get("step_id", ""))
    if step is None or step.form is None or not step.is_question or not _from_this_site():
        return False
    names = {field.name for field in step.form(meta={"csrf": False}).answer_fields()}
    names.add("saved_revision")
    values = [(name, value) for name, value in request.form.items(multi=True) if name in names]
    if not values or sum(len(value) for _name, value in values) > MAX_CHARACTERS:
        return False
    now = clock.now()
    db.session.execute(delete(UnsentAnswers).where(UnsentAnswers.created_at < now - KEPT_FOR))
    if db.session.scalar(select(func.count()).select_from(UnsentAnswers)) >= MAX_ROWS:
        db.session.commit()
        return False
    token = secrets.token_urlsafe(32)
    db.session.add(
        UnsentAnswers(
            token_sha256=_hash(token),
            dossier_id=request.view_args["dossier_id"],
            step_id=step.id,
            sealed=_fernet(token).encrypt(json.dumps(values).encode()).decode(),
            created_at=now,
        )
    )
    db.session.commit()
    session[_SESSION_KEY] = token
    return True


def take(dossier_id: int, step_id: str) -> MultiDict | None:
    """The answers this browser sent to this step when its session had ended, if any, as
    they were sent; forgotten as they are given back. The caller has checked that the
    request is the signed-in person's."""
    token = session.get(_SESSION_KEY)
    if not token:
        return None
    kept = db.session.scalar(select(UnsentAnswers).filter_by(token_sha256=_hash(token)))
    if kept is not None and (kept.dossier_id, kept.step_id) != (dossier_id, step_id):
        return None  # another page's: kept for it
    session.pop(_SESSION_KEY)
    if kept is None:
        return None
    db.session.delete(kept)
    db.session.commit()
    if clock.as_utc(kept.created_at) < clock.now() - KEPT_FOR:
        return None
    try:
        return MultiDict(json.loads(_fernet(token).decrypt(kept.sealed.encode())))
    except (InvalidToken, ValueError):
        return None


def carry_over(kept: dict) -> None:
    """Across a sign-in, which starts a new session (`auth.views.start_session`)."""
    if token := kept.get(_SESSION_KEY):
        session[_SESSION_KEY] = token


def _from_this_site() -> bool:
    """Sent from one of the portal's pages: the browser says so (`Sec-Fetch-Site`), or
    names the page's origin (`Origin`, sent with every form by browsers)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    return bool(origin) and urlsplit(origin).netloc == request.host


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _fernet(token: str) -> Fernet:
    key = hashlib.sha256(b"unsent-answers|" + token.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))
