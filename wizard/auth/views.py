"""Register, log in, log out."""

from __future__ import annotations

import hmac
import secrets
import time
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
from flask_login import current_user, login_required, login_url, login_user, logout_user
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from wizard import clock, mail, sessions, unsent
from wizard.auth import bp, confirm, devices, held, limits, reset
from wizard.auth.forms import (
    AccountDetailsForm,
    ChangeEmailForm,
    ChangePasswordForm,
    ConfirmEmailForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    RegisterForm,
)
from wizard.extensions import db, login_manager
from wizard.i18n import gettext as _
from wizard.i18n import long_date
from wizard.models import Dossier, Organisation, Role, User
from wizard.token_links import keep_token_private
from wizard.web import external_url, refused_status, safe_next

_USER_AND_DOSSIER = (
    select(User, Dossier, Organisation)
    .select_from(User)
    .outerjoin(Dossier, Dossier.id == bindparam("dossier_id"))
    .outerjoin(Organisation, Organisation.id == User.organisation_id)
    .where(User.id == bindparam("user_id"))
)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The signed-in user, if their password has not changed since they signed in (see
    `User.get_id`). In the same query, the request the URL names, if any: the view asks for
    it next (who may see it is decided there), and finds it without a second query."""
    if (remembered := User.read_session_id(session_id)) is None:
        return None
    user_id, fingerprint = remembered
    dossier_id = (request.view_args or {}).get("dossier_id")
    if isinstance(dossier_id, int):
        row = db.session.execute(
            _USER_AND_DOSSIER, {"user_id": user_id, "dossier_id": dossier_id}
        ).first()
        # The session remembers loaded objects only while something holds them. The
        # organisation comes along: the request's pages name it (`dossier.organisation`
        # then finds it without a query).
        user, g.named_dossier, g.own_organisation = row if row else (None, None, None)
    else:
        user = db.session.get(User, user_id)
    if user is None:
        return None
    if not user.is_active:  # a removed account's sessions end with its removal…
        if user.removed_in_session(fingerprint):
            g.removed_account = user  # …and its owner, in that session, is told why
        return None
    if hmac.compare_digest(fingerprint, user.session_fingerprint):
        return user
    if not user.session_fingerprint_matches(fingerprint):
        return None
    # Opened under a former secret key (`wizard.keys`): carried over to the current one.
    session["_user_id"] = user.get_id()
    return user


# Signing in unconfirmed sends a new confirmation link, at most this often.
CONFIRMATION_RESEND_INTERVAL = timedelta(hours=1)

login_manager.login_view = "auth.login"
login_manager.login_message = None


@login_manager.unauthorized_handler
def sign_in_first():
    """A page asks to sign in first, and comes back after. A form or a live check sent once
    signed out (in another tab, on another device, or idle) is not taken: the page says so,
    with what was typed, rather than a sign-in page where the answers are lost."""
    from wizard.errors import signed_out_page  # errors reads the sign-in limits: not above

    if request.method == "POST" or "removed_account" in g:
        return signed_out_page(401)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def removed_account_message() -> str | None:
    """Why the session ended, when a colleague removed its account (`load_user`)."""
    removed = g.get("removed_account")
    if removed is None:
        return None
    if removed.is_reviewer:  # closed by the administrators (`flask remove-reviewer`)
        return _(
            "This reviewer account has been closed by the portal's administrators: it can no "
            "longer sign in. If this is a mistake, contact them."
        )
    return _(
        "A colleague has removed this account from %(organisation)s. To file for it again, "
        "ask a colleague to invite you again.",
        organisation=removed.organisation.name,
    )


def current_password_checked(form) -> bool:
    """Whether `form` (with its `current` password) is valid and that password right; a
    wrong one is said beside it and counts towards the account's budget (`limits`)."""
    if not form.validate():
        return False
    if current_user.check_password(form.current.data):
        return True
    limits.count_wrong_password()
    form.current.errors.append(_("This is not your current password."))
    return False


def _home_for(user: User) -> str:
    return url_for("filing.dashboard") if user.is_manufacturer else url_for("review.queue_page")


def _failed(template: str, form):
    return render_template(template, form=form), refused_status()


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
    _register(form)
    # The same page whatever the address (after a redirect, so that reloading it sends
    # nothing again): registering tells a stranger nothing of who has an account.
    session[_REGISTERED] = form.email.data
    return redirect(url_for("auth.registered"), 303)


