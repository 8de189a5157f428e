"""Accounts: register a manufacturer organisation, log in, log out."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from wizard.auth import colleague_views, email_views, views  # noqa: E402,F401
