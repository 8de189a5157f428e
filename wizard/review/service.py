"""Doing an action on a request: check it is possible now, then hand it to the service that
records it (a decision, a question, or a plain change of status)."""

from __future__ import annotations

from flask_wtf import FlaskForm

from wizard import audit
from wizard.domain.lifecycle import Status, TransitionError
from wizard.extensions import db
from wizard.models import Dossier, User
from wizard.review import assignment, decisions, information
from wizard.review.actions import Action, refusal
from wizard.review.status import authorisation_of, effective_status
from wizard.review.transitions import change_status


def perform(action: Action, dossier: Dossier, user: User, form: FlaskForm) -> None:
    """Do `action`, or raise `ActionRefused` saying why not and what is possible instead."""
    current = effective_status(dossier)
    if not action.permits(current):
        raise refusal(action, current, authorised=authorisation_of(dossier) is not None)
    try:
        if action.decision is not None:
            decision = decisions.decide(dossier, action, user, form)
            assignment.tell_handler_of_decision(dossier, decision, user)
        elif action.target == Status.INFORMATION_REQUESTED:
            information.ask(dossier, user, form)
        else:
            change_status(
                dossier,
                action.target,
                audit.Actor.of(user),
                note=(form.reason.data or "").replace("\r\n", "\n") or None,
            )
    except TransitionError:
        # Someone else changed the request since the page was shown.
        db.session.rollback()
        db.session.refresh(dossier)
        authorised = authorisation_of(dossier) is not None
        raise refusal(action, effective_status(dossier), authorised=authorised) from None