def _register(form: RegisterForm) -> None:
    """A new account (or a new registration replacing one never confirmed), its confirmation
    link emailed; for an address with a confirmed account, an email telling its owner. The
    same work either way (a password hashed, an email sent after the response)."""
    email = form.email.data
    password_hash = generate_password_hash(form.password.data)
    taken = User.with_email(email)
    if taken is None:
        user = User(
            email=email,
            name=form.name.data,
            role=Role.MANUFACTURER,
            organisation=Organisation(name=form.organisation_name.data),
            password_hash=password_hash,
            confirmation_sent_at=clock.now(),
        )
        db.session.add(user)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            taken = User.with_email(email)
            if taken is None:
                raise  # not the address: a real error, not a registration at the same moment
            current_app.logger.warning("two registrations of user %s at once", taken.id)
        else:
            _send_confirmation(user)
            return
    # Never confirmed, so never signed in: nothing was done with it. This registration replaces
    # it, so that whoever typed the address first (a typo, a stranger) cannot keep it from its
    # owner; the links sent before stop working (they carry the password's fingerprint). On
    # condition that it is still unconfirmed: a confirmation meanwhile keeps the account.
    replaced = (
        taken.is_manufacturer
        and db.session.execute(
            update(User)
            .where(User.id == taken.id, User.email_confirmed_at.is_(None))
            .values(
                name=form.name.data, password_hash=password_hash, confirmation_sent_at=clock.now()
            )
        ).rowcount
    )
    if not replaced:
        db.session.rollback()
        _send_account_exists(taken)
        return
    db.session.execute(
        update(Organisation)
        .where(Organisation.id == taken.organisation_id)
        .values(name=form.organisation_name.data)
    )
    db.session.commit()
    _send_confirmation(db.session.get(User, taken.id))


_REGISTERED = "registered_email"


@bp.get("/register/sent")
def registered():
    return _sent_page(_REGISTERED, "auth.register", "auth/confirm_email_sent.html")


def _sent_page(key: str, form_endpoint: str, template: str):
    """The page saying a link left, for the address this browser's form sent (`key`);
    opened elsewhere, or later, the form again."""
    email = session.get(key)
    if not email:
        return redirect(url_for(form_endpoint))
    return render_template(template, email=email)


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    return keep_token_private(make_response(_confirm_email(token)))


def _confirm_email(token: str):
    user = confirm.user_for(token)
    if user is None:
        return render_template("auth/confirmation_link_unavailable.html"), 404
    if user.email_confirmed:
        if current_user.is_authenticated:  # signed in (to this account, or another): no more
            flash(_("Your email address is confirmed already."))
            return redirect(_home_for(current_user), 303)
        flash(_("Your email address is confirmed already. Sign in."))
        return redirect(url_for("auth.login"), 303)
    form = ConfirmEmailForm()
    if not form.validate_on_submit():
        page = render_template("auth/confirm_email.html", form=form, email=user.email)
        return (page, refused_status()) if form.is_submitted() else page
    seen = user.password_hash
    if not user.check_password(form.password.data):
        limits.count_attempt()
        form.password.errors.append(_("This is not the password of this account."))
        return render_template("auth/confirm_email.html", form=form, email=user.email), 422
    # On condition that nothing changed since the password was checked (a new registration
    # replacing this one, a new password): the account confirmed is the one just proven.
    confirmed = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            User.password_hash == seen,
            User.email_confirmed_at.is_(None),
        )
        .values(email_confirmed_at=clock.now())
    ).rowcount
    db.session.commit()
    if not confirmed:
        return render_template("auth/confirmation_link_unavailable.html"), 404
    current_app.logger.info("user %s confirmed their email address", user.id)
    start_session(db.session.get(User, user.id))
    flash(_("Your email address is confirmed. You can start a request."))
    response = redirect(url_for("filing.dashboard"), 303)
    devices.remember(response, user.email)  # signed in here: a browser of the account's
    return response


