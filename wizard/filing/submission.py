"""The last pages of the wizard: check your answers, the declaration that signs and submits,
the confirmation."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from wizard.domain.lifecycle import Status
from wizard.extensions import db
from wizard.filing import service, signing
from wizard.filing.legacy import legacy_notice
from wizard.filing.pages import render_step
from wizard.filing.summary import summary_sections
from wizard.flow.engine import Step
from wizard.forms.base import to_formdata
from wizard.i18n import gettext as _
from wizard.i18n import switch_to_the_language_asked
from wizard.invites import service as invites
from wizard.models import Dossier
from wizard.receipts import service as receipts
from wizard.review import notify
from wizard.web import refused_status


def check_answers(dossier: Dossier, step: Step):
    answers = dossier.answers()
    sections = summary_sections(dossier, answers, editable=True)
    return render_step(
        dossier,
        step,
        None,
        sections=sections,
        incomplete=next((s["step"] for s in sections if not s["complete"]), None),
        legacy=legacy_notice(answers),
        # Carried to the signature: what is signed is what was checked here.
        checked=signing.checked_version(dossier, current_user),
    )


def already_submitted(dossier: Dossier):
    """A signature sent twice (a double click, a second tab): the first one was taken, and
    what this one carried was the same signature. The request's page, saying it is filed."""
    flash(_("This request is already submitted: here it is."))
    return redirect(url_for(".submitted", dossier_id=dossier.id), code=303)


# The declaration's ticks and typed signature, kept across the check a change asked for.
_DECLARATION_KEPT = "declaration_kept"


def declaration(dossier: Dossier, step: Step):
    """Signing and submitting: only what the signer checked on the check-your-answers page,
    whose link carries it here (`signing.checked_version`), then this page's form."""
    checked = (request.args if request.method != "POST" else request.form).get("checked", "")
    if request.method != "POST":
        if signing.read_checked_version(checked) is None:
            return redirect(url_for(".step", dossier_id=dossier.id, step_id="check"))
        # (Read only when there: popping an absent key would write the session anew.)
        kept_typed = session.pop(_DECLARATION_KEPT) if _DECLARATION_KEPT in session else None
        if kept_typed and kept_typed.get("request") == dossier.id:
            # Back from checking again after a signature refused for a change: what was
            # ticked and typed is filled in again, said so, to check before signing.
            form = step.form(formdata=to_formdata(kept_typed["typed"]))
            return render_step(dossier, step, form, checked=checked, declaration_kept=True)
        form = step.form(formdata=None)
        form.signatory_name.data = form.signatory_name.data or current_user.name
        return render_step(dossier, step, form, checked=checked)
    form = step.form()
    if "switch_language" in request.form:
        # The header's language switch, a button of this form: the page in the other
        # language with what was typed and ticked, nothing signed.
        switch_to_the_language_asked()
        return render_step(
            dossier, step, form, checked=checked, language_switched=True, reopened=True
        )
    if not form.validate():
        return render_step(dossier, step, form, refused_status(), checked=checked)
    try:
        service.submit(dossier, current_user, form.to_answers(), checked=checked)
    except service.NotEditable:
        # Submitted meanwhile by this very person: a second click, or a second tab, sent
        # while the first was being taken (one after the other, `views.step` says it).
        db.session.rollback()
        db.session.refresh(dossier)
        if dossier.submitted_at is None or dossier.submitted_by_id != current_user.id:
            raise
        return already_submitted(dossier)
    except signing.NotChecked:
        flash(_("Check your answers, then continue to the declaration to sign them."), "warning")
        return redirect(url_for(".step", dossier_id=dossier.id, step_id="check"), 303)
    except signing.ChangedSinceChecked as changed:
        # The same version again: signing needs the answers checked again first. What was
        # ticked and typed waits for this page's next opening, after that check.
        session[_DECLARATION_KEPT] = {
            "request": dossier.id,
            "typed": {
                name: field.data for name, field in form._fields.items() if name != "csrf_token"
            },
        }
        since = {"changes": changed.changes, "removed": changed.removed}
        return render_step(
            dossier, step, form, refused_status(409), since_checked=since, checked=checked
        )
    except service.Incomplete as error:
        flash(
            _(
                "Before you submit, finish the step “%(title)s”.",
                title=error.step.title,
            ),
            "error",
        )
        return redirect(url_for(".step", dossier_id=dossier.id, step_id=error.step.id), 303)
    current_app.logger.info("request %s submitted as %s", dossier.id, dossier.reference)
    try:
        receipts.ensure_receipt(dossier)
    except Exception:  # the filing is safe; the receipt is produced again on first download
        current_app.logger.exception("receipt of %s not produced at submission", dossier.reference)
    notify.status_changed(dossier, Status.DRAFT, Status.SUBMITTED, note=None, about=None)
    notify.to_review_team(dossier)
    invites.tell_links_closed(dossier)
    return redirect(url_for(".step", dossier_id=dossier.id, step_id="confirmation"), 303)


def confirmation(dossier: Dossier):
    if dossier.is_draft:
        return redirect(url_for(".resume", dossier_id=dossier.id))
    return render_template("filing/confirmation.html", dossier=dossier)
