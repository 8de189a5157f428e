"""Step 9, the manufacturer's invitations: invite a healthcare professional, send the link
again, revoke it. Every route checks the organisation (404) and that the request is a draft
(409); the clinician's side is the `invites` blueprint."""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_login import current_user

from wizard.auth import limits
from wizard.extensions import db
from wizard.filing import bp, pages
from wizard.filing import service as filing
from wizard.filing.access import editable_dossier, manufacturer_required, own_dossier
from wizard.filing.attachments import (
    _back_to,
    _refused,
    back_to_letters,
    keep_chosen_letter,
    started,
    typed_on_step_nine,
    unsent_invitation_message,
)
from wizard.forms.invitations import InvitationForm
from wizard.i18n import gettext as _
from wizard.invites import service
from wizard.models import Dossier, Invitation, InvitationState, User
from wizard.models.invitation import OPEN_STATES
from wizard.web import flash_at


@bp.route("/requests/<int:dossier_id>/invitations", methods=["GET", "POST"])
@manufacturer_required
def invite(dossier_id: int):
    if request.method != "POST":  # the address a refused invitation leaves: back to its form
        return _back_to(own_dossier(dossier_id), "hcp-support", "#invitations")
    dossier = editable_dossier(dossier_id)
    keep_chosen_letter(dossier)  # chosen in the letter form, which came along
    form = InvitationForm(prefix="invite")
    if pages.not_invitable_yet(dossier.answers()):  # sent from an older page
        refused = [("invite-first", str(pages.NOT_INVITABLE_YET))]
        return _refused(dossier, "hcp-support", form, "invite", refused)
    if not form.validate():
        return _refused(dossier, "hcp-support", form, "invite")
    # The invitations read once the draft is claimed (another tab, a colleague, the same form
    # sent twice at once may have invited the address a moment ago): one link per person.
    filing.claim_draft(dossier)
    if not (_not_invited_yet(dossier, form) and _not_a_colleague(form)):
        db.session.rollback()
        return _refused(dossier, "hcp-support", form, "invite")
    limits.count_attempt()
    invitation = service.invite(
        dossier,
        current_user,
        clinician_name=form.clinician_name.data,
        email=form.email.data,
        role=form.role.data,
        message=(form.message.data or "").replace("\r\n", "\n") or None,
    )
    return _after_sending(dossier, invitation, used="invite")


def unsent_invitation(dossier: Dossier, *, letter_attached: bool = False):
    """An invitation typed on step 9, then "Save and continue" (or "come back later") pressed
    rather than "Send the invitation": the page again, saying so, with the invitation as typed
    (checked when it is sent). An email to someone else is not sent unasked, nor what was typed
    for it lost. A letter described alongside was attached: its form comes back empty."""
    if not started("invite"):
        return None
    used = "letter" if letter_attached else None
    refused = [("invite-clinician_name", unsent_invitation_message())]
    return back_to_letters(dossier, "#invitations", used=used, refused=refused)


def _not_invited_yet(dossier: Dossier, form: InvitationForm) -> bool:
    """Two links to one person would invite two letters from them, and say nothing of which
    counts: an invitation still running (or run out) to the same address is sent again with
    "Resend" instead."""
    address = form.email.data.casefold()
    earlier = next(
        (
            invitation
            for invitation in dossier.invitations
            if invitation.state in OPEN_STATES and invitation.email.casefold() == address
        ),
        None,
    )
    if earlier is None:
        return True
    button = _("Try again") if earlier.state == InvitationState.NOT_SENT else _("Resend")
    form.email.errors.append(
        _(
            "You have already invited this address (%(name)s). To send them a new link, "
            "choose “%(button)s” next to their name in the list of invitations.",
            name=earlier.clinician_name,
            button=button,
        )
    )
    return False


