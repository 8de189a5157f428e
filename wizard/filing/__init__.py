"""The manufacturer's side: dashboard, the wizard, documents and letters."""

from flask import Blueprint

bp = Blueprint("filing", __name__)

# The accounts package first, whole: its views use this package's access rules, which use its
# sessions (`wizard.auth.held`); loaded the other way round, each would find the other half-made.
from wizard import auth  # noqa: E402,F401
from wizard.filing import attachments, invitations, views  # noqa: E402,F401  (routes register on import)
