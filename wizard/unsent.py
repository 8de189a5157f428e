"""A step's answers sent after the session had ended (hours without activity, or signed out on
another device) cannot be saved: nobody is signed in to save them for. The page that says so
lists them to copy; they are also kept for 24 hours, for the browser that sent them, and the
step's page opens filled in with them, not saved, once the same person has signed in again in
that browser (the page the sign-in leads back to).

Kept only when the form came with the session cookie it was opened in, signed by the portal
(its age aside: it ended), naming its account: given back to that account only, so that
nothing sent by someone else (another site's form, or another person at the computer after
a sign-out) is ever shown as one's own typing. Sent from one of the portal's own pages only.
Sealed with a key derived from a random token that the browser keeps in a cookie of its own
(the database keeps the token's hash): the database alone cannot read them. Given back once,
on the step they were sent to only.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import zlib
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from flask import after_this_request, current_app, request
from flask_login import current_user
from itsdangerous import BadSignature
from sqlalchemy import delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import MultiDict

from wizard import clock, keys, sessions
from wizard.extensions import db
from wizard.flow.steps import FLOW
from wizard.models import RemovedFile, UnsentAnswers, User
from wizard.web import from_this_site

KEPT_FOR = timedelta(hours=24)
COOKIE = "unsent_answers"
# Rows at once, and the size of one: a step's answers, all at their longest, are well under
# the cap; whoever sends forms cannot fill the database (beyond it, answers are only listed).
MAX_ROWS = 5_000
MAX_SEALED_BYTES = 100_000
# Of one account, the latest kept only (a person's steps of a few requests, and then some):
# one ended session's forms sent again and again (each without the browser's cookie, to
# another request's address) could otherwise fill `MAX_ROWS`, and nobody else's be kept.
MAX_ROWS_PER_ACCOUNT = 50
_LARGEST_ID = 2**31 - 1  # a request's id (an address can say more)


# The evidence step's answers are also sent by its files' buttons (the step's one form).
_EVIDENCE_BUTTONS = frozenset({"filing.add_document", "filing.delete_document"})


def _make_room_for(user_id: int) -> None:
    """Let go of the account's oldest kept answers beyond `MAX_ROWS_PER_ACCOUNT` - 1."""
    oldest = (
        select(UnsentAnswers.id)
        .where(UnsentAnswers.user_id == user_id)
        .order_by(UnsentAnswers.id.desc())
        .offset(MAX_ROWS_PER_ACCOUNT - 1)
    )
    db.session.execute(delete(UnsentAnswers).where(UnsentAnswers.id.in_(oldest)))


def puts_back_a_letter() -> bool:
    return _puts_back("hcp_letters")


def step_sent_to():
    """The step whose answers the form being refused carried, if it is one: a step's page,
    or the evidence step's "Upload the document" and "Remove"."""
    if request.endpoint == "filing.step":
        return FLOW.get((request.view_args or {}).get("step_id", ""))
    if request.endpoint in _EVIDENCE_BUTTONS or _puts_back("documents"):
        return FLOW.get("clinical-evidence")
    return None


def _puts_back(files: str) -> bool:
    """Whether the form is "Put the document back" ("documents", on the evidence step) or
    "Put the letter back" ("hcp_letters", on step 9): a button of the step's form too."""
    if request.endpoint != "filing.put_back":
        return False
    removal = db.session.get(RemovedFile, (request.view_args or {}).get("removal_id", 0))
    return removal is not None and removal.files == files


