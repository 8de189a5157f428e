"""The pages of a manufacturer's colleagues (`colleagues`): who files for the organisation,
inviting and removing, and the page an invitation link opens."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from wizard import mail
from wizard.auth import bp, colleagues, limits
from wizard.auth.forms import InviteColleagueForm, JoinForm, RemoveColleagueForm
from wizard.auth.views import current_password_checked, sign_out, start_session
from wizard.extensions import db
from wizard.filing.access import manufacturer_required
from wizard.i18n import gettext as _
from wizard.i18n import lazy_gettext as _l
from wizard.models import ColleagueInvitation, User
from wizard.token_links import keep_token_private, unavailable_page
from wizard.web import refused_status

# Links that cannot be used: (status, title, what happened, what to do).
UNAVAILABLE = {
    "unknown": (
        404,
        _l("This link does not work"),
        _l("The address may be incomplete: check that you opened or copied the whole link."),
        _l("If it still does not work, ask the colleague who invited you for a new link."),
    ),
    "expired": (
        410,
        _l("This link has expired"),
        _l("For security, invitation links work for a limited time only."),
        _l("Ask the colleague who invited you to invite you again."),
    ),
    "revoked": (
        410,
        _l("This link has been cancelled"),
        _l("Your colleague has cancelled this invitation, or sent you a newer one."),
        _l("Use the link in the most recent email, or ask your colleague to invite you again."),
    ),
    "used": (
        410,
        _l("This link has already been used"),
        _l("An account was created with this link, and each link works once only."),
        _l("If it is yours, sign in. If you forgot the password, you can choose a new one."),
    ),
    "used-signed-in": (
        410,
        _l("This link has already been used"),
        _l("An account was created with this link, and each link works once only."),
        _l("You are signed in, so you can go straight to your requests."),
    ),
    "account": (
        409,
        _l("This email address already has an account"),
        _l(
            "An account on the portal is for one manufacturer, or for ANSM, and the account of "
            "this address cannot join another."
        ),
        _l("Ask your colleague to invite another email address of yours."),
    ),
}


@bp.get("/account/colleagues")
@manufacturer_required
def colleagues_page():
    return _colleagues_page(InviteColleagueForm(formdata=None))


def _colleagues_page(form: InviteColleagueForm, status: int = 200):
    organisation = current_user.organisation
    page = render_template(
        "auth/colleagues.html",
        form=form,
        members=colleagues.members(organisation),
        former=colleagues.former_members(organisation),
        invitations=colleagues.pending_invitations(organisation),
        days=current_app.config["COLLEAGUE_INVITE_TTL_DAYS"],
    )
    return page, status


@bp.post("/account/colleagues")
@manufacturer_required
def invite_colleague():
    form = InviteColleagueForm()
    if current_password_checked(form):
        limits.count_attempt()  # an email leaves (or is tried): it counts
        try:
            colleagues.invite(db.session.get(User, current_user.id), form.email.data)
        except colleagues.AlreadyMember:
            own = form.email.data.casefold() == current_user.email.casefold()
            form.email.errors.append(
                _("This is your own address: enter your colleague's.")
                if own
                else _("This colleague already files with you.")
            )
        except mail.MailError:
            form.email.errors.append(
                _("The email could not be sent. Check the address, or try again later.")
            )
    if form.errors:
        return _colleagues_page(form, refused_status())
    flash(_("An invitation has been sent to %(email)s.", email=form.email.data))
    return redirect(url_for("auth.colleagues_page"), 303)


@bp.route("/account/colleagues/invitations/<int:invitation_id>/cancel", methods=["GET", "POST"])
@manufacturer_required
def cancel_colleague_invitation(invitation_id: int):
    """Cancel an invitation, after a page that says what it does (it cannot be undone)."""
    invitation = db.session.get(ColleagueInvitation, invitation_id)
    if invitation is None or invitation.organisation_id != current_user.organisation_id:
        abort(404)
    if request.method != "POST" and colleagues.is_pending(invitation):
        return render_template("auth/cancel_colleague_invitation.html", invitation=invitation)
    if request.method == "POST" and colleagues.cancel(invitation):
        flash(_("The invitation sent to %(email)s is cancelled.", email=invitation.email))
    else:
        flash(_("The invitation sent to %(email)s was no longer waiting.", email=invitation.email))
    return redirect(url_for("auth.colleagues_page"), 303)


@bp.route("/account/colleagues/<int:user_id>/remove", methods=["GET", "POST"])
@manufacturer_required
def remove_colleague(user_id: int):
    """Remove a colleague who has left, after a page that says what it does."""
    member = db.session.get(User, user_id)
    if member is None or member.organisation_id != current_user.organisation_id:
        abort(404)
    if member.id == current_user.id:
        # Nobody removes themselves: the organisation keeps someone to file.
        flash(_("You cannot remove your own account. A colleague can."))
    elif not member.is_active:
        flash(_("%(name)s has already been removed.", name=member.name))
    elif request.method != "POST":
        form = RemoveColleagueForm(formdata=None)
        return render_template("auth/remove_colleague.html", member=member, form=form)
    elif not current_password_checked(form := RemoveColleagueForm()):
        page = render_template("auth/remove_colleague.html", member=member, form=form)
        return page, refused_status()
    elif colleagues.remove(member, current_user):
        flash(_("%(name)s can no longer sign in to file for you.", name=member.name))
    else:
        flash(_("%(name)s has already been removed.", name=member.name))
    return redirect(url_for("auth.colleagues_page"), 303)


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str):
    return keep_token_private(make_response(_join(token)))


def _unavailable(reason: str):
    if reason != "used":
        return unavailable_page(UNAVAILABLE, reason)
    if current_user.is_authenticated:  # most likely the one who joined, opening it again
        home = "filing.dashboard" if current_user.is_manufacturer else "review.queue_page"
        return unavailable_page(
            UNAVAILABLE, "used-signed-in", [(url_for(home), _("Go to your requests"))]
        )
    links = [
        (url_for("auth.login"), _("Sign in")),
        (url_for("auth.forgot_password"), _("Forgotten your password?")),
    ]
    return unavailable_page(UNAVAILABLE, reason, links)


def _join(token: str):
    try:
        invitation = colleagues.find(token)
    except colleagues.LinkUnavailable as refused:
        return _unavailable(refused.reason)
    account = colleagues.account_of(invitation)
    if not colleagues.can_join_with(account, invitation):
        return unavailable_page(UNAVAILABLE, "account")
    form = JoinForm(invitation.email, organisation=invitation.organisation.name)
    if not form.validate_on_submit():
        page = render_template("auth/join.html", form=form, invitation=invitation)
        return (page, refused_status()) if form.is_submitted() else page
    try:
        account = colleagues.join(invitation, form.name.data, form.password.data)
    except colleagues.LinkUnavailable as refused:
        return _unavailable(refused.reason)
    except IntegrityError:  # the address registered at the same moment
        db.session.rollback()
        return unavailable_page(UNAVAILABLE, "account")
    response = redirect(url_for("filing.dashboard"), 303)
    if current_user.is_authenticated:  # another account, as the page said: signed out of
        sign_out(response, everywhere=False)
    start_session(account)
    flash(
        _(
            "Welcome. You file for %(organisation)s with your colleagues.",
            organisation=invitation.organisation.name,
        )
    )
    return response