# The address a new password was just chosen for, written in the sign-in form that follows.
_SIGN_IN_AS = "sign_in_as"


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        # Signed in meanwhile (another tab): where a "Sign in again" link was leading.
        return redirect(safe_next(request.args.get("next")) or _home_for(current_user))
    form = LoginForm()
    if not form.validate_on_submit():
        if form.is_submitted():
            return _failed("auth/login.html", form)
        form.email.data = session.pop(_SIGN_IN_AS, None)  # a new password was just chosen
        return render_template("auth/login.html", form=form)
    user = User.with_email(form.email.data)
    # An unknown address is checked against a hash all the same: the same words and the same
    # time, so that the page does not reveal whether an account exists.
    known = user.check_password(form.password.data) if user else _no_account(form.password.data)
    if not known:
        form.password.errors.append(_("The email address or the password is not right."))
        limits.count_attempt()
        return _failed("auth/login.html", form)
    if not user.is_active:
        # Said only to whoever knows the password: the account's owner.
        g.removed_account = user
        form.email.errors.append(removed_account_message())
        return _failed("auth/login.html", form)
    if not user.email_confirmed:
        # The same answer as a wrong password (a stranger who registered an address must not
        # learn from signing in whether it had an account); a new link leaves, not too often.
        _resend_confirmation(user)
        form.password.errors.append(_("The email address or the password is not right."))
        limits.count_attempt()
        return _failed("auth/login.html", form)
    start_session(user)
    response = redirect(safe_next(request.args.get("next")) or _home_for(user), 303)
    devices.remember(response, form.email.data)
    return response


def _resend_confirmation(user: User) -> None:
    """A new confirmation link, at most one every `CONFIRMATION_RESEND_INTERVAL`: whoever
    knows the password cannot flood the address's mailbox."""
    sent = user.confirmation_sent_at
    if sent is None or clock.now() - clock.as_utc(sent) >= CONFIRMATION_RESEND_INTERVAL:
        user.confirmation_sent_at = clock.now()
        db.session.commit()
        _send_confirmation(user)


def _no_account(password: str) -> bool:
    check_password_hash(_unusable_hash(), password)
    return False


@cache
def _unusable_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(32))


def start_session(user: User) -> None:
    """A new session for the account: nothing of the one before (its CSRF token, what a
    stranger may have planted in it) is kept, but the chosen language."""
    held.forget(session.get("_user_id"))  # a password changed: its copies end here at once
    _clear_session_but_its_language()
    login_user(user)
    session[sessions.SIGNED_IN_AT] = int(time.time())  # its lifetime's start


def _clear_session_but_its_language() -> None:
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


@bp.post("/logout")
def logout():
    # A manufacturer is told their answers are kept; a reviewer has no answers to keep.
    reviewer = current_user.is_authenticated and current_user.is_reviewer
    # Signed out to open a link meant for another account: signing in again leads to it.
    after = safe_next(request.form.get("next"))
    response = sign_out(redirect(url_for("auth.login", next=after), 303))
    if reviewer:
        flash(_("You are signed out."))
    else:  # not what was typed since the last save: the page asked before it was left
        flash(_("You are signed out. The answers you saved are kept."))
    return response


def sign_out(response, *, everywhere: bool = True):
    """End the session of whoever is signed in here, as "Sign out" does, and return
    `response`, which the browser gets with it; `everywhere=False`: this browser's only (it
    is to be another account's: the account signed out did nothing to end elsewhere)."""
    if current_user.is_authenticated and everywhere:
        # Every session of the account ends, copies of this cookie included.
        db.session.execute(
            update(User)
            .where(User.id == current_user.id)
            .values(session_epoch=User.session_epoch + 1)
        )
        db.session.commit()
    held.forget(session.get("_user_id"))
    logout_user()
    # Nothing of the session stays behind in the browser (files kept from a refused form), as
    # one nobody is signed in to lasts a day, but the chosen language and the forms' token:
    # a form of a page opened before then is answered "You were signed out", with what it
    # carried, rather than "Your form expired".
    token = session.get("csrf_token")
    _clear_session_but_its_language()
    if token:
        session["csrf_token"] = token
    unsent.forget(response)  # answers sent once signed out, kept for this browser
    return response


@bp.get("/account")
@login_required
def account():
    return account_page()


