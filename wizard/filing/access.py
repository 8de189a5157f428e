"""Who may touch which request: a manufacturer, only their organisation's (404 otherwise)."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from wizard.auth import held
from wizard.domain.lifecycle import Status
from wizard.extensions import db, login_manager
from wizard.filing.service import DraftDeleted
from wizard.models import Dossier


def manufacturer_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_manufacturer:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def manufacturer_session_required(view):
    """Signed in as a manufacturer, the account asked at most every few seconds
    (`wizard.auth.held`): for a view that reads nothing of anyone's (a typed answer checked
    against a step's rules, the same for everyone), sent at every change of a field."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        manufacturer = held.manufacturer_session()
        if manufacturer is None:
            return login_manager.unauthorized()
        if not manufacturer:
            abort(403)
        return view(*args, **kwargs)

    wrapper.needs_sign_in = True  # a form sent to it signed out says so (`wizard.errors`)
    return wrapper


def own_dossier(dossier_id: int) -> Dossier:
    """The request if it belongs to the current user's organisation; 404 otherwise, so that
    nobody learns whether another organisation's request exists."""
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None or dossier.organisation_id != current_user.organisation_id:
        abort(404)
    if dossier.status == Status.DISCARDED:  # deleted by a colleague, or in another tab
        raise DraftDeleted(dossier.id)
    return dossier


def editable_dossier(dossier_id: int) -> Dossier:
    """The request, if it is the organisation's and still a draft (409 once submitted)."""
    dossier = own_dossier(dossier_id)
    if not dossier.is_draft:
        abort(409)
    return dossier
