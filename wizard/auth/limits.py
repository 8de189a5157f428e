"""Sign-in attempts are limited per client address and per account (Flask-Limiter). Only
failed attempts count, and the refusal reads the same whether or not the account exists.
Password-reset emails are limited the same ways, so that nobody can flood a mailbox."""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter


def _failed(response) -> bool:
    return request.method == "POST" and response.status_code == 422


def _sent(response) -> bool:
    return request.method == "POST" and response.status_code == 200


def _typed_address(scope: str):
    def key() -> str:
        # Counted for any address typed, existing or not, so a refusal reveals nothing.
        return scope + request.form.get("email", "").strip().lower()[:254]

    return key


def init_app(app: Flask, limiter: Limiter) -> None:
    """Wrap the registered views: Flask-Limiter checks a decorated limit when the decorated
    function runs, so the decorated function must be the one Flask calls."""

    def limit(endpoint: str, per_address: str, per_account: str, counted) -> None:
        by_address = limiter.limit(per_address, methods=["POST"], deduct_when=counted)
        by_account = limiter.limit(
            per_account,
            key_func=_typed_address(endpoint + ":"),
            methods=["POST"],
            deduct_when=counted,
        )
        app.view_functions[endpoint] = by_account(by_address(app.view_functions[endpoint]))

    config = app.config
    limit(
        "auth.login",
        config["LOGIN_RATE_LIMIT_ADDRESS"],
        config["LOGIN_RATE_LIMIT_ACCOUNT"],
        _failed,
    )
    limit(
        "auth.forgot_password",
        config["RESET_RATE_LIMIT_ADDRESS"],
        config["RESET_RATE_LIMIT_ACCOUNT"],
        _sent,
    )
