"""Error pages written for people: no stack trace ever reaches a page."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError

from wizard.i18n import lazy_gettext as _l
from wizard.uploads import human_size

MESSAGES = {
    400: (
        _l("Something in the request was not right"),
        _l("Go back, reload the page and try again."),
    ),
    403: (_l("You cannot open this page"), _l("Your account does not give access to it.")),
    404: (
        _l("Page not found"),
        _l("Check the address, or go back to your requests: the page may have moved."),
    ),
    409: (
        _l("This request can no longer be changed"),
        _l("It has been submitted and its answers are frozen."),
    ),
    413: (
        _l("The file is too large"),
        _l("Go back and choose a smaller file. Each PDF can be at most %(size)s."),
    ),
    429: (
        _l("Too many attempts"),
        _l(
            "There have been too many attempts from your connection. Wait a minute, then open "
            "the link from your email again."
        ),
    ),
    500: (
        _l("Sorry, something went wrong on our side"),
        _l("Your saved answers are safe. Try again in a few minutes."),
    ),
}


# A refusal on the sign-in page speaks of signing in, not of invite links.
SIGN_IN_TOO_MANY = (
    _l("Too many sign-in attempts"),
    _l(
        "For your security, signing in is paused after several failed attempts. Wait 15 "
        "minutes, then try again. Your saved answers are safe."
    ),
)


# And on the forgotten-password page, of the links already sent.
RESET_TOO_MANY = (
    _l("Too many links asked for"),
    _l(
        "Several links to choose a new password have been sent already. Use the latest one in "
        "your email, or wait an hour before asking again."
    ),
)


def render_error(status: int):
    title, detail = MESSAGES.get(status, MESSAGES[500])
    if status == 429 and request.endpoint == "auth.login":
        title, detail = SIGN_IN_TOO_MANY
    if status == 429 and request.endpoint == "auth.forgot_password":
        title, detail = RESET_TOO_MANY
    size = human_size(current_app.config["MAX_UPLOAD_BYTES"])
    return render_template("error.html", title=title, detail=detail % {"size": size}), status


def init_app(app: Flask) -> None:
    for status in MESSAGES:
        app.register_error_handler(status, lambda error, status=status: render_error(status))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        app.logger.warning("CSRF refusal: %s", error.description)
        title = _l("Your form expired")
        detail = _l("For your security, go back, reload the page and send the form again.")
        return render_template("error.html", title=title, detail=detail), 400