def keep() -> bool:
    """Keep what the step's form being refused carried (its answers and the revision it was
    opened at) for this browser and the account whose session ended; whether it was kept."""
    step = step_sent_to()
    dossier_id = (request.view_args or {}).get("dossier_id")
    user_id = _ended_session_user()
    if (
        step is None
        or step.form is None
        or not step.is_question
        or not isinstance(dossier_id, int)
        or not 0 < dossier_id <= _LARGEST_ID
        or user_id is None
        or not from_this_site()
    ):
        return False
    names = {field.name for field in step.form(meta={"csrf": False}).answer_fields()}
    values = [(n, v) for n, v in request.form.items(multi=True) if n in names]
    if not any(value.strip() for _name, value in values):
        return False  # nothing typed (a step without questions, a blank form)
    revision = request.form.get("saved_revision", "")[:20]
    token = request.cookies.get(COOKIE) or secrets.token_urlsafe(32)
    payload = zlib.compress(json.dumps([revision, values], ensure_ascii=False).encode())
    sealed = _fernet(token).encrypt(payload).decode()
    if len(sealed) > MAX_SEALED_BYTES:
        return False
    try:
        _prune()
        if db.session.scalar(select(func.count()).select_from(UnsentAnswers)) >= MAX_ROWS:
            db.session.commit()
            return False
        # The same step sent again (its page opened anew, then the session ended again).
        db.session.execute(
            _of(token)
            .where(UnsentAnswers.dossier_id == dossier_id)
            .where(UnsentAnswers.step_id == step.id)
        )
        _make_room_for(user_id)
        db.session.add(
            UnsentAnswers(
                token_sha256=_hash(token),
                user_id=user_id,
                dossier_id=dossier_id,
                step_id=step.id,
                sealed=sealed,
                created_at=clock.now(),
            )
        )
        db.session.commit()
    except SQLAlchemyError:  # the page listing them matters more than keeping them
        db.session.rollback()
        current_app.logger.exception("Unsent answers not kept")
        return False

    @after_this_request
    def remember(response):
        response.set_cookie(
            COOKIE,
            token,
            max_age=int(KEPT_FOR.total_seconds()),
            httponly=True,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            samesite="Lax",
        )
        return response

    return True


def take(dossier_id: int, step_id: str) -> tuple[MultiDict, str] | None:
    """The answers this browser sent to this step, for the person signed in, when their
    session had ended, if any, as they were sent, and the revision their page was opened at;
    forgotten as they are given back. The caller has checked that the request is theirs."""
    token = request.cookies.get(COOKIE)
    if not token or not current_user.is_authenticated:
        return None
    _prune()
    kept = db.session.scalar(
        select(UnsentAnswers)
        .filter_by(token_sha256=_hash(token), dossier_id=dossier_id, step_id=step_id)
        .filter_by(user_id=current_user.id)
    )
    if kept is None:
        db.session.commit()
        return None
    db.session.delete(kept)
    db.session.commit()
    try:
        revision, values = json.loads(zlib.decompress(_fernet(token).decrypt(kept.sealed.encode())))
    except (InvalidToken, ValueError, zlib.error):
        return None
    return MultiDict(values), revision


def waiting() -> list[tuple[int, str]]:
    """The (request, step) pairs whose answers this browser sent for the person signed in
    when their session had ended, still kept: their pages open filled in with them (`take`).
    The caller keeps those of requests that are theirs."""
    token = request.cookies.get(COOKIE)
    if not token or not current_user.is_authenticated:
        return []
    rows = db.session.execute(
        select(UnsentAnswers.dossier_id, UnsentAnswers.step_id)
        .filter_by(token_sha256=_hash(token), user_id=current_user.id)
        .where(UnsentAnswers.created_at >= clock.now() - KEPT_FOR)
        .order_by(UnsentAnswers.id)
    )
    return [(dossier_id, step_id) for dossier_id, step_id in rows]


def forget(response) -> None:
    """Signing out: this browser keeps nothing for anyone any more."""
    token = request.cookies.get(COOKIE)
    if token:
        db.session.execute(_of(token))
        db.session.commit()
        response.delete_cookie(COOKIE, samesite="Lax")


def _of(token: str):
    return delete(UnsentAnswers).where(UnsentAnswers.token_sha256 == _hash(token))


def _prune() -> None:
    db.session.execute(
        delete(UnsentAnswers).where(UnsentAnswers.created_at < clock.now() - KEPT_FOR)
    )


def _ended_session_user() -> int | None:
    """The account of the session cookie the form came with: signed by the portal, whatever
    its age (it has ended), and naming one (not one signed out in another tab): signed in
    to it, or started when its session ended for inactivity (`sessions.ENDED`)."""
    interface = current_app.session_interface
    serializer = interface.get_signing_serializer(current_app)
    cookie = request.cookies.get(interface.get_cookie_name(current_app))
    if serializer is None or not cookie:
        return None
    try:
        data = serializer.loads(cookie)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    remembered = User.read_session_id(data.get("_user_id") or data.get(sessions.ENDED))
    return remembered[0] if remembered else None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _fernet(token: str) -> Fernet:
    return keys.fernet(b"unsent-answers", token)
