"""Changing the address a manufacturer's account signs in with (`email_change`): the account
page's form, which emails a link to the new address, and the page that link opens, where the
owner, signed in, makes the change. A reviewer's address is the administrators' to change, as
their name is.

The form answers the same whether or not another account uses the address asked for (that
address's owner is told instead): signing in must not be a way to learn who has an account.

The former address is told of a change made, with a link that undoes it (`undo_email_change`),
for whoever made it without being the owner: they knew the password."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from wizard import clock, mail
from wizard.auth import bp, devices, email_change, reset
from wizard.auth.forms import ChangeEmailForm
from wizard.auth.views import account_page, current_password_checked, send_in_both_languages
from wizard.extensions import db
from wizard.i18n import gettext as _
from wizard.models import User
from wizard.token_links import keep_token_private
from wizard.web import external_url, refused_status


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
def account_email():
    if request.method != "POST":  # the address a refused form leaves, opened again
        return redirect(url_for("auth.account") + "#email-title", 303)
    if current_user.is_reviewer:
        refused = _(
            "Your email address is not changed: reviewers' accounts are the portal "
            "administrators' to change. Ask them."
        )
        return account_page(refused=refused, status=refused_status())
    form = ChangeEmailForm(prefix="email")
    if current_password_checked(form) and form.email.data == current_user.email:
        form.email.errors.append(_("This is already the address you sign in with."))
    if form.errors:
        return account_page(email=form, status=refused_status())
    g.link_sent = True  # an email leaves, to an address typed: the day's budget (`limits`)
    if holder := email_change.user_of(form.email.data):
        _send_address_in_use(holder)
    else:
        _send_link(current_user, form.email.data)
    flash(
        _(
            "We have sent an email to %(email)s. Open its link while signed in to this "
            "account: you will then sign in with that address. Until then, nothing changes.",
            email=form.email.data,
        )
    )
    return redirect(url_for("auth.account"), 303)


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
@login_required
def confirm_new_email(token: str):
    return keep_token_private(make_response(_confirm_new_email(token)))


def _confirm_new_email(token: str):
    change = email_change.change_for(token, current_user)
    if change is not None and change[1] == current_user.email:  # made already (twice clicked)
        return _now_signing_in_with(change[1])
    if change is None or change[0] != current_user.email:
        return render_template("auth/email_link_unavailable.html"), 404
    old, new = change
    if request.method != "POST":  # a mail filter opening the link changes nothing
        return render_template("auth/confirm_new_email.html", new=new)
    if email_change.in_use(new):  # taken by a registration confirmed since the link left
        return _taken_page(new)
    # On condition that the address is still the one the link was sent for (another link,
    # confirmed at the same moment, would otherwise be overwritten): then only is a
    # registration never confirmed of the new address taken over.
    try:
        email_change.free_of_unconfirmed(new, current_user)
        changed = db.session.execute(
            update(User).where(User.id == current_user.id, User.email == old).values(email=new)
        ).rowcount
        if not changed:
            db.session.rollback()
            return render_template("auth/email_link_unavailable.html"), 404
        db.session.commit()
    except IntegrityError:  # taken at this very moment
        db.session.rollback()
        return _taken_page(new)
    current_app.logger.info("user %s changed their sign-in address", current_user.id)
    user = db.session.get(User, current_user.id)
    db.session.refresh(user)
    _send_changed_notice(user, old)
    response = _now_signing_in_with(new)
    devices.remember(response, new)  # this browser is the account's, under its new address
    return response


def _now_signing_in_with(email: str):
    flash(_("Your email address is now %(email)s: sign in with it from now on.", email=email))
    return redirect(url_for("auth.account"), 303)


def _taken_page(new: str):
    taken = _("Another account uses this address: choose another one.")
    return render_template("auth/confirm_new_email.html", new=new, taken=taken), 409


def _send_link(user: User, new_email: str) -> None:
    """To the new address, in the page's language: its owner is the one asking. Nothing the
    account's holder typed (their name) goes to an address they typed."""
    hours = current_app.config["EMAIL_CONFIRMATION_MAX_AGE"] // 3600
    link = external_url("auth.confirm_new_email", token=email_change.token_for(user, new_email))
    body = mail.plain_text("auth/email/change_email.txt", user=user, link=link, hours=hours)
    subject = _("Confirm your new email address for the ANSM derogation portal")
    mail.send_after_response(new_email, subject, body, about=f"address change for {user.id}")


