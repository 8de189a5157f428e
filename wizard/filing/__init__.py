"""The manufacturer's side: dashboard, the wizard, documents and letters."""

from flask import Blueprint

bp = Blueprint("filing", __name__)

from wizard.filing import attachments, invitations, views  # noqa: E402,F401  (routes register on import)
