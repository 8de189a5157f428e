"""The clinicians' side: an invite link opens a page where a healthcare professional, with no
account, attaches a signed letter to one request. The link's token is the only key, so it is
random, stored hashed, single-use, short-lived, and guessing it is rate-limited per address."""

from flask import Blueprint, Flask
from flask_limiter import Limiter

from wizard.token_links import is_failed_lookup

bp = Blueprint("invites", __name__)

from wizard.invites import views  # noqa: E402,F401  (routes register on import)


def init_app(app: Flask, limiter: Limiter) -> None:
    """Register the pages, with one shared budget of failed look-ups per client address:
    a clinician with a good link (and its live checks) never uses it up; a guesser does."""
    limiter.shared_limit(
        app.config["INVITE_RATE_LIMIT"],
        scope="invitations",
        deduct_when=is_failed_lookup,
    )(bp)
    app.register_blueprint(bp)
