"""Register, log in, log out."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from functools import cache

from flask import (
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import bindparam, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from wizard import clock, mail
from wizard.auth import bp, confirm, limits, reset
from wizard.auth.forms import ForgotPasswordForm, LoginForm, NewPasswordForm, RegisterForm
from wizard.extensions import db, login_manager
from wizard.i18n import gettext as _
from wizard.models import Dossier, Organisation, Role, User
from wizard.token_links import keep_token_private
from wizard.web import external_url, is_htmx, safe_next

_USER_AND_DOSSIER = (
    select(User, Dossier)
    .outerjoin(Dossier, Dossier.id == bindparam("dossier_id"))
    .where(User.id == bindparam("user_id"))
)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The signed-in user, if their password has not changed since they signed in (see
    `User.get_id`). In the same query, the request the URL names, if any: the view asks for
    it next (who may see it is decided there), and finds it without a second query."""
    user_id, _dot, fingerprint = session_id.partition(".")
    if not (user_id.isascii() and user_id.isdecimal()) or not fingerprint:
        return None
    dossier_id = (request.view_args or {}).get("dossier_id")
    if isinstance(dossier_id, int):
        row = db.session.execute(
            _USER_AND_DOSSIER, {"user_id": int(user_id), "dossier_id": dossier_id}
        ).first()
        # The session remembers loaded objects only while something holds them.
        user, g.named_dossier = row if row else (None, None)
    else:
        user = db.session.get(User, int(user_id))
    if user is None or not hmac.compare_digest(fingerprint, user.session_fingerprint):
        return None
    return user


# Signing in unconfirmed sends a new confirmation link, at most this often.
CONFIRMATION_RESEND_INTERVAL = timedelta(minutes=5)

login_manager.login_view = "auth.login"
login_manager.login_message = None


def _home_for(user: User) -> str:
    return url_for("filing.dashboard") if user.is_manufacturer else url_for("review.queue_page")


def _failed(template: str, form):
    return render_template(template, form=form), 200 if is_htmx() else 422


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if not form.validate_on_submit():
        return (
            _failed("auth/register.html", form)
            if form.is_submitted()
            else render_template("auth/register.html", form=form)
        )
    limits.count_attempt()
    email = form.email.data
    taken = db.session.scalar(select(User).where(func.lower(User.email) == email))
    # The same page whether or not the address has an account, after the same work (a
    # password hashed, an email sent after the response): registering tells a stranger
    # nothing of who has an account. The owner of the address learns it by email.
    response = make_response(render_template("auth/confirm_email_sent.html", email=email))
    if taken is not None and (taken.email_confirmed or not taken.is_manufacturer):
        generate_password_hash(form.password.data)
        _send_account_exists(taken)
        return response
    if taken is None:
        user = User(email=email, role=Role.MANUFACTURER, organisation=Organisation())
        db.session.add(user)
    else:
        # Never confirmed, so never signed in: nothing was done with it. This registration
        # replaces it, so that whoever typed the address first (a typo, a stranger) does not
        # keep it from its owner; only the owner can confirm it, and the links sent before
        # stop working (they carry the password's fingerprint).
        user = taken
    user.organisation.name = form.organisation_name.data
    user.name = form.name.data
    user.set_password(form.password.data)
    user.confirmation_sent_at = clock.now()
    db.session.commit()
    _send_confirmation(user)
    return response


@bp.get("/register/confirm/<token>")
def confirm_email(token: str):
    return keep_token_private(make_response(_confirm_email(token)))


def _confirm_email(token: str):
    user = confirm.user_for(token)
    if user is None:
        return render_template("auth/confirmation_link_unavailable.html"), 404
    if not user.email_confirmed:
        user.confirm_email()
        db.session.commit()
        current_app.logger.info("user %s confirmed their email address", user.id)
    flash(_("Your email address is confirmed. Sign in to start a request."))
    return redirect(url_for("auth.login"), 303)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = LoginForm()
    if not form.validate_on_submit():
        return (
            _failed("auth/login.html", form)
            if form.is_submitted()
            else render_template("auth/login.html", form=form)
        )
    user = db.session.scalar(select(User).where(func.lower(User.email) == form.email.data))
    # An unknown address is checked against a hash all the same: the same words and the same
    # time, so that the page does not reveal whether an account exists.
    known = user.check_password(form.password.data) if user else _no_account(form.password.data)
    if not known:
        form.password.errors.append(_("The email address or the password is not right."))
        limits.count_attempt()
        return _failed("auth/login.html", form)
    if not user.email_confirmed:
        return _confirm_first(user)
    _sign_in(user)
    return redirect(safe_next(request.args.get("next")) or _home_for(user), 303)


