"""A draft deleted, or a step no longer on its path: the deletion page and its fingerprint, and
what a page or form of a draft changed since by someone else (a colleague, another tab)
says instead of saving."""

from __future__ import annotations

import hashlib
import json

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from wizard import clock
from wizard.domain.lifecycle import Status
from wizard.errors import typed_answers
from wizard.extensions import db
from wizard.flow.engine import Step
from wizard.flow.steps import FLOW
from wizard.i18n import gettext as _
from wizard.i18n import long_date
from wizard.models import AuditEvent, Dossier
from wizard.models.invitation import OPEN_STATES
from wizard.web import refused_status


def discard_page(dossier: Dossier, *, changed: bool = False):
    """What deleting the draft deletes, asked before it is done; `changed`: it held less
    when the person was last asked (a colleague saved a step, a letter came), so they are
    asked again."""
    held = draft_summary(dossier)
    return render_template(
        "filing/discard.html",
        dossier=dossier,
        shown=draft_seal(dossier, held),
        changed=changed,
        **held,
    ), (refused_status(409) if changed else 200)


def draft_seal(dossier: Dossier, held: dict | None = None) -> str:
    """A short fingerprint of what the deletion page says the draft holds: the page sends it
    back, and the draft is deleted only if it still holds that."""
    held = draft_summary(dossier) if held is None else held
    # Invitations by their state, not by the clock: one expiring meanwhile changes nothing.
    held = {**held, "invitations": sum(1 for i in dossier.invitations if i.state in OPEN_STATES)}
    said = json.dumps(held, sort_keys=True, default=str)
    return hashlib.sha256(said.encode()).hexdigest()[:16]


def draft_summary(dossier: Dossier) -> dict:
    """What a draft holds, said before it is deleted."""
    answers = dossier.answers()
    return {
        "device": answers.get("device", {}).get("trade_name"),
        "started": clock.day_in_paris(dossier.created_at),
        "steps": len(answers),
        "documents": len(dossier.documents),
        "letters": len(dossier.hcp_letters),
        "invitations": sum(1 for i in dossier.invitations if i.is_open),
    }


def deleted_draft_page(error):
    """A page or form of a draft deleted since (by a colleague, in another tab): who deleted
    it and when, and what was typed, which was not saved."""
    event = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.dossier_id == error.dossier_id, AuditEvent.to_status == Status.DISCARDED)
        .order_by(AuditEvent.sequence.desc())
        .limit(1)
    )
    who = event.actor.name if event is not None and event.actor is not None else None
    detail = (
        _(
            "%(name)s deleted it on %(date)s.",
            name=who,
            date=long_date(clock.day_in_paris(event.occurred_at)),
        )
        if who
        else _("It was deleted.")
    )
    typed = []
    if request.method == "POST" and request.endpoint != "filing.discard":  # (deleted twice)
        detail += " " + _("What you sent was not saved.")
        typed = typed_answers()
    page = render_template(
        "error.html",
        title=_("This draft was deleted"),
        detail=detail,
        typed=typed,
        home=url_for("filing.dashboard"),
    )
    # A live check says so in its stead (app.js): nothing typed on the page can be saved.
    return page, 410, {"X-Draft-Deleted": "true"}


def step_no_longer_applies(dossier: Dossier, step: Step):
    """A step sent from a page opened before the type of access changed (a colleague, another
    tab), which took the step off the request's path: said so, with what was typed, which was
    not saved, and the way to the request."""
    page = render_template(
        "error.html",
        title=_("This step no longer applies to the request"),
        detail=_(
            "The type of access was changed since this page was opened (by a colleague, or "
            "in another tab): the step “%(step)s” is no longer part of the request. What you "
            "sent was not saved.",
            step=step.title,
        ),
        typed=typed_answers(),
        home=url_for(".step", dossier_id=dossier.id, step_id="access-type"),
        home_label=_("See the type of access"),
    )
    return page, 409


def step_off_the_path(dossier: Dossier, step: Step):
    """A step of the other type of access opened (Back after the type was changed, an old
    link or bookmark): the request's own step in its place, and why, rather than a page
    "not found" that suggests signing in with another account."""
    if not dossier.is_draft:
        return redirect(url_for(".submitted", dossier_id=dossier.id))
    in_its_place = FLOW.in_place_of(step, dossier.answers()) or FLOW.get("access-type")
    flash(
        _(
            "The step “%(step)s” is not part of this request with the type of access it now "
            "has: here is the step “%(other)s” in its place.",
            step=step.title,
            other=in_its_place.title,
        ),
        "warning",
    )
    return redirect(url_for(".step", dossier_id=dossier.id, step_id=in_its_place.id))
