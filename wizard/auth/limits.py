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


def _typed_address() -> str:
    # Counted for any address typed, existing or not, so a refusal reveals nothing.
    return request.form.get("email", "").strip().lower()[:254]


def _account() -> str:
    return "login:" + _typed_address()


def _reset_account() -> str:
    return "reset:" + _typed_address()


def init_app(app: Flask, limiter: Limiter) -> None:
    """Wrap the registered sign-in view: Flask-Limiter checks a decorated limit when the
    decorated function runs, so the decorated function must be the one Flask calls."""
    view = app.view_functions["auth.login"]
    per_address = limiter.limit(
        app.config["LOGIN_RATE_LIMIT_ADDRESS"], methods=["POST"], deduct_when=_failed
    )
    per_account = limiter.limit(
        app.config["LOGIN_RATE_LIMIT_ACCOUNT"],
        key_func=_account,
        methods=["POST"],
        deduct_when=_failed,
    )
    app.view_functions["auth.login"] = per_account(per_address(view))

    view = app.view_functions["auth.forgot_password"]
    per_address = limiter.limit(
        app.config["RESET_RATE_LIMIT_ADDRESS"], methods=["POST"], deduct_when=_sent
    )
    per_account = limiter.limit(
        app.config["RESET_RATE_LIMIT_ACCOUNT"],
        key_func=_reset_account,
        methods=["POST"],
        deduct_when=_sent,
    )
    app.view_functions["auth.forgot_password"] = per_account(per_address(view))