def _not_a_colleague(form: InvitationForm) -> bool:
    """A letter stating a patient's need comes from a professional who treats them, not from
    the manufacturer: an address of one of its own accounts is refused (a letter one of them
    holds, from such a professional, is added as a letter already received)."""
    colleague = User.with_email(form.email.data)
    if (
        colleague is None
        or colleague.organisation_id != current_user.organisation_id
        or colleague.removed_at is not None
    ):
        return True
    form.email.errors.append(
        _(
            "This is the address of %(name)s's account in your organisation: the letter must "
            "come from a healthcare professional who treats the patient or patients. Enter their "
            "address; a letter you already hold is added under “Add a letter you already have”.",
            name=colleague.name,
        )
        if colleague.id != current_user.id
        else _(
            "This is your own address: the letter must come from a healthcare professional who "
            "treats the patient or patients. Enter their address; a letter you already hold is "
            "added under “Add a letter you already have”."
        )
    )
    return False


@bp.post("/requests/<int:dossier_id>/invitations/<int:invitation_id>/resend")
@manufacturer_required
def resend_invitation(dossier_id: int, invitation_id: int):
    dossier, invitation = _invitation(dossier_id, invitation_id)
    keep_chosen_letter(dossier)  # sent along from step 9's form, as what is typed there
    # A link went before ("Send a new link"), or none could ("Try again"): said apart.
    replaced = invitation.state != InvitationState.NOT_SENT
    if not (service.can_resend(invitation) and service.resend(invitation, current_user)):
        flash(_("This invitation can no longer be sent: invite the professional again."), "error")
        return back_to_letters(dossier, "")
    limits.count_attempt()
    return _after_sending(dossier, invitation, used=None, replaced=replaced)


@bp.route(
    "/requests/<int:dossier_id>/invitations/<int:invitation_id>/revoke", methods=["GET", "POST"]
)
@manufacturer_required
def revoke_invitation(dossier_id: int, invitation_id: int):
    """Revoke a link, after a page that says what it does (it cannot be undone)."""
    dossier, invitation = _invitation(dossier_id, invitation_id)
    if not service.can_revoke(invitation):
        flash(_("This invitation is already closed: there is nothing to cancel."), "error")
        return _back_to(dossier, "hcp-support", "")
    confirmed = request.form.get("confirmed")
    if confirmed == "no":  # "Keep it": back to step 9, with what was typed there
        return back_to_letters(dossier, "#invitations")
    if confirmed != "yes":  # opened, or step 9's "Cancel" (a button of its form)
        keep_chosen_letter(dossier)
        return render_template(
            "filing/revoke_invitation.html",
            dossier=dossier,
            invitation=invitation,
            carried=typed_on_step_nine(),
        )
    if not service.revoke(invitation, current_user):
        flash(_("This invitation is already closed: there is nothing to cancel."), "error")
        return _back_to(dossier, "hcp-support", "")
    flash_at(
        "invitations",
        _("The link sent to %(name)s no longer works.", name=invitation.clinician_name),
    )
    return back_to_letters(dossier, "#invitations")


def _invitation(dossier_id: int, invitation_id: int) -> tuple[Dossier, Invitation]:
    dossier = editable_dossier(dossier_id)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.dossier_id != dossier.id:
        abort(404)
    return dossier, invitation


def _after_sending(
    dossier: Dossier, invitation: Invitation, *, used: str | None, replaced: bool = False
):
    """Back to step 9: at the list when the email left, at the top (where the message about
    the failure shows) when it did not. `replaced`: a new link, the one sent before dead."""
    who = {"name": invitation.clinician_name, "email": invitation.email}
    if invitation.state == InvitationState.SENT and replaced:
        flash_at(
            "invitations",
            _(
                "A new link has been sent to %(name)s (%(email)s): the one sent before no "
                "longer works.",
                **who,
            ),
        )
        return back_to_letters(dossier, "#invitations", used=used)
    if invitation.state == InvitationState.SENT:
        flash_at("invitations", _("The invitation has been sent to %(name)s (%(email)s).", **who))
        return back_to_letters(dossier, "#invitations", used=used)
    flash(
        _(
            "We could not send the email to %(name)s (%(email)s). The invitation is kept: "
            "check the address, then choose “Try again” in the list of invitations.",
            **who,
        ),
        "error",
    )
    return back_to_letters(dossier, "", used=used)
