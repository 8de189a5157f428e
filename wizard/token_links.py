"""Pages opened through an emailed link whose token is the only key: a clinician's
invitation, ANSM's question to a professional, a password reset."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from flask import render_template, request, session

# The page's address carries the token: requests it makes (its forms, its htmx checks, a
# link followed) name only the portal (https://host/) as their Referer, never the address.
# Not "no-referrer": over HTTPS, Flask-WTF refuses a form whose Referer does not name the
# portal, so every form of these pages would be refused.
REFERRER_POLICY = "strict-origin"


def keep_token_private(response):
    """The address carries the token: no shared cache keeps the page, no Referer repeats it."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = REFERRER_POLICY
    return response


def is_failed_lookup(response) -> bool:
    """What counts against the rate limit: a link that does not open (a guess looks like it)."""
    return response.status_code in (404, 410)


def unavailable_page(
    explanations: dict, reason: str, links=(), *, typed=(), reference=None, reach=None
):
    """The plain page saying why a link does not open, with its own status code.
    `explanations`: reason → (status, title, detail, advice); `links`: (address, words) of
    where to go next; `typed`: what a form sent to the link carried, to copy (nothing of it
    was taken); `reference`: the request's, when the link is a real one; `reach`: how to
    reach whom the advice says to ask."""
    status, title, detail, advice = explanations[reason]
    return render_template(
        "invites/unavailable.html",
        title=title,
        detail=detail,
        advice=advice,
        links=links,
        typed=typed,
        reference=reference,
        reach=reach,
    ), status


# What a page thanking for something sent through a link shows (to whom it went, which
# files) lasts an hour in the browser that sent it: a session nobody is signed in to lasts a
# day, on computers that hospital staff share.
THANKS_FOR = 3600


def remember_sent(key: str, sent: dict[str, Any], token: str) -> None:
    """What the thank-you page after a form sent through a link shows (`sent_lately`), and
    what was sent, through which link (a digest: the session is only signed, not sealed)."""
    session[key] = {
        **sent,
        "at": int(time.time()),
        "form": _form_digest(token),
        "link": _link_digest(token),
    }


def sent_again(key: str, token: str) -> bool:
    """Whether this browser lately sent this very form (the same answers and files) through
    the link `token`, and was answered: sent again (back, then send; a second click once the
    first answer came), its thank-you page is the answer, not "this link has already been
    used". A second click before the first answer comes carries no trace of it (the session
    is its cookie): the page's script sends the form once (`data-submit-once`)."""
    sent = sent_lately(key)
    return sent is not None and sent.get("form") == _form_digest(token)


def answered_through(key: str, token: str) -> bool:
    """Whether this browser lately sent a form through the link `token`, and was answered:
    the link opened again (back, or from its email) shows the thank-you page, rather than
    "this link has already been used", which reads as someone else's doing."""
    sent = sent_lately(key)
    return sent is not None and sent.get("link") == _link_digest(token)


def _link_digest(token: str) -> str:
    """Which link a form was sent through, without the link (the session is only signed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _form_digest(token: str) -> str:
    """The link and what the form being answered carries, but its one-time CSRF token."""
    digest = hashlib.sha256(token.encode())
    for name, value in sorted(request.form.items(multi=True)):
        if not name.endswith("csrf_token"):  # its own, or a prefixed form's
            digest.update(f"\0{name}\0{value}".encode())
    for name, file in sorted(request.files.items(multi=True), key=lambda item: item[0]):
        digest.update(f"\0{name}\0{file.filename}\0".encode())
        file.stream.seek(0)  # read already, when the form took it
        content = hashlib.sha256()
        while chunk := file.stream.read(1 << 16):
            content.update(chunk)
        digest.update(content.digest())
        file.stream.seek(0)
    return digest.hexdigest()


def sent_lately(key: str) -> dict[str, Any] | None:
    """What `remember_sent` kept under `key`, if it was within the hour."""
    sent = session.get(key)
    if sent is None or time.time() - sent.get("at", 0) > THANKS_FOR:
        session.pop(key, None)
        return None
    return sent
