"""Pages opened through an emailed link whose token is the only key: a clinician's
invitation, ANSM's question to a professional, a password reset."""

from __future__ import annotations

from flask import render_template

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


def unavailable_page(explanations: dict, reason: str, links=(), *, typed=(), reference=None):
    """The plain page saying why a link does not open, with its own status code.
    `explanations`: reason → (status, title, detail, advice); `links`: (address, words) of
    where to go next; `typed`: what a form sent to the link carried, to copy (nothing of it
    was taken); `reference`: the request's, when the link is a real one."""
    status, title, detail, advice = explanations[reason]
    return render_template(
        "invites/unavailable.html",
        title=title,
        detail=detail,
        advice=advice,
        links=links,
        typed=typed,
        reference=reference,
    ), status