def _confirm_first(user: User):
    """The right password for an account whose address is not confirmed yet: no session, and
    a new link (at most one every `CONFIRMATION_RESEND_INTERVAL`, so a mailbox is not
    flooded). Only someone who knows the password learns that the account exists."""
    response = make_response(
        render_template("auth/confirm_email_sent.html", email=user.email, signing_in=True)
    )
    sent = user.confirmation_sent_at
    if sent is None or clock.now() - clock.as_utc(sent) >= CONFIRMATION_RESEND_INTERVAL:
        user.confirmation_sent_at = clock.now()
        db.session.commit()
        _send_confirmation(user)
    return response


def _no_account(password: str) -> bool:
    check_password_hash(_unusable_hash(), password)
    return False


@cache
def _unusable_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(32))


def _sign_in(user: User) -> None:
    """A new session for the account: nothing of the one before (its CSRF token, what a
    stranger may have planted in it) is kept, but the chosen language."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    login_user(user)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        # Every session of the account ends, copies of this cookie included.
        db.session.execute(
            update(User)
            .where(User.id == current_user.id)
            .values(session_epoch=User.session_epoch + 1)
        )
        db.session.commit()
    logout_user()
    flash(_("You are signed out. Your answers are saved."))
    return redirect(url_for("auth.login"), 303)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """Ask for a link to choose a new password. The answer is the same whether or not an
    account uses the address, and as quick: the email leaves after the page is sent."""
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        if form.is_submitted():
            return _failed("auth/forgot_password.html", form)
        return render_template("auth/forgot_password.html", form=form)
    limits.count_attempt()
    user = db.session.scalar(select(User).where(func.lower(User.email) == form.email.data))
    response = make_response(render_template("auth/reset_link_sent.html", email=form.email.data))
    if user is not None:
        _send_reset_link(user)
    return response


def _send_reset_link(user: User) -> None:
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    _send(
        user,
        "password reset link",
        _("Choose a new password for the ANSM derogation portal"),
        "auth/email/password_reset.txt",
        link=external_url("auth.reset_password", token=reset.token_for(user)),
        minutes=minutes,
    )


def _send_confirmation(user: User) -> None:
    hours = current_app.config["EMAIL_CONFIRMATION_MAX_AGE"] // 3600
    _send(
        user,
        "confirmation link",
        _("Confirm your email address for the ANSM derogation portal"),
        "auth/email/confirm_email.txt",
        link=external_url("auth.confirm_email", token=confirm.token_for(user)),
        hours=hours,
    )


def _send_account_exists(user: User) -> None:
    _send(
        user,
        "'account exists' notice",
        _("You already have an account on the ANSM derogation portal"),
        "auth/email/account_exists.txt",
        sign_in=external_url("auth.login"),
        forgotten=external_url("auth.forgot_password"),
    )


def _send(user: User, what: str, subject: str, template: str, **context) -> None:
    """The email, written now (in the page's language), sent after the response: the page
    takes as long whether or not an email leaves. A failure is logged; the person can ask
    again (sign in, or the forgotten-password page)."""
    body = mail.plain_text(template, user=user, **context)
    mail.send_after_response(user.email, subject, body, about=f"{what} for user {user.id}")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return keep_token_private(make_response(_reset_password(token)))


def _reset_password(token: str):
    user = reset.user_for(token)
    if user is None:
        return render_template("auth/reset_link_unavailable.html"), 404
    form = NewPasswordForm(user.email)
    if not form.validate_on_submit():
        page = render_template("auth/reset_password.html", form=form)
        return (page, 200 if is_htmx() else 422) if form.is_submitted() else page
    user.set_password(form.password.data)
    user.confirm_email()  # the link reached the address
    db.session.commit()
    current_app.logger.info("user %s chose a new password by email link", user.id)
    flash(_("Your password is changed. Sign in with it."))
    return redirect(url_for("auth.login"), 303)