@bp.route("/account/details", methods=["GET", "POST"])
@login_required
def account_details():
    if request.method != "POST":  # the address a refused form leaves, opened again
        return redirect(url_for("auth.account"), 303)
    if current_user.is_reviewer:
        return _reviewer_name_refused()
    form = _details_form()
    if not form.validate():
        return account_page(details=form, status=refused_status())
    user = db.session.get(User, current_user.id)
    user.name = form.name.data
    user.organisation.name = form.organisation_name.data
    db.session.commit()
    flash(_("Your details are saved."))
    return redirect(url_for("auth.account"), 303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def account_password():
    if request.method != "POST":  # as for the details
        return redirect(url_for("auth.account") + "#password-title", 303)
    form = ChangePasswordForm(
        current_user.email, prefix="password", organisation=_organisation_name(current_user)
    )
    if current_password_checked(form) and form.password.data == form.current.data:
        # Changing it would end every other session, for nothing.
        form.password.errors.append(_("Choose a new password different from your current one."))
    if form.errors:
        return account_page(password=form, status=refused_status())
    user = db.session.get(User, current_user.id)
    user.set_password(form.password.data)
    db.session.commit()
    current_app.logger.info("user %s changed their password", user.id)
    # Every session of the account ends with the old password (`User.session_fingerprint`);
    # this one goes on, newly opened.
    _send_password_changed(user)
    start_session(user)
    flash(_("Your password is changed. Anywhere else you were signed in, you are signed out."))
    return redirect(url_for("auth.account"), 303)


def _organisation_name(user: User) -> str:
    """The name a password of `user`'s must not hold (a reviewer has no organisation)."""
    return user.organisation.name if user.organisation else ""


def _reviewer_name_refused():
    """A reviewer's name, like their job title, is stated on the decisions they sign (CRPA
    L. 212-1): only the administrators change it (`flask set-reviewer-name`), so the form
    is not on their page and a request sent to it anyway changes nothing."""
    current_app.logger.warning("reviewer %s refused a change of their name", current_user.id)
    refused = _(
        "Your name is not changed: the decisions you sign state it, so only the portal's "
        "administrators change it. Ask them if it is wrong."
    )
    return account_page(refused=refused, status=refused_status())


def _details_form(**options) -> AccountDetailsForm:
    """What a manufacturer's account may change: its owner's name and the manufacturer's."""
    return AccountDetailsForm(prefix="details", **options)


def account_page(*, details=None, password=None, email=None, refused=None, status: int = 200):
    """The page, with the form sent back with its errors; a reviewer's has no details form
    (their name and title are the administrators')."""
    if details is None and current_user.is_manufacturer:
        details = _details_form(
            formdata=None,
            data={"name": current_user.name, "organisation_name": current_user.organisation.name},
        )
    if password is None:
        password = ChangePasswordForm(current_user.email, prefix="password", formdata=None)
    if email is None:
        email = ChangeEmailForm(prefix="email", formdata=None)
    page = render_template(
        "auth/account.html", details=details, password=password, email=email, refused=refused
    )
    return page, status


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
    user = User.with_email(form.email.data)
    if user is not None and user.is_active:
        _send_reset_link(user)
    elif user is not None:
        _send_account_removed(user)
    else:  # written as for an account, and not sent: the answer takes as long either way
        _reset_link(User(id=0, email=form.email.data, name="", password_hash=""))
    # After a redirect, as registering: reloading the page, or switching its language, shows
    # it again rather than an empty form (and sends nothing again).
    session[_RESET_ASKED] = form.email.data
    return redirect(url_for("auth.reset_link_sent"), 303)


_RESET_ASKED = "reset_asked_email"


@bp.get("/password/forgot/sent")
def reset_link_sent():
    """The same page whether or not an account uses the address: it says "if"."""
    return _sent_page(_RESET_ASKED, "auth.forgot_password", "auth/reset_link_sent.html")


def _send_reset_link(user: User) -> None:
    subject, body = _reset_link(user)
    # Kept after the response has left, as for an unknown address nothing is.
    mail.send_after_response(
        user.email, subject, body, about=f"reset link for user {user.id}", kept_before=False
    )


def _reset_link(user: User) -> tuple[str, str]:
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    link = external_url("auth.reset_password", token=reset.token_for(user))
    body = mail.plain_text("auth/email/password_reset.txt", user=user, link=link, minutes=minutes)
    # In the page's language: whoever asks is most likely the owner of the address.
    return _("Choose a new password for the ANSM derogation portal"), body


def _send_account_removed(user: User) -> None:
    """In answer to a forgotten password: a new one would not let them in."""
    body = mail.plain_text("auth/email/account_removed.txt", user=user)
    subject = _("Your account on the ANSM derogation portal was removed")
    mail.send_after_response(
        user.email, subject, body, about=f"removal notice for {user.id}", kept_before=False
    )


def _send_password_changed(user: User, *, by_link: bool = False, named: bool = True) -> None:
    """Tell the account's owner, in case it was not them: a session left open somewhere, or
    (`by_link`, a new password chosen by an emailed link) someone reading their mailbox.
    Not `named` by the name a registration never confirmed holds: a stranger may have typed
    it."""
    body = mail.plain_text(
        "auth/email/password_changed.txt",
        user=user,
        named=named,
        date=long_date(clock.today()),
        forgotten=external_url("auth.forgot_password"),
        by_link=by_link,
    )
    subject = _("Your password for the ANSM derogation portal was changed")
    mail.send_after_response(user.email, subject, body, about=f"password notice for {user.id}")


def _send_confirmation(user: User) -> None:
    hours = current_app.config["EMAIL_CONFIRMATION_MAX_AGE"] // 3600
    link = external_url("auth.confirm_email", token=confirm.token_for(user))
    _send_to_unproven(
        user,
        "confirmation link",
        lambda: _("Confirm your email address for the ANSM derogation portal"),
        "auth/email/confirm_email.txt",
        link=link,
        hours=hours,
    )


def _send_account_exists(user: User) -> None:
    if user.removed_at is not None and user.is_reviewer:
        # Closed by the administrators: the same words as to a new password asked.
        _send_account_removed(user)
        return
    if user.removed_at is not None:
        # A colleague removed it: signing in, or a new password, would not help.
        _send_to_unproven(
            user,
            "'account removed' notice on registering",
            lambda: _("Your address is already used on the ANSM derogation portal"),
            "auth/email/registered_removed.txt",
            organisation=user.organisation.name,
        )
        return
    _send_to_unproven(
        user,
        "'account exists' notice",
        lambda: _("You already have an account on the ANSM derogation portal"),
        "auth/email/account_exists.txt",
        sign_in=external_url("auth.login"),
        forgotten=external_url("auth.forgot_password"),
    )


def _send_to_unproven(user: User, what: str, subject, template: str, **context) -> None:
    """An email about a registration, which whoever typed the address asked for: in French
    then English (the reader may not be who typed it), with nothing of what they typed (a
    name, an organisation) that the portal's address would carry to a stranger's mailbox.
    Sent after the response; a failure is logged, and signing in sends a new link."""
    send_in_both_languages(
        user.email, subject, template, about=f"{what} for user {user.id}", **context
    )


def send_in_both_languages(to: str, subject, template: str, *, about: str, **context) -> None:
    """An email in French then English, after the response: to whoever reads an address whose
    language is not known (not the page's: another person may have acted). `subject`: a
    function giving it in the language in force."""
    mail.send_after_response(
        to,
        mail.bilingual(subject, " / "),
        mail.bilingual_text(template, **context),
        about=about,
    )


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return keep_token_private(make_response(_reset_password(token)))


def _reset_password(token: str):
    user = reset.user_for(token)
    if user is None or not user.is_active:  # removed since the link left
        return render_template("auth/reset_link_unavailable.html"), 404
    form = NewPasswordForm(user.email, organisation=_organisation_name(user))
    # Signed in to another account: the page says that choosing signs it out.
    other = current_user if current_user.is_authenticated and current_user.id != user.id else None
    if not form.validate_on_submit():
        page = render_template("auth/reset_password.html", form=form, signed_in=other)
        return (page, refused_status()) if form.is_submitted() else page
    # A registration never confirmed: its name and manufacturer's name were typed by
    # whoever registered the address, perhaps not its owner, who now proves it.
    unproven = user.email_confirmed_at is None
    user.set_password(form.password.data)
    user.confirm_email()  # the link reached the address
    db.session.commit()
    _send_password_changed(user, by_link=True, named=not unproven)
    current_app.logger.info("user %s chose a new password by email link", user.id)
    response = redirect(url_for("auth.login"), 303)
    if other is not None:
        # The link proved this account's mailbox, not the other's: signed out, so that the
        # sign-in page that follows is this account's, not the other's requests.
        sign_out(response, everywhere=False)
    session[_SIGN_IN_AS] = user.email
    flash(_("Your password is changed. Sign in with it."))
    if unproven:
        flash(
            _(
                "Your address is confirmed too. Once signed in, check your name and your "
                "manufacturer's name on “Your account”: they are as they were typed when the "
                "account was registered."
            ),
            "warning",
        )
    # The link reached the mailbox: this browser is the owner's, and signs in on a budget of
    # its own, even while failed attempts (a stranger's, or the owner's own) pause the
    # account elsewhere.
    devices.remember(response, user.email, afresh=True)
    return response
