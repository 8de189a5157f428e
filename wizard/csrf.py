"""Flask-WTF's CSRF protection, with a token's signature checked once per server process.

Every form and every live check of a field (sent at each change of an answer) carries the
token the page was given: Flask-WTF checks its signature each time, a fifth of a live check's
own work. A token is the same for a whole session, so its signature, once found right, is
remembered (the token's text as key, with the key it was signed with): what is checked at
every request is still checked then, against the session and the page's origin. A token
not found right, or refused for any reason, goes through Flask-WTF's own check, which says
why.
"""

from __future__ import annotations

import hmac
import time
from functools import lru_cache

from flask import current_app, g, request, session
from flask_wtf.csrf import CSRFProtect as FlaskWTFCSRFProtect
from flask_wtf.csrf import logger, same_origin, validate_csrf
from itsdangerous import BadData, URLSafeTimedSerializer
from wtforms import ValidationError

# Flask-WTF's (`flask_wtf.csrf.generate_csrf`, `validate_csrf`).
SALT = "wtf-csrf-token"


class CSRFProtect(FlaskWTFCSRFProtect):
    def protect(self, apply_exemptions: bool = False) -> None:
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        if self._known_good():
            g.csrf_valid = True
            return
        # Flask-WTF's own check, which says why it refuses, but for the page's origin.
        try:
            validate_csrf(self._get_csrf_token())
        except ValidationError as error:
            logger.info(error.args[0])
            self._error_response(error.args[0])
        if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            if not _from_the_portal(request.referrer):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True

    def _known_good(self) -> bool:
        """Flask-WTF's checks, all of them, but the signature's check remembered."""
        config = current_app.config
        token = self._get_csrf_token()
        expected = session.get(config["WTF_CSRF_FIELD_NAME"])
        if not token or not isinstance(token, str) or not isinstance(expected, str):
            return False
        # One key, or several (the former ones, oldest first: `wizard.keys`).
        keys = config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key)
        if not keys:
            return False
        try:
            value, signed_at = _signed(tuple(keys) if isinstance(keys, list) else keys, token)
        except BadData:
            return False
        limit = config["WTF_CSRF_TIME_LIMIT"]
        if limit is not None and not 0 <= time.time() - signed_at <= limit:
            return False
        if not isinstance(value, str) or not hmac.compare_digest(expected, value):
            return False
        if request.is_secure and config["WTF_CSRF_SSL_STRICT"]:
            return bool(request.referrer) and _from_the_portal(request.referrer)
        return True


def _from_the_portal(referrer: str) -> bool:
    """A page of the portal's sent the form (over HTTPS): at the address people reach it by
    (`PUBLIC_BASE_URL`), which a reverse proxy passing on its own Host (nginx's default) does
    not make the request's, or at the request's own."""
    if same_origin(referrer, f"https://{request.host}/"):
        return True
    public = current_app.config.get("PUBLIC_BASE_URL")
    return bool(public) and same_origin(referrer, f"{public}/")


@lru_cache(maxsize=1024)
def _signed(keys: str | bytes | tuple, token: str) -> tuple[object, float]:
    """What a token signed with one of `keys` holds, and when it was signed; raises BadData
    if it was not signed so (not remembered then)."""
    keys = list(keys) if isinstance(keys, tuple) else keys
    value, signed_at = URLSafeTimedSerializer(keys, salt=SALT).loads(token, return_timestamp=True)
    return value, signed_at.timestamp()
