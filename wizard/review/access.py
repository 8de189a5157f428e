"""Who may see what on the agency's side: reviewers only (403 for anyone else signed in), and
only submitted requests (a draft has not reached the agency: 404)."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from wizard.extensions import db
from wizard.models import Dossier


def reviewer_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_reviewer:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def submitted_dossier(dossier_id: int) -> Dossier:
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None or not dossier.is_filed:
        abort(404)
    return dossier


def item_of(dossier: Dossier, model, item_id: int):
    """A file or record of `dossier` by id; 404 when it belongs to another request."""
    item = db.session.get(model, item_id)
    if item is None or item.dossier_id != dossier.id:
        abort(404)
    return item
