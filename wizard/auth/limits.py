"""Sign-in attempts are limited per client address and per account (Flask-Limiter). Only
failed attempts count, and the refusal reads the same whether or not the account exists.
Password-reset emails are limited the same ways, so that nobody can flood a mailbox.

What counts is said by the view (`count_attempt`), whatever the status code it answers with
(htmx requests get 200 for a refused form)."""

from __future__ import annotations

from flask import Flask, g, request
from flask_limiter import Limiter

from wizard.forms.validators import normalised_email


def count_attempt() -> None:
    """The current request counts towards its view's limits."""
    g.counted_attempt = True


def _counted(_response) -> bool:
    return g.get("counted_attempt", False)


def _typed_address(scope: str):
    def key() -> str:
        # Counted for any address typed, existing or not, so a refusal reveals nothing; in
        # the form the account is looked up by, so that other spellings share the budget.
        typed = request.form.get("email", "")
        return scope + (normalised_email(typed) or typed.strip()).lower()[:254]

    return key


def init_app(app: Flask, limiter: Limiter) -> None:
    """Wrap the registered views: Flask-Limiter checks a decorated limit when the decorated
    function runs, so the decorated function must be the one Flask calls."""

    def limit(endpoint: str, per_address: str, per_account: str) -> None:
        by_address = limiter.limit(per_address, methods=["POST"], deduct_when=_counted)
        by_account = limiter.limit(
            per_account,
            key_func=_typed_address(endpoint + ":"),
            methods=["POST"],
            deduct_when=_counted,
        )
        app.view_functions[endpoint] = by_account(by_address(app.view_functions[endpoint]))

    config = app.config
    limit("auth.login", config["LOGIN_RATE_LIMIT_ADDRESS"], config["LOGIN_RATE_LIMIT_ACCOUNT"])
    limit(
        "auth.forgot_password",
        config["RESET_RATE_LIMIT_ADDRESS"],
        config["RESET_RATE_LIMIT_ACCOUNT"],
    )