def _send_address_in_use(holder: User) -> None:
    """To an address another account uses: what was asked, that nothing changed. An account a
    colleague removed cannot sign in, nor choose a new password: its owner is told what works
    (registering with its address says the same, `views._send_account_exists`)."""
    if holder.is_active:
        template = "auth/email/address_in_use.txt"
        context = {"forgotten": external_url("auth.forgot_password")}
    else:
        template = "auth/email/address_of_removed_account.txt"
        context = {"organisation": holder.organisation.name}
    about = f"'address in use' notice for {holder.id}"
    send_in_both_languages(holder.email, _in_use_subject, template, about=about, **context)


def _in_use_subject() -> str:
    return _("Your email address on the ANSM derogation portal")


def _send_changed_notice(user: User, old_email: str) -> None:
    """To the former address: its owner learns of a change they may not have made, and how to
    undo it."""
    send_in_both_languages(
        old_email,
        _changed_subject,
        "auth/email/email_changed.txt",
        about=f"address notice for {user.id}",
        user=user,
        date=clock.today(),
        undo=external_url(
            "auth.undo_email_change", token=email_change.undo_token_for(user, old_email)
        ),
        days=current_app.config["EMAIL_UNDO_DAYS"],
    )


def _changed_subject() -> str:
    return _("The email address of your account on the ANSM derogation portal was changed")


@bp.route("/account/email/undo/<token>", methods=["GET", "POST"])
def undo_email_change(token: str):
    """The former address's link: no sign-in asked (whoever changed the address may have
    changed the password too), the link itself proves the mailbox is theirs."""
    return keep_token_private(make_response(_undo_email_change(token)))


def _undo_email_change(token: str):
    undo = email_change.undo_for(token)
    if undo is None:
        return render_template("auth/undo_link_unavailable.html"), 404
    if undo.user.email == undo.former:  # undone already (twice clicked), or by its owner
        return render_template("auth/undo_email_change.html", undo=undo, done=True)
    if not undo.still_works:
        return render_template("auth/undo_link_unavailable.html"), 404
    if email_change.holder(undo) is not None:  # registered and confirmed since the change
        return _undo_refused(undo)
    if request.method != "POST":  # a mail filter opening the link changes nothing
        return render_template("auth/undo_email_change.html", undo=undo)
    user, undone = undo.user, undo.user.email
    try:
        changed = email_change.done(undo)
        db.session.commit()
    except IntegrityError:  # taken at this very moment
        db.session.rollback()
        return _undo_refused(undo)
    if not changed:  # another link used at the same moment
        db.session.rollback()
        return render_template("auth/undo_link_unavailable.html"), 404
    current_app.logger.warning("user %s undid a change of their sign-in address", user.id)
    db.session.refresh(user)
    _send_undone_notice(user, undone)
    # The link reached the former address just now: its owner chooses a password at once.
    flash(
        _(
            "Your account's sign-in address is %(email)s again, and everyone who was signed "
            "in to it is signed out. Its password no longer works: choose a new one now.",
            email=undo.former,
        )
    )
    response = redirect(url_for("auth.reset_password", token=reset.token_for(user)), 303)
    devices.remember(response, undo.former, afresh=True)
    return response


def _undo_refused(undo):
    page = render_template("auth/undo_email_change.html", undo=undo, taken=True)
    return page, 409


def _send_undone_notice(user: User, undone_email: str) -> None:
    """To the address the account no longer has: in case its owner is who made the change."""
    send_in_both_languages(
        undone_email,
        _changed_subject,
        "auth/email/email_change_undone.txt",
        about=f"address undone for {user.id}",
        user=user,
        date=clock.today(),
    )
